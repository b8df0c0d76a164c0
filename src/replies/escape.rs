//! How a reply is written in its file: decoding escapes to map each character of the reply
//! back to its bytes, and encoding a replacement to write it back.

use std::ops::Range;

use crate::text::{ceil_char_boundary, floor_char_boundary};

/// How a reply is written in its file, for writing a changed reply back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Style {
    /// As is: plain text, Markdown, unquoted CSV fields, YAML plain and block scalars.
    Verbatim,
    /// A JSON string.
    Json,
    /// A TOML basic string (`"…"`, `"""…"""`).
    TomlBasic,
    /// A TOML literal string (`'…'`, `'''…'''`): no escapes.
    TomlLiteral,
    /// A YAML double-quoted scalar.
    YamlDouble,
    /// A YAML single-quoted scalar (`''` is a quote).
    YamlSingle,
    /// A quoted CSV field (`""` is a quote).
    CsvQuoted,
}

impl Style {
    /// `replacement` written in this style; `None` when it cannot be (see `Reply::encode`).
    pub(super) fn encode(self, replacement: &str) -> Option<String> {
        let mut out = String::with_capacity(replacement.len());
        for c in replacement.chars() {
            match (self, c) {
                (Style::Json | Style::TomlBasic | Style::YamlDouble, '"') => out.push_str("\\\""),
                (Style::Json | Style::TomlBasic | Style::YamlDouble, '\\') => out.push_str("\\\\"),
                (Style::Json | Style::TomlBasic | Style::YamlDouble, '\n') => out.push_str("\\n"),
                (Style::Json | Style::TomlBasic | Style::YamlDouble, '\t') => out.push_str("\\t"),
                (Style::Json | Style::TomlBasic | Style::YamlDouble, c) if c.is_control() => {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                }
                (Style::YamlSingle, '\'') => out.push_str("''"),
                (Style::CsvQuoted, '"') => out.push_str("\"\""),
                (Style::TomlLiteral | Style::Verbatim | Style::YamlSingle, '\n') => return None,
                (Style::TomlLiteral, '\'') => return None,
                (_, c) => out.push(c),
            }
        }
        Some(out)
    }
}

/// One escape sequence in a quoted string: the character it stands for (`None` for a line
/// continuation, which stands for nothing) and its length in bytes.
fn escape_at(s: &str, style: Style) -> Option<(Option<char>, usize)> {
    let mut chars = s.chars();
    if chars.next() != Some('\\') {
        return None;
    }
    let c = chars.next()?;
    let simple = |ch: char| Some((Some(ch), 1 + c.len_utf8()));
    let hex = |digits: usize| -> Option<(Option<char>, usize)> {
        let h = s.get(2..2 + digits)?;
        let value = u32::from_str_radix(h, 16).ok()?;
        Some((char::from_u32(value), 2 + digits))
    };
    match (style, c) {
        (_, '"') => simple('"'),
        (_, '\\') => simple('\\'),
        (_, 'b') => simple('\u{8}'),
        (_, 'f') => simple('\u{c}'),
        (_, 'n') => simple('\n'),
        (_, 'r') => simple('\r'),
        (_, 't') => simple('\t'),
        (Style::Json | Style::YamlDouble, '/') => simple('/'),
        (Style::TomlBasic | Style::YamlDouble, 'e') => simple('\u{1b}'),
        (Style::YamlDouble, '0') => simple('\0'),
        (Style::YamlDouble, 'a') => simple('\u{7}'),
        (Style::YamlDouble, 'v') => simple('\u{b}'),
        (Style::YamlDouble, ' ') => simple(' '),
        (Style::YamlDouble, '\t') => simple('\t'),
        (Style::YamlDouble, 'N') => simple('\u{85}'),
        (Style::YamlDouble, '_') => simple('\u{a0}'),
        (Style::YamlDouble, 'L') => simple('\u{2028}'),
        (Style::YamlDouble, 'P') => simple('\u{2029}'),
        (Style::TomlBasic | Style::YamlDouble, 'x') => hex(2),
        (Style::TomlBasic | Style::YamlDouble, 'U') => hex(8),
        (Style::Json, 'u') => {
            let (first, len) = hex(4)?;
            match first {
                Some(c) => Some((Some(c), len)),
                // A surrogate pair: \uD83D\uDE00.
                None => {
                    let hi = u32::from_str_radix(s.get(2..6)?, 16).ok()?;
                    let lo = u32::from_str_radix(s.get(8..12)?, 16).ok()?;
                    if s.get(6..8)? != "\\u" || !(0xD800..0xDC00).contains(&hi) {
                        return None;
                    }
                    let value = 0x10000 + ((hi - 0xD800) << 10) + (lo.checked_sub(0xDC00)?);
                    Some((char::from_u32(value), 12))
                }
            }
        }
        (Style::TomlBasic | Style::YamlDouble, 'u') => hex(4),
        // A line continuation: the backslash, blanks, the line break, and the blanks after.
        (Style::TomlBasic | Style::YamlDouble, ' ' | '\t' | '\r' | '\n') => {
            let rest = &s[1..];
            let blanks = rest.len() - rest.trim_start_matches([' ', '\t', '\r']).len();
            if !rest[blanks..].starts_with('\n') {
                return None;
            }
            let after = &rest[blanks..];
            let skipped = after.len() - after.trim_start_matches([' ', '\t', '\r', '\n']).len();
            Some((None, 1 + blanks + skipped))
        }
        _ => None,
    }
}

