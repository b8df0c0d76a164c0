//! The direct reader: one pass over a record of the common shape, without serde's machinery
//! for every key and value.
//!
//! It reads a record exactly as serde reads it, or declines. It declines anything it does not
//! read itself:
//! - a key with an escape, or a top-level key given twice;
//! - a number with a sign or an exponent, or with more than 15 digits;
//! - a value of a type serde would refuse;
//! - any syntax error.
//!
//! The caller then reads the record with serde, which gives the same result or the error
//! message. So the direct reader needs no messages of its own, and every way a record can be
//! wrong is reported in one place. Values it does not look into (metadata, and a turn's other
//! keys) are read by serde, from where they start.

use std::borrow::Cow;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::{Map, Number, Value};

use crate::transcript::Role;
use crate::transcript::read::json::raw::{RawTranscript, RawTurn, Scalar};

/// Reads `text`, one JSON object, if it has the common shape; `None` declines it.
pub(super) fn read(text: &str) -> Option<RawTranscript> {
    let mut record = Cursor { text, at: 0 };
    record.eat(b'{')?;
    let mut id = None;
    let mut channel = None;
    let mut agent = None;
    let mut source = None;
    let mut turns = None;
    let mut metadata = Map::new();
    // The known keys seen so far, one bit each: serde refuses a known key given twice.
    let mut seen = 0u8;
    let mut once = |bit: u8| {
        let first = seen & bit == 0;
        seen |= bit;
        first.then_some(())
    };
    loop {
        let key = record.key()?;
        record.eat(b':')?;
        match key {
            "id" => {
                once(1)?;
                id = record.nullable(Cursor::scalar)?;
            }
            "channel" => {
                once(2)?;
                channel = record.nullable(|value| value.string().map(Cow::into_owned))?;
            }
            "agent" => {
                once(4)?;
                agent = record.nullable(Cursor::scalar)?;
            }
            "source" => {
                once(8)?;
                source = record.nullable(|value| value.string().map(Cow::into_owned))?;
            }
            "turns" => {
                once(16)?;
                turns = Some(record.turns()?);
            }
            other => {
                if metadata.contains_key(other) {
                    return None;
                }
                let start = record.at;
                let value = record.serde::<Value>()?;
                // serde reads the record in one reader, whose limit of 127 nested arrays and
                // objects counts the record's own object too. The levels are counted in the
                // text: a `Value` can have fewer (with serde_json's `raw_value`, an object of
                // its one special key stands for the value written inside it).
                if nesting(text.as_bytes().get(start..record.at)?) >= SERDE_NESTING_LIMIT {
                    return None;
                }
                metadata.insert(other.to_string(), value);
            }
        }
        if record.eat_either(b',', b'}')? == b'}' {
            break;
        }
    }
    record.skip_space();
    if record.at != text.len() {
        return None;
    }
    Some(RawTranscript {
        id,
        channel,
        agent,
        source,
        turns: turns?,
        metadata,
    })
}

/// The most arrays and objects serde_json reads one inside another.
const SERDE_NESTING_LIMIT: usize = 127;

