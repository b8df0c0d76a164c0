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

use std::ops::Range;
use std::path::Path;

use serde::Serialize;

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
    chars: Vec<(usize, usize, usize)>,
    style: Style,
}

/// How a reply is written in its file, for writing a changed reply back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    /// As is: plain text, Markdown, unquoted CSV fields, YAML plain and block scalars.
    Verbatim,
    /// A JSON string.
    Json,
    /// A TOML basic string (`"…"`, `"""…"""`).
    TomlBasic,
    /// A TOML literal string (`'…'`, `'''…'''`): no escapes.
    TomlLiteral,
    /// A YAML double-quoted scalar.
    YamlDouble,
    /// A YAML single-quoted scalar (`''` is a quote).
    YamlSingle,
    /// A quoted CSV field (`""` is a quote).
    CsvQuoted,
}

impl Reply {
    /// The bytes in the file of the characters `text[range]` of the reply. An empty range maps
    /// to an empty span at its place.
    pub fn file_span(&self, range: Range<usize>) -> Range<usize> {
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
        let mut out = String::with_capacity(replacement.len());
        for c in replacement.chars() {
            match (self.style, c) {
                (Style::Json | Style::TomlBasic | Style::YamlDouble, '"') => out.push_str("\\\""),
                (Style::Json | Style::TomlBasic | Style::YamlDouble, '\\') => out.push_str("\\\\"),
                (Style::Json | Style::TomlBasic | Style::YamlDouble, '\n') => out.push_str("\\n"),
                (Style::Json | Style::TomlBasic | Style::YamlDouble, '\t') => out.push_str("\\t"),
                (Style::Json | Style::TomlBasic | Style::YamlDouble, c) if c.is_control() => {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                }
                (Style::YamlSingle, '\'') => out.push_str("''"),
                (Style::CsvQuoted, '"') => out.push_str("\"\""),
                (Style::TomlLiteral | Style::Verbatim | Style::YamlSingle, '\n') => return None,
                (Style::TomlLiteral, '\'') => return None,
                (_, c) => out.push(c),
            }
        }
        Some(out)
    }
}

/// A `huashu: allow` comment or field.
#[derive(Clone, Debug)]
pub struct Suppression {
    /// The rule ids it names (`forbidden.dont-know`), or categories (`forbidden.*`).
    pub rules: Vec<String>,
    /// Why, after `--`; `None` when it gives none.
    pub reason: Option<String>,
    /// The comment or field in the file.
    pub span: Range<usize>,
    /// The indices of the replies it applies to: one for a comment, those of its object or
    /// row for a field; none when there is no reply for it.
    pub replies: Vec<usize>,
    /// What is wrong with how it is written, if anything.
    pub malformed: Option<String>,
}

impl Suppression {
    /// Whether it names `rule`, by id or by category (`forbidden.*`).
    pub fn covers(&self, rule: &str) -> bool {
        self.rules.iter().any(|r| names(r, rule))
    }
}

