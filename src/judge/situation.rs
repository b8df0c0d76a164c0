//! Situations: when something happens in the conversation (the customer thanks, the agent
//! puts the customer on hold), the agent must (or must not) respond within a window.

use super::findings::Evaluation;
use super::findings::{CharCursor, na, obligation, transcript_finding, turn_finding};
use super::view::View;
use crate::finding::{Due, Evidence, Finding};
use crate::pack::rule::{Expect, Rule};
use crate::transcript::Role;

impl View<'_> {
    pub(super) fn situation(&self, r: u32, rule: &Rule, out: &mut Evaluation) {
        let (Some(when), Some(then)) = (rule.when(), rule.then()) else {
            return;
        };
        let within = rule.within();
        let respond_roles = rule.roles();
        let mut triggered = false;
        let base = &self.values;
        // A trigger needs a hit of one of `when`'s positive leaves, so only turns with one are
        // looked at (unless a leaf names a value, which no scan finds).
        let positive = &self.c.trigger_leaves[r as usize];
        let dynamic = positive.iter().any(|&i| !rule.leaves[i].dynamic.is_empty());
        let candidates: Vec<usize> = if dynamic {
            (0..self.transcript.turns.len()).collect()
        } else {
            let mut turns: Vec<usize> = positive
                .iter()
                .flat_map(|&i| self.turns_with(self.target(r, i)))
                .collect();
            turns.sort_unstable();
            turns.dedup();
            turns
        };
        for t in candidates {
            let one = [t];
            if !self.holds(r, when, &one, base) {
                continue;
            }
            let mut values = base.clone();
            let captures = &self.scans[t].captures;
            triggered = true;
            let trigger = self.first_hit(r, when, &one, &values);
            // Values the trigger captured, such as a surname.
            for &i in positive {
                let target = self.target(r, i);
                for capture in captures.iter().filter(|c| c.target == target) {
                    if !values.iter().any(|(name, _)| *name == &*capture.name) {
                        values.push((&capture.name, &capture.value));
                    }
                }
            }
            let trigger_time = self.time(t);
            if within.seconds.is_some() && trigger_time.is_none() {
                if self.complete {
                    out.not_applicable.push(na(
                        rule,
                        "its window is in seconds, and the turns carry no times",
                    ));
                }
                return;
            }

            // The window.
            let mut window = Vec::new();
            let mut closed = false;
            let mut responses = 0u32;
            if let Some(n) = within.before {
                let of_roles = self.turns_of(respond_roles);
                let earlier = &of_roles[..of_roles.partition_point(|&u| u < t)];
                window.extend(&earlier[earlier.len().saturating_sub(n as usize)..]);
                window.push(t);
                closed = true;
            } else {
                if within.include_trigger_turn {
                    window.push(t);
                }
                let deadline = within.seconds.zip(trigger_time).map(|(s, at)| at + s);
                if within.turns == Some(0) {
                    closed = true;
                } else {
                    for u in t + 1..self.transcript.turns.len() {
                        let role = self.role(u);
                        if within.until == Some(role) {
                            closed = true;
                            break;
                        }
                        if let (Some(deadline), Some(at)) = (deadline, self.time(u)) {
                            if at > deadline {
                                closed = true;
                                break;
                            }
                        }
                        window.push(u);
                        if respond_roles.contains(role) {
                            responses += 1;
                            if within.turns.is_some_and(|n| responses >= n) {
                                closed = true;
                                break;
                            }
                        }
                    }
                }
                if !closed
                    && within.turns.is_none()
                    && within.seconds.is_none()
                    && within.until.is_none()
                    && !within.rest
                {
                    // Only the trigger's own turn.
                    closed = true;
                }
            }
            let found = self.holds(r, then, &window, &values);
            let range = window.first().zip(window.last()).map(|(a, b)| [*a, *b]);
            // For evidence; formatted only when there is a finding.
            let described = || {
                let quoted = trigger
                    .map(|(turn, s, e)| format!(" (“{}”)", &self.transcript.turns[turn].text[s..e]))
                    .unwrap_or_default();
                format!("turn {}{quoted}", t + 1)
            };
            let looked = || match range {
                Some([a, b]) if a == b => format!("turn {}", a + 1),
                Some([a, b]) => format!("turns {}–{}", a + 1, b + 1),
                None => "no turn".to_string(),
            };
            match rule.expect() {
                Expect::Present => {
                    if found {
                        continue;
                    }
                    let no_response = window.iter().all(|&u| {
                        (u == t && !within.include_trigger_turn)
                            || !respond_roles.contains(self.role(u))
                    });
                    if closed || self.complete {
                        // A window closed by `until` or by time before any response is a miss;
                        // one the end of the conversation cut short before anyone could
                        // respond is not.
                        if !closed && no_response {
                            continue;
                        }
                        let mut f = self.trigger_finding(rule, t, trigger);
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
                        let due = due_for(
                            within,
                            respond_roles.iter().next().unwrap_or(Role::Agent),
                            responses,
                            trigger_time,
                        );
                        out.obligations.push(obligation(rule, Some(t), due));
                    }
                }
                Expect::Absent => {
                    if found {
                        let at = self.first_hit(r, then, &window, &values);
                        let mut f = match at {
                            Some((turn, s, e)) => {
                                let text = &self.transcript.turns[turn].text;
                                let mut f = turn_finding(
                                    rule,
                                    turn,
                                    text,
                                    s,
                                    e,
                                    &mut CharCursor::default(),
                                );
                                f.time = self.time(turn);
                                f
                            }
                            None => self.trigger_finding(rule, t, trigger),
                        };
                        f.evidence = Some(Evidence {
                            detail: format!("triggered at {}; found in {}", described(), looked()),
                            turns: range,
                            waited: None,
                            limit: None,
                        });
                        out.findings.push((r, f));
                    } else if !(closed || self.complete) {
                        let due = due_for(
                            within,
                            respond_roles.iter().next().unwrap_or(Role::Agent),
                            responses,
                            trigger_time,
                        );
                        let mut o = obligation(rule, Some(t), due);
                        o.avoid = true;
                        out.obligations.push(o);
                    }
                }
            }
        }
        if !triggered && self.complete {
            out.not_applicable
                .push(na(rule, "what triggers it never happened"));
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

fn due_for(
    within: &crate::pack::rule::Within,
    role: Role,
    responses: u32,
    trigger_time: Option<f64>,
) -> Due {
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
