//! Patterns: regexes and phrases with slots, compiled once, with the literals that every match
//! must contain. The literals join the one automaton, so a pattern runs only on a turn where
//! one of them was found.

use std::cell::RefCell;
use std::ops::Range;
use std::sync::Arc;

use regex_automata::meta::{Cache, Regex};
use regex_automata::nfa::thompson::{self, WhichCaptures, pikevm::PikeVM};
use regex_automata::util::captures::Captures;
use regex_automata::{Input, PatternID};
use regex_syntax::hir::{Class, Hir, HirKind};

use super::{ceil_char_boundary, floor_char_boundary};

/// The slots a phrase may contain, and what each matches.
pub(crate) const SLOTS: &[(&str, &str, &str)] = &[
    (
        "number",
        r"[0-9０-９零〇一二两三四五六七八九十百千]+",
        "a number, in digits or Chinese numerals: 1024, １０２４, 一零二四",
    ),
    (
        "name",
        r"(?:\p{Han}{2,4}|[A-Za-z][A-Za-z.'\-]*(?: [A-Za-z][A-Za-z.'\-]*){0,2})",
        "a person's name: 2–4 Chinese characters, or up to three Latin words",
    ),
    (
        "surname",
        r"\p{Han}{1,2}",
        "a surname: 1–2 Chinese characters",
    ),
    (
        "any",
        r"[^，。！？；,.!?;\n]{1,20}?",
        "up to 20 characters within one clause: a company or product name",
    ),
];

/// The capture group whose span a finding reports, when a pattern has it.
pub(crate) const HIT_GROUP: &str = "hit";

/// A compiled pattern.
///
/// It runs with a cache its caller owns (see `Scratch`), never with a cache pool shared
/// between threads, so that threads checking at the same time never wait for one another.
#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    pub(crate) regex: Regex,
    /// The regex as compiled, for building sets of patterns.
    pub(crate) source: String,
    pub(crate) hit_group: Option<usize>,
    /// Named groups other than `hit`: values such as a surname, for `{=name}` phrases.
    pub(crate) named: Vec<(usize, Arc<str>)>,
    /// Literals of which every match contains at least one; `None` when there are none to
    /// find, and the pattern must run on every turn.
    pub(crate) anchors: Option<Vec<String>>,
    /// How far a match can reach around the anchor it contains: a pattern runs only in a
    /// window that far around each anchor found, not over the whole turn.
    pub(crate) reach: Reach,
    pub(crate) verify: Option<Verify>,
}

/// What checking a regex as a pack is read tells of it (see `Pattern::checked`).
#[derive(Clone, Debug)]
pub(crate) struct Checked {
    /// Its named groups other than `hit`: the values it can give `{=name}` phrases.
    pub(crate) names: Vec<Arc<str>>,
    /// Whether it matches the empty string, and so everywhere.
    pub(crate) matches_empty: bool,
}

thread_local! {
    /// The compiler `Pattern::checked` uses on this thread.
    static CHECKER: RefCell<thompson::Compiler> = RefCell::new(checking_compiler());
}

/// The compiler is made again after a program larger than this (bytes), or an error.
const KEEP_COMPILER: usize = 1 << 20;

/// A compiler set up as the regex engine sets up its own for the forward program
/// (`compiled`), so that both give the same errors.
fn checking_compiler() -> thompson::Compiler {
    let mut compiler = thompson::Compiler::new();
    compiler.configure(
        thompson::Config::new()
            .nfa_size_limit(Regex::config().get_nfa_size_limit())
            .shrink(false)
            .which_captures(WhichCaptures::All),
    );
    compiler
}

/// Why a pattern does not compile, with the byte range in the pattern text when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PatternError {
    pub(crate) message: String,
    pub(crate) span: Option<Range<usize>>,
}

impl Pattern {
    /// `compiled`, without the syntax tree (for tests, which make patterns without a pack).
    #[cfg(test)]
    pub(crate) fn from_regex(
        source: &str,
        verify: Option<Verify>,
    ) -> Result<Pattern, PatternError> {
        Pattern::compiled(source, verify).map(|(pattern, _)| pattern)
    }

    /// Compiles a regex written in a pack, ready to search.
    ///
    /// Built lighter than the regex engine would build it by default, because the matcher
    /// runs a pattern of bounded length with anchors only in short windows around them (see
    /// `Matcher::scan_patterns`):
    /// - without the fully built DFA the engine makes of a small pattern: the lazy DFA,
    ///   filled in as it goes, is as fast there, and building the full one was 6 % of loading
    ///   the built-in pack;
    /// - for such a windowed pattern, without a literal prefilter: in a window the anchor is
    ///   already found, and building prefilters was another 14 % (the built-in pack checked
    ///   the same text in fewer instructions without them). A pattern without anchors, or of
    ///   any length, runs over the whole turn and keeps it. So does a plain alternation of
    ///   literals, which the engine then searches with a literal matcher alone (with
    ///   thousands of literals, too many to anchor on, that matcher is what keeps it within
    ///   the size limit: built as automata, its reverse program would not fit). A windowed
    ///   pattern also runs over whole turns in `unless.matches` and in tolerant matching,
    ///   where only speed differs.
    ///
    /// Returns the syntax tree it was compiled from as well, for questions only the tree
    /// answers (see `needs_absent`).
    pub(crate) fn compiled(
        source: &str,
        verify: Option<Verify>,
    ) -> Result<(Pattern, Hir), PatternError> {
        let hir = parse_hir(source)?;
        let max_len = hir.properties().maximum_len();
        let (anchors, reach) = match required_literals(&hir) {
            Some((anchors, reach)) => (Some(anchors), reach),
            None => (None, Reach::default()),
        };
        let windowed = max_len.is_some() && anchors.is_some();
        // From the syntax tree already made: the source is not parsed twice.
        let regex = Regex::builder()
            .configure(
                Regex::config()
                    .dfa(false)
                    .auto_prefilter(!windowed || hir.properties().is_alternation_literal()),
            )
            .build_from_hir(&hir)
            .map_err(|e| build_error(e.size_limit(), &e.to_string()))?;
        let mut hit_group = None;
        let mut named = Vec::new();
        for (index, name) in regex
            .group_info()
            .pattern_names(PatternID::ZERO)
            .enumerate()
        {
            match name {
                Some(HIT_GROUP) => hit_group = Some(index),
                Some(name) => named.push((index, Arc::from(name))),
                None => {}
            }
        }
        let pattern = Pattern {
            regex,
            source: source.to_string(),
            hit_group,
            named,
            anchors,
            reach,
            verify,
        };
        Ok((pattern, hir))
    }