/// Whether `name`, a rule id or a category (`forbidden.*`), names `rule`.
pub(crate) fn names(name: &str, rule: &str) -> bool {
    match name.strip_suffix(".*") {
        Some(category) => rule
            .strip_prefix(category)
            .is_some_and(|rest| rest.starts_with('.')),
        None => name == rule,
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
    line_starts: Vec<usize>,
}

impl ReplyLibrary {
    /// Reads the replies of `source`, the text of the file at `path`, in `format`.
    pub fn parse(path: &str, source: String, format: LibraryFormat) -> ReplyLibrary {
        let mut b = Builder {
            source: &source,
            file_label: Path::new(path)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            replies: Vec::new(),
            comments: Vec::new(),
            fields: Vec::new(),
            bad_fields: Vec::new(),
            problems: Vec::new(),
        };
        match format {
            LibraryFormat::Toml => toml_replies(&mut b),
            LibraryFormat::Json => json_replies(&mut b),
            LibraryFormat::Yaml => yaml_replies(&mut b),
            LibraryFormat::Csv => csv_replies(&mut b, b','),
            LibraryFormat::Tsv => csv_replies(&mut b, b'\t'),
            LibraryFormat::Markdown => markdown_replies(&mut b),
            LibraryFormat::Text => text_replies(&mut b),
        }
        let (replies, suppressions, problems) = b.finish();
        let line_starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        ReplyLibrary {
            path: path.to_string(),
            format,
            source,
            replies,
            suppressions,
            problems,
            line_starts,
        }
    }

    /// The 1-based line and column of a byte offset. Columns count characters: a tab, a CJK
    /// character and an emoji are one column each.
    pub fn position(&self, byte: usize) -> (usize, usize) {
        let byte = floor_boundary(&self.source, byte.min(self.source.len()));
        let line = self.line_starts.partition_point(|&s| s <= byte) - 1;
        let column = self.source[self.line_starts[line]..byte].chars().count() + 1;
        (line + 1, column)
    }

    /// The text of the 1-based line `line`, without its line break.
    pub fn line(&self, line: usize) -> &str {
        let start = self
            .line_starts
            .get(line - 1)
            .copied()
            .unwrap_or(self.source.len());
        let end = self
            .line_starts
            .get(line)
            .map_or(self.source.len(), |&next| next - 1);
        self.source[start..end.max(start)].trim_end_matches('\r')
    }

    /// The byte offset where the 1-based line `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.source.len())
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

// -------------------------------------------------------------------------------------------
// Collecting replies.

/// Keys whose strings are about a reply, not a reply.
const METADATA_KEYS: &[&str] = &[
    "id",
    "key",
    "name",
    "title",
    "category",
    "categories",
    "tag",
    "tags",
    "kind",
    "type",
    "section",
    "usage",
    "lang",
    "language",
    "locale",
    "channel",
    "channels",
    "author",
    "owner",
    "created",
    "updated",
    "version",
    "url",
    "link",
    "description",
    "note",
    "notes",
    "comment",
    "remark",
    "huashu-allow",
    "编号",
    "名称",
    "标题",
    "分类",
    "类别",
    "类型",
    "标签",
    "备注",
    "说明",
    "场景",
];

/// Keys that hold the reply itself: when an object has one, its other strings are metadata.
const REPLY_KEYS: &[&str] = &[
    "text", "reply", "content", "body", "message", "template", "answer", "script", "value", "回复",
    "话术", "内容", "文本", "答复", "模板",
];

/// Fields that say what a reply is for.
const KIND_KEYS: &[&str] = &[
    "kind", "type", "category", "section", "usage", "类型", "分类", "类别", "场景",
];

const ALLOW_KEY: &str = "huashu-allow";

const OPENING_WORDS: &[&str] = &[
    "opening",
    "greeting",
    "welcome",
    "开场",
    "开头",
    "问候",
    "欢迎语",
    "首句",
];
const CLOSING_WORDS: &[&str] = &[
    "closing", "farewell", "goodbye", "ending", "结束", "结尾", "告别", "结语",
];

fn is_metadata_key(key: &str) -> bool {
    METADATA_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

fn is_reply_key(key: &str) -> bool {
    REPLY_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

fn is_kind_key(key: &str) -> bool {
    KIND_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// What a label (a key, a heading, a field value) says about the replies under it.
fn kind_of(label: &str) -> Option<ReplyKind> {
    let label = label.to_lowercase();
    if OPENING_WORDS.iter().any(|w| label.contains(w)) {
        Some(ReplyKind::Opening)
    } else if CLOSING_WORDS.iter().any(|w| label.contains(w)) {
        Some(ReplyKind::Closing)
    } else {
        None
    }
}

/// The kind the labels around a reply give it: the innermost label that says anything.
fn kind_from(labels: &[String], file_label: &str) -> ReplyKind {
    labels
        .iter()
        .rev()
        .find_map(|l| kind_of(l))
        .or_else(|| kind_of(file_label))
        .unwrap_or(ReplyKind::Message)
}

struct Builder<'s> {
    source: &'s str,
    file_label: String,
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
        let chars = align(self.source, region.clone(), &text, style);
        let span = match (chars.first(), chars.last()) {
            (Some(a), Some(b)) => a.1..b.2.max(a.1),
            _ => region.start..region.start,
        };
        let kind = kind_from(labels, &self.file_label);
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

    fn finish(mut self) -> (Vec<Reply>, Vec<Suppression>, Vec<LibraryProblem>) {
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(self.source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let line_of = |byte: usize| line_starts.partition_point(|&s| s <= byte);
        // Each reply's first and last line, once.
        let lines: Vec<(usize, usize)> = self
            .replies
            .iter()
            .map(|r| (line_of(r.span.start), line_of(r.span.end)))
            .collect();
        let mut suppressions = Vec::new();
        for (text, span) in std::mem::take(&mut self.comments) {
            let Some(mut s) = parse_suppression(&text, span.clone()) else {
                continue;
            };
            // The reply on the comment's line (a trailing comment), or else the first reply
            // that starts after the comment.
            let line = line_of(span.start);
            let on_line = self
                .replies
                .iter()
                .zip(&lines)
                .position(|(r, &(a, b))| (a..=b).contains(&line) && r.span.start < span.start);
            let next = || self.replies.iter().position(|r| r.span.start >= span.end);
            s.replies.extend(on_line.or_else(next));
            suppressions.push(s);
        }
        for (value, span, replies) in std::mem::take(&mut self.fields) {
            if let Some(mut s) = parse_suppression(&format!("huashu: allow {value}"), span) {
                s.replies.extend(replies);
                suppressions.push(s);
            }
        }
        for span in std::mem::take(&mut self.bad_fields) {
            suppressions.push(Suppression {
                rules: Vec::new(),
                reason: None,
                span,
                replies: Vec::new(),
                malformed: Some(format!(
                    "`{ALLOW_KEY}` must be a string or a list of strings"
                )),
            });
        }
        suppressions.sort_by_key(|s| s.span.start);
        (self.replies, suppressions, self.problems)
    }
}

/// Reads `huashu: allow RULE[, RULE…] -- reason` from a comment's text; `None` when the
/// comment is not addressed to huashu.
fn parse_suppression(text: &str, span: Range<usize>) -> Option<Suppression> {
    let text = text.trim();
    let rest = text
        .strip_prefix("huashu")?
        .trim_start()
        .strip_prefix(':')?;
    let mut s = Suppression {
        rules: Vec::new(),
        reason: None,
        span,
        replies: Vec::new(),
        malformed: None,
    };
    let rest = rest.trim_start();
    let Some(rest) = rest.strip_prefix("allow") else {
        s.malformed = Some(format!(
            "expected `huashu: allow RULE -- reason`, found `huashu: {rest}`"
        ));
        return Some(s);
    };
    let (rules, reason) = match rest.split_once("--") {
        Some((rules, reason)) => (rules, Some(reason.trim())),
        None => (rest, None),
    };
    s.reason = reason.filter(|r| !r.is_empty()).map(str::to_string);
    s.rules = rules
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect();
    if s.rules.is_empty() {
        s.malformed = Some("it names no rule: `huashu: allow RULE -- reason`".to_string());
    }
    Some(s)
}

// -------------------------------------------------------------------------------------------
// Mapping decoded text back to the file.

/// One escape sequence in a quoted string: the character it stands for (`None` for a line
/// continuation, which stands for nothing) and its length in bytes.
fn escape_at(s: &str, style: Style) -> Option<(Option<char>, usize)> {
    let mut chars = s.chars();
    if chars.next() != Some('\\') {
        return None;
    }
    let c = chars.next()?;
    let simple = |ch: char| Some((Some(ch), 1 + c.len_utf8()));
    let hex = |digits: usize| -> Option<(Option<char>, usize)> {
        let h = s.get(2..2 + digits)?;
        let value = u32::from_str_radix(h, 16).ok()?;
        Some((char::from_u32(value), 2 + digits))
    };
    match (style, c) {
        (_, '"') => simple('"'),
        (_, '\\') => simple('\\'),
        (_, 'b') => simple('\u{8}'),
        (_, 'f') => simple('\u{c}'),
        (_, 'n') => simple('\n'),
        (_, 'r') => simple('\r'),
        (_, 't') => simple('\t'),
        (Style::Json | Style::YamlDouble, '/') => simple('/'),
        (Style::TomlBasic | Style::YamlDouble, 'e') => simple('\u{1b}'),
        (Style::YamlDouble, '0') => simple('\0'),
        (Style::YamlDouble, 'a') => simple('\u{7}'),
        (Style::YamlDouble, 'v') => simple('\u{b}'),
        (Style::YamlDouble, ' ') => simple(' '),
        (Style::YamlDouble, '\t') => simple('\t'),
        (Style::YamlDouble, 'N') => simple('\u{85}'),
        (Style::YamlDouble, '_') => simple('\u{a0}'),
        (Style::YamlDouble, 'L') => simple('\u{2028}'),
        (Style::YamlDouble, 'P') => simple('\u{2029}'),
        (Style::TomlBasic | Style::YamlDouble, 'x') => hex(2),
        (Style::TomlBasic | Style::YamlDouble, 'U') => hex(8),
        (Style::Json, 'u') => {
            let (first, len) = hex(4)?;
            match first {
                Some(c) => Some((Some(c), len)),
                // A surrogate pair: \uD83D\uDE00.
                None => {
                    let hi = u32::from_str_radix(s.get(2..6)?, 16).ok()?;
                    let lo = u32::from_str_radix(s.get(8..12)?, 16).ok()?;
                    if s.get(6..8)? != "\\u" || !(0xD800..0xDC00).contains(&hi) {
                        return None;
                    }
                    let value = 0x10000 + ((hi - 0xD800) << 10) + (lo.checked_sub(0xDC00)?);
                    Some((char::from_u32(value), 12))
                }
            }
        }
        (Style::TomlBasic | Style::YamlDouble, 'u') => hex(4),
        // A line continuation: the backslash, blanks, the line break, and the blanks after.
        (Style::TomlBasic | Style::YamlDouble, ' ' | '\t' | '\r' | '\n') => {
            let rest = &s[1..];
            let blanks = rest.len() - rest.trim_start_matches([' ', '\t', '\r']).len();
            if !rest[blanks..].starts_with('\n') {
                return None;
            }
            let after = &rest[blanks..];
            let skipped = after.len() - after.trim_start_matches([' ', '\t', '\r', '\n']).len();
            Some((None, 1 + blanks + skipped))
        }
        _ => None,
    }
}

/// For each character of `text`, decoded from the file's `region`, its byte offset in `text`
/// and its bytes in the file. Walks both together: escapes are decoded, doubled quotes taken
/// as one, and what the text leaves out (indentation, folded line breaks, markup) skipped.
/// A character that cannot be found maps to an empty span where the search stood.
fn align(
    source: &str,
    region: Range<usize>,
    text: &str,
    style: Style,
) -> Vec<(usize, usize, usize)> {
    let escapes = matches!(style, Style::Json | Style::TomlBasic | Style::YamlDouble);
    let doubled = match style {
        Style::YamlSingle => Some("''"),
        Style::CsvQuoted => Some("\"\""),
        _ => None,
    };
    let end = region.end.min(source.len());
    let mut pos = region.start.min(end);
    let mut out = Vec::with_capacity(text.len() / 2);
    for (offset, c) in text.char_indices() {
        let mut mapped = None;
        // Bounded, so that a character missing from the file costs little.
        let mut budget = 512usize;
        while pos < end && budget > 0 {
            budget -= 1;
            let rest = &source[pos..end];
            if escapes && rest.starts_with('\\') {
                match escape_at(rest, style) {
                    Some((Some(ch), len)) if ch == c => {
                        mapped = Some((pos, pos + len));
                        pos += len;
                        break;
                    }
                    Some((None, len)) => {
                        pos += len;
                        continue;
                    }
                    Some((Some(_), len)) => {
                        pos += len;
                        continue;
                    }
                    None => {}
                }
            }
            if let Some(pair) = doubled {
                if rest.starts_with(pair) && pair.starts_with(c) {
                    mapped = Some((pos, pos + 2));
                    pos += 2;
                    break;
                }
            }
            if rest.starts_with(c) {
                mapped = Some((pos, pos + c.len_utf8()));
                pos += c.len_utf8();
                break;
            }
            pos += rest.chars().next().map_or(1, char::len_utf8);
        }
        let (a, b) = mapped.unwrap_or((pos.min(end), pos.min(end)));
        out.push((offset, a, b));
        if mapped.is_none() {
            // Do not let one missing character swallow the rest: search again from where
            // the previous character was found.
            pos = out
                .iter()
                .rev()
                .find(|m| m.2 > m.1)
                .map_or(region.start, |m| m.2);
        }
    }
    out
}

// -------------------------------------------------------------------------------------------
// Structured formats: one walk over a tree of keys, arrays and strings.

/// A node of a structured document, with its place in the file.
enum Node {
    /// A string: its decoded text, its content in the file, and how it is written.
    String(String, Range<usize>, Style),
    /// Anything else that is not a container: numbers, booleans, dates.
    Other,
    Array(Vec<Node>),
    /// Keys and values, in file order.
    Object(Vec<(String, Range<usize>, Node)>),
}

/// Walks a structured document and adds its replies. `labels` are the keys on the way down,
/// and `place` the path so far.
fn walk(b: &mut Builder<'_>, node: &Node, labels: &mut Vec<String>, place: &str) {
    match node {
        Node::String(text, region, style) => b.reply(
            text.clone(),
            region.clone(),
            *style,
            labels,
            place.to_string(),
        ),
        Node::Other => {}
        Node::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(b, item, labels, &format!("{place}[{i}]"));
            }
        }
        Node::Object(entries) => {
            let has_reply_key = entries
                .iter()
                .any(|(k, _, v)| is_reply_key(k) && matches!(v, Node::String(..) | Node::Array(_)));
            // A field saying what the replies here are for.
            let kind_label = entries.iter().find_map(|(k, _, v)| match v {
                Node::String(value, ..) if is_kind_key(k) && kind_of(value).is_some() => {
                    Some(value.clone())
                }
                _ => None,
            });
            let first_reply = b.replies.len();
            for (key, _, value) in entries {
                if key == ALLOW_KEY || is_metadata_key(key) && !matches!(value, Node::Object(_)) {
                    continue;
                }
                if has_reply_key && !is_reply_key(key) && !matches!(value, Node::Object(_)) {
                    continue;
                }
                let child = if place.is_empty() {
                    key.clone()
                } else {
                    format!("{place}.{key}")
                };
                labels.push(key.clone());
                if let Some(kind) = &kind_label {
                    labels.push(kind.clone());
                }
                walk(b, value, labels, &child);
                if kind_label.is_some() {
                    labels.pop();
                }
                labels.pop();
            }
            let replies = first_reply..b.replies.len();
            for (key, span, value) in entries {
                if key != ALLOW_KEY {
                    continue;
                }
                let values: Vec<(&String, &Range<usize>)> = match value {
                    Node::String(v, region, _) => vec![(v, region)],
                    Node::Array(items) => items
                        .iter()
                        .filter_map(|i| match i {
                            Node::String(v, region, _) => Some((v, region)),
                            _ => None,
                        })
                        .collect(),
                    _ => {
                        // Reported as a malformed suppression: the replies were read.
                        b.bad_fields.push(span.clone());
                        Vec::new()
                    }
                };
                for (v, region) in values {
                    b.fields.push((v.clone(), region.clone(), replies.clone()));
                }
            }
        }
    }
}

fn toml_replies(b: &mut Builder<'_>) {
    use toml::de::{DeTable, DeValue};
    let (document, errors) = DeTable::parse_recoverable(b.source);
    if !errors.is_empty() {
        for e in errors.iter().take(1) {
            b.problem(
                format!("invalid TOML: {}", e.message()),
                e.span().unwrap_or(0..0),
            );
        }
        return;
    }
    fn convert(source: &str, value: &toml::Spanned<DeValue<'_>>) -> Node {
        let span = value.span();
        match value.get_ref() {
            DeValue::String(s) => {
                let raw = &source[span.clone()];
                let (open, style) = if raw.starts_with("\"\"\"") {
                    (3, Style::TomlBasic)
                } else if raw.starts_with("'''") {
                    (3, Style::TomlLiteral)
                } else if raw.starts_with('"') {
                    (1, Style::TomlBasic)
                } else {
                    (1, Style::TomlLiteral)
                };
                let region =
                    span.start + open..span.end.saturating_sub(open).max(span.start + open);
                Node::String(s.to_string(), region, style)
            }
            DeValue::Array(items) => {
                Node::Array(items.iter().map(|i| convert(source, i)).collect())
            }
            DeValue::Table(table) => Node::Object(
                table
                    .iter()
                    .map(|(k, v)| (k.get_ref().to_string(), v.span(), convert(source, v)))
                    .collect(),
            ),
            _ => Node::Other,
        }
    }
    let root = Node::Object(
        document
            .get_ref()
            .iter()
            .map(|(k, v)| (k.get_ref().to_string(), v.span(), convert(b.source, v)))
            .collect(),
    );
    b.comments = hash_comments(b.source);
    walk(b, &root, &mut Vec::new(), "");
}

/// `#` comments of TOML and YAML: every `#` that starts a line (after blanks) or follows a
/// blank, outside quotes on its line.
fn hash_comments(source: &str) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in source.split_inclusive('\n') {
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for (i, c) in line.char_indices() {
            match quote {
                Some(q) if c == q && prev != '\\' => quote = None,
                Some(_) => {}
                None if c == '"' || c == '\'' => quote = Some(c),
                None if c == '#' && (prev == ' ' || prev == '\t' || i == 0) => {
                    let text = line[i + 1..].trim_end_matches(['\n', '\r']);
                    out.push((text.to_string(), at + i..at + i + 1 + text.len()));
                    break;
                }
                None => {}
            }
            prev = c;
        }
        at += line.len();
    }
    out
}

fn json_replies(b: &mut Builder<'_>) {
    use jsonc_parser::ast::{ObjectPropName, Value};
    use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions, parse_to_ast};
    let parsed = parse_to_ast(
        b.source,
        &CollectOptions {
            comments: CommentCollectionStrategy::Separate,
            tokens: false,
        },
        &ParseOptions::default(),
    );
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => {
            let range = e.range();
            b.problem(
                format!("invalid JSON: {}", e.kind()),
                range.start..range.end,
            );
            return;
        }
    };
    fn convert(source: &str, value: &Value<'_>) -> Node {
        match value {
            Value::StringLit(s) => {
                let (start, end) = (s.range.start, s.range.end);
                let region =
                    (start + 1).min(end)..end.saturating_sub(1).max(start + 1).min(source.len());
                Node::String(s.value.to_string(), region, Style::Json)
            }
            Value::Array(a) => Node::Array(a.elements.iter().map(|e| convert(source, e)).collect()),
            Value::Object(o) => Node::Object(
                o.properties
                    .iter()
                    .map(|p| {
                        let name = match &p.name {
                            ObjectPropName::String(s) => s.value.to_string(),
                            ObjectPropName::Word(w) => w.value.to_string(),
                        };
                        (name, p.range.start..p.range.end, convert(source, &p.value))
                    })
                    .collect(),
            ),
            _ => Node::Other,
        }
    }
    if let Some(comments) = &parsed.comments {
        let mut all: Vec<(String, Range<usize>)> = comments
            .values()
            .flat_map(|list| list.iter())
            .map(|c| {
                let range = match c {
                    jsonc_parser::ast::Comment::Line(l) => l.range,
                    jsonc_parser::ast::Comment::Block(b) => b.range,
                };
                (c.text().to_string(), range.start..range.end)
            })
            .collect();
        all.sort_by_key(|(_, r)| r.start);
        all.dedup_by_key(|(_, r)| r.start);
        b.comments = all;
    }
    if let Some(value) = &parsed.value {
        let root = convert(b.source, value);
        walk(b, &root, &mut Vec::new(), "");
    }
}

