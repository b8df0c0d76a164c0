//! Tables with one row per turn, as chat and call-centre systems export them: CSV, TSV and
//! Excel sheets. The columns are found by their header names, English or Chinese (会话ID, 角色,
//! 内容, 时间), or named with [`Columns`]. Rows are grouped into transcripts by their id by a
//! [`Grouper`], in the order each conversation first appears; the input need not be sorted.
//!
//! Reading CSV and Excel needs the `tables` feature; the column mapping and the grouping do
//! not, for callers that have rows from elsewhere.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use super::speakers::{SpeakerRoles, is_numbered};
use super::text::split_turn;
use super::time::{TimeReader, TimeValue};
use super::{InputError, ReadOptions, Record};
use crate::transcript::{Channel, ROLE_EXPECTED, Role, Transcript, Turn};

/// A field of a transcript that a column can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// The conversation's id: rows with the same id are one transcript.
    Id,
    /// Who speaks the row's turn.
    Role,
    /// What was said.
    Text,
    /// When.
    Time,
    /// The agent's id or name.
    Agent,
    /// The channel.
    Channel,
}

impl Field {
    /// Every field, in the order `--columns` lists them.
    pub const ALL: [Field; 6] = [
        Field::Id,
        Field::Role,
        Field::Text,
        Field::Time,
        Field::Agent,
        Field::Channel,
    ];

    /// The field's name in `--columns`.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Role => "role",
            Field::Text => "text",
            Field::Time => "time",
            Field::Agent => "agent",
            Field::Channel => "channel",
        }
    }

    /// Header names that hold the field in real exports, compared without case, spaces,
    /// `_` or `-`.
    pub fn header_names(self) -> &'static [&'static str] {
        match self {
            // The generic `id` last: an export's row or message number is often called so.
            Field::Id => &[
                "会话id",
                "会话编号",
                "会话号",
                "会话标识",
                "对话id",
                "通话id",
                "通话编号",
                "录音id",
                "录音编号",
                "工单号",
                "工单id",
                "sessionid",
                "conversationid",
                "callid",
                "chatid",
                "dialogid",
                "dialogueid",
                "ticketid",
                "contactid",
                "interactionid",
                "id",
            ],
            Field::Role => &[
                "role",
                "speaker",
                "sender",
                "sendertype",
                "from",
                "角色",
                "发言人",
                "说话人",
                "发送方",
                "发送者",
                "发送人",
                "身份",
                "发言方",
                "说话方",
                "消息来源",
            ],
            Field::Text => &[
                "text",
                "content",
                "message",
                "msg",
                "utterance",
                "transcript",
                "body",
                "内容",
                "文本",
                "消息",
                "消息内容",
                "聊天内容",
                "对话内容",
                "发言内容",
                "文本内容",
                "识别文本",
                "识别结果",
                "话术",
                "会话内容",
            ],
            Field::Time => &[
                "time",
                "timestamp",
                "datetime",
                "sendtime",
                "starttime",
                "begintime",
                "createdat",
                "createtime",
                "时间",
                "发送时间",
                "消息时间",
                "开始时间",
                "发言时间",
                "时间戳",
                "时刻",
                "创建时间",
            ],
            Field::Agent => &[
                "agent",
                "agentid",
                "agentname",
                "staff",
                "staffid",
                "客服",
                "客服工号",
                "客服id",
                "客服姓名",
                "客服名称",
                "坐席",
                "坐席工号",
                "坐席id",
                "坐席姓名",
                "工号",
            ],
            Field::Channel => &["channel", "渠道", "渠道类型", "接入渠道", "来源渠道"],
        }
    }
}

impl FromStr for Field {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Field::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown field `{s}`; expected id, role, text, time, agent or channel")
            })
    }
}

/// Which column holds which field, as `--columns id=会话ID,role=角色,text=内容,time=时间` names
/// them. A field not named is found by its header names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    named: Vec<(Field, String)>,
}

impl Columns {
    /// Names the column that holds `field`.
    pub fn with(mut self, field: Field, header: impl Into<String>) -> Columns {
        self.named.retain(|(f, _)| *f != field);
        self.named.push((field, header.into()));
        self
    }

    /// The header named for `field`, if one is.
    pub fn named(&self, field: Field) -> Option<&str> {
        self.named
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, h)| h.as_str())
    }
}

impl FromStr for Columns {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut columns = Columns::default();
        for entry in s.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let Some((field, header)) = entry.split_once('=') else {
                return Err(format!(
                    "`{entry}` is not FIELD=HEADER; write it as id=会话ID,role=角色,text=内容"
                ));
            };
            columns = columns.with(field.parse()?, header.trim());
        }
        Ok(columns)
    }
}

