//! Normalization: folding real agent text (traditional characters, full-width letters, case,
//! separators between characters, repeated characters) into the form the rules are written
//! in, while remembering where every character came from so that findings point at the
//! original text.
//!
//! One pass over the text does everything: each character is looked up once in a table built
//! at first use, and appended to a reusable buffer with its original span.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::OnceLock;

use regex_syntax::hir::{Class, HirKind};

/// What takes each character `Normalizer::normalize_with` writes, with the byte offset in the
/// normalized text where it ends.
pub(crate) trait EachChar {
    fn char(&mut self, c: char, end: usize);
}

impl EachChar for () {
    #[inline(always)]
    fn char(&mut self, _: char, _: usize) {}
}

/// How text, and the phrases that match it, are folded before matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Normalization {
    /// Full-width letters, digits and punctuation become half-width (`ＡＢ１` → `AB1`).
    pub width: bool,
    /// Letters become lower case (simple, one-to-one case folding).
    pub case: bool,
    /// Traditional characters and their Taiwan and Hong Kong variants become simplified
    /// (`領導` → `领导`), by OpenCC's character tables.
    pub traditional: bool,
    /// Spaces, symbols, emoji and punctuation other than clause punctuation are skipped, so
    /// that `不 知 道` and `不*知*道` match `不知道`. Clause punctuation (，。！？；：、) is kept:
    /// a phrase never matches across it.
    pub separators: bool,
    /// A character repeated right after itself counts once (`不不知道` → `不知道`). Off by
    /// default: it also turns `谢谢` into `谢`, so enable it only for rules written for it.
    pub repeats: bool,
}

impl Normalization {
    /// Every fold on except `repeats`: the default for packs.
    pub const DEFAULT: Normalization = Normalization {
        width: true,
        case: true,
        traditional: true,
        separators: true,
        repeats: false,
    };

    /// No folding at all: text is matched exactly as written.
    pub const NONE: Normalization = Normalization {
        width: false,
        case: false,
        traditional: false,
        separators: false,
        repeats: false,
    };

    /// The names of the options, as written in packs.
    pub(crate) const KEYS: [&'static str; 5] =
        ["width", "case", "traditional", "separators", "repeats"];

    pub(crate) fn set(&mut self, key: &str, on: bool) {
        match key {
            "width" => self.width = on,
            "case" => self.case = on,
            "traditional" => self.traditional = on,
            "separators" => self.separators = on,
            "repeats" => self.repeats = on,
            _ => {}
        }
    }

    fn fold_index(&self) -> usize {
        usize::from(self.width) | usize::from(self.case) << 1 | usize::from(self.traditional) << 2
    }
}

impl Normalization {
    /// The text as the rules see it under these options: useful to understand why a phrase
    /// does or does not match.
    ///
    /// ```
    /// use huashu::Normalization;
    /// assert_eq!(Normalization::DEFAULT.apply("你找 領導 去呀！"), "你找领导去呀!");
    /// ```
    pub fn apply(&self, text: &str) -> String {
        let mut out = NormText::default();
        Normalizer::new(*self).normalize(text, &mut out);
        out.text
    }
}

impl Default for Normalization {
    fn default() -> Self {
        Normalization::DEFAULT
    }
}

/// What a character is to matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CharKind {
    /// Letters, digits, CJK: matched.
    Text,
    /// Ends a clause: kept in normalized text, so that no phrase matches across it.
    Clause,
    /// Spaces, symbols, emoji, quotes and other punctuation: skipped when `separators` is on,
    /// and marking a boundary either way.
    Separator,
}

/// Clause punctuation, after width folding.
const CLAUSE: &str = ",.!?;:。、…‥\n";

struct Tables {
    /// Per BMP character: its kind.
    kinds: Box<[CharKind]>,
    /// Astral ranges of separator characters (emoji, symbols), sorted.
    astral_separators: Vec<(u32, u32)>,
    /// Traditional → simplified for every character OpenCC maps.
    t2s: HashMap<char, char>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut kinds = vec![CharKind::Text; 0x10000].into_boxed_slice();
        let mut astral_separators = Vec::new();
        // Unicode's own classes, through the regex engine's tables: spaces, punctuation,
        // symbols (emoji among them), format and control characters, combining marks, and
        // the characters meant to be invisible (Hangul fillers such as U+3164 are letters by
        // category, and are used to split a word past a filter).
        let hir = regex_syntax::parse(
            r"[\p{Z}\p{P}\p{S}\p{Cf}\p{Cc}\p{M}\p{Default_Ignorable_Code_Point}]",
        )
        .expect("a valid class");
        if let HirKind::Class(Class::Unicode(class)) = hir.kind() {
            for range in class.ranges() {
                let (start, end) = (range.start() as u32, range.end() as u32);
                for c in start..=end.min(0xFFFF) {
                    kinds[c as usize] = CharKind::Separator;
                }
                if end > 0xFFFF {
                    astral_separators.push((start.max(0x10000), end));
                }
            }
        }
        for c in CLAUSE.chars() {
            kinds[c as usize] = CharKind::Clause;
        }
        Tables {
            kinds,
            astral_separators,
            t2s: traditional_to_simplified(),
        }
    })
}