fn yaml_replies(b: &mut Builder<'_>) {
    use saphyr_parser::{Event, Parser, ScalarStyle};
    // Marker indexes count characters: the byte offset of each character.
    let offsets: Vec<usize> = b
        .source
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(b.source.len()))
        .collect();
    let byte = |index: usize| offsets[index.min(offsets.len() - 1)];

    // Build the tree from the events.
    enum Frame {
        Seq(Vec<Node>),
        Map(
            Vec<(String, Range<usize>, Node)>,
            Option<(String, Range<usize>)>,
        ),
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut roots: Vec<Node> = Vec::new();
    let push = |stack: &mut Vec<Frame>,
                roots: &mut Vec<Node>,
                node: Node,
                key: Option<(String, Range<usize>)>| {
        match stack.last_mut() {
            Some(Frame::Seq(items)) => items.push(node),
            Some(Frame::Map(entries, pending)) => match pending.take() {
                Some((k, span)) => entries.push((k, span, node)),
                None => match key {
                    Some(k) => *pending = Some(k),
                    None => *pending = Some((String::new(), 0..0)),
                },
            },
            None => roots.push(node),
        }
    };
    for event in Parser::new_from_str(b.source) {
        let (event, span) = match event {
            Ok(e) => e,
            Err(e) => {
                let at = byte(e.marker().index());
                b.problem(format!("invalid YAML: {}", e.info()), at..at);
                return;
            }
        };
        let (start, end) = (byte(span.start.index()), byte(span.end.index()));
        match event {
            Event::SequenceStart(..) => stack.push(Frame::Seq(Vec::new())),
            Event::MappingStart(..) => stack.push(Frame::Map(Vec::new(), None)),
            Event::SequenceEnd => {
                if let Some(Frame::Seq(items)) = stack.pop() {
                    push(&mut stack, &mut roots, Node::Array(items), None);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map(entries, _)) = stack.pop() {
                    push(&mut stack, &mut roots, Node::Object(entries), None);
                }
            }
            Event::Scalar(value, style, ..) => {
                let is_key = matches!(stack.last(), Some(Frame::Map(_, None)));
                if is_key {
                    push(
                        &mut stack,
                        &mut roots,
                        Node::Other,
                        Some((value.to_string(), start..end)),
                    );
                    continue;
                }
                let raw = &b.source[start..end];
                let (region, style) = match style {
                    ScalarStyle::DoubleQuoted if raw.starts_with('"') => (
                        (start + 1)..end.saturating_sub(1).max(start + 1),
                        Style::YamlDouble,
                    ),
                    ScalarStyle::SingleQuoted if raw.starts_with('\'') => (
                        (start + 1)..end.saturating_sub(1).max(start + 1),
                        Style::YamlSingle,
                    ),
                    ScalarStyle::DoubleQuoted => (start..end, Style::YamlDouble),
                    ScalarStyle::SingleQuoted => (start..end, Style::YamlSingle),
                    // The span starts at the content; a header before it would be skipped.
                    ScalarStyle::Literal | ScalarStyle::Folded => (start..end, Style::Verbatim),
                    ScalarStyle::Plain => {
                        // Numbers, booleans and nulls are not replies.
                        let v = value.as_ref();
                        if v.is_empty()
                            || v == "~"
                            || v.parse::<f64>().is_ok()
                            || matches!(v, "true" | "false" | "null" | "True" | "False" | "Null")
                        {
                            push(&mut stack, &mut roots, Node::Other, None);
                            continue;
                        }
                        (start..end, Style::Verbatim)
                    }
                };
                push(
                    &mut stack,
                    &mut roots,
                    Node::String(value.to_string(), region, style),
                    None,
                );
            }
            Event::Alias(_) => push(&mut stack, &mut roots, Node::Other, None),
            _ => {}
        }
    }
    b.comments = hash_comments(b.source);
    for (i, root) in roots.iter().enumerate() {
        let place = if roots.len() > 1 {
            format!("document {}", i + 1)
        } else {
            String::new()
        };
        walk(b, root, &mut Vec::new(), &place);
    }
}