impl fmt::Display for Columns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (field, header)) in self.named.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}={header}", field.as_str())?;
        }
        Ok(())
    }
}

fn header_key(name: &str) -> String {
    name.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '　'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where each field is in a table's rows, found from its header.
#[derive(Clone, Debug)]
pub struct Layout {
    fields: [Option<usize>; 6],
    /// The other columns, kept as the transcript's metadata.
    extra: Vec<(usize, String)>,
}

impl Layout {
    /// Finds the fields in `header`. Role and text are required.
    pub fn new(header: &[&str], columns: &Columns) -> Result<Layout, String> {
        let keys: Vec<String> = header.iter().map(|h| header_key(h)).collect();
        let mut fields = [None; 6];
        for (i, field) in Field::ALL.into_iter().enumerate() {
            fields[i] = match columns.named(field) {
                Some(name) => Some(
                    keys.iter()
                        .position(|k| *k == header_key(name))
                        .ok_or_else(|| {
                            format!(
                                "--columns names `{name}` for the {}, but the header has no such \
                             column; it has {}",
                                field.as_str(),
                                list(header)
                            )
                        })?,
                ),
                None => field
                    .header_names()
                    .iter()
                    .find_map(|name| keys.iter().position(|k| k == name))
                    .filter(|at| !fields.contains(&Some(*at))),
            };
        }
        for field in [Field::Role, Field::Text] {
            if fields[field as usize].is_none() {
                return Err(format!(
                    "no column holds the {0}: the header has {1}; name it with --columns \
                     {0}=HEADER",
                    field.as_str(),
                    list(header)
                ));
            }
        }
        let extra = header
            .iter()
            .enumerate()
            .filter(|(i, h)| !fields.contains(&Some(*i)) && !h.trim().is_empty())
            .map(|(i, h)| (i, h.trim().trim_start_matches('\u{feff}').to_string()))
            .collect();
        Ok(Layout { fields, extra })
    }

    /// The column of `field`, if the table has one.
    pub fn column(&self, field: Field) -> Option<usize> {
        self.fields[field as usize]
    }

    /// One row's cells as a [`Row`], on `line`.
    pub fn row<'a>(&'a self, cells: &[&'a str], line: usize) -> Row<'a> {
        let get = |field: Field| self.column(field).and_then(|i| cells.get(i).copied());
        Row {
            line,
            id: get(Field::Id),
            role: get(Field::Role).unwrap_or(""),
            text: get(Field::Text).unwrap_or(""),
            time: get(Field::Time),
            agent: get(Field::Agent),
            channel: get(Field::Channel),
            extra: self
                .extra
                .iter()
                .filter_map(|(i, h)| Some((h.as_str(), *cells.get(*i)?)))
                .collect(),
        }
    }
}

fn list(header: &[&str]) -> String {
    let names: Vec<String> = header.iter().map(|h| format!("`{}`", h.trim())).collect();
    if names.is_empty() {
        "no columns".to_string()
    } else {
        names.join(", ")
    }
}

/// One row of a table: one turn, and the conversation it belongs to.
#[derive(Clone, Debug)]
pub struct Row<'a> {
    /// The line (or sheet row) it is on.
    pub line: usize,
    /// The conversation's id; rows without an id column are all one conversation.
    pub id: Option<&'a str>,
    /// The role, as written (`客服`, `customer`, `坐席(1024)`, or a speaker number).
    pub role: &'a str,
    /// What was said.
    pub text: &'a str,
    /// When, as written.
    pub time: Option<&'a str>,
    /// The agent.
    pub agent: Option<&'a str>,
    /// The channel.
    pub channel: Option<&'a str>,
    /// The other columns: header and value.
    pub extra: Vec<(&'a str, &'a str)>,
}

/// A conversation still being read.
struct Open {
    id: String,
    line: usize,
    transcript: Transcript,
    times: TimeReader,
    speakers: Vec<(String, Role)>,
    error: Option<InputError>,
    bytes: usize,
}

/// Groups rows into transcripts by their id.
///
/// Transcripts come out in the order of their first row, each when it can no longer grow: at
/// the end of the input, or when the rows of conversations still open pass
/// [`ReadOptions::max_open_bytes`]; the conversation opened first is then closed. A row for a
/// conversation already closed is an error record that says so, and nothing is merged
/// silently. Memory is the open rows plus one id per conversation seen.
pub struct Grouper<'o> {
    options: &'o ReadOptions,
    /// The id of rows without an id column.
    stem: String,
    open: VecDeque<Open>,
    index: HashMap<String, usize>,
    /// How many conversations have been closed from the front of `open`.
    closed_count: usize,
    closed: HashSet<String>,
    bytes: usize,
}

