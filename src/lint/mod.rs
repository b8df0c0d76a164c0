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

mod baseline;
mod fix;
mod suppress;

use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

use crate::replies::{Reply, ReplyKind, ReplyLibrary};
use crate::{Channel, Checker, Finding, Role, Severity, Transcript, Turn};

pub use baseline::{Baseline, BaselineEntry};
pub use fix::{Edit, Replacement, apply_edits};

use baseline::{collapse, fingerprint};
use suppress::suppress;

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
        help: "fix the file where it says; the run fails until then",
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
    let found = lint_replies(checker, library, 0..library.replies.len(), options);
    finish_lint(checker, library, found)
}

/// The findings of the replies `replies` (indexes into `library.replies`), in reply order,
/// before suppressions apply: for linting one library on several threads, a range each.
/// [`finish_lint`] joins them, in the order of their ranges, into what [`lint`] returns.
pub fn lint_replies(
    checker: &Checker,
    library: &ReplyLibrary,
    replies: std::ops::Range<usize>,
    options: &LintOptions,
) -> Vec<LintFinding> {
    let mut out = Vec::new();
    let end = replies.end.min(library.replies.len());
    for i in replies.start.min(end)..end {
        let reply = &library.replies[i];
        let context = collapse(&reply.text);
        for finding in reply_findings(checker, reply, options) {
            out.push(locate(library, i, reply, &finding, &context));
        }
    }
    out
}

/// The findings of a whole library from those of [`lint_replies`] over all its replies: the
/// file's problems added, suppressions applied, sorted by place.
pub fn finish_lint(
    checker: &Checker,
    library: &ReplyLibrary,
    found: Vec<LintFinding>,
) -> Vec<LintFinding> {
    let mut out = Vec::with_capacity(library.problems.len() + found.len());
    for problem in &library.problems {
        out.push(meta(
            library,
            "lint.unreadable",
            format!("cannot read {}: {}", library.path, problem.message),
            problem.span.clone(),
            problem.message.clone(),
        ));
    }
    out.extend(found);
    suppress(checker, library, &mut out);
    out.sort_by(|a, b| (a.span.start, &a.rule).cmp(&(b.span.start, &b.rule)));
    out
}

/// What [`fix`] did to a library file.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Fixed {
    /// The file's new text.
    pub source: String,
    /// How many edits it holds.
    pub applied: usize,
    /// Findings whose fix was left out: it overlapped another fix (a second run applies it),
    /// or it would have left a finding it was meant to remove, or made a new one.
    pub refused: Vec<usize>,
}

/// Applies the fixes of `findings` (from [`lint`] of `library`) that `wanted` accepts, and
/// only those that do what a fix must: the text outside the replaced hits stays byte for byte,
/// and linting the result reports neither the fixed findings nor any finding, of any rule or
/// about the file, that was not there before. A reply whose fixes fail that test keeps its
/// text, and its findings are listed in [`Fixed::refused`].
pub fn fix(
    checker: &Checker,
    library: &ReplyLibrary,
    findings: &[LintFinding],
    options: &LintOptions,
    wanted: impl Fn(&LintFinding) -> bool,
) -> Fixed {
    let mut chosen: Vec<usize> = (0..findings.len())
        .filter(|&i| {
            let f = &findings[i];
            f.suppressed.is_none() && f.fix.is_some() && f.reply.is_some() && wanted(f)
        })
        .collect();
    let mut refused = Vec::new();
    loop {
        let (source, applied) = apply_edits(
            &library.source,
            chosen.iter().filter_map(|&i| findings[i].fix.as_ref()),
        );
        if applied == 0 {
            refused.extend(chosen);
            refused.sort_unstable();
            return Fixed {
                source: library.source.clone(),
                applied: 0,
                refused,
            };
        }
        // Edits skipped for overlapping wait for the next run.
        let skipped = skipped_edits(findings, &chosen);
        let after = ReplyLibrary::parse(&library.path, source, library.format);
        let fixed: Vec<usize> = chosen
            .iter()
            .copied()
            .filter(|i| !skipped.contains(i))
            .collect();
        let linted = lint(checker, &after, options);
        let worse = worse_replies((library, findings), &fixed, (&after, &linted));
        match worse {
            None => {
                refused.extend(skipped);
                refused.sort_unstable();
                return Fixed {
                    source: after.source,
                    applied,
                    refused,
                };
            }
            // The file's structure changed: no fix is trusted.
            Some(Worse::File) => {
                refused.append(&mut chosen);
            }
            Some(Worse::Replies(replies)) => {
                let (out, keep): (Vec<usize>, Vec<usize>) = chosen
                    .iter()
                    .partition(|&&i| findings[i].reply.is_some_and(|r| replies.contains(&r)));
                if out.is_empty() {
                    // Worse where nothing was fixed: the edits reach past their replies.
                    refused.append(&mut chosen);
                } else {
                    refused.extend(out);
                    chosen = keep;
                }
            }
        }
    }
}

