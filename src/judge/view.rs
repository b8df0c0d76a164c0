//! What every kind of rule looks at: a transcript's turns with their hits, indexed by target,
//! and whether a leaf or a condition holds over a window of turns.

use crate::engine::matcher::Hit;
use crate::engine::{Engine, Prenormalized, TurnScan};
use crate::pack::rule::{Condition, Leaf, RoleSet};
use crate::text::normalize::{NormText, Normalization, Normalizer};
use crate::transcript::{Role, Source, Transcript};
use memchr::memmem;
use std::cell::{OnceCell, RefCell};
use std::sync::Arc;

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
    /// A leaf's phrases that name values (`{=surname}先生`), filled in, with their hits in
    /// each turn looked at so far: several triggers with the same values share them, and a
    /// live session keeps them from one turn to the next.
    dynamic: std::borrow::Cow<'a, DynamicHits>,
    /// The turns of each set of roles, made when first asked for.
    role_turns: [OnceCell<Vec<usize>>; 16],
    /// Each (target, turn) with a hit, sorted: rules look up where their leaves matched,
    /// rather than every rule looking at every turn. A live session keeps its own.
    index: std::borrow::Cow<'a, [(u32, u32)]>,
    /// For a live session's new turn: forbidden rules judge this turn only.
    pub(super) only_turn: Option<usize>,
    /// For a live session: per rule, the first turn of what it owes, and the new turn. A
    /// situation judges the triggers from the first it owes something for (or the new
    /// turn's): those before had their response window closed when last judged, so what they
    /// came to was final and has been reported.
    pub(super) triggers_from: Option<(&'a [Option<usize>], usize)>,
    /// For a live session: the findings it has reported, which judging need not build again.
    pub(super) reported: Option<&'a rustc_hash::FxHashSet<Reported>>,
    /// For a live session: the turns of each set of roles, kept as turns come.
    pub(super) kept_role_turns: Option<&'a [Vec<usize>; 16]>,
    /// For a live session: the windows of situations' triggers, kept from turn to turn.
    pub(super) windows: Option<&'a RefCell<super::window::Windows>>,
}

thread_local! {
    /// Lists of turns lent to judging (a trigger's window, the triggers of a rule) and given
    /// back: once a thread has judged a conversation, judging another allocates none.
    static TURN_LISTS: RefCell<Vec<Vec<usize>>> = const { RefCell::new(Vec::new()) };
}

/// An empty list of turns, from this thread's pool.
pub(super) fn lend_turns() -> Vec<usize> {
    TURN_LISTS
        .with(|pool| pool.try_borrow_mut().ok().and_then(|mut p| p.pop()))
        .unwrap_or_default()
}

/// Gives a list lent by [`lend_turns`] back to the pool.
pub(super) fn give_back(mut turns: Vec<usize>) {
    turns.clear();
    TURN_LISTS.with(|pool| {
        if let Ok(mut pool) = pool.try_borrow_mut()
            && pool.len() < 64
        {
            pool.push(turns);
        }
    });
}

/// What tells one finding from another in a live session: rule, turn and byte span.
pub(crate) type Reported = (u32, Option<usize>, Option<usize>, Option<usize>);

/// The hits of leaves' phrases that name values, by the values filled in and by turn.
#[derive(Debug, Default)]
pub(crate) struct DynamicHits(RefCell<Vec<Dynamic>>);

impl Clone for DynamicHits {
    fn clone(&self) -> Self {
        DynamicHits(RefCell::new(self.0.borrow().clone()))
    }
}

/// The same hits at rest between the turns of a live session, which is shared between
/// threads and so holds no cell.
#[derive(Clone, Debug, Default)]
pub(crate) struct DynamicStore(Vec<Dynamic>);

impl DynamicHits {
    pub(crate) fn from_store(store: DynamicStore) -> DynamicHits {
        DynamicHits(RefCell::new(store.0))
    }

    pub(crate) fn into_store(self) -> DynamicStore {
        DynamicStore(self.0.into_inner())
    }
}

/// A leaf's phrases with values filled in, and their hits by turn (`None`: not looked yet).
#[derive(Clone, Debug)]
struct Dynamic {
    rule: u32,
    leaf: usize,
    values: Vec<(String, String)>,
    finders: Needles,
    hits: Vec<Option<Vec<(usize, usize)>>>,
}