impl<'o> Grouper<'o> {
    /// A grouper whose rows without an id column all belong to the transcript `stem`.
    pub fn new(options: &'o ReadOptions, stem: &str) -> Grouper<'o> {
        Grouper {
            options,
            stem: stem.to_string(),
            open: VecDeque::new(),
            index: HashMap::new(),
            closed_count: 0,
            closed: HashSet::new(),
            bytes: 0,
        }
    }

    /// Adds a row; returns the records it closes (usually none).
    pub fn push(&mut self, row: Row<'_>) -> Vec<Record> {
        let id = row.id.map(str::trim).unwrap_or(&self.stem);
        if id.is_empty() {
            let error = InputError::new(row.line, None, "the row has no conversation id");
            return vec![Record {
                line: row.line,
                transcript: Err(error),
            }];
        }
        if self.closed.contains(id) {
            let error = InputError::new(
                row.line,
                None,
                format!(
                    "a row of conversation `{id}` comes after the conversation was scored: \
                     more than {} of rows of other conversations came between; sort the \
                     export by conversation, or raise --max-open-size",
                    crate::text::human_bytes(self.options.max_open_bytes)
                ),
            );
            return vec![Record {
                line: row.line,
                transcript: Err(error),
            }];
        }
        let at = match self.index.get(id) {
            Some(&at) => at - self.closed_count,
            None => {
                self.index
                    .insert(id.to_string(), self.closed_count + self.open.len());
                self.open.push_back(Open {
                    id: id.to_string(),
                    line: row.line,
                    transcript: Transcript::new(id, Vec::new()),
                    times: TimeReader::new(self.options.time_unit, self.options.timezone),
                    speakers: Vec::new(),
                    error: None,
                    bytes: 0,
                });
                self.open.len() - 1
            }
        };
        // What the row costs held: its turn, and for a conversation's first row the
        // conversation itself and the columns kept as its fields.
        // (Twice the turn: the turn list grows by doubling.)
        let mut size = 2 * std::mem::size_of::<Turn>() + row.text.len() + 16;
        if self.open[at].transcript.turns.is_empty() {
            size += std::mem::size_of::<Open>()
                + 3 * id.len()
                + row
                    .extra
                    .iter()
                    .map(|(h, v)| 64 + h.len() + v.len())
                    .sum::<usize>();
        }
        let open = &mut self.open[at];
        if open.error.is_none() {
            open.bytes += size;
            self.bytes += size;
            let result = if open.bytes > self.options.max_record_bytes {
                Err(InputError::new(
                    row.line,
                    None,
                    format!(
                        "conversation `{id}` is larger than the limit of {} for one record at \
                         this row; it was skipped (raise the limit with --max-record-size)",
                        crate::text::human_bytes(self.options.max_record_bytes)
                    ),
                ))
            } else {
                add(open, &row, self.options)
            };
            if let Err(e) = result {
                open.error = Some(e);
                // Its rows are no longer held.
                self.bytes -= open.bytes;
                open.bytes = 0;
                open.transcript.turns = Vec::new();
            }
        }
        let mut done = Vec::new();
        while self.bytes > self.options.max_open_bytes && self.open.len() > 1 {
            done.push(self.close_first());
        }
        done
    }

    /// Closes every conversation still open, in order.
    pub fn finish(mut self) -> Vec<Record> {
        let mut done = Vec::new();
        while !self.open.is_empty() {
            done.push(self.close_first());
        }
        done
    }

    fn close_first(&mut self) -> Record {
        let Some(open) = self.open.pop_front() else {
            unreachable!("close_first is called with conversations open")
        };
        self.closed_count += 1;
        self.bytes -= open.bytes;
        self.index.remove(&open.id);
        self.closed.insert(open.id.clone());
        let line = open.line;
        let transcript = match open.error {
            Some(e) => Err(e),
            None if open.transcript.turns.is_empty() => Err(InputError::new(
                line,
                None,
                format!("conversation `{}` has no rows with text", open.id),
            )),
            None => {
                let mut transcript = open.transcript;
                transcript.started_at = open.times.started_at;
                Ok(transcript)
            }
        };
        Record { line, transcript }
    }
}

/// Adds one row's turn to its conversation.
fn add(open: &mut Open, row: &Row<'_>, options: &ReadOptions) -> Result<(), InputError> {
    let at = |field: &str, message: String| {
        InputError::new(row.line, None, format!("{field}: {message}"))
    };
    let t = &mut open.transcript;
    if t.turns.is_empty() && t.metadata.is_empty() {
        for (header, value) in &row.extra {
            t.metadata
                .insert((*header).to_string(), Value::String((*value).to_string()));
        }
    }
    if let Some(agent) = row.agent.map(str::trim).filter(|a| !a.is_empty()) {
        t.agent.get_or_insert_with(|| agent.to_string());
    }
    if let Some(channel) = row.channel.map(str::trim).filter(|c| !c.is_empty())
        && t.channel.is_none()
    {
        t.channel = Some(channel.parse::<Channel>().map_err(|m| at("channel", m))?);
    }
    let text = row.text.trim();
    if text.is_empty() {
        return Ok(());
    }
    if t.turns.len() >= options.max_turns {
        return Err(InputError::new(
            row.line,
            None,
            format!(
                "conversation `{}` has more than {} turns, the limit; it was skipped (raise \
                 the limit with --max-turns)",
                open.id, options.max_turns
            ),
        ));
    }
    let role =
        role_of(row.role, &options.speakers, &mut open.speakers).map_err(|m| at("role", m))?;
    let time = match row.time.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(time) => Some(
            open.times
                .read(TimeValue::Text(time))
                .map_err(|m| at("time", m))?,
        ),
    };
    t.turns.push(Turn {
        role,
        text: text.to_string(),
        time,
    });
    Ok(())
}

