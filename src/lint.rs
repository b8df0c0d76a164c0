//! Linting canned-reply libraries: every reply checked as an agent message (openings and
//! closings also against the opening and closing rules), with file positions, suppressions,
//! baselines and fixes.
//!
//! ```
//! use huashu::Checker;
//! use huashu::lint::{LintOptions, lint};
//! use huashu::replies::{LibraryFormat, ReplyLibrary};
//!
//! let checker = Checker::builtin()?;
//! let library = ReplyLibrary::parse(
//!     "replies.txt",
//!     "您好，请问有什么可以帮您？\n这个我不知道。\n".to_string(),
//!     LibraryFormat::Text,
//! );
//! let findings = lint(&checker, &library, &LintOptions::default());
//! assert_eq!(&*findings[0].rule, "forbidden.dont-know");
//! assert_eq!((findings[0].line, findings[0].column), (2, 4));
//! # Ok::<(), huashu::PackError>(())
//! ```

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::checker::Checker;
use crate::finding::Finding;
use crate::pack::rule::Severity;
use crate::replies::{Reply, ReplyKind, ReplyLibrary};
use crate::transcript::{Channel, Role, Transcript, Turn};

/// How replies are checked.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct LintOptions {
    /// The channel openings and closings are checked for: the opening and closing rules of
    /// other channels do not apply. Chat by default.
    pub channel: Channel,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            channel: Channel::Chat,
        }
    }
}

impl LintOptions {
    /// Options for `channel`.
    pub fn for_channel(channel: Channel) -> LintOptions {
        LintOptions { channel }
    }
}

/// A change to a library file that fixes a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Edit {
    /// The bytes of the file to replace.
    pub span: Range<usize>,
    /// What to write there, escaped as the file writes its text.
    pub replacement: String,
    /// The wording, as an agent would send it.
    pub wording: Arc<str>,
    /// Whether the rule marks it safe to apply without review.
    pub safe: bool,
}

/// A finding in a reply library, at its place in the file.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct LintFinding {
    /// The rule: a rule of the pack, or one of [`LINT_RULES`] about the library itself.
    pub rule: Arc<str>,
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong.
    pub message: Arc<str>,
    /// What to say instead, where the standard gives a script.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggest: Option<Arc<str>>,
    /// The clause of the standard the rule comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Arc<str>>,
    /// The bytes of the file it points at.
    pub span: Range<usize>,
    /// 1-based line and column (in characters) of the start, and of the end (exclusive).
    pub line: usize,
    /// See `line`.
    pub column: usize,
    /// See `line`.
    pub end_line: usize,
    /// See `line`.
    pub end_column: usize,
    /// The index of the reply, for findings about a reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<usize>,
    /// Where the reply sits in the library (`openings[0]`, `## 物流`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// The words found, as the reply has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A fix, when the rule gives approved wording and the file can take it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Edit>,
    /// The reason of the suppression that silences it, if one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
    /// Whether a baseline accepts it (see [`Baseline::apply`]).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub baselined: bool,
    /// Stable across moves: the rule and the reply's text, not its place.
    pub fingerprint: String,
    /// The reply's text with blanks collapsed (or the comment's, for a finding about a
    /// suppression): what the fingerprint is made of.
    #[serde(skip)]
    pub context: String,
}

impl LintFinding {
    /// Whether it counts: neither suppressed nor accepted by a baseline.
    pub fn is_active(&self) -> bool {
        self.suppressed.is_none() && !self.baselined
    }
}

/// A rule about the library itself rather than the standard.
#[derive(Clone, Copy, Debug)]
pub struct LintRule {
    /// Its id, under `lint.`.
    pub id: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// What it reports.
    pub message: &'static str,
    /// What to do about it.
    pub help: &'static str,
}

