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
mod window;

pub(crate) use findings::{CharCursor, Evaluation, Owed, drop_nested, merged, merged_finding};
pub(crate) use view::{DynamicHits, DynamicStore, Reported};
pub(crate) use window::Windows;

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
    let view = View::new(
        engine,
        transcript,
        scans,
        complete,
        prenormalized,
        None,
        None,
    );
    let mut out = Evaluation::default();
    for r in 0..engine.rules.len() as u32 {
        judge_rule(&view, r, &mut out);
    }
    drop_nested(&mut out.findings, |r| {
        engine.rules[r as usize].kind() == RuleKind::Forbidden
    });
    out
}

/// What a live session keeps between turns, lent to judging.
pub(crate) struct Live<'a> {
    /// Each (target, turn) with a hit, sorted.
    pub(crate) index: &'a [(u32, u32)],
    /// Per rule, the first turn of what it owes, if it owes anything: a situation judges
    /// the triggers from there on, or only the new turn's (see `View::triggers_from`).
    pub(crate) first_owed: &'a [Option<usize>],
    pub(crate) dynamic: &'a DynamicHits,
    pub(crate) reported: &'a rustc_hash::FxHashSet<Reported>,
    pub(crate) windows: &'a std::cell::RefCell<Windows>,
    /// The turns of each set of roles (by `RoleSet::bits`).
    pub(crate) role_turns: &'a [Vec<usize>; 16],
}

/// What a live session judges after a turn is added: only the rules whose judgement the turn
/// can change. `dirty` gives them in pack order; forbidden rules judge the new turn only (what
/// they found in earlier turns was final when it was found), and situations the triggers
/// from the first that owes something (or the new turn's) on, in windows kept from the turns
/// before.
pub(crate) fn evaluate_turn(
    engine: &Engine,
    transcript: &Transcript,
    scans: &[TurnScan],
    live: &Live<'_>,
    dirty: impl Iterator<Item = u32>,
    mut each: impl FnMut(u32, &mut Evaluation),
) {
    let mut view = View::new(
        engine,
        transcript,
        scans,
        false,
        None,
        Some(live.index),
        Some(live.dynamic),
    );
    view.only_turn = transcript.turns.len().checked_sub(1);
    view.triggers_from = view.only_turn.map(|turn| (live.first_owed, turn));
    view.reported = Some(live.reported);
    view.windows = Some(live.windows);
    view.kept_role_turns = Some(live.role_turns);
    let mut forbidden = Evaluation::default();
    // One evaluation, emptied for each rule: `each` takes what it keeps.
    let mut out = Evaluation::default();
    for r in dirty {
        out.clear();
        judge_rule(&view, r, &mut out);
        if engine.rules[r as usize].kind() == RuleKind::Forbidden {
            forbidden.findings.append(&mut out.findings);
        }
        each(r, &mut out);
    }
    // Nested forbidden findings of the new turn, across rules, as a batch check drops them.
    drop_nested(&mut forbidden.findings, |_| true);
    each(u32::MAX, &mut forbidden);
}

/// Judges one rule, if it applies to the transcript's channel.
fn judge_rule(view: &View<'_>, r: u32, out: &mut Evaluation) {
    let engine = view.engine;
    let rule = &engine.rules[r as usize];
    if !rule.channels().applies_to(view.transcript.channel) {
        return;
    }
    if view.asr && rule.asr() == AsrMode::Off {
        if view.complete {
            out.not_applicable.push(crate::finding::NotApplicable {
                rule: rule.id.clone(),
                reason: "not judged on speech-recognition transcripts (`asr = \"off\"`)".into(),
            });
        }
        return;
    }
    match rule.kind() {
        RuleKind::Forbidden => view.forbidden(r, rule, out),
        RuleKind::Required | RuleKind::Courtesy => view.required(r, rule, out),
        RuleKind::Situation => view.situation(r, rule, out),
        RuleKind::Timing => view.timing(r, rule, out),
    }
}