/// The role a table's role cell names: a role or an alias (`客服`, `user`), a labelled one
/// (`客服(1024)`), or a speaker number, through the speaker mapping.
fn role_of(
    cell: &str,
    speakers: &super::Speakers,
    seen: &mut Vec<(String, Role)>,
) -> Result<Role, String> {
    let cell = cell.trim();
    if let Some(role) = Role::from_alias(cell) {
        return Ok(role);
    }
    if let Some((role, _)) = split_turn(&format!("{cell}:")) {
        return Ok(role);
    }
    // A role with a number (客户1, agent_2) is that role, not an anonymous speaker.
    let named = cell.trim_end_matches(|c: char| c.is_ascii_digit() || matches!(c, '_' | '-' | ' '));
    if named.len() < cell.len()
        && let Some(role) = Role::from_alias(named)
    {
        return Ok(role);
    }
    if is_numbered(cell) {
        // The speakers heard so far, in order, decide who is first.
        let mut roles = SpeakerRoles::new(speakers);
        for (label, _) in seen.iter() {
            roles.role(label)?;
        }
        let role = roles.role(cell)?;
        if !seen.iter().any(|(l, _)| l == cell) {
            seen.push((cell.to_string(), role));
        }
        return Ok(role);
    }
    if cell.is_empty() {
        return Err("the row has no role".to_string());
    }
    Err(format!("unknown role `{cell}`; {ROLE_EXPECTED}"))
}

#[cfg(feature = "tables")]
mod csv_reader {
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::io::{self, Read};
    use std::rc::Rc;

    use super::{Grouper, InputError, Layout, ReadOptions, Record};

    /// The export as UTF-8: as it is, or decoded from GB18030 (which includes GBK, what Excel
    /// writes as "CSV" on Chinese Windows) when its start is not UTF-8 but is GB18030.
    fn decoded<R: Read>(reader: R) -> io::Result<Decoded<R>> {
        let mut reader = io::BufReader::with_capacity(1 << 16, reader);
        let start = io::BufRead::fill_buf(&mut reader)?;
        let utf8 = match std::str::from_utf8(start) {
            Ok(_) => true,
            // A character cut at the end of the buffer.
            Err(e) => e.error_len().is_none(),
        };
        if utf8 {
            return Ok(Decoded::Utf8(reader));
        }
        // Up to the last line break, so that no character is cut.
        let whole = memchr::memrchr(b'\n', start).map_or(start, |i| &start[..=i]);
        let gb = encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(whole)
            .is_some();
        Ok(if gb {
            Decoded::Gb18030 {
                inner: reader,
                decoder: encoding_rs::GB18030.new_decoder_without_bom_handling(),
                out: Vec::new(),
                at: 0,
                done: false,
            }
        } else {
            // Left as it is: the csv reader reports where it is not UTF-8.
            Decoded::Utf8(reader)
        })
    }

    enum Decoded<R> {
        Utf8(io::BufReader<R>),
        Gb18030 {
            inner: io::BufReader<R>,
            decoder: encoding_rs::Decoder,
            out: Vec<u8>,
            at: usize,
            done: bool,
        },
    }

