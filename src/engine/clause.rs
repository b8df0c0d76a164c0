//! The context model: what the clause around a candidate hit, and the rest of its turn, tell
//! about it (mood, subject, what follows, perception, mitigation).
//!
//! It runs only for candidate hits of leaves with a `context` test, never over a clean turn;
//! the part-of-speech tagger (given by the caller) runs only when a hit is followed by 的 and the test asks whether
//! the hit is nominal.

use aho_corasick::{AhoCorasick, MatchKind};
use rustc_hash::FxHashMap;

use crate::pack::rule::{ContextWords, Feature, FeatureSet};
use crate::text::normalize::{NormText, Normalizer};

/// The `[context]` word lists, normalized as the text of one normalization is.
#[derive(Debug)]
pub(crate) struct ContextModel {
    agent: Words,
    third_party: Words,
    customer: Words,
    between: Words,
    question: Words,
    question_end: Words,
    conditional: Words,
    concessive: Words,
    perception: Words,
    nominal: Words,
    reported: Words,
    particles: Words,
    /// Apology, reason and next-step words, searched in the whole turn at most once.
    turn: Option<AhoCorasick>,
    turn_features: Vec<Feature>,
}

/// One word list, longest word first, indexed for the three questions the model asks of it:
/// which word a text ends with, which it starts with, and whether any occurs in it. A list
/// is looked at for every candidate hit, so each question looks only at the words that can
/// answer it (those ending, or starting, with the text's last or first character) or runs
/// one automaton, instead of comparing every word.
#[derive(Debug, Default)]
struct Words {
    words: Vec<String>,
    /// By last character: the indices of the words that end with it, longest first.
    by_last: FxHashMap<char, Vec<u32>>,
    /// By first character: the same for the words that start with it.
    by_first: FxHashMap<char, Vec<u32>>,
    any: Option<AhoCorasick>,
}

impl Words {
    fn new(words: Vec<String>) -> Words {
        let mut by_last: FxHashMap<char, Vec<u32>> = FxHashMap::default();
        let mut by_first: FxHashMap<char, Vec<u32>> = FxHashMap::default();
        for (i, w) in words.iter().enumerate() {
            if let (Some(first), Some(last)) = (w.chars().next(), w.chars().next_back()) {
                by_first.entry(first).or_default().push(i as u32);
                by_last.entry(last).or_default().push(i as u32);
            }
        }
        let any = (!words.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&words)
                    .ok()
            })
            .flatten();
        Words {
            words,
            by_last,
            by_first,
            any,
        }
    }

    /// The longest word that `text` ends with.
    fn suffix_of(&self, text: &str) -> Option<&str> {
        let last = text.chars().next_back()?;
        self.by_last
            .get(&last)?
            .iter()
            .map(|&i| self.words[i as usize].as_str())
            .find(|w| text.ends_with(w))
    }

    /// The longest word that `text` starts with.
    fn prefix_of(&self, text: &str) -> Option<&str> {
        let first = text.chars().next()?;
        self.by_first
            .get(&first)?
            .iter()
            .map(|&i| self.words[i as usize].as_str())
            .find(|w| text.starts_with(w))
    }

    /// Whether any word occurs in `text`.
    fn occurs_in(&self, text: &str) -> bool {
        self.any.as_ref().is_some_and(|ac| ac.is_match(text))
    }

    /// Every occurrence of every word in `text`: (start, end).
    fn occurrences<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
        self.any
            .iter()
            .flat_map(move |ac| ac.find_overlapping_iter(text).map(|m| (m.start(), m.end())))
    }
}

/// Words that, after a subject, make it the one who reports or stands apart: 仓库那边, 师傅说.
const THIRD_PARTY_MARKS: [&str; 7] = ["那边", "那里", "说", "反馈", "表示", "回复", "称"];

