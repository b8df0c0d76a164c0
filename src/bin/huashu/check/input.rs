//! Finding and reading the input: files, directories and standard input.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use huashu::Transcript;
use huashu::read::{
    InputError, RecordRead, binary, parse_json_line, parse_text_transcript, read_record, too_long,
    within_turn_limit,
};
use huashu::text::human_bytes;

use crate::cli::InputFormat;
use crate::walk::{self, Scope};

/// One thing read from the input: a transcript, or why a record or file could not be read.
pub(crate) enum Item {
    Transcript {
        file: String,
        line: usize,
        transcript: Transcript,
    },
    Error {
        file: String,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
}

impl Item {
    fn from_input_error(file: &str, e: InputError) -> Item {
        Item::Error {
            file: file.to_string(),
            line: Some(e.line()),
            column: e.column(),
            message: e.message().to_string(),
        }
    }

    fn file_error(file: &str, message: String) -> Item {
        Item::Error {
            file: file.to_string(),
            line: None,
            column: None,
            message,
        }
    }
}

/// A unit of input as read, before parsing: parsing happens on the scoring threads.
pub(crate) enum Raw {
    /// One non-blank line of a JSON Lines source.
    JsonLine {
        file: Arc<str>,
        line: usize,
        bytes: Vec<u8>,
    },
    /// A whole plain-text transcript file.
    Text { file: Arc<str>, bytes: Vec<u8> },
    /// A file that could not be opened or read.
    Error(Item),
}

impl Raw {
    /// How many bytes of input this unit covers, for progress.
    pub(crate) fn len(&self) -> usize {
        match self {
            Raw::JsonLine { bytes, .. } | Raw::Text { bytes, .. } => bytes.len(),
            Raw::Error(_) => 0,
        }
    }

    /// Parses the unit into a transcript of at most `max_turns` turns, or into the reason it is
    /// not one.
    pub(crate) fn parse(self, max_turns: usize) -> Item {
        match self {
            Raw::JsonLine { file, line, bytes } => match parse_json_line(&bytes, line)
                .and_then(|t| within_turn_limit(t, line, max_turns))
            {
                Ok(transcript) => Item::Transcript {
                    file: file.to_string(),
                    line,
                    transcript,
                },
                Err(e) => Item::from_input_error(&file, e),
            },
            Raw::Text { file, bytes } => text_item(&file, bytes, max_turns),
            Raw::Error(item) => item,
        }
    }
}

/// Reads every input in order and hands each unit to `send`, which returns `false` when no
/// more are wanted. Problems with the input become `Raw::Error`s; nothing is lost.
///
/// `send`'s second argument says that standard input has nothing more buffered: the next
/// record may be a while coming, so what has been read should be checked now.
pub(crate) fn read(
    paths: &[PathBuf],
    format: InputFormat,
    limit: usize,
    mut send: impl FnMut(Raw, bool) -> bool,
) {
    for path in paths {
        if path.as_os_str() == "-" {
            if !read_source(
                "-",
                BufReader::new(io::stdin().lock()),
                format,
                limit,
                true,
                &mut send,
            ) {
                return;
            }
            continue;
        }
        let files = match expand(path) {
            Ok(files) => files,
            Err(message) => {
                if !send(
                    Raw::Error(Item::file_error(&path.display().to_string(), message)),
                    false,
                ) {
                    return;
                }
                continue;
            }
        };
        for file in files {
            let name = file.display().to_string();
            let more = match File::open(&file) {
                Ok(f) => {
                    let format = match format {
                        InputFormat::Auto if has_extension(&file, &["txt"]) => InputFormat::Text,
                        InputFormat::Auto => InputFormat::Jsonl,
                        other => other,
                    };
                    read_source(
                        &name,
                        BufReader::with_capacity(1 << 16, f),
                        format,
                        limit,
                        false,
                        &mut send,
                    )
                }
                Err(e) => send(
                    Raw::Error(Item::file_error(&name, format!("cannot open: {e}"))),
                    false,
                ),
            };
            if !more {
                return;
            }
        }
    }
}

/// The total size of the input files, when every input is a file that can be measured (not
/// standard input): for a progress bar with an end.
pub(crate) fn total_size(paths: &[PathBuf]) -> Option<u64> {
    let mut total = 0;
    for path in paths {
        if path.as_os_str() == "-" {
            return None;
        }
        for file in expand(path).ok()? {
            total += std::fs::metadata(file).ok()?.len();
        }
    }
    Some(total)
}

fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// The files a path stands for: itself, or the transcript files under a directory, sorted.
/// A directory's hidden and git-ignored files count too.
fn expand(path: &Path) -> Result<Vec<PathBuf>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot open: {e}"))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let (found, errors) = walk::files(path, Scope::Everything, |p| {
        has_extension(p, &["jsonl", "ndjson", "txt"])
    });
    // A directory that cannot be read fails the whole path rather than scoring part of it.
    if let Some(e) = errors.first() {
        let dir = walk::error_path(e).unwrap_or(path);
        let cause = e
            .io_error()
            .map_or_else(|| e.to_string(), |io| io.to_string());
        return Err(format!(
            "cannot read the directory {}: {cause}",
            dir.display()
        ));
    }
    if found.is_empty() {
        return Err("the directory holds no *.jsonl, *.ndjson or *.txt files".to_string());
    }
    Ok(found)
}

