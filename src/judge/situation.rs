//! Situations: when something happens in the conversation (the customer thanks, the agent
//! puts the customer on hold), the agent must (or must not) respond within a window.

use super::findings::Evaluation;
use super::findings::{CharCursor, na, obligation, transcript_finding, turn_finding};
use super::view::{Values, View};
use crate::finding::{Due, Evidence, Finding};
use crate::pack::rule::{Expect, Rule, Within};
use crate::transcript::Role;

/// The turns in which a trigger's response is looked for.
struct ResponseWindow {
    turns: Vec<usize>,
    /// Whether the window has closed (by turns, time, `until` or `before`), rather than
    /// being still open at the end of the turns so far.
    closed: bool,
    /// How many turns of the responding roles it holds after the trigger.
    responses: u32,
}

/// One trigger of a situation, as the response is judged against it.
struct Trigger<'v> {
    turn: usize,
    /// Where the trigger matched: (turn, start, end).
    hit: Option<(usize, usize, usize)>,
    time: Option<f64>,
    /// The values phrases may name: the agent, and what the trigger captured.
    values: Values<'v>,
}

impl View<'_> {
    pub(super) fn situation(&self, r: u32, rule: &Rule, out: &mut Evaluation) {
        let (Some(when), Some(_)) = (rule.when(), rule.then()) else {
            return;
        };
        let mut triggered = false;
        for t in self.trigger_candidates(r, rule) {
            if !self.holds(r, when, &[t], &self.values) {
                continue;
            }
            triggered = true;
            let trigger = Trigger {
                turn: t,
                hit: self.first_hit(r, when, &[t], &self.values),
                time: self.time(t),
                values: self.trigger_values(r, t),
            };
            if rule.within().seconds.is_some() && trigger.time.is_none() {
                if self.complete {
                    out.not_applicable.push(na(
                        rule,
                        "its window is in seconds, and the turns carry no times",
                    ));
                }
                return;
            }
            let window = self.response_window(rule, &trigger);
            self.judge_response(r, rule, &trigger, &window, out);
        }
        if !triggered && self.complete {
            out.not_applicable
                .push(na(rule, "what triggers it never happened"));
        }
    }

    /// The turns that may trigger the rule. A trigger needs a hit of one of `when`'s positive
    /// leaves, so only turns with one are looked at (unless a leaf names a value, which no
    /// scan finds).
    fn trigger_candidates(&self, r: u32, rule: &Rule) -> Vec<usize> {
        let positive = &self.engine.trigger_leaves[r as usize];
        if positive.iter().any(|&i| !rule.leaves[i].dynamic.is_empty()) {
            return (0..self.transcript.turns.len()).collect();
        }
        let mut turns: Vec<usize> = positive
            .iter()
            .flat_map(|&i| self.turns_with(self.target(r, i)))
            .collect();
        turns.sort_unstable();
        turns.dedup();
        turns
    }

    /// The values the response's phrases may name: the agent's, and those the trigger's
    /// patterns captured in turn `t`, such as a surname.
    fn trigger_values(&self, r: u32, t: usize) -> Values<'_> {
        let mut values = self.values.clone();
        let captures = &self.scans[t].captures;
        for &i in &self.engine.trigger_leaves[r as usize] {
            let target = self.target(r, i);
            for capture in captures.iter().filter(|c| c.target == target) {
                if !values.iter().any(|(name, _)| *name == &*capture.name) {
                    values.push((&capture.name, &capture.value));
                }
            }
        }
        values
    }

    /// The window of `within` around a trigger.
    fn response_window(&self, rule: &Rule, trigger: &Trigger<'_>) -> ResponseWindow {
        let within = rule.within();
        let respond_roles = rule.roles();
        let t = trigger.turn;
        let mut window = ResponseWindow {
            turns: Vec::new(),
            closed: false,
            responses: 0,
        };
        if let Some(n) = within.before {
            let of_roles = self.turns_of(respond_roles);
            let earlier = &of_roles[..of_roles.partition_point(|&u| u < t)];
            window
                .turns
                .extend(&earlier[earlier.len().saturating_sub(n as usize)..]);
            window.turns.push(t);
            window.closed = true;
            return window;
        }
        if within.include_trigger_turn {
            window.turns.push(t);
        }
        let deadline = within.seconds.zip(trigger.time).map(|(s, at)| at + s);
        if within.turns == Some(0) {
            window.closed = true;
        } else {
            for u in t + 1..self.transcript.turns.len() {
                let role = self.role(u);
                if within.until == Some(role) {
                    window.closed = true;
                    break;
                }
                if let (Some(deadline), Some(at)) = (deadline, self.time(u)) {
                    if at > deadline {
                        window.closed = true;
                        break;
                    }
                }
                window.turns.push(u);
                if respond_roles.contains(role) {
                    window.responses += 1;
                    if within.turns.is_some_and(|n| window.responses >= n) {
                        window.closed = true;
                        break;
                    }
                }
            }
        }
        if !window.closed
            && within.turns.is_none()
            && within.seconds.is_none()
            && within.until.is_none()
            && !within.rest
        {
            // Only the trigger's own turn.
            window.closed = true;
        }
        window
    }

    /// Whether the response happened (or, for `expect = "absent"`, did not) in the window: a
    /// finding when that is final, an obligation while the window is still open.
    fn judge_response(
        &self,
        r: u32,
        rule: &Rule,
        trigger: &Trigger<'_>,
        window: &ResponseWindow,
        out: &mut Evaluation,
    ) {
        let Some(then) = rule.then() else {
            return;
        };
        let within = rule.within();
        let respond_roles = rule.roles();
        let t = trigger.turn;
        let found = self.holds(r, then, &window.turns, &trigger.values);
        let range = window
            .turns
            .first()
            .zip(window.turns.last())
            .map(|(a, b)| [*a, *b]);
        // For evidence; formatted only when there is a finding.
        let described = || {
            let quoted = trigger
                .hit
                .map(|(turn, s, e)| format!(" (“{}”)", &self.transcript.turns[turn].text[s..e]))
                .unwrap_or_default();
            format!("turn {}{quoted}", t + 1)
        };
        let looked = || match range {
            Some([a, b]) if a == b => format!("turn {}", a + 1),
            Some([a, b]) => format!("turns {}–{}", a + 1, b + 1),
            None => "no turn".to_string(),
        };
        let due = || {
            due_for(
                within,
                respond_roles.iter().next().unwrap_or(Role::Agent),
                window.responses,
                trigger.time,
            )
        };
        match rule.expect() {
            Expect::Present => {
                if found {
                    return;
                }
                let no_response = window.turns.iter().all(|&u| {
                    (u == t && !within.include_trigger_turn)
                        || !respond_roles.contains(self.role(u))
                });
                if window.closed || self.complete {
                    // A window closed by `until` or by time before any response is a miss;
                    // one the end of the conversation cut short before anyone could respond
                    // is not.
                    if !window.closed && no_response {
                        return;
                    }
                    let mut f = self.trigger_finding(rule, t, trigger.hit);
                    f.evidence = Some(Evidence {
                        detail: format!(
                            "triggered at {}; the response was not found in {}",
                            described(),
                            looked()
                        ),
                        turns: range,
                        waited: None,
                        limit: None,
                    });
                    out.findings.push((r, f));
                } else {
                    out.obligations.push(obligation(rule, Some(t), due()));
                }
            }
            Expect::Absent => {
                if found {
                    let at = self.first_hit(r, then, &window.turns, &trigger.values);
                    let mut f = match at {
                        Some((turn, s, e)) => {
                            let text = &self.transcript.turns[turn].text;
                            let mut f =
                                turn_finding(rule, turn, text, s, e, &mut CharCursor::default());
                            f.time = self.time(turn);
                            f
                        }
                        None => self.trigger_finding(rule, t, trigger.hit),
                    };
                    f.evidence = Some(Evidence {
                        detail: format!("triggered at {}; found in {}", described(), looked()),
                        turns: range,
                        waited: None,
                        limit: None,
                    });
                    out.findings.push((r, f));
                } else if !(window.closed || self.complete) {
                    let mut o = obligation(rule, Some(t), due());
                    o.avoid = true;
                    out.obligations.push(o);
                }
            }
        }
    }

    fn trigger_finding(
        &self,
        rule: &Rule,
        t: usize,
        trigger: Option<(usize, usize, usize)>,
    ) -> Finding {
        let mut f = match trigger {
            Some((turn, s, e)) => {
                let text = &self.transcript.turns[turn].text;
                turn_finding(rule, turn, text, s, e, &mut CharCursor::default())
            }
            None => {
                let mut f = transcript_finding(rule);
                f.turn = Some(t);
                f
            }
        };
        f.time = self.time(t);
        f
    }
}

fn due_for(within: &Within, role: Role, responses: u32, trigger_time: Option<f64>) -> Due {
    if let (Some(s), Some(at)) = (within.seconds, trigger_time) {
        return Due::At { seconds: at + s };
    }
    if let Some(n) = within.turns {
        return Due::Turns {
            role,
            count: n.saturating_sub(responses),
        };
    }
    if let Some(role) = within.until {
        return Due::Before { role };
    }
    Due::End
}
