//! The HTML QA report: one self-contained page, made from the JSON records of `huashu check`,
//! for the people who act on the scores.
//!
//! An [`HtmlReport`] reads the records one at a time and keeps only totals and the
//! transcripts the page lists, so its memory does not grow with the input:
//!
//! - totals, and the distribution of scores;
//! - pass rate and mean score per agent and per channel;
//! - findings and points per rule and per scorecard dimension;
//! - the same over time: per day (per month past 62 days) when the transcripts carry
//!   timestamps (`started_at`), otherwise per results file when there are several;
//! - a sortable, filterable table of transcripts. Each opens to its turns, with every
//!   finding marked in its sentence, and its deduction, message, suggestion and source.
//!   Records carry their turns when `huashu check --turns` wrote them.
//!
//! The page needs no server and no network: its script, the data and the chart library
//! (Apache ECharts, vendored) are all inside it.
//!
//! ```
//! use huashu::html::{HtmlReport, Options};
//!
//! let mut report = HtmlReport::new(Options::default());
//! report.add_json("day1.jsonl", 1, r#"{"id":"c1","score":95,"passed":true,"findings":[],"dimensions":[]}"#)?;
//! let mut page = Vec::new();
//! report.write(&mut page)?;
//! assert!(String::from_utf8(page)?.contains("<html"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::fmt;
use std::io::{self, Write};

use jiff::Timestamp;
use jiff::tz::Offset;
use serde::{Deserialize, Serialize};

const PAGE: &str = include_str!("page.html");
const SCRIPT: &str = include_str!("app.js");
const ECHARTS: &str = include_str!("vendor/echarts/echarts.common.min.js");

/// How many transcripts the page lists by default. The charts count every transcript.
pub const DEFAULT_MAX_TRANSCRIPTS: usize = 10_000;

/// How many unreadable records the page lists, at most; the rest are only counted.
const MAX_PROBLEMS: usize = 1_000;

/// Past this many days, the trend is per month.
const MAX_DAYS: usize = 62;

/// What the report looks like.
#[derive(Clone, Debug)]
pub struct Options {
    /// The page's title.
    pub title: String,
    /// How many transcripts the table lists: past it, the lowest scores (failures first).
    pub max_transcripts: usize,
    /// The offset in which days begin and end, for the trend.
    pub timezone: Offset,
    /// When the report was made, shown under the title.
    pub generated: Option<Timestamp>,
    /// What records of `check --compact` leave out of findings (severity, message,
    /// suggestion, source, dimension), by rule id: see [`Options::describe_rules`].
    pub rules: HashMap<String, RuleText>,
}

/// What the page says about a rule whose findings do not carry it.
#[derive(Clone, Debug, Default)]
pub struct RuleText {
    /// `fatal`, `major` or `minor`.
    pub severity: String,
    /// The scorecard dimension it counts against.
    pub dimension: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to say instead.
    pub suggest: Option<String>,
    /// The clause of the standard.
    pub source: Option<String>,
}

impl Options {
    /// Takes each rule's words from `pack`, for results written with `check --compact`.
    pub fn describe_rules(&mut self, pack: &crate::RulePack) {
        for rule in pack.rules() {
            self.rules.insert(
                rule.id().to_string(),
                RuleText {
                    severity: rule.severity().to_string(),
                    dimension: rule.dimension().map(str::to_string),
                    message: rule.message().to_string(),
                    suggest: rule.suggest().map(str::to_string),
                    source: rule.source().map(str::to_string),
                },
            );
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            title: "话术质检报告 · huashu QA report".to_string(),
            max_transcripts: DEFAULT_MAX_TRANSCRIPTS,
            timezone: Offset::constant(8),
            generated: None,
            rules: HashMap::new(),
        }
    }
}

/// A line that is not a record of `huashu check`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordError {
    file: String,
    line: usize,
    column: Option<usize>,
    message: String,
}

impl RecordError {
    /// The file the line is in.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The 1-based line.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based column, when known.
    pub fn column(&self) -> Option<usize> {
        self.column
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(c) => write!(f, "{}:{}:{}: {}", self.file, self.line, c, self.message),
            None => write!(f, "{}:{}: {}", self.file, self.line, self.message),
        }
    }
}

impl std::error::Error for RecordError {}

