//! Command-line arguments.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "huashu",
    version,
    about = "Checks what customer-service agents say and write against a service standard.",
    long_about = "Checks what customer-service agents say and write against a service standard: \
                  forbidden phrases (服务忌语), required greetings and closings, courtesy forms \
                  and the disclosure of customer data.\n\n\
                  Exit codes: 0 every transcript passed (lint: no finding at --fail-on or \
                  above); 1 at least one failed; 2 usage error, invalid rule pack, unreadable \
                  file or unreadable input record."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,

    /// The configuration file to use, instead of the nearest huashu.toml found upward from
    /// the working directory.
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "no_config")]
    pub(crate) config: Option<PathBuf>,

    /// Use no configuration file.
    #[arg(long, global = true)]
    pub(crate) no_config: bool,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Score transcripts (JSON Lines or plain text) against a rule pack.
    Check(CheckArgs),
    /// Lint canned-reply libraries (TOML, JSON, YAML, CSV, Markdown, plain text), for CI.
    Lint(LintArgs),
    /// Make an HTML QA report from `huashu check --format json` results: one page that
    /// works offline, with charts, a table of transcripts, and each finding in its sentence.
    Report(ReportArgs),
    /// List, explain, test and audit the rules of a pack.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// The configuration file: its JSON Schema, or which file is in use.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Write a completion script for a shell to standard output, e.g.
    /// `huashu completions bash > /etc/bash_completion.d/huashu`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Args, Debug)]
pub(crate) struct ReportArgs {
    /// Results of `huashu check --format json` (JSON Lines; `--turns` adds the turns the
    /// page shows), one or more files, or directories of *.jsonl files; `-` reads standard
    /// input. Several files (a day or a team each) make one report.
    #[arg(required = true, value_name = "FILES")]
    pub(crate) files: Vec<PathBuf>,

    /// The HTML file to write; `-` writes to standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: PathBuf,

    /// The rule pack the results were checked with, layered like `check --rules`: the page
    /// takes each rule's message, severity, suggestion and source from it for results of
    /// `check --compact`, which leave them out [default: the built-in pack].
    #[arg(long = "rules", value_name = "PACK")]
    pub(crate) rules: Vec<PathBuf>,

    /// The page's title.
    #[arg(long, value_name = "TEXT")]
    pub(crate) title: Option<String>,

    /// How many transcripts the page lists (the charts count them all). Past it, those of
    /// most interest: failures, then the lowest scores.
    #[arg(long, value_name = "N", default_value_t = huashu::html::DEFAULT_MAX_TRANSCRIPTS)]
    pub(crate) max_transcripts: usize,

    /// The time zone offset in which days begin, for the trend.
    #[arg(long, value_name = "OFFSET", default_value = "+08:00", value_parser = parse_timezone,
          allow_hyphen_values = true)]
    pub(crate) timezone: jiff::tz::Offset,

    /// The largest line read; a longer one is an error, and reading goes on. Bytes, or with
    /// a unit: `64KiB`, `32MiB`.
    #[arg(long, value_name = "SIZE", default_value = "64MiB", value_parser = parse_size)]
    pub(crate) max_record_size: usize,
}

#[derive(Subcommand, Debug)]
pub(crate) enum ConfigCommand {
    /// Print the JSON Schema of huashu.toml.
    Schema,
    /// Print the path of the configuration file in use, or say that there is none.
    Path,
}

#[derive(Args, Debug)]
pub(crate) struct LintArgs {
    /// Reply library files or directories; `-` reads standard input. Directories are walked
    /// for *.toml, *.json, *.jsonc, *.yaml, *.yml, *.csv, *.tsv, *.md and *.txt files,
    /// honouring .gitignore. Without paths, the `lint.paths` of the configuration file.
    #[arg(value_name = "PATHS")]
    pub(crate) paths: Vec<PathBuf>,

    /// The name standard input is shown under, and whose extension tells its format
    /// (`--input-format` wins over it). Without either, standard input is one reply per line.
    #[arg(long, value_name = "PATH")]
    pub(crate) stdin_filename: Option<PathBuf>,

    /// A rule pack (a TOML file or a directory of them). Without it, the built-in zh-CN pack
    /// is used. Repeat to layer packs.
    #[arg(long = "rules", value_name = "PACK")]
    pub(crate) rules: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub(crate) format: LintFormat,

    /// The least severity that fails the run.
    #[arg(long, value_enum, default_value_t = SeverityArg::Minor, value_name = "SEVERITY")]
    pub(crate) fail_on: SeverityArg,

    /// The channel whose opening and closing rules apply to openings and closings.
    #[arg(long, value_enum, default_value_t = ChannelArg::Chat)]
    pub(crate) channel: ChannelArg,

    /// Read every file as this format, whatever its extension.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub(crate) input_format: Option<LibraryFormatArg>,

