//! Finding and reading the input: files, directories and standard input.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use huashu::Transcript;
use huashu::read::{InputError, ReadOptions, Record, RecordRead, binary, read_record, too_long};
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

    fn from_record(file: &str, record: Record) -> Item {
        match record.transcript {
            Ok(transcript) => Item::Transcript {
                file: file.to_string(),
                line: record.line,
                transcript,
            },
            Err(e) => Item::from_input_error(file, e),
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
    /// Read already: a transcript grouped from a table's rows or taken from a JSON document,
    /// or a file or record that could not be read.
    Ready(Item, usize),
}

impl Raw {
    /// How many bytes of input this unit covers, for progress.
    pub(crate) fn len(&self) -> usize {
        match self {
            Raw::JsonLine { bytes, .. } | Raw::Text { bytes, .. } => bytes.len(),
            Raw::Ready(_, len) => *len,
        }
    }

    /// Parses the unit into a transcript, or into the reason it is not one.
    pub(crate) fn parse(self, options: &ReadOptions) -> Item {
        match self {
            Raw::JsonLine { file, line, bytes } => {
                let name = id_prefix(&file);
                let record = options.parse_json_line(&bytes, line, Some(name));
                Item::from_record(
                    &file,
                    Record {
                        line,
                        transcript: record,
                    },
                )
            }
            Raw::Text { file, bytes } => text_item(&file, bytes, options),
            Raw::Ready(item, _) => item,
        }
    }
}

fn error(item: Item) -> Raw {
    Raw::Ready(item, 0)
}

/// A transcript or error read already, with the bytes it holds, so that batches of them stay
/// within the batch size however large each is.
fn ready(item: Item) -> Raw {
    let len = match &item {
        Item::Transcript { transcript, .. } => {
            transcript.turns.iter().map(|t| t.text.len() + 48).sum()
        }
        Item::Error { .. } => 0,
    };
    Raw::Ready(item, len)
}

/// The name that records without an id are called by, with their line: the file as given,
/// or `stdin`.
fn id_prefix(file: &str) -> &str {
    if file == "-" { "stdin" } else { file }
}

/// Reads every input in order and hands each unit to `send`, which returns `false` when no
/// more are wanted. Problems with the input become error items; nothing is lost.
///
/// `send`'s second argument says that standard input has nothing more buffered: the next
/// record may be a while coming, so what has been read should be checked now.
pub(crate) fn read(
    paths: &[PathBuf],
    format: InputFormat,
    options: &ReadOptions,
    mut send: impl FnMut(Raw, bool) -> bool,
) {
    for path in paths {
        if path.as_os_str() == "-" {
            let more = match sniffed(io::stdin().lock()) {
                Ok((found, reader)) => {
                    let format = if format == InputFormat::Auto {
                        found
                    } else {
                        format
                    };
                    read_source("-", reader, format, options, true, &mut send)
                }
                Err(e) => send(
                    error(Item::file_error("-", format!("cannot read: {e}"))),
                    false,
                ),
            };
            if !more {
                return;
            }
            continue;
        }
        let files = match expand(path) {
            Ok(files) => files,
            Err(message) => {
                if !send(
                    error(Item::file_error(&path.display().to_string(), message)),
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
                Ok(f) => match sniffed(f) {
                    Ok((found, reader)) => {
                        let format = match format {
                            InputFormat::Auto => by_extension(&file).unwrap_or(found),
                            other => other,
                        };
                        read_source(&name, reader, format, options, false, &mut send)
                    }
                    Err(e) => send(
                        error(Item::file_error(&name, format!("cannot read: {e}"))),
                        false,
                    ),
                },
                Err(e) => send(
                    error(Item::file_error(&name, format!("cannot open: {e}"))),
                    false,
                ),
            };
            if !more {
                return;
            }
        }
    }
}

/// The extensions read from directories, and the format each means. Other extensions (and
/// `*.jsonl` files that turn out to hold a pretty-printed document) are told by content.
const EXTENSIONS: &[(&str, InputFormat)] = &[
    ("jsonl", InputFormat::Jsonl),
    ("ndjson", InputFormat::Jsonl),
    ("json", InputFormat::Json),
    ("txt", InputFormat::Text),
    ("csv", InputFormat::Csv),
    ("tsv", InputFormat::Tsv),
    ("xlsx", InputFormat::Xlsx),
    ("xlsm", InputFormat::Xlsx),
    ("xls", InputFormat::Xlsx),
    ("xlsb", InputFormat::Xlsx),
    ("ods", InputFormat::Xlsx),
];

fn by_extension(path: &Path) -> Option<InputFormat> {
    let ext = path.extension()?.to_str()?;
    let format = EXTENSIONS
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(ext))
        .map(|&(_, f)| f)?;
    // JSON files are told by content: a `.json` file may hold JSON Lines, and a `.jsonl`
    // file one pretty-printed document.
    Some(format).filter(|f| !matches!(f, InputFormat::Jsonl | InputFormat::Json))
}

/// An input whose start has been read to tell its format, and that still yields every byte.
type Sniffed<R> = BufReader<io::Chain<io::Cursor<Vec<u8>>, R>>;

/// How much of an input is looked at to tell its format: its first line, up to this much.
const SNIFF_BYTES: usize = 64 << 10;

/// Reads the start of `reader` (its first line, or up to `SNIFF_BYTES`, or all of it if
/// shorter) and tells its format from it; returns the format and a reader that still yields
/// every byte. A slow pipe is waited for: the format is not guessed from a first fragment.
fn sniffed<R: Read>(mut reader: R) -> io::Result<(InputFormat, Sniffed<R>)> {
    let mut start = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        start.extend_from_slice(&chunk[..n]);
        let body = start.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&start);
        let text = body.iter().position(|b| !b.is_ascii_whitespace());
        let lined = text.is_some_and(|t| memchr::memchr(b'\n', &body[t..]).is_some());
        if n == 0 || lined || start.len() >= SNIFF_BYTES {
            break;
        }
    }
    let format = sniff(&start);
    Ok((
        format,
        BufReader::with_capacity(1 << 16, io::Cursor::new(start).chain(reader)),
    ))
}