fn csv_replies(b: &mut Builder<'_>, delimiter: u8) {
    let rows = csv_rows(b.source, delimiter);
    let rows = match rows {
        Ok(rows) => rows,
        Err((message, at)) => {
            b.problem(message, at..at);
            return;
        }
    };
    let mut rows = rows.into_iter();
    let Some(header) = rows.next() else {
        return;
    };
    let names: Vec<String> = header.iter().map(|f| f.text.trim().to_string()).collect();
    let has_reply_column = names.iter().any(|n| is_reply_key(n));
    let reply_columns: Vec<usize> = (0..names.len())
        .filter(|&i| {
            let n = &names[i];
            if has_reply_column {
                is_reply_key(n)
            } else {
                !is_metadata_key(n) && n != ALLOW_KEY
            }
        })
        .collect();
    let kind_columns: Vec<usize> = (0..names.len())
        .filter(|&i| is_kind_key(&names[i]))
        .collect();
    let allow_column = names.iter().position(|n| n == ALLOW_KEY);
    for (r, row) in rows.enumerate() {
        let first = b.replies.len();
        let mut labels: Vec<String> = Vec::new();
        for &k in &kind_columns {
            if let Some(f) = row.get(k) {
                labels.push(f.text.clone());
            }
        }
        for &c in &reply_columns {
            let Some(field) = row.get(c) else {
                continue;
            };
            let mut l = vec![names[c].clone()];
            l.extend(labels.iter().cloned());
            let style = if field.quoted {
                Style::CsvQuoted
            } else {
                Style::Verbatim
            };
            b.reply(
                field.text.clone(),
                field.region.clone(),
                style,
                &l,
                format!("row {}, {}", r + 2, names[c]),
            );
        }
        if let Some(field) = allow_column.and_then(|a| row.get(a)) {
            for value in field
                .text
                .split(';')
                .map(str::trim)
                .filter(|v| !v.is_empty())
            {
                b.fields.push((
                    value.to_string(),
                    field.region.clone(),
                    first..b.replies.len(),
                ));
            }
        }
    }
}

