//! Deciding whether a candidate hit counts: boundaries (clause, word) and the context that makes
//! a hit benign (what comes before or after it, a longer allowed phrase around it, quotation
//! marks).
//!
//! Everything here runs only for candidate hits, never over a whole turn: a turn without a
//! candidate costs nothing, and jieba never sees it.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use jieba_rs::Jieba;

use crate::engine::clause::ContextModel;
use crate::engine::matcher::{Caches, Hit};
use crate::pack::rule::{Boundary, ContextTest, Feature, Leaf};
use crate::text::normalize::{NormText, Normalizer};
use crate::text::pattern::Pattern;
use regex_automata::meta::Regex;
use std::sync::Arc;

/// What a candidate hit of one leaf must satisfy to count: its boundary and its exceptions
/// (`unless`), with every phrase normalized as its text is.
#[derive(Debug, Clone)]
pub(crate) struct Acceptance {
    boundary: Boundary,
    /// Longest first, so that 这个我 is tried before 我.
    subjects: Vec<String>,
    particles: Vec<String>,
    preceded_by: Vec<String>,
    followed_by: Vec<String>,
    /// Regexes that excuse a hit inside their matches, each with its cache slot.
    matches: Vec<(Arc<Pattern>, usize)>,
    quoted: bool,
    has_inside: bool,
    /// The context model's test, with the model for the leaf's normalization.
    context: ContextTest,
    model: Option<Arc<ContextModel>>,
}

impl Acceptance {
    pub(crate) fn new(
        leaf: &Leaf,
        normalizer: &Normalizer,
        model: Option<Arc<ContextModel>>,
        regexes: &mut Vec<Regex>,
    ) -> Acceptance {
        let norm = |list: &[String]| normalizer.words_longest_first(list);
        let unless = &leaf.unless;
        Acceptance {
            boundary: leaf.boundary,
            subjects: norm(&leaf.subjects),
            particles: norm(&leaf.particles),
            preceded_by: norm(&unless.preceded_by),
            followed_by: norm(&unless.followed_by),
            matches: unless
                .compiled
                .iter()
                .map(|p| {
                    regexes.push(p.regex.clone());
                    (p.clone(), regexes.len() - 1)
                })
                .collect(),
            quoted: unless.quoted,
            has_inside: !unless.inside.is_empty(),
            context: leaf.context,
            model: model.filter(|_| !leaf.context.is_empty()),
        }
    }

    /// Whether hits of the rule are always accepted, so that no check need run.
    pub(crate) fn is_trivial(&self) -> bool {
        self.boundary == Boundary::None
            && self.preceded_by.is_empty()
            && self.followed_by.is_empty()
            && self.matches.is_empty()
            && !self.quoted
            && !self.has_inside
            && self.model.is_none()
    }
}

/// What is known about one turn while its candidates are judged; the costly parts (quotes,
/// word boundaries) are worked out at most once, and only when a candidate needs them.
pub(crate) struct TurnContext<'a> {
    pub(crate) original: &'a str,
    pub(crate) norm: &'a NormText,
    /// Occurrences of allowed phrases: (rule, start, end) in normalized offsets.
    pub(crate) allowed: &'a [Hit],
    pub(crate) segmenter: &'a Segmenter,
    quotes: Option<Vec<(usize, usize)>>,
    word_ends: Option<Vec<usize>>,
    /// Apology, reason and next-step words of the turn, found at the first hit that asks: for
    /// each feature that some word gives, the earliest end and the latest start of its words.
    turn_words: Option<Vec<(Feature, usize, usize)>>,
}

impl<'a> TurnContext<'a> {
    pub(crate) fn new(
        original: &'a str,
        norm: &'a NormText,
        allowed: &'a [Hit],
        segmenter: &'a Segmenter,
    ) -> Self {
        TurnContext {
            original,
            norm,
            allowed,
            segmenter,
            quotes: None,
            word_ends: None,
            turn_words: None,
        }
    }

