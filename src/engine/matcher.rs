//! The compiled matcher: every literal of every rule in one Aho-Corasick automaton, every
//! pattern compiled once and run only on turns where one of its literals was found, and there
//! only as far around that literal as a match can reach (see `Pattern::window`), or anchored
//! where the literal starts when it starts every match (`Pattern::for_each_hit_at`).
//!
//! The automaton steps over characters, not bytes: a Chinese character is one step instead of
//! three. A small set of literals (a few hundred trie states) gets a table with every
//! transition worked out in advance (`automaton::CharDfa`), which the normalizer steps as it
//! writes each character, so the text is not read a second time. A larger set gets a
//! double-array automaton from `daachorse`, which measured about twice as fast as a byte
//! automaton on the built-in pack's thousand literals and whose size follows the trie.
//!
//! The scan is an overlapping search: it reports every occurrence of every phrase, including
//! a phrase inside a longer one and one that starts inside another and runs past its end.
//! (An earlier design searched leftmost-longest and recovered the other occurrences from
//! links between literals made at compile time; the overlapping search found the same hits
//! with fewer instructions, and the links cost compile time.)
//!
//! The matcher works on normalized text (see `normalize`): its literals are normalized when it
//! is built, and the offsets it reports are offsets into the normalized text.

use rustc_hash::FxHashMap as HashMap;
use std::ops::Range;
use std::sync::Arc;

use daachorse::{
    CharwiseDoubleArrayAhoCorasick as Automaton, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind,
};
use regex_automata::meta::{Cache, Regex};
use regex_automata::util::captures::Captures;
use regex_automata::{Input, PatternSet};

use super::automaton::{self, CharDfa};
use crate::pack::rule::{Leaf, Needle, RoleSet};
use crate::text::normalize::{EachChar, NormText, Normalizer};
use crate::text::pattern::Pattern;
use crate::transcript::Role;

/// A hit of one target (a rule's or a condition's leaf) in one text: a byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Hit {
    pub(crate) target: u32,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// A value captured by a named group of a pattern (other than `hit`), such as a surname.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Capture {
    pub(crate) target: u32,
    /// The hit the value belongs to, in the same offsets as the hit.
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) name: Arc<str>,
    /// The captured text, as normalized.
    pub(crate) value: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    /// The literal is a phrase of this rule.
    Phrase { target: u32, roles: RoleSet },
    /// The literal anchors this pattern.
    Anchor { pattern: u32, roles: RoleSet },
    /// The literal is a longer phrase that excuses the rule's hits inside it.
    Allow { target: u32, roles: RoleSet },
}

#[derive(Debug)]
struct Literal {
    len: usize,
    roles: RoleSet,
    owners: Vec<Owner>,
    text: Box<str>,
}

#[derive(Debug)]
struct PatternEntry {
    pattern: Arc<Pattern>,
    target: u32,
    roles: RoleSet,
    /// Where this pattern's cache is in the caller's `Caches`.
    slot: usize,
}

/// Regex caches and capture slots, one per compiled regex of a checker, owned by whoever
/// scans (one per thread), so that no lock is ever shared between threads. Each is made the
/// first time its regex runs: a short run (one transcript, one message) uses few of them, and
/// making all of a large pack's costs more than checking a transcript.
#[derive(Debug)]
pub(crate) struct Caches {
    regexes: Vec<Regex>,
    made: Vec<Option<(Cache, Captures)>>,
    set: Option<PatternSet>,
}

impl Caches {
    pub(crate) fn new(regexes: &[Regex]) -> Caches {
        Caches {
            regexes: regexes.to_vec(),
            made: regexes.iter().map(|_| None).collect(),
            set: None,
        }
    }

    pub(crate) fn get(&mut self, slot: usize) -> (&mut Cache, &mut Captures) {
        let regex = &self.regexes[slot];
        let (cache, caps) =
            self.made[slot].get_or_insert_with(|| (regex.create_cache(), regex.create_captures()));
        (cache, caps)
    }
}