/// How many arrays and objects the JSON text `value` has one inside another.
fn nesting(value: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &b in value {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// A place in the record being read.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// Skips JSON's whitespace: space, tab, line feed and carriage return.
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes().get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte that is not whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.bytes().get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// Consumes `a` or `b`, whichever comes next, and says which.
    fn eat_either(&mut self, a: u8, b: u8) -> Option<u8> {
        let next = self.peek()?;
        (next == a || next == b).then(|| {
            self.at += 1;
            next
        })
    }

    /// A key, which must have no escape: it is compared as written.
    fn key(&mut self) -> Option<&'a str> {
        match self.string()? {
            Cow::Borrowed(key) => Some(key),
            Cow::Owned(_) => None,
        }
    }

    /// A key, compared first with the `likely` ones as written, quotes and all.
    fn key_of(&mut self, likely: &[&'static str]) -> Option<&'a str> {
        self.skip_space();
        let rest = self.bytes().get(self.at..).unwrap_or_default();
        for &key in likely {
            if let Some([b'"', inner @ .., b'"']) = rest.get(..key.len() + 2)
                && inner == key.as_bytes()
            {
                self.at += key.len() + 2;
                return Some(key);
            }
        }
        self.key()
    }

    /// `null` as `None`, or what `read` reads.
    fn nullable<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.peek()? == b'n' {
            return self.literal("null").map(|()| None);
        }
        read(self).map(Some)
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes().get(self.at..end)? == word.as_bytes()).then(|| self.at = end)
    }

    /// A string, borrowed from the record when it has no escape.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let (text, bytes) = (self.text, self.bytes());
        let start = self.at;
        let mut end = special(bytes, start)?;
        if bytes[end] == b'"' {
            self.at = end + 1;
            return Some(Cow::Borrowed(text.get(start..end)?));
        }
        let mut out = String::with_capacity(end - start + 16);
        out.push_str(text.get(start..end)?);
        // `end` is at a backslash.
        loop {
            let escape = *bytes.get(end + 1)?;
            end += 2;
            match escape {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let unit = hex4(bytes.get(end..end + 4)?)?;
                    end += 4;
                    let c = if (0xD800..0xDC00).contains(&unit) {
                        // A leading surrogate, which must be followed by a trailing one.
                        if bytes.get(end..end + 2)? != b"\\u" {
                            return None;
                        }
                        let low = hex4(bytes.get(end + 2..end + 6)?)?;
                        if !(0xDC00..0xE000).contains(&low) {
                            return None;
                        }
                        end += 6;
                        char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))?
                    } else {
                        // A lone trailing surrogate is no char, and declined here.
                        char::from_u32(unit)?
                    };
                    out.push(c);
                }
                _ => return None,
            }
            let start = end;
            end = special(bytes, start)?;
            out.push_str(text.get(start..end)?);
            if bytes[end] == b'"' {
                self.at = end + 1;
                return Some(Cow::Owned(out));
            }
        }
    }

    /// A string or a number, as an id, an agent or a time.
    fn scalar(&mut self) -> Option<Scalar> {
        if self.peek()? == b'"' {
            return self.string().map(|s| Scalar::Text(s.into_owned()));
        }
        self.number().map(Scalar::Number)
    }

    /// A number without sign or exponent, of at most 15 digits, which an `f64` holds exactly:
    /// `0` or `[1-9][0-9]*`, then perhaps `.[0-9]+`. An integer is read as serde reads it, a
    /// `u64`. A fraction is its digits divided by a power of ten, one division of exact
    /// operands, which is the correctly rounded value; serde's result is the same, whether it
    /// does that same division (without its `float_roundtrip` feature) or rounds correctly
    /// (with it). Anything after the number that is not a delimiter is left for the caller to
    /// decline.
    fn number(&mut self) -> Option<Number> {
        const MAX_DIGITS: usize = 15;
        const POWERS: [f64; MAX_DIGITS + 1] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
        ];
        let bytes = self.bytes();
        // The digits of the whole and the fraction, as one integer. Every digit is read before
        // their number is checked, so the arithmetic wraps rather than overflows; a value
        // that wrapped is declined.
        let mut value = 0u64;
        let mut digits = |at: &mut usize| {
            let start = *at;
            while let Some(&b @ b'0'..=b'9') = bytes.get(*at) {
                value = value.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
                *at += 1;
            }
            *at - start
        };
        let mut at = self.at;
        let whole = digits(&mut at);
        if whole == 0 || whole > MAX_DIGITS || (whole > 1 && bytes[self.at] == b'0') {
            return None;
        }
        if bytes.get(at) != Some(&b'.') {
            self.at = at;
            return Some(Number::from(value));
        }
        at += 1;
        let fraction = digits(&mut at);
        if fraction == 0 || whole + fraction > MAX_DIGITS {
            return None;
        }
        self.at = at;
        // Both operands are exact, so the one division rounds correctly.
        Number::from_f64(value as f64 / POWERS[fraction])
    }

    /// `turns`: an array of turns, each an object or a list.
    fn turns(&mut self) -> Option<Vec<RawTurn>> {
        self.eat(b'[')?;
        let mut turns = Vec::new();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(turns);
        }
        loop {
            turns.push(match self.peek()? {
                b'{' => self.turn_object()?,
                b'[' => self.turn_list()?,
                _ => return None,
            });
            if self.eat_either(b',', b']')? == b']' {
                return Some(turns);
            }
        }
    }

    /// `{"role": …, "text": …, "time": …}`, or `speaker` and `content`, with `role` and `text`
    /// winning when both are there. As with serde, a key given twice keeps its last value,
    /// and other keys are skipped.
    fn turn_object(&mut self) -> Option<RawTurn> {
        self.eat(b'{')?;
        let (mut role, mut speaker, mut text, mut content, mut time) =
            (None, None, None, None, None);
        if self.peek()? == b'}' {
            return None;
        }
        loop {
            let key = self.key_of(&["role", "text", "time"])?;
            self.eat(b':')?;
            match key {
                "role" => role = Some(self.role()?),
                "speaker" => speaker = Some(self.role()?),
                "text" => text = Some(self.string()?.into_owned()),
                "content" => content = Some(self.string()?.into_owned()),
                "time" => time = self.nullable(Cursor::scalar)?,
                _ => {
                    // serde skips these with no limit on nesting, and so does this.
                    self.serde::<IgnoredAny>()?;
                }
            }
            if self.eat_either(b',', b'}')? == b'}' {
                break;
            }
        }
        Some(RawTurn {
            role: role.or(speaker)?,
            text: text.or(content)?,
            time,
        })
    }

    /// `[role, text]` or `[role, text, time]`.
    fn turn_list(&mut self) -> Option<RawTurn> {
        self.eat(b'[')?;
        let role = self.role()?;
        self.eat(b',')?;
        let text = self.string()?.into_owned();
        let time = match self.eat_either(b',', b']')? {
            b']' => {
                return Some(RawTurn {
                    role,
                    text,
                    time: None,
                });
            }
            _ => self.scalar()?,
        };
        self.eat(b']')?;
        Some(RawTurn {
            role,
            text,
            time: Some(time),
        })
    }

    /// A role name. The two that most exports write are compared as written first, which
    /// saves reading them as strings; `Role::from_alias` would give the same.
    fn role(&mut self) -> Option<Role> {
        self.skip_space();
        for role in [Role::Agent, Role::Customer] {
            let name = role.as_str().as_bytes();
            if let Some([b'"', inner @ .., b'"']) =
                self.bytes().get(self.at..self.at + name.len() + 2)
                && inner == name
            {
                self.at += name.len() + 2;
                return Some(role);
            }
        }
        Role::from_alias(&self.string()?)
    }

    /// One value of any kind, read by serde from where it starts.
    fn serde<T: DeserializeOwned>(&mut self) -> Option<T> {
        let rest = self.text.get(self.at..)?;
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<T>();
        let value = values.next()?.ok()?;
        self.at += values.byte_offset();
        Some(value)
    }
}

/// Where the string that goes on at `at` ends or has an escape: the first `"` or `\\` from
/// `at`. `None` if there is none, or if a control character comes first, which JSON allows in
/// a string only escaped.
///
/// Eight bytes at a time: each test below marks the first byte that passes it exactly (the
/// marks after it may be wrong, and are not used).
fn special(bytes: &[u8], mut at: usize) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    // The bytes below `n` (for `n` up to 0x80), and the bytes equal to `byte`.
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGH;
    let equal = |word: u64, byte: u8| below(word ^ (ONES * u64::from(byte)), 1);
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        let found = equal(word, b'"') | equal(word, b'\\') | below(word, 0x20);
        if found != 0 {
            at += found.trailing_zeros() as usize / 8;
            return (bytes[at] >= 0x20).then_some(at);
        }
        at += 8;
    }
    let end = at
        + bytes
            .get(at..)?
            .iter()
            .position(|&b| matches!(b, b'"' | b'\\' | ..0x20))?;
    (bytes[end] >= 0x20).then_some(end)
}

/// Four hexadecimal digits, of either case.
fn hex4(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |value, &d| {
        Some(value * 16 + char::from(d).to_digit(16)?)
    })
}
