//! What checking produces: findings, and a report with the score, the dimension subtotals and
//! the ledger of deductions, and what a live session says the agent still owes.

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;

use crate::pack::rule::Severity;
use crate::transcript::{Channel, Role};

/// One thing a rule found: where, what was said, what it costs and what to say instead.
///
/// Turn-level findings point into one turn's text. Transcript-level findings, such as a missing
/// greeting, have no turn and no span. A finding of a `situation` rule points at what
/// triggered it (the customer's 谢谢); one of a `timing` rule at the turn that waited.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// The id of the rule.
    pub rule: Arc<str>,
    /// How serious it is.
    pub severity: Severity,
    /// The points this finding deducts, after the rule's and the dimension's caps.
    pub deduct: u32,
    /// The 0-based index of the turn, or `None` for a transcript-level finding.
    pub turn: Option<usize>,
    /// Start of the hit, in characters (Unicode scalar values) into the original turn text.
    pub start: Option<usize>,
    /// End of the hit (exclusive), in characters.
    pub end: Option<usize>,
    /// Start of the hit, in bytes of the UTF-8 turn text.
    pub byte_start: Option<usize>,
    /// End of the hit (exclusive), in bytes.
    pub byte_end: Option<usize>,
    /// The hit, exactly as it appears in the turn.
    pub text: Option<String>,
    /// What is wrong.
    pub message: Arc<str>,
    /// What to say instead, where the standard gives a script.
    pub suggest: Option<Arc<str>>,
    /// The document and clause of the standard the rule comes from.
    pub source: Option<Arc<str>>,
    /// The time of the turn, in seconds from the start, when turns carry times.
    pub time: Option<f64>,
    /// For conversation rules: what was looked at, and why it fell short.
    pub evidence: Option<Evidence>,
    /// The approved wording that replaces the hit, when the rule gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    /// How the words were matched: `exact`, or `normalized` when folding (width, case,
    /// traditional characters, separators) was needed; absent for transcript-level findings.
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    pub matched: Option<Match>,
}

/// A replacement for a hit: the rule's `replace` wording.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Fix {
    /// The wording that replaces the hit.
    pub replacement: Arc<str>,
    /// Whether it may be applied without a person looking at it.
    pub safe: bool,
    /// The byte spans of the turn text that the wording replaces, one per hit, in order and
    /// disjoint. A finding that merges two hits (你好，你好) replaces each, and keeps what lies
    /// between them. In JSON it is written only for such a finding: for one hit it is the
    /// finding's own `byte_start`..`byte_end`.
    #[serde(skip_serializing_if = "one_span")]
    pub byte_spans: Vec<(usize, usize)>,
}

fn one_span(spans: &[(usize, usize)]) -> bool {
    spans.len() <= 1
}

/// Why a conversation rule reported a finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Evidence {
    /// One line for a reviewer: what happened, what was looked for, and where.
    pub detail: String,
    /// The first and last turn looked at (0-based, inclusive).
    pub turns: Option<[usize; 2]>,
    /// For timing rules: how long the customer waited, in seconds.
    pub waited: Option<f64>,
    /// For timing rules: the limit that applied, in seconds.
    pub limit: Option<f64>,
}

/// A rule that had nothing to judge in a transcript: its trigger never happened, the turns
/// carry no times, or no turn of its roles was there. It neither deducts nor counts as met.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NotApplicable {
    /// The rule's id.
    pub rule: Arc<str>,
    /// Why it does not apply.
    pub reason: Cow<'static, str>,
}

/// One scorecard dimension's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DimensionScore {
    /// The dimension's name, such as 服务态度.
    pub name: String,
    /// Its points.
    pub max: u32,
    /// The points deducted against it (at most `max`).
    pub deducted: u32,
    /// `max - deducted`.
    pub subtotal: u32,
}