/// What one scan found, in normalized offsets. Reused between turns.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub(crate) hits: Vec<Hit>,
    pub(crate) allowed: Vec<Hit>,
    pub(crate) captures: Vec<Capture>,
    /// Patterns to run, with the anchor occurrence that calls for each: (pattern, start, end).
    pending: Vec<(u32, usize, usize)>,
    /// Where the table automaton reported, as the normalizer stepped it: (state, end).
    reported: Vec<(u32, u32)>,
}

impl Found {
    fn clear(&mut self) {
        self.hits.clear();
        self.allowed.clear();
        self.captures.clear();
        self.pending.clear();
        self.reported.clear();
    }
}

/// Steps a table automaton over the characters a normalizer writes.
struct Stepper<'a> {
    table: &'a CharDfa,
    state: u32,
    reported: &'a mut Vec<(u32, u32)>,
}

impl EachChar for Stepper<'_> {
    #[inline(always)]
    fn char(&mut self, c: char, end: usize) {
        self.state = self.table.step(self.state, c);
        if self.table.reports(self.state) {
            self.reported.push((self.state, end as u32));
        }
    }
}

/// The automaton over a matcher's literals.
enum Phrases {
    None,
    Table(CharDfa),
    DoubleArray(Automaton<u32>),
}

pub(crate) struct Matcher {
    /// Each literal's value is its index in `literals`.
    automaton: Phrases,
    literals: Vec<Literal>,
    patterns: Vec<PatternEntry>,
    /// Patterns with no literal to anchor on, behind one set that says which can match.
    unanchored: Vec<u32>,
    unanchored_set: Option<(Regex, usize)>,
    /// The roles any rule of this matcher looks at.
    roles: RoleSet,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field("literals", &self.literals)
            .field("patterns", &self.patterns)
            .field("unanchored", &self.unanchored)
            .field("roles", &self.roles)
            .finish_non_exhaustive()
    }
}

impl Matcher {
    /// Compiles the targets `members` (indices into `targets`), whose text is normalized by
    /// `normalizer`.
    pub(crate) fn new(
        targets: &[&Leaf],
        members: &[u32],
        normalizer: &Normalizer,
        regexes: &mut Vec<Regex>,
    ) -> Result<Matcher, String> {
        Matcher::with_table_limit(
            targets,
            members,
            normalizer,
            regexes,
            automaton::TABLE_LIMIT,
        )
    }

