//! JSON documents: one transcript object (or speech-recognition result) in a file, or an
//! array of them, pretty-printed or not.

use serde_json::value::RawValue;

use super::{InputError, ReadOptions, Record};

impl ReadOptions {
    /// Reads a whole JSON document: one transcript object, one speech-recognition result, or
    /// an array of either. Each element gives one [`Record`], on the line it starts on; a
    /// document that is not JSON gives one error record.
    ///
    /// A lone object without an id takes `stem` (usually the file's name without its
    /// extension); an array's elements take `FILE:LINE` when `file` is given.
    pub fn parse_json_document(&self, text: &str, file: Option<&str>, stem: &str) -> Vec<Record> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let body = text.trim_start();
        let mut lines = LineCounter::new(text);
        if !body.starts_with('[') {
            let line = lines.line_of(text.len() - body.len());
            let transcript = self
                .json_object(body.trim_end(), line, || stem.to_string())
                .and_then(|t| super::within_turn_limit(t, line, self.max_turns));
            return vec![Record { line, transcript }];
        }
        let elements: Vec<&RawValue> = match serde_json::from_str(text) {
            Ok(elements) => elements,
            Err(e) => {
                let message = format!(
                    "invalid JSON: {}",
                    e.to_string()
                        .rsplit_once(" at line ")
                        .map_or(e.to_string(), |(m, _)| m.to_string())
                );
                let error = InputError::new(e.line(), Some(e.column()), message);
                return vec![Record {
                    line: e.line(),
                    transcript: Err(error),
                }];
            }
        };
        // A list of sentences rather than of transcripts is one speech-recognition result.
        let sentences = elements
            .first()
            .and_then(|first| serde_json::from_str::<serde_json::Value>(first.get()).ok())
            .is_some_and(|first| first.is_object() && first.get("turns").is_none());
        if sentences
            && let Ok(value) = serde_json::from_str::<serde_json::Value>(text)
            && let Some(found) = super::asr::read(&value, self, 1, &|| stem.to_string())
        {
            let transcript = found.and_then(|t| super::within_turn_limit(t, 1, self.max_turns));
            return vec![Record {
                line: 1,
                transcript,
            }];
        }
        elements
            .into_iter()
            .map(|element| {
                let raw = element.get();
                let offset = raw.as_ptr() as usize - text.as_ptr() as usize;
                let line = lines.line_of(offset);
                let column = text[..offset]
                    .rsplit('\n')
                    .next()
                    .map_or(1, |l| l.chars().count() + 1);
                let transcript = self
                    .parse_json_record(raw, line, file)
                    .map_err(|e| shift_column(e, line, column));
                Record { line, transcript }
            })
            .collect::<Vec<Record>>()
    }
}

/// On the element's first line, columns count from where the element starts.
fn shift_column(e: InputError, line: usize, column: usize) -> InputError {
    match e.column() {
        Some(c) if e.line() == line && column > 1 => {
            InputError::new(e.line(), Some(c + column - 1), e.message().to_string())
        }
        _ => e,
    }
}

/// Line numbers of byte offsets, counted forward without reading the text twice.
struct LineCounter<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> LineCounter<'a> {
        LineCounter {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of `offset`; offsets must not go backwards.
    fn line_of(&mut self, offset: usize) -> usize {
        let offset = offset.max(self.offset);
        self.line += memchr::memchr_iter(b'\n', &self.text.as_bytes()[self.offset..offset]).count();
        self.offset = offset;
        self.line
    }
}
