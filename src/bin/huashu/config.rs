//! The configuration file, `huashu.toml`: the packs, input options and lint paths a project
//! runs with, so that each run need not repeat them.
//!
//! It is found by searching upward from the working directory (the nearest `huashu.toml` or
//! `.huashu.toml`); `--config FILE` names one and `--no-config` ignores it. Flags given on the
//! command line win over it. Paths in it are relative to the file's directory. Its JSON
//! Schema is `docs/huashu.schema.json`, written by `huashu config schema`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::ArgMatches;
use clap::parser::ValueSource;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::cli::{
    ChannelArg, CheckArgs, InputFormat, LintArgs, ReportArgs, RulesArgs, SeverityArg,
};

/// The file names searched for, nearest directory first.
pub(crate) const FILE_NAMES: [&str; 2] = ["huashu.toml", ".huashu.toml"];

/// `huashu.toml`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(
    title = "huashu.toml",
    description = "The configuration of huashu (话术): the rule packs, input options and lint paths a project runs with. Flags given on the command line win over it; paths are relative to the file."
)]
pub(crate) struct Config {
    /// Rule packs (TOML files or directories), layered in order on top of each other, for
    /// every subcommand. Without any, the built-in zh-CN pack.
    #[serde(default)]
    pub(crate) rules: Vec<PathBuf>,
    /// Options of `huashu check`.
    #[serde(default)]
    pub(crate) check: CheckConfig,
    /// Options of `huashu lint`.
    #[serde(default)]
    pub(crate) lint: LintConfig,
}

/// `[check]`: how transcripts are read and scored.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct CheckConfig {
    /// Fail transcripts scoring below this, instead of the pack's pass mark.
    pub(crate) fail_under: Option<u32>,
    /// How to read the input files: auto, jsonl, json, csv, tsv, xlsx or text.
    pub(crate) input: Option<InputFormat>,
    /// The columns of a table export, by field: `{ id = "会话ID", role = "角色", text = "内容", time = "时间" }`.
    pub(crate) columns: Option<BTreeMap<ColumnField, String>>,
    /// Which role each numbered speaker or channel is: `{ "0" = "agent", "1" = "customer" }`.
    pub(crate) speakers: Option<BTreeMap<String, String>>,
    /// How numbers are read as times: auto, s or ms.
    pub(crate) time_unit: Option<TimeUnitName>,
    /// The time zone offset of times written without one, such as "+08:00".
    pub(crate) timezone: Option<String>,
    /// Treat every transcript as a speech-recognition transcript.
    pub(crate) asr: Option<bool>,
    /// The largest record, such as "16MiB".
    pub(crate) max_record_size: Option<String>,
    /// The most turns one transcript may have.
    pub(crate) max_turns: Option<usize>,
    /// How many bytes of table rows are held while their conversations are still open, such
    /// as "256MiB".
    pub(crate) max_open_size: Option<String>,
    /// Scoring threads.
    pub(crate) threads: Option<usize>,
    /// Print the aggregate statistics after the reports.
    pub(crate) summary: Option<bool>,
    /// Carry each transcript's turns in its JSON record, for `huashu report`.
    pub(crate) turns: Option<bool>,
    /// Compact JSON records: findings without the rules' words, no ledger and no
    /// not-applicable rules.
    pub(crate) compact: Option<bool>,
}

/// A field a table column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum ColumnField {
    /// The conversation id.
    Id,
    /// Who speaks.
    Role,
    /// What was said.
    Text,
    /// When.
    Time,
    /// The agent.
    Agent,
    /// The channel.
    Channel,
}

/// How numbers are read as times.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum TimeUnitName {
    /// Seconds, except epoch milliseconds, told by their size.
    Auto,
    /// Seconds.
    S,
    /// Milliseconds.
    Ms,
}

/// `[lint]`: which reply libraries are linted, and how.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct LintConfig {
    /// Reply library files or directories linted when none are named on the command line.
    pub(crate) paths: Option<Vec<PathBuf>>,
    /// Globs skipped when walking directories (gitignore syntax).
    pub(crate) exclude: Option<Vec<String>>,
    /// A baseline file of accepted findings.
    pub(crate) baseline: Option<PathBuf>,
    /// The least severity that fails the run: info, minor, major or fatal.
    pub(crate) fail_on: Option<SeverityArg>,
    /// The channel whose opening and closing rules apply: chat, phone or email.
    pub(crate) channel: Option<ChannelArg>,
}

