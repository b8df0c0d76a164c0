//! What checking produces: findings, and a report with the score.

use std::sync::Arc;

use serde::Serialize;

use crate::pack::rule::Severity;

/// One thing a rule found: where, what was said, what it costs and what to say instead.
///
/// Turn-level findings point into one turn's text. Transcript-level findings, such as a missing
/// greeting, have no turn and no span.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// The id of the rule.
    pub rule: Arc<str>,
    /// How serious it is.
    pub severity: Severity,
    /// The points this finding deducts, after the rule's cap.
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
}

/// The result of checking one transcript.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// The transcript's id.
    pub id: String,
    /// Full marks minus every deduction, never below zero.
    pub score: u32,
    /// No fatal finding, and a score at or above the pass mark.
    pub passed: bool,
    /// Every finding: turn-level ones in the order of the conversation, then transcript-level
    /// ones.
    pub findings: Vec<Finding>,
}