/// The traditional → simplified character map, from OpenCC's tables: traditional characters
/// to simplified ones (TSCharacters), every traditional form a simplified character stands for
/// (the reverse of STCharacters, so that 看著 folds like 看着), and Taiwan and Hong Kong
/// variants through their standard form.
///
/// A few characters are both traditional and simplified (著 in 显著 and in 看著); they fold to
/// one form in the text and in the phrases alike, so matching stays consistent.
fn traditional_to_simplified() -> HashMap<char, char> {
    let single = |s: &str| {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        }
    };
    let mut map: HashMap<char, char> = HashMap::default();
    for (k, v) in hanconv::RawDictionary::TSCharacters.iter() {
        if let (Some(k), Some(v)) = (single(k), single(v)) {
            map.insert(k, v);
        }
    }
    // What TSCharacters produces is simplified text: never fold it further (么 is the
    // simplified form of 麼, not a variant of 幺).
    let outputs: HashSet<char> = map.values().copied().collect();
    for (simplified, traditional) in hanconv::RawDictionary::STCharacters.var_iter() {
        let Some(simplified) = single(simplified) else {
            continue;
        };
        for t in traditional.into_iter().filter_map(single) {
            if t != simplified && !outputs.contains(&t) {
                map.entry(t).or_insert(simplified);
            }
        }
    }
    for dict in [
        hanconv::Dictionary::TWVariantsRev,
        hanconv::Dictionary::HKVariantsRev,
    ] {
        for (variant, standard) in dict.iter() {
            if let (Some(variant), Some(standard)) = (single(variant), single(standard)) {
                // A standard form with no simplified one is simplified already (著 → 着).
                let s = map.get(&standard).copied().unwrap_or(standard);
                if s != variant && !outputs.contains(&variant) {
                    map.entry(variant).or_insert(s);
                }
            }
        }
    }
    // Fold chains to their end, so that one lookup is enough (a → b → c becomes a → c).
    let keys: Vec<char> = map.keys().copied().collect();
    for k in keys {
        let mut target = map[&k];
        for _ in 0..4 {
            match map.get(&target) {
                Some(&next) if next != target && next != k => target = next,
                _ => break,
            }
        }
        map.insert(k, target);
    }
    map.retain(|k, v| k != v);
    map
}

/// Per BMP character, for one combination of width, case and traditional folding: the folded
/// character, and the kind of the folded character.
struct FoldTable {
    chars: Box<[char; 0x10000]>,
    kinds: Box<[CharKind; 0x10000]>,
}

fn fold_table(n: &Normalization) -> &'static FoldTable {
    static TABLES: [OnceLock<FoldTable>; 8] = [const { OnceLock::new() }; 8];
    TABLES[n.fold_index()].get_or_init(|| {
        let t = tables();
        // Made on the heap: a quarter of a megabyte would not fit every thread's stack.
        let mut chars: Box<[char; 0x10000]> = heap_array('\0');
        let mut kinds: Box<[CharKind; 0x10000]> = heap_array(CharKind::Text);
        // `fold_char_slow` of every character, without calling it for every character: outside
        // `MAY_FOLD`, only the traditional → simplified map changes a character, so the table
        // starts as that map and only the characters in `MAY_FOLD` are folded one by one.
        for (u, folded) in chars.iter_mut().enumerate() {
            *folded = char::from_u32(u as u32).unwrap_or('\u{FFFD}');
        }
        if n.traditional {
            for (&from, &to) in &t.t2s {
                if let Some(folded) = chars.get_mut(from as usize) {
                    *folded = to;
                }
            }
        }
        for &(first, last) in MAY_FOLD {
            for u in first..=last {
                if let Some(c) = char::from_u32(u) {
                    chars[u as usize & 0xFFFF] = fold_char_slow(c, n.width, n.case, n.traditional);
                }
            }
        }
        for (kind, &folded) in kinds.iter_mut().zip(chars.iter()) {
            *kind = kind_in(t, folded);
        }
        FoldTable { chars, kinds }
    })
}

/// The BMP characters that some fold other than traditional → simplified can change:
/// compatibility ideographs and radicals (`unify_ideograph`), full-width forms and the
/// ideographic space (`width`), and every block with a lower-case mapping (`case`). The test
/// `the_fold_table_is_the_slow_fold_of_every_character` holds this list to Unicode's.
const MAY_FOLD: &[(u32, u32)] = &[
    (0x0041, 0x058F),
    (0x10A0, 0x10FF),
    (0x13A0, 0x13FF),
    (0x1C80, 0x218F),
    (0x24B6, 0x24E9),
    (0x2C00, 0x2D2F),
    (0x2E80, 0x2FDF),
    (0x3000, 0x3000),
    (0xA640, 0xA7FF),
    (0xF900, 0xFAFF),
    (0xFF01, 0xFF5E),
];

