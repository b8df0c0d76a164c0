//! Judging a conversation from the hits of its turns: forbidden words, required and courtesy
//! phrases, situations (when X happens, the agent must do Y within a window) and response
//! times.
//!
//! The same function judges a finished transcript and one still going on. For one still going
//! on (`complete = false`) it reports only findings that no later turn can change, and lists
//! what the agent still owes as obligations with their deadlines. A batch check is this
//! function with `complete = true`, so live and batch results cannot drift apart.
mod findings;
mod phrases;
mod situation;
#[cfg(test)]
mod tests;
mod timing;
mod view;

pub(crate) use findings::{CharCursor, Evaluation, drop_nested, merged, merged_finding};

use crate::engine::{Engine, Prenormalized, TurnScan};
use crate::pack::rule::{AsrMode, RuleKind};
use crate::transcript::Transcript;
use view::View;

/// Judges every rule that applies to the transcript's channel, from the hits of its turns.
pub(crate) fn evaluate(
    engine: &Engine,
    transcript: &Transcript,
    scans: &[TurnScan],
    complete: bool,
    prenormalized: Option<Prenormalized<'_>>,
) -> Evaluation {
    let view = View::new(engine, transcript, scans, complete, prenormalized);
    let mut out = Evaluation::default();
    for (r, rule) in engine.rules.iter().enumerate() {
        if !rule.channels().applies_to(transcript.channel) {
            continue;
        }
        if view.asr && rule.asr() == AsrMode::Off {
            if complete {
                out.not_applicable.push(crate::finding::NotApplicable {
                    rule: rule.id.clone(),
                    reason: "not judged on speech-recognition transcripts (`asr = \"off\"`)".into(),
                });
            }
            continue;
        }
        let r = r as u32;
        match rule.kind() {
            RuleKind::Forbidden => view.forbidden(r, rule, &mut out),
            RuleKind::Required | RuleKind::Courtesy => view.required(r, rule, &mut out),
            RuleKind::Situation => view.situation(r, rule, &mut out),
            RuleKind::Timing => view.timing(r, rule, &mut out),
        }
    }
    drop_nested(&mut out.findings, |r| {
        engine.rules[r as usize].kind() == RuleKind::Forbidden
    });
    out
}