impl ContextModel {
    pub(crate) fn new(words: &ContextWords, normalizer: &Normalizer) -> ContextModel {
        let norm = |list: &[String]| normalizer.words_longest_first(list);
        let list = |list: &[String]| Words::new(norm(list));
        let mut turn_words = Vec::new();
        let mut turn_features = Vec::new();
        for (list, feature) in [
            (&words.apology, Feature::Apology),
            (&words.reason, Feature::Reason),
            (&words.next_step, Feature::NextStep),
        ] {
            for word in norm(list) {
                turn_words.push(word);
                turn_features.push(feature);
            }
        }
        let turn = if turn_words.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&turn_words)
                .ok()
        };
        ContextModel {
            agent: list(&words.agent),
            third_party: list(&words.third_party),
            customer: list(&words.customer),
            between: list(&words.between),
            question: list(&words.question),
            question_end: list(&words.question_end),
            conditional: list(&words.conditional),
            concessive: list(&words.concessive),
            perception: list(&words.perception),
            nominal: list(&words.nominal),
            reported: list(&words.reported),
            particles: list(&words.particles),
            turn,
            turn_features,
        }
    }

    /// The apology, reason and next-step words of a turn: (start, end, feature), in
    /// normalized offsets.
    pub(crate) fn turn_words(&self, text: &str) -> Vec<(usize, usize, Feature)> {
        let Some(ac) = &self.turn else {
            return Vec::new();
        };
        ac.find_overlapping_iter(text)
            .map(|m| {
                (
                    m.start(),
                    m.end(),
                    self.turn_features[m.pattern().as_usize()],
                )
            })
            .collect()
    }

    /// The features of the clause around the hit `start..end` (normalized offsets), as far as
    /// `wanted` asks for them.
    pub(crate) fn clause_features(
        &self,
        norm: &NormText,
        start: usize,
        end: usize,
        wanted: FeatureSet,
        first_tag: impl Fn(&str) -> Option<&'static str>,
    ) -> FeatureSet {
        let text = norm.text.as_str();
        let (cs, ce) = clause_around(norm, start, end);
        let before = &text[cs..start];
        let after = &text[end..ce];
        let mut found = FeatureSet::EMPTY;
        if wanted.contains(Feature::Question) {
            let ends_asking = self.question_end.suffix_of(&text[..ce]).is_some()
                || self.question_end.prefix_of(&text[ce..]).is_some();
            let addressed = self
                .customer
                .prefix_of(after)
                .is_some_and(|c| self.question.occurs_in(&after[c.len()..]));
            if ends_asking || addressed || a_not_a(&text[start..end], before) || wonders(after) {
                found.insert(Feature::Question);
            }
        }
        if wanted.contains(Feature::Conditional)
            && (self.conditional.occurs_in(before) || after.contains("的话"))
        {
            found.insert(Feature::Conditional);
        }
        if wanted.contains(Feature::Concessive)
            && (self.concessive.occurs_in(before) || self.concessive.occurs_in(after))
        {
            found.insert(Feature::Concessive);
        }
        if wanted.intersects(
            [Feature::Agent, Feature::ThirdParty, Feature::Customer]
                .into_iter()
                .collect(),
        ) && let Some(subject) = self.subject(before)
        {
            found.insert(subject);
        }
        if wanted.contains(Feature::Perception)
            && (self.perception.suffix_of(before).is_some()
                || before
                    .strip_suffix('得')
                    .is_some_and(|b| self.perception.suffix_of(b).is_some()))
        {
            found.insert(Feature::Perception);
        }
        if wanted.contains(Feature::Reported) && self.relays(sentence_before(text, start)) {
            found.insert(Feature::Reported);
        }
        let rest = self.strip_particles(after);
        if wanted.contains(Feature::Final) && rest.is_empty() {
            found.insert(Feature::Final);
        }
        if wanted.contains(Feature::Nominal)
            && (self.nominal.suffix_of(before).is_some() || self.modifies_noun(after, first_tag))
        {
            found.insert(Feature::Nominal);
        }
        found
    }

    /// The subject of the predicate that ends where `before` ends: the agent's side, a third
    /// party or the customer, skipping adverbs and the like (`between`) in front of the hit.
    fn subject(&self, before: &str) -> Option<Feature> {
        let mut rest = before;
        let mut marked = false;
        for _ in 0..6 {
            let mut best: Option<(usize, Feature)> = None;
            for (list, feature) in [
                (&self.agent, Feature::Agent),
                (&self.third_party, Feature::ThirdParty),
                (&self.customer, Feature::Customer),
            ] {
                if let Some(w) = list.suffix_of(rest)
                    && best.is_none_or(|(len, _)| w.len() > len)
                {
                    best = Some((w.len(), feature));
                }
            }
            if let Some((_, feature)) = best {
                return Some(feature);
            }
            if let Some(mark) = THIRD_PARTY_MARKS.iter().find(|m| rest.ends_with(**m)) {
                rest = &rest[..rest.len() - mark.len()];
                marked = true;
                continue;
            }
            match self.between.suffix_of(rest) {
                Some(w) => rest = &rest[..rest.len() - w.len()],
                None => break,
            }
        }
        // Someone not on either side said it, or is over there: 师傅那边, 设计师说.
        (marked && !rest.is_empty()).then_some(Feature::ThirdParty)
    }

    /// Whether `sentence` relays what someone said (您是说…, 跟您说…), as opposed to naming it
    /// (您反映的问题, 您说的情况).
    fn relays(&self, sentence: &str) -> bool {
        self.reported
            .occurrences(sentence)
            .any(|(_, end)| !sentence[end..].starts_with('的'))
    }

    /// What is left of `after` once leading sentence-final particles are taken off.
    fn strip_particles<'t>(&self, after: &'t str) -> &'t str {
        let mut rest = after;
        for _ in 0..6 {
            match self.particles.prefix_of(rest) {
                Some(p) => rest = &rest[p.len()..],
                None => break,
            }
        }
        rest
    }

    /// Whether the hit is followed by 的 and a noun: 不清楚的地方, but not 不清楚的呢 or
    /// 不清楚的亲.
    fn modifies_noun(&self, after: &str, first_tag: impl Fn(&str) -> Option<&'static str>) -> bool {
        let Some(head) = after.strip_prefix('的') else {
            return false;
        };
        if head.is_empty() || self.particles.prefix_of(head).is_some() {
            return false;
        }
        // A headless 的 phrase as the subject: 不清楚的都可以问我.
        if head.starts_with('都') || head.starts_with('也') {
            return true;
        }
        first_tag(head)
            .is_some_and(|tag| tag.starts_with('n') || tag == "vn" || tag == "r" || tag == "m")
    }
}

