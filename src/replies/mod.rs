//! Canned-reply libraries (快捷回复, 话术库): the replies kept in TOML, JSON, YAML, CSV, Markdown
//! and plain-text files, each with its exact place in the file, whether it is an opening or a
//! closing, and the suppressions written beside it.
//!
//! Which strings are replies:
//!
//! - **TOML, JSON, YAML**: every string value, except values of metadata keys (`id`, `title`,
//!   `category`, `tags`…). When an object has a reply key (`text`, `reply`, `content`,
//!   `template`, `回复`, `话术`…), only that key's strings are replies.
//! - **CSV, TSV**: the first row names the columns; the reply columns are chosen the same way.
//! - **Markdown**: each paragraph and each list item; headings name sections; code blocks and
//!   HTML are not replies.
//! - **Plain text**: each non-blank line; lines starting with `#` are comments.
//!
//! A reply is an **opening** or a **closing** when a field of its object (`kind`, `type`,
//! `category`, `section`, `usage`) or the name of a section it is in (a key, a table, a
//! heading, the file name) says so: `opening`, `greeting`, `开场白`, `问候`… or `closing`,
//! `farewell`, `结束语`, `结尾`….
//!
//! A **suppression** is a comment, in the file's own comment syntax, or a `huashu-allow` field
//! (JSON, CSV and every structured format): `huashu: allow RULE[, RULE…] -- reason`. A
//! comment applies to the reply on its line, or else to the next reply after it; a field
//! applies to the replies of its object or row.

mod escape;
mod format;
mod labels;
mod suppress;
mod walk;

use std::ops::Range;
use std::path::Path;

use serde::Serialize;

use crate::text::LineIndex;

use escape::{Style, align};
use labels::kind_from;

pub use suppress::Suppression;
pub(crate) use suppress::names;

/// The format of a reply library file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LibraryFormat {
    /// TOML.
    Toml,
    /// JSON, with comments and trailing commas allowed (JSONC).
    Json,
    /// YAML.
    Yaml,
    /// Comma-separated values with a header row.
    Csv,
    /// Tab-separated values with a header row.
    Tsv,
    /// Markdown: paragraphs and list items.
    Markdown,
    /// One reply per line.
    Text,
}

impl LibraryFormat {
    /// Every format, in the order of their names.
    pub const ALL: [LibraryFormat; 7] = [
        LibraryFormat::Csv,
        LibraryFormat::Json,
        LibraryFormat::Markdown,
        LibraryFormat::Text,
        LibraryFormat::Toml,
        LibraryFormat::Tsv,
        LibraryFormat::Yaml,
    ];

    /// The format a file's extension names, if any.
    pub fn from_path(path: &Path) -> Option<LibraryFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "toml" => LibraryFormat::Toml,
            "json" | "jsonc" | "json5" => LibraryFormat::Json,
            "yaml" | "yml" => LibraryFormat::Yaml,
            "csv" => LibraryFormat::Csv,
            "tsv" => LibraryFormat::Tsv,
            "md" | "markdown" => LibraryFormat::Markdown,
            "txt" | "text" => LibraryFormat::Text,
            _ => return None,
        })
    }

    /// The format's name, as `--input-format` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            LibraryFormat::Toml => "toml",
            LibraryFormat::Json => "json",
            LibraryFormat::Yaml => "yaml",
            LibraryFormat::Csv => "csv",
            LibraryFormat::Tsv => "tsv",
            LibraryFormat::Markdown => "markdown",
            LibraryFormat::Text => "text",
        }
    }
}

/// What a reply is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyKind {
    /// Any message: checked with the rules of a single message.
    Message,
    /// The first thing said: also checked with the `opening` rules.
    Opening,
    /// The last thing said: also checked with the `closing` rules.
    Closing,
}

