//! Response times: how long a customer waited for the agent's reply, with announced holds
//! given their own limit.

use super::findings::Evaluation;
use super::findings::{CharCursor, na, obligation, transcript_finding, turn_finding};
use super::view::View;
use crate::finding::{Due, Evidence};
use crate::pack::rule::{Measure, Rule};
use crate::text::{clock, duration};
use crate::transcript::Role;

/// One wait that ran over its limit, as a finding reports it.
struct LateReply<'a> {
    /// The turn that waited (the customer's message, or the hold announcement).
    waited_turn: usize,
    /// Where in it, when the wait starts at a phrase (the hold announcement).
    span: Option<(usize, usize)>,
    /// The turn that ended the wait.
    reply: usize,
    waited: f64,
    allowed: f64,
    /// Who waited: "the customer" or "the hold".
    what: &'a str,
    /// When the hold that extended the limit was announced.
    hold: Option<f64>,
}

/// Whether any wait could be measured; `None` when the rule does not apply at all, which
/// the measure has already said.
type Measured = Option<bool>;

impl View<'_> {
    pub(super) fn timing(&self, r: u32, rule: &Rule, out: &mut Evaluation) {
        if self.transcript.turns.iter().all(|t| t.time.is_none()) {
            if self.complete {
                out.not_applicable
                    .push(na(rule, "the turns carry no times"));
            }
            return;
        }
        let hold_target = rule
            .hold
            .map(|(leaf, limit)| (self.target(r, leaf), limit.unwrap_or(0.0)));
        let measured = match rule.measure() {
            Some(Measure::Reply) => self.reply_times(r, rule, hold_target, out),
            Some(Measure::FirstResponse) => self.first_response(r, rule, out),
            Some(Measure::HoldReturn) => self.hold_return(r, rule, hold_target, out),
            None => Some(false),
        };
        let Some(measured) = measured else {
            return;
        };
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

    /// Every customer message (the first of a run) until the agent's next turn; an announced
    /// hold extends the limit for the wait it falls in.
    fn reply_times(
        &self,
        r: u32,
        rule: &Rule,
        hold_target: Option<(u32, f64)>,
        out: &mut Evaluation,
    ) -> Measured {
        let limit = rule.limit();
        let mut measured = false;
        let mut waiting: Option<(usize, f64)> = None;
        let mut hold_since: Option<f64> = None;
        for (u, turn) in self.transcript.turns.iter().enumerate() {
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
                            let late = LateReply {
                                waited_turn: w,
                                span: None,
                                reply: u,
                                waited: at - since,
                                allowed,
                                what: "the customer",
                                hold: extended,
                            };
                            self.late(r, rule, &late, out);
                        }
                    }
                    let announced =
                        hold_target.is_some_and(|(target, _)| !self.hits(u, target).is_empty());
                    hold_since = announced.then_some(at);
                }
                Role::System | Role::Bot => {}
            }
        }
        if let Some((w, since)) = waiting {
            if !self.complete {
                let due = allowed_until(since, limit, hold_since, hold_target);
                out.obligations
                    .push(obligation(r, Some(w), Due::At { seconds: due }));
            }
        }
        Some(measured)
    }

    /// The customer's first message until the agent's first turn after it.
    fn first_response(&self, r: u32, rule: &Rule, out: &mut Evaluation) -> Measured {
        let turns = &self.transcript.turns;
        let limit = rule.limit();
        let first_customer = turns.iter().position(|t| t.role == Role::Customer);
        let first_agent = turns.iter().position(|t| t.role == Role::Agent);
        match (first_customer, first_agent) {
            (Some(c), Some(a)) if a < c => {
                if self.complete {
                    out.not_applicable.push(na(rule, "the agent spoke first"));
                }
                None
            }
            (Some(c), Some(a)) => {
                let (Some(since), Some(at)) = (turns[c].time, turns[a].time) else {
                    return Some(false);
                };
                if at - since > limit {
                    let late = LateReply {
                        waited_turn: c,
                        span: None,
                        reply: a,
                        waited: at - since,
                        allowed: limit,
                        what: "the customer",
                        hold: None,
                    };
                    self.late(r, rule, &late, out);
                }
                Some(true)
            }
            (Some(c), None) => {
                if let (false, Some(since)) = (self.complete, turns[c].time) {
                    out.obligations.push(obligation(
                        r,
                        Some(c),
                        Due::At {
                            seconds: since + limit,
                        },
                    ));
                }
                Some(false)
            }
            _ => Some(false),
        }
    }

    /// Each hold announcement until the agent's next turn.
    fn hold_return(
        &self,
        r: u32,
        rule: &Rule,
        hold_target: Option<(u32, f64)>,
        out: &mut Evaluation,
    ) -> Measured {
        let turns = &self.transcript.turns;
        let limit = rule.limit();
        let (target, _) = hold_target?;
        let mut measured = false;
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
                        let late = LateReply {
                            waited_turn: u,
                            span,
                            reply: v,
                            waited: at - since,
                            allowed: limit,
                            what: "the hold",
                            hold: None,
                        };
                        self.late(r, rule, &late, out);
                    }
                }
                None if !self.complete => {
                    out.obligations.push(obligation(
                        r,
                        Some(u),
                        Due::At {
                            seconds: since + limit,
                        },
                    ));
                }
                None => {}
            }
        }
        Some(measured)
    }

    /// The finding for a wait over its limit, with the times as evidence.
    fn late(&self, r: u32, rule: &Rule, late: &LateReply<'_>, out: &mut Evaluation) {
        let turns = &self.transcript.turns;
        let w = late.waited_turn;
        let mut f = match late.span {
            Some((s, e)) => turn_finding(rule, w, &turns[w].text, s, e, &mut CharCursor::default()),
            None => {
                let mut f = transcript_finding(rule);
                f.turn = Some(w);
                f
            }
        };
        f.time = turns[w].time;
        f.evidence = Some(Evidence {
            detail: format!(
                "{} waited {} (turn {} at {} → turn {} at {}); {}",
                late.what,
                duration(late.waited),
                w + 1,
                clock(turns[w].time.unwrap_or(0.0)),
                late.reply + 1,
                clock(turns[late.reply].time.unwrap_or(0.0)),
                match late.hold {
                    Some(at) => format!(
                        "the hold announced at {} allowed {} in all",
                        clock(at),
                        duration(late.allowed)
                    ),
                    None => format!("the limit is {}", duration(late.allowed)),
                }
            ),
            turns: Some([w, late.reply]),
            waited: Some(late.waited),
            limit: Some(late.allowed),
        });
        out.findings.push((r, f));
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
