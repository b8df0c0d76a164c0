//! JSON transcript records, `{"id": …, "turns": […]}`, one per line or in a JSON document
//! (one object, or an array of them, pretty-printed or not). A record without `turns` is read
//! as a speech-recognition result (`asr`).

mod direct;
mod raw;

use serde::Deserialize;
use serde_json::Value;

use self::raw::{RawTranscript, Scalar};
use super::time::TimeReader;
use super::{InputError, ReadOptions, asr, trim_line_end};
use crate::text::invalid_utf8_position;
use crate::transcript::{Channel, Source, Transcript, Turn};

impl ReadOptions {
    /// Parses one line of JSON Lines, as bytes: the line must be UTF-8 and hold one transcript
    /// object (or one speech-recognition result). For callers that split lines themselves,
    /// such as a reader that parses lines on several threads. A record without an id gets
    /// `FILE:LINE` when `file` is given, `line-LINE` otherwise.
    pub fn parse_json_line(
        &self,
        bytes: &[u8],
        line: usize,
        file: Option<&str>,
    ) -> Result<Transcript, InputError> {
        let bytes = trim_line_end(bytes);
        // A byte-order mark, which Windows tools write at the start of a file, is skipped.
        let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
        // The fast check says only whether the line is valid; std's says where it is not.
        if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
            return self.parse_json_record(text, line, file);
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => self.parse_json_record(text, line, file),
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

    /// Parses one JSON transcript object, or one speech-recognition result. `line` is the
    /// line the record starts on, for error positions and the id of a record without one.
    pub fn parse_json_record(
        &self,
        text: &str,
        line: usize,
        file: Option<&str>,
    ) -> Result<Transcript, InputError> {
        let unnamed = || match file {
            Some(file) => format!("{file}:{line}"),
            None => format!("line-{line}"),
        };
        let transcript = self.json_object(text, line, unnamed)?;
        super::within_turn_limit(transcript, line, self.max_turns)
    }

    pub(crate) fn json_object(
        &self,
        text: &str,
        line: usize,
        unnamed: impl Fn() -> String,
    ) -> Result<Transcript, InputError> {
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
                format!(
                    "expected a transcript object {{\"id\": …, \"turns\": […]}}, found {found}"
                ),
            ));
        }
        // Most records have the common shape, which the direct reader reads in one pass; it
        // declines anything else, and serde reads it, or says what is wrong with it.
        let raw = match direct::read(text) {
            Some(raw) => raw,
            None => match serde_record(text, line)? {
                Ok(raw) => raw,
                Err((value, error)) => {
                    if let Some(found) = asr::read(&value, self, line, &unnamed) {
                        return found;
                    }
                    return Err(error);
                }
            },
        };
        let id = raw.id.map(Scalar::into_string).unwrap_or_else(unnamed);
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
        let mut times = self.time_reader();
        let mut turns = Vec::with_capacity(raw.turns.len());
        for (i, t) in raw.turns.into_iter().enumerate() {
            let time = match &t.time {
                None => None,
                Some(time) => Some(times.read(time.time()).map_err(|m| {
                    let column = time_column(text, i);
                    InputError::new(line, column, format!("turns[{i}].time: {m}"))
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

    pub(crate) fn time_reader(&self) -> TimeReader {
        TimeReader::new(self.time_unit, self.timezone)
    }
}

/// A record read with serde: the raw record, or, for an object without `turns`, the object
/// as a value, for the speech-recognition reader to try, with the error to give if it is not
/// one either.
fn serde_record(
    text: &str,
    line: usize,
) -> Result<Result<RawTranscript, (Value, InputError)>, InputError> {
    let mut de = serde_json::Deserializer::from_str(text);
    // Read without tracking the path, which costs on every field; only a record that fails is
    // read again with it, for an error that says where.
    let raw: RawTranscript = match RawTranscript::deserialize(&mut de).or_else(|_| {
        serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(text))
    }) {
        Ok(raw) => raw,
        Err(e) => {
            if e.path().to_string() == "."
                && e.inner().to_string().starts_with("missing field `turns`")
                && let Ok(value) = serde_json::from_str::<Value>(text)
            {
                return Ok(Err((value, json_error(line, e))));
            }
            return Err(json_error(line, e));
        }
    };
    if let Err(e) = de.end() {
        return Err(InputError::new(
            line,
            Some(e.column()),
            "unexpected text after the transcript object",
        ));
    }
    Ok(Ok(raw))
}

/// Where the direct reader reads `text`, how serde's reading differs: `None` when they agree,
/// or when the direct reader declines. For tests and fuzzing: the direct reader must never
/// read a record otherwise than serde.
#[doc(hidden)]
pub fn direct_reader_disagrees(text: &str) -> Option<String> {
    let direct = direct::read(text)?;
    match serde_record(text, 1) {
        Ok(Ok(raw)) if raw == direct => None,
        Ok(Ok(raw)) => Some(format!("direct reader: {direct:?}\nserde: {raw:?}")),
        Ok(Err((_, e))) | Err(e) => Some(format!("direct reader: {direct:?}\nserde: {e}")),
    }
}

/// Parses one line of JSON Lines with the default [`ReadOptions`]; see
/// [`ReadOptions::parse_json_line`].
pub fn parse_json_line(bytes: &[u8], line: usize) -> Result<Transcript, InputError> {
    ReadOptions::default().parse_json_line(bytes, line, None)
}

/// Parses one JSON transcript object with the default [`ReadOptions`]; see
/// [`ReadOptions::parse_json_record`].
pub fn parse_json_record(text: &str, line: usize) -> Result<Transcript, InputError> {
    ReadOptions::default().parse_json_record(text, line, None)
}

/// serde_json's message in the project's words, without the " at line L column C" it
/// appends: the position is reported on its own.
pub(crate) fn serde_message(e: &serde_json::Error) -> String {
    let mut message = e.to_string();
    if let Some(at) = message.rfind(" at line ") {
        message.truncate(at);
    }
    in_our_words(&message)
}

fn json_error(line: usize, e: serde_path_to_error::Error<serde_json::Error>) -> InputError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    let column = Some(inner.column().max(1));
    // Within a record that spans lines (a pretty-printed document), serde counts from 1.
    let line = line + inner.line().saturating_sub(1);
    let message = serde_message(&inner);
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
    message.replace(
        "expected struct RawTranscript",
        "expected a transcript object {\"id\": …, \"turns\": […]}",
    )
}

#[cfg(test)]
mod tests;
