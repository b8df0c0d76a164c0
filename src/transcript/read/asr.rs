//! Speech-recognition results: the sentences of a recorded call, each with a speaker or
//! channel, start and end times, and text, in the shapes that real ASR services emit.
//!
//! Each shape is data: where its sentences are, and what its fields are called. A result is
//! read by the first shape whose sentence list it has. Consecutive sentences of one speaker
//! become one turn, at the time of the first; the speakers' roles come from
//! [`Speakers`](super::Speakers), the first speaker being the agent unless a mapping says
//! otherwise.

use serde_json::Value;

use super::speakers::SpeakerRoles;
use super::{InputError, ReadOptions};
use crate::transcript::{Source, Transcript, Turn};

/// The unit of a shape's times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Milliseconds, as a number or a string of digits.
    Milliseconds,
    /// Seconds, as a number or a string.
    Seconds,
    /// 100-nanosecond ticks.
    Ticks,
}

/// One shape of speech-recognition result.
#[derive(Debug)]
pub struct AsrShape {
    /// The shape's name, as `--input` and the docs use it.
    pub name: &'static str,
    /// The service that emits it.
    pub service: &'static str,
    /// Where the sentence list is: keys from the top, `*` for each element of an array (whose
    /// object then supplies a speaker the sentences lack, as a channel does).
    sentences: &'static [&'static [&'static str]],
    /// The sentence's text: the first of these paths that holds a string.
    text: &'static [&'static [&'static str]],
    /// The sentence's start time.
    start: &'static [&'static str],
    /// The unit of `start`.
    pub unit: Unit,
    /// The speaker or channel: the first of these paths that holds a value, on the sentence
    /// and then on the object of the last `*`.
    speaker: &'static [&'static [&'static str]],
    /// The result's id, if it has one.
    id: &'static [&'static [&'static str]],
}

/// The speech-recognition shapes read, in the order they are tried.
pub const SHAPES: &[AsrShape] = &[
    AsrShape {
        name: "aliyun",
        service: "Alibaba Cloud 录音文件识别 (FileTrans): Result.Sentences",
        sentences: &[&["Result", "Sentences"], &["Sentences"]],
        text: &[&["Text"]],
        start: &["BeginTime"],
        unit: Unit::Milliseconds,
        speaker: &[&["SpeakerId"], &["ChannelId"]],
        id: &[&["TaskId"]],
    },
    AsrShape {
        name: "paraformer",
        service: "Alibaba Cloud 百炼 Paraformer recorded-file recognition: transcripts[].sentences",
        sentences: &[&["transcripts", "*", "sentences"]],
        text: &[&["text"]],
        start: &["begin_time"],
        unit: Unit::Milliseconds,
        speaker: &[&["speaker_id"], &["channel_id"]],
        id: &[&["task_id"]],
    },
    AsrShape {
        name: "tencent",
        service: "Tencent Cloud 录音文件识别: Response.Data.ResultDetail",
        sentences: &[
            &["Response", "Data", "ResultDetail"],
            &["Data", "ResultDetail"],
        ],
        text: &[&["FinalSentence"]],
        start: &["StartMs"],
        unit: Unit::Milliseconds,
        speaker: &[&["SpeakerId"]],
        id: &[&["Response", "Data", "TaskId"], &["Data", "TaskId"]],
    },
    AsrShape {
        name: "volcengine",
        service: "Volcengine 豆包 recorded-file recognition: result.utterances",
        sentences: &[
            &["result", "utterances"],
            &["result", "*", "utterances"],
            &["utterances"],
        ],
        text: &[&["text"]],
        start: &["start_time"],
        unit: Unit::Milliseconds,
        speaker: &[&["additions", "speaker"], &["speaker"], &["channel_id"]],
        id: &[&["id"], &["audio_info", "id"]],
    },
    AsrShape {
        name: "iflytek",
        service: "iFlytek 讯飞 录音文件转写: a list of {bg, ed, onebest, speaker}",
        sentences: &[&["*"], &["data", "*"]],
        text: &[&["onebest"]],
        start: &["bg"],
        unit: Unit::Milliseconds,
        speaker: &[&["speaker"]],
        id: &[],
    },
    AsrShape {
        name: "aws",
        service: "Amazon Transcribe: results.audio_segments",
        sentences: &[&["results", "audio_segments"]],
        text: &[&["transcript"]],
        start: &["start_time"],
        unit: Unit::Seconds,
        speaker: &[&["speaker_label"], &["channel_label"]],
        id: &[&["jobName"]],
    },
    AsrShape {
        name: "azure",
        service: "Azure AI Speech batch transcription: recognizedPhrases",
        sentences: &[&["recognizedPhrases"]],
        text: &[&["nBest", "0", "display"], &["nBest", "0", "lexical"]],
        start: &["offsetInTicks"],
        unit: Unit::Ticks,
        speaker: &[&["speaker"], &["nBest", "0", "speaker"], &["channel"]],
        id: &[],
    },
    AsrShape {
        name: "whisper",
        service: "OpenAI Whisper verbose JSON and WhisperX: segments",
        sentences: &[&["segments"]],
        text: &[&["text"]],
        start: &["start"],
        unit: Unit::Seconds,
        speaker: &[&["speaker"]],
        id: &[],
    },
];

/// One sentence found: its object, and the object of the array element it sits in.
struct Found<'a> {
    sentence: &'a Value,
    parent: Option<&'a Value>,
}

/// Reads `value` as a speech-recognition result, if it has the sentences of one of the
/// shapes. `None` when it has none of them.
pub(crate) fn read(
    value: &Value,
    options: &ReadOptions,
    line: usize,
    unnamed: &dyn Fn() -> String,
) -> Option<Result<Transcript, InputError>> {
    let value = match unwrap_nested(value) {
        Ok(value) => value,
        Err(message) => return Some(Err(InputError::new(line, None, message))),
    };
    let value = &*value;
    for shape in SHAPES {
        for path in shape.sentences {
            let mut found = Vec::new();
            if !collect(value, path, None, &mut found) || found.is_empty() {
                continue;
            }
            if !found
                .iter()
                .any(|f| first(f.sentence, shape.text).is_some_and(Value::is_string))
            {
                continue;
            }
            return Some(shape.transcript(value, &found, options, line, unnamed));
        }
    }
    None
}

/// iFlytek's newer result holds its sentences as JSON text inside `lattice[].json_1best`; the
/// sentences are read into the list shape.
fn unwrap_nested(value: &Value) -> Result<std::borrow::Cow<'_, Value>, String> {
    // The newer API wraps it once more: `content.orderResult` is JSON text holding `lattice`.
    if let Some(Value::String(order)) = value.get("content").and_then(|c| c.get("orderResult"))
        && let Ok(inner) = serde_json::from_str::<Value>(order)
        && inner.get("lattice").is_some()
    {
        return Ok(std::borrow::Cow::Owned(unwrap_nested(&inner)?.into_owned()));
    }
    let lattice = value
        .get("lattice")
        .or_else(|| value.get("lattice2"))
        .and_then(Value::as_array);
    let Some(lattice) = lattice else {
        // iFlytek's older API returns its sentence list as JSON text in `data`.
        if let Some(Value::String(data)) = value.get("data")
            && let Ok(inner @ Value::Array(_)) = serde_json::from_str::<Value>(data)
        {
            return Ok(std::borrow::Cow::Owned(inner));
        }
        return Ok(std::borrow::Cow::Borrowed(value));
    };
    let mut sentences = Vec::with_capacity(lattice.len());
    for (i, entry) in lattice.iter().enumerate() {
        let bad = |what: &str| format!("iflytek result, lattice[{i}]: {what}");
        let best = match entry.get("json_1best") {
            Some(Value::String(s)) => serde_json::from_str::<Value>(s)
                .map_err(|e| bad(&format!("json_1best is not JSON: {e}")))?,
            Some(other) => other.clone(),
            None => return Err(bad("it has no json_1best")),
        };
        let st = best.get("st").ok_or_else(|| bad("json_1best has no st"))?;
        let words = st
            .get("rt")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("st has no rt list"))?;
        let text: String = words
            .iter()
            .flat_map(|rt| rt.get("ws").and_then(Value::as_array).into_iter().flatten())
            .filter_map(|ws| ws.get("cw")?.get(0)?.get("w")?.as_str())
            .collect();
        let mut sentence = serde_json::Map::new();
        sentence.insert(
            "bg".into(),
            st.get("bg").cloned().ok_or_else(|| bad("st has no bg"))?,
        );
        sentence.insert("onebest".into(), Value::String(text));
        if let Some(rl) = st.get("rl") {
            sentence.insert("speaker".into(), rl.clone());
        }
        sentences.push(Value::Object(sentence));
    }
    Ok(std::borrow::Cow::Owned(Value::Array(sentences)))
}

