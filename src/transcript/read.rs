//! Reading transcripts: JSON Lines records and plain-text transcripts.
//!
//! Every record read produces a transcript or an [`InputError`] that says what is wrong and
//! where; nothing is dropped silently and nothing panics on bad input.

use std::fmt;
use std::io::{self, BufRead};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::text::{human_bytes, invalid_utf8_position};
use crate::transcript::{Channel, Role, Source, Transcript, Turn, parse_clock};

/// Why one input record could not be read as a transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    line: usize,
    column: Option<usize>,
    message: String,
}

impl InputError {
    pub(crate) fn new(line: usize, column: Option<usize>, message: impl Into<String>) -> Self {
        InputError {
            line,
            column,
            message: message.into(),
        }
    }

    /// The 1-based line of the input the problem is on.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based column (in characters) of the problem, when known.
    pub fn column(&self) -> Option<usize> {
        self.column
    }

    /// What is wrong, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(f, "line {}, column {}: {}", self.line, column, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

impl std::error::Error for InputError {}

/// The largest record read by default: one JSON Lines line, or one plain-text transcript file,
/// of 16 MiB. A longer one is an error record, and reading goes on after it.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 << 20;

/// The most turns a transcript may have by default. A transcript with more is an error
/// record: no real call or chat comes near it, and the conversation rules' cost grows with it.
pub const DEFAULT_MAX_TURNS: usize = 100_000;

/// What [`read_record`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordRead {
    /// The end of the input: nothing was read.
    End,
    /// One line, in the buffer, with its line break.
    Line,
    /// A line longer than the limit: its first `limit` bytes are in the buffer, and the rest
    /// of it, `len` bytes in all, was read past without being kept.
    TooLong {
        /// The line's length in bytes, up to its line break or the end of the input.
        len: usize,
    },
    /// A line that holds a NUL byte past the limit: the input is binary, not text. The line
    /// was not read to its end, since binary input (`/dev/zero`) may have none.
    Binary,
}

/// Reads one line of `reader` into `buf` (cleared first), keeping at most `limit` bytes of it,
/// so that memory stays bounded whatever the input. A longer line is read past to its line
/// break, unless it turns out to be binary.
pub fn read_record(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    limit: usize,
) -> io::Result<RecordRead> {
    buf.clear();
    let mut len = 0usize;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(match len {
                0 => RecordRead::End,
                n if n > limit => RecordRead::TooLong { len: n },
                _ => RecordRead::Line,
            });
        }
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let room = limit.saturating_sub(buf.len());
        let keep = chunk.len().min(room);
        buf.extend_from_slice(&chunk[..keep]);
        let binary = keep < chunk.len() && memchr::memchr(0, &chunk[keep..]).is_some();
        let used = chunk.len();
        len += used;
        reader.consume(used);
        if binary {
            return Ok(RecordRead::Binary);
        }
        if done {
            return Ok(if len > limit {
                RecordRead::TooLong { len }
            } else {
                RecordRead::Line
            });
        }
    }
}

/// The error for a record of `len` bytes over `limit`, on `line`.
pub fn too_long(line: usize, len: usize, limit: usize) -> InputError {
    InputError::new(
        line,
        None,
        format!(
            "the record is {}, more than the limit of {} for one record; it was skipped \
             (raise the limit with --max-record-size)",
            human_bytes(len),
            human_bytes(limit)
        ),
    )
}

/// One record of a JSON Lines stream: the line it is on, and the transcript read from it or
/// the reason it could not be read.
#[derive(Debug)]
pub struct Record {
    /// The 1-based line number of the record.
    pub line: usize,
    /// The transcript, or why the line is not one.
    pub transcript: Result<Transcript, InputError>,
}