/// Reads one source; returns `false` when `send` wants no more.
fn read_source(
    name: &str,
    mut reader: BufReader<impl Read>,
    format: InputFormat,
    limit: usize,
    sniff: bool,
    send: &mut impl FnMut(Raw, bool) -> bool,
) -> bool {
    let format = match format {
        InputFormat::Auto if sniff => {
            let start = match reader.fill_buf() {
                Ok(buf) => {
                    let buf = buf.strip_prefix("\u{feff}".as_bytes()).unwrap_or(buf);
                    buf.iter().find(|b| !b.is_ascii_whitespace()).copied()
                }
                Err(e) => {
                    let error = Item::file_error(name, format!("cannot read: {e}"));
                    return send(Raw::Error(error), false);
                }
            };
            if start == Some(b'{') {
                InputFormat::Jsonl
            } else {
                InputFormat::Text
            }
        }
        InputFormat::Auto => InputFormat::Jsonl,
        other => other,
    };
    let file: Arc<str> = name.into();
    match format {
        InputFormat::Text => {
            let mut bytes = Vec::new();
            match reader
                .by_ref()
                .take(limit as u64 + 1)
                .read_to_end(&mut bytes)
            {
                Ok(n) if n > limit => {
                    let message = format!(
                        "the file is larger than the limit of {} for one record; it was not \
                         read (raise the limit with --max-record-size)",
                        human_bytes(limit)
                    );
                    send(Raw::Error(Item::file_error(name, message)), false)
                }
                Ok(_) => send(Raw::Text { file, bytes }, false),
                Err(e) => send(
                    Raw::Error(Item::file_error(name, format!("cannot read: {e}"))),
                    false,
                ),
            }
        }
        InputFormat::Jsonl | InputFormat::Auto => {
            let mut line = 0;
            loop {
                let mut bytes = Vec::new();
                let read = match read_record(&mut reader, &mut bytes, limit) {
                    Ok(read) => read,
                    Err(e) => {
                        let message = format!("cannot read after line {line}: {e}");
                        return send(Raw::Error(Item::file_error(name, message)), false);
                    }
                };
                line += 1;
                match read {
                    RecordRead::End => return true,
                    RecordRead::Line => {}
                    RecordRead::TooLong { len } => {
                        let error = Item::from_input_error(name, too_long(line, len, limit));
                        if !send(Raw::Error(error), false) {
                            return false;
                        }
                        continue;
                    }
                    RecordRead::Binary => {
                        return send(
                            Raw::Error(Item::from_input_error(name, binary(line))),
                            false,
                        );
                    }
                }
                if bytes.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let raw = Raw::JsonLine {
                    file: file.clone(),
                    line,
                    bytes,
                };
                let idle = sniff && reader.buffer().is_empty();
                if !send(raw, idle) {
                    return false;
                }
            }
        }
    }
}

/// A plain-text transcript file, parsed.
fn text_item(name: &str, bytes: Vec<u8>, max_turns: usize) -> Item {
    let stem = Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| s != "-")
        .unwrap_or_else(|| "stdin".to_string());
    match String::from_utf8(bytes) {
        Ok(text) => match parse_text_transcript(&text, &stem)
            .and_then(|t| within_turn_limit(t, 1, max_turns))
        {
            Ok(transcript) => Item::Transcript {
                file: name.to_string(),
                line: 1,
                transcript,
            },
            Err(e) => Item::from_input_error(name, e),
        },
        Err(e) => {
            let (line, column) =
                huashu::text::invalid_utf8_position(e.as_bytes(), e.utf8_error().valid_up_to());
            Item::Error {
                file: name.to_string(),
                line: Some(line),
                column: Some(column),
                message: "the file is not valid UTF-8".to_string(),
            }
        }
    }
}
