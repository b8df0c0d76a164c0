//! Situations: when something happens in the conversation (the customer thanks, the agent
//! puts the customer on hold), the agent must (or must not) respond within a window.

use super::findings::Evaluation;
use super::findings::{CharCursor, na, obligation, transcript_finding, turn_finding};
use super::view::{View, give_back, lend_turns};
use super::window::{LeafCount, WindowState};
use crate::finding::{Due, Evidence, Finding};
use crate::pack::rule::{Expect, Rule, Within};
use crate::transcript::Role;

/// One trigger of a situation, as the response is judged against it.
struct Trigger<'v> {
    turn: usize,
    /// Where the trigger matched: (turn, start, end).
    hit: Option<(usize, usize, usize)>,
    time: Option<f64>,
    /// The values phrases may name: the agent, and what the trigger captured.
    values: std::borrow::Cow<'v, [(&'v str, &'v str)]>,
}

impl View<'_> {
    pub(super) fn situation(&self, r: u32, rule: &Rule, out: &mut Evaluation) {
        let (Some(when), Some(_)) = (rule.when(), rule.then()) else {
            return;
        };
        let mut triggered = false;
        let from = self.triggers_from.map_or(0, |(first_owed, new_turn)| {
            first_owed[r as usize].map_or(new_turn, |t| t.min(new_turn))
        });
        let candidates = self.trigger_candidates(r, rule, from);
        // The last window's lists, for the next trigger's.
        let mut spare: Option<(Vec<usize>, Vec<LeafCount>)> = None;
        for &t in &candidates {
            // A trigger a live session judged before held then, where it was found: its
            // turn has not changed.
            let kept = self
                .windows
                .and_then(|kept| kept.borrow().get(&(r, t)).map(|w| w.hit));
            let hit = match kept {
                Some(hit) => hit,
                None if self.holds(r, when, &[t], &self.values) => self.first_hit_of(
                    r,
                    &self.engine.trigger_leaves[r as usize],
                    &[t],
                    &self.values,
                ),
                None => continue,
            };
            triggered = true;
            let trigger = Trigger {
                turn: t,
                hit,
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
                if let Some((turns, _)) = spare {
                    give_back(turns);
                }
                give_back(candidates);
                return;
            }
            match self.windows {
                Some(kept) => {
                    let mut kept = kept.borrow_mut();
                    let window = kept.entry((r, t)).or_insert_with(|| {
                        self.open_window(r, rule, &trigger, (Vec::new(), Vec::new()))
                    });
                    self.extend_window(r, rule, &trigger, window);
                    self.judge_response(r, rule, &trigger, window, out);
                }
                None => {
                    let lists = spare.take().unwrap_or_else(|| (lend_turns(), Vec::new()));
                    let mut window = self.open_window(r, rule, &trigger, lists);
                    self.extend_window(r, rule, &trigger, &mut window);
                    self.judge_response(r, rule, &trigger, &window, out);
                    spare = Some((window.turns, window.counts));
                }
            }
        }
        if let Some((turns, _)) = spare {
            give_back(turns);
        }
        give_back(candidates);
        if !triggered && self.complete {
            out.not_applicable
                .push(na(rule, "what triggers it never happened"));
        }
    }

    /// The turns that may trigger the rule. A trigger needs a hit of one of `when`'s positive
    /// leaves, so only turns with one are looked at (unless a leaf names a value, which no
    /// scan finds).
    fn trigger_candidates(&self, r: u32, rule: &Rule, from: usize) -> Vec<usize> {
        let positive = &self.engine.trigger_leaves[r as usize];
        if positive.iter().any(|&i| !rule.leaves[i].dynamic.is_empty()) {
            return (from..self.transcript.turns.len()).collect();
        }
        let mut turns = lend_turns();
        turns.extend(
            positive
                .iter()
                .flat_map(|&i| self.turns_with(self.target(r, i)))
                .filter(|&t| t >= from),
        );
        if positive.len() > 1 {
            turns.sort_unstable();
            turns.dedup();
        }
        turns
    }

    /// The values the response's phrases may name: the agent's, and those the trigger's
    /// patterns captured in turn `t`, such as a surname.
    fn trigger_values(&self, r: u32, t: usize) -> std::borrow::Cow<'_, [(&str, &str)]> {
        let captures = &self.scans[t].captures;
        if captures.is_empty() {
            return std::borrow::Cow::Borrowed(&self.values);
        }
        let mut values = self.values.clone();
        for &i in &self.engine.trigger_leaves[r as usize] {
            let target = self.target(r, i);
            for capture in captures.iter().filter(|c| c.target == target) {
                if !values.iter().any(|(name, _)| *name == &*capture.name) {
                    values.push((&capture.name, &capture.value));
                }
            }
        }
        std::borrow::Cow::Owned(values)
    }

    /// The window of `within` around a trigger, before any turn after it is added, in the
    /// lists given (emptied first), so that judging one trigger after another can reuse them.
    fn open_window(
        &self,
        r: u32,
        rule: &Rule,
        trigger: &Trigger<'_>,
        (mut turns, mut counts): (Vec<usize>, Vec<LeafCount>),
    ) -> WindowState {
        let within = rule.within();
        let t = trigger.turn;
        turns.clear();
        counts.clear();
        counts.resize(rule.leaves.len(), (0, None));
        let mut window = WindowState {
            turns,
            hit: trigger.hit,
            next: t + 1,
            counts,
            ..WindowState::default()
        };
        if let Some(n) = within.before {
            let of_roles = self.turns_of(self.engine.rule_roles[r as usize]);
            let earlier = &of_roles[..of_roles.partition_point(|&u| u < t)];
            window
                .turns
                .extend(&earlier[earlier.len().saturating_sub(n as usize)..]);
            window.turns.push(t);
            window.stopped = true;
            return window;
        }
        if within.include_trigger_turn {
            window.turns.push(t);
        }
        if within.turns == Some(0) {
            window.stopped = true;
        }
        window
    }

    /// Adds the turns after the trigger to its window, up to where the window stops or the
    /// turns so far end, and counts the rule's leaves in what was added.
    fn extend_window(&self, r: u32, rule: &Rule, trigger: &Trigger<'_>, window: &mut WindowState) {
        let within = rule.within();
        let respond_roles = self.engine.rule_roles[r as usize];
        let deadline = within.seconds.zip(trigger.time).map(|(s, at)| at + s);
        while !window.stopped && window.next < self.transcript.turns.len() {
            let u = window.next;
            window.next += 1;
            let role = self.role(u);
            if within.until == Some(role) {
                window.stopped = true;
                break;
            }
            if let (Some(deadline), Some(at)) = (deadline, self.time(u)) {
                if at > deadline {
                    window.stopped = true;
                    break;
                }
            }
            window.turns.push(u);
            if respond_roles.contains(role) {
                window.responses += 1;
                if within.turns.is_some_and(|n| window.responses >= n) {
                    window.stopped = true;
                }
            }
        }
        if window.counted < window.turns.len() {
            let added = &window.turns[window.counted..];
            for &leaf in &self.engine.response_leaves[r as usize] {
                let (count, first) = &mut window.counts[leaf];
                let (more, at) = self.leaf_count(r, leaf, added, &trigger.values);
                *count += more;
                if first.is_none() {
                    *first = at;
                }
            }
            window.counted = window.turns.len();
        }
    }

    /// Whether a window is closed: it stopped, or `within` sets no limit at all (only the
    /// trigger's own turn is meant).
    fn closed(rule: &Rule, window: &WindowState) -> bool {
        let within = rule.within();
        window.stopped
            || (within.turns.is_none()
                && within.seconds.is_none()
                && within.until.is_none()
                && !within.rest)
    }

    /// Whether the response happened (or, for `expect = "absent"`, did not) in the window: a
    /// finding when that is final, an obligation while the window is still open.
    fn judge_response(
        &self,
        r: u32,
        rule: &Rule,
        trigger: &Trigger<'_>,
        window: &WindowState,
        out: &mut Evaluation,
    ) {
        let Some(then) = rule.then() else {
            return;
        };
        let within = rule.within();
        let respond_roles = self.engine.rule_roles[r as usize];
        let t = trigger.turn;
        let closed = Self::closed(rule, window);
        let found = self.holds_counted(r, then, &|leaf| window.counts[leaf].0);
        let range = window
            .turns
            .first()
            .zip(window.turns.last())
            .map(|(a, b)| [*a, *b]);
        // For evidence, written only when there is a finding, in one string: where the
        // trigger was, `outcome`, and the turns looked at.
        // Pieces pushed one by one: a finding's evidence is written for every missed
        // response, and `write!` costs several times as much.
        let detail = |outcome: &str| {
            let mut numbers = itoa::Buffer::new();
            let mut out = String::with_capacity(96);
            out.push_str("triggered at turn ");
            out.push_str(numbers.format(t + 1));
            if let Some((turn, s, e)) = trigger.hit {
                out.push_str(" (“");
                out.push_str(&self.transcript.turns[turn].text[s..e]);
                out.push_str("”)");
            }
            out.push_str(outcome);
            match range {
                Some([a, b]) => {
                    out.push_str(if a == b { "turn " } else { "turns " });
                    out.push_str(numbers.format(a + 1));
                    if a != b {
                        out.push('–');
                        out.push_str(numbers.format(b + 1));
                    }
                }
                None => out.push_str("no turn"),
            }
            out
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
                // No turn of the window is a response: of the turns after the trigger, none
                // is of the responding roles (`responses` counts them), nor is the trigger's
                // own turn when the window holds it. A window before the trigger is short
                // and already whole: look at it.
                let no_response = if within.before.is_some() {
                    window.turns.iter().all(|&u| {
                        (u == t && !within.include_trigger_turn)
                            || !respond_roles.contains(self.role(u))
                    })
                } else {
                    window.responses == 0
                        && !(within.include_trigger_turn && respond_roles.contains(self.role(t)))
                };
                if closed || self.complete {
                    // A window closed by `until` or by time before any response is a miss;
                    // one the end of the conversation cut short before anyone could respond
                    // is not.
                    if !closed && no_response {
                        return;
                    }
                    let (turn, s, e) = trigger
                        .hit
                        .map_or((t, None, None), |(u, s, e)| (u, Some(s), Some(e)));
                    if self.already_reported(r, Some(turn), s, e) {
                        return;
                    }
                    let mut f = self.trigger_finding(rule, t, trigger.hit);
                    f.evidence = Some(Evidence {
                        detail: detail("; the response was not found in "),
                        turns: range,
                        waited: None,
                        limit: None,
                    });
                    out.findings.push((r, f));
                } else {
                    out.obligations.push(obligation(r, Some(t), due()));
                }
            }
            Expect::Absent => {
                if found {
                    let mut positive = Vec::new();
                    then.positive_leaves(&mut positive);
                    let at = positive
                        .iter()
                        .filter_map(|&leaf| window.counts[leaf].1)
                        .min();
                    let key = match (at, trigger.hit) {
                        (Some((u, s, e)), _) | (None, Some((u, s, e))) => (u, Some(s), Some(e)),
                        (None, None) => (t, None, None),
                    };
                    if self.already_reported(r, Some(key.0), key.1, key.2) {
                        return;
                    }
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
                        detail: detail("; found in "),
                        turns: range,
                        waited: None,
                        limit: None,
                    });
                    out.findings.push((r, f));
                } else if !(closed || self.complete) {
                    let mut o = obligation(r, Some(t), due());
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