/// Each (target, turn) with a hit, sorted, for `targets` targets. Sorted by counting, unless
/// the hits are few for the pack's targets: the hits of each target are counted, each
/// target's place in the index follows, and the turns are visited in order, so each
/// target's turns come out in order (a comparison sort of the pairs was most of the cost of
/// judging a long call's setup). Counting costs a pass over every target, so a transcript
/// with few hits in a pack of many rules is sorted as before.
fn index(scans: &[TurnScan], targets: usize) -> Vec<(u32, u32)> {
    let total: usize = scans.iter().map(|scan| scan.hits.len()).sum();
    let log = (total + 1).ilog2() as usize + 1;
    if targets > 4 * total * log {
        let mut index: Vec<(u32, u32)> = Vec::with_capacity(total);
        for (turn, scan) in scans.iter().enumerate() {
            index.extend(scan.hits.iter().map(|h| (h.target, turn as u32)));
        }
        index.sort_unstable();
        index.dedup();
        return index;
    }
    // `next[t]`: where target `t`'s next pair goes; first each target's count, one place on.
    let mut next = vec![0usize; targets + 1];
    for scan in scans {
        for h in &scan.hits {
            next[h.target as usize + 1] += 1;
        }
    }
    for t in 1..next.len() {
        next[t] += next[t - 1];
    }
    let mut index = vec![(0, 0); total];
    for (turn, scan) in scans.iter().enumerate() {
        for h in &scan.hits {
            let at = &mut next[h.target as usize];
            index[*at] = (h.target, turn as u32);
            *at += 1;
        }
    }
    // A turn's hits of one target sit side by side.
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
        index: Option<&'a [(u32, u32)]>,
        dynamic: Option<&'a DynamicHits>,
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
            dynamic: match dynamic {
                Some(kept) => std::borrow::Cow::Borrowed(kept),
                None => std::borrow::Cow::Owned(DynamicHits::default()),
            },
            role_turns: Default::default(),
            index: match index {
                Some(index) => std::borrow::Cow::Borrowed(index),
                None => std::borrow::Cow::Owned(self::index(scans, engine.target_count())),
            },
            only_turn: None,
            triggers_from: None,
            reported: None,
            windows: None,
            kept_role_turns: None,
        }
    }

    /// Whether a live session has reported this finding already.
    pub(super) fn already_reported(
        &self,
        r: u32,
        turn: Option<usize>,
        start: Option<usize>,
        end: Option<usize>,
    ) -> bool {
        self.reported
            .is_some_and(|set| set.contains(&(r, turn, start, end)))
    }

    pub(super) fn role(&self, turn: usize) -> Role {
        self.transcript.turns[turn].role
    }

    pub(super) fn time(&self, turn: usize) -> Option<f64> {
        self.transcript.turns[turn].time
    }

    /// The turns of `roles`, in order.
    pub(super) fn turns_of(&self, roles: RoleSet) -> &[usize] {
        if let Some(kept) = self.kept_role_turns {
            return &kept[roles.bits()];
        }
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
        values: &[(&str, &str)],
    ) -> (usize, Option<(usize, usize, usize)>) {
        let rule = &self.engine.rules[r as usize];
        let leaf = &rule.leaves[leaf_index];
        let target = self.target(r, leaf_index);
        let mut count = 0;
        let mut first = None;
        let dynamic = (!leaf.dynamic.is_empty()).then(|| self.dynamic_set(r, leaf_index, values));
        let dynamic = dynamic.filter(|&set| !self.dynamic.0.borrow()[set].finders.is_empty());
        if dynamic.is_none() && turns.len() > 1 {
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
            if let Some(set) = dynamic
                && leaf.roles.contains(self.role(turn))
            {
                let mut sets = self.dynamic.0.borrow_mut();
                let cached = &mut sets[set];
                if cached.hits.len() <= turn {
                    cached.hits.resize(turn + 1, None);
                }
                if cached.hits[turn].is_none() {
                    let mut hits = Vec::new();
                    self.dynamic_hits(leaf.normalization, turn, &cached.finders, |s, e| {
                        hits.push((s, e));
                    });
                    cached.hits[turn] = Some(hits);
                }
                for &(start, end) in cached.hits[turn].iter().flatten() {
                    count += 1;
                    // The earliest hit of the first turn with one.
                    match first {
                        Some((t, s, _)) if t < turn || s <= start => {}
                        _ => first = Some((turn, start, end)),
                    }
                }
            }
        }
        (count, first)
    }

    /// The place in `dynamic` of a leaf's phrases with these values filled in, made at first
    /// use.
    fn dynamic_set(&self, r: u32, leaf_index: usize, values: &[(&str, &str)]) -> usize {
        let mut sets = self.dynamic.0.borrow_mut();
        let same = |d: &Dynamic| {
            d.rule == r
                && d.leaf == leaf_index
                && d.values.len() == values.len()
                && d.values
                    .iter()
                    .zip(values)
                    .all(|((a, b), (c, d))| a == c && b == d)
        };
        if let Some(at) = sets.iter().position(same) {
            return at;
        }
        let leaf = &self.engine.rules[r as usize].leaves[leaf_index];
        sets.push(Dynamic {
            rule: r,
            leaf: leaf_index,
            values: values
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            finders: dynamic_needles(leaf, values),
            hits: vec![None; self.transcript.turns.len()],
        });
        sets.len() - 1
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
        values: &[(&str, &str)],
    ) -> bool {
        self.holds_counted(r, condition, &|leaf| {
            self.leaf_count(r, leaf, turns, values).0
        })
    }

    /// Whether a condition holds, given how many times each leaf matched.
    pub(super) fn holds_counted(
        &self,
        r: u32,
        condition: &Condition,
        count: &dyn Fn(usize) -> usize,
    ) -> bool {
        let rule = &self.engine.rules[r as usize];
        match condition {
            Condition::Leaf(i) => count(*i) >= rule.leaves[*i].min_count as usize,
            Condition::Any(cs) => cs.iter().any(|c| self.holds_counted(r, c, count)),
            Condition::All(cs) => cs.iter().all(|c| self.holds_counted(r, c, count)),
            Condition::None(cs) => !cs.iter().any(|c| self.holds_counted(r, c, count)),
            Condition::AtLeast(n, cs) => {
                cs.iter()
                    .filter(|c| self.holds_counted(r, c, count))
                    .count()
                    >= *n as usize
            }
        }
    }

    /// The first hit of these leaves in `turns`: (turn, start, end).
    pub(super) fn first_hit_of(
        &self,
        r: u32,
        leaves: &[usize],
        turns: &[usize],
        values: &[(&str, &str)],
    ) -> Option<(usize, usize, usize)> {
        leaves
            .iter()
            .filter_map(|&i| self.leaf_count(r, i, turns, values).1)
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

/// Finders of a leaf's phrases with values filled in, shared.
type Needles = Arc<[memmem::Finder<'static>]>;

/// The most sets of needles a thread keeps; past it, it starts again.
const KEPT_NEEDLES: usize = 1024;
/// The longest phrases, filled in, whose needles are kept (bytes, all of a leaf's phrases
/// together): a surname or an agent's name is a few characters, and a long value (an agent
/// field of a megabyte) is not worth holding on to.
const KEPT_NEEDLE_BYTES: usize = 256;

thread_local! {
    /// Needles by normalization and phrases filled in, kept from one transcript to the next:
    /// the same surname comes back in transcript after transcript, and making a finder costs
    /// more than looking through a turn with it.
    static NEEDLES: RefCell<rustc_hash::FxHashMap<(Normalization, Vec<String>), Needles>> =
        RefCell::new(rustc_hash::FxHashMap::default());
}

/// A leaf's phrases that name values, filled in and normalized; those whose value is
/// missing are left out.
fn dynamic_needles(leaf: &Leaf, values: &[(&str, &str)]) -> Needles {
    let filled: Vec<String> = leaf
        .dynamic
        .iter()
        .filter_map(|phrase| substitute(phrase, values))
        .collect();
    let make = |filled: &[String]| -> Needles {
        let normalizer = Normalizer::new(leaf.normalization);
        filled
            .iter()
            .map(|filled| normalizer.phrase(filled))
            .filter(|needle| !needle.is_empty())
            .map(|needle| memmem::Finder::new(needle.as_bytes()).into_owned())
            .collect()
    };
    if filled.iter().map(String::len).sum::<usize>() > KEPT_NEEDLE_BYTES {
        return make(&filled);
    }
    NEEDLES.with(|kept| {
        let Ok(mut kept) = kept.try_borrow_mut() else {
            return make(&filled);
        };
        let key = (leaf.normalization, filled);
        if let Some(needles) = kept.get(&key) {
            return needles.clone();
        }
        if kept.len() >= KEPT_NEEDLES {
            kept.clear();
        }
        let needles = make(&key.1);
        kept.insert(key, needles.clone());
        needles
    })
}

/// `{=name}` replaced by its value; `None` if a value is missing.
fn substitute(phrase: &str, values: &[(&str, &str)]) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Counting and sorting give the same index: each (target, turn) with a hit, once,
        /// in order, whichever way the number of targets makes `index` take.
        #[test]
        fn the_index_is_the_sorted_pairs_whichever_way_it_is_built(
            turns in prop::collection::vec(
                prop::collection::vec((0u32..40, 0usize..30), 0..12),
                0..20,
            ),
        ) {
            let scans: Vec<TurnScan> = turns
                .into_iter()
                .map(|hits| {
                    let mut hits: Vec<Hit> = hits
                        .into_iter()
                        .map(|(target, start)| Hit { target, start, end: start + 3 })
                        .collect();
                    // As a scan leaves them: sorted by target and start, each once.
                    hits.sort_unstable();
                    hits.dedup();
                    TurnScan { hits, ..TurnScan::default() }
                })
                .collect();
            let mut expected: Vec<(u32, u32)> = scans
                .iter()
                .enumerate()
                .flat_map(|(t, scan)| scan.hits.iter().map(move |h| (h.target, t as u32)))
                .collect();
            expected.sort_unstable();
            expected.dedup();
            // 40 targets: counted unless there are very few hits; a million: sorted.
            prop_assert_eq!(&index(&scans, 40), &expected);
            prop_assert_eq!(&index(&scans, 1_000_000), &expected);
        }
    }
}