    /// Checks a regex as a pack is read, and tells what the reader needs to know of it,
    /// without building the engines that search: what searches is compiled once
    /// normalization is known (see `Normalizer::pattern`), so building it here too would be
    /// paid twice. Only the forward program is compiled, as `compiled` compiles it, so the
    /// errors are those of `compiled` but one: a regex whose reverse program (which
    /// `compiled` also builds) passes the size limit when its forward one does not is
    /// refused when the pack's rules are settled, with the rule's line. The compiler is kept
    /// on each thread, because making one fills tables of UTF-8 ranges that cost more than
    /// compiling a short pattern.
    pub(crate) fn checked(source: &str) -> Result<Checked, PatternError> {
        let hir = parse_hir(source)?;
        let nfa = CHECKER.with(|compiler| {
            let built = compiler.borrow().build_from_hir(&hir);
            // A large program leaves the compiler's buffers large: a thread that goes on
            // living (a service's, or a pool's) does not keep them.
            if built
                .as_ref()
                .map_or(true, |nfa| nfa.memory_usage() > KEEP_COMPILER)
            {
                *compiler.borrow_mut() = checking_compiler();
            }
            built.map_err(|e| build_error(e.size_limit(), &e.to_string()))
        })?;
        let names = nfa
            .group_info()
            .pattern_names(PatternID::ZERO)
            .flatten()
            .filter(|&name| name != HIT_GROUP)
            .map(Arc::from)
            .collect();
        let vm = PikeVM::new_from_nfa(nfa).map_err(|e| build_error(None, &e.to_string()))?;
        let matches_empty = vm.is_match(&mut vm.create_cache(), "");
        Ok(Checked {
            names,
            matches_empty,
        })
    }

    /// Checks a phrase with slots, such as `我是{number}号客服`, as a pack is read (see
    /// `checked`).
    pub(crate) fn checked_slotted(phrase: &str) -> Result<Checked, PatternError> {
        Pattern::checked(&slots_to_regex(phrase)?)
    }

    /// Whether the pattern matches anywhere in `text` (for validation and tests; it uses the
    /// regex's own shared cache).
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    /// The first match of the pattern in `text`, as a byte range (off the hot path: it uses
    /// the regex's own shared cache).
    pub(crate) fn find(&self, text: &str) -> Option<(usize, usize)> {
        self.regex.find(text).map(|m| (m.start(), m.end()))
    }

    /// Every hit of the pattern that starts in `window` of `text`, as byte ranges, passed to
    /// `emit` with the values of the pattern's other named groups. Look-around (`^`, `$`,
    /// `\b`) sees the whole text.
    ///
    /// With a `hit` group, the next search starts right after the previous hit's first
    /// character rather than where the whole match ended, so that context consumed around one
    /// hit (a comma, say) can still precede the next.
    pub(crate) fn for_each_hit(
        &self,
        text: &str,
        window: Range<usize>,
        cache: &mut Cache,
        caps: &mut Captures,
        mut emit: impl FnMut(usize, usize, &[(Arc<str>, &str)]),
    ) {
        let mut named: Vec<(Arc<str>, &str)> = Vec::new();
        let mut at = window.start;
        while at <= window.end {
            let input = Input::new(text).span(at..window.end);
            let Some((start, end, next)) = self.search(text, &input, cache, caps, &mut named)
            else {
                break;
            };
            if self.verified(&text[start..end]) {
                emit(start, end, &named);
            }
            at = if next > at {
                next
            } else {
                // An empty match: step over one character.
                at + text[at..].chars().next().map_or(1, char::len_utf8)
            };
        }
    }

    /// `for_each_hit` in each of `windows`, in order.
    pub(crate) fn for_each_hit_in(
        &self,
        text: &str,
        windows: impl IntoIterator<Item = Range<usize>>,
        cache: &mut Cache,
        caps: &mut Captures,
        mut emit: impl FnMut(usize, usize, &[(Arc<str>, &str)]),
    ) {
        for window in windows {
            self.for_each_hit(text, window, cache, caps, &mut emit);
        }
    }

    /// Whether every match starts with its anchor, so that it can be searched for anchored
    /// where each anchor starts (see `for_each_hit_at`).
    pub(crate) fn starts_at_anchor(&self) -> bool {
        self.anchors.is_some() && self.reach.before == Some(0)
    }

    /// `for_each_hit` for a pattern whose every match starts with its anchor: given where
    /// the anchors found start, in order, each with the end of its window, an anchored search
    /// at each start not passed by the last hit finds the hits that searching the windows
    /// would find, without searching between anchors or back from a match for its start.
    ///
    /// Anchors found at one start are searched once, up to the farthest of their windows'
    /// ends. The automaton finds anchors as normalized, and normalizing can shorten one (with
    /// `repeats`, 好好 is found as 好): such an anchor can never be part of a match, but its
    /// window is shorter than that of the anchor a match does start with at the same place.
    pub(crate) fn for_each_hit_at(
        &self,
        text: &str,
        starts: impl IntoIterator<Item = (usize, usize)>,
        cache: &mut Cache,
        caps: &mut Captures,
        mut emit: impl FnMut(usize, usize, &[(Arc<str>, &str)]),
    ) {
        debug_assert!(self.starts_at_anchor());
        let mut named: Vec<(Arc<str>, &str)> = Vec::new();
        let mut at = 0;
        let mut starts = starts.into_iter().peekable();
        while let Some((start, mut end)) = starts.next() {
            while let Some((_, further)) = starts.next_if(|&(s, _)| s == start) {
                end = end.max(further);
            }
            if start < at {
                continue;
            }
            let input = Input::new(text)
                .span(start..end)
                .anchored(regex_automata::Anchored::Yes);
            let Some((hit_start, hit_end, next)) =
                self.search(text, &input, cache, caps, &mut named)
            else {
                continue;
            };
            if self.verified(&text[hit_start..hit_end]) {
                emit(hit_start, hit_end, &named);
            }
            at = next;
        }
    }