/// The format of an input, from its first bytes: a spreadsheet (a zip or OLE file), JSON
/// Lines (a first line that is a whole JSON object), a JSON document (an array, or an object
/// over several lines), a table (a first line with tabs or commas that is not a
/// role-labelled turn), or plain text.
fn sniff(buf: &[u8]) -> InputFormat {
    if buf.starts_with(b"PK\x03\x04") || buf.starts_with(&[0xd0, 0xcf, 0x11, 0xe0]) {
        return InputFormat::Xlsx;
    }
    let buf = buf.strip_prefix("\u{feff}".as_bytes()).unwrap_or(buf);
    let start = buf.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return InputFormat::Jsonl;
    };
    // Binary input is read as JSON Lines, whose reader says that it is binary.
    if memchr::memchr(0, buf).is_some() {
        return InputFormat::Jsonl;
    }
    let rest = &buf[start..];
    let first_line = rest.split(|&b| b == b'\n').next().unwrap_or(rest);
    let first_line = String::from_utf8_lossy(first_line);
    let first_line = first_line.trim();
    match rest[0] {
        // `[{…}]` is a JSON array; `[00:00:01] 客服：…` is a plain-text transcript.
        b'[' if rest[1..]
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_none_or(|b| matches!(b, b'{' | b'[' | b']' | b'"')) =>
        {
            return InputFormat::Json;
        }
        // A first line that is a whole object is JSON Lines; one that opens an object and
        // goes on (`{`, `{"id": 1,`) a pretty-printed document; anything else a broken first
        // line of JSON Lines, which is reported as such.
        b'{' if serde_json::from_str::<serde::de::IgnoredAny>(first_line).is_ok() => {
            return InputFormat::Jsonl;
        }
        b'{' if first_line.ends_with(['{', '[', ',', ':']) => return InputFormat::Json,
        b'{' => return InputFormat::Jsonl,
        _ => {}
    }
    if first_line.starts_with('#') || is_turn(first_line) {
        InputFormat::Text
    } else if first_line.contains('\t') {
        InputFormat::Tsv
    } else if first_line.contains(',') {
        InputFormat::Csv
    } else {
        InputFormat::Text
    }
}

/// Whether `line` is a plain-text turn: `客服：…`, `agent: …`, `[00:01] 客户(1024)：…`.
fn is_turn(line: &str) -> bool {
    let line = match line.strip_prefix(['[', '【']) {
        Some(rest) => rest.split_once([']', '】']).map_or(rest, |(_, r)| r),
        None => line,
    };
    let Some((label, _)) = line.split_once([':', '：']) else {
        return false;
    };
    let label = label.trim();
    let name = label
        .split(['(', '（', ' ', '-', '_', '#'])
        .next()
        .unwrap_or(label);
    huashu::Role::from_alias(label).is_some() || huashu::Role::from_alias(name).is_some()
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

/// The files a path stands for: itself, or the transcript files under a directory, sorted.
/// A directory's hidden and git-ignored files count too.
fn expand(path: &Path) -> Result<Vec<PathBuf>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot open: {e}"))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let (found, errors) = walk::files(path, Scope::Everything, |p| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.iter().any(|(x, _)| e.eq_ignore_ascii_case(x)))
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
        let names: Vec<String> = EXTENSIONS.iter().map(|(e, _)| format!("*.{e}")).collect();
        return Err(format!(
            "the directory holds no transcript files ({})",
            names.join(", ")
        ));
    }
    Ok(found)
}