/// Reads transcripts from JSON Lines, one transcript object per line.
///
/// Blank lines are skipped. Every other line yields exactly one [`Record`]. Only an I/O error of
/// the underlying reader ends the stream early; it is returned as `Err`.
///
/// A line longer than [`DEFAULT_MAX_RECORD_BYTES`] (or the limit set with
/// [`JsonLines::max_record_bytes`]) is an error record, and memory stays bounded; so is a
/// transcript of more than [`DEFAULT_MAX_TURNS`] turns ([`JsonLines::max_turns`]). Binary input
/// (a NUL byte in an over-long line) ends the stream with an error record.
#[derive(Debug)]
pub struct JsonLines<R> {
    reader: R,
    line: usize,
    buf: Vec<u8>,
    limit: usize,
    max_turns: usize,
    ended: bool,
}

impl<R: BufRead> JsonLines<R> {
    /// Reads records from `reader`.
    pub fn new(reader: R) -> Self {
        JsonLines {
            reader,
            line: 0,
            buf: Vec::new(),
            limit: DEFAULT_MAX_RECORD_BYTES,
            max_turns: DEFAULT_MAX_TURNS,
            ended: false,
        }
    }

    /// Sets the largest record, in bytes.
    pub fn max_record_bytes(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Sets the most turns a transcript may have.
    pub fn max_turns(mut self, limit: usize) -> Self {
        self.max_turns = limit;
        self
    }
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = io::Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.ended {
                return None;
            }
            let read = match read_record(&mut self.reader, &mut self.buf, self.limit) {
                Ok(read) => read,
                Err(e) => return Some(Err(e)),
            };
            self.line += 1;
            let line = self.line;
            match read {
                RecordRead::End => return None,
                RecordRead::Line => {}
                RecordRead::TooLong { len } => {
                    let transcript = Err(too_long(line, len, self.limit));
                    return Some(Ok(Record { line, transcript }));
                }
                RecordRead::Binary => {
                    self.ended = true;
                    let transcript = Err(binary(line));
                    return Some(Ok(Record { line, transcript }));
                }
            }
            let bytes = trim_line_end(&self.buf);
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let transcript = parse_json_line(bytes, line)
                .and_then(|t| within_turn_limit(t, line, self.max_turns));
            return Some(Ok(Record { line, transcript }));
        }
    }
}

/// `transcript`, read from `line`, if it has at most `limit` turns; an error otherwise.
pub fn within_turn_limit(
    transcript: Transcript,
    line: usize,
    limit: usize,
) -> Result<Transcript, InputError> {
    if transcript.turns.len() > limit {
        return Err(InputError::new(
            line,
            None,
            format!(
                "the transcript has {} turns, more than the limit of {limit}; it was skipped \
                 (raise the limit with --max-turns)",
                transcript.turns.len()
            ),
        ));
    }
    Ok(transcript)
}

/// The error for binary input, found on `line`.
pub fn binary(line: usize) -> InputError {
    InputError::new(
        line,
        None,
        "the input holds NUL bytes and no line break within the record limit: it is binary, \
         not JSON Lines or text, and was not read further",
    )
}

fn trim_line_end(mut bytes: &[u8]) -> &[u8] {
    if let [rest @ .., b'\n'] = bytes {
        bytes = rest;
    }
    if let [rest @ .., b'\r'] = bytes {
        bytes = rest;
    }
    bytes
}

#[derive(Deserialize)]
struct RawTranscript {
    #[serde(default)]
    id: Option<Scalar>,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    agent: Option<Scalar>,
    #[serde(default)]
    source: Option<String>,
    turns: Vec<RawTurn>,
    #[serde(flatten)]
    metadata: Map<String, Value>,
}

#[derive(Deserialize)]
struct RawTurn {
    #[serde(alias = "speaker")]
    role: Role,
    #[serde(alias = "content")]
    text: String,
    #[serde(default)]
    time: Option<Scalar>,
}