    /// One search: the hit (or the match, without a `hit` group) and where the next search
    /// starts, with the other named groups' values in `named`.
    fn search<'t>(
        &self,
        text: &'t str,
        input: &Input<'_>,
        cache: &mut Cache,
        caps: &mut Captures,
        named: &mut Vec<(Arc<str>, &'t str)>,
    ) -> Option<(usize, usize, usize)> {
        if self.hit_group.is_none() && self.named.is_empty() {
            let m = self.regex.search_with(cache, input)?;
            return Some((m.start(), m.end(), m.end()));
        }
        self.regex.search_captures_with(cache, input, caps);
        let m = caps.get_match()?;
        let (start, end) = self
            .hit_group
            .and_then(|g| caps.get_group(g))
            .map_or((m.start(), m.end()), |s| (s.start, s.end));
        named.clear();
        for (group, name) in &self.named {
            if let Some(s) = caps.get_group(*group) {
                named.push((name.clone(), &text[s.start..s.end]));
            }
        }
        let next = if self.hit_group.is_some() {
            start + text[start..].chars().next().map_or(1, char::len_utf8)
        } else {
            m.end()
        };
        Some((start, end, next))
    }

    /// Where to search for matches holding the anchor found at `anchor` in `text`: as far
    /// around it as a match can reach. A match that starts in the window ends in it, so
    /// searching windows merged where they overlap finds what searching the whole text would.
    pub(crate) fn window(&self, text: &str, anchor: Range<usize>) -> Range<usize> {
        let start = self.reach.before.map_or(0, |before| {
            floor_char_boundary(text, anchor.start.saturating_sub(before))
        });
        let end = self.reach.after.map_or(text.len(), |after| {
            ceil_char_boundary(text, anchor.end.saturating_add(after).min(text.len()))
        });
        start..end
    }

    fn verified(&self, hit: &str) -> bool {
        self.verify.is_none_or(|v| verify(v, hit))
    }
}

/// Why a parsed regex does not compile: past the size limit, or what the regex crate says.
fn build_error(size_limit: Option<usize>, full: &str) -> PatternError {
    PatternError {
        message: match size_limit {
            Some(limit) => format!(
                "the regex is too big: compiled, it passes the size limit of {} for one regex; \
                 use smaller counted repetitions (`{{n}}` nested in `{{m}}` multiply), or split \
                 it into several patterns",
                crate::text::human_bytes(limit)
            ),
            None => regex_message(full),
        },
        span: None,
    }
}

fn parse_hir(source: &str) -> Result<Hir, PatternError> {
    let ast = regex_syntax::ast::parse::Parser::new()
        .parse(source)
        .map_err(|e| PatternError {
            message: e.kind().to_string(),
            span: Some(e.span().start.offset..e.span().end.offset),
        })?;
    regex_syntax::hir::translate::Translator::new()
        .translate(source, &ast)
        .map_err(|e| PatternError {
            message: e.kind().to_string(),
            span: Some(e.span().start.offset..e.span().end.offset),
        })
}

/// The last line of the regex crate's multi-line error, which says what is wrong.
fn regex_message(full: &str) -> String {
    full.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(full)
        .trim()
        .trim_start_matches("error: ")
        .to_string()
}

/// Whether a phrase uses slot syntax: `{name}`, `{number}`…
pub(crate) fn has_slots(phrase: &str) -> bool {
    phrase.contains('{') || phrase.contains('}')
}

/// Turns a phrase with slots into a regex: literal text is escaped, `{slot}` becomes the slot's
/// regex, and `{{` / `}}` stand for literal braces.
pub(crate) fn slots_to_regex(phrase: &str) -> Result<String, PatternError> {
    let mut regex = String::new();
    let mut rest = phrase;
    let mut offset = 0;
    while let Some(i) = rest.find(['{', '}']) {
        regex.push_str(&regex::escape(&rest[..i]));
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            regex.push_str(&regex::escape(&tail[..1]));
            rest = &tail[2..];
            offset += i + 2;
            continue;
        }
        if tail.starts_with('}') {
            return Err(PatternError {
                message: "unmatched `}`; write `}}` for a literal brace".to_string(),
                span: Some(offset + i..offset + i + 1),
            });
        }
        let Some(close) = tail.find('}') else {
            return Err(PatternError {
                message: "unclosed slot; write `{{` for a literal brace".to_string(),
                span: Some(offset + i..offset + phrase[offset..].len()),
            });
        };
        let name = &tail[1..close];
        let Some((_, slot_regex, _)) = SLOTS.iter().find(|(n, _, _)| *n == name) else {
            let names: Vec<&str> = SLOTS.iter().map(|(n, _, _)| *n).collect();
            let mut message = format!(
                "unknown slot `{{{name}}}`; the slots are {{{}}}",
                names.join("}, {")
            );
            if let Some(close_name) = super::did_you_mean(name, names.iter().copied()) {
                message = format!("{message}; did you mean `{{{close_name}}}`?");
            }
            return Err(PatternError {
                message,
                span: Some(offset + i..offset + i + close + 1),
            });
        };
        regex.push_str(slot_regex);
        rest = &tail[close + 1..];
        offset += i + close + 1;
    }
    regex.push_str(&regex::escape(rest));
    Ok(regex)
}

/// Most strings a literal set may hold before it is no longer worth tracking.
const MAX_LITERALS: usize = 64;
/// Classes with at most this many characters are expanded into literals.
const MAX_CLASS: usize = 4;

/// How far a match can reach around the anchor it contains, in bytes: before the anchor's
/// start and after its end; `None` when a side is unbounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Reach {
    pub(crate) before: Option<usize>,
    pub(crate) after: Option<usize>,
}

impl Reach {
    /// The anchor is the whole match.
    const EXACT: Reach = Reach {
        before: Some(0),
        after: Some(0),
    };