/// Follows `path` from `value`, collecting the sentence objects at its end. `false` when the
/// path is not there.
fn collect<'a>(
    value: &'a Value,
    path: &[&str],
    parent: Option<&'a Value>,
    found: &mut Vec<Found<'a>>,
) -> bool {
    let Some((key, rest)) = path.split_first() else {
        return match value {
            Value::Array(items) => {
                found.extend(items.iter().map(|sentence| Found { sentence, parent }));
                true
            }
            _ => false,
        };
    };
    if *key == "*" {
        let Value::Array(items) = value else {
            return false;
        };
        if rest.is_empty() {
            found.extend(items.iter().map(|sentence| Found { sentence, parent }));
            return true;
        }
        let mut any = false;
        for item in items {
            any |= collect(item, rest, Some(item), found);
        }
        return any;
    }
    match value.get(key) {
        Some(next) => collect(next, rest, parent, found),
        None => false,
    }
}

/// The value at the first of `paths` that is there. A numeric key indexes an array.
fn first<'a>(value: &'a Value, paths: &[&[&str]]) -> Option<&'a Value> {
    paths.iter().find_map(|path| {
        path.iter().try_fold(value, |v, key| match v {
            Value::Array(items) => items.get(key.parse::<usize>().ok()?),
            _ => v.get(key),
        })
    })
}