/// A string or a number: ids, agent ids and times come as either.
enum Scalar {
    Text(String),
    Number(serde_json::Number),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar::Text(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v.into()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v.into()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Scalar, E> {
                serde_json::Number::from_f64(v)
                    .map(Scalar::Number)
                    .ok_or_else(|| E::custom("expected a finite number"))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl Scalar {
    fn into_string(self) -> String {
        match self {
            Scalar::Text(s) => s,
            Scalar::Number(n) => n.to_string(),
        }
    }
}

/// Parses one line of JSON Lines, as bytes: the line must be UTF-8 and hold one transcript
/// object. For callers that split lines themselves, such as a reader that parses lines on
/// several threads.
pub fn parse_json_line(bytes: &[u8], line: usize) -> Result<Transcript, InputError> {
    let bytes = trim_line_end(bytes);
    // A byte-order mark, which Windows tools write at the start of a file, is skipped.
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_json_record(text, line),
        Err(e) => {
            let (_, column) = invalid_utf8_position(bytes, e.valid_up_to());
            Err(InputError::new(
                line,
                Some(column),
                "line is not valid UTF-8",
            ))
        }
    }
}

/// Parses one JSON transcript object. `line` is used for error positions and as the id when
/// the record has none.
pub fn parse_json_record(text: &str, line: usize) -> Result<Transcript, InputError> {
    let start = text.trim_start();
    if !start.starts_with('{') {
        let found = match start.chars().next() {
            Some('[') => "an array",
            Some('"') => "a string",
            Some('t' | 'f') => "a boolean",
            Some('n') => "null",
            Some(c) if c == '-' || c.is_ascii_digit() => "a number",
            _ => "something that is not JSON",
        };
        let column = text.len() - start.len() + 1;
        return Err(InputError::new(
            line,
            Some(text[..column - 1].chars().count() + 1),
            format!("expected a transcript object {{\"id\": …, \"turns\": […]}}, found {found}"),
        ));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let raw: RawTranscript = match serde_path_to_error::deserialize(&mut de) {
        Ok(raw) => raw,
        Err(e) => return Err(json_error(line, e)),
    };
    if let Err(e) = de.end() {
        return Err(InputError::new(
            line,
            Some(e.column()),
            "unexpected text after the transcript object",
        ));
    }
    let id = raw
        .id
        .map(Scalar::into_string)
        .unwrap_or_else(|| format!("line-{line}"));
    let channel = match raw.channel {
        None => None,
        Some(c) => Some(
            c.parse::<Channel>()
                .map_err(|m| InputError::new(line, None, format!("channel: {m}")))?,
        ),
    };
    let source = match raw.source {
        None => Source::Text,
        Some(s) => s
            .parse::<Source>()
            .map_err(|m| InputError::new(line, None, format!("source: {m}")))?,
    };
    let mut times = TimeReader::default();
    let mut turns = Vec::with_capacity(raw.turns.len());
    for (i, t) in raw.turns.into_iter().enumerate() {
        let time = match t.time {
            None => None,
            Some(time) => Some(times.read(time).map_err(|m| {
                InputError::new(line, time_column(text, i), format!("turns[{i}].time: {m}"))
            })?),
        };
        turns.push(Turn {
            role: t.role,
            text: t.text,
            time,
        });
    }
    if turns.is_empty() {
        return Err(InputError::new(
            line,
            None,
            format!("transcript `{id}` has no turns"),
        ));
    }
    Ok(Transcript {
        id,
        channel,
        agent: raw.agent.map(Scalar::into_string),
        source,
        started_at: times.started_at,
        turns,
        metadata: raw.metadata,
    })
}

fn json_error(line: usize, e: serde_path_to_error::Error<serde_json::Error>) -> InputError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    let column = Some(inner.column().max(1));
    let mut message = inner.to_string();
    // serde_json appends " at line L column C"; the position is reported separately.
    if let Some(at) = message.rfind(" at line ") {
        message.truncate(at);
    }
    let message = in_our_words(&message);
    let message = match inner.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!("invalid JSON: {message}")
        }
        _ if path.is_empty() || path == "." => message,
        _ => format!("{path}: {message}"),
    };
    InputError::new(line, column, message)
}

