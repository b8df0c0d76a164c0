//! Text: the bottom layer. Normalization with exact spans back to the original, phrase
//! patterns and their slots, and the small helpers every layer above shares: positions as
//! line and column, character boundaries, times as clocks, and "did you mean" suggestions.
//!
//! Nothing here knows about rules, transcripts or findings.

pub(crate) mod normalize;
pub(crate) mod pattern;
pub mod tolerant;

/// The byte offsets where each line of a text starts, for turning byte offsets into
/// 1-based lines and columns. Columns count characters, so a CJK character, a tab or an
/// emoji is one column.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Indexes `text`: one pass over its bytes.
    pub fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// How many lines the text has (a text without a newline has one).
    pub fn lines(&self) -> usize {
        self.starts.len()
    }

    /// The 1-based line of `byte`.
    pub fn line(&self, byte: usize) -> usize {
        self.starts.partition_point(|&s| s <= byte.min(self.len))
    }

    /// The 1-based line and column (in characters) of `byte` in `text`, which must be the
    /// text this index was made from. A byte inside a character counts as that character.
    pub fn position(&self, text: &str, byte: usize) -> (usize, usize) {
        let byte = floor_char_boundary(text, byte.min(text.len()));
        let line = self.line(byte);
        let column = text[self.starts[line - 1]..byte].chars().count() + 1;
        (line, column)
    }

    /// The byte where 1-based `line` starts; the text's length past the last line.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.len)
    }
}

/// The 1-based line and column (in characters) of `byte` in `text`, for one-off positions
/// (an error). Use a [`LineIndex`] for many positions in one text.
pub fn position(text: &str, byte: usize) -> (usize, usize) {
    let byte = floor_char_boundary(text, byte.min(text.len()));
    let before = &text[..byte];
    let line = memchr::memchr_iter(b'\n', before.as_bytes()).count() + 1;
    let line_start = memchr::memrchr(b'\n', before.as_bytes()).map_or(0, |i| i + 1);
    (line, text[line_start..byte].chars().count() + 1)
}

/// The 1-based line and column (in characters) where `bytes` stop being UTF-8: the first
/// byte after the `valid_up_to` bytes of a [`std::str::Utf8Error`].
pub fn invalid_utf8_position(bytes: &[u8], valid_up_to: usize) -> (usize, usize) {
    let valid = std::str::from_utf8(&bytes[..valid_up_to.min(bytes.len())]).unwrap_or_default();
    position(valid, valid.len())
}

/// The largest character boundary of `text` at or before `i` (`i` at most `text.len()`).
pub(crate) fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest character boundary of `text` at or after `i` (`i` at most `text.len()`).
pub(crate) fn ceil_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The candidate most like `word`, if one is close enough to be what was meant: for "did you
/// mean" hints on a mistyped key, rule id or slot name.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > SIMILAR_ENOUGH)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// How alike (Jaro–Winkler) a mistyped name and a real one must be for a hint.
const SIMILAR_ENOUGH: f64 = 0.85;

/// A time in seconds as `MM:SS`, or `H:MM:SS` from an hour on.
pub fn clock(seconds: f64) -> String {
    let whole = seconds.max(0.0) as u64;
    let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// A duration as `48 s` or `1 min 5 s`.
pub(crate) fn duration(seconds: f64) -> String {
    let whole = seconds.round() as u64;
    if whole < 60 {
        format!("{whole} s")
    } else {
        format!("{} min {} s", whole / 60, whole % 60)
    }
}

/// Bytes as a person reads them: `16 MiB`, `2.5 KiB`, `300 bytes`.
pub fn human_bytes(n: usize) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_as_people_write_them() {
        use super::human_bytes;
        assert_eq!(human_bytes(300), "300 bytes");
        assert_eq!(human_bytes(16 << 20), "16 MiB");
        assert_eq!(human_bytes(2560), "2.5 KiB");
    }

    use super::*;

    #[test]
    fn positions_count_characters() {
        let text = "ab\n您好x\n\n";
        let index = LineIndex::new(text);
        assert_eq!(index.lines(), 4);
        assert_eq!(index.position(text, 0), (1, 1));
        assert_eq!(index.position(text, 3), (2, 1));
        // After 您好 (6 bytes): column 3.
        assert_eq!(index.position(text, 9), (2, 3));
        // Inside 好: counts as 好.
        assert_eq!(index.position(text, 7), (2, 2));
        assert_eq!(index.position(text, text.len()), (4, 1));
        for byte in 0..=text.len() {
            assert_eq!(
                index.position(text, byte),
                position(text, byte),
                "byte {byte}"
            );
        }
        assert_eq!(index.line_start(2), 3);
        assert_eq!(index.line_start(9), text.len());
    }

    #[test]
    fn invalid_utf8_is_placed_after_the_valid_part() {
        let mut bytes = "ab\n您好".as_bytes().to_vec();
        bytes.push(0xFF);
        let e = std::str::from_utf8(&bytes).expect_err("invalid");
        assert_eq!(invalid_utf8_position(&bytes, e.valid_up_to()), (2, 3));
        assert_eq!(invalid_utf8_position(&[0xFF], 0), (1, 1));
    }

    #[test]
    fn boundaries_round_to_characters() {
        let text = "a您";
        assert_eq!(floor_char_boundary(text, 2), 1);
        assert_eq!(ceil_char_boundary(text, 2), 4);
        assert_eq!(floor_char_boundary(text, 4), 4);
    }

    #[test]
    fn hints_only_for_close_names() {
        let ids = ["forbidden.dont-know", "opening.greeting"];
        assert_eq!(
            did_you_mean("forbiden.dont-know", ids),
            Some("forbidden.dont-know")
        );
        assert_eq!(did_you_mean("closing.bye", ids), None);
    }

    #[test]
    fn clocks_and_durations() {
        assert_eq!(clock(65.0), "01:05");
        assert_eq!(clock(3725.0), "1:02:05");
        assert_eq!(clock(-3.0), "00:00");
        assert_eq!(duration(48.4), "48 s");
        assert_eq!(duration(65.0), "1 min 5 s");
    }
}