    impl<R: Read> Read for Decoded<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let (inner, decoder, out, at, done) = match self {
                Decoded::Utf8(r) => return r.read(buf),
                Decoded::Gb18030 {
                    inner,
                    decoder,
                    out,
                    at,
                    done,
                } => (inner, decoder, out, at, done),
            };
            while *at == out.len() && !*done {
                let input = io::BufRead::fill_buf(inner)?;
                let last = input.is_empty();
                out.clear();
                *at = 0;
                let room = decoder
                    .max_utf8_buffer_length_without_replacement(input.len())
                    .unwrap_or(input.len() * 3 + 16);
                out.resize(room, 0);
                let (result, read, written) =
                    decoder.decode_to_utf8_without_replacement(input, out, last);
                out.truncate(written);
                io::BufRead::consume(inner, read);
                if let encoding_rs::DecoderResult::Malformed(..) = result {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "the export is neither UTF-8 nor GBK (GB18030) throughout",
                    ));
                }
                *done = last;
            }
            let n = buf.len().min(out.len() - *at);
            buf[..n].copy_from_slice(&out[*at..*at + n]);
            *at += n;
            Ok(n)
        }
    }

    /// The offsets of the line breaks read but not yet passed, and how many were passed.
    #[derive(Default)]
    struct Lines {
        ahead: VecDeque<u64>,
        passed: usize,
        /// Where the row being read starts, and the most bytes it may take.
        row_start: u64,
        limit: u64,
    }

    impl Lines {
        /// The 1-based line of the byte at `offset`; offsets must not go backwards.
        fn line_of(&mut self, offset: u64) -> usize {
            while self.ahead.front().is_some_and(|&b| b < offset) {
                self.ahead.pop_front();
                self.passed += 1;
            }
            // A record is reported from where the one before it ended: its `\n` after a CRLF,
            // and before any blank lines, which the csv reader skips.
            let mut at = offset;
            while let Some(&b) = self.ahead.front() {
                if b == at || b == at + 1 {
                    self.ahead.pop_front();
                    self.passed += 1;
                    at = b + 1;
                } else {
                    break;
                }
            }
            self.passed + 1
        }
    }

    /// A reader that notes where its line breaks are.
    struct Counting<R> {
        inner: R,
        offset: u64,
        lines: Rc<RefCell<Lines>>,
    }

    impl<R: Read> Read for Counting<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let mut lines = self.lines.borrow_mut();
            // A row (one cell, or an unclosed quote) larger than the limit is not read into
            // memory: reading stops with an error instead.
            if self.offset > lines.row_start.saturating_add(lines.limit) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "a row is larger than the limit of {} for one record (raise the limit \
                         with --max-record-size); reading stopped here",
                        crate::text::human_bytes(
                            usize::try_from(lines.limit).unwrap_or(usize::MAX)
                        )
                    ),
                ));
            }
            let n = self.inner.read(buf)?;
            for i in memchr::memchr_iter(b'\n', &buf[..n]) {
                lines.ahead.push_back(self.offset + i as u64);
            }
            self.offset += n as u64;
            Ok(n)
        }
    }

    impl ReadOptions {
        /// Reads a CSV (`delimiter` `,`) or TSV (`\t`) table with a header row, one turn per
        /// row, and hands each transcript (or error record) to `emit`, which returns `false`
        /// when no more are wanted. A UTF-8 byte-order mark is skipped. Rows without an id
        /// column are one transcript, `stem`.
        pub fn read_csv(
            &self,
            reader: impl Read,
            delimiter: u8,
            stem: &str,
            mut emit: impl FnMut(Record) -> bool,
        ) {
            let reader = match decoded(reader) {
                Ok(reader) => reader,
                Err(e) => {
                    emit(Record {
                        line: 1,
                        transcript: Err(InputError::new(1, None, format!("cannot read: {e}"))),
                    });
                    return;
                }
            };
            // The csv crate's line numbers drift on CRLF line ends, which Excel writes, so
            // lines are counted from the bytes read.
            let newlines = Rc::new(RefCell::new(Lines {
                limit: self.max_record_bytes as u64,
                ..Lines::default()
            }));
            let reader = Counting {
                inner: reader,
                offset: 0,
                lines: Rc::clone(&newlines),
            };
            let mut csv = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .has_headers(true)
                .flexible(false)
                .from_reader(reader);
            let line_of = |byte: u64| newlines.borrow_mut().line_of(byte);
            let header = match csv.headers() {
                Ok(h) => h.clone(),
                Err(e) => {
                    emit(csv_error(&e, 1));
                    return;
                }
            };
            let names: Vec<&str> = header.iter().collect();
            let layout = match Layout::new(&names, &self.columns) {
                Ok(layout) => layout,
                Err(message) => {
                    emit(Record {
                        line: 1,
                        transcript: Err(InputError::new(1, None, message)),
                    });
                    return;
                }
            };
            let mut grouper = Grouper::new(self, stem);
            let mut record = csv::StringRecord::new();
            loop {
                match csv.read_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {
                        let line = record.position().map_or(0, |p| line_of(p.byte()));
                        newlines.borrow_mut().row_start = csv.position().byte();
                        let cells: Vec<&str> = record.iter().collect();
                        if cells.iter().all(|c| c.trim().is_empty()) {
                            continue;
                        }
                        if let Some(message) = unclosed_quote(&cells, delimiter, names.len()) {
                            let error = InputError::new(line, None, message);
                            if !emit(Record {
                                line,
                                transcript: Err(error),
                            }) {
                                return;
                            }
                            continue;
                        }
                        if let Some(i) = cells.iter().position(|c| c.len() > self.max_record_bytes)
                        {
                            let error = InputError::new(
                                line,
                                None,
                                format!(
                                    "column {} is {}, more than the limit of {} for one \
                                     record; the row was skipped (raise the limit with \
                                     --max-record-size)",
                                    i + 1,
                                    crate::text::human_bytes(cells[i].len()),
                                    crate::text::human_bytes(self.max_record_bytes)
                                ),
                            );
                            if !emit(Record {
                                line,
                                transcript: Err(error),
                            }) {
                                return;
                            }
                            continue;
                        }
                        for done in grouper.push(layout.row(&cells, line)) {
                            if !emit(done) {
                                return;
                            }
                        }
                    }
                    Err(e) => {
                        let fatal = !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. });
                        let line = e.position().map_or(1, |p| line_of(p.byte()));
                        if !emit(csv_error(&e, line)) || fatal {
                            break;
                        }
                    }
                }
            }
            for done in grouper.finish() {
                if !emit(done) {
                    return;
                }
            }
        }
    }

    /// Why a row's cells look like an unclosed quote swallowed the rows after it: a cell that
    /// runs over several lines and ends with a line break (what the end of the file leaves in
    /// an open quote), or holds lines with as many delimiters as a row.
    fn unclosed_quote(cells: &[&str], delimiter: u8, columns: usize) -> Option<String> {
        let delimiter = char::from(delimiter);
        for (i, cell) in cells.iter().enumerate() {
            if !cell.contains('\n') {
                continue;
            }
            let rows = cell
                .lines()
                .skip(1)
                .filter(|l| columns > 1 && l.matches(delimiter).count() + 1 >= columns)
                .count();
            if rows > 0 || cell.ends_with('\n') {
                let lines = cell.lines().count();
                let shape = if rows > 0 {
                    format!(", {rows} of them shaped like rows")
                } else {
                    " to the end of the file".to_string()
                };
                return Some(format!(
                    "column {} opens a quote that is probably never closed: its cell runs over \
                     {lines} lines{shape}; the row and the lines in it were not checked (close \
                     the quote, or double a quote meant as text: \"\")",
                    i + 1
                ));
            }
        }
        None
    }

    fn csv_error(e: &csv::Error, line: usize) -> Record {
        let message = match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!(
                "the row has {len} fields but the header has {expected_len}; the row was \
                 skipped"
            ),
            csv::ErrorKind::Utf8 { err, .. } => format!(
                "field {} is not valid UTF-8 (save the export as UTF-8: Excel calls it \
                 \"CSV UTF-8\"); reading stopped here",
                err.field() + 1
            ),
            csv::ErrorKind::Io(io) => format!("cannot read: {io}"),
            _ => e.to_string(),
        };
        Record {
            line,
            transcript: Err(InputError::new(line, None, message)),
        }
    }
}

