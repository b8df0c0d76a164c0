//! Finding and reading the input: files, directories and standard input.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use huashu::Transcript;
use huashu::read::{InputError, JsonLines, parse_text_transcript};

use crate::cli::InputFormat;

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

/// Reads every input in order and hands each item to `visit`. Stops only when `visit` fails
/// (the output cannot be written); problems with the input become `Item::Error`s.
pub(crate) fn for_each(
    paths: &[PathBuf],
    format: InputFormat,
    mut visit: impl FnMut(Item) -> io::Result<()>,
) -> io::Result<()> {
    for path in paths {
        if path.as_os_str() == "-" {
            read_source("-", io::stdin().lock(), format, true, &mut visit)?;
            continue;
        }
        let files = match expand(path) {
            Ok(files) => files,
            Err(message) => {
                visit(Item::file_error(&path.display().to_string(), message))?;
                continue;
            }
        };
        for file in files {
            let name = file.display().to_string();
            match File::open(&file) {
                Ok(f) => {
                    let format = match format {
                        InputFormat::Auto if has_extension(&file, &["txt"]) => InputFormat::Text,
                        InputFormat::Auto => InputFormat::Jsonl,
                        other => other,
                    };
                    read_source(&name, BufReader::new(f), format, false, &mut visit)?;
                }
                Err(e) => visit(Item::file_error(&name, format!("cannot open: {e}")))?,
            }
        }
    }
    Ok(())
}

fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// The files a path stands for: itself, or the transcript files under a directory, sorted.
fn expand(path: &Path) -> Result<Vec<PathBuf>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot open: {e}"))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| format!("cannot read the directory {}: {e}", dir.display()))?;
        for entry in entries {
            let entry =
                entry.map_err(|e| format!("cannot read the directory {}: {e}", dir.display()))?;
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if has_extension(&p, &["jsonl", "ndjson", "txt"]) {
                found.push(p);
            }
        }
    }
    found.sort();
    if found.is_empty() {
        return Err("the directory holds no *.jsonl, *.ndjson or *.txt files".to_string());
    }
    Ok(found)
}

fn read_source(
    name: &str,
    mut reader: impl BufRead,
    format: InputFormat,
    sniff: bool,
    visit: &mut impl FnMut(Item) -> io::Result<()>,
) -> io::Result<()> {
    let format = match format {
        InputFormat::Auto if sniff => {
            let start = match reader.fill_buf() {
                Ok(buf) => buf.iter().find(|b| !b.is_ascii_whitespace()).copied(),
                Err(e) => return visit(Item::file_error(name, format!("cannot read: {e}"))),
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
    match format {
        InputFormat::Text => {
            let mut bytes = Vec::new();
            if let Err(e) = reader.read_to_end(&mut bytes) {
                return visit(Item::file_error(name, format!("cannot read: {e}")));
            }
            let stem = Path::new(name)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .filter(|s| s != "-")
                .unwrap_or_else(|| "stdin".to_string());
            let item = match String::from_utf8(bytes) {
                Ok(text) => match parse_text_transcript(&text, &stem) {
                    Ok(transcript) => Item::Transcript {
                        file: name.to_string(),
                        line: 1,
                        transcript,
                    },
                    Err(e) => Item::from_input_error(name, e),
                },
                Err(e) => {
                    let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                    let valid = String::from_utf8_lossy(valid);
                    let line = valid.matches('\n').count() + 1;
                    let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                    Item::Error {
                        file: name.to_string(),
                        line: Some(line),
                        column: Some(column),
                        message: "the file is not valid UTF-8".to_string(),
                    }
                }
            };
            visit(item)
        }
        InputFormat::Jsonl | InputFormat::Auto => {
            for record in JsonLines::new(reader) {
                let item = match record {
                    Ok(record) => match record.transcript {
                        Ok(transcript) => Item::Transcript {
                            file: name.to_string(),
                            line: record.line,
                            transcript,
                        },
                        Err(e) => Item::from_input_error(name, e),
                    },
                    Err(e) => {
                        visit(Item::file_error(name, format!("cannot read: {e}")))?;
                        break;
                    }
                };
                visit(item)?;
            }
            Ok(())
        }
    }
}
