//! Suppressions: `huashu: allow RULE[, RULE…] -- reason` in a comment or a `huashu-allow`
//! field, read, and tied to the replies they apply to.

use std::ops::Range;

use super::Reply;
use super::labels::ALLOW_KEY;
use crate::text::LineIndex;

/// A `huashu: allow` comment or field.
#[derive(Clone, Debug)]
pub struct Suppression {
    /// The rule ids it names (`forbidden.dont-know`), or categories (`forbidden.*`).
    pub rules: Vec<String>,
    /// Why, after `--`; `None` when it gives none.
    pub reason: Option<String>,
    /// The comment or field in the file.
    pub span: Range<usize>,
    /// The indices of the replies it applies to: one for a comment, those of its object or
    /// row for a field; none when there is no reply for it.
    pub replies: Vec<usize>,
    /// What is wrong with how it is written, if anything.
    pub malformed: Option<String>,
}

impl Suppression {
    /// Whether it names `rule`, by id or by category (`forbidden.*`).
    pub fn covers(&self, rule: &str) -> bool {
        self.rules.iter().any(|r| names(r, rule))
    }
}

/// Whether `name`, a rule id or a category (`forbidden.*`), names `rule`.
pub(crate) fn names(name: &str, rule: &str) -> bool {
    match name.strip_suffix(".*") {
        Some(category) => rule
            .strip_prefix(category)
            .is_some_and(|rest| rest.starts_with('.')),
        None => name == rule,
    }
}

/// The suppressions that `comments` and `fields` hold, each with the replies it applies to,
/// and one malformed suppression for each of `bad_fields`; in file order.
pub(super) fn collect(
    source: &str,
    replies: &[Reply],
    comments: Vec<(String, Range<usize>)>,
    fields: Vec<(String, Range<usize>, Range<usize>)>,
    bad_fields: Vec<Range<usize>>,
) -> Vec<Suppression> {
    let index = LineIndex::new(source);
    let line_of = |byte: usize| index.line(byte);
    // Each reply's first and last line, once.
    let lines: Vec<(usize, usize)> = replies
        .iter()
        .map(|r| (line_of(r.span.start), line_of(r.span.end)))
        .collect();
    let mut suppressions = Vec::new();
    for (text, span) in comments {
        let Some(mut s) = parse_suppression(&text, span.clone()) else {
            continue;
        };
        // The reply on the comment's line (a trailing comment), or else the first reply
        // that starts after the comment.
        let line = line_of(span.start);
        let on_line = replies
            .iter()
            .zip(&lines)
            .position(|(r, &(a, b))| (a..=b).contains(&line) && r.span.start < span.start);
        let next = || replies.iter().position(|r| r.span.start >= span.end);
        s.replies.extend(on_line.or_else(next));
        suppressions.push(s);
    }
    for (value, span, of_object) in fields {
        if let Some(mut s) = parse_suppression(&format!("huashu: allow {value}"), span) {
            s.replies.extend(of_object);
            suppressions.push(s);
        }
    }
    for span in bad_fields {
        suppressions.push(Suppression {
            rules: Vec::new(),
            reason: None,
            span,
            replies: Vec::new(),
            malformed: Some(format!(
                "`{ALLOW_KEY}` must be a string or a list of strings"
            )),
        });
    }
    suppressions.sort_by_key(|s| s.span.start);
    suppressions
}

/// Reads `huashu: allow RULE[, RULE…] -- reason` from a comment's text; `None` when the
/// comment is not addressed to huashu.
fn parse_suppression(text: &str, span: Range<usize>) -> Option<Suppression> {
    let text = text.trim();
    let rest = text
        .strip_prefix("huashu")?
        .trim_start()
        .strip_prefix(':')?;
    let mut s = Suppression {
        rules: Vec::new(),
        reason: None,
        span,
        replies: Vec::new(),
        malformed: None,
    };
    let rest = rest.trim_start();
    let Some(rest) = rest.strip_prefix("allow") else {
        s.malformed = Some(format!(
            "expected `huashu: allow RULE -- reason`, found `huashu: {rest}`"
        ));
        return Some(s);
    };
    let (rules, reason) = match rest.split_once("--") {
        Some((rules, reason)) => (rules, Some(reason.trim())),
        None => (rest, None),
    };
    s.reason = reason.filter(|r| !r.is_empty()).map(str::to_string);
    s.rules = rules
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect();
    if s.rules.is_empty() {
        s.malformed = Some("it names no rule: `huashu: allow RULE -- reason`".to_string());
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppressions_cover_ids_and_categories() {
        let s = parse_suppression(" huashu: allow forbidden.*, privacy.mobile -- ok", 0..1)
            .expect("parsed");
        assert!(s.covers("forbidden.dont-know"));
        assert!(s.covers("privacy.mobile"));
        assert!(!s.covers("privacy.id-card"));
        assert!(!s.covers("forbiddenx.a"));
        let bad = parse_suppression("huashu: ignore x", 0..1).expect("addressed to huashu");
        assert!(bad.malformed.is_some());
        assert!(parse_suppression("just a comment", 0..1).is_none());
    }
}