/// A configuration file that could not be used.
pub(crate) struct ConfigError(pub(crate) String);

/// The configuration in effect: the file named by `--config`, the nearest one found upward
/// from the working directory, or none (`--no-config`, or none found).
pub(crate) fn load(
    named: Option<&Path>,
    disabled: bool,
) -> Result<Option<(PathBuf, Config)>, ConfigError> {
    if disabled {
        return Ok(None);
    }
    let path = match named {
        Some(path) => path.to_path_buf(),
        None => match find(&std::env::current_dir().unwrap_or_default()) {
            Some(path) => path,
            None => return Ok(None),
        },
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        ConfigError(format!(
            "{}: cannot read the configuration: {e}",
            path.display()
        ))
    })?;
    let config = parse(&path, &text)?;
    Ok(Some((path, config)))
}

/// The nearest configuration file in `dir` (the working directory) or above it, as a path
/// relative to `dir` (`huashu.toml`, `../huashu.toml`), so that the paths it names are shown
/// relative too.
pub(crate) fn find(dir: &Path) -> Option<PathBuf> {
    let mut up = PathBuf::new();
    for d in dir.ancestors() {
        for name in FILE_NAMES {
            if d.join(name).is_file() {
                return Some(up.join(name));
            }
        }
        up.push("..");
    }
    None
}

/// Parses and validates a configuration file, with every problem at file:line:column.
pub(crate) fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let config: Config = toml::from_str(text).map_err(|e| {
        let at = e.span().map_or_else(String::new, |span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!(":{line}:{column}")
        });
        ConfigError(format!("{}{at}: {}", path.display(), e.message()))
    })?;
    // Values whose form serde does not know: checked here, each named by its key.
    let c = &config.check;
    let mut problems = Vec::new();
    for (key, value) in [
        ("max-record-size", &c.max_record_size),
        ("max-open-size", &c.max_open_size),
    ] {
        if let Some(v) = value
            && let Err(e) = crate::cli::parse_size(v)
        {
            problems.push(format!("check.{key}: {e}"));
        }
    }
    if let Some(tz) = &c.timezone
        && let Err(e) = huashu::read::parse_offset(tz)
    {
        problems.push(format!("check.timezone: {e}"));
    }
    if let Err(e) = speakers(c) {
        problems.push(format!("check.speakers: {e}"));
    }
    if problems.is_empty() {
        Ok(config)
    } else {
        let at = |p: &String| {
            let key = p.split(':').next().unwrap_or_default();
            let leaf = key.rsplit('.').next().unwrap_or(key);
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with(leaf))
                .map_or(String::new(), |i| format!(":{}:1", i + 1));
            format!("{}{line}: {p}", path.display())
        };
        Err(ConfigError(
            problems.iter().map(at).collect::<Vec<_>>().join("\n"),
        ))
    }
}

fn speakers(c: &CheckConfig) -> Result<Option<huashu::read::Speakers>, String> {
    let Some(map) = &c.speakers else {
        return Ok(None);
    };
    let spec: Vec<String> = map.iter().map(|(k, v)| format!("{k}={v}")).collect();
    spec.join(",").parse().map(Some)
}

/// Whether the argument `id` of `matches` was given on the command line (or in the
/// environment), so that it wins over the file.
pub(crate) fn given(matches: &ArgMatches, id: &str) -> bool {
    matches
        .value_source(id)
        .is_some_and(|s| matches!(s, ValueSource::CommandLine | ValueSource::EnvVariable))
}