/// The chosen findings whose edits [`apply_edits`] skips, for overlapping one before them.
fn skipped_edits(findings: &[LintFinding], chosen: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = chosen.to_vec();
    order.sort_by_key(|&i| {
        let span = &findings[i]
            .fix
            .as_ref()
            .map(|e| e.span.clone())
            .unwrap_or_default();
        (span.start, span.end)
    });
    let mut at = 0;
    let mut skipped = Vec::new();
    for i in order {
        let Some(edit) = &findings[i].fix else {
            continue;
        };
        if edit.span.start < at {
            skipped.push(i);
        } else {
            at = edit.span.end;
        }
    }
    skipped
}

enum Worse {
    File,
    Replies(Vec<usize>),
}

/// Where linting the fixed file finds more than it should: findings of a rule in a reply that
/// outnumber those before less the ones fixed there, or a change in the file's replies.
fn worse_replies(
    before: (&ReplyLibrary, &[LintFinding]),
    fixed: &[usize],
    after: (&ReplyLibrary, &[LintFinding]),
) -> Option<Worse> {
    use std::collections::HashMap;
    if after.0.replies.len() != before.0.replies.len()
        || after.0.problems.len() > before.0.problems.len()
    {
        return Some(Worse::File);
    }
    let tally = |findings: &[LintFinding]| {
        let mut n: HashMap<(Option<usize>, Arc<str>), isize> = HashMap::new();
        for f in findings.iter().filter(|f| f.suppressed.is_none()) {
            *n.entry((f.reply, f.rule.clone())).or_default() += 1;
        }
        n
    };
    let mut allowed = tally(before.1);
    for &i in fixed {
        let f = &before.1[i];
        *allowed.entry((f.reply, f.rule.clone())).or_default() -= 1;
    }
    let mut worse: Vec<usize> = Vec::new();
    for (key, n) in tally(after.1) {
        if n > allowed.get(&key).copied().unwrap_or(0) {
            match key.0 {
                Some(reply) => worse.push(reply),
                None => return Some(Worse::File),
            }
        }
    }
    if worse.is_empty() {
        return None;
    }
    worse.sort_unstable();
    worse.dedup();
    Some(Worse::Replies(worse))
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
    let fix = finding.fix.as_ref().and_then(|fix| {
        let text = reply.encode(&fix.replacement)?;
        // Each hit is replaced on its own, and only where the file holds it as written.
        let replacements = fix
            .byte_spans
            .iter()
            .map(|&(s, e)| {
                reply
                    .is_verbatim(&library.source, s..e)
                    .then(|| Replacement {
                        span: reply.file_span(s..e),
                        text: text.clone(),
                    })
            })
            .collect::<Option<Vec<_>>>()?;
        Edit::new(replacements, fix.replacement.clone(), fix.safe)
    });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replies::LibraryFormat;

    /// `source` read as `format` and linted with the built-in pack.
    pub(super) fn run(source: &str, format: LibraryFormat) -> (ReplyLibrary, Vec<LintFinding>) {
        let checker = Checker::builtin().expect("compiles");
        let lib = ReplyLibrary::parse("r", source.to_string(), format);
        let findings = lint(&checker, &lib, &LintOptions::default());
        (lib, findings)
    }

    pub(super) fn ids(findings: &[LintFinding]) -> Vec<(&str, bool)> {
        findings
            .iter()
            .map(|f| (&*f.rule, f.suppressed.is_some()))
            .collect()
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

    /// Linting a library in ranges of replies (as the command line does, a range per task)
    /// and joining them gives what linting it whole gives, suppressions included.
    #[test]
    fn ranges_joined_are_the_whole() {
        let checker = Checker::builtin().expect("compiles");
        let options = LintOptions::default();
        let mut findings = 0;
        for entry in std::fs::read_dir("tests/cmd/fixtures/lint").expect("the lint fixtures") {
            let path = entry.expect("an entry").path();
            let source = std::fs::read_to_string(&path).expect("reads");
            let format = LibraryFormat::from_path(&path).expect("a library format");
            let lib = ReplyLibrary::parse(&path.to_string_lossy(), source, format);
            let whole = lint(&checker, &lib, &options);
            findings += whole.len();
            for size in [1, 2, 5] {
                let found = (0..lib.replies.len())
                    .step_by(size)
                    .flat_map(|start| lint_replies(&checker, &lib, start..start + size, &options))
                    .collect();
                let joined = finish_lint(&checker, &lib, found);
                let key = |f: &LintFinding| {
                    (
                        f.rule.clone(),
                        f.span.clone(),
                        f.suppressed.clone(),
                        f.fingerprint.clone(),
                    )
                };
                assert_eq!(
                    whole.iter().map(key).collect::<Vec<_>>(),
                    joined.iter().map(key).collect::<Vec<_>>(),
                    "{} in ranges of {size}",
                    path.display()
                );
            }
        }
        assert!(findings > 10, "the fixtures have findings to compare");
    }
}