// What is read of each line: the fields the report shows, and nothing else.
#[derive(Deserialize)]
struct InRecord {
    id: Option<serde_json::Value>,
    agent: Option<String>,
    channel: Option<String>,
    started_at: Option<String>,
    score: Option<u32>,
    passed: Option<bool>,
    findings: Option<Vec<InFinding>>,
    #[serde(default)]
    dimensions: Vec<InDimension>,
    #[serde(default)]
    ledger: Vec<InLedger>,
    not_scored: Option<String>,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    /// Read as turns only once the line is known to be a result: a transcript's own turns
    /// (times as text, `speaker`) are told apart from a result's.
    turns: Option<Box<serde_json::value::RawValue>>,
    error: Option<String>,
    summary: Option<serde::de::IgnoredAny>,
    index: Option<usize>,
}

#[derive(Deserialize)]
struct InFinding {
    rule: String,
    /// Absent from compact records, as are the message, suggestion and source.
    severity: Option<String>,
    deduct: u32,
    turn: Option<usize>,
    start: Option<usize>,
    end: Option<usize>,
    text: Option<String>,
    message: Option<String>,
    suggest: Option<String>,
    source: Option<String>,
    evidence: Option<InEvidence>,
}

#[derive(Deserialize)]
struct InEvidence {
    /// Absent from compact records.
    detail: Option<String>,
}

#[derive(Deserialize)]
struct InDimension {
    name: String,
    max: u32,
    deducted: u32,
    subtotal: u32,
}

#[derive(Deserialize)]
struct InLedger {
    rule: String,
    dimension: Option<String>,
}

/// A turn, as `huashu check --turns` writes it.
#[derive(Clone, Debug, Deserialize, Serialize)]
struct Turn {
    role: String,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<f64>,
}

/// Counts of a group of transcripts: an agent, a channel, a period.
#[derive(Clone, Debug, Default, Serialize)]
struct Group {
    transcripts: u64,
    scored: u64,
    passed: u64,
    score_sum: u64,
    findings: u64,
    deducted: u64,
}

impl Group {
    fn add(&mut self, t: &Scored) {
        self.transcripts += 1;
        if let Some(score) = t.score {
            self.scored += 1;
            self.score_sum += u64::from(score);
            self.passed += u64::from(t.passed == Some(true));
        }
        self.findings += t.findings.len() as u64;
        self.deducted += t.deducted();
    }
}

/// Everything the page says about a rule.
#[derive(Clone, Debug, Default, Serialize)]
struct RuleStats {
    severity: String,
    dimension: Option<String>,
    message: String,
    suggest: Option<String>,
    source: Option<String>,
    findings: u64,
    transcripts: u64,
    deducted: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
struct DimensionStats {
    max: u32,
    subtotal_sum: u64,
    scored: u64,
    /// Transcripts that lost points on it.
    losing: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
struct Period {
    #[serde(flatten)]
    group: Group,
    /// Findings per rule.
    rules: BTreeMap<String, u64>,
}

/// A finding as the page keeps it: the rule's words are kept once, in the rules table.
#[derive(Clone, Debug, Serialize)]
struct Mark {
    rule: String,
    deduct: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    turn: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

/// One transcript, as the table lists it.
#[derive(Clone, Debug, Serialize)]
struct Scored {
    /// Its place in the input, from 0.
    n: u64,
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<String>,
    /// The local date and time it started, `2024-05-21 10:00`.
    #[serde(skip_serializing_if = "Option::is_none")]
    started: Option<String>,
    /// The file it came from, and its line there.
    file: String,
    line: usize,
    /// The results file it was read from.
    results: String,
    score: Option<u32>,
    passed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_scored: Option<String>,
    findings: Vec<Mark>,
    /// Each dimension's subtotal, in the order of the page's dimensions.
    dimensions: Vec<(String, u32)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    turns: Option<Vec<Turn>>,
}

impl Scored {
    fn deducted(&self) -> u64 {
        self.findings.iter().map(|f| u64::from(f.deduct)).sum()
    }