#[cfg(feature = "tables")]
mod sheet_reader {
    use std::io::Cursor;

    use calamine::{Data, DataRef, Reader};

    use super::{Grouper, InputError, Layout, ReadOptions, Record};

    impl ReadOptions {
        /// Reads the first sheet of an Excel workbook (`.xlsx`, `.xls`, `.xlsb`, or an
        /// OpenDocument `.ods`) with a header row, one turn per row, like
        /// [`ReadOptions::read_csv`]. The whole sheet is held in memory while it is read.
        /// Records' lines are sheet rows.
        pub fn read_sheet(&self, bytes: Vec<u8>, stem: &str, mut emit: impl FnMut(Record) -> bool) {
            let fail = |message: String| Record {
                line: 1,
                transcript: Err(InputError::new(1, None, message)),
            };
            // An .xlsx sheet is read cell by cell, so that a cell placed far away (row
            // 1,048,576, column XFD) costs nothing; other workbooks are read as a range.
            if bytes.starts_with(b"PK")
                && let Ok(mut xlsx) = calamine::Xlsx::new(Cursor::new(&bytes[..]))
            {
                let Some(name) = xlsx.sheet_names().first().cloned() else {
                    emit(fail("the workbook has no sheets".to_string()));
                    return;
                };
                let mut cells = match xlsx.worksheet_cells_reader(&name) {
                    Ok(cells) => cells,
                    Err(e) => {
                        emit(fail(format!("cannot read the first sheet: {e}")));
                        return;
                    }
                };
                let mut sheet = Sheet::new(self, stem);
                let mut row: Option<(u32, Vec<String>)> = None;
                loop {
                    let cell = match cells.next_cell() {
                        Ok(Some(cell)) => cell,
                        Ok(None) => break,
                        Err(e) => {
                            let line = row.as_ref().map_or(1, |(r, _)| *r as usize + 1);
                            let error =
                                InputError::new(line, None, format!("cannot read the sheet: {e}"));
                            if !sheet.emit(
                                Record {
                                    line,
                                    transcript: Err(error),
                                },
                                &mut emit,
                            ) {
                                return;
                            }
                            break;
                        }
                    };
                    let (r, c) = cell.get_position();
                    if row.as_ref().is_some_and(|(at, _)| *at != r)
                        && let Some((at, cells)) = row.take()
                        && !sheet.row(at, cells, &mut emit)
                    {
                        return;
                    }
                    let (_, cells) = row.get_or_insert_with(|| (r, Vec::new()));
                    let c = c as usize;
                    if c < sheet.width() {
                        if cells.len() <= c {
                            cells.resize(c + 1, String::new());
                        }
                        cells[c] = data_ref_text(cell.get_value());
                    }
                }
                if let Some((at, cells)) = row.take()
                    && !sheet.row(at, cells, &mut emit)
                {
                    return;
                }
                sheet.finish(&mut emit);
                return;
            }
            let mut workbook = match calamine::open_workbook_auto_from_rs(Cursor::new(&bytes[..])) {
                Ok(w) => w,
                Err(e) => {
                    emit(fail(format!("not a readable spreadsheet: {e}")));
                    return;
                }
            };
            let range = match workbook.worksheet_range_at(0) {
                Some(Ok(range)) => range,
                Some(Err(e)) => {
                    emit(fail(format!("cannot read the first sheet: {e}")));
                    return;
                }
                None => {
                    emit(fail("the workbook has no sheets".to_string()));
                    return;
                }
            };
            let first_row = range.start().map_or(0, |(row, _)| row);
            let mut sheet = Sheet::new(self, stem);
            for (i, row) in range.rows().enumerate() {
                let cells: Vec<String> = row.iter().take(sheet.width()).map(cell_text).collect();
                if !sheet.row(first_row + i as u32, cells, &mut emit) {
                    return;
                }
            }
            sheet.finish(&mut emit);
        }
    }