/// For each character of `text`, decoded from the file's `region`, its byte offset in `text`
/// and its bytes in the file. Walks both together: escapes are decoded, doubled quotes taken
/// as one, and what the text leaves out (indentation, folded line breaks, markup) skipped.
/// A character that cannot be found maps to an empty span where the search stood.
pub(super) fn align(
    source: &str,
    region: Range<usize>,
    text: &str,
    style: Style,
) -> Vec<(usize, usize, usize)> {
    let escapes = matches!(style, Style::Json | Style::TomlBasic | Style::YamlDouble);
    let doubled = match style {
        Style::YamlSingle => Some("''"),
        Style::CsvQuoted => Some("\"\""),
        _ => None,
    };
    // On character boundaries whatever a reader's span says, so that no slice can split a
    // character.
    let end = floor_char_boundary(source, region.end.min(source.len()));
    let start = ceil_char_boundary(source, region.start.min(end));
    let mut pos = start;
    let mut out = Vec::with_capacity(text.len() / 2);
    for (offset, c) in text.char_indices() {
        let mut mapped = None;
        // Bounded, so that a character missing from the file costs little.
        let mut budget = 512usize;
        while pos < end && budget > 0 {
            budget -= 1;
            let rest = &source[pos..end];
            if escapes && rest.starts_with('\\') {
                match escape_at(rest, style) {
                    Some((Some(ch), len)) if ch == c => {
                        mapped = Some((pos, pos + len));
                        pos += len;
                        break;
                    }
                    Some((None, len)) => {
                        pos += len;
                        continue;
                    }
                    Some((Some(_), len)) => {
                        pos += len;
                        continue;
                    }
                    None => {}
                }
            }
            if let Some(pair) = doubled {
                if rest.starts_with(pair) && pair.starts_with(c) {
                    mapped = Some((pos, pos + 2));
                    pos += 2;
                    break;
                }
            }
            if rest.starts_with(c) {
                mapped = Some((pos, pos + c.len_utf8()));
                pos += c.len_utf8();
                break;
            }
            pos += rest.chars().next().map_or(1, char::len_utf8);
        }
        let (a, b) = mapped.unwrap_or((pos.min(end), pos.min(end)));
        out.push((offset, a, b));
        if mapped.is_none() {
            // Do not let one missing character swallow the rest: search again from where
            // the previous character was found.
            pos = out.iter().rev().find(|m| m.2 > m.1).map_or(start, |m| m.2);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::replies::LibraryFormat;
    use crate::replies::tests::read;

    #[test]
    fn encoding_a_replacement_follows_the_style() {
        let src = "a = \"x\"\nb = 'y'\n";
        let lib = read("r.toml", LibraryFormat::Toml, src);
        assert_eq!(
            lib.replies[0].encode("他说\"好\"\n").as_deref(),
            Some("他说\\\"好\\\"\\n")
        );
        assert_eq!(lib.replies[1].encode("a'b"), None);
    }
}