struct CsvField {
    text: String,
    /// The content, without the quotes.
    region: Range<usize>,
    quoted: bool,
}

/// Splits CSV into rows of fields (RFC 4180: quoted fields may hold the delimiter, line
/// breaks and doubled quotes), keeping each field's place. Blank lines are skipped.
fn csv_rows(source: &str, delimiter: u8) -> Result<Vec<Vec<CsvField>>, (String, usize)> {
    let bytes = source.as_bytes();
    let delimiter = delimiter as char;
    let mut rows = Vec::new();
    let mut row: Vec<CsvField> = Vec::new();
    let mut i = 0;
    // Skip a byte-order mark.
    if source.starts_with('\u{feff}') {
        i = 3;
    }
    let mut at_row_start = true;
    while i <= bytes.len() {
        if at_row_start {
            // A blank line is no row.
            let rest = &source[i..];
            let line_end = rest.find('\n').map_or(rest.len(), |e| e + 1);
            if rest[..line_end].trim().is_empty() {
                if line_end == 0 {
                    break;
                }
                i += line_end;
                continue;
            }
            at_row_start = false;
        }
        let field = if bytes.get(i) == Some(&b'"') {
            let start = i + 1;
            let mut j = start;
            let mut text = String::new();
            loop {
                match source[j..].find('"') {
                    Some(q) => {
                        text.push_str(&source[j..j + q]);
                        j += q;
                        if bytes.get(j + 1) == Some(&b'"') {
                            text.push('"');
                            j += 2;
                        } else {
                            break;
                        }
                    }
                    None => {
                        return Err(("unclosed quote in a CSV field".to_string(), i));
                    }
                }
            }
            let field = CsvField {
                text,
                region: start..j,
                quoted: true,
            };
            i = j + 1;
            // Anything between the closing quote and the delimiter is kept out of the field.
            while i < bytes.len() && bytes[i] != delimiter as u8 && bytes[i] != b'\n' {
                i += 1;
            }
            field
        } else {
            let start = i;
            while i < bytes.len() && bytes[i] != delimiter as u8 && bytes[i] != b'\n' {
                i += 1;
            }
            let end = if i > start && bytes[i - 1] == b'\r' {
                i - 1
            } else {
                i
            };
            CsvField {
                text: source[start..end].to_string(),
                region: start..end,
                quoted: false,
            }
        };
        row.push(field);
        match bytes.get(i) {
            Some(&c) if c == delimiter as u8 => i += 1,
            Some(b'\n') => {
                i += 1;
                rows.push(std::mem::take(&mut row));
                at_row_start = true;
            }
            _ => {
                rows.push(std::mem::take(&mut row));
                break;
            }
        }
    }
    if !row.is_empty() {
        rows.push(row);
    }
    Ok(rows)
}