fn heap_array<T: Copy, const N: usize>(value: T) -> Box<[T; N]> {
    match vec![value; N].into_boxed_slice().try_into() {
        Ok(array) => array,
        Err(_) => unreachable!("a vector of N elements is an array of N"),
    }
}

impl std::fmt::Debug for FoldTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FoldTable")
    }
}

/// Folds one character by the rules themselves, without tables (used to build the tables, for
/// characters outside the BMP, and by the reference implementation in tests).
pub(crate) fn fold_char_slow(c: char, width: bool, case: bool, traditional: bool) -> char {
    let mut c = unify_ideograph(c);
    if width {
        c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        };
    }
    // Han and Hangul syllables have no case: most of the table skips the case lookup.
    if case && !matches!(c as u32, 0x3400..=0x9FFF | 0xAC00..=0xD7A3) {
        let mut lower = c.to_lowercase();
        if let (Some(l), None) = (lower.next(), lower.next()) {
            c = l;
        }
    }
    if traditional {
        if let Some(&s) = tables().t2s.get(&c) {
            c = s;
        }
    }
    c
}

/// A CJK compatibility ideograph (U+F900–U+FAFF, U+2F800–U+2FA1F) as the unified ideograph it
/// is canonically equivalent to, and a Kangxi or supplementary radical (U+2E80–U+2FDF) as the
/// ideograph it looks like: 不 (U+F967) is 不, ⼈ (U+2F08) is 人. Both are used to write a word
/// past a filter; every normalization folds them.
fn unify_ideograph(c: char) -> char {
    let u = c as u32;
    let compatibility = (0xF900..=0xFAFF).contains(&u) || (0x2F800..=0x2FA1F).contains(&u);
    let radical = (0x2E80..=0x2FDF).contains(&u);
    if !compatibility && !radical {
        return c;
    }
    let mut out = None;
    let mut count = 0;
    let mut one = |d: char| {
        count += 1;
        out = Some(d);
    };
    if compatibility {
        unicode_normalization::char::decompose_canonical(c, &mut one);
    } else {
        unicode_normalization::char::decompose_compatible(c, &mut one);
    }
    match (count, out) {
        (1, Some(d)) => d,
        _ => c,
    }
}

/// The kind of an already folded character.
pub(crate) fn char_kind(c: char) -> CharKind {
    kind_in(tables(), c)
}