    /// `new`, with the table automaton built only up to `table_limit` entries.
    pub(crate) fn with_table_limit(
        targets: &[&Leaf],
        members: &[u32],
        normalizer: &Normalizer,
        regexes: &mut Vec<Regex>,
        table_limit: usize,
    ) -> Result<Matcher, String> {
        let mut literals: Vec<Literal> = Vec::new();
        let mut index: HashMap<String, u32> = HashMap::default();
        let mut patterns = Vec::new();
        let mut unanchored = Vec::new();
        let mut all_roles = RoleSet::default();

        let mut add = |text: &str, owner: Owner, roles: RoleSet, literals: &mut Vec<Literal>| {
            let text = normalizer.phrase(text);
            if text.is_empty() {
                return;
            }
            let id = *index.entry(text.clone()).or_insert_with(|| {
                literals.push(Literal {
                    len: text.len(),
                    roles: RoleSet::default(),
                    owners: Vec::new(),
                    text: text.as_str().into(),
                });
                (literals.len() - 1) as u32
            });
            let literal = &mut literals[id as usize];
            if !literal.owners.contains(&owner) {
                literal.owners.push(owner);
                literal.roles = literal.roles.union(roles);
            }
        };

        for &target in members {
            let leaf = targets[target as usize];
            let roles = leaf.roles;
            all_roles = all_roles.union(roles);
            for needle in &leaf.needles {
                match needle {
                    Needle::Literal(text) => {
                        add(text, Owner::Phrase { target, roles }, roles, &mut literals)
                    }
                    Needle::Pattern(pattern) => {
                        let pattern_index = patterns.len() as u32;
                        patterns.push(PatternEntry {
                            pattern: pattern.clone(),
                            target,
                            roles,
                            slot: regexes.len(),
                        });
                        regexes.push(pattern.regex.clone());
                        match &pattern.anchors {
                            Some(anchors) => {
                                for anchor in anchors {
                                    add(
                                        anchor,
                                        Owner::Anchor {
                                            pattern: pattern_index,
                                            roles,
                                        },
                                        roles,
                                        &mut literals,
                                    );
                                }
                            }
                            None => unanchored.push(pattern_index),
                        }
                    }
                }
            }
            for allowed in &leaf.unless.inside {
                add(
                    allowed,
                    Owner::Allow { target, roles },
                    roles,
                    &mut literals,
                );
            }
        }

        // In byte order, the automaton's trie is built with far fewer cache misses.
        literals.sort_unstable_by(|a, b| a.text.cmp(&b.text));
        let values = || {
            literals
                .iter()
                .enumerate()
                .map(|(i, l)| (&*l.text, i as u32))
        };
        let automaton = if literals.is_empty() {
            Phrases::None
        } else if let Some(table) = CharDfa::new(values(), table_limit) {
            Phrases::Table(table)
        } else {
            Phrases::DoubleArray(
                CharwiseDoubleArrayAhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .build_with_values(values())
                    .map_err(|e| format!("cannot build the phrase automaton: {e}"))?,
            )
        };
        let unanchored_set = if unanchored.is_empty() {
            None
        } else {
            let sources: Vec<String> = unanchored
                .iter()
                .map(|&p| patterns[p as usize].pattern.source.clone())
                .collect();
            // Every pattern that matches anywhere, not the one a leftmost-first search would
            // pick: with that, a pattern matching earlier hid the others from the turn.
            let set = Regex::builder()
                .configure(Regex::config().match_kind(regex_automata::MatchKind::All))
                .build_many(&sources)
                .map_err(|e| format!("cannot build the pattern set: {e}"))?;
            regexes.push(set.clone());
            Some((set, regexes.len() - 1))
        };
        Ok(Matcher {
            automaton,
            literals,
            patterns,
            unanchored,
            unanchored_set,
            roles: all_roles,
        })
    }

    /// Moves the regex cache slots of this matcher `by` places on: for a matcher built with
    /// slots from 0 whose regexes go after `by` others in the checker's list.
    pub(crate) fn move_slots(&mut self, by: usize) {
        for entry in &mut self.patterns {
            entry.slot += by;
        }
        if let Some((_, slot)) = &mut self.unanchored_set {
            *slot += by;
        }
    }

    /// Finds, in normalized `text`, every hit of every rule that applies to `role`, and every
    /// occurrence of an allowed phrase, replacing what `found` held.
    pub(crate) fn scan(&self, text: &str, role: Role, found: &mut Found, caches: &mut Caches) {
        found.clear();
        match &self.automaton {
            Phrases::None => {}
            Phrases::Table(table) => table.find_all(text, |value, start, _| {
                self.visit(value as usize, start, role, found)
            }),
            Phrases::DoubleArray(automaton) => {
                for m in automaton.find_overlapping_iter(text) {
                    self.visit(m.value() as usize, m.start(), role, found);
                }
            }
        }
        self.scan_patterns(text, role, found, caches);
    }