    /// Whether the candidate `hit` (normalized offsets) counts.
    pub(crate) fn accepts(&mut self, c: &Acceptance, hit: Hit, caches: &mut Caches) -> bool {
        let text = self.norm.text.as_str();
        let (start, end) = (hit.start, hit.end);
        match c.boundary {
            Boundary::None => {}
            Boundary::Word => {
                let ends = self.word_ends();
                if ends.binary_search(&start).is_err() || ends.binary_search(&end).is_err() {
                    return false;
                }
            }
            Boundary::Clause => {
                if !self.clause_starts_before(c, start) || !self.clause_ends_after(c, end) {
                    return false;
                }
            }
            Boundary::ClauseEnd => {
                if !self.clause_ends_after(c, end) {
                    return false;
                }
            }
        }
        if c.preceded_by
            .iter()
            .any(|p| text[..start].ends_with(p.as_str()))
        {
            return false;
        }
        if c.followed_by
            .iter()
            .any(|f| text[end..].starts_with(f.as_str()))
        {
            return false;
        }
        if c.has_inside
            && self
                .allowed
                .iter()
                .any(|a| a.target == hit.target && a.start <= start && end <= a.end)
        {
            return false;
        }
        for (pattern, slot) in &c.matches {
            let (cache, caps) = caches.get(*slot);
            let mut inside = false;
            pattern.for_each_hit(text, 0..text.len(), cache, caps, |s, e, _| {
                inside |= s <= start && end <= e;
            });
            if inside {
                return false;
            }
        }
        if c.quoted {
            let (orig_start, orig_end) = self.norm.to_original(start, end);
            if self
                .quotes()
                .iter()
                .any(|&(open, close)| open <= orig_start && orig_end <= close)
            {
                return false;
            }
        }
        if let Some(model) = &c.model {
            return self.context_holds(c.context, model, start, end);
        }
        true
    }

    /// Whether the context model finds what the leaf's `context` test asks of the hit.
    fn context_holds(
        &mut self,
        test: ContextTest,
        model: &ContextModel,
        start: usize,
        end: usize,
    ) -> bool {
        let wanted = test.features();
        let mut found = model.clause_features(self.norm, start, end, wanted, |t| {
            self.segmenter.first_tag(t)
        });
        if wanted.iter().any(Feature::of_turn) {
            let words = self.turn_words.get_or_insert_with(|| {
                let mut reach: Vec<(Feature, usize, usize)> = Vec::new();
                for (s, e, feature) in model.turn_words(&self.norm.text) {
                    match reach.iter_mut().find(|r| r.0 == feature) {
                        Some(r) => {
                            r.1 = r.1.min(e);
                            r.2 = r.2.max(s);
                        }
                        None => reach.push((feature, e, s)),
                    }
                }
                reach
            });
            // A word counts when it lies wholly before or after the hit: the hit's own words
            // (没办法帮您) are not a next step.
            for &(feature, first_end, last_start) in words.iter() {
                if first_end <= start || end <= last_start {
                    found.insert(feature);
                }
            }
        }
        test.holds(found)
    }

    fn clause_starts_before(&self, c: &Acceptance, start: usize) -> bool {
        if self.norm.boundary_before(start) {
            return true;
        }
        let before = &self.norm.text[..start];
        c.subjects
            .iter()
            .any(|s| before.ends_with(s.as_str()) && self.norm.boundary_before(start - s.len()))
    }

    fn clause_ends_after(&self, c: &Acceptance, end: usize) -> bool {
        if self.norm.boundary_after(end) {
            return true;
        }
        // Up to three particles: 不行了啊！
        let mut at = end;
        for _ in 0..3 {
            let Some(p) = c
                .particles
                .iter()
                .find(|p| self.norm.text[at..].starts_with(p.as_str()))
            else {
                return false;
            };
            at += p.len();
            if self.norm.boundary_after(at) {
                return true;
            }
        }
        false
    }

    /// Quoted regions of the original text, as (after the opening mark, at the closing mark).
    fn quotes(&mut self) -> &[(usize, usize)] {
        self.quotes
            .get_or_insert_with(|| quoted_regions(self.original))
    }

    /// Byte offsets in the normalized text where words start or end.
    fn word_ends(&mut self) -> &[usize] {
        if self.word_ends.is_none() {
            self.word_ends = Some(self.segmenter.word_ends(&self.norm.text));
        }
        self.word_ends.as_deref().unwrap_or_default()
    }
}