    /// This reach, with `before` and `after` more on each side (`None`: unbounded).
    fn widened(self, before: Option<usize>, after: Option<usize>) -> Reach {
        let add = |a: Option<usize>, b: Option<usize>| a?.checked_add(b?);
        Reach {
            before: add(self.before, before),
            after: add(self.after, after),
        }
    }

    /// A reach that covers both.
    fn union(self, other: Reach) -> Reach {
        let max = |a: Option<usize>, b: Option<usize>| Some(a?.max(b?));
        Reach {
            before: max(self.before, other.before),
            after: max(self.after, other.after),
        }
    }
}

/// Literals of which every match of `hir` contains at least one, and how far a match can
/// reach around the one it contains; `None` if no such finite set of non-empty strings can
/// be found.
pub(crate) fn required_literals(hir: &Hir) -> Option<(Vec<String>, Reach)> {
    let (set, reach) = required(hir).or_else(|| required_class(hir))?;
    let (set, before, after) = minimal(set);
    Some((set, reach.widened(Some(before), Some(after))))
}

/// The literals of `set` that contain no other: a longer one that contains a shorter one is
/// redundant, as the shorter one is found wherever it is. A match holding a dropped literal
/// then reaches further around the shorter one it holds, by the bytes before and after it
/// there: those are returned with the literals (the most before, the most after).
fn minimal(set: Vec<String>) -> (Vec<String>, usize, usize) {
    let (kept, before, after) = minimal_of(&set);
    let mut kept: Vec<String> = kept.into_iter().map(str::to_string).collect();
    kept.sort_unstable();
    (kept, before, after)
}

/// How many of `set` are left once the literals that hold another are dropped.
fn minimal_len(set: &[String]) -> usize {
    minimal_of(set).0.len()
}

/// `minimal` without making anything: the literals kept, shortest first, and the reach.
fn minimal_of(set: &[String]) -> (Vec<&str>, usize, usize) {
    let mut by_len: Vec<&str> = set.iter().map(String::as_str).collect();
    // Shortest first: a literal can only contain a shorter one.
    by_len.sort_unstable_by_key(|s| (s.len(), *s));
    by_len.dedup();
    let (mut before, mut after) = (0, 0);
    let mut kept: Vec<&str> = Vec::with_capacity(by_len.len());
    for s in by_len {
        match kept
            .iter()
            .find_map(|t| position(s, t).map(|at| (at, t.len())))
        {
            Some((at, len)) => {
                before = before.max(at);
                after = after.max(s.len() - len - at);
            }
            None => kept.push(s),
        }
    }
    (kept, before, after)
}

/// Where the shorter literal `t` first occurs in `s`: a byte-wise search, cheaper than a
/// substring searcher for literals a few characters long. (A match of a whole UTF-8 string
/// always starts on a character boundary.)
fn position(s: &str, t: &str) -> Option<usize> {
    if t.len() >= s.len() {
        return None;
    }
    s.as_bytes()
        .windows(t.len())
        .position(|w| w == t.as_bytes())
}

/// A character that every match of `hir` holds and that `absent` says normalized text never
/// holds (normalization skips it, or turns it into another), if there is one: then no
/// normalized text holds a match. A piece of a match in sequence (through groups and
/// repetitions of at least one) that needs such a character, an alternation each of whose
/// branches does, a literal with one, or a class of nothing else.
pub(crate) fn needs_absent(hir: &Hir, absent: &dyn Fn(char) -> bool) -> Option<char> {
    /// Most characters of a class looked at; a larger class is taken to hold others.
    const MAX_CLASS_CHARS: u32 = 1 << 16;
    match hir.kind() {
        HirKind::Literal(lit) => std::str::from_utf8(&lit.0)
            .ok()?
            .chars()
            .find(|&c| absent(c)),
        HirKind::Class(Class::Unicode(class)) => {
            let mut first = None;
            let mut seen = 0u32;
            for range in class.ranges() {
                for c in range.start()..=range.end() {
                    seen += 1;
                    if seen > MAX_CLASS_CHARS || !absent(c) {
                        return None;
                    }
                    first.get_or_insert(c);
                }
            }
            first
        }
        HirKind::Capture(c) => needs_absent(&c.sub, absent),
        HirKind::Repetition(r) if r.min >= 1 => needs_absent(&r.sub, absent),
        HirKind::Concat(parts) => parts.iter().find_map(|part| needs_absent(part, absent)),
        HirKind::Alternation(branches) => {
            let mut first = None;
            for branch in branches {
                let c = needs_absent(branch, absent)?;
                first.get_or_insert(c);
            }
            first
        }
        _ => None,
    }
}

/// The total of the longest match of each of `parts` (`None`: unbounded).
fn max_len_of(parts: &[Hir]) -> Option<usize> {
    parts.iter().try_fold(0usize, |sum, part| {
        sum.checked_add(part.properties().maximum_len()?)
    })
}

/// Where the literal found in one repetition of `sub` can be, among `max` repetitions: up
/// to `max - 1` whole repetitions on either side.
fn repeated(reach: Reach, sub: &Hir, max: Option<u32>) -> Reach {
    let others = max
        .zip(sub.properties().maximum_len())
        .and_then(|(max, len)| len.checked_mul(max.saturating_sub(1) as usize));
    reach.widened(others, others)
}