/// One reply of a library.
#[derive(Clone, Debug)]
pub struct Reply {
    /// The reply as an agent would send it: escapes decoded, markup removed.
    pub text: String,
    /// An opening, a closing, or any message.
    pub kind: ReplyKind,
    /// Where the reply sits: its key path, column or heading (`openings[0]`, `回复`, `## 物流`).
    pub place: String,
    /// The reply in the file, as byte offsets.
    pub span: Range<usize>,
    /// For each character of `text`: its byte offset in `text`, and its bytes in the file.
    /// Empty when the file holds `text` verbatim at `span` (no escape or markup inside), as
    /// most replies are: then offsets in `text` are offsets from `span.start`, and a large
    /// library costs no table per character.
    chars: Vec<(usize, usize, usize)>,
    style: Style,
}

impl Reply {
    /// The bytes in the file of the characters `text[range]` of the reply. An empty range maps
    /// to an empty span at its place.
    pub fn file_span(&self, range: Range<usize>) -> Range<usize> {
        if self.chars.is_empty() {
            let start = (self.span.start + range.start).min(self.span.end);
            let end = (self.span.start + range.end).clamp(start, self.span.end);
            return start..end;
        }
        let first = self.chars.partition_point(|c| c.0 < range.start);
        let last = self.chars.partition_point(|c| c.0 < range.end);
        match (
            self.chars.get(first),
            last.checked_sub(1).and_then(|l| self.chars.get(l)),
        ) {
            (Some(a), Some(b)) if last > first => a.1..b.2.max(a.1),
            (Some(a), _) => a.1..a.1,
            _ => self.span.end..self.span.end,
        }
    }

    /// Whether the file holds `text[range]` exactly as written, with no escape or markup
    /// inside: only then can a fix replace those bytes.
    pub fn is_verbatim(&self, source: &str, range: Range<usize>) -> bool {
        let span = self.file_span(range.clone());
        source.get(span) == self.text.get(range)
    }

    /// `replacement` written as this reply's file writes its text: escaped for a JSON, TOML or
    /// YAML double-quoted string, quotes doubled in a single-quoted or CSV field. `None` when
    /// it cannot be written there (a line break in a one-line plain value, a `'''` in a TOML
    /// literal string).
    pub fn encode(&self, replacement: &str) -> Option<String> {
        self.style.encode(replacement)
    }
}

/// A part of a file that could not be read as a reply library.
#[derive(Clone, Debug)]
pub struct LibraryProblem {
    /// What is wrong.
    pub message: String,
    /// Where, as byte offsets.
    pub span: Range<usize>,
}

/// A reply library file, read.
#[derive(Clone, Debug)]
pub struct ReplyLibrary {
    /// The file's path, as given.
    pub path: String,
    /// The format it was read as.
    pub format: LibraryFormat,
    /// The file's text.
    pub source: String,
    /// Every reply, in file order.
    pub replies: Vec<Reply>,
    /// Every suppression, in file order.
    pub suppressions: Vec<Suppression>,
    /// What could not be read. A file with a syntax error yields no replies.
    pub problems: Vec<LibraryProblem>,
    lines: LineIndex,
}

impl ReplyLibrary {
    /// Reads the replies of `source`, the text of the file at `path`, in `format`.
    pub fn parse(path: &str, source: String, format: LibraryFormat) -> ReplyLibrary {
        let file_label = Path::new(path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut b = Builder {
            source: &source,
            file_kind: labels::kind_of(&file_label),
            replies: Vec::new(),
            comments: Vec::new(),
            fields: Vec::new(),
            bad_fields: Vec::new(),
            problems: Vec::new(),
        };
        format::read(&mut b, format);
        let (replies, suppressions, problems) = b.finish();
        let lines = LineIndex::new(&source);
        ReplyLibrary {
            path: path.to_string(),
            format,
            source,
            replies,
            suppressions,
            problems,
            lines,
        }
    }

    /// The 1-based line and column of a byte offset. Columns count characters: a tab, a CJK
    /// character and an emoji are one column each.
    pub fn position(&self, byte: usize) -> (usize, usize) {
        self.lines.position(&self.source, byte)
    }

    /// The text of the 1-based line `line`, without its line break.
    pub fn line(&self, line: usize) -> &str {
        let start = self.lines.line_start(line.max(1));
        let end = if line < self.lines.lines() {
            self.lines.line_start(line + 1) - 1
        } else {
            self.source.len()
        };
        self.source[start..end.max(start)].trim_end_matches('\r')
    }

    /// The byte offset where the 1-based line `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.lines.line_start(line)
    }
}