    /// The order of interest: failures first, then unscored transcripts, then the lowest
    /// scores, then the input's order.
    fn rank(&self) -> (u8, u32, u64) {
        let class = match self.passed {
            Some(false) => 0,
            None => 1,
            Some(true) => 2,
        };
        (class, self.score.unwrap_or(0), self.n)
    }
}

#[derive(Debug)]
struct Ranked(Scored);

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.0.rank() == other.0.rank()
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.rank().cmp(&other.0.rank())
    }
}

/// A record `huashu check` could not read, as it reported it.
#[derive(Clone, Debug, Serialize)]
struct Problem {
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    error: String,
}

/// The HTML QA report, built record by record. See the [module](self) documentation.
#[derive(Debug)]
pub struct HtmlReport {
    options: Options,
    records: u64,
    totals: Group,
    not_scored: u64,
    full_marks: u32,
    scores: BTreeMap<u32, u64>,
    agents: HashMap<String, Group>,
    channels: HashMap<String, Group>,
    rules: HashMap<String, RuleStats>,
    dimensions: Vec<(String, DimensionStats)>,
    days: BTreeMap<String, Period>,
    months: BTreeMap<String, Period>,
    files: Vec<(String, Period)>,
    undated: u64,
    /// The transcripts the table lists; the top of the heap is the first to give way.
    kept: BinaryHeap<Ranked>,
    with_turns: u64,
    problems: Vec<Problem>,
    problem_count: u64,
}

impl HtmlReport {
    /// An empty report.
    pub fn new(options: Options) -> HtmlReport {
        HtmlReport {
            options,
            records: 0,
            totals: Group::default(),
            not_scored: 0,
            full_marks: 0,
            scores: BTreeMap::new(),
            agents: HashMap::new(),
            channels: HashMap::new(),
            rules: HashMap::new(),
            dimensions: Vec::new(),
            days: BTreeMap::new(),
            months: BTreeMap::new(),
            files: Vec::new(),
            undated: 0,
            kept: BinaryHeap::new(),
            with_turns: 0,
            problems: Vec::new(),
            problem_count: 0,
        }
    }

    /// How many transcripts have been added.
    pub fn transcripts(&self) -> u64 {
        self.totals.transcripts
    }

    /// How many results have been added: transcripts, and records `check` could not read.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// How many of them carry their turns.
    pub fn with_turns(&self) -> u64 {
        self.with_turns
    }

    /// Lists a line that could not be read at all (too long, not UTF-8) on the page, with
    /// the records `huashu check` could not read.
    pub fn add_unreadable(&mut self, file: &str, line: usize, message: &str) {
        self.problem(file.to_string(), Some(line), None, message.to_string());
    }