/// The column of turn `i`'s time in the record `text`, found by reading the record again with
/// its values left as written (only when a time is wrong, so the common path pays nothing).
fn time_column(text: &str, i: usize) -> Option<usize> {
    use serde_json::value::RawValue;
    #[derive(Deserialize)]
    struct Turns<'a> {
        #[serde(borrow)]
        turns: Vec<&'a RawValue>,
    }
    #[derive(Deserialize)]
    struct TimeOf<'a> {
        #[serde(borrow, default)]
        time: Option<&'a RawValue>,
    }
    let turns: Turns<'_> = serde_json::from_str(text).ok()?;
    let turn = turns.turns.get(i)?.get();
    let time = match serde_json::from_str::<Vec<&RawValue>>(turn) {
        Ok(items) => *items.get(2)?,
        Err(_) => serde_json::from_str::<TimeOf<'_>>(turn).ok()?.time?,
    };
    let offset = (time.get().as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    Some(text.get(..offset)?.chars().count() + 1)
}

/// A serde message with the names of the reader's own types replaced by what they stand for.
fn in_our_words(message: &str) -> String {
    const TURN: &str = "a turn: an object {\"role\": …, \"text\": …, \"time\": …} or a list \
                        [role, text] or [role, text, time]";
    if let Some(rest) = message.strip_prefix("invalid length ")
        && let Some((n, _)) = rest.split_once(", expected struct RawTurn")
    {
        let s = if n == "1" { "" } else { "s" };
        return format!(
            "a turn written as a list is [role, text] or [role, text, time]; this one has \
             {n} element{s}"
        );
    }
    message
        .replace("expected struct RawTurn", &format!("expected {TURN}"))
        .replace(
            "expected struct RawTranscript",
            "expected a transcript object {\"id\": …, \"turns\": […]}",
        )
}

/// Reads turn times: all offsets in seconds, or all RFC 3339 timestamps.
#[derive(Default)]
struct TimeReader {
    started_at: Option<jiff::Timestamp>,
    offsets: bool,
    /// The time of the turn before, in seconds from the start.
    last: Option<f64>,
}

impl TimeReader {
    fn read(&mut self, time: Scalar) -> Result<f64, String> {
        let seconds = match time {
            Scalar::Number(n) => {
                let s = n.as_f64().ok_or("not a number of seconds")?;
                self.offset(s)?
            }
            Scalar::Text(s) => {
                if let Ok(seconds) = s.trim().parse::<f64>() {
                    self.offset(seconds)?
                } else if let Some(seconds) = parse_clock(s.trim()) {
                    self.offset(seconds)?
                } else {
                    let ts: jiff::Timestamp = s.trim().parse().map_err(|_| {
                        format!(
                            "`{s}` is neither seconds from the start, `HH:MM:SS`, nor an RFC 3339 \
                             timestamp such as 2024-05-01T10:00:00+08:00"
                        )
                    })?;
                    if self.offsets {
                        return Err(MIXED_TIMES.to_string());
                    }
                    let start = *self.started_at.get_or_insert(ts);
                    let nanos = ts.as_nanosecond() - start.as_nanosecond();
                    nanos as f64 / 1e9
                }
            }
        };
        // Turns come in the order they were said: a time before the last one would make a
        // negative wait.
        if let Some(last) = self.last.filter(|&last| seconds < last) {
            return Err(format!(
                "{} is before the time of the turn before it ({}): times must not go \
                 backwards",
                signed_clock(seconds),
                signed_clock(last)
            ));
        }
        self.last = Some(seconds);
        Ok(seconds)
    }

    fn offset(&mut self, seconds: f64) -> Result<f64, String> {
        if self.started_at.is_some() {
            return Err(MIXED_TIMES.to_string());
        }
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(format!(
                "`{seconds}` is not a valid number of seconds from the start"
            ));
        }
        self.offsets = true;
        Ok(seconds)
    }
}