    /// Normalizes `text` into `norm` with `normalizer` and scans what it wrote: the same as
    /// `normalize` then `scan`. With a table automaton the normalizer steps it as it writes
    /// each character, and the normalized text is not read again.
    ///
    /// With a table automaton and no pattern that must run on every turn, a text in which the
    /// automaton reports nothing can hold no hit: the characters are folded and stepped
    /// without writing anything, and `norm` is left as it was. Returns whether `norm` holds
    /// the normalized `text`.
    pub(crate) fn normalize_and_scan(
        &self,
        normalizer: &Normalizer,
        text: &str,
        norm: &mut NormText,
        role: Role,
        found: &mut Found,
        caches: &mut Caches,
    ) -> bool {
        let Phrases::Table(table) = &self.automaton else {
            normalizer.normalize(text, norm);
            self.scan(&norm.text, role, found, caches);
            return true;
        };
        found.clear();
        if self.unanchored_set.is_none() {
            let mut state = CharDfa::START;
            let reports = normalizer.written(text).any(|c| {
                state = table.step(state, c);
                table.reports(state)
            });
            if !reports {
                return false;
            }
        }
        let mut stepper = Stepper {
            table,
            state: CharDfa::START,
            reported: &mut found.reported,
        };
        normalizer.normalize_with(text, norm, &mut stepper);
        for i in 0..found.reported.len() {
            let (state, end) = found.reported[i];
            for out in table.outputs(state) {
                self.visit(out.value as usize, (end - out.len) as usize, role, found);
            }
        }
        self.scan_patterns(&norm.text, role, found, caches);
        true
    }

    /// The patterns' part of a scan: those whose anchors the automaton found, in windows
    /// around them, and those with no anchor.
    fn scan_patterns(&self, text: &str, role: Role, found: &mut Found, caches: &mut Caches) {
        if let Some((set, slot)) = &self.unanchored_set {
            let wanted = self
                .unanchored
                .iter()
                .any(|&p| self.patterns[p as usize].roles.contains(role));
            if wanted {
                let mut matched = caches
                    .set
                    .take()
                    .filter(|m| m.capacity() >= set.pattern_len())
                    .unwrap_or_else(|| PatternSet::new(set.pattern_len()));
                matched.clear();
                set.which_overlapping_matches_with(
                    caches.get(*slot).0,
                    &Input::new(text),
                    &mut matched,
                );
                for i in matched.iter() {
                    let p = self.unanchored[i.as_usize()];
                    if self.patterns[p as usize].roles.contains(role) {
                        found.pending.push((p, 0, text.len()));
                    }
                }
                caches.set = Some(matched);
            }
        }
        // Each pattern runs once per window around its anchors, merged where they overlap,
        // or, when every match starts with its anchor, anchored at each anchor.
        found.pending.sort_unstable();
        let mut i = 0;
        while i < found.pending.len() {
            let (p, _, _) = found.pending[i];
            let j = i + found.pending[i..].partition_point(|n| n.0 == p);
            let entry = &self.patterns[p as usize];
            let (cache, caps) = caches.get(entry.slot);
            let (hits, captures) = (&mut found.hits, &mut found.captures);
            let emit = |start, end, named: &[(Arc<str>, &str)]| {
                hits.push(Hit {
                    target: entry.target,
                    start,
                    end,
                });
                for (name, value) in named {
                    captures.push(Capture {
                        target: entry.target,
                        start,
                        end,
                        name: name.clone(),
                        value: value.to_string(),
                    });
                }
            };
            let anchors = &found.pending[i..j];
            if entry.pattern.starts_at_anchor() {
                let starts = anchors
                    .iter()
                    .map(|&(_, start, end)| (start, entry.pattern.window(text, start..end).end));
                entry
                    .pattern
                    .for_each_hit_at(text, starts, cache, caps, emit);
            } else {
                entry.pattern.for_each_hit_in(
                    text,
                    merged_windows(text, &entry.pattern, anchors),
                    cache,
                    caps,
                    emit,
                );
            }
            i = j;
        }
    }

    fn visit(&self, id: usize, start: usize, role: Role, found: &mut Found) {
        let literal = &self.literals[id];
        if !literal.roles.contains(role) {
            return;
        }
        let end = start + literal.len;
        for owner in &literal.owners {
            match *owner {
                Owner::Phrase { target, roles } if roles.contains(role) => {
                    found.hits.push(Hit { target, start, end })
                }
                Owner::Anchor { pattern, roles } if roles.contains(role) => {
                    found.pending.push((pattern, start, end))
                }
                Owner::Allow { target, roles } if roles.contains(role) => {
                    found.allowed.push(Hit { target, start, end })
                }
                _ => {}
            }
        }
    }

