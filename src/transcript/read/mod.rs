//! Reading transcripts from what contact centres export:
//! - JSON Lines, one transcript object per line (`json`), and JSON documents: one object or an
//!   array of them, pretty-printed or not;
//! - speech-recognition results, a list of sentences with speakers and times, in the shapes
//!   real ASR services emit (`asr`);
//! - tables with one row per turn: CSV, TSV and Excel sheets (`table`);
//! - plain-text transcripts, `客服：…` / `客户：…` (`text`).
//!
//! Every record read produces a transcript or an [`InputError`] that says what is wrong and
//! where; nothing is dropped silently and nothing panics on bad input. [`ReadOptions`] holds
//! what every reader shares: how times are read, who the speakers are, and the limits.

mod asr;
mod document;
pub(crate) mod json;
mod speakers;
pub mod table;
mod text;
mod time;

use std::fmt;
use std::io::{self, BufRead};

use jiff::tz::Offset;

use crate::text::human_bytes;
use crate::transcript::Transcript;

pub use asr::{AsrShape, SHAPES as ASR_SHAPES, Unit as AsrUnit};
#[doc(hidden)]
pub use json::direct_reader_disagrees;
pub use json::{parse_json_line, parse_json_record};
pub use speakers::Speakers;
pub use text::parse_text_transcript;
pub use time::{DEFAULT_TIMEZONE, TimeUnit, parse_offset};

/// How transcripts are read: what every reader shares.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// How numbers are read as times.
    pub time_unit: TimeUnit,
    /// The offset of times written without one (`2024-05-21 10:00:00`);
    /// [`DEFAULT_TIMEZONE`], +08:00, unless set.
    pub timezone: Offset,
    /// Which role each speaker or channel of a speech-recognition result (or a table's role
    /// column) stands for.
    pub speakers: Speakers,
    /// The columns of a table: which holds the id, the role, the text and the time.
    pub columns: table::Columns,
    /// The largest record in bytes: a JSON Lines line, a JSON document, a text file.
    pub max_record_bytes: usize,
    /// The most turns one transcript may have.
    pub max_turns: usize,
    /// The most bytes of table rows held while their conversations are still open; see
    /// [`table::Grouper`].
    pub max_open_bytes: usize,
}

/// The most bytes of table rows held for conversations still open, by default: 256 MiB.
pub const DEFAULT_MAX_OPEN_BYTES: usize = 256 << 20;

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            time_unit: TimeUnit::Auto,
            timezone: DEFAULT_TIMEZONE,
            speakers: Speakers::default(),
            columns: table::Columns::default(),
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            max_turns: DEFAULT_MAX_TURNS,
            max_open_bytes: DEFAULT_MAX_OPEN_BYTES,
        }
    }
}

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
    options: ReadOptions,
    ended: bool,
}

impl<R: BufRead> JsonLines<R> {
    /// Reads records from `reader`.
    pub fn new(reader: R) -> Self {
        JsonLines {
            reader,
            line: 0,
            buf: Vec::new(),
            options: ReadOptions::default(),
            ended: false,
        }
    }

    /// Reads records with these options.
    pub fn with_options(mut self, options: ReadOptions) -> Self {
        self.options = options;
        self
    }

    /// Sets the largest record, in bytes.
    pub fn max_record_bytes(mut self, limit: usize) -> Self {
        self.options.max_record_bytes = limit;
        self
    }

    /// Sets the most turns a transcript may have.
    pub fn max_turns(mut self, limit: usize) -> Self {
        self.options.max_turns = limit;
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
            let read = match read_record(
                &mut self.reader,
                &mut self.buf,
                self.options.max_record_bytes,
            ) {
                Ok(read) => read,
                Err(e) => return Some(Err(e)),
            };
            self.line += 1;
            let line = self.line;
            match read {
                RecordRead::End => return None,
                RecordRead::Line => {}
                RecordRead::TooLong { len } => {
                    let transcript = Err(too_long(line, len, self.options.max_record_bytes));
                    return Some(Ok(Record { line, transcript }));
                }
                RecordRead::Binary => {
                    self.ended = true;
                    let transcript = Err(binary(line));
                    return Some(Ok(Record { line, transcript }));
                }
            }
            let bytes = trim_line_end(&self.buf);
            if is_blank(bytes) {
                continue;
            }
            let transcript = self.options.parse_json_line(bytes, line, None);
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

/// Whether a line holds nothing but whitespace (and perhaps a byte-order mark).
pub fn is_blank(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    bytes.iter().all(u8::is_ascii_whitespace)
}

pub(crate) fn trim_line_end(mut bytes: &[u8]) -> &[u8] {
    if let [rest @ .., b'\n'] = bytes {
        bytes = rest;
    }
    if let [rest @ .., b'\r'] = bytes {
        bytes = rest;
    }
    bytes
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

    use super::time::MIXED_TIMES;
    use super::*;
    use crate::transcript::{Channel, Role};
    use serde_json::Value;

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
    fn a_turn_names_its_fields_as_exports_do() {
        // `speaker` and `content` stand for `role` and `text`, which win when both are there;
        // keys written with escapes are the same keys; other keys are skipped.
        let records = read_all(concat!(
            r#"{"turns":[{"speaker":"客服","content":"您好","queue":{"a":[1]}},"#,
            r#"{"role":"customer","speaker":"agent","text":"你好","content":"x"}]}"#
        ));
        let t = records[0].transcript.as_ref().expect("valid");
        let turns: Vec<(Role, &str)> = t.turns.iter().map(|t| (t.role, &*t.text)).collect();
        assert_eq!(turns, vec![(Role::Agent, "您好"), (Role::Customer, "你好")]);
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