/// The rules about libraries and suppressions, which every pack has.
pub const LINT_RULES: &[LintRule] = &[
    LintRule {
        id: "lint.unreadable",
        severity: Severity::Fatal,
        message: "the file cannot be read as a reply library",
        help: "fix the syntax error; nothing in the file was checked",
    },
    LintRule {
        id: "lint.suppression-syntax",
        severity: Severity::Major,
        message: "a `huashu:` comment that is not a suppression",
        help: "write `huashu: allow RULE[, RULE…] -- reason`",
    },
    LintRule {
        id: "lint.suppression-without-reason",
        severity: Severity::Major,
        message: "a suppression without a reason does not suppress anything",
        help: "say why after `--`: `huashu: allow RULE -- quoting the customer`",
    },
    LintRule {
        id: "lint.unknown-rule",
        severity: Severity::Major,
        message: "a suppression names a rule the pack does not have",
        help: "check the id with `huashu rules list`",
    },
    LintRule {
        id: "lint.unused-suppression",
        severity: Severity::Minor,
        message: "a suppression that suppresses nothing",
        help: "remove it: the reply no longer breaks the rule",
    },
];

fn lint_rule(id: &str) -> &'static LintRule {
    LINT_RULES.iter().find(|r| r.id == id).expect("a lint rule")
}

/// Checks every reply of `library` with `checker`. Findings are in file order, with those
/// silenced by a suppression marked and kept.
pub fn lint(checker: &Checker, library: &ReplyLibrary, options: &LintOptions) -> Vec<LintFinding> {
    let mut out = Vec::new();
    for problem in &library.problems {
        out.push(meta(
            library,
            "lint.unreadable",
            format!("cannot read {}: {}", library.path, problem.message),
            problem.span.clone(),
            problem.message.clone(),
        ));
    }
    for (i, reply) in library.replies.iter().enumerate() {
        let context = collapse(&reply.text);
        for finding in reply_findings(checker, reply, options) {
            out.push(locate(library, i, reply, &finding, &context));
        }
    }
    suppress(checker, library, &mut out);
    out.sort_by(|a, b| (a.span.start, &a.rule).cmp(&(b.span.start, &b.rule)));
    out
}

/// What the pack says about one reply: the rules of a single message, and for an opening or a
/// closing also the opening or closing rules, on a one-turn conversation.
fn reply_findings(checker: &Checker, reply: &Reply, options: &LintOptions) -> Vec<Finding> {
    let mut findings = checker.check_message(Role::Agent, &reply.text);
    let category = match reply.kind {
        ReplyKind::Message => return findings,
        ReplyKind::Opening => "opening",
        ReplyKind::Closing => "closing",
    };
    let transcript = Transcript::new("reply", vec![Turn::new(Role::Agent, reply.text.clone())])
        .with_channel(options.channel);
    let report = checker.check(&transcript);
    findings.extend(
        report
            .findings
            .into_iter()
            .filter(|f| f.rule.split('.').next() == Some(category)),
    );
    findings
}

/// A finding of the pack, placed in the file.
fn locate(
    library: &ReplyLibrary,
    index: usize,
    reply: &Reply,
    finding: &Finding,
    context: &str,
) -> LintFinding {
    let hit = finding.byte_start.zip(finding.byte_end).map(|(s, e)| s..e);
    let span = match &hit {
        Some(range) => reply.file_span(range.clone()),
        None => reply.span.clone(),
    };
    let fix = match (&hit, &finding.fix) {
        (Some(range), Some(fix)) if reply.is_verbatim(&library.source, range.clone()) => {
            reply.encode(&fix.replacement).map(|replacement| Edit {
                span: span.clone(),
                replacement,
                wording: fix.replacement.clone(),
                safe: fix.safe,
            })
        }
        _ => None,
    };
    let (line, column) = library.position(span.start);
    let (end_line, end_column) = library.position(span.end);
    LintFinding {
        rule: finding.rule.clone(),
        severity: finding.severity,
        message: finding.message.clone(),
        suggest: finding.suggest.clone(),
        source: finding.source.clone(),
        span,
        line,
        column,
        end_line,
        end_column,
        reply: Some(index),
        place: Some(reply.place.clone()),
        text: finding.text.clone(),
        fix,
        suppressed: None,
        baselined: false,
        fingerprint: fingerprint(&finding.rule, context),
        context: context.to_string(),
    }
}

