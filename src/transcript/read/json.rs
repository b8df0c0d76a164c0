//! JSON transcript records, `{"id": …, "turns": […]}`, one per line or in a JSON document
//! (one object, or an array of them, pretty-printed or not). A record without `turns` is read
//! as a speech-recognition result (`asr`).

use std::fmt;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::time::{TimeReader, TimeValue};
use super::{InputError, ReadOptions, asr, trim_line_end};
use crate::text::invalid_utf8_position;
use crate::transcript::{Channel, Role, Source, Transcript, Turn};

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

/// One turn: an object `{"role", "text", "time"}` (or `speaker` and `content`, with `role`
/// and `text` winning when both are there), or a list `[role, text]` / `[role, text, time]`.
struct RawTurn {
    role: Role,
    text: String,
    time: Option<Scalar>,
}

const TURN_EXPECTED: &str = "a turn: an object {\"role\": …, \"text\": …, \"time\": …} or a \
                             list [role, text] or [role, text, time]";

impl<'de> Deserialize<'de> for RawTurn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RawTurn, D::Error> {
        use serde::de::{Error, IgnoredAny, MapAccess, SeqAccess};
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawTurn;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(TURN_EXPECTED)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawTurn, A::Error> {
                let length = |n: usize| {
                    let s = if n == 1 { "" } else { "s" };
                    A::Error::custom(format!(
                        "a turn written as a list is [role, text] or [role, text, time]; this \
                         one has {n} element{s}"
                    ))
                };
                let role: Role = seq.next_element()?.ok_or_else(|| length(0))?;
                let text: String = seq.next_element()?.ok_or_else(|| length(1))?;
                let time: Option<Scalar> = seq.next_element()?;
                let mut n = 2 + usize::from(time.is_some());
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    n += 1;
                }
                if n > 3 {
                    return Err(length(n));
                }
                Ok(RawTurn { role, text, time })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawTurn, A::Error> {
                let (mut role, mut speaker, mut text, mut content, mut time) =
                    (None, None, None, None, None);
                while let Some(key) = map.next_key::<TurnKey>()? {
                    match key {
                        TurnKey::Role => role = Some(map.next_value::<Role>()?),
                        TurnKey::Speaker => speaker = Some(map.next_value::<Role>()?),
                        TurnKey::Text => text = Some(map.next_value::<String>()?),
                        TurnKey::Content => content = Some(map.next_value::<String>()?),
                        TurnKey::Time => time = map.next_value::<Option<Scalar>>()?,
                        TurnKey::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(RawTurn {
                    role: role
                        .or(speaker)
                        .ok_or_else(|| A::Error::missing_field("role"))?,
                    text: text
                        .or(content)
                        .ok_or_else(|| A::Error::missing_field("text"))?,
                    time,
                })
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// A key of a turn object, told apart as it is read: no key is copied.
enum TurnKey {
    Role,
    Speaker,
    Text,
    Content,
    Time,
    Other,
}

impl<'de> Deserialize<'de> for TurnKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<TurnKey, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = TurnKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<TurnKey, E> {
                Ok(match key {
                    "role" => TurnKey::Role,
                    "speaker" => TurnKey::Speaker,
                    "text" => TurnKey::Text,
                    "content" => TurnKey::Content,
                    "time" => TurnKey::Time,
                    _ => TurnKey::Other,
                })
            }
        }
        d.deserialize_identifier(Visitor)
    }
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
    fn time(&self) -> TimeValue<'_> {
        match self {
            Scalar::Text(s) => TimeValue::Text(s),
            Scalar::Number(n) => TimeValue::Number(n.as_f64().unwrap_or(f64::NAN)),
        }
    }

    fn into_string(self) -> String {
        match self {
            Scalar::Text(s) => s,
            Scalar::Number(n) => n.to_string(),
        }
    }
}

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
        let mut de = serde_json::Deserializer::from_str(text);
        // Read without tracking the path, which costs on every field; only a record that
        // fails is read again with it, for an error that says where.
        let raw: RawTranscript = match RawTranscript::deserialize(&mut de).or_else(|_| {
            serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(text))
        }) {
            Ok(raw) => raw,
            Err(e) => {
                if e.path().to_string() == "."
                    && e.inner().to_string().starts_with("missing field `turns`")
                    && let Ok(value) = serde_json::from_str::<Value>(text)
                    && let Some(found) = asr::read(&value, self, line, &unnamed)
                {
                    return found;
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
