//! Plain-text transcripts: `客服：…` / `客户：…`, one turn per line.

use super::time::TimeValue;
use super::{InputError, ReadOptions};
use crate::transcript::{Role, Transcript, Turn};

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
    ReadOptions::default().parse_text_transcript(text, id)
}

impl ReadOptions {
    /// Parses a plain-text transcript with these options; see [`parse_text_transcript`].
    pub fn parse_text_transcript(&self, text: &str, id: &str) -> Result<Transcript, InputError> {
        let transcript = self.text_turns(text, id)?;
        super::within_turn_limit(transcript, 1, self.max_turns)
    }

    fn text_turns(&self, text: &str, id: &str) -> Result<Transcript, InputError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut transcript = Transcript::new(id, Vec::new());
        let mut times = self.time_reader();
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
                            transcript.source = value.parse().map_err(|m| {
                                InputError::new(line_no, None, format!("source: {m}"))
                            })?
                        }
                        "channel" => {
                            transcript.channel = Some(value.parse().map_err(|m| {
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
                        .read(TimeValue::Text(clock))
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
}

/// Splits `[00:01:05] rest` into the clock and the rest.
fn strip_time(line: &str) -> Option<(&str, &str)> {
    let inner = line.strip_prefix('[').or_else(|| line.strip_prefix('【'))?;
    let end = inner.find([']', '】'])?;
    let close_len = inner[end..].chars().next().map_or(1, char::len_utf8);
    Some((inner[..end].trim(), inner[end + close_len..].trim_start()))
}

/// Splits `label：text` at the first ASCII or full-width colon, if the label is short.
pub(crate) fn split_label(line: &str) -> Option<(&str, &str)> {
    let at = line.find([':', '：'])?;
    let colon_len = line[at..].chars().next().map_or(1, char::len_utf8);
    let label = &line[..at];
    (label.chars().count() <= 24).then(|| (label, &line[at + colon_len..]))
}

/// Recognizes `客服：…`, `客服(1024)：…` or `agent: …` and returns the role and the text.
pub(crate) fn split_turn(line: &str) -> Option<(Role, &str)> {
    let (label, text) = split_label(line)?;
    let label = label.trim();
    if let Some(role) = Role::from_alias(label) {
        return Some((role, text));
    }
    // Labels that carry the speaker's id or name: 客服(1024), 坐席 李娜, agent-07.
    let cut = label.find(['(', '（', ' ', '-', '_', '#'])?;
    Role::from_alias(&label[..cut]).map(|role| (role, text))
}
