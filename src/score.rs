//! Scoring: deductions with each rule's cap and per-transcript setting, the scorecard's
//! dimensions and their caps, fatal items, eligibility, and the ledger that shows every
//! deduction with its evidence.

use std::fmt::Write;

use crate::engine::Engine;
use crate::finding::{DimensionScore, Finding, LedgerEntry, Report};
use crate::judge::Evaluation;
use crate::pack::rule::{ChannelSet, Per, Severity};
use crate::text::clock;
use crate::transcript::{Role, Transcript};

/// Turns an evaluation into a report; with `with_ledger` off, the ledger is left empty.
pub(crate) fn report(
    engine: &Engine,
    transcript: &Transcript,
    evaluation: Evaluation,
    with_ledger: bool,
) -> Report {
    let Evaluation {
        mut findings,
        mut not_applicable,
        obligations: _,
        tolerant,
    } = evaluation;
    // Turn-level findings in the order of the conversation, then transcript-level ones.
    findings.sort_by_key(|(r, f)| (f.turn.is_none(), f.turn, f.byte_start, *r));
    not_applicable.sort_by(|a, b| a.rule.cmp(&b.rule));

    let scoring = &engine.scoring;
    let not_scored = scoring.eligibility.and_then(|e| {
        // Limited to some channels, the minimum applies only to transcripts known to be on
        // one of them.
        let applies = e.channels == ChannelSet::ALL
            || transcript.channel.is_some_and(|c| e.channels.contains(c));
        if !applies {
            return None;
        }
        let turns = transcript
            .turns
            .iter()
            .filter(|t| matches!(t.role, Role::Agent | Role::Customer) && !t.text.trim().is_empty())
            .count();
        (turns < e.min_turns as usize).then(|| {
            format!(
                "{turns} agent and customer turn{}; at least {} are needed to score",
                if turns == 1 { "" } else { "s" },
                e.min_turns
            )
        })
    });
    if let Some(reason) = not_scored {
        for (_, f) in &mut findings {
            f.deduct = 0;
        }
        return Report {
            id: transcript.id.clone(),
            agent: transcript.agent.clone(),
            channel: transcript.channel,
            started_at: transcript.started_at,
            score: None,
            passed: None,
            findings: findings.into_iter().map(|(_, f)| f).collect(),
            dimensions: Vec::new(),
            not_applicable,
            ledger: Vec::new(),
            not_scored: Some(reason),
            tolerant,
        };
    }

    let mut taken = vec![0u32; engine.rules.len()];
    let mut counted = vec![false; engine.rules.len()];
    let mut dimension_taken = vec![0u32; scoring.dimensions.len()];
    let mut total: u64 = 0;
    let mut fatal = false;
    let mut ledger = Vec::new();
    for (r, finding) in &mut findings {
        let rule = &engine.rules[*r as usize];
        let wanted = finding.deduct;
        let mut points = wanted;
        let mut notes = Vec::new();
        if rule.per() == Per::Transcript && counted[*r as usize] {
            points = 0;
            if with_ledger {
                notes.push("the rule deducts once per transcript".to_string());
            }
        }
        let cap = rule.max_deduct().unwrap_or(u32::MAX);
        let room = cap.saturating_sub(taken[*r as usize]);
        if points > room {
            points = room;
            if with_ledger {
                notes.push(format!("the rule's cap of {cap} is reached"));
            }
        }
        let dimension = &engine.rule_dimensions[*r as usize];
        if let Some((d, _)) = *dimension {
            let room = scoring.dimensions[d].max.saturating_sub(dimension_taken[d]);
            if points > room {
                points = room;
                if with_ledger {
                    notes.push(format!(
                        "the dimension {} has no points left",
                        scoring.dimensions[d].name
                    ));
                }
            }
            dimension_taken[d] += points;
        }
        counted[*r as usize] = true;
        taken[*r as usize] += points;
        total += u64::from(points);
        finding.deduct = points;
        fatal |= finding.severity == Severity::Fatal;
        if with_ledger && (wanted > 0 || finding.severity == Severity::Fatal) {
            let balance = u64::from(scoring.full_marks).saturating_sub(total) as u32;
            let mut detail = describe(transcript, finding);
            if finding.severity == Severity::Fatal {
                detail.push_str("; fatal: the transcript fails whatever its score");
            }
            for note in notes {
                detail.push_str("; ");
                detail.push_str(&note);
            }
            ledger.push(LedgerEntry {
                rule: finding.rule.clone(),
                dimension: dimension.as_ref().map(|(_, name)| name.clone()),
                points,
                balance,
                turn: finding.turn,
                start: finding.start,
                end: finding.end,
                time: finding.time,
                text: finding.text.clone(),
                detail,
            });
        }
    }
    let score = u64::from(scoring.full_marks).saturating_sub(total) as u32;
    let dimensions = scoring
        .dimensions
        .iter()
        .zip(&dimension_taken)
        .map(|(d, &taken)| DimensionScore {
            name: d.name.clone(),
            max: d.max,
            deducted: taken,
            subtotal: d.max - taken.min(d.max),
        })
        .collect();
    Report {
        id: transcript.id.clone(),
        agent: transcript.agent.clone(),
        channel: transcript.channel,
        started_at: transcript.started_at,
        score: Some(score),
        passed: Some(!fatal && score >= scoring.pass_mark),
        findings: findings.into_iter().map(|(_, f)| f).collect(),
        dimensions,
        not_applicable,
        ledger,
        not_scored: None,
        tolerant,
    }
}

/// The ledger's sentence for a finding.
fn describe(transcript: &Transcript, f: &Finding) -> String {
    if let Some(evidence) = &f.evidence {
        return evidence.detail.clone();
    }
    match (f.turn, &f.text) {
        (Some(t), Some(text)) => {
            let mut detail = String::with_capacity(text.len() + 32);
            let _ = write!(detail, "turn {}", t + 1);
            if let Some(s) = transcript.turns.get(t).and_then(|turn| turn.time) {
                let _ = write!(detail, " at {}", clock(s));
            }
            let _ = write!(detail, ": “{text}”");
            detail
        }
        _ => "across the whole transcript".to_string(),
    }
}
