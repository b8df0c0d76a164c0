//! Response times: how long a customer waited for the agent's reply, with announced holds
//! given their own limit.

use super::findings::Evaluation;
use super::findings::{CharCursor, na, obligation, transcript_finding, turn_finding};
use super::view::View;
use crate::finding::{Due, Evidence};
use crate::pack::rule::{Measure, Rule};
use crate::text::{clock, duration};
use crate::transcript::Role;

impl View<'_> {
    pub(super) fn timing(&self, r: u32, rule: &Rule, out: &mut Evaluation) {
        let turns = &self.transcript.turns;
        if turns.iter().all(|t| t.time.is_none()) {
            if self.complete {
                out.not_applicable
                    .push(na(rule, "the turns carry no times"));
            }
            return;
        }
        let hold_target = rule
            .hold
            .map(|(leaf, limit)| (self.target(r, leaf), limit.unwrap_or(0.0)));
        let has_hold =
            |t: usize| hold_target.is_some_and(|(target, _)| !self.hits(t, target).is_empty());
        let limit = rule.limit();
        let mut measured = false;
        let report = |out: &mut Evaluation,
                      waited_turn: usize,
                      span: Option<(usize, usize)>,
                      reply: usize,
                      waited: f64,
                      allowed: f64,
                      what: &str,
                      hold: Option<f64>| {
            let mut f = match span {
                Some((s, e)) => turn_finding(
                    rule,
                    waited_turn,
                    &turns[waited_turn].text,
                    s,
                    e,
                    &mut CharCursor::default(),
                ),
                None => {
                    let mut f = transcript_finding(rule);
                    f.turn = Some(waited_turn);
                    f
                }
            };
            f.time = turns[waited_turn].time;
            f.evidence = Some(Evidence {
                detail: format!(
                    "{what} waited {} (turn {} at {} → turn {} at {}); {}",
                    duration(waited),
                    waited_turn + 1,
                    clock(turns[waited_turn].time.unwrap_or(0.0)),
                    reply + 1,
                    clock(turns[reply].time.unwrap_or(0.0)),
                    match hold {
                        Some(at) => format!(
                            "the hold announced at {} allowed {} in all",
                            clock(at),
                            duration(allowed)
                        ),
                        None => format!("the limit is {}", duration(allowed)),
                    }
                ),
                turns: Some([waited_turn, reply]),
                waited: Some(waited),
                limit: Some(allowed),
            });
            out.findings.push((r, f));
        };
        match rule.measure() {
            Some(Measure::Reply) => {
                let mut waiting: Option<(usize, f64)> = None;
                let mut hold_since: Option<f64> = None;
                for (u, turn) in turns.iter().enumerate() {
                    let Some(at) = turn.time else { continue };
                    match turn.role {
                        Role::Customer => {
                            if waiting.is_none() {
                                waiting = Some((u, at));
                            }
                        }
                        Role::Agent => {
                            if let Some((w, since)) = waiting.take() {
                                measured = true;
                                let until = allowed_until(since, limit, hold_since, hold_target);
                                let allowed = until - since;
                                let extended = (allowed > limit).then_some(hold_since).flatten();
                                if at - since > allowed {
                                    report(
                                        out,
                                        w,
                                        None,
                                        u,
                                        at - since,
                                        allowed,
                                        "the customer",
                                        extended,
                                    );
                                }
                            }
                            hold_since = has_hold(u).then_some(at);
                        }
                        Role::System | Role::Bot => {}
                    }
                }
                if let Some((w, since)) = waiting {
                    if !self.complete {
                        let due = allowed_until(since, limit, hold_since, hold_target);
                        out.obligations
                            .push(obligation(rule, Some(w), Due::At { seconds: due }));
                    }
                }
            }
            Some(Measure::FirstResponse) => {
                let first_customer = turns.iter().position(|t| t.role == Role::Customer);
                let first_agent = turns.iter().position(|t| t.role == Role::Agent);
                match (first_customer, first_agent) {
                    (Some(c), Some(a)) if a < c => {
                        if self.complete {
                            out.not_applicable.push(na(rule, "the agent spoke first"));
                        }
                        return;
                    }
                    (Some(c), Some(a)) => {
                        if let (Some(since), Some(at)) = (turns[c].time, turns[a].time) {
                            measured = true;
                            if at - since > limit {
                                report(out, c, None, a, at - since, limit, "the customer", None);
                            }
                        }
                    }
                    (Some(c), None) => {
                        if let (false, Some(since)) = (self.complete, turns[c].time) {
                            out.obligations.push(obligation(
                                rule,
                                Some(c),
                                Due::At {
                                    seconds: since + limit,
                                },
                            ));
                        }
                    }
                    _ => {}
                }
            }
            Some(Measure::HoldReturn) => {
                let Some((target, _)) = hold_target else {
                    return;
                };
                for (u, turn) in turns.iter().enumerate() {
                    if turn.role != Role::Agent || self.hits(u, target).is_empty() {
                        continue;
                    }
                    let Some(since) = turn.time else { continue };
                    let span = self.hits(u, target).first().map(|h| (h.start, h.end));
                    let back = (u + 1..turns.len()).find(|&v| turns[v].role == Role::Agent);
                    match back.and_then(|v| turns[v].time.map(|at| (v, at))) {
                        Some((v, at)) => {
                            measured = true;
                            if at - since > limit {
                                report(out, u, span, v, at - since, limit, "the hold", None);
                            }
                        }
                        None if !self.complete => {
                            out.obligations.push(obligation(
                                rule,
                                Some(u),
                                Due::At {
                                    seconds: since + limit,
                                },
                            ));
                        }
                        None => {}
                    }
                }
            }
            None => {}
        }
        if !measured && self.complete {
            let reason = match rule.measure() {
                Some(Measure::HoldReturn) => "no hold announcement was followed by an agent turn",
                Some(Measure::FirstResponse) => "no customer message was answered",
                _ => "no customer message was answered",
            };
            if !out.findings.iter().any(|(fr, _)| *fr == r) {
                out.not_applicable.push(na(rule, reason));
            }
        }
    }
}

/// When a customer message waiting since `since` must be answered: the reply limit, or, when
/// the agent announced a hold, the hold's own limit if that is later.
fn allowed_until(since: f64, limit: f64, hold_since: Option<f64>, hold: Option<(u32, f64)>) -> f64 {
    match (hold_since, hold) {
        (Some(h), Some((_, hold_limit))) => (since + limit).max(h + hold_limit),
        _ => since + limit,
    }
}
