//! Property tests: the fast path (table-driven normalization, one leftmost-longest automaton
//! with containment and overlap links, span mapping) must find exactly what a simple reference
//! finds: normalize character by character, `str::find` every phrase at every position, map
//! back.
//!
//! The inputs are random texts built from the phrases themselves, with traditional and
//! full-width variants, upper case, and separators (spaces, symbols, emoji, zero-width spaces)
//! inserted between characters, plus clause punctuation and filler. The seed is fixed, so a run
//! in CI is repeatable.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::Checker;
use crate::engine::matcher::Hit;
use crate::pack::RulePack;
use crate::text::normalize::{CharKind, Normalization, char_kind, fold_char_slow};
use crate::transcript::Role;

/// Phrases with shared prefixes, suffixes and inner parts, in simplified Chinese and Latin.
const RULES: &[&[&str]] = &[
    &["不知道", "你找领导去"],
    &["知道", "领导"],
    &["道歉", "找领导"],
    &["谢谢", "谢谢您"],
    &["ok", "hello"],
    &["lo", "kk"],
    &["说话呀", "话"],
];

const FILLER: &[&str] = &["的", "我", "您", "是", "了", "a", "K", "1", "说", "谢"];
const SEPARATORS: &[&str] = &[" ", "*", "😀", "\u{200B}", "~", "·", "\u{3000}", "-"];
const CLAUSE: &[&str] = &["，", "。", "！", "?", ","];

fn pack(normalization: Normalization) -> RulePack {
    let mut toml = String::from("[pack]\nname = \"prop\"\n[normalize]\n");
    toml.push_str(&format!(
        "width = {}\ncase = {}\ntraditional = {}\nseparators = {}\nrepeats = {}\n",
        normalization.width,
        normalization.case,
        normalization.traditional,
        normalization.separators,
        normalization.repeats
    ));
    for (i, phrases) in RULES.iter().enumerate() {
        let list: Vec<String> = phrases.iter().map(|p| format!("{p:?}")).collect();
        toml.push_str(&format!(
            "[[rule]]\nid = \"forbidden.r{i}\"\nkind = \"forbidden\"\nphrases = [{}]\nseverity = \"minor\"\nmessage = \"m\"\n",
            list.join(", ")
        ));
    }
    RulePack::from_toml("prop.toml", &toml).expect("valid pack")
}

/// A traditional form of a simplified character, when OpenCC has one.
fn traditional(c: char) -> Option<char> {
    static MAP: std::sync::OnceLock<std::collections::HashMap<char, char>> =
        std::sync::OnceLock::new();
    let map = MAP.get_or_init(|| {
        hanconv::RawDictionary::STCharacters
            .var_iter()
            .filter_map(|(s, t)| Some((s.chars().next()?, t.first()?.chars().next()?)))
            .collect()
    });
    map.get(&c).copied()
}

fn full_width(c: char) -> char {
    match c {
        '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c),
        _ => c,
    }
}

/// Builds a text from random choices: phrases in disguise, filler, clause punctuation, and
/// separators between characters.
fn build_text(choices: &[(u8, u32)]) -> String {
    let mut text = String::new();
    for &(kind, bits) in choices {
        let piece: String = match kind % 4 {
            0 | 1 => {
                let phrases: Vec<&str> = RULES.iter().flat_map(|r| r.iter().copied()).collect();
                phrases[bits as usize % phrases.len()].to_string()
            }
            2 => FILLER[bits as usize % FILLER.len()].to_string(),
            _ => CLAUSE[bits as usize % CLAUSE.len()].to_string(),
        };
        for (i, c) in piece.chars().enumerate() {
            let roll = bits.rotate_left(i as u32 * 5);
            let c = match roll % 5 {
                0 => traditional(c).unwrap_or(c),
                1 => full_width(c),
                2 => c.to_ascii_uppercase(),
                _ => c,
            };
            text.push(c);
            if roll % 7 == 0 {
                text.push_str(SEPARATORS[(roll as usize / 7) % SEPARATORS.len()]);
            }
        }
    }
    text
}