/// `MM:SS` from the start, with a minus before the start.
fn signed_clock(seconds: f64) -> String {
    if seconds < 0.0 {
        format!("-{}", crate::text::clock(-seconds))
    } else {
        crate::text::clock(seconds)
    }
}

const MIXED_TIMES: &str =
    "mixes RFC 3339 timestamps with seconds from the start; use one form for all turns";

/// Parses a plain-text transcript: one turn per line, `客服：…` / `客户：…`, with an optional
/// `[00:01:05]` time before the role.
///
/// - A line that does not start with a known role continues the previous turn.
/// - Blank lines are skipped.
/// - Lines starting with `#` are comments; `# id: …`, `# channel: …` and `# agent: …` set the
///   transcript's fields.
///
/// `id` is used when the text does not set one (usually the file's name).
pub fn parse_text_transcript(text: &str, id: &str) -> Result<Transcript, InputError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut transcript = Transcript::new(id, Vec::new());
    let mut times = TimeReader::default();
    for (index, raw_line) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw_line.trim_end();
        if line.trim().is_empty() {
            continue;
        }
        if let Some(comment) = line.trim_start().strip_prefix('#') {
            if let Some((key, value)) = split_label(comment.trim()) {
                let value = value.trim();
                match key.trim().to_ascii_lowercase().as_str() {
                    "id" => transcript.id = value.to_string(),
                    "agent" => transcript.agent = Some(value.to_string()),
                    "source" => {
                        transcript.source = value
                            .parse()
                            .map_err(|m| InputError::new(line_no, None, format!("source: {m}")))?
                    }
                    "channel" => {
                        transcript.channel =
                            Some(value.parse().map_err(|m| {
                                InputError::new(line_no, None, format!("channel: {m}"))
                            })?)
                    }
                    _ => {}
                }
            }
            continue;
        }
        let (time, rest, rest_column) = match strip_time(line) {
            Some((clock, rest)) => {
                let seconds = times
                    .read(Scalar::Text(clock.to_string()))
                    .map_err(|m| InputError::new(line_no, Some(2), format!("time: {m}")))?;
                let column = line.chars().count() - rest.chars().count() + 1;
                (Some(seconds), rest, column)
            }
            None => (None, line, 1),
        };
        match split_turn(rest) {
            Some((role, said)) => transcript.turns.push(Turn {
                role,
                text: said.trim().to_string(),
                time,
            }),
            None => match transcript.turns.last_mut() {
                Some(turn) if time.is_none() => {
                    if !turn.text.is_empty() {
                        turn.text.push('\n');
                    }
                    turn.text.push_str(line.trim());
                }
                _ => {
                    return Err(InputError::new(
                        line_no,
                        Some(rest_column),
                        "expected a turn such as `客服：您好` or `客户：你好` \
                         (a role, a colon, then the text)",
                    ));
                }
            },
        }
    }
    if transcript.turns.is_empty() {
        return Err(InputError::new(
            1,
            None,
            format!("transcript `{}` has no turns", transcript.id),
        ));
    }
    transcript.started_at = times.started_at;
    Ok(transcript)
}

/// Splits `[00:01:05] rest` into the clock and the rest.
fn strip_time(line: &str) -> Option<(&str, &str)> {
    let inner = line.strip_prefix('[').or_else(|| line.strip_prefix('【'))?;
    let end = inner.find([']', '】'])?;
    let close_len = inner[end..].chars().next().map_or(1, char::len_utf8);
    Some((inner[..end].trim(), inner[end + close_len..].trim_start()))
}

/// Splits `label：text` at the first ASCII or full-width colon, if the label is short.
fn split_label(line: &str) -> Option<(&str, &str)> {
    let at = line.find([':', '：'])?;
    let colon_len = line[at..].chars().next().map_or(1, char::len_utf8);
    let label = &line[..at];
    (label.chars().count() <= 24).then(|| (label, &line[at + colon_len..]))
}