    /// Skip files and directories matching this glob (gitignore syntax, relative to each
    /// directory walked), on top of .gitignore. Repeat for more. Files named on the command
    /// line are always linted.
    #[arg(long, value_name = "GLOB")]
    pub(crate) exclude: Vec<String>,

    /// Report only findings that this baseline file does not accept, and list its entries
    /// that no longer occur.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,

    /// Write the current findings to this baseline file (they are then accepted).
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub(crate) write_baseline: Option<PathBuf>,

    /// Apply the fixes that rules mark safe, keeping each file's formatting.
    #[arg(long)]
    pub(crate) fix: bool,

    /// With --fix, apply the fixes rules mark unsafe too.
    #[arg(long, requires = "fix")]
    pub(crate) unsafe_fixes: bool,

    /// With --fix, print a diff of what would change instead of changing the files.
    #[arg(long, requires = "fix")]
    pub(crate) dry_run: bool,

    /// Show suppressed and baselined findings too (human output).
    #[arg(long)]
    pub(crate) show_suppressed: bool,

    /// Print no findings (human output): only the summary line, and the exit status.
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,

    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub(crate) color: Color,
}

#[derive(Subcommand, Debug)]
pub(crate) enum RulesCommand {
    /// Every rule: id, kind, severity, source clause.
    List(RulesArgs),
    /// One rule in full: message, why, source, phrases, examples, suggestion, fix.
    Explain {
        /// The rule's id.
        id: String,
        #[command(flatten)]
        pack: RulesArgs,
    },
    /// Run every rule's examples; fail when one misbehaves.
    Test(RulesArgs),
    /// Check a pack for rules that cannot work as written: phrases that can never match,
    /// duplicates, shadowed phrases, exceptions no example exercises, missing examples or
    /// sources. `rules lint` is an older name for it.
    #[command(alias = "lint")]
    Audit(RulesArgs),
    /// Measure the pack on a labelled corpus (JSON Lines: `text` or `turns`, and `expect`, the
    /// rule ids a reviewer marks or "none"): precision, recall and F1 per rule, per category and
    /// overall, with every false positive and false negative.
    Eval {
        /// The labelled corpus.
        #[arg(value_name = "CORPUS")]
        corpus: PathBuf,
        #[command(flatten)]
        pack: RulesArgs,
        /// Fail (exit 1) when the precision over all findings is below this, from 0 to 1.
        #[arg(long, value_name = "RATIO", value_parser = ratio)]
        min_precision: Option<f64>,
        /// Fail (exit 1) when the recall over all findings is below this, from 0 to 1.
        #[arg(long, value_name = "RATIO", value_parser = ratio)]
        min_recall: Option<f64>,
        /// How many false positives and false negatives to list, each (human output).
        #[arg(long, value_name = "N", default_value_t = 20)]
        show: usize,
    },
}

