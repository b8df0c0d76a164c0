//! Judging a conversation from the hits of its turns: forbidden words, required and courtesy
//! phrases, situations (when X happens, the agent must do Y within a window) and response
//! times.
//!
//! The same function judges a finished transcript and one still going on. For one still going
//! on (`complete = false`) it reports only findings that no later turn can change, and lists
//! what the agent still owes as obligations with their deadlines. A batch check is this
//! function with `complete = true`, so live and batch results cannot drift apart.

use crate::engine::matcher::Hit;
use crate::engine::{Engine, Prenormalized, TurnScan};
use crate::finding::{Due, Obligation};
use crate::finding::{Evidence, Finding, Fix, NotApplicable};
use crate::pack::rule::{
    Condition, Expect, FixSafety, Leaf, Measure, RoleSet, Rule, RuleKind, Window,
};
use crate::text::normalize::{NormText, Normalization, Normalizer};
use crate::text::{clock, duration};
use crate::transcript::{Role, Transcript};
use memchr::memmem;
use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};

/// What judging found.
#[derive(Debug, Default)]
pub(crate) struct Evaluation {
    /// Findings, each with the index of its rule, in no particular order.
    pub(crate) findings: Vec<(u32, Finding)>,
    pub(crate) not_applicable: Vec<NotApplicable>,
    pub(crate) obligations: Vec<Obligation>,
}