/// What a format's reader collects while it reads a file: the replies, the comments and
/// fields that may be suppressions, and what could not be read.
struct Builder<'s> {
    source: &'s str,
    /// What the file's name says of its replies (`greetings.txt`), if anything.
    file_kind: Option<ReplyKind>,
    replies: Vec<Reply>,
    /// Comments that may hold a suppression: (text without the comment markers, span).
    comments: Vec<(String, Range<usize>)>,
    /// `huashu-allow` fields: (value, span, the replies of their object).
    fields: Vec<(String, Range<usize>, Range<usize>)>,
    /// `huashu-allow` fields that are neither a string nor a list of strings.
    bad_fields: Vec<Range<usize>>,
    problems: Vec<LibraryProblem>,
}

impl Builder<'_> {
    /// Adds a reply whose decoded text is `text` and whose content lies in `region`.
    fn reply(
        &mut self,
        text: String,
        region: Range<usize>,
        style: Style,
        labels: &[String],
        place: String,
    ) {
        if text.trim().is_empty() {
            return;
        }
        // Verbatim (each character at its own offset from the start), as most replies are:
        // no table, and no alignment to make one.
        let (span, chars) = if self.source.get(region.clone()) == Some(text.as_str()) {
            (region, Vec::new())
        } else {
            let mut chars = align(self.source, region.clone(), &text, style);
            let span = match (chars.first(), chars.last()) {
                (Some(a), Some(b)) => a.1..b.2.max(a.1),
                _ => region.start..region.start,
            };
            if self.source.get(span.clone()) == Some(text.as_str()) {
                chars = Vec::new();
            } else {
                chars.shrink_to_fit();
            }
            (span, chars)
        };
        let kind = kind_from(labels, self.file_kind);
        self.replies.push(Reply {
            text,
            kind,
            place,
            span,
            chars,
            style,
        });
    }

    fn problem(&mut self, message: impl Into<String>, span: Range<usize>) {
        self.problems.push(LibraryProblem {
            message: message.into(),
            span,
        });
    }

    fn finish(self) -> (Vec<Reply>, Vec<Suppression>, Vec<LibraryProblem>) {
        let suppressions = suppress::collect(
            self.source,
            &self.replies,
            self.comments,
            self.fields,
            self.bad_fields,
        );
        (self.replies, suppressions, self.problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `source` read as the file `name`.
    pub(super) fn read(name: &str, format: LibraryFormat, source: &str) -> ReplyLibrary {
        ReplyLibrary::parse(name, source.to_string(), format)
    }

    /// Each reply's text, and the line and column where `needle` of it is in the file.
    pub(super) fn place_of(lib: &ReplyLibrary, needle: &str) -> (usize, usize, usize, usize) {
        let reply = lib
            .replies
            .iter()
            .find(|r| r.text.contains(needle))
            .unwrap_or_else(|| panic!("no reply holds {needle}: {:?}", texts(lib)));
        let at = reply.text.find(needle).expect("present");
        let span = reply.file_span(at..at + needle.len());
        let (l1, c1) = lib.position(span.start);
        let (l2, c2) = lib.position(span.end);
        (l1, c1, l2, c2)
    }

    pub(super) fn texts(lib: &ReplyLibrary) -> Vec<&str> {
        lib.replies.iter().map(|r| r.text.as_str()).collect()
    }

    #[test]
    fn syntax_errors_are_problems_with_a_place() {
        for (format, src) in [
            (LibraryFormat::Toml, "a = \"x\nb = 1\n"),
            (LibraryFormat::Json, "{\"a\": [1, }"),
            (LibraryFormat::Yaml, "a: [1, 2\nb: c\n"),
            (LibraryFormat::Csv, "text\n\"open\n"),
        ] {
            let lib = read("bad", format, src);
            assert_eq!(lib.problems.len(), 1, "{format:?}");
            assert!(lib.replies.is_empty(), "{format:?}");
        }
    }
}