fn required(hir: &Hir) -> Option<(Vec<String>, Reach)> {
    if let Some(exact) = exact(hir) {
        return (!exact.iter().any(String::is_empty)).then_some((exact, Reach::EXACT));
    }
    match hir.kind() {
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => {
            let (set, reach) = required(&r.sub)?;
            Some((set, repeated(reach, &r.sub, r.max)))
        }
        HirKind::Alternation(branches) => {
            let mut union = Vec::new();
            let mut reach: Option<Reach> = None;
            for branch in branches {
                let (set, r) = required(branch)?;
                union.extend(set);
                if union.len() > MAX_LITERALS {
                    return None;
                }
                reach = Some(reach.map_or(r, |reach| reach.union(r)));
            }
            Some((union, reach?))
        }
        HirKind::Concat(parts) => {
            // Each candidate with the parts it spans.
            let mut candidates: Vec<(Vec<String>, Reach, Range<usize>)> = Vec::new();
            // Runs of consecutive parts with a finite language combine into longer literals.
            let mut run: Option<(Vec<String>, usize)> = None;
            let whole = |set: Vec<String>, reach: Reach, span: Range<usize>| {
                let reach = reach.widened(
                    max_len_of(&parts[..span.start]),
                    max_len_of(&parts[span.end..]),
                );
                (set, reach, span)
            };
            for (i, part) in parts.iter().enumerate() {
                match exact(part) {
                    Some(lits) => {
                        run = Some(match run {
                            None => (lits, i),
                            Some((prefix, from)) => match cross(&prefix, &lits) {
                                Some(product) => (product, from),
                                None => {
                                    candidates.push(whole(prefix, Reach::EXACT, from..i));
                                    (lits, i)
                                }
                            },
                        });
                    }
                    None => {
                        if let Some((prefix, from)) = run.take() {
                            candidates.push(whole(prefix, Reach::EXACT, from..i));
                        }
                        if let Some((set, reach)) = required(part) {
                            candidates.push(whole(set, reach, i..i + 1));
                        }
                    }
                }
            }
            if let Some((prefix, from)) = run {
                candidates.push(whole(prefix, Reach::EXACT, from..parts.len()));
            }
            candidates
                .into_iter()
                .filter(|(set, _, _)| !set.is_empty() && !set.iter().any(String::is_empty))
                // The fewest, longest anchors: counted as the automaton gets them, without
                // the literals that hold another.
                .max_by_key(|(set, _, _)| {
                    let shortest = set.iter().map(|s| s.chars().count()).min().unwrap_or(0);
                    (shortest, std::cmp::Reverse(minimal_len(set)))
                })
                .map(|(set, reach, _)| (set, reach))
        }
        _ => None,
    }
}

/// Most characters a class may have to serve as anchors when nothing longer is required.
const MAX_ANCHOR_CLASS: usize = 16;

/// A small class of characters (such as `[0-9]`) of which every match contains one, when no
/// literal is required: its characters become the anchors.
fn required_class(hir: &Hir) -> Option<(Vec<String>, Reach)> {
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => {
            let mut chars = Vec::new();
            for range in class.ranges() {
                for c in range.start()..=range.end() {
                    chars.push(c.to_string());
                    if chars.len() > MAX_ANCHOR_CLASS {
                        return None;
                    }
                }
            }
            Some((chars, Reach::EXACT))
        }
        HirKind::Capture(c) => required_class(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => {
            let (set, reach) = required_class(&r.sub)?;
            Some((set, repeated(reach, &r.sub, r.max)))
        }
        HirKind::Concat(parts) => parts
            .iter()
            .enumerate()
            .filter_map(|(i, part)| {
                let (set, reach) = required_class(part)?;
                let reach = reach.widened(max_len_of(&parts[..i]), max_len_of(&parts[i + 1..]));
                Some((set, reach))
            })
            .min_by_key(|(set, _)| set.len()),
        HirKind::Alternation(branches) => {
            let mut union = Vec::new();
            let mut reach: Option<Reach> = None;
            for branch in branches {
                let (set, r) = required(branch).or_else(|| required_class(branch))?;
                union.extend(set);
                if union.len() > MAX_LITERALS {
                    return None;
                }
                reach = Some(reach.map_or(r, |reach| reach.union(r)));
            }
            Some((union, reach?))
        }
        _ => None,
    }
}

/// The whole (finite, small) language of `hir`, if it has one.
fn exact(hir: &Hir) -> Option<Vec<String>> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(vec![String::new()]),
        HirKind::Literal(lit) => Some(vec![String::from_utf8(lit.0.to_vec()).ok()?]),
        HirKind::Class(Class::Unicode(class)) => {
            let mut chars = Vec::new();
            for range in class.ranges() {
                for c in range.start()..=range.end() {
                    chars.push(c.to_string());
                    if chars.len() > MAX_CLASS {
                        return None;
                    }
                }
            }
            Some(chars)
        }
        HirKind::Class(Class::Bytes(_)) => None,
        HirKind::Capture(c) => exact(&c.sub),
        HirKind::Repetition(r) => {
            let max = r.max?;
            if max > 3 {
                return None;
            }
            let sub = exact(&r.sub)?;
            let mut all = Vec::new();
            let mut current = vec![String::new()];
            for count in 0..=max {
                if count >= r.min {
                    all.extend(current.iter().cloned());
                }
                if count < max {
                    current = cross(&current, &sub)?;
                }
            }
            (all.len() <= MAX_LITERALS).then_some(all)
        }
        HirKind::Concat(parts) => {
            let mut product = vec![String::new()];
            for part in parts {
                product = cross(&product, &exact(part)?)?;
            }
            Some(product)
        }
        HirKind::Alternation(branches) => {
            let mut union = Vec::new();
            for branch in branches {
                union.extend(exact(branch)?);
            }
            (union.len() <= MAX_LITERALS).then_some(union)
        }
    }
}

fn cross(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() * b.len() > MAX_LITERALS {
        return None;
    }
    Some(
        a.iter()
            .flat_map(|x| b.iter().map(move |y| format!("{x}{y}")))
            .collect(),
    )
}

/// A check on the digits of a pattern hit, to tell a real identifier from a number that only
/// looks like one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verify {
    /// A payment card number: 13–19 digits passing the Luhn check.
    Luhn,
    /// A mainland resident identity card number (GB 11643): 18 characters with a valid birth
    /// date and ISO 7064 MOD 11-2 check character.
    CnIdCard,
    /// A mainland mobile number: 11 digits starting with 13–19.
    CnMobile,
}

impl Verify {
    /// Every check.
    pub const ALL: [Verify; 3] = [Verify::Luhn, Verify::CnIdCard, Verify::CnMobile];

    /// The name used in rule packs.
    pub fn as_str(self) -> &'static str {
        match self {
            Verify::Luhn => "luhn",
            Verify::CnIdCard => "cn-id-card",
            Verify::CnMobile => "cn-mobile",
        }
    }
}