fn label(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl AsrShape {
    fn transcript(
        &self,
        root: &Value,
        found: &[Found<'_>],
        options: &ReadOptions,
        line: usize,
        unnamed: &dyn Fn() -> String,
    ) -> Result<Transcript, InputError> {
        let id = first(root, self.id)
            .and_then(label)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(unnamed);
        let error = |i: usize, message: String| {
            InputError::new(
                line,
                None,
                format!("{} result, sentence {}: {message}", self.name, i + 1),
            )
        };
        // Sentences in order of their start: channels of a two-channel call come one after
        // the other.
        let mut sentences = Vec::with_capacity(found.len());
        for (i, f) in found.iter().enumerate() {
            let text = match first(f.sentence, self.text) {
                Some(Value::String(s)) => s.as_str(),
                Some(_) => return Err(error(i, "the text is not a string".into())),
                None => continue,
            };
            let start =
                match f.sentence.get(self.start[0]) {
                    None => None,
                    Some(v) => Some(self.seconds(v).ok_or_else(|| {
                        error(i, format!("`{}` is not a time: {v}", self.start[0]))
                    })?),
                };
            let speaker = first(f.sentence, self.speaker)
                .or_else(|| f.parent.and_then(|p| first(p, self.speaker)))
                .and_then(label)
                .unwrap_or_else(|| "0".to_string());
            sentences.push((start, i, speaker, text));
        }
        // (Only when every sentence has a start: otherwise the file's order is kept.)
        if sentences.iter().all(|s| s.0.is_some()) {
            sentences.sort_by(|a, b| a.0.unwrap_or(0.0).total_cmp(&b.0.unwrap_or(0.0)));
        }
        let mut roles = SpeakerRoles::new(&options.speakers);
        let mut turns: Vec<Turn> = Vec::new();
        let mut last_speaker = None;
        for (start, i, speaker, text) in sentences {
            let role = roles.role(&speaker).map_err(|m| error(i, m))?;
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            match turns.last_mut() {
                Some(turn) if last_speaker.as_deref() == Some(speaker.as_str()) => {
                    if !turn.text.ends_with(is_sentence_end) {
                        turn.text.push('。');
                    }
                    turn.text.push_str(text);
                }
                _ => turns.push(Turn {
                    role,
                    text: text.to_string(),
                    time: start,
                }),
            }
            last_speaker = Some(speaker);
        }
        if turns.is_empty() {
            return Err(InputError::new(
                line,
                None,
                format!("{} result `{id}` has no sentences with text", self.name),
            ));
        }
        Ok(Transcript {
            id,
            source: Source::Asr,
            turns,
            ..Transcript::default()
        })
    }

    fn seconds(&self, value: &Value) -> Option<f64> {
        let n = match value {
            Value::Number(n) => n.as_f64()?,
            Value::String(s) => s.trim().parse().ok()?,
            _ => return None,
        };
        let seconds = match self.unit {
            Unit::Milliseconds => n / 1000.0,
            Unit::Seconds => n,
            Unit::Ticks => n / 1e7,
        };
        (seconds.is_finite() && seconds >= 0.0).then_some(seconds)
    }
}

fn is_sentence_end(c: char) -> bool {
    matches!(
        c,
        '。' | '？' | '！' | '，' | '.' | '?' | '!' | ',' | '…' | '；' | ';'
    )
}