/// A finding of one of [`LINT_RULES`].
fn meta(
    library: &ReplyLibrary,
    rule: &str,
    message: String,
    span: Range<usize>,
    context: String,
) -> LintFinding {
    let r = lint_rule(rule);
    let (line, column) = library.position(span.start);
    let (end_line, end_column) = library.position(span.end);
    let context = collapse(&context);
    LintFinding {
        rule: r.id.into(),
        severity: r.severity,
        message: message.into(),
        suggest: None,
        source: None,
        span,
        line,
        column,
        end_line,
        end_column,
        reply: None,
        place: None,
        text: None,
        fix: None,
        suppressed: None,
        baselined: false,
        fingerprint: fingerprint(r.id, &context),
        context,
    }
}

/// Applies the library's suppressions to `findings`, and reports the suppressions that are
/// malformed, give no reason, name an unknown rule or suppress nothing.
fn suppress(checker: &Checker, library: &ReplyLibrary, findings: &mut Vec<LintFinding>) {
    let known = |rule: &str| match rule.strip_suffix(".*") {
        Some(category) => checker.rules().iter().any(|r| r.category() == category),
        None => {
            checker.rules().iter().any(|r| r.id() == rule)
                || LINT_RULES.iter().any(|r| r.id == rule)
        }
    };
    let mut extra = Vec::new();
    for s in &library.suppressions {
        let comment = library
            .source
            .get(s.span.clone())
            .unwrap_or_default()
            .to_string();
        if let Some(problem) = &s.malformed {
            extra.push(meta(
                library,
                "lint.suppression-syntax",
                format!("not a suppression: {problem}"),
                s.span.clone(),
                comment,
            ));
            continue;
        }
        for rule in s.rules.iter().filter(|r| !known(r)) {
            extra.push(meta(
                library,
                "lint.unknown-rule",
                format!("the suppression names `{rule}`, which is not a rule of the pack"),
                s.span.clone(),
                comment.clone(),
            ));
        }
        let Some(reason) = &s.reason else {
            extra.push(meta(
                library,
                "lint.suppression-without-reason",
                format!(
                    "the suppression of {} gives no reason, so it suppresses nothing: add `-- why`",
                    s.rules.join(", ")
                ),
                s.span.clone(),
                comment,
            ));
            continue;
        };
        let mut used = vec![false; s.rules.len()];
        for f in findings.iter_mut() {
            let Some(reply) = f.reply else { continue };
            if !s.replies.contains(&reply) {
                continue;
            }
            for (k, rule) in s.rules.iter().enumerate() {
                if crate::replies::names(rule, &f.rule) {
                    used[k] = true;
                    f.suppressed.get_or_insert_with(|| reason.clone());
                }
            }
        }
        for (rule, _) in s
            .rules
            .iter()
            .zip(&used)
            .filter(|(r, used)| !**used && known(r))
        {
            let target = match s.replies.as_slice() {
                [] => "no reply follows it".to_string(),
                [one] => format!(
                    "the reply it applies to ({}) does not break it",
                    library.replies[*one].place
                ),
                _ => "none of the replies it applies to breaks it".to_string(),
            };
            extra.push(meta(
                library,
                "lint.unused-suppression",
                format!("the suppression of `{rule}` suppresses nothing: {target}"),
                s.span.clone(),
                comment.clone(),
            ));
        }
    }
    findings.extend(extra);
}