/// Applies a digit check to the text of a hit. Separators (spaces, dashes) are ignored.
pub(crate) fn verify(check: Verify, hit: &str) -> bool {
    let chars: Vec<char> = hit
        .chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            'ｘ' | 'Ｘ' => Some('X'),
            c if c.is_ascii_digit() => Some(c),
            'x' | 'X' => Some('X'),
            _ => None,
        })
        .collect();
    let digits: Vec<u32> = chars.iter().filter_map(|c| c.to_digit(10)).collect();
    match check {
        Verify::Luhn => {
            if !(13..=19).contains(&chars.len()) || digits.len() != chars.len() {
                return false;
            }
            let sum: u32 = digits
                .iter()
                .rev()
                .enumerate()
                .map(|(i, &d)| {
                    if i % 2 == 1 {
                        let doubled = d * 2;
                        if doubled > 9 { doubled - 9 } else { doubled }
                    } else {
                        d
                    }
                })
                .sum();
            sum % 10 == 0
        }
        Verify::CnIdCard => {
            if chars.len() != 18 || digits.len() < 17 || chars[..17].contains(&'X') {
                return false;
            }
            const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
            const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
            let sum: u32 = digits[..17].iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
            let month = digits[10] * 10 + digits[11];
            let day = digits[12] * 10 + digits[13];
            let year = digits[6..10].iter().fold(0, |y, d| y * 10 + d);
            (1900..=2100).contains(&year)
                && (1..=12).contains(&month)
                && (1..=31).contains(&day)
                && CHECK[(sum % 11) as usize] == chars[17]
        }
        Verify::CnMobile => {
            digits.len() == 11
                && chars.len() == 11
                && digits[0] == 1
                && (3..=9).contains(&digits[1])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchors(regex: &str) -> Option<Vec<String>> {
        Pattern::from_regex(regex, None).expect("valid").anchors
    }

    #[test]
    fn anchors_are_the_literals_every_match_contains() {
        assert_eq!(anchors("不知道"), Some(vec!["不知道".into()]));
        assert_eq!(
            anchors(r"(?:^|[\p{P}\s])(?P<hit>(?:我|这个我)?不管(?:了|啦)?)(?:[\p{P}\s]|$)"),
            Some(vec!["不管".into()])
        );
        assert_eq!(
            anchors(r"你问我[，,\s]*我问谁"),
            Some(vec!["我问谁".into()])
        );
        assert_eq!(
            anchors(r"找(?:我们)?领导去"),
            Some(vec!["找我们领导去".into(), "找领导去".into()])
        );
        assert_eq!(
            anchors(r"不可能帮(你|您)"),
            Some(vec!["不可能帮你".into(), "不可能帮您".into()])
        );
        assert_eq!(
            anchors(r"\d{11}"),
            None,
            "Unicode digits are too many to anchor on"
        );
        assert_eq!(
            anchors(r"(?:^|[^0-9])1[3-9][0-9]{9}"),
            Some(vec!["1".into()]),
            "a required small class anchors"
        );
        assert_eq!(anchors(r"a|\d+"), None);
        // Case-insensitive: o/O times k/K/K (the Kelvin sign folds to k).
        assert_eq!(anchors(r"(?i)ok").map(|a| a.len()), Some(6));
    }

    fn reach(regex: &str) -> (Option<usize>, Option<usize>) {
        let p = Pattern::from_regex(regex, None).expect("valid");
        (p.reach.before, p.reach.after)
    }

    #[test]
    fn reach_is_how_far_a_match_extends_around_its_anchor() {
        // The anchor is the whole match.
        assert_eq!(reach("不知道"), (Some(0), Some(0)));
        assert_eq!(reach(r"找(?:我们)?领导去"), (Some(0), Some(0)));
        // A prefix anchor: nothing before it; a bounded tail after.
        assert_eq!(
            reach(r"我是\p{Han}{2,4}"),
            (Some(0), Some(16)),
            "a Han character takes up to 4 bytes"
        );
        // Unbounded after it.
        assert_eq!(reach(r"我是[0-9]+号"), (Some(0), None));
        // Before it, one character of any width; after it, ten digits.
        assert_eq!(reach(r"(?:^|[^0-9])1[3-9][0-9]{9}"), (Some(4), Some(10)));
        // The anchor in a repetition: other repetitions on either side.
        assert_eq!(reach(r"(?:x不要)+"), (None, None));
        assert_eq!(reach(r"(?:x不要){1,5}"), (Some(28), Some(28)));
        // Up to three repetitions are literals of their own; the longer ones, which start
        // with the shortest, are dropped, and a match reaches that much further after it.
        assert_eq!(anchors(r"(?:x不要){1,3}"), Some(vec!["x不要".into()]));
        assert_eq!(reach(r"(?:x不要){1,3}"), (Some(0), Some(14)));
        assert_eq!(reach(r"(?:啊|不要)"), (Some(0), Some(0)));
        assert_eq!(
            reach(r"(?:啊|好不要吧|要)"),
            (Some(6), Some(3)),
            "要 inside 好不要吧"
        );
        // Alternatives: the farthest of each side.
        assert_eq!(reach(r"不知道\p{Han}|\p{Han}{2}不知道"), (Some(8), Some(4)));
        // Too many literals to spell out whole: the question that starts every match, or
        // the offer that ends it. The question has fewer once the literals that hold
        // another are dropped (有什么我们可以 holds 有什么).
        let offer =
            r"(?:有什么|有啥|哪些)(?:我|我们)?(?:可以|能|能够)?(?:为|帮|帮助|帮到)(?:您|你)";
        assert_eq!(
            anchors(offer),
            Some(vec!["哪些".into(), "有什么".into(), "有啥".into()])
        );
        assert_eq!(reach(offer), (Some(0), Some(21)));
    }

    fn slotted(phrase: &str) -> Pattern {
        Pattern::from_regex(&slots_to_regex(phrase).expect("valid"), None).expect("valid")
    }

    #[test]
    fn slots_compile_to_patterns_that_match_real_text() {
        let p = slotted("我是{number}号客服人员");
        assert!(p.is_match("您好，我是1024号客服人员"));
        assert!(p.is_match("我是１０２４号客服人员"));
        assert!(!p.is_match("我是号客服人员"));
        assert_eq!(p.anchors, Some(vec!["号客服人员".into()]));
        let p = slotted("我是{name}");
        assert!(p.is_match("您好，我是李娜，很高兴为您服务"));
        let p = slotted("{{a}}");
        assert!(p.is_match("{a}"));
        assert!(Pattern::checked_slotted("我是{name}").is_ok());
    }

    /// What `checked` says of a regex, told as `from_regex` would tell it.
    fn as_compiled(source: &str) -> Result<(Vec<Arc<str>>, bool), PatternError> {
        Pattern::from_regex(source, None).map(|p| {
            let names = p.named.iter().map(|(_, name)| name.clone()).collect();
            (names, p.is_match(""))
        })
    }

    #[test]
    fn checking_a_regex_tells_what_compiling_it_would() {
        let mut sources: Vec<String> = [
            "不知道",
            r"(?P<surname>\p{Han})(?:先生|女士)(?P<hit>您好)",
            "a*",
            "^",
            "$",
            r"\b",
            r"(?m)^\s*$",
            "(?:)",
            "a|",
            r"\w{1000}{1000}",
            r"[\p{Han}\w]{200}{50}",
            "(?=a)",
            "不(知道",
            r"\p{Nope}",
            "(?P<hit>)",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let pack = crate::RulePack::builtin().expect("the built-in pack loads");
        for rule in pack.rules() {
            for leaf in rule.leaves() {
                sources.extend(leaf.patterns().iter().cloned());
                sources.extend(leaf.unless().matches.iter().cloned());
            }
        }
        assert!(sources.len() > 100, "{} sources", sources.len());
        for source in &sources {
            let checked = Pattern::checked(source).map(|c| (c.names, c.matches_empty));
            assert_eq!(checked, as_compiled(source), "{source}");
        }
        assert!(Pattern::checked("a*").expect("valid").matches_empty);
        assert!(!Pattern::checked(r"\b").expect("valid").matches_empty);
        let big = Pattern::checked(r"\w{1000}{1000}").expect_err("too big");
        assert!(
            big.message.starts_with("the regex is too big"),
            "{}",
            big.message
        );
    }

    #[test]
    fn slot_errors_point_at_the_slot() {
        let err = Pattern::checked_slotted("我是{nmae}").expect_err("unknown slot");
        assert_eq!(err.span, Some(6..12));
        assert!(
            err.message.contains("did you mean `{name}`?"),
            "{}",
            err.message
        );
        let err = Pattern::checked_slotted("我是{name").expect_err("unclosed");
        assert_eq!(err.span, Some(6..11));
        let err = Pattern::checked_slotted("a}b").expect_err("unmatched");
        assert_eq!(err.span, Some(1..2));
    }

    /// Regexes made of pieces, most of them valid: nested groups (named, `hit`, with flags),
    /// alternations, repetitions, classes, look-around the engine has, CJK text, and now and
    /// then a piece that makes it invalid (an unclosed class, look-ahead, a stray brace).
    fn regex_source() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::collection::vec;
        use proptest::sample::select;
        use proptest::strategy::Strategy;
        const ATOMS: &[&str] = &[
            "a",
            "不知道",
            "您",
            "",
            r"\b",
            r"\B",
            r"\d",
            r"\w",
            r"\s",
            ".",
            r"\p{Han}",
            r"\pN",
            "[a-z]",
            "[^，。]",
            "^",
            "$",
            "[",
            r"\",
            "(?=a)",
            "{",
            ")",
        ];
        const OPEN: &[&str] = &["(", "(?:", "(?P<x>", "(?P<hit>", "(?i:", "(?m:"];
        const REPEAT: &[&str] = &["?", "*", "+", "??", "{2}", "{0,3}", "{9}", "{2,}"];
        select(ATOMS)
            .prop_map(String::from)
            .prop_recursive(3, 24, 4, |inner| {
                proptest::prop_oneof![
                    vec(inner.clone(), 1..4).prop_map(|parts| parts.concat()),
                    (select(OPEN), vec(inner.clone(), 0..3))
                        .prop_map(|(open, parts)| format!("{open}{})", parts.concat())),
                    (inner.clone(), select(REPEAT)).prop_map(|(a, r)| format!("{a}{r}")),
                    (inner.clone(), inner).prop_map(|(a, b)| format!("{a}|{b}")),
                ]
            })
    }

    /// Every hit of `p` in `text`, searched as the matcher searches: in windows around each
    /// occurrence of an anchor, merged where they overlap, or anchored at each anchor when
    /// every match starts with one.
    fn windowed_hits(p: &Pattern, text: &str) -> Vec<(usize, usize)> {
        let mut anchors: Vec<Range<usize>> = Vec::new();
        for (at, _) in text.char_indices() {
            for anchor in p.anchors.iter().flatten() {
                if text[at..].starts_with(anchor.as_str()) {
                    anchors.push(at..at + anchor.len());
                }
            }
        }
        anchors.sort_by_key(|a| (a.start, a.end));
        let mut hits = Vec::new();
        let (mut cache, mut caps) = (p.regex.create_cache(), p.regex.create_captures());
        if p.starts_at_anchor() {
            let starts = anchors
                .iter()
                .map(|a| (a.start, p.window(text, a.clone()).end));
            p.for_each_hit_at(text, starts, &mut cache, &mut caps, |s, e, _| {
                hits.push((s, e))
            });
            return hits;
        }
        let mut merged: Vec<Range<usize>> = Vec::new();
        for w in anchors.into_iter().map(|a| p.window(text, a)) {
            match merged.last_mut() {
                Some(last) if w.start <= last.end => last.end = last.end.max(w.end),
                _ => merged.push(w),
            }
        }
        p.for_each_hit_in(text, merged, &mut cache, &mut caps, |s, e, _| {
            hits.push((s, e))
        });
        hits
    }

    fn all_hits(p: &Pattern, text: &str) -> Vec<(usize, usize)> {
        let mut hits = Vec::new();
        let (mut cache, mut caps) = (p.regex.create_cache(), p.regex.create_captures());
        p.for_each_hit(text, 0..text.len(), &mut cache, &mut caps, |s, e, _| {
            hits.push((s, e))
        });
        hits
    }

    /// Regexes with literals to anchor on, among what may come before and after them.
    fn anchored_source() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::collection::vec;
        use proptest::sample::select;
        use proptest::strategy::Strategy;
        const ATOMS: &[&str] = &[
            "不知道",
            "您",
            "a",
            "ab",
            "1",
            "[19]",
            r"\p{Han}",
            r"\d",
            ".",
            "[，。 ]",
            "(?:^|[^0-9])",
            "(?:[，。]|$)",
            r"\b",
        ];
        const OPEN: &[&str] = &["(?:", "(?P<hit>", "(?i:"];
        const REPEAT: &[&str] = &["?", "*", "+", "{2}", "{0,3}", "{1,5}", "{2,}"];
        select(ATOMS)
            .prop_map(String::from)
            .prop_recursive(3, 16, 4, |inner| {
                proptest::prop_oneof![
                    3 => vec(inner.clone(), 2..5).prop_map(|parts| parts.concat()),
                    1 => (select(OPEN), vec(inner.clone(), 1..3))
                        .prop_map(|(open, parts)| format!("{open}{})", parts.concat())),
                    1 => (inner.clone(), select(REPEAT))
                        .prop_map(|(a, r)| format!("(?:{a}){r}")),
                    1 => (inner.clone(), inner).prop_map(|(a, b)| format!("(?:{a}|{b})")),
                ]
            })
    }

    /// Texts made of what the generated regexes match, and what they do not.
    fn text_source() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy;
        const PIECES: &[&str] = &[
            "不知道",
            "您",
            "a",
            "A",
            "ab",
            "，",
            "。",
            " ",
            "1",
            "9",
            "字",
            "𠀀",
            "\n",
            "K",
        ];
        proptest::collection::vec(proptest::sample::select(PIECES), 0..24)
            .prop_map(|pieces| pieces.concat())
    }

    #[test]
    fn windows_find_what_the_whole_text_holds() {
        for (regex, text) in [
            (
                r"(?:有什么|有啥)(?:我|我们)?(?:为|帮)(?:您|你)",
                "请问有什么我们帮您，有啥为你",
            ),
            (r"我是\p{Han}{2,4}", "您好我是小王我是客服"),
            (
                r"(?:^|[^0-9])(?P<hit>1[3-9][0-9]{9})(?:[^0-9]|$)",
                "电话13912345678，13812345678",
            ),
            (r"(?:x不要){1,3}", "x不要x不要x不要x不要"),
        ] {
            let p = Pattern::from_regex(regex, None).expect("valid");
            assert!(p.anchors.is_some(), "{regex}");
            assert!(!all_hits(&p, text).is_empty(), "{regex}");
            assert_eq!(
                windowed_hits(&p, text),
                all_hits(&p, text),
                "{regex} in {text}"
            );
        }
    }

    proptest::proptest! {
        /// Any regex with anchors, any text: searching the windows around its anchors finds
        /// every hit that searching the whole text finds, and no other.
        #[test]
        fn windows_around_anchors_find_every_hit(
            source in proptest::prop_oneof![anchored_source(), regex_source()],
            text in text_source(),
        ) {
            let Ok(p) = Pattern::from_regex(&source, None) else {
                return Ok(());
            };
            if p.anchors.is_some() {
                proptest::prop_assert_eq!(windowed_hits(&p, &text), all_hits(&p, &text));
            }
        }

        /// Any regex: checking it as a pack is read says what compiling it would, errors
        /// included.
        #[test]
        fn checking_any_regex_tells_what_compiling_it_would(source in regex_source()) {
            proptest::prop_assert_eq!(
                Pattern::checked(&source).map(|c| (c.names, c.matches_empty)),
                as_compiled(&source)
            );
        }
    }

    #[test]
    fn thousands_of_literals_with_a_shared_prefix_compile() {
        // 3,000 literals are too many to anchor on: the pattern runs over whole turns, and the
        // regex engine searches it with a literal matcher alone. Built as automata, without
        // that matcher, its reverse program would pass the size limit.
        let prefix = "您好这里是客服中心请问有什么可以帮您的吗";
        let literals: Vec<String> = (0..3000u32)
            .map(|i| {
                let c = |n| char::from_u32(n).expect("a CJK character");
                format!("{prefix}{}{}", c(0x4E00 + i / 60), c(0x4E64 + i % 60))
            })
            .collect();
        let source = literals.join("|");
        assert!(Pattern::checked(&source).is_ok());
        let pattern = Pattern::from_regex(&source, None).expect("compiles");
        assert!(pattern.is_match(&format!("喂，{}。", literals[2999])));
    }

    #[test]
    fn regex_errors_carry_the_position() {
        let err = Pattern::from_regex("不(知道", None).expect_err("unclosed group");
        assert_eq!(err.message, "unclosed group");
        assert_eq!(err.span, Some(3..4));
    }

    #[test]
    fn hit_group_searches_resume_at_the_hit() {
        let p = Pattern::from_regex(r"(?:^|[，！])(?P<hit>不行)(?:[，！]|$)", None).expect("valid");
        let mut hits = Vec::new();
        let text = "不行，不行！";
        let (mut cache, mut caps) = (p.regex.create_cache(), p.regex.create_captures());
        p.for_each_hit(text, 0..text.len(), &mut cache, &mut caps, |s, e, _| {
            hits.push((s, e))
        });
        assert_eq!(hits, vec![(0, 6), (9, 15)]);
    }

    #[test]
    fn digit_checks() {
        assert!(verify(Verify::Luhn, "4111 1111 1111 1111"));
        assert!(!verify(Verify::Luhn, "4111 1111 1111 1112"));
        assert!(verify(Verify::CnIdCard, "11010519491231002X"));
        assert!(!verify(Verify::CnIdCard, "110105194912310021"));
        assert!(!verify(Verify::CnIdCard, "110105194913310021"));
        assert!(verify(Verify::CnMobile, "13812345678"));
        assert!(verify(Verify::CnMobile, "１３８１２３４５６７８"));
        assert!(!verify(Verify::CnMobile, "12812345678"));
    }
}