fn markdown_replies(b: &mut Builder<'_>) {
    use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
    let mut headings: Vec<(HeadingLevel, String)> = Vec::new();
    let mut heading: Option<(HeadingLevel, String)> = None;
    // The reply being collected: its text and where it started.
    let mut reply: Option<(String, usize, usize)> = None;
    let mut depth_item = 0usize;
    let mut skip = 0usize;
    let labels_of = |headings: &[(HeadingLevel, String)]| -> Vec<String> {
        headings.iter().map(|(_, h)| h.clone()).collect()
    };
    let flush =
        |b: &mut Builder<'_>, reply: &mut Option<(String, usize, usize)>, labels: &[String]| {
            if let Some((text, start, end)) = reply.take() {
                let place = labels
                    .last()
                    .map_or_else(|| "paragraph".to_string(), |h| format!("## {h}"));
                b.reply(
                    text.trim_end().to_string(),
                    start..end,
                    Style::Verbatim,
                    labels,
                    place,
                );
            }
        };
    for (event, range) in Parser::new_ext(b.source, Options::ENABLE_TABLES).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, String::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = heading.take() {
                    headings.retain(|(l, _)| *l < level);
                    headings.push((level, text.trim().to_string()));
                }
            }
            Event::Start(
                Tag::CodeBlock(_) | Tag::Table(_) | Tag::HtmlBlock | Tag::MetadataBlock(_),
            ) => skip += 1,
            Event::End(
                TagEnd::CodeBlock | TagEnd::Table | TagEnd::HtmlBlock | TagEnd::MetadataBlock(_),
            ) => skip = skip.saturating_sub(1),
            Event::Start(Tag::Item) => {
                let labels = labels_of(&headings);
                flush(b, &mut reply, &labels);
                depth_item += 1;
            }
            Event::End(TagEnd::Item) => {
                let labels = labels_of(&headings);
                flush(b, &mut reply, &labels);
                depth_item = depth_item.saturating_sub(1);
            }
            Event::Start(Tag::Paragraph) if depth_item == 0 => {
                let labels = labels_of(&headings);
                flush(b, &mut reply, &labels);
            }
            Event::End(TagEnd::Paragraph) if depth_item == 0 => {
                let labels = labels_of(&headings);
                flush(b, &mut reply, &labels);
            }
            Event::Text(text) | Event::Code(text) if skip == 0 => {
                if let Some((_, h)) = heading.as_mut() {
                    h.push_str(&text);
                } else {
                    let r = reply.get_or_insert_with(|| (String::new(), range.start, range.end));
                    r.0.push_str(&text);
                    r.2 = range.end;
                }
            }
            Event::SoftBreak | Event::HardBreak if skip == 0 && heading.is_none() => {
                if let Some(r) = reply.as_mut() {
                    r.0.push('\n');
                    r.2 = range.end;
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                let html = html.trim();
                if let Some(inner) = html
                    .strip_prefix("<!--")
                    .and_then(|h| h.strip_suffix("-->"))
                {
                    let start = range.start + b.source[range.clone()].find("<!--").unwrap_or(0);
                    b.comments
                        .push((inner.trim().to_string(), start..start + html.len()));
                }
            }
            _ => {}
        }
    }
    let labels = labels_of(&headings);
    flush(b, &mut reply, &labels);
}