/// Blanks collapsed to one space, trimmed: a reply's identity for fingerprints.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `sha256(rule, NUL, text)`, the first 16 bytes in hex.
fn fingerprint(rule: &str, context: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(rule.as_bytes());
    hash.update([0]);
    hash.update(context.as_bytes());
    hash.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Applies `edits` to `source`, skipping any that overlap one applied before them. Returns
/// the new text and how many edits were applied.
pub fn apply_edits<'a>(source: &str, edits: impl IntoIterator<Item = &'a Edit>) -> (String, usize) {
    let mut edits: Vec<&Edit> = edits.into_iter().collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    let mut applied = 0;
    for e in edits {
        if e.span.start < at || e.span.end > source.len() || e.span.start > e.span.end {
            continue;
        }
        out.push_str(&source[at..e.span.start]);
        out.push_str(&e.replacement);
        at = e.span.end;
        applied += 1;
    }
    out.push_str(&source[at..]);
    (out, applied)
}

// -------------------------------------------------------------------------------------------
// Baselines.

/// Findings accepted as they are, by fingerprint, so that a check fails only on new ones.
///
/// A fingerprint is the rule and the reply's text: moving a reply, or editing other replies
/// around it, leaves it unchanged. When the same rule fires several times on replies with the
/// same text, the baseline keeps the count.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// The format's version: 1.
    pub version: u32,
    /// One entry per fingerprint, sorted.
    pub findings: Vec<BaselineEntry>,
}

/// One accepted finding (or several with the same fingerprint).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// See [`LintFinding::fingerprint`].
    pub fingerprint: String,
    /// The rule, for whoever reads the file.
    pub rule: String,
    /// The reply, for whoever reads the file (cut at 60 characters).
    pub reply: String,
    /// How many findings have this fingerprint.
    pub count: usize,
}