/// How far the context model reads from a hit, in characters each way: a clause or sentence
/// longer than this (speech recognition can give a whole turn without punctuation) is read
/// only this far from the hit, so that a turn's hits cost time in proportion to the turn and
/// not to its square. No word this far from a hit still qualifies it.
pub(crate) const REACH: usize = 200;

/// The text of the sentence before normalized offset `at`: from the last 。！？；, or a line
/// break, before it, and no more than `REACH` characters.
fn sentence_before(text: &str, at: usize) -> &str {
    let before = &text[..at];
    let before = match before.char_indices().rev().nth(REACH - 1) {
        Some((i, _)) => &before[i..],
        None => before,
    };
    let from = before
        .rfind(['。', '！', '？', '!', '?', '；', ';', '\n'])
        .map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
    &before[from..]
}

/// Whether `after` opens with an A-not-A question or 是否 (不知道是不是网络的原因, 不清楚能否
///退): the agent wonders aloud rather than refusing.
fn wonders(after: &str) -> bool {
    if after.starts_with("是否") || after.starts_with("能否") {
        return true;
    }
    let mut chars = after.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some(a), Some('不' | '没'), Some(b)) => a == b,
        _ => false,
    }
}

/// Whether a hit that starts with 不 is the second half of an A-not-A question: 清|不清楚,
/// 行|不行, 知|不知道.
fn a_not_a(hit: &str, before: &str) -> bool {
    let Some(rest) = hit.strip_prefix('不') else {
        return false;
    };
    let rest = ["太", "是很", "大"]
        .iter()
        .find_map(|m| rest.strip_prefix(m))
        .unwrap_or(rest);
    rest.chars().next().is_some_and(|c| before.ends_with(c))
}

/// The clause around normalized `start..end`: from the clause boundary before it to the one
/// after it, reaching no more than `REACH` characters beyond the hit on either side.
fn clause_around(norm: &NormText, start: usize, end: usize) -> (usize, usize) {
    let text = norm.text.as_str();
    let mut cs = start;
    for _ in 0..REACH {
        if norm.boundary_before(cs) {
            break;
        }
        cs -= text[..cs].chars().next_back().map_or(1, char::len_utf8);
    }
    let mut ce = end;
    for _ in 0..REACH {
        if norm.boundary_after(ce) {
            break;
        }
        ce += text[ce..].chars().next().map_or(1, char::len_utf8);
    }
    (cs, ce)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::{Normalization, Normalizer};

    fn norm(text: &str) -> NormText {
        let mut out = NormText::default();
        Normalizer::new(Normalization::DEFAULT).normalize(text, &mut out);
        out
    }

    #[test]
    fn a_clause_is_read_to_its_boundaries() {
        let n = norm("您好，我这边不知道呢，抱歉");
        let start = n.text.find("不知道").expect("there");
        let (cs, ce) = clause_around(&n, start, start + "不知道".len());
        assert_eq!(&n.text[cs..ce], "我这边不知道呢");
        assert_eq!(sentence_before(&n.text, start), "您好,我这边");
    }

    /// A clause with no boundary for thousands of characters is read `REACH` characters each
    /// way from the hit, so that the hits of a long turn cost time in proportion to it.
    #[test]
    fn a_clause_without_boundaries_is_read_only_so_far() {
        let filler = "那个就是说".repeat(1000);
        let n = norm(&format!("{filler}不知道{filler}"));
        let start = filler.len();
        let end = start + "不知道".len();
        let (cs, ce) = clause_around(&n, start, end);
        assert_eq!(n.text[cs..start].chars().count(), REACH);
        assert_eq!(n.text[end..ce].chars().count(), REACH);
        assert_eq!(sentence_before(&n.text, start).chars().count(), REACH);
        // Short of the reach, the start of the text is the boundary.
        let n = norm(&format!("那个不知道{filler}"));
        let start = "那个".len();
        assert_eq!(clause_around(&n, start, start + "不知道".len()).0, 0);
    }
}