/// The file's name without its extension: the id of a transcript that has none.
fn stem(name: &str) -> String {
    Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| s != "-")
        .unwrap_or_else(|| "stdin".to_string())
}

/// Reads all of `reader`, up to `limit` bytes: `Err` with the message of the error item
/// otherwise.
fn read_whole(reader: &mut impl Read, limit: usize, what: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    match reader
        .take((limit as u64).saturating_add(1))
        .read_to_end(&mut bytes)
    {
        Ok(n) if n > limit => Err(format!(
            "the file is larger than the limit of {} for {what}; it was not read (raise the \
             limit with --max-record-size{})",
            human_bytes(limit),
            if what == "one record" {
                ""
            } else {
                ", or convert it to JSON Lines"
            }
        )),
        Ok(_) => Ok(bytes),
        Err(e) => Err(format!("cannot read: {e}")),
    }
}

/// Reads one source; returns `false` when `send` wants no more.
fn read_source(
    name: &str,
    mut reader: BufReader<impl Read>,
    format: InputFormat,
    options: &ReadOptions,
    interactive: bool,
    send: &mut impl FnMut(Raw, bool) -> bool,
) -> bool {
    let file: Arc<str> = name.into();
    let limit = options.max_record_bytes;
    match format {
        InputFormat::Text => match read_whole(&mut reader, limit, "one record") {
            Ok(bytes) => send(Raw::Text { file, bytes }, false),
            Err(message) => send(error(Item::file_error(name, message)), false),
        },
        InputFormat::Json => match read_whole(&mut reader, limit, "a JSON document") {
            Ok(bytes) => {
                let text = match String::from_utf8(bytes) {
                    Ok(text) => text,
                    Err(e) => return send(error(not_utf8(name, e)), false),
                };
                let records =
                    options.parse_json_document(&text, Some(id_prefix(name)), &stem(name));
                records
                    .into_iter()
                    .all(|r| send(ready(Item::from_record(name, r)), false))
            }
            Err(message) => send(error(Item::file_error(name, message)), false),
        },
        InputFormat::Csv | InputFormat::Tsv => {
            let delimiter = if format == InputFormat::Tsv {
                b'\t'
            } else {
                b','
            };
            let mut more = true;
            options.read_csv(reader, delimiter, &stem(name), |record| {
                more = send(ready(Item::from_record(name, record)), false);
                more
            });
            more
        }
        InputFormat::Xlsx => match read_whole(&mut reader, options.max_open_bytes, "a spreadsheet")
        {
            Ok(bytes) => {
                let mut more = true;
                options.read_sheet(bytes, &stem(name), |record| {
                    more = send(ready(Item::from_record(name, record)), false);
                    more
                });
                more
            }
            Err(message) => send(error(Item::file_error(name, message)), false),
        },
        InputFormat::Jsonl | InputFormat::Auto => {
            let mut line = 0;
            loop {
                let mut bytes = Vec::new();
                let read = match read_record(&mut reader, &mut bytes, limit) {
                    Ok(read) => read,
                    Err(e) => {
                        let message = format!("cannot read after line {line}: {e}");
                        return send(error(Item::file_error(name, message)), false);
                    }
                };
                line += 1;
                match read {
                    RecordRead::End => return true,
                    RecordRead::Line => {}
                    RecordRead::TooLong { len } => {
                        let item = Item::from_input_error(name, too_long(line, len, limit));
                        if !send(error(item), false) {
                            return false;
                        }
                        continue;
                    }
                    RecordRead::Binary => {
                        return send(error(Item::from_input_error(name, binary(line))), false);
                    }
                }
                if huashu::read::is_blank(&bytes) {
                    continue;
                }
                let raw = Raw::JsonLine {
                    file: file.clone(),
                    line,
                    bytes,
                };
                let idle = interactive && reader.buffer().is_empty();
                if !send(raw, idle) {
                    return false;
                }
            }
        }
    }
}

fn not_utf8(name: &str, e: std::string::FromUtf8Error) -> Item {
    let (line, column) =
        huashu::text::invalid_utf8_position(e.as_bytes(), e.utf8_error().valid_up_to());
    Item::Error {
        file: name.to_string(),
        line: Some(line),
        column: Some(column),
        message: "the file is not valid UTF-8".to_string(),
    }
}

/// A plain-text transcript file, parsed.
fn text_item(name: &str, bytes: Vec<u8>, options: &ReadOptions) -> Item {
    match String::from_utf8(bytes) {
        Ok(text) => match options.parse_text_transcript(&text, &stem(name)) {
            Ok(transcript) => Item::Transcript {
                file: name.to_string(),
                line: 1,
                transcript,
            },
            Err(e) => Item::from_input_error(name, e),
        },
        Err(e) => not_utf8(name, e),
    }
}