fn text_replies(b: &mut Builder<'_>) {
    let mut at = 0;
    for (n, line) in b.source.split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        let lead = content.len() - trimmed.len();
        if let Some(comment) = trimmed.strip_prefix('#') {
            b.comments
                .push((comment.to_string(), at + lead..at + content.len()));
        } else if !trimmed.trim().is_empty() {
            let text = trimmed.trim_end().to_string();
            let start = at + lead;
            b.reply(
                text.clone(),
                start..start + text.len(),
                Style::Verbatim,
                &[],
                format!("line {}", n + 1),
            );
        }
        at += line.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, format: LibraryFormat, source: &str) -> ReplyLibrary {
        ReplyLibrary::parse(name, source.to_string(), format)
    }

    /// Each reply's text, and the line and column where `needle` of it is in the file.
    fn place_of(lib: &ReplyLibrary, needle: &str) -> (usize, usize, usize, usize) {
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

    fn texts(lib: &ReplyLibrary) -> Vec<&str> {
        lib.replies.iter().map(|r| r.text.as_str()).collect()
    }

    #[test]
    fn toml_strings_with_escapes_map_to_their_place() {
        let src = "[[reply]]\nid = \"a\"\ntext = \"\\t😀 您好，\\u4e0d知道\" # huashu: allow forbidden.dont-know -- quoting\n\n[closings]\nbye = '''\n感谢您的来电，再见'''\n";
        let lib = read("r.toml", LibraryFormat::Toml, src);
        assert_eq!(texts(&lib), vec!["\t😀 您好，不知道", "感谢您的来电，再见"]);
        // The escaped 不 is six bytes of the file; 知道 follows it.
        assert_eq!(place_of(&lib, "不知道"), (3, 16, 3, 24));
        assert_eq!(place_of(&lib, "再见"), (7, 8, 7, 10));
        assert_eq!(lib.replies[1].kind, ReplyKind::Closing);
        assert_eq!(lib.replies[0].kind, ReplyKind::Message);
        assert_eq!(lib.suppressions.len(), 1);
        assert_eq!(lib.suppressions[0].replies, vec![0]);
        assert_eq!(lib.suppressions[0].reason.as_deref(), Some("quoting"));
    }

    #[test]
    fn json_keys_fields_and_comments() {
        let src = "{\n  // huashu: allow forbidden.no-way -- a quotation\n  \"openings\": [\"您好，\\\"请\\\"讲\", \"喂？\"],\n  \"items\": [{\"title\": \"不知道\", \"text\": \"\\ud83d\\ude00不行\", \"huashu-allow\": \"forbidden.x\"}]\n}\n";
        let lib = read("r.json", LibraryFormat::Json, src);
        assert_eq!(texts(&lib), vec!["您好，\"请\"讲", "喂？", "😀不行"]);
        assert_eq!(lib.replies[0].kind, ReplyKind::Opening);
        assert_eq!(place_of(&lib, "讲"), (3, 25, 3, 26));
        // The surrogate pair is one character of twelve bytes.
        assert_eq!(place_of(&lib, "不行"), (4, 51, 4, 53));
        let s: Vec<(Vec<usize>, &str)> = lib
            .suppressions
            .iter()
            .map(|s| (s.replies.clone(), s.rules[0].as_str()))
            .collect();
        assert_eq!(
            s,
            vec![(vec![0], "forbidden.no-way"), (vec![2], "forbidden.x")]
        );
        assert_eq!(lib.suppressions[1].reason, None);
    }

    #[test]
    fn yaml_scalars_of_every_style() {
        let src = "greetings:\n  - 您好，请问有什么可以帮您？\n  - '它''s 不行'\n  - \"\\t不知道\"\nfaq:\n  物流: |\n    请您稍等，\n    我帮您查。\n  count: 3\n";
        let lib = read("r.yaml", LibraryFormat::Yaml, src);
        assert_eq!(
            texts(&lib),
            vec![
                "您好，请问有什么可以帮您？",
                "它's 不行",
                "\t不知道",
                "请您稍等，\n我帮您查。\n"
            ]
        );
        assert_eq!(lib.replies[0].kind, ReplyKind::Opening);
        assert_eq!(place_of(&lib, "不行"), (3, 11, 3, 13));
        assert_eq!(place_of(&lib, "不知道"), (4, 8, 4, 11));
        assert_eq!(place_of(&lib, "我帮您"), (8, 5, 8, 8));
    }

    #[test]
    fn csv_quoted_fields_and_columns() {
        let src = "id,类型,回复,huashu-allow\n1,开场白,\"您好，\"\"请\"\"讲\",\n2,faq,\"第一行\n第二行不知道\",forbidden.dont-know -- test\n";
        let lib = read("r.csv", LibraryFormat::Csv, src);
        assert_eq!(texts(&lib), vec!["您好，\"请\"讲", "第一行\n第二行不知道"]);
        assert_eq!(lib.replies[0].kind, ReplyKind::Opening);
        assert_eq!(place_of(&lib, "讲"), (2, 16, 2, 17));
        assert_eq!(place_of(&lib, "不知道"), (4, 4, 4, 7));
        assert_eq!(lib.suppressions.len(), 1);
        assert_eq!(lib.suppressions[0].replies, vec![1]);
    }

    #[test]
    fn markdown_paragraphs_items_and_comments() {
        let src = "# 结束语\n\n- 感谢您的来电，**再见**！\n<!-- huashu: allow forbidden.bare-no -- 引用 -->\n- 不，\t不行\n\n## FAQ\n\n这个问题`不清楚`。\n\n```\n不知道\n```\n";
        let lib = read("r.md", LibraryFormat::Markdown, src);
        assert_eq!(
            texts(&lib),
            vec!["感谢您的来电，再见！", "不，\t不行", "这个问题不清楚。"]
        );
        assert_eq!(lib.replies[0].kind, ReplyKind::Closing);
        assert_eq!(
            lib.replies[2].kind,
            ReplyKind::Closing,
            "FAQ is under 结束语"
        );
        assert_eq!(place_of(&lib, "再见"), (3, 12, 3, 14));
        assert_eq!(place_of(&lib, "不行"), (5, 6, 5, 8));
        assert_eq!(place_of(&lib, "不清楚"), (9, 6, 9, 9));
        assert_eq!(lib.suppressions[0].replies, vec![1]);
    }

    #[test]
    fn plain_text_lines_and_comments() {
        let src = "# 开场白\n\t您好😀，不知道\n\n# huashu: allow forbidden.dont-know\n不知道\n";
        let lib = read("openings.txt", LibraryFormat::Text, src);
        assert_eq!(texts(&lib), vec!["您好😀，不知道", "不知道"]);
        assert_eq!(
            lib.replies[0].kind,
            ReplyKind::Opening,
            "from the file name"
        );
        assert_eq!(place_of(&lib, "不知道"), (2, 6, 2, 9));
        assert_eq!(lib.suppressions.len(), 1);
        assert_eq!(lib.suppressions[0].replies, vec![1]);
        assert_eq!(lib.suppressions[0].reason, None);
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

    #[test]
    fn a_suppression_field_of_the_wrong_type_is_a_malformed_suppression() {
        let src = "{\"text\": \"不知道\", \"huashu-allow\": 3}";
        let lib = read("r.json", LibraryFormat::Json, src);
        assert!(lib.problems.is_empty(), "the replies were read");
        assert_eq!(texts(&lib), vec!["不知道"]);
        assert_eq!(lib.suppressions.len(), 1);
        assert!(lib.suppressions[0].malformed.is_some());
    }

    #[test]
    fn encoding_a_replacement_follows_the_style() {
        let src = "a = \"x\"\nb = 'y'\n";
        let lib = read("r.toml", LibraryFormat::Toml, src);
        assert_eq!(
            lib.replies[0].encode("他说\"好\"\n").as_deref(),
            Some("他说\\\"好\\\"\\n")
        );
        assert_eq!(lib.replies[1].encode("a'b"), None);
    }

    #[test]
    fn suppressions_cover_ids_and_categories() {
        let s = parse_suppression(" huashu: allow forbidden.*, privacy.mobile -- ok", 0..1)
            .expect("parsed");
        assert!(s.covers("forbidden.dont-know"));
        assert!(s.covers("privacy.mobile"));
        assert!(!s.covers("privacy.id-card"));
        assert!(!s.covers("forbiddenx.a"));
        let bad = parse_suppression("huashu: ignore x", 0..1).expect("addressed to huashu");
        assert!(bad.malformed.is_some());
        assert!(parse_suppression("just a comment", 0..1).is_none());
    }
}