/// `char_kind` with the tables at hand, for loops over many characters.
#[inline]
fn kind_in(t: &Tables, c: char) -> CharKind {
    let u = c as u32;
    if u < 0x10000 {
        t.kinds[u as usize]
    } else if t
        .astral_separators
        .binary_search_by(|&(s, e)| {
            if e < u {
                std::cmp::Ordering::Less
            } else if s > u {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
    {
        CharKind::Separator
    } else {
        CharKind::Text
    }
}

/// A run of normalized characters whose bytes map one to one, in order, onto the original's
/// from `orig` on, except that the run's last character ends at `orig_end` in the original
/// (it may have been folded to another length, or have repeats collapsed into it). Only
/// where that stops being so does a new run start: text that folds to itself, or to
/// characters of the same length, is one run however long, and normalizing it writes
/// nothing for each character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    /// Byte offset in the normalized text of the run's first character.
    at: u32,
    /// Byte offset in the original text of the run's first character.
    orig: u32,
    /// Where the run's last character ends in the original text.
    orig_end: u32,
    /// Separators were skipped right before the run's first character (and so a character
    /// after skipped separators always starts a run).
    gap_before: bool,
}

/// Normalized text and where its characters came from, as runs. Reused between turns, so
/// that normalizing allocates nothing once warmed up.
#[derive(Clone, Debug, Default)]
pub(crate) struct NormText {
    pub(crate) text: String,
    runs: Vec<Run>,
    orig_len: u32,
}

impl NormText {
    /// Adds a character (or a stretch of characters that fold to themselves) written at `at`
    /// from `orig_start..orig_end` of the original: to the last run if it carries on its
    /// one-to-one mapping, else as a new run. It carries it on only if nothing lies between
    /// (the last character ends where this one starts, and no separators were skipped) and
    /// the offsets still agree. The offsets alone are not enough: a character folded to a
    /// longer one (Ⱥ to ⱥ, 嗰 to 𠮶, one byte more) and then a one-byte separator skipped
    /// bring them back into line.
    #[inline(always)]
    fn add(&mut self, at: usize, orig_start: usize, orig_end: usize, gap_before: bool) {
        if !gap_before
            && let Some(last) = self.runs.last_mut()
            && last.orig_end as usize == orig_start
            && last.orig as usize + (at - last.at as usize) == orig_start
        {
            last.orig_end = orig_end as u32;
            return;
        }
        self.runs.push(Run {
            at: at as u32,
            orig: orig_start as u32,
            orig_end: orig_end as u32,
            gap_before,
        });
    }

    /// The run holding the character that starts at normalized offset `at` (< the text's
    /// length), or that ends at `at` when `ending`.
    fn run_of(&self, at: usize, ending: bool) -> usize {
        let after = if ending {
            self.runs.partition_point(|r| (r.at as usize) < at)
        } else {
            self.runs.partition_point(|r| (r.at as usize) <= at)
        };
        after - 1
    }

    /// The original byte range of a normalized byte range (at character boundaries): from
    /// its first character's start to its last character's end.
    pub(crate) fn to_original(&self, start: usize, end: usize) -> (usize, usize) {
        debug_assert!(
            start <= end && self.text.is_char_boundary(start) && self.text.is_char_boundary(end),
            "{start}..{end} is not a range between characters of {:?}",
            self.text
        );
        if start >= self.text.len() {
            return (self.orig_len as usize, self.orig_len as usize);
        }
        let run = &self.runs[self.run_of(start, false)];
        let orig_start = run.orig as usize + (start - run.at as usize);
        if end == start {
            return (orig_start, orig_start);
        }
        let i = self.run_of(end, true);
        let run = &self.runs[i];
        let run_end = self
            .runs
            .get(i + 1)
            .map_or(self.text.len(), |r| r.at as usize);
        let orig_end = if end == run_end {
            run.orig_end as usize
        } else {
            run.orig as usize + (end - run.at as usize)
        };
        (orig_start, orig_end)
    }

    /// Whether a clause ends right before normalized offset `at`: the start of the text,
    /// clause punctuation or another non-text character, or skipped separators.
    pub(crate) fn boundary_before(&self, at: usize) -> bool {
        if at == 0 {
            return true;
        }
        if self.text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| char_kind(c) != CharKind::Text)
        {
            return true;
        }
        self.gap_is_boundary(at)
    }

    /// Whether a clause ends right at normalized offset `at`: the end of the text, clause
    /// punctuation or another non-text character, or skipped separators.
    pub(crate) fn boundary_after(&self, at: usize) -> bool {
        if at >= self.text.len() {
            return true;
        }
        if self.text[at..]
            .chars()
            .next()
            .is_some_and(|c| char_kind(c) != CharKind::Text)
        {
            return true;
        }
        self.gap_is_boundary(at)
    }

    /// Whether separators were skipped right before the character at `at` (at the end of
    /// the text, there is always a gap).
    fn gap_before(&self, at: usize) -> bool {
        at >= self.text.len()
            || self
                .runs
                .binary_search_by_key(&at, |r| r.at as usize)
                .is_ok_and(|i| self.runs[i].gap_before)
    }

    /// Whether separators skipped right before the character at `at` end a clause. In
    /// letter-spaced text (不 管 怎 样), where the characters on both sides stand alone
    /// between separators, the separators only space the letters out and end nothing.
    fn gap_is_boundary(&self, at: usize) -> bool {
        let alone = |x: usize| {
            let next = self.text[x..]
                .chars()
                .next()
                .map_or(x, |c| x + c.len_utf8());
            (x == 0 || self.gap_before(x)) && self.gap_before(next)
        };
        self.gap_before(at)
            && !(at > 0
                && alone(
                    at - self.text[..at]
                        .chars()
                        .next_back()
                        .map_or(0, char::len_utf8),
                )
                && alone(at))
    }
}

/// The code point of the character of valid UTF-8 `bytes` that starts at `at`, and where the
/// next one starts. The lead byte gives the length, as `str::chars` decodes; this is the same
/// without the checks a `&str`'s bytes never need.
#[inline(always)]
fn decode(bytes: &[u8], at: usize) -> (u32, usize) {
    let lead = u32::from(bytes[at]);
    if lead < 0x80 {
        return (lead, at + 1);
    }
    let b1 = u32::from(bytes[at + 1] & 0x3F);
    if lead < 0xE0 {
        return (((lead & 0x1F) << 6) | b1, at + 2);
    }
    let b2 = u32::from(bytes[at + 2] & 0x3F);
    if lead < 0xF0 {
        return (((lead & 0x0F) << 12) | (b1 << 6) | b2, at + 3);
    }
    let b3 = u32::from(bytes[at + 3] & 0x3F);
    (((lead & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3, at + 4)
}

/// The iterator of `Normalizer::written`.
pub(crate) struct Written<'a> {
    normalizer: &'a Normalizer,
    bytes: &'a [u8],
    at: usize,
    previous: u32,
}

impl Iterator for Written<'_> {
    type Item = char;

    #[inline(always)]
    fn next(&mut self) -> Option<char> {
        let options = &self.normalizer.options;
        while self.at < self.bytes.len() {
            let (u, end) = decode(self.bytes, self.at);
            self.at = end;
            let (folded, kind) = self.normalizer.fold_kind(u);
            let dropped = (options.separators && kind == CharKind::Separator)
                || (options.repeats && kind == CharKind::Text && self.previous == folded as u32);
            if !dropped {
                self.previous = folded as u32;
                return Some(folded);
            }
        }
        None
    }
}

/// A compiled normalization: the options and the folding table for them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Normalizer {
    options: Normalization,
    table: &'static FoldTable,
}