/// Regions of `text` between matching quotation marks: “…”, ‘…’, 「…」, 『…』, "…" and '…'.
pub(crate) fn quoted_regions(text: &str) -> Vec<(usize, usize)> {
    const PAIRS: [(char, char); 4] = [('“', '”'), ('‘', '’'), ('「', '」'), ('『', '』')];
    let mut regions = Vec::new();
    let mut open: Vec<(char, usize)> = Vec::new();
    for (at, c) in text.char_indices() {
        let inner_start = at + c.len_utf8();
        if let Some(&(_, close)) = PAIRS.iter().find(|(o, _)| *o == c) {
            open.push((close, inner_start));
        } else if c == '"' || c == '\'' || c == '＂' {
            // The same mark opens and closes.
            match open.iter().rposition(|&(close, _)| close == c) {
                Some(i) => {
                    regions.push((open[i].1, at));
                    open.truncate(i);
                }
                None => open.push((c, inner_start)),
            }
        } else if let Some(i) = open.iter().rposition(|&(close, _)| close == c) {
            regions.push((open[i].1, at));
            open.truncate(i);
        }
    }
    regions
}

/// The jieba segmenter, loaded at first use, once per process for the default dictionary (and
/// once per checker when the pack adds words), and never when no rule asks for it.
#[derive(Debug, Default)]
pub(crate) struct Segmenter {
    words: Vec<String>,
    own: OnceLock<Jieba>,
    segmented: Counter,
}

/// A counter on a cache line of its own: threads that segment at the same time bump it, and
/// that should not slow down every thread's reads of the fields beside it.
#[derive(Debug, Default)]
#[repr(align(128))]
struct Counter(AtomicU64);

impl Segmenter {
    pub(crate) fn new(words: Vec<String>) -> Segmenter {
        Segmenter {
            words,
            own: OnceLock::new(),
            segmented: Counter::default(),
        }
    }

    fn jieba(&self) -> &Jieba {
        static DEFAULT: OnceLock<Jieba> = OnceLock::new();
        let default = DEFAULT.get_or_init(Jieba::new);
        if self.words.is_empty() {
            return default;
        }
        self.own.get_or_init(|| {
            let mut jieba = default.clone();
            for word in &self.words {
                jieba.add_word(word, None, None);
            }
            jieba
        })
    }

    /// Sorted byte offsets in `text` where a word starts or ends.
    pub(crate) fn word_ends(&self, text: &str) -> Vec<usize> {
        self.segmented.0.fetch_add(1, Ordering::Relaxed);
        let mut ends = vec![0];
        for token in self.jieba().cut(text, true) {
            ends.push(token.byte_end);
        }
        ends
    }

    /// The part-of-speech tag of the first word of `text`.
    pub(crate) fn first_tag(&self, text: &str) -> Option<&'static str> {
        self.segmented.0.fetch_add(1, Ordering::Relaxed);
        let tags = self.jieba().tag(text, true);
        tags.first().map(|t| tag_name(t.tag))
    }

    /// How many texts have been segmented.
    pub(crate) fn segmented(&self) -> u64 {
        self.segmented.0.load(Ordering::Relaxed)
    }

    /// Whether this checker's segmenter has been needed at all.
    pub(crate) fn loaded(&self) -> bool {
        self.segmented() > 0
    }
}

/// A tag as a static name, so that it outlives the tagger's borrow.
fn tag_name(tag: &str) -> &'static str {
    const TAGS: &[&str] = &[
        "n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "ng", "vn", "r", "m", "v", "a", "d", "y", "u",
        "uj", "ul", "p", "c", "x",
    ];
    TAGS.iter().find(|t| **t == tag).copied().unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_regions_pair_up() {
        let text = "您说的“不知道”是我们服务不到位";
        let regions = quoted_regions(text);
        assert_eq!(regions.len(), 1);
        let (s, e) = regions[0];
        assert_eq!(&text[s..e], "不知道");
        let text = "他说\"不行\"，又说「不管」";
        let inner: Vec<&str> = quoted_regions(text)
            .iter()
            .map(|&(s, e)| &text[s..e])
            .collect();
        assert_eq!(inner, vec!["不行", "不管"]);
        assert!(quoted_regions("没有引号“不闭合").is_empty());
    }
}