pub(crate) fn evaluate(
    c: &Engine,
    transcript: &Transcript,
    scans: &[TurnScan],
    complete: bool,
    prenormalized: Option<Prenormalized<'_>>,
) -> Evaluation {
    let view = View {
        c,
        transcript,
        scans,
        complete,
        normalized: RefCell::new(Vec::new()),
        prenormalized,
        values: match &transcript.agent {
            Some(agent) => vec![("agent", agent.as_str())],
            None => Vec::new(),
        },
        role_turns: Default::default(),
        index: index(scans),
    };
    let mut out = Evaluation::default();
    for (r, rule) in c.rules.iter().enumerate() {
        if !rule.channels().applies_to(transcript.channel) {
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
    out
}

struct View<'a> {
    c: &'a Engine,
    transcript: &'a Transcript,
    scans: &'a [TurnScan],
    complete: bool,
    /// Turn texts normalized for phrases that name a value (`{=surname}`), which no scan
    /// finds: each turn is normalized at most once per normalization, however many triggers
    /// look at it.
    normalized: RefCell<Vec<(Normalization, Vec<Option<NormText>>)>>,
    prenormalized: Option<Prenormalized<'a>>,
    /// The values every phrase may name: the agent.
    values: Values<'a>,
    /// The turns of each set of roles, made when first asked for.
    role_turns: [OnceCell<Vec<usize>>; 16],
    /// Each (target, turn) with a hit, sorted: rules look up where their leaves matched,
    /// rather than every rule looking at every turn.
    index: Vec<(u32, u32)>,
}

/// Each (target, turn) with a hit, sorted.
fn index(scans: &[TurnScan]) -> Vec<(u32, u32)> {
    let mut index: Vec<(u32, u32)> = scans
        .iter()
        .enumerate()
        .flat_map(|(turn, scan)| scan.hits.iter().map(move |h| (h.target, turn as u32)))
        .collect();
    index.sort_unstable();
    index.dedup();
    index
}

/// Values a phrase may name with `{=name}`: the transcript's agent, and what the trigger's
/// patterns captured. A few at most, so a list.
type Values<'a> = Vec<(&'a str, &'a str)>;

impl View<'_> {
    fn role(&self, turn: usize) -> Role {
        self.transcript.turns[turn].role
    }

    fn time(&self, turn: usize) -> Option<f64> {
        self.transcript.turns[turn].time
    }

    /// The turns of `roles`, in order.
    fn turns_of(&self, roles: RoleSet) -> &[usize] {
        self.role_turns[roles.bits()].get_or_init(|| {
            (0..self.transcript.turns.len())
                .filter(|&t| roles.contains(self.role(t)))
                .collect()
        })
    }

    fn target(&self, rule: u32, leaf: usize) -> u32 {
        self.c.leaf_targets[rule as usize][leaf]
    }

    /// The hits of `target` in `turn`, sorted by start.
    fn hits(&self, turn: usize, target: u32) -> &[Hit] {
        self.scans[turn].hits_of(target)
    }

    /// The turns with a hit of `target`, in order.
    fn turns_with(&self, target: u32) -> impl Iterator<Item = usize> + '_ {
        let from = self.index.partition_point(|&(t, _)| t < target);
        let to = from + self.index[from..].partition_point(|&(t, _)| t == target);
        self.index[from..to].iter().map(|&(_, turn)| turn as usize)
    }

    // ---------------------------------------------------------------------------------------
    // Leaves and conditions over a window of turns.

    /// How many times a leaf matches in `turns`, and where first.
    fn leaf_count(
        &self,
        r: u32,
        leaf_index: usize,
        turns: &[usize],
        values: &Values<'_>,
    ) -> (usize, Option<(usize, usize, usize)>) {
        let rule = &self.c.rules[r as usize];
        let leaf = &rule.leaves[leaf_index];
        let target = self.target(r, leaf_index);
        let mut count = 0;
        let mut first = None;
        let needles = if leaf.dynamic.is_empty() {
            Vec::new()
        } else {
            dynamic_needles(leaf, values)
        };
        if needles.is_empty() && turns.len() > 1 {
            // Only the turns with a hit, of those in the window.
            debug_assert!(turns.windows(2).all(|w| w[0] < w[1]), "windows are sorted");
            for turn in self.turns_with(target) {
                if turns.binary_search(&turn).is_ok() {
                    let hits = self.hits(turn, target);
                    count += distinct(hits);
                    if first.is_none() {
                        first = hits.first().map(|h| (turn, h.start, h.end));
                    }
                }
            }
            return (count, first);
        }
        for &turn in turns {
            let hits = self.hits(turn, target);
            count += distinct(hits);
            if first.is_none() {
                first = hits.first().map(|h| (turn, h.start, h.end));
            }
            if !needles.is_empty() && leaf.roles.contains(self.role(turn)) {
                self.dynamic_hits(leaf.normalization, turn, &needles, |start, end| {
                    count += 1;
                    // The earliest hit of the first turn with one.
                    match first {
                        Some((t, s, _)) if t < turn || s <= start => {}
                        _ => first = Some((turn, start, end)),
                    }
                });
            }
        }
        (count, first)
    }

    /// Calls `emit` with every hit of `needles` in a turn, in original offsets (not sorted).
    fn dynamic_hits(
        &self,
        normalization: Normalization,
        turn: usize,
        needles: &[memmem::Finder<'static>],
        emit: impl FnMut(usize, usize),
    ) {
        if let Some(pre) = &self.prenormalized {
            if pre.normalization == normalization && pre.valid[turn] {
                find_needles(&pre.texts[turn], needles, emit);
                return;
            }
        }
        let mut cache = self.normalized.borrow_mut();
        let at = match cache.iter().position(|(n, _)| *n == normalization) {
            Some(at) => at,
            None => {
                cache.push((normalization, vec![None; self.transcript.turns.len()]));
                cache.len() - 1
            }
        };
        let norm = cache[at].1[turn].get_or_insert_with(|| {
            let mut norm = NormText::default();
            Normalizer::new(normalization).normalize(&self.transcript.turns[turn].text, &mut norm);
            norm
        });
        find_needles(norm, needles, emit);
    }

    fn holds(&self, r: u32, condition: &Condition, turns: &[usize], values: &Values<'_>) -> bool {
        let rule = &self.c.rules[r as usize];
        match condition {
            Condition::Leaf(i) => {
                self.leaf_count(r, *i, turns, values).0 >= rule.leaves[*i].min_count as usize
            }
            Condition::Any(cs) => cs.iter().any(|c| self.holds(r, c, turns, values)),
            Condition::All(cs) => cs.iter().all(|c| self.holds(r, c, turns, values)),
            Condition::None(cs) => !cs.iter().any(|c| self.holds(r, c, turns, values)),
            Condition::AtLeast(n, cs) => {
                cs.iter()
                    .filter(|c| self.holds(r, c, turns, values))
                    .count()
                    >= *n as usize
            }
        }
    }

    /// The first hit of the condition's positive leaves in `turns`: (turn, start, end).
    fn first_hit(
        &self,
        r: u32,
        condition: &Condition,
        turns: &[usize],
        values: &Values<'_>,
    ) -> Option<(usize, usize, usize)> {
        let mut leaves = Vec::new();
        condition.positive_leaves(&mut leaves);
        leaves
            .into_iter()
            .filter_map(|i| self.leaf_count(r, i, turns, values).1)
            .min()
    }

    // ---------------------------------------------------------------------------------------
    // Kinds.

    fn forbidden(&self, r: u32, rule: &Rule, out: &mut Evaluation) {
        let target = self.target(r, 0);
        for turn in self.turns_with(target) {
            let hits = self.hits(turn, target);
            let text = &self.transcript.turns[turn].text;
            let mut cursor = CharCursor::default();
            for (start, end) in merged(hits, text) {
                let mut f = turn_finding(rule, turn, text, start, end, &mut cursor);
                f.time = self.time(turn);
                out.findings.push((r, f));
            }
        }
    }

    fn required(&self, r: u32, rule: &Rule, out: &mut Evaluation) {
        let leaf = &rule.leaves[0];
        let eligible = self.turns_of(leaf.roles);

        let values = &self.values;
        let needs_agent = leaf.needles.is_empty()
            && !leaf.dynamic.is_empty()
            && leaf.dynamic.iter().all(|p| p.contains("{=agent}"))
            && !values.iter().any(|(name, _)| *name == "agent");
        if needs_agent {
            if self.complete {
                out.not_applicable
                    .push(na(rule, "the transcript does not say who the agent is"));
            }
            return;
        }
        if eligible.is_empty() {
            if self.complete {
                out.not_applicable
                    .push(na(rule, format!("no turn of {}", roles_text(rule))));
            }
            return;
        }
        let window = match rule.kind() {
            RuleKind::Courtesy => eligible,
            _ => &eligible[rule.window().range(eligible.len())],
        };
        let (count, _) = self.leaf_count(r, 0, window, values);
        let needed = match rule.kind() {
            RuleKind::Courtesy => rule.min_count() as usize,
            _ => 1,
        };
        if count >= needed {
            return;
        }
        // Not (yet) met. Is that final?
        let final_now = self.complete
            || matches!(rule.window(), Window::First(n) if eligible.len() >= n as usize);
        if final_now {
            let mut f = transcript_finding(rule);
            let detail = match rule.kind() {
                RuleKind::Courtesy => format!(
                    "found {count} time{} in the turns of {}; at least {needed} needed",
                    if count == 1 { "" } else { "s" },
                    roles_text(rule)
                ),
                _ => format!("not found in {} of {}", rule.window(), roles_text(rule)),
            };
            f.evidence = Some(Evidence {
                detail,
                turns: window.first().zip(window.last()).map(|(a, b)| [*a, *b]),
                waited: None,
                limit: None,
            });
            out.findings.push((r, f));
        } else {
            let role = rule.roles().iter().next().unwrap_or(Role::Agent);
            let due = match rule.window() {
                Window::First(n) => Due::Turns {
                    role,
                    count: n.saturating_sub(eligible.len() as u32),
                },
                _ => Due::End,
            };
            out.obligations.push(obligation(rule, None, due));
        }
    }

    fn situation(&self, r: u32, rule: &Rule, out: &mut Evaluation) {
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

    fn timing(&self, r: u32, rule: &Rule, out: &mut Evaluation) {
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

fn obligation(rule: &Rule, turn: Option<usize>, due: Due) -> Obligation {
    Obligation {
        rule: rule.id.clone(),
        message: rule.message.clone(),
        suggest: rule.suggest.clone(),
        turn,
        due,
        avoid: false,
    }
}

fn na(rule: &Rule, reason: impl Into<Cow<'static, str>>) -> NotApplicable {
    NotApplicable {
        rule: rule.id.clone(),
        reason: reason.into(),
    }
}

fn roles_text(rule: &Rule) -> String {
    let roles: Vec<&str> = rule.roles().iter().map(|r| r.as_str()).collect();
    format!("role {}", roles.join("/"))
}

/// How many hits that do not overlap.
fn distinct(hits: &[Hit]) -> usize {
    let mut count = 0;
    let mut end = 0;
    for h in hits {
        if count == 0 || h.start >= end {
            count += 1;
            end = h.end;
        } else {
            end = end.max(h.end);
        }
    }
    count
}

/// Calls `emit` with the original span of every occurrence of `needles` in `norm`.
fn find_needles(
    norm: &NormText,
    needles: &[memmem::Finder<'static>],
    mut emit: impl FnMut(usize, usize),
) {
    for needle in needles {
        let len = needle.needle().len();
        let mut from = 0;
        while let Some(i) = needle.find(&norm.text.as_bytes()[from..]) {
            let start = from + i;
            let (s, e) = norm.to_original(start, start + len);
            emit(s, e);
            from = start + len;
        }
    }
}

/// A leaf's phrases that name values, filled in and normalized; those whose value is
/// missing are left out.
fn dynamic_needles(leaf: &Leaf, values: &Values<'_>) -> Vec<memmem::Finder<'static>> {
    let normalizer = Normalizer::new(leaf.normalization);
    leaf.dynamic
        .iter()
        .filter_map(|phrase| substitute(phrase, values))
        .map(|filled| normalizer.phrase(&filled))
        .filter(|needle| !needle.is_empty())
        .map(|needle| memmem::Finder::new(needle.as_bytes()).into_owned())
        .collect()
}

/// `{=name}` replaced by its value; `None` if a value is missing.
fn substitute(phrase: &str, values: &Values<'_>) -> Option<String> {
    let mut out = String::new();
    let mut rest = phrase;
    while let Some(i) = rest.find("{=") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let close = tail.find('}')?;
        let name = &tail[..close];
        out.push_str(values.iter().find(|(n, _)| *n == name)?.1);
        rest = &tail[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The merged spans of one forbidden rule's hits in a single message.
pub(crate) fn merged_for_message(hits: &[Hit], text: &str) -> Vec<(usize, usize)> {
    merged(hits, text)
}

/// Merges hits of one forbidden rule in one turn that overlap, or that only clause
/// punctuation separates (没事了吧，您挂电话吧): one utterance is one finding.
fn merged(hits: &[Hit], text: &str) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = hits.iter().map(|h| (h.start, h.end)).collect();
    spans.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match out.last_mut() {
            Some(last) if start < last.1 || only_separators(&text[last.1..start.max(last.1)]) => {
                last.1 = last.1.max(end);
            }
            _ => out.push((start, end)),
        }
    }
    out
}

/// Whether `gap` is a short run of clause punctuation and spaces between two parts of one
/// sentence. Sentence-final marks (。！？) end an utterance, so they do not count.
fn only_separators(gap: &str) -> bool {
    const SEPARATORS: &str = "，,、；;：:—-～~ 　";
    gap.chars().count() <= 3
        && gap
            .chars()
            .all(|c| SEPARATORS.contains(c) || c.is_whitespace())
}

/// Counts characters up to byte offsets asked for in increasing order, walking the text once.
#[derive(Default)]
pub(crate) struct CharCursor {
    byte: usize,
    chars: usize,
}

impl CharCursor {
    fn chars_before(&mut self, text: &str, byte: usize) -> usize {
        if byte < self.byte {
            *self = CharCursor::default();
        }
        self.chars += text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

pub(crate) fn turn_finding(
    rule: &Rule,
    t: usize,
    turn_text: &str,
    byte_start: usize,
    byte_end: usize,
    cursor: &mut CharCursor,
) -> Finding {
    let start = cursor.chars_before(turn_text, byte_start);
    let text = &turn_text[byte_start..byte_end];
    Finding {
        rule: rule.id.clone(),
        severity: rule.severity(),
        deduct: rule.deduct(),
        turn: Some(t),
        start: Some(start),
        end: Some(start + text.chars().count()),
        byte_start: Some(byte_start),
        byte_end: Some(byte_end),
        text: Some(text.to_string()),
        message: rule.message.clone(),
        suggest: rule.suggest.clone(),
        source: rule.source.clone(),
        time: None,
        evidence: None,
        fix: rule.replace.clone().map(|replacement| Fix {
            replacement,
            safe: rule.fix == FixSafety::Safe,
        }),
    }
}

fn transcript_finding(rule: &Rule) -> Finding {
    Finding {
        rule: rule.id.clone(),
        severity: rule.severity(),
        deduct: rule.deduct(),
        turn: None,
        start: None,
        end: None,
        byte_start: None,
        byte_end: None,
        text: None,
        message: rule.message.clone(),
        suggest: rule.suggest.clone(),
        source: rule.source.clone(),
        time: None,
        evidence: None,
        fix: None,
    }
}