    /// The most columns a sheet's header may have.
    const MAX_COLUMNS: usize = 1024;

    /// A sheet being read: its header, once read, and the grouper of its rows.
    struct Sheet<'o> {
        options: &'o ReadOptions,
        layout: Option<(Layout, usize)>,
        grouper: Grouper<'o>,
        failed: bool,
    }

    impl<'o> Sheet<'o> {
        fn new(options: &'o ReadOptions, stem: &str) -> Sheet<'o> {
            Sheet {
                options,
                layout: None,
                grouper: Grouper::new(options, stem),
                failed: false,
            }
        }

        /// How many columns are read: the header's, or up to the limit for the header.
        fn width(&self) -> usize {
            self.layout
                .as_ref()
                .map_or(MAX_COLUMNS, |(_, width)| *width)
        }

        fn emit(&mut self, record: Record, emit: &mut impl FnMut(Record) -> bool) -> bool {
            emit(record)
        }

        /// One row, 0-based `at`; `false` when no more are wanted.
        fn row(
            &mut self,
            at: u32,
            cells: Vec<String>,
            emit: &mut impl FnMut(Record) -> bool,
        ) -> bool {
            if self.failed || cells.iter().all(|c| c.trim().is_empty()) {
                return true;
            }
            let line = at as usize + 1;
            let names: Vec<&str> = cells.iter().map(String::as_str).collect();
            let Some((layout, _)) = &self.layout else {
                match Layout::new(&names, &self.options.columns) {
                    Ok(layout) => self.layout = Some((layout, names.len())),
                    Err(message) => {
                        self.failed = true;
                        return emit(Record {
                            line,
                            transcript: Err(InputError::new(line, None, message)),
                        });
                    }
                }
                return true;
            };
            for done in self.grouper.push(layout.row(&names, line)) {
                if !emit(done) {
                    return false;
                }
            }
            true
        }

        fn finish(self, emit: &mut impl FnMut(Record) -> bool) {
            if self.layout.is_none() && !self.failed {
                emit(Record {
                    line: 1,
                    transcript: Err(InputError::new(1, None, "the first sheet is empty")),
                });
                return;
            }
            for done in self.grouper.finish() {
                if !emit(done) {
                    return;
                }
            }
        }
    }

    fn data_ref_text(cell: &DataRef<'_>) -> String {
        match cell {
            DataRef::SharedString(s) => (*s).to_string(),
            DataRef::Empty => String::new(),
            DataRef::String(s) => cell_text(&Data::String(s.clone())),
            DataRef::DateTimeIso(s) => s.clone(),
            DataRef::DurationIso(s) => s.clone(),
            DataRef::Int(n) => cell_text(&Data::Int(*n)),
            DataRef::Float(f) => cell_text(&Data::Float(*f)),
            DataRef::Bool(b) => cell_text(&Data::Bool(*b)),
            DataRef::DateTime(dt) => cell_text(&Data::DateTime(*dt)),
            DataRef::Error(e) => cell_text(&Data::Error(e.clone())),
        }
    }

    /// A cell as text: dates and times as `YYYY-MM-DD HH:MM:SS.fff` (read in the reader's
    /// time zone), durations as seconds, whole numbers without a fraction.
    fn cell_text(cell: &Data) -> String {
        match cell {
            Data::Empty => String::new(),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Int(n) => n.to_string(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Data::Float(f) => f.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(dt) if dt.is_duration() || dt.as_f64() < 1.0 => {
                format!("{}", dt.as_f64() * 86_400.0)
            }
            Data::DateTime(dt) => {
                let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{ms:03}")
            }
            Data::Error(e) => format!("#{e:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(rows: &[(&str, &str, &str)], options: &ReadOptions) -> Vec<Record> {
        let layout = Layout::new(&["会话ID", "角色", "内容"], &Columns::default()).expect("found");
        let mut grouper = Grouper::new(options, "t");
        let mut records = Vec::new();
        for (i, (id, role, text)) in rows.iter().enumerate() {
            records.extend(grouper.push(layout.row(&[id, role, text], i + 2)));
        }
        records.extend(grouper.finish());
        records
    }

    #[test]
    fn headers_are_found_by_their_names() {
        let layout = Layout::new(
            &["序号", "Session_ID", "发送方", "消息内容", "发送时间"],
            &Columns::default(),
        )
        .expect("found");
        assert_eq!(layout.column(Field::Id), Some(1));
        assert_eq!(layout.column(Field::Role), Some(2));
        assert_eq!(layout.column(Field::Text), Some(3));
        assert_eq!(layout.column(Field::Time), Some(4));
        assert_eq!(layout.extra, vec![(0, "序号".to_string())]);
        let e = Layout::new(&["a", "b"], &Columns::default()).expect_err("no role");
        assert!(
            e.starts_with("no column holds the role: the header has `a`, `b`"),
            "{e}"
        );
        let columns: Columns = "role=a,text=b".parse().expect("parses");
        let layout = Layout::new(&["a", "b"], &columns).expect("named");
        assert_eq!(layout.column(Field::Text), Some(1));
        let e = Layout::new(&["a"], &"text=c".parse().expect("parses")).expect_err("missing");
        assert!(e.contains("--columns names `c` for the text"), "{e}");
    }

    #[test]
    fn unsorted_rows_group_in_the_order_conversations_start() {
        let records = group(
            &[
                ("b", "客服", "您好"),
                ("a", "坐席", "您好"),
                ("b", "客户", "在吗"),
                ("a", "user", "你好"),
            ],
            &ReadOptions::default(),
        );
        let ids: Vec<(&str, usize, usize)> = records
            .iter()
            .map(|r| {
                let t = r.transcript.as_ref().expect("reads");
                (t.id.as_str(), r.line, t.turns.len())
            })
            .collect();
        assert_eq!(ids, vec![("b", 2, 2), ("a", 3, 2)]);
    }

    #[test]
    fn a_conversation_closed_for_memory_is_not_merged_silently() {
        let options = ReadOptions {
            max_open_bytes: 20,
            ..ReadOptions::default()
        };
        let records = group(
            &[
                ("a", "客服", "您好，很高兴为您服务"),
                ("b", "客服", "您好，很高兴为您服务"),
                ("a", "客户", "在吗"),
            ],
            &options,
        );
        assert_eq!(records.len(), 3);
        assert_eq!(
            records[0].transcript.as_ref().map(|t| t.id.as_str()),
            Ok("a")
        );
        let late = records[1].transcript.as_ref().expect_err("closed");
        assert_eq!(late.line(), 4);
        assert!(
            late.message()
                .contains("comes after the conversation was scored")
        );
    }

    #[test]
    fn numbered_speakers_and_bad_roles() {
        let records = group(
            &[("a", "1", "您好"), ("a", "0", "你好"), ("b", "主管", "x")],
            &ReadOptions::default(),
        );
        let a = records[0].transcript.as_ref().expect("reads");
        assert_eq!(a.turns[0].role, Role::Agent);
        assert_eq!(a.turns[1].role, Role::Customer);
        let b = records[1].transcript.as_ref().expect_err("bad role");
        assert_eq!(b.line(), 4);
        assert!(b.message().starts_with("role: unknown role `主管`"), "{b}");
    }
}