/// One line of the ledger: a deduction, with its evidence and the score after it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct LedgerEntry {
    /// The rule's id.
    pub rule: Arc<str>,
    /// The dimension it counts against, if the pack has a scorecard.
    pub dimension: Option<Arc<str>>,
    /// Points deducted (0 when a cap already took the rule's or the dimension's share).
    pub points: u32,
    /// The score after this entry.
    pub balance: u32,
    /// The turn, span and time of the evidence.
    pub turn: Option<usize>,
    /// Start of the evidence, in characters.
    pub start: Option<usize>,
    /// End of the evidence, in characters.
    pub end: Option<usize>,
    /// Seconds from the start.
    pub time: Option<f64>,
    /// The words, as written.
    pub text: Option<String>,
    /// What was found or missed, in a sentence.
    pub detail: String,
}

/// How a phrase was found in a turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Match {
    /// The words as the rule lists them.
    Exact,
    /// The words once the text was normalized (全角, 繁體, 不 知 道).
    Normalized,
    /// Tolerantly, in a speech-recognition transcript: fillers skipped, a character or two
    /// dropped or misheard.
    Tolerant,
}

/// A required script that an ASR transcript has only tolerantly: a QA lead may want to
/// listen to the call.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TolerantMatch {
    /// The rule the script satisfies.
    pub rule: Arc<str>,
    /// The 0-based index of the turn.
    pub turn: usize,
    /// The words heard, as transcribed (normalized as the rule's phrases are).
    pub text: String,
    /// How many characters differ from the nearest phrase of the rule.
    pub edits: usize,
    /// How it matched: always `tolerant`.
    #[serde(rename = "match")]
    pub matched: Match,
}

/// The result of checking one transcript.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// The transcript's id.
    pub id: String,
    /// The transcript's agent, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// The transcript's channel, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// When the conversation started, if its turns carried timestamps; in JSON, RFC 3339 in
    /// UTC (`2024-05-21T02:00:00Z`).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "rfc3339")]
    pub started_at: Option<jiff::Timestamp>,
    /// Full marks minus every deduction, never below zero; `None` when the transcript is not
    /// eligible for scoring.
    pub score: Option<u32>,
    /// No fatal finding, and a score at or above the pass mark; `None` when not scored.
    pub passed: Option<bool>,
    /// Every finding: turn-level ones in the order of the conversation, then transcript-level
    /// ones.
    pub findings: Vec<Finding>,
    /// Each scorecard dimension's subtotal, when the pack has a scorecard.
    pub dimensions: Vec<DimensionScore>,
    /// Rules that had nothing to judge, with the reason.
    pub not_applicable: Vec<NotApplicable>,
    /// Every deduction, in order, with its evidence and the running score; empty from
    /// [`Checker::check_without_ledger`](crate::Checker::check_without_ledger).
    pub ledger: Vec<LedgerEntry>,
    /// Why the transcript was not scored, if it was not (too short, say).
    pub not_scored: Option<String>,
    /// Required scripts an ASR transcript has only tolerantly.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tolerant: Vec<TolerantMatch>,
}

fn rfc3339<S: serde::Serializer>(
    at: &Option<jiff::Timestamp>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => serializer.collect_str(at),
        None => serializer.serialize_none(),
    }
}

/// When an obligation falls due.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Due {
    /// Within the next `count` turns of `role` (`count` 1: in the next reply).
    Turns {
        /// Whose turns.
        role: Role,
        /// How many more of them.
        count: u32,
    },
    /// Before the next turn of `role`.
    Before {
        /// Whose turn closes the window.
        role: Role,
    },
    /// By this time, in seconds from the start.
    At {
        /// Seconds from the start of the conversation.
        seconds: f64,
    },
    /// Before the conversation ends.
    End,
}

/// Something the agent still owes: say (or, with `avoid`, do not say) what a rule asks, by a
/// deadline. It becomes a finding only if the deadline passes unmet.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Obligation {
    /// The rule's id.
    pub rule: Arc<str>,
    /// The rule's message: what is expected.
    pub message: Arc<str>,
    /// The script to use, where the standard gives one.
    pub suggest: Option<Arc<str>>,
    /// The turn that created the obligation (the customer's 谢谢), if one did.
    pub turn: Option<usize>,
    /// When it falls due.
    pub due: Due,
    /// The rule forbids something in the window rather than asking for it.
    pub avoid: bool,
}