    /// How many distinct literals the automaton holds.
    #[cfg(test)]
    pub(crate) fn literal_count(&self) -> usize {
        self.literals.len()
    }

    /// The literals the automaton holds, normalized.
    pub(crate) fn literal_texts(&self) -> impl Iterator<Item = &str> {
        self.literals.iter().map(|l| &*l.text)
    }
}

/// The windows around `anchors` (in order) in which `pattern` is searched, merged where they
/// overlap or touch.
fn merged_windows<'a>(
    text: &'a str,
    pattern: &'a Pattern,
    anchors: &'a [(u32, usize, usize)],
) -> impl Iterator<Item = Range<usize>> + 'a {
    let mut windows = anchors
        .iter()
        .map(|&(_, start, end)| pattern.window(text, start..end))
        .peekable();
    std::iter::from_fn(move || {
        let mut merged = windows.next()?;
        while let Some(next) = windows.next_if(|w| w.start <= merged.end) {
            merged.end = merged.end.max(next.end);
        }
        Some(merged)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::RulePack;
    use crate::text::normalize::Normalization;

    fn pack(rules: &[(&str, &[&str])]) -> RulePack {
        let mut toml = String::from("[pack]\nname = \"t\"\n");
        for (id, phrases) in rules {
            let list: Vec<String> = phrases.iter().map(|p| format!("{p:?}")).collect();
            toml.push_str(&format!(
                "[[rule]]\nid = \"forbidden.{id}\"\nkind = \"forbidden\"\nphrases = [{}]\nseverity = \"minor\"\nmessage = \"m\"\n",
                list.join(", ")
            ));
        }
        RulePack::from_toml("t.toml", &toml).expect("valid")
    }

    fn scan(rules: &[(&str, &[&str])], text: &str) -> Vec<(u32, usize, usize)> {
        let pack = pack(rules);
        let leaves: Vec<&Leaf> = pack.rules().iter().map(|r| &r.leaves()[0]).collect();
        let members: Vec<u32> = (0..leaves.len() as u32).collect();
        // Both automata: the table, and the double array a table too large gives way to.
        let mut both = [automaton::TABLE_LIMIT, 0].map(|limit| {
            let mut regexes = Vec::new();
            let matcher = Matcher::with_table_limit(
                &leaves,
                &members,
                &Normalizer::new(Normalization::NONE),
                &mut regexes,
                limit,
            )
            .expect("builds");
            let table = matches!(matcher.automaton, Phrases::Table(_));
            assert_eq!(table, limit > 0, "which automaton");
            let mut found = Found::default();
            matcher.scan(text, Role::Agent, &mut found, &mut Caches::new(&regexes));
            let mut out: Vec<_> = found
                .hits
                .iter()
                .map(|h| (h.target, h.start, h.end))
                .collect();
            out.sort();
            out
        });
        assert_eq!(both[0], both[1], "table and double array on {text}");
        std::mem::take(&mut both[0])
    }

    /// Every occurrence of every phrase, by brute force.
    fn naive(rules: &[(&str, &[&str])], text: &str) -> Vec<(u32, usize, usize)> {
        let mut out = Vec::new();
        for (r, (_, phrases)) in rules.iter().enumerate() {
            for phrase in *phrases {
                for (at, _) in text.match_indices(phrase) {
                    out.push((r as u32, at, at + phrase.len()));
                }
                // match_indices skips overlapping occurrences of the same phrase.
                let mut from = 0;
                while let Some(i) = text[from..].find(phrase) {
                    let at = from + i;
                    out.push((r as u32, at, at + phrase.len()));
                    from = at + text[at..].chars().next().map_or(1, char::len_utf8);
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Patterns with no literal to anchor on run as one set, which says every pattern that
    /// matches in a turn: one that matches earlier, or at the same place, hides no other.
    #[test]
    fn every_unanchored_pattern_that_matches_is_run() {
        let pack = RulePack::from_toml(
            "t.toml",
            "[pack]\nname = \"t\"\n\
             [[rule]]\nid = \"forbidden.letters\"\nkind = \"forbidden\"\npatterns = ['[a-z]{3}']\nseverity = \"minor\"\nmessage = \"m\"\n\
             [[rule]]\nid = \"forbidden.digit\"\nkind = \"forbidden\"\npatterns = ['\\d']\nseverity = \"minor\"\nmessage = \"m\"\n\
             [[rule]]\nid = \"forbidden.word\"\nkind = \"forbidden\"\npatterns = ['\\w+']\nseverity = \"minor\"\nmessage = \"m\"\n",
        )
        .expect("valid");
        let leaves: Vec<&Leaf> = pack.rules().iter().map(|r| &r.leaves()[0]).collect();
        let mut regexes = Vec::new();
        let matcher = Matcher::new(
            &leaves,
            &[0, 1, 2],
            &Normalizer::new(Normalization::NONE),
            &mut regexes,
        )
        .expect("builds");
        assert_eq!(matcher.unanchored.len(), 3, "no pattern has an anchor");
        for (text, expected) in [
            ("abc 1", vec![(0, 0, 3), (1, 4, 5), (2, 0, 3), (2, 4, 5)]),
            ("1 abc", vec![(0, 2, 5), (1, 0, 1), (2, 0, 1), (2, 2, 5)]),
        ] {
            let mut found = Found::default();
            matcher.scan(text, Role::Agent, &mut found, &mut Caches::new(&regexes));
            let mut hits: Vec<_> = found
                .hits
                .iter()
                .map(|h| (h.target, h.start, h.end))
                .collect();
            hits.sort();
            assert_eq!(hits, expected, "{text}");
        }
    }

    #[test]
    fn finds_phrases_inside_and_across_longer_ones() {
        let rules: &[(&str, &[&str])] = &[
            ("a", &["不知道"]),
            ("b", &["知道"]),
            ("c", &["道歉"]),
            ("d", &["我不知道啊"]),
        ];
        for text in [
            "我不知道啊",
            "不知道歉",
            "知道",
            "我不知道歉意",
            "不知不知道道",
        ] {
            assert_eq!(scan(rules, text), naive(rules, text), "{text}");
        }
    }

    /// `normalize_and_scan` finds what `normalize` then `scan` finds, with either automaton,
    /// on text that folds, skips separators and collapses repeats, and says whether it left
    /// the normalized text in `norm`.
    #[test]
    fn normalizing_and_scanning_in_one_pass_finds_what_two_passes_find() {
        let rules: &[(&str, &[&str])] = &[
            ("a", &["不知道", "知道"]),
            ("b", &["領導", "ab"]),
            ("c", &["你找领导去"]),
        ];
        let pack = pack(rules);
        let leaves: Vec<&Leaf> = pack.rules().iter().map(|r| &r.leaves()[0]).collect();
        let members: Vec<u32> = (0..leaves.len() as u32).collect();
        let mut options = Normalization::DEFAULT;
        options.repeats = true;
        let normalizer = Normalizer::new(options);
        let texts = [
            "",
            "您好，请问有什么可以帮您？",
            "我不 知 道啊",
            "你找領導去呀",
            "不不知道，ＡＢ",
            "知…道🙂 你找领 导去",
            "nothing here at all",
        ];
        for limit in [automaton::TABLE_LIMIT, 0] {
            let mut regexes = Vec::new();
            let matcher =
                Matcher::with_table_limit(&leaves, &members, &normalizer, &mut regexes, limit)
                    .expect("builds");
            let mut caches = Caches::new(&regexes);
            for text in texts {
                let mut norm = NormText::default();
                let mut found = Found::default();
                normalizer.normalize(text, &mut norm);
                matcher.scan(&norm.text, Role::Agent, &mut found, &mut caches);
                let two = (found.hits.clone(), norm.text.clone());

                let mut one_norm = NormText::default();
                let mut one = Found::default();
                let normalized = matcher.normalize_and_scan(
                    &normalizer,
                    text,
                    &mut one_norm,
                    Role::Agent,
                    &mut one,
                    &mut caches,
                );
                assert_eq!(one.hits, two.0, "{text} (limit {limit})");
                if normalized {
                    assert_eq!(one_norm.text, two.1, "{text}");
                } else {
                    assert!(two.0.is_empty(), "{text}: not normalized, yet hits");
                    assert!(limit > 0, "the double array always normalizes");
                }
            }
        }
    }

    type Spans = Vec<(usize, usize)>;

    /// What a scan hits of `regex` in `text`, and what searching the whole normalized turn
    /// hits, with the normalization given; `None` when the pack refuses the pattern.
    fn scanned_and_whole(
        regex: &str,
        text: &str,
        repeats: bool,
        separators: bool,
    ) -> Option<(Spans, Spans)> {
        let toml = format!(
            "[pack]\nname = \"t\"\n[[rule]]\nid = \"forbidden.p\"\nkind = \"forbidden\"\n\
             patterns = ['{regex}']\nnormalize = {{ repeats = {repeats}, separators = {separators} }}\n\
             severity = \"minor\"\nmessage = \"m\"\n"
        );
        // Patterns that can never match, or match everywhere, are refused: nothing to scan.
        let Ok(pack) = RulePack::from_toml("t.toml", &toml) else {
            return None;
        };
        let leaf = &pack.rules()[0].leaves()[0];
        let normalizer = Normalizer::new(leaf.normalization);
        let mut norm = NormText::default();
        normalizer.normalize(text, &mut norm);
        let mut whole = Vec::new();
        for needle in &leaf.needles {
            if let Needle::Pattern(p) = needle {
                let (mut cache, mut caps) = (p.regex.create_cache(), p.regex.create_captures());
                p.for_each_hit(
                    &norm.text,
                    0..norm.text.len(),
                    &mut cache,
                    &mut caps,
                    |s, e, _| whole.push((s, e)),
                );
            }
        }
        whole.sort_unstable();
        let mut regexes = Vec::new();
        let matcher = Matcher::new(&[leaf], &[0], &normalizer, &mut regexes).expect("builds");
        let mut found = Found::default();
        matcher.scan(
            &norm.text,
            Role::Agent,
            &mut found,
            &mut Caches::new(&regexes),
        );
        let mut scanned: Vec<(usize, usize)> =
            found.hits.iter().map(|h| (h.start, h.end)).collect();
        scanned.sort_unstable();
        Some((scanned, whole))
    }

    #[test]
    fn an_anchor_that_normalizing_shortens_does_not_cut_a_hit_short() {
        // With `repeats`, the anchor 好好 is found as 好, where 好的 starts too.
        let (scanned, whole) =
            scanned_and_whole("好好|好的呀?", "好的呀", true, true).expect("loads");
        assert_eq!(whole, vec![(0, 9)]);
        assert_eq!(scanned, whole);
    }

    /// Regexes over characters that normalization folds, collapses and skips.
    fn folded_regex() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::collection::vec;
        use proptest::sample::select;
        use proptest::strategy::Strategy;
        const ATOMS: &[&str] = &[
            "好", "好好", "好的", "呀", "的", "ab", "AB", "Ａ", "x", "[0-9]", r"\p{Han}", ".", "-",
            "，", "領",
        ];
        const REPEAT: &[&str] = &["?", "+", "*", "{1,3}", "{2}"];
        select(ATOMS)
            .prop_map(String::from)
            .prop_recursive(3, 12, 4, |inner| {
                proptest::prop_oneof![
                    3 => vec(inner.clone(), 2..4).prop_map(|parts| parts.concat()),
                    1 => (inner.clone(), select(REPEAT)).prop_map(|(a, r)| format!("(?:{a}){r}")),
                    2 => vec(inner.clone(), 2..4).prop_map(|alts| format!("(?:{})", alts.join("|"))),
                    1 => inner.prop_map(|a| format!("(?P<hit>{a})")),
                ]
            })
    }

    /// Those regexes, and alternations of them at the top, where anchors of different
    /// lengths can start at one place.
    fn folded_alternatives() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy;
        proptest::prop_oneof![
            folded_regex(),
            proptest::collection::vec(folded_regex(), 2..4).prop_map(|alts| alts.join("|")),
        ]
    }

    /// Turns made of what those regexes match, and of what normalization folds.
    fn folded_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy;
        const PIECES: &[&str] = &[
            "好",
            "好好",
            "好的",
            "好的呀",
            "呀",
            "的",
            "ab",
            "AB",
            "Ａ",
            "領",
            "领",
            "x",
            "1",
            "，",
            " ",
            "-",
        ];
        proptest::collection::vec(proptest::sample::select(PIECES), 0..10)
            .prop_map(|pieces| pieces.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]

        /// A pattern, however normalization changes its anchors (with `repeats`, 好好 is
        /// found as 好), hits in a scan what searching the whole normalized turn hits.
        #[test]
        fn patterns_hit_in_a_scan_what_the_whole_normalized_turn_holds(
            regex in folded_alternatives(),
            text in folded_text(),
            repeats: bool,
            separators: bool,
        ) {
            if let Some((scanned, whole)) = scanned_and_whole(&regex, &text, repeats, separators) {
                proptest::prop_assert_eq!(scanned, whole, "{} in {}", regex, text);
            }
        }
    }

    #[test]
    fn a_phrase_shared_by_two_rules_hits_both() {
        let rules: &[(&str, &[&str])] = &[("a", &["不行"]), ("b", &["不行", "行"])];
        assert_eq!(scan(rules, "这不行"), vec![(0, 3, 9), (1, 3, 9), (1, 6, 9)]);
    }

    #[test]
    fn agrees_with_brute_force_on_many_texts() {
        let rules: &[(&str, &[&str])] = &[
            ("a", &["ab", "abc", "bcd"]),
            ("b", &["c", "cda", "dab"]),
            ("c", &["aa", "aaa"]),
        ];
        let alphabet = ['a', 'b', 'c', 'd'];
        // Every text of length 6 over a small alphabet: 4096 texts.
        for n in 0..4096u32 {
            let text: String = (0..6)
                .map(|i| alphabet[((n >> (2 * i)) & 3) as usize])
                .collect();
            assert_eq!(scan(rules, &text), naive(rules, &text), "{text}");
        }
    }

    #[test]
    fn agrees_with_brute_force_when_every_literal_overlaps_many() {
        // Every two- and three-letter word over a small alphabet: each literal overlaps the
        // end of many others, and holds others inside.
        let alphabet = ['a', 'b', 'c', 'd'];
        let mut words: Vec<String> = Vec::new();
        for a in alphabet {
            for b in alphabet {
                words.push(format!("{a}{b}"));
                for c in alphabet {
                    words.push(format!("{a}{b}{c}"));
                }
            }
        }
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let (first, second) = words.split_at(words.len() / 2);
        let rules: &[(&str, &[&str])] = &[("a", first), ("b", second)];
        let pack = pack(rules);
        let leaves: Vec<&Leaf> = pack.rules().iter().map(|r| &r.leaves()[0]).collect();
        let matcher = Matcher::new(
            &leaves,
            &[0, 1],
            &Normalizer::new(Normalization::NONE),
            &mut Vec::new(),
        )
        .expect("builds");
        assert_eq!(matcher.literal_count(), words.len());
        for n in 0..4096u32 {
            let text: String = (0..6)
                .map(|i| alphabet[((n >> (2 * i)) & 3) as usize])
                .collect();
            assert_eq!(scan(rules, &text), naive(rules, &text), "{text}");
        }
    }
}