    fn problem(&mut self, file: String, line: Option<usize>, column: Option<usize>, error: String) {
        self.problem_count += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Problem {
                file,
                line,
                column,
                error,
            });
        }
    }

    /// Adds one line of `huashu check --format json` output (or a report of the Python
    /// package), read from `file` at `line`. A blank line and the `{"summary":…}` line are
    /// skipped; an error record (a record `huashu check` could not read) is listed on the
    /// page. A line that is none of these is an error: it is listed on the page too, and
    /// adds nothing else.
    pub fn add_json(&mut self, file: &str, line: usize, text: &str) -> Result<(), RecordError> {
        let result = self.add_line(file, line, text);
        if let Err(e) = &result {
            self.problem(e.file.clone(), Some(e.line), e.column, e.message.clone());
        }
        result
    }

    fn add_line(&mut self, file: &str, line: usize, text: &str) -> Result<(), RecordError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let text = text.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            return Ok(());
        }
        let error = |column: Option<usize>, message: String| RecordError {
            file: file.to_string(),
            line,
            column,
            message,
        };
        let record: InRecord = serde_json::from_str(text).map_err(|e: serde_json::Error| {
            // serde counts bytes; columns are counted in characters.
            let column = (e.line() == 1).then(|| {
                let bytes = e.column().saturating_sub(1).min(text.len());
                let at = (0..=bytes)
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0);
                text[..at].chars().count() + 1
            });
            error(
                column,
                format!(
                    "not a record of `huashu check --format json`: {}",
                    crate::transcript::read::json::serde_message(&e)
                        .replace("struct InRecord", "an object")
                        .replace(" with 17 elements", "")
                ),
            )
        })?;
        if record.summary.is_some() {
            return Ok(());
        }
        self.records += 1;
        if let Some(message) = record.error {
            // Where `check` read the record, when it says; else where this line is, with the
            // place in the Python batch it came from.
            let (file, line, message) = match record.file {
                Some(source) => (source, record.line, message),
                None => (
                    file.to_string(),
                    Some(line),
                    match record.index {
                        Some(i) => format!("{message} (check_many index {i})"),
                        None => message,
                    },
                ),
            };
            self.problem(file, line, record.column, message);
            return Ok(());
        }
        let (Some(id), Some(findings)) = (record.id, record.findings) else {
            self.records -= 1;
            let message = if record.turns.is_some() {
                "a transcript, not a result: score it with `huashu check --format json --turns` \
                 first, and make the report from what that writes"
            } else {
                "not a record of `huashu check --format json`: it has no `id` and `findings`"
            };
            return Err(error(None, message.to_string()));
        };
        let id = match id {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        let started_at = match record.started_at.as_deref().map(str::parse::<Timestamp>) {
            None => None,
            Some(Ok(at)) => Some(at),
            Some(Err(e)) => {
                self.records -= 1;
                return Err(error(None, format!("`started_at` is not a timestamp: {e}")));
            }
        };
        let turns = match record.turns {
            None => None,
            Some(raw) => Some(serde_json::from_str::<Vec<Turn>>(raw.get()).map_err(|e| {
                self.records -= 1;
                error(
                    None,
                    format!(
                        "turns: {}",
                        crate::transcript::read::json::serde_message(&e)
                    ),
                )
            })?),
        };
        let parts = Parts {
            agent: record.agent,
            channel: record.channel,
            started_at,
            score: record.score,
            passed: record.passed,
            findings,
            dimensions: record.dimensions,
            ledger: record.ledger,
            not_scored: record.not_scored,
            source_file: record.file,
            source_line: record.line,
            turns,
        };
        self.add(file, line, id, parts);
        Ok(())
    }

    fn add(&mut self, file: &str, line: usize, id: String, parts: Parts) {
        let Parts {
            agent,
            channel,
            started_at,
            score,
            passed,
            findings,
            dimensions,
            ledger,
            not_scored,
            source_file,
            source_line,
            turns,
        } = parts;
        let local = started_at.map(|at| at.to_zoned(self.options.timezone.to_time_zone()));
        // The results file is the period of a trend by file (a day's or a team's results);
        // the transcript's own file is where it came from.
        let results_file = file.to_string();
        let file = source_file.unwrap_or_else(|| file.to_string());
        let dimension_of: HashMap<&str, &str> = ledger
            .iter()
            .filter_map(|l| Some((l.rule.as_str(), l.dimension.as_deref()?)))
            .collect();

        // The rules, with the words of their first finding.
        let mut seen_rules: Vec<&str> = Vec::new();
        for f in &findings {
            let described = self.options.rules.get(&f.rule);
            let stats =
                self.rules
                    .entry(f.rule.clone())
                    .or_insert_with(|| match (&f.message, described) {
                        (None, Some(text)) => RuleStats {
                            severity: text.severity.clone(),
                            dimension: text.dimension.clone(),
                            message: text.message.clone(),
                            suggest: text.suggest.clone(),
                            source: text.source.clone(),
                            ..RuleStats::default()
                        },
                        _ => RuleStats {
                            severity: f.severity.clone().unwrap_or_default(),
                            message: f.message.clone().unwrap_or_default(),
                            suggest: f.suggest.clone(),
                            source: f.source.clone(),
                            ..RuleStats::default()
                        },
                    });
            // A rule first seen in a compact record that the pack does not describe takes
            // its words from the first full record that has them.
            if stats.message.is_empty()
                && let Some(message) = &f.message
            {
                stats.severity = f.severity.clone().unwrap_or_default();
                stats.message = message.clone();
                stats.suggest = f.suggest.clone();
                stats.source = f.source.clone();
            }
            if stats.dimension.is_none() {
                stats.dimension = dimension_of
                    .get(f.rule.as_str())
                    .map(|d| d.to_string())
                    .or_else(|| described.and_then(|t| t.dimension.clone()));
            }
            stats.findings += 1;
            stats.deducted += u64::from(f.deduct);
            if !seen_rules.contains(&f.rule.as_str()) {
                seen_rules.push(&f.rule);
                stats.transcripts += 1;
            }
        }
        if score.is_some() {
            let total: u32 = dimensions.iter().map(|d| d.max).sum();
            self.full_marks = self.full_marks.max(if total > 0 { total } else { 100 });
            for d in &dimensions {
                let at = match self.dimensions.iter().position(|(n, _)| *n == d.name) {
                    Some(at) => at,
                    None => {
                        self.dimensions
                            .push((d.name.clone(), DimensionStats::default()));
                        self.dimensions.len() - 1
                    }
                };
                let stats = &mut self.dimensions[at].1;
                stats.max = stats.max.max(d.max);
                stats.subtotal_sum += u64::from(d.subtotal);
                stats.scored += 1;
                stats.losing += u64::from(d.deducted > 0);
            }
        } else {
            self.not_scored += 1;
        }

        let scored = Scored {
            n: self.totals.transcripts,
            id,
            agent,
            channel,
            started: local
                .as_ref()
                .map(|z| z.strftime("%Y-%m-%d %H:%M").to_string()),
            file: file.clone(),
            line: source_line.unwrap_or(line),
            results: results_file.clone(),
            score,
            passed,
            not_scored,
            findings: findings
                .into_iter()
                .map(|f| Mark {
                    rule: f.rule,
                    deduct: f.deduct,
                    turn: f.turn,
                    start: f.start,
                    end: f.end,
                    text: f.text,
                    detail: f.evidence.and_then(|e| e.detail),
                })
                .collect(),
            dimensions: dimensions
                .into_iter()
                .map(|d| (d.name, d.subtotal))
                .collect(),
            turns,
        };

        self.totals.add(&scored);
        if let Some(score) = scored.score {
            *self.scores.entry(score).or_default() += 1;
        }
        if let Some(agent) = &scored.agent {
            self.agents.entry(agent.clone()).or_default().add(&scored);
        }
        let channel = scored.channel.clone().unwrap_or_default();
        self.channels.entry(channel).or_default().add(&scored);
        let add_to = |period: &mut Period| {
            period.group.add(&scored);
            for f in &scored.findings {
                *period.rules.entry(f.rule.clone()).or_default() += 1;
            }
        };
        match &local {
            Some(z) => {
                add_to(
                    self.days
                        .entry(z.strftime("%Y-%m-%d").to_string())
                        .or_default(),
                );
                add_to(
                    self.months
                        .entry(z.strftime("%Y-%m").to_string())
                        .or_default(),
                );
            }
            None => self.undated += 1,
        }
        match self.files.iter_mut().find(|(f, _)| *f == results_file) {
            Some((_, period)) => add_to(period),
            None => {
                let mut period = Period::default();
                add_to(&mut period);
                self.files.push((results_file, period));
            }
        }
        if scored.turns.is_some() {
            self.with_turns += 1;
        }
        if self.options.max_transcripts > 0 {
            self.kept.push(Ranked(scored));
            if self.kept.len() > self.options.max_transcripts {
                self.kept.pop();
            }
        }
    }

    /// The rules whose findings came without their words (records of `check --compact`)
    /// and that [`Options::rules`] does not describe: the page names them by id only.
    pub fn undescribed_rules(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .rules
            .iter()
            .filter(|(_, stats)| stats.message.is_empty())
            .map(|(id, _)| id.as_str())
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Writes the page.
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let mut data = serde_json::to_string(&self.data()).map_err(io::Error::other)?;
        // Inside <script>, a `</script>` or `<!--` in a string must not end or change it.
        data = data.replace('<', "\\u003c");
        let title = escape_html(&self.options.title);
        let echarts = ECHARTS.replace("</script", "<\\/script");
        // One pass over the template: a value is never searched for placeholders.
        let mut rest = PAGE;
        while let Some(at) = rest.find("{{") {
            out.write_all(&rest.as_bytes()[..at])?;
            let after = &rest[at + 2..];
            let end = after
                .find("}}")
                .ok_or_else(|| io::Error::other("the page template has an unclosed {{"))?;
            let value = match &after[..end] {
                "TITLE" => title.as_str(),
                "DATA" => data.as_str(),
                "ECHARTS" => echarts.as_str(),
                "SCRIPT" => SCRIPT,
                other => {
                    return Err(io::Error::other(format!(
                        "the page template has an unknown placeholder {other}"
                    )));
                }
            };
            out.write_all(value.as_bytes())?;
            rest = &after[end + 2..];
        }
        out.write_all(rest.as_bytes())
    }

    fn data(&self) -> Data<'_> {
        let mut kept: Vec<&Scored> = self.kept.iter().map(|r| &r.0).collect();
        kept.sort_by_key(|s| s.n);
        // By date when most transcripts have one and they span days; else by input file when
        // there are several; else the one day there is.
        let dated = self.totals.transcripts - self.undated;
        let by_date = !self.days.is_empty()
            && dated >= self.undated
            && (self.days.len() > 1 || self.files.len() < 2);
        let (by, periods): (&str, Vec<(String, &Period)>) = if by_date && self.days.len() > MAX_DAYS
        {
            (
                "month",
                self.months.iter().map(|(k, p)| (k.clone(), p)).collect(),
            )
        } else if by_date {
            (
                "day",
                self.days.iter().map(|(k, p)| (k.clone(), p)).collect(),
            )
        } else {
            (
                "file",
                self.files.iter().map(|(k, p)| (k.clone(), p)).collect(),
            )
        };
        let mut agents: Vec<(&String, &Group)> = self.agents.iter().collect();
        agents.sort_by(|a, b| b.1.transcripts.cmp(&a.1.transcripts).then(a.0.cmp(b.0)));
        let mut channels: Vec<(&String, &Group)> = self.channels.iter().collect();
        channels.sort_by(|a, b| b.1.transcripts.cmp(&a.1.transcripts).then(a.0.cmp(b.0)));
        let mut rules: Vec<(&String, &RuleStats)> = self.rules.iter().collect();
        rules.sort_by(|a, b| b.1.findings.cmp(&a.1.findings).then(a.0.cmp(b.0)));
        Data {
            title: &self.options.title,
            generated: self.options.generated.map(|at| {
                at.to_zoned(self.options.timezone.to_time_zone())
                    .strftime("%Y-%m-%d %H:%M %:z")
                    .to_string()
            }),
            timezone: self.options.timezone.to_string(),
            records: self.records,
            totals: &self.totals,
            not_scored: self.not_scored,
            full_marks: if self.full_marks == 0 {
                100
            } else {
                self.full_marks
            },
            scores: self.scores.iter().map(|(s, n)| (*s, *n)).collect(),
            agents: agents
                .into_iter()
                .map(|(name, g)| Named { name, stats: g })
                .collect(),
            channels: channels
                .into_iter()
                .map(|(name, g)| Named { name, stats: g })
                .collect(),
            rules: rules
                .into_iter()
                .map(|(name, r)| Named { name, stats: r })
                .collect(),
            dimensions: self
                .dimensions
                .iter()
                .map(|(name, d)| Named { name, stats: d })
                .collect(),
            trend: Trend {
                by,
                undated: if by == "file" { 0 } else { self.undated },
                periods: periods
                    .into_iter()
                    .map(|(name, p)| NamedPeriod { name, period: p })
                    .collect(),
            },
            transcripts: Listed {
                total: self.totals.transcripts,
                with_turns: self.with_turns,
                max: self.options.max_transcripts,
                rows: kept,
            },
            problems: Problems {
                total: self.problem_count,
                rows: &self.problems,
            },
        }
    }
}