impl Normalizer {
    pub(crate) fn new(options: Normalization) -> Normalizer {
        Normalizer {
            options,
            table: fold_table(&options),
        }
    }

    pub(crate) fn options(&self) -> Normalization {
        self.options
    }

    #[inline]
    fn fold(&self, c: char) -> char {
        let u = c as u32;
        if u < 0x10000 {
            self.table.chars[u as usize & 0xFFFF]
        } else {
            let n = &self.options;
            fold_char_slow(c, n.width, n.case, n.traditional)
        }
    }

    /// A character, given as its code point, folded, with the kind of what it folds to.
    #[inline(always)]
    fn fold_kind(&self, u: u32) -> (char, CharKind) {
        if u < 0x10000 {
            let i = u as usize & 0xFFFF;
            (self.table.chars[i], self.table.kinds[i])
        } else {
            let folded = self.fold(char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER));
            (folded, char_kind(folded))
        }
    }

    /// Normalizes `text` into `out`, replacing what it held.
    ///
    /// Most characters fold to themselves: the text between two that do not is copied in one
    /// piece rather than character by character.
    pub(crate) fn normalize(&self, text: &str, out: &mut NormText) {
        self.normalize_with(text, out, &mut ());
    }

    /// `normalize`, handing each character written to `each` with the byte offset in
    /// `out.text` where it ends, in order: a scan can run in the same pass.
    #[inline(always)]
    pub(crate) fn normalize_with(&self, text: &str, out: &mut NormText, each: &mut impl EachChar) {
        let (skip, collapse) = (self.options.separators, self.options.repeats);
        out.text.clear();
        out.runs.clear();
        out.orig_len = text.len() as u32;
        out.text.reserve(text.len());
        let bytes = text.as_bytes();
        // Separators were skipped since the last character written.
        let mut gap = false;
        // The last character written, as a code point; none yet.
        let mut previous = u32::MAX;
        // Original text from `copy_from` on folds to itself and is not yet in `out.text`.
        let mut copy_from = 0;
        // Where `copy_from` lands in `out.text`.
        let mut copy_to = 0;
        let mut at = 0;
        while at < bytes.len() {
            let (u, end) = decode(bytes, at);
            let (folded, kind) = self.fold_kind(u);
            let dropped = (skip && kind == CharKind::Separator)
                || (collapse && kind == CharKind::Text && previous == folded as u32);
            if dropped || folded as u32 != u {
                // The text that folded to itself up to here is copied, as one stretch.
                if at > copy_from {
                    out.text.push_str(&text[copy_from..at]);
                    out.add(copy_to, copy_from, at, gap);
                    gap = false;
                }
                if dropped {
                    if kind == CharKind::Separator {
                        gap = true;
                    } else {
                        if let Some(last) = out.runs.last_mut() {
                            last.orig_end = end as u32;
                        }
                        gap = false;
                    }
                } else {
                    out.add(out.text.len(), at, end, gap);
                    out.text.push(folded);
                    each.char(folded, out.text.len());
                    previous = folded as u32;
                    gap = false;
                }
                copy_from = end;
                copy_to = out.text.len();
                at = end;
                continue;
            }
            each.char(folded, copy_to + end - copy_from);
            previous = u;
            at = end;
        }
        if bytes.len() > copy_from {
            out.text.push_str(&text[copy_from..]);
            out.add(copy_to, copy_from, bytes.len(), gap);
        }
    }

    /// The characters `normalize` writes for `text`, in order, without writing them anywhere
    /// or keeping where they came from: enough to tell whether a scan of the normalized text
    /// could find anything.
    pub(crate) fn written<'a>(&'a self, text: &'a str) -> Written<'a> {
        Written {
            normalizer: self,
            bytes: text.as_bytes(),
            at: 0,
            previous: u32::MAX,
        }
    }

    /// Whether normalizing `text` leaves it as it is: nothing folded, skipped or collapsed.
    /// The same answer as comparing `normalize`'s output with `text`, without making it.
    pub(crate) fn leaves_unchanged(&self, text: &str) -> bool {
        let (skip, collapse) = (self.options.separators, self.options.repeats);
        let mut previous: Option<char> = None;
        for c in text.chars() {
            let (folded, kind) = self.fold_kind(c as u32);
            if folded != c {
                return false;
            }
            if (skip && kind == CharKind::Separator)
                || (collapse && kind == CharKind::Text && previous == Some(folded))
            {
                return false;
            }
            previous = Some(folded);
        }
        true
    }

    /// A regex written against raw text, rewritten to run on normalized text: non-ASCII
    /// characters are folded like the text (a folded character that is a regex
    /// metacharacter is escaped, so `（` becomes `\(`), and with case folding the regex
    /// ignores case. ASCII is left alone, so escapes such as `\D` keep their meaning.
    pub(crate) fn pattern(&self, source: &str) -> String {
        let mut out = String::with_capacity(source.len() + 4);
        if self.options.case {
            out.push_str("(?i)");
        }
        for c in source.chars() {
            if c.is_ascii() {
                out.push(c);
                continue;
            }
            let folded = self.fold(c);
            if folded.is_ascii() && regex_syntax::is_meta_character(folded) {
                out.push('\\');
            }
            out.push(folded);
        }
        out
    }

    /// Whether normalization skips `c` wherever it is (a space, a symbol: separators are
    /// skipped, and `c` is one once folded). A pattern that needs it can never match
    /// normalized text.
    pub(crate) fn skips(&self, c: char) -> bool {
        self.options.separators && char_kind(self.fold(c)) == CharKind::Separator
    }

    /// What normalization turns `c` into (itself, mostly).
    pub(crate) fn folded(&self, c: char) -> char {
        self.fold(c)
    }

    /// Whether normalized text never holds `c`: normalization skips it, or turns it into
    /// another character (a full-width letter, a traditional character, a radical). Folding
    /// is idempotent, so every other character can be there.
    pub(crate) fn leaves_out(&self, c: char) -> bool {
        self.skips(c) || self.fold(c) != c
    }

    /// A phrase in normalized form.
    pub(crate) fn phrase(&self, phrase: &str) -> String {
        let mut out = NormText::default();
        self.normalize(phrase, &mut out);
        out.text
    }

    /// Words normalized as the text is, without empty or repeated ones, longest first, so
    /// that 这个我 is tried before 我.
    pub(crate) fn words_longest_first(&self, list: &[String]) -> Vec<String> {
        let mut out: Vec<String> = list
            .iter()
            .map(|p| self.phrase(p))
            .filter(|p| !p.is_empty())
            .collect();
        out.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str) -> (String, Vec<(usize, usize)>) {
        let mut out = NormText::default();
        Normalizer::new(Normalization::DEFAULT).normalize(text, &mut out);
        let spans = out
            .text
            .char_indices()
            .map(|(i, c)| out.to_original(i, i + c.len_utf8()))
            .collect();
        (out.text, spans)
    }

    /// One character `normalize` writes: where it is, where it came from, and whether
    /// separators were skipped right before it.
    #[derive(Clone, Copy, Debug)]
    struct Written {
        at: usize,
        orig_start: usize,
        orig_end: usize,
        gap_before: bool,
    }

    /// What `normalize` writes, worked out one character at a time, with every character's
    /// origin: the model the runs of `NormText` must agree with.
    fn one_by_one(normalizer: &Normalizer, text: &str) -> (String, Vec<Written>) {
        let options = normalizer.options;
        let (mut out, mut chars) = (String::new(), Vec::<Written>::new());
        let (mut gap, mut previous) = (false, None);
        for (i, c) in text.char_indices() {
            let end = i + c.len_utf8();
            let (folded, kind) = normalizer.fold_kind(c as u32);
            if options.separators && kind == CharKind::Separator {
                gap = true;
            } else if options.repeats && kind == CharKind::Text && previous == Some(folded) {
                // A repeat collapses into the character before it.
                if let Some(last) = chars.last_mut() {
                    last.orig_end = end;
                }
                gap = false;
            } else {
                chars.push(Written {
                    at: out.len(),
                    orig_start: i,
                    orig_end: end,
                    gap_before: gap,
                });
                out.push(folded);
                previous = Some(folded);
                gap = false;
            }
        }
        (out, chars)
    }

    /// `boundary_before` and `boundary_after` of the model: by character index.
    fn model_boundaries(text: &str, chars: &[Written], at: usize) -> (bool, bool) {
        let gap = |j: usize| chars.get(j).is_none_or(|c| c.gap_before);
        let alone = |j: usize| (j == 0 || gap(j)) && (j + 1 >= chars.len() || gap(j + 1));
        let i = chars.iter().position(|c| c.at >= at).unwrap_or(chars.len());
        let gap_ends = gap(i) && !(i > 0 && alone(i - 1) && alone(i));
        let not_text = |c: Option<char>| c.is_some_and(|c| char_kind(c) != CharKind::Text);
        let before = at == 0 || not_text(text[..at].chars().next_back()) || gap_ends;
        let after = at >= text.len() || not_text(text[at..].chars().next()) || gap_ends;
        (before, after)
    }

    /// Records what `normalize_with` hands on.
    struct Record(Vec<(char, usize)>);

    impl EachChar for Record {
        fn char(&mut self, c: char, end: usize) {
            self.0.push((c, end));
        }
    }

    proptest::proptest! {
        /// Under every combination of options, `written` gives the characters `normalize`
        /// writes, and `normalize_with` hands on each of them with where it ends.
        #[test]
        fn written_and_each_char_follow_what_normalize_writes(
            // Among them, characters that fold to a longer form (Ⱥ, 嗰 and U+FA6C to astral ones).
            text in "[a-zA-Z0-9 ＡＢｚ１，。！？、…*\\-_·\u{3000}\u{200B}不知道領導后後臺台哈😀🙂𠀀\nȺȾ嗰㑮\u{FA6C}]{0,40}",
            bits in 0u8..32,
        ) {
            let options = Normalization {
                width: bits & 1 != 0,
                case: bits & 2 != 0,
                traditional: bits & 4 != 0,
                separators: bits & 8 != 0,
                repeats: bits & 16 != 0,
            };
            let normalizer = Normalizer::new(options);
            let mut out = NormText::default();
            normalizer.normalize(&text, &mut out);
            let written: String = normalizer.written(&text).collect();
            proptest::prop_assert_eq!(&written, &out.text);

            let mut with = NormText::default();
            let mut record = Record(Vec::new());
            normalizer.normalize_with(&text, &mut with, &mut record);
            proptest::prop_assert_eq!(&with.text, &out.text);
            let mut start = 0;
            for (c, end) in record.0 {
                proptest::prop_assert_eq!(&with.text[start..end], c.to_string());
                start = end;
            }
            proptest::prop_assert_eq!(start, with.text.len());

            // The runs give every character's origin as the model does: every range between
            // character boundaries maps back to the original from its first character's start
            // to its last character's end, and clauses end at the same places.
            let (model_text, model) = one_by_one(&normalizer, &text);
            proptest::prop_assert_eq!(&model_text, &out.text);
            let bounds: Vec<usize> = out
                .text
                .char_indices()
                .map(|(i, _)| i)
                .chain([out.text.len()])
                .collect();
            for (i, &s) in bounds.iter().enumerate() {
                for &e in &bounds[i..] {
                    let first = model.iter().find(|c| c.at >= s);
                    let orig_start = first.map_or(text.len(), |c| c.orig_start);
                    let orig_end = match model.iter().rfind(|c| c.at < e) {
                        Some(last) if e > s => last.orig_end,
                        _ => orig_start,
                    };
                    proptest::prop_assert_eq!(
                        out.to_original(s, e),
                        (orig_start, orig_end),
                        "{}..{} of {:?}", s, e, out.text
                    );
                }
                proptest::prop_assert_eq!(
                    (out.boundary_before(s), out.boundary_after(s)),
                    model_boundaries(&out.text, &model, s),
                    "at {} of {:?}", s, out.text
                );
            }
        }
    }

    #[test]
    fn the_fold_table_is_the_slow_fold_of_every_character() {
        for bits in 0u8..8 {
            let options = Normalization {
                width: bits & 1 != 0,
                case: bits & 2 != 0,
                traditional: bits & 4 != 0,
                ..Normalization::NONE
            };
            let table = fold_table(&options);
            for u in 0u32..0x10000 {
                let slow = char::from_u32(u).map_or('\u{FFFD}', |c| {
                    fold_char_slow(c, options.width, options.case, options.traditional)
                });
                assert_eq!(table.chars[u as usize], slow, "U+{u:04X} under {options:?}");
                // Folding is idempotent: what a character folds to stays as it is, so a
                // character is in normalized text only if it folds to itself.
                let again = match slow as usize {
                    i if i < 0x10000 => table.chars[i],
                    _ => fold_char_slow(slow, options.width, options.case, options.traditional),
                };
                assert_eq!(again, slow, "U+{u:04X} folded twice under {options:?}");
                assert_eq!(table.kinds[u as usize], char_kind(slow), "U+{u:04X}");
            }
        }
    }

    #[test]
    fn folds_width_case_and_traditional() {
        assert_eq!(norm("你找領導去呀！").0, "你找领导去呀!");
        assert_eq!(norm("請稍等").0, "请稍等");
        assert_eq!(norm("ＯＫ，Ｔｈａｎｋｓ１２３").0, "ok,thanks123");
        assert_eq!(norm("臺灣 裏面 後來").0, "台湾里面后来");
    }

    #[test]
    fn unchanged_text_is_told_without_normalizing() {
        for n in [Normalization::DEFAULT, Normalization::NONE] {
            let normalizer = Normalizer::new(n);
            for text in [
                "",
                "不知道",
                "不 知 道",
                "不知知道",
                "不知道！",
                "不知道!",
                "ＯＫ",
                "ok",
                "OK",
                "領導",
                "领导",
                "a\u{200B}b",
                "😀",
                "哈哈哈",
                "aab",
            ] {
                assert_eq!(
                    normalizer.leaves_unchanged(text),
                    n.apply(text) == text,
                    "{text:?} under {n:?}"
                );
            }
        }
    }

    #[test]
    fn simplified_text_is_left_alone() {
        let text = "您好，请问有什么可以帮助您？我们会尽快处理，谢谢您的耐心等待。吃饭了吗？后台里面的头发干了。";
        let expected: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let expected = expected.replace('，', ",").replace('？', "?");
        assert_eq!(norm(text).0, expected);
    }

    #[test]
    fn compatibility_ideographs_and_radicals_are_the_ideographs_they_stand_for() {
        // U+F967 is 不, U+F9B4 is 領 (then simplified); U+2F08 (Kangxi radical) is 人; U+2F800 is 丽.
        let (n, spans) = norm("\u{F967}知道，\u{F9B4}\u{2F08}\u{2F800}");
        assert_eq!(n, "不知道,领人丽");
        assert_eq!(spans[0], (0, 3));
        // Whatever the options, as canonical equivalents are one character.
        let bare = Normalizer::new(Normalization {
            width: false,
            case: false,
            traditional: false,
            separators: false,
            repeats: false,
        });
        let mut out = NormText::default();
        bare.normalize("\u{F967}", &mut out);
        assert_eq!(out.text, "不");
    }

    #[test]
    fn separators_between_characters_are_skipped_and_spans_kept() {
        let text = "不 知 道";
        let (n, spans) = norm(text);
        assert_eq!(n, "不知道");
        assert_eq!(spans, vec![(0, 3), (4, 7), (8, 11)]);
        assert_eq!(norm("不*知*道").0, "不知道");
        assert_eq!(norm("不😀知🙂道").0, "不知道");
        assert_eq!(norm("不\u{200B}知道").0, "不知道");
        // Invisible fillers that are letters by category.
        assert_eq!(norm("不\u{3164}知\u{FFA0}道\u{115F}").0, "不知道");
        // Clause punctuation stays: no phrase matches across a sentence.
        assert_eq!(norm("我不。知道了").0, "我不。知道了");
    }

    #[test]
    fn maps_normalized_ranges_back_to_the_original() {
        let mut out = NormText::default();
        Normalizer::new(Normalization::DEFAULT).normalize("😀ＡＢ 這個 不 知道！", &mut out);
        assert_eq!(out.text, "ab这个不知道!");
        let at = out.text.find("不知道").expect("present");
        let (s, e) = out.to_original(at, at + "不知道".len());
        assert_eq!(&"😀ＡＢ 這個 不 知道！"[s..e], "不 知道");
        assert!(out.boundary_before(out.text.find("这").expect("present")));
        assert!(!out.boundary_before(out.text.find("个").expect("present")));
        assert!(out.boundary_after(out.text.find("!").expect("present")));
    }

    /// A character folded to a longer one, then a one-byte separator skipped: the offsets
    /// line up again, yet the next character starts a run of its own, after a gap.
    #[test]
    fn a_longer_fold_and_a_skipped_separator_do_not_join_runs() {
        let normalizer = Normalizer::new(Normalization::DEFAULT);
        for (text, first) in [("Ⱥ 不知道", "Ⱥ"), ("嗰-不知道", "嗰")] {
            let mut out = NormText::default();
            normalizer.normalize(text, &mut out);
            let folded = out.text.chars().next().expect("a character").len_utf8();
            assert_eq!(folded, first.len() + 1, "{text:?} folds to {:?}", out.text);
            assert_eq!(out.to_original(0, folded), (0, first.len()), "{text:?}");
            let len = out.text.len();
            assert_eq!(out.to_original(folded, len), (first.len() + 1, text.len()));
            // The separator ends the clause: 不 does not stand alone between separators.
            assert!(out.boundary_before(folded), "{text:?}");
        }
    }

    #[test]
    fn repeats_collapse_when_asked() {
        let n = Normalizer::new(Normalization {
            repeats: true,
            ..Normalization::DEFAULT
        });
        let mut out = NormText::default();
        n.normalize("不不不知知道", &mut out);
        assert_eq!(out.text, "不知道");
        assert_eq!(out.to_original(0, out.text.len()), (0, 18));
    }

    #[test]
    fn no_normalization_changes_nothing() {
        let mut out = NormText::default();
        let text = "領導 ＡＢ 不 知道";
        Normalizer::new(Normalization::NONE).normalize(text, &mut out);
        assert_eq!(out.text, text);
    }
}

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn simplified_characters_stay_put() {
        let map = &tables().t2s;
        let outputs: std::collections::HashSet<char> = hanconv::RawDictionary::TSCharacters
            .iter()
            .filter_map(|(_, v)| v.chars().next())
            .collect();
        let moved: Vec<(char, char)> = outputs
            .iter()
            .filter_map(|c| map.get(c).map(|t| (*c, *t)))
            .collect();
        // OpenCC itself lists a handful of simplified forms as traditional ones (苧 → 苎).
        assert!(
            moved.len() <= 5,
            "simplified characters that fold away: {moved:?}"
        );
        for (t, s) in [
            ('領', '领'),
            ('導', '导'),
            ('著', '着'),
            ('裡', '里'),
            ('臺', '台'),
            ('麼', '么'),
        ] {
            assert_eq!(map.get(&t), Some(&s), "{t}");
        }
        for c in ['么', '着', '吃', '里', '台', '后', '发', '干'] {
            assert_eq!(map.get(&c), None, "{c} must stay");
        }
    }
}