impl Config {
    fn path(&self, base: &Path, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            base.join(p)
        }
    }

    fn rules(&self, base: &Path) -> Vec<PathBuf> {
        self.rules.iter().map(|p| self.path(base, p)).collect()
    }

    /// Fills the options of `check` not given as flags.
    pub(crate) fn apply_check(&self, base: &Path, args: &mut CheckArgs, m: &ArgMatches) {
        let c = &self.check;
        if !given(m, "rules") && !self.rules.is_empty() {
            args.rules = self.rules(base);
        }
        if !given(m, "fail_under") && c.fail_under.is_some() {
            args.fail_under = c.fail_under;
        }
        if let (false, Some(v)) = (given(m, "input"), c.input) {
            args.input = v;
        }
        if let (false, Some(map)) = (given(m, "columns"), &c.columns) {
            let mut columns = huashu::read::table::Columns::default();
            for (field, header) in map {
                columns = columns.with(field.field(), header.clone());
            }
            args.columns = Some(columns);
        }
        if !given(m, "speakers")
            && let Ok(Some(speakers)) = speakers(c)
        {
            args.speakers = Some(speakers);
        }
        if let (false, Some(v)) = (given(m, "time_unit"), c.time_unit) {
            args.time_unit = match v {
                TimeUnitName::Auto => huashu::read::TimeUnit::Auto,
                TimeUnitName::S => huashu::read::TimeUnit::Seconds,
                TimeUnitName::Ms => huashu::read::TimeUnit::Milliseconds,
            };
        }
        if let (false, Some(Ok(tz))) = (
            given(m, "timezone"),
            c.timezone.as_deref().map(huashu::read::parse_offset),
        ) {
            args.timezone = tz;
        }
        if let (false, Some(v)) = (given(m, "asr"), c.asr) {
            args.asr = v;
        }
        if let (false, Some(Ok(v))) = (
            given(m, "max_record_size"),
            c.max_record_size.as_deref().map(crate::cli::parse_size),
        ) {
            args.max_record_size = v;
        }
        if let (false, Some(v)) = (given(m, "max_turns"), c.max_turns) {
            args.max_turns = v;
        }
        if let (false, Some(Ok(v))) = (
            given(m, "max_open_size"),
            c.max_open_size.as_deref().map(crate::cli::parse_size),
        ) {
            args.max_open_size = v;
        }
        if !given(m, "threads") && c.threads.is_some() {
            args.threads = c.threads;
        }
        if let (false, Some(v)) = (given(m, "summary"), c.summary) {
            args.summary = v;
        }
        if let (false, Some(v)) = (given(m, "turns"), c.turns) {
            args.turns = v;
        }
        if let (false, Some(v)) = (given(m, "compact"), c.compact) {
            args.compact = v;
        }
    }

    /// Fills the options of `lint` not given as flags.
    pub(crate) fn apply_lint(&self, base: &Path, args: &mut LintArgs, m: &ArgMatches) {
        let l = &self.lint;
        if !given(m, "rules") && !self.rules.is_empty() {
            args.rules = self.rules(base);
        }
        if let (false, Some(paths)) = (given(m, "paths"), &l.paths) {
            args.paths = paths.iter().map(|p| self.path(base, p)).collect();
        }
        if let (false, Some(v)) = (given(m, "exclude"), &l.exclude) {
            args.exclude = v.clone();
        }
        if let (false, Some(v)) = (
            given(m, "baseline") || given(m, "write_baseline"),
            &l.baseline,
        ) {
            args.baseline = Some(self.path(base, v));
        }
        if let (false, Some(v)) = (given(m, "fail_on"), l.fail_on) {
            args.fail_on = v;
        }
        if let (false, Some(v)) = (given(m, "channel"), l.channel) {
            args.channel = v;
        }
    }

    /// Fills the packs of `rules …` when none are given as flags.
    /// Fills the pack of `report` (which describes the rules of compact results) when not
    /// given as a flag.
    pub(crate) fn apply_report(&self, base: &Path, args: &mut ReportArgs, m: &ArgMatches) {
        if !given(m, "rules") && !self.rules.is_empty() {
            args.rules = self.rules(base);
        }
    }

    pub(crate) fn apply_rules(&self, base: &Path, args: &mut RulesArgs, m: &ArgMatches) {
        if !given(m, "packs") && !self.rules.is_empty() {
            args.packs = self.rules(base);
        }
    }
}

impl ColumnField {
    fn field(self) -> huashu::read::table::Field {
        use huashu::read::table::Field;
        match self {
            ColumnField::Id => Field::Id,
            ColumnField::Role => Field::Role,
            ColumnField::Text => Field::Text,
            ColumnField::Time => Field::Time,
            ColumnField::Agent => Field::Agent,
            ColumnField::Channel => Field::Channel,
        }
    }
}

/// The configuration file's JSON Schema, as `huashu config schema` prints it.
pub(crate) fn schema() -> String {
    let schema = schemars::schema_for!(Config);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