impl Baseline {
    /// The baseline that accepts every active finding of `findings`.
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a LintFinding>) -> Baseline {
        let mut entries: BTreeMap<&str, BaselineEntry> = BTreeMap::new();
        for f in findings.into_iter().filter(|f| f.suppressed.is_none()) {
            entries
                .entry(&f.fingerprint)
                .or_insert_with(|| BaselineEntry {
                    fingerprint: f.fingerprint.clone(),
                    rule: f.rule.to_string(),
                    reply: f.context.chars().take(60).collect(),
                    count: 0,
                })
                .count += 1;
        }
        Baseline {
            version: 1,
            findings: entries.into_values().collect(),
        }
    }

    /// Reads a baseline file's text.
    pub fn from_json(text: &str) -> Result<Baseline, String> {
        let baseline: Baseline = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if baseline.version != 1 {
            return Err(format!(
                "version {} is not supported (this huashu writes version 1)",
                baseline.version
            ));
        }
        Ok(baseline)
    }

    /// The baseline as a file's text: pretty JSON, one entry per fingerprint, sorted, so that
    /// it diffs well.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("serializable");
        text.push('\n');
        text
    }

    /// Marks as baselined, in order, as many findings of each fingerprint as the baseline
    /// accepts. Returns the entries (with the counts) that no longer occur.
    pub fn apply<'a>(
        &self,
        findings: impl IntoIterator<Item = &'a mut LintFinding>,
    ) -> Vec<BaselineEntry> {
        let mut left: BTreeMap<&str, usize> = self
            .findings
            .iter()
            .map(|e| (e.fingerprint.as_str(), e.count))
            .collect();
        for f in findings {
            if f.suppressed.is_some() {
                continue;
            }
            if let Some(n) = left.get_mut(f.fingerprint.as_str()) {
                if *n > 0 {
                    *n -= 1;
                    f.baselined = true;
                }
            }
        }
        self.findings
            .iter()
            .filter_map(|e| {
                let n = left.get(e.fingerprint.as_str()).copied().unwrap_or(0);
                (n > 0).then(|| BaselineEntry {
                    count: n,
                    ..e.clone()
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replies::LibraryFormat;

    fn run(source: &str, format: LibraryFormat) -> (ReplyLibrary, Vec<LintFinding>) {
        let checker = Checker::builtin().expect("compiles");
        let lib = ReplyLibrary::parse("r", source.to_string(), format);
        let findings = lint(&checker, &lib, &LintOptions::default());
        (lib, findings)
    }

    fn ids(findings: &[LintFinding]) -> Vec<(&str, bool)> {
        findings
            .iter()
            .map(|f| (&*f.rule, f.suppressed.is_some()))
            .collect()
    }

    #[test]
    fn suppressions_with_and_without_reasons_and_stale_ones() {
        let src = "\
# huashu: allow forbidden.dont-know -- quoting the customer
您说“不知道”是指这个吗？我不知道。
# huashu: allow forbidden.no-way
这个不行。
# huashu: allow forbidden.go-to-manager -- no longer needed
请您稍等。
# huashu: allow forbidden.no-such-rule -- typo
# huashu: ignore everything
";
        let (_, findings) = run(src, LibraryFormat::Text);
        assert_eq!(
            ids(&findings),
            vec![
                ("forbidden.dont-know", true),
                ("lint.suppression-without-reason", false),
                ("forbidden.no-way", false),
                ("lint.unused-suppression", false),
                ("lint.unknown-rule", false),
                ("lint.suppression-syntax", false),
            ]
        );
    }

    #[test]
    fn openings_are_checked_against_the_opening_rules() {
        let src = "[openings]\nfirst = \"喂？\"\n\n[faq]\nshipping = \"已经发货了。\"\n";
        let (_, findings) = run(src, LibraryFormat::Toml);
        let opening: Vec<&str> = findings
            .iter()
            .filter(|f| f.line == 2)
            .map(|f| &*f.rule)
            .collect();
        assert!(opening.contains(&"opening.greeting"), "{opening:?}");
        assert!(
            findings.iter().all(|f| f.line == 2),
            "the FAQ reply is fine"
        );
    }

    #[test]
    fn fixes_are_offered_only_where_the_file_holds_the_words_as_written() {
        let src = "{\"a\": \"你好，请问有什么可以帮您？\", \"b\": \"\\u4f60好，请问\"}\n";
        let (lib, findings) = run(src, LibraryFormat::Json);
        let hits: Vec<&LintFinding> = findings
            .iter()
            .filter(|f| &*f.rule == "forbidden.ni-hao")
            .collect();
        assert_eq!(hits.len(), 2);
        let fix = hits[0].fix.as_ref().expect("a fix for the plain one");
        assert!(fix.safe);
        assert!(hits[1].fix.is_none(), "the escaped one is left alone");
        let (fixed, applied) =
            apply_edits(&lib.source, findings.iter().filter_map(|f| f.fix.as_ref()));
        assert_eq!(applied, 1);
        assert!(fixed.starts_with("{\"a\": \"您好，请问"));
    }

    #[test]
    fn baselines_accept_by_text_not_place() {
        let before = "这个我不知道。\n请您稍等。\n不行，不知道。\n";
        let (_, findings) = run(before, LibraryFormat::Text);
        let baseline = Baseline::of(&findings);
        let baseline = Baseline::from_json(&baseline.to_json()).expect("round trip");
        // The first reply moved down, the third was removed, a new one came.
        let after = "请您稍等。\n你找领导去呀！\n这个我不知道。\n";
        let (_, mut findings) = run(after, LibraryFormat::Text);
        let stale = baseline.apply(&mut findings);
        let active: Vec<&str> = findings
            .iter()
            .filter(|f| f.is_active())
            .map(|f| &*f.rule)
            .collect();
        assert_eq!(active, vec!["forbidden.go-to-manager"]);
        let stale: Vec<&str> = stale.iter().map(|e| e.rule.as_str()).collect();
        assert_eq!(stale.len(), 2, "{stale:?}");
        assert!(stale.contains(&"forbidden.no-way"));
        assert!(stale.contains(&"forbidden.dont-know"));
    }
}