/// A ratio from 0 to 1.
fn ratio(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` is not a ratio from 0 to 1 (such as 0.95)")),
    }
}

#[derive(Args, Debug)]
pub(crate) struct RulesArgs {
    /// A rule pack (a TOML file or a directory of them). Without it, the built-in zh-CN pack,
    /// or the `rules` of the configuration file. Repeat to layer packs, as `check` and `lint`
    /// do.
    #[arg(long = "rules", value_name = "PACK")]
    pub(crate) packs: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub(crate) format: ListFormat,

    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub(crate) color: Color,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LintFormat {
    /// Findings with the file's line and the words underlined.
    Human,
    /// One JSON document with every finding.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other review tools.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListFormat {
    /// Text for people.
    Human,
    /// JSON.
    Json,
}

#[derive(
    ValueEnum, Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum SeverityArg {
    /// Every finding fails the run.
    Info,
    /// Minor, major and fatal findings fail it.
    Minor,
    /// Major and fatal findings fail it.
    Major,
    /// Only fatal findings fail it.
    Fatal,
}

impl SeverityArg {
    pub(crate) fn severity(self) -> huashu::Severity {
        match self {
            SeverityArg::Info => huashu::Severity::Info,
            SeverityArg::Minor => huashu::Severity::Minor,
            SeverityArg::Major => huashu::Severity::Major,
            SeverityArg::Fatal => huashu::Severity::Fatal,
        }
    }
}

#[derive(
    ValueEnum, Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum ChannelArg {
    /// Chat and instant messaging.
    Chat,
    /// Phone calls.
    Phone,
    /// E-mail.
    Email,
}

impl ChannelArg {
    pub(crate) fn channel(self) -> huashu::Channel {
        match self {
            ChannelArg::Chat => huashu::Channel::Chat,
            ChannelArg::Phone => huashu::Channel::Phone,
            ChannelArg::Email => huashu::Channel::Email,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LibraryFormatArg {
    /// TOML.
    Toml,
    /// JSON (comments and trailing commas allowed).
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

impl LibraryFormatArg {
    pub(crate) fn format(self) -> huashu::replies::LibraryFormat {
        use huashu::replies::LibraryFormat as F;
        match self {
            LibraryFormatArg::Toml => F::Toml,
            LibraryFormatArg::Json => F::Json,
            LibraryFormatArg::Yaml => F::Yaml,
            LibraryFormatArg::Csv => F::Csv,
            LibraryFormatArg::Tsv => F::Tsv,
            LibraryFormatArg::Markdown => F::Markdown,
            LibraryFormatArg::Text => F::Text,
        }
    }
}

#[derive(Args, Debug)]
pub(crate) struct CheckArgs {
    /// Transcript files or directories; `-` reads standard input. Directories are searched
    /// for *.jsonl, *.ndjson and *.txt files.
    #[arg(required = true, value_name = "FILES")]
    pub(crate) files: Vec<PathBuf>,

    /// A rule pack (a TOML file or a directory of them). Without it, the built-in zh-CN pack
    /// is used. Repeat to layer packs: each applies on top of the ones before it.
    #[arg(long = "rules", value_name = "PACK")]
    pub(crate) rules: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,

    /// Fail transcripts scoring below N (instead of the pack's pass mark).
    #[arg(long, value_name = "N")]
    pub(crate) fail_under: Option<u32>,

    /// How to read the input files. `auto` goes by extension (*.jsonl, *.json, *.csv, *.tsv,
    /// *.xlsx, *.txt), and by content for standard input and other files.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub(crate) input: InputFormat,

    /// The columns of a CSV, TSV or Excel export, where their headers are not ones huashu
    /// knows: `id=会话ID,role=角色,text=内容,time=时间` (also `agent=` and `channel=`).
    #[arg(long, value_name = "FIELD=HEADER,…", value_parser = parse_columns)]
    pub(crate) columns: Option<huashu::read::table::Columns>,

    /// Which role each numbered speaker or channel is, in speech-recognition results and
    /// tables: `0=agent,1=customer`. Without it, the first speaker heard is the agent and
    /// every other the customer.
    #[arg(long, value_name = "SPEAKER=ROLE,…", value_parser = parse_speakers)]
    pub(crate) speakers: Option<huashu::read::Speakers>,

    /// How numbers are read as times: `auto` takes them as seconds, except epoch
    /// milliseconds, told by their size; `s` or `ms` reads every number so.
    #[arg(long, value_name = "UNIT", default_value = "auto", value_parser = parse_time_unit)]
    pub(crate) time_unit: huashu::read::TimeUnit,

    /// The time zone offset of times written without one (`2024-05-21 10:00:00`).
    #[arg(long, value_name = "OFFSET", default_value = "+08:00", value_parser = parse_timezone,
          allow_hyphen_values = true)]
    pub(crate) timezone: jiff::tz::Offset,

    /// Treat every transcript as a speech-recognition (ASR) transcript, as `"source": "asr"`
    /// does for one: required scripts match tolerantly (fillers, a dropped or misheard
    /// character), and rules with `asr = "off"` are not judged.
    #[arg(long)]
    pub(crate) asr: bool,

    /// With `--format csv`: one row per finding, or one per transcript with its dimension
    /// subtotals.
    #[arg(long, value_enum, default_value_t = Table::Findings)]
    pub(crate) table: Table,

    /// With `--format csv`: start with a UTF-8 byte-order mark, so that Excel reads the
    /// Chinese text right when the file is opened by double-click.
    #[arg(long)]
    pub(crate) bom: bool,

    /// Carry the input's own fields (a table's other columns, a JSON record's unknown keys)
    /// into the CSV output, as one JSON column `fields`. JSON output always carries them.
    #[arg(long)]
    pub(crate) keep_fields: bool,

    /// With `--format json`: carry each transcript's turns (`role`, `text`, `time`) in its
    /// record, so that `huashu report` can show every finding in its sentence.
    #[arg(long)]
    pub(crate) turns: bool,

    /// With `--format json`: records that cost what they carry. Findings give the rule's id,
    /// span, deduction and evidence (the turns looked at, the wait and the limit), without
    /// the message, suggestion, source and severity that every finding of a rule repeats
    /// (`huashu rules list --format json` lists them once per rule) and without the
    /// evidence's sentence; fields without a value, the ledger and the not-applicable rules
    /// are left out. `huashu report --rules` fills the rules' words back in.
    #[arg(long)]
    pub(crate) compact: bool,

    /// With `--compact`: keep the ledger of deductions (the default JSON always has it).
    #[arg(long)]
    pub(crate) ledger: bool,

    /// With `--compact`: keep the rules that had nothing to judge, with the reason (the
    /// default JSON always has them).
    #[arg(long)]
    pub(crate) not_applicable: bool,

    /// Print no reports: only the totals (and the summary with `--summary`), and the exit
    /// status. Errors still go to standard error.
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,

    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub(crate) color: Color,

    /// After the reports, print aggregate statistics: transcripts, pass rate, mean score, the
    /// rules with the most findings and each agent's mean score. With `--format json` it is
    /// one last line, `{"summary":{…}}`.
    #[arg(long)]
    pub(crate) summary: bool,

    /// How many rules and agents the human summary lists (the JSON one lists all).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub(crate) top: usize,

    /// Scoring threads [default: one per core]; the pack compiles on them too. Reading and
    /// writing have a thread each. More than 8 per core are not started (a warning says so).
    #[arg(long, short = 'j', value_name = "N")]
    pub(crate) threads: Option<usize>,

    /// The largest record: one JSON Lines line, or one plain-text transcript file. A larger
    /// one is an error record, and reading goes on. Bytes, or with a unit: `64KiB`, `32MiB`,
    /// `1GiB` (`K`, `M`, `G` and `KB`, `MB`, `GB` mean the same).
    #[arg(long, value_name = "SIZE", default_value = "16MiB", value_parser = parse_size)]
    pub(crate) max_record_size: usize,

    /// The most turns one transcript may have; one with more is an error record.
    #[arg(long, value_name = "N", default_value_t = huashu::read::DEFAULT_MAX_TURNS)]
    pub(crate) max_turns: usize,

    /// How many bytes of table rows are held while their conversations are still open (an
    /// unsorted CSV export); past it, the conversation opened first is scored, and later rows
    /// of it are error records. Also the largest spreadsheet file read.
    #[arg(long, value_name = "SIZE", default_value = "256MiB", value_parser = parse_size)]
    pub(crate) max_open_size: usize,

    /// Never show the progress bar (shown on standard error when it is a terminal).
    #[arg(long)]
    pub(crate) no_progress: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// Findings with the turn text and the hit underlined.
    Human,
    /// One JSON object per transcript or unreadable record, in input order.
    Json,
    /// A CSV table for spreadsheets: one row per finding, or per transcript (`--table`).
    Csv,
}

/// Which table `--format csv` writes.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Table {
    /// One row per finding, with its transcript's id, score and source.
    Findings,
    /// One row per transcript (and per unreadable record), with each dimension's subtotal.
    Transcripts,
}

#[derive(
    ValueEnum, Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum InputFormat {
    /// By file extension, or by content (standard input, and files of other extensions).
    Auto,
    /// One JSON transcript object (or speech-recognition result) per line.
    Jsonl,
    /// One JSON document per file: a transcript object, a speech-recognition result, or an
    /// array of either; pretty-printed or not.
    Json,
    /// Comma-separated values, one turn per row, with a header row.
    Csv,
    /// Tab-separated values, one turn per row, with a header row.
    Tsv,
    /// An Excel workbook (.xlsx, .xls, .xlsb) or OpenDocument sheet, one turn per row.
    Xlsx,
    /// One transcript per file: `客服：…` / `客户：…`, one turn per line.
    Text,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Color {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl Color {
    pub(crate) fn enabled(self, stream: &impl IsTerminal) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                stream.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// A size in bytes, as `--max-record-size` takes it: `1048576`, `64KiB`, `16MiB`, `1G`.
pub(crate) fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => {
            return Err(format!(
                "`{text}` is no size: write bytes, or a number with KiB, MiB or GiB"
            ));
        }
    };
    let n: usize = digits.parse().map_err(|_| {
        format!("`{text}` is no size: write bytes, or a number with KiB, MiB or GiB")
    })?;
    n.checked_mul(1 << shift).filter(|&n| n > 0).ok_or_else(|| {
        format!("`{text}` is out of range: it must be at least 1 byte and fit in memory")
    })
}

fn parse_columns(s: &str) -> Result<huashu::read::table::Columns, String> {
    s.parse()
}

fn parse_speakers(s: &str) -> Result<huashu::read::Speakers, String> {
    s.parse()
}

fn parse_time_unit(s: &str) -> Result<huashu::read::TimeUnit, String> {
    s.parse()
}

fn parse_timezone(s: &str) -> Result<jiff::tz::Offset, String> {
    huashu::read::parse_offset(s)
}

impl CheckArgs {
    /// How the input is read.
    pub(crate) fn read_options(&self) -> huashu::read::ReadOptions {
        huashu::read::ReadOptions {
            time_unit: self.time_unit,
            timezone: self.timezone,
            speakers: self.speakers.clone().unwrap_or_default(),
            columns: self.columns.clone().unwrap_or_default(),
            max_record_bytes: self.max_record_size,
            max_turns: self.max_turns,
            max_open_bytes: self.max_open_size,
        }
    }
}