/// The parts of a record that [`HtmlReport::add`] takes.
struct Parts {
    agent: Option<String>,
    channel: Option<String>,
    started_at: Option<Timestamp>,
    score: Option<u32>,
    passed: Option<bool>,
    findings: Vec<InFinding>,
    dimensions: Vec<InDimension>,
    ledger: Vec<InLedger>,
    not_scored: Option<String>,
    source_file: Option<String>,
    source_line: Option<usize>,
    turns: Option<Vec<Turn>>,
}

#[derive(Serialize)]
struct Data<'a> {
    title: &'a str,
    generated: Option<String>,
    timezone: String,
    records: u64,
    totals: &'a Group,
    not_scored: u64,
    full_marks: u32,
    /// `[score, transcripts]`, for the distribution.
    scores: Vec<(u32, u64)>,
    agents: Vec<Named<'a, Group>>,
    channels: Vec<Named<'a, Group>>,
    rules: Vec<Named<'a, RuleStats>>,
    dimensions: Vec<Named<'a, DimensionStats>>,
    trend: Trend<'a>,
    transcripts: Listed<'a>,
    problems: Problems<'a>,
}

#[derive(Serialize)]
struct Named<'a, T> {
    name: &'a str,
    #[serde(flatten)]
    stats: &'a T,
}

#[derive(Serialize)]
struct NamedPeriod<'a> {
    name: String,
    #[serde(flatten)]
    period: &'a Period,
}

#[derive(Serialize)]
struct Trend<'a> {
    /// `day`, `month` or `file`.
    by: &'a str,
    /// Transcripts without a start time, left out of a trend by date.
    undated: u64,
    periods: Vec<NamedPeriod<'a>>,
}

#[derive(Serialize)]
struct Listed<'a> {
    total: u64,
    with_turns: u64,
    max: usize,
    rows: Vec<&'a Scored>,
}

#[derive(Serialize)]
struct Problems<'a> {
    total: u64,
    rows: &'a [Problem],
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