/// Recognizes `客服：…`, `客服(1024)：…` or `agent: …` and returns the role and the text.
fn split_turn(line: &str) -> Option<(Role, &str)> {
    let (label, text) = split_label(line)?;
    let label = label.trim();
    if let Some(role) = Role::from_alias(label) {
        return Some((role, text));
    }
    // Labels that carry the speaker's id or name: 客服(1024), 坐席 李娜, agent-07.
    let cut = label.find(['(', '（', ' ', '-', '_', '#'])?;
    Role::from_alias(&label[..cut]).map(|role| (role, text))
}

#[cfg(test)]
mod tests {
    #[test]
    fn records_are_read_within_their_limit() {
        use std::io::Cursor;
        let long = format!("{{\"x\": \"{}\"}}", "a".repeat(100));
        let input = format!("{{}}\n{long}\n\n{{}}");
        let mut reader = Cursor::new(input.as_bytes());
        let mut buf = Vec::new();
        let mut reads = Vec::new();
        loop {
            let read = read_record(&mut reader, &mut buf, 32).expect("reads");
            reads.push((read, buf.len()));
            if read == RecordRead::End {
                break;
            }
        }
        assert_eq!(
            reads,
            vec![
                (RecordRead::Line, 3),
                (
                    RecordRead::TooLong {
                        len: long.len() + 1
                    },
                    32
                ),
                (RecordRead::Line, 1),
                (RecordRead::Line, 2),
                (RecordRead::End, 0),
            ]
        );
        // NUL bytes past the limit: binary, and not read to an end it may not have.
        let mut zeros = io::BufReader::with_capacity(8, io::repeat(0));
        assert_eq!(
            read_record(&mut zeros, &mut buf, 16).expect("reads"),
            RecordRead::Binary
        );
        // Through JsonLines: an error record names the line, and the next record is read.
        let records: Vec<Record> = JsonLines::new(Cursor::new(input.as_bytes()))
            .max_record_bytes(32)
            .collect::<io::Result<_>>()
            .expect("reads");
        assert_eq!(records.len(), 3);
        let error = records[1].transcript.as_ref().expect_err("too long");
        assert_eq!(error.line(), 2);
        assert!(
            error.message().contains("more than the limit of 32 bytes"),
            "{error}"
        );
        assert_eq!(records[2].line, 4);
    }

    use super::*;

    fn read_all(input: &str) -> Vec<Record> {
        JsonLines::new(input.as_bytes())
            .collect::<io::Result<Vec<_>>>()
            .expect("in-memory reads do not fail")
    }

    #[test]
    fn reads_a_full_record() {
        let records = read_all(
            r#"{"id":"c1","channel":"phone","agent":1024,"queue":"vip","turns":[{"role":"坐席","text":"您好","time":0},{"role":"user","text":"你好","time":"3.5"}]}"#,
        );
        assert_eq!(records.len(), 1);
        let t = records[0].transcript.as_ref().expect("valid record");
        assert_eq!(t.id, "c1");
        assert_eq!(t.channel, Some(Channel::Phone));
        assert_eq!(t.agent.as_deref(), Some("1024"));
        assert_eq!(t.turns[0].role, Role::Agent);
        assert_eq!(t.turns[1].role, Role::Customer);
        assert_eq!(t.turns[1].time, Some(3.5));
        assert_eq!(t.metadata.get("queue"), Some(&Value::from("vip")));
    }

    #[test]
    fn rfc3339_times_become_seconds_from_the_first() {
        let t = parse_json_record(
            r#"{"id":"c","turns":[{"role":"agent","text":"a","time":"2024-05-01T10:00:00+08:00"},{"role":"customer","text":"b","time":"2024-05-01T02:00:30Z"}]}"#,
            1,
        )
        .expect("valid");
        assert_eq!(t.turns[0].time, Some(0.0));
        assert_eq!(t.turns[1].time, Some(30.0));
        assert!(t.started_at.is_some());
    }