/// The reference: character-by-character normalization into (char, original span), then
/// `str::find` at every position.
fn reference(text: &str, n: Normalization) -> BTreeSet<(u32, usize, usize)> {
    let normalize = |s: &str| -> Vec<(char, usize, usize)> {
        let mut out: Vec<(char, usize, usize)> = Vec::new();
        for (at, c) in s.char_indices() {
            let f = fold_char_slow(c, n.width, n.case, n.traditional);
            if n.separators && char_kind(f) == CharKind::Separator {
                continue;
            }
            if n.repeats && char_kind(f) == CharKind::Text && out.last().is_some_and(|l| l.0 == f) {
                if let Some(last) = out.last_mut() {
                    last.2 = at + c.len_utf8();
                }
                continue;
            }
            out.push((f, at, at + c.len_utf8()));
        }
        out
    };
    let chars = normalize(text);
    let normalized: String = chars.iter().map(|c| c.0).collect();
    // Byte offset in `normalized` of each char index.
    let mut offsets: Vec<usize> = Vec::with_capacity(chars.len() + 1);
    let mut at = 0;
    for c in &chars {
        offsets.push(at);
        at += c.0.len_utf8();
    }
    offsets.push(at);
    let mut found = BTreeSet::new();
    for (rule, phrases) in RULES.iter().enumerate() {
        for phrase in *phrases {
            let needle: String = normalize(phrase).iter().map(|c| c.0).collect();
            if needle.is_empty() {
                continue;
            }
            let mut from = 0;
            while let Some(i) = normalized[from..].find(&needle) {
                let start = from + i;
                let end = start + needle.len();
                let first = offsets.partition_point(|&o| o < start);
                let last = offsets.partition_point(|&o| o < end) - 1;
                found.insert((rule as u32, chars[first].1, chars[last].2));
                from = start + normalized[start..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    found
}

fn fast(checker: &Checker, text: &str) -> BTreeSet<(u32, usize, usize)> {
    let mut hits: Vec<Hit> = Vec::new();
    checker.scan_for_test(text, Role::Agent, &mut hits);
    hits.iter().map(|h| (h.target, h.start, h.end)).collect()
}

fn agree(normalization: Normalization, seed: u8, cases: u32) {
    let checker = pack(normalization).compile().expect("compiles");
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]),
    );
    let strategy = proptest::collection::vec((any::<u8>(), any::<u32>()), 0..14);
    let result = runner.run(&strategy, |choices| {
        let text = build_text(&choices);
        prop_assert_eq!(
            fast(&checker, &text),
            reference(&text, normalization),
            "text: {:?}",
            text
        );
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn fast_matching_agrees_with_the_reference_with_default_normalization() {
    agree(Normalization::DEFAULT, 1, 6000);
}

#[test]
fn fast_matching_agrees_with_the_reference_with_every_fold_and_repeats() {
    agree(
        Normalization {
            repeats: true,
            ..Normalization::DEFAULT
        },
        2,
        3000,
    );
}

#[test]
fn fast_matching_agrees_with_the_reference_without_normalization() {
    agree(Normalization::NONE, 3, 3000);
}

#[test]
fn generated_texts_do_disguise_the_phrases() {
    // The generator must produce the variants the property is about, or it proves little.
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[1; 32]),
    );
    let strategy = proptest::collection::vec((any::<u8>(), any::<u32>()), 0..14);
    let (mut traditional, mut wide, mut separated) = (0, 0, 0);
    for _ in 0..300 {
        let choices = strategy.new_tree(&mut runner).expect("a value").current();
        let text = build_text(&choices);
        traditional += usize::from(text.contains(['導', '謝', '說', '話']));
        wide += usize::from(text.contains(['ｏ', 'ｋ', 'ｈ', 'ｌ']));
        separated += usize::from(text.contains(['😀', '*', '\u{200B}']));
    }
    assert!(
        traditional > 30 && wide > 30 && separated > 30,
        "{traditional} {wide} {separated}"
    );
}
