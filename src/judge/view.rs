//! What every kind of rule looks at: a transcript's turns with their hits, indexed by target,
//! and whether a leaf or a condition holds over a window of turns.

use crate::engine::matcher::Hit;
use crate::engine::{Engine, Prenormalized, TurnScan};
use crate::pack::rule::{Condition, Leaf, RoleSet};
use crate::text::normalize::{NormText, Normalization, Normalizer};
use crate::transcript::{Role, Source, Transcript};
use memchr::memmem;
use std::cell::{OnceCell, RefCell};

pub(super) struct View<'a> {
    pub(super) engine: &'a Engine,
    pub(super) transcript: &'a Transcript,
    pub(super) scans: &'a [TurnScan],
    pub(super) complete: bool,
    /// Whether the transcript was heard by speech recognition: it says so, or its channel is
    /// one the pack's `[asr] channels` names.
    pub(super) asr: bool,
    /// Turn texts normalized for phrases that name a value (`{=surname}`), which no scan
    /// finds: each turn is normalized at most once per normalization, however many triggers
    /// look at it.
    normalized: RefCell<Vec<(Normalization, Vec<Option<NormText>>)>>,
    prenormalized: Option<Prenormalized<'a>>,
    /// The values every phrase may name: the agent.
    pub(super) values: Values<'a>,
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
pub(super) type Values<'a> = Vec<(&'a str, &'a str)>;

impl<'a> View<'a> {
    pub(super) fn new(
        engine: &'a Engine,
        transcript: &'a Transcript,
        scans: &'a [TurnScan],
        complete: bool,
        prenormalized: Option<Prenormalized<'a>>,
    ) -> View<'a> {
        View {
            engine,
            transcript,
            scans,
            complete,
            asr: transcript.source == Source::Asr
                || transcript
                    .channel
                    .is_some_and(|c| engine.asr.channels.contains(c)),
            normalized: RefCell::new(Vec::new()),
            prenormalized,
            values: match &transcript.agent {
                Some(agent) => vec![("agent", agent.as_str())],
                None => Vec::new(),
            },
            role_turns: Default::default(),
            index: index(scans),
        }
    }

    pub(super) fn role(&self, turn: usize) -> Role {
        self.transcript.turns[turn].role
    }

    pub(super) fn time(&self, turn: usize) -> Option<f64> {
        self.transcript.turns[turn].time
    }

    /// The turns of `roles`, in order.
    pub(super) fn turns_of(&self, roles: RoleSet) -> &[usize] {
        self.role_turns[roles.bits()].get_or_init(|| {
            (0..self.transcript.turns.len())
                .filter(|&t| roles.contains(self.role(t)))
                .collect()
        })
    }

    pub(super) fn target(&self, rule: u32, leaf: usize) -> u32 {
        self.engine.leaf_targets[rule as usize][leaf]
    }

    /// The hits of `target` in `turn`, sorted by start.
    pub(super) fn hits(&self, turn: usize, target: u32) -> &[Hit] {
        self.scans[turn].hits_of(target)
    }

    /// The turns with a hit of `target`, in order.
    pub(super) fn turns_with(&self, target: u32) -> impl Iterator<Item = usize> + '_ {
        let from = self.index.partition_point(|&(t, _)| t < target);
        let to = from + self.index[from..].partition_point(|&(t, _)| t == target);
        self.index[from..to].iter().map(|&(_, turn)| turn as usize)
    }

    // ---------------------------------------------------------------------------------------
    // Leaves and conditions over a window of turns.

    /// How many times a leaf matches in `turns`, and where first.
    pub(super) fn leaf_count(
        &self,
        r: u32,
        leaf_index: usize,
        turns: &[usize],
        values: &Values<'_>,
    ) -> (usize, Option<(usize, usize, usize)>) {
        let rule = &self.engine.rules[r as usize];
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

    pub(super) fn holds(
        &self,
        r: u32,
        condition: &Condition,
        turns: &[usize],
        values: &Values<'_>,
    ) -> bool {
        let rule = &self.engine.rules[r as usize];
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
    pub(super) fn first_hit(
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