    #[test]
    fn every_bad_line_gives_one_error_with_its_line() {
        let input = "{\"id\":\"a\",\"turns\":[{\"role\":\"agent\",\"text\":\"您好\"}]}\n\
             \n\
             {\"id\":\"b\",\"turns\":[{\"role\":\"agent\",\"text\":\"您好\"}\n\
             {\"id\":\"c\",\"turns\":[{\"role\":\"robot2\",\"text\":\"x\"}]}\n\
             {\"id\":\"d\",\"turns\":[]}\n\
             [1,2]\n\
             {\"id\":\"e\",\"turns\":[{\"role\":\"agent\",\"text\":\"x\",\"time\":-1}]}\n";
        let records = read_all(input);
        let lines: Vec<usize> = records.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![1, 3, 4, 5, 6, 7]);
        let errors: Vec<String> = records
            .iter()
            .filter_map(|r| r.transcript.as_ref().err().map(ToString::to_string))
            .collect();
        assert_eq!(
            errors,
            vec![
                "line 3, column 51: invalid JSON: EOF while parsing a list".to_string(),
                format!(
                    "line 4, column 35: turns[0].role: unknown role `robot2`; {}",
                    crate::transcript::ROLE_EXPECTED
                ),
                "line 5: transcript `d` has no turns".to_string(),
                "line 6, column 1: expected a transcript object {\"id\": …, \"turns\": […]}, found an array".to_string(),
                "line 7, column 54: turns[0].time: `-1` is not a valid number of seconds from the start".to_string(),
            ]
        );
    }

    #[test]
    fn invalid_utf8_is_an_error_record_not_a_panic() {
        let mut input = b"{\"id\":\"a\",\"turns\":[{\"role\":\"agent\",\"text\":\"".to_vec();
        input.extend_from_slice(&[0xe4, 0xbd, 0xff]);
        input.extend_from_slice(b"\"}]}\n");
        let records: Vec<Record> = JsonLines::new(&input[..])
            .collect::<io::Result<_>>()
            .expect("reads");
        let err = records[0].transcript.as_ref().expect_err("invalid utf-8");
        assert_eq!(
            err.to_string(),
            "line 1, column 44: line is not valid UTF-8"
        );
    }

    #[test]
    fn mixed_time_forms_are_rejected() {
        let err = parse_json_record(
            r#"{"turns":[{"role":"agent","text":"a","time":0},{"role":"customer","text":"b","time":"2024-05-01T10:00:00Z"}]}"#,
            9,
        )
        .expect_err("mixed");
        assert_eq!(
            err.to_string(),
            format!("line 9, column 85: turns[1].time: {MIXED_TIMES}")
        );
    }

    #[test]
    fn plain_text_transcript() {
        let text = "# channel: phone\n# agent: 1024\n[00:00:01] 客服：您好，请问有什么可以帮助您？\n\
                    [00:00:05] 客户：我的订单\n还没到。\n\n客服(1024): 好的，我帮您查一下。\n";
        let t = parse_text_transcript(text, "call-7").expect("valid");
        assert_eq!(t.id, "call-7");
        assert_eq!(t.channel, Some(Channel::Phone));
        assert_eq!(t.agent.as_deref(), Some("1024"));
        assert_eq!(t.turns.len(), 3);
        assert_eq!(t.turns[0].time, Some(1.0));
        assert_eq!(t.turns[1].text, "我的订单\n还没到。");
        assert_eq!(t.turns[2].role, Role::Agent);
        assert_eq!(t.turns[2].time, None);
    }

    #[test]
    fn plain_text_errors_say_where() {
        let err = parse_text_transcript("您好\n客服：您好", "x").expect_err("no role");
        assert_eq!(err.line(), 1);
        assert_eq!(err.column(), Some(1));
        let err = parse_text_transcript("[00:00:xx] 客服：您好", "x").expect_err("bad time");
        assert_eq!(err.line(), 1);
        let err = parse_text_transcript("\n# only a comment\n", "empty").expect_err("empty");
        assert_eq!(err.to_string(), "line 1: transcript `empty` has no turns");
    }
}
