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
                  Exit codes: 0 every transcript passed; 1 at least one failed; 2 usage error, \
                  invalid rule pack, unreadable file or unreadable input record."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Score transcripts (JSON Lines or plain text) against a rule pack.
    Check(CheckArgs),
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

    /// How to read the input files. `auto` reads *.txt as plain text and everything else as
    /// JSON Lines; standard input is recognised by its first character.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub(crate) input: InputFormat,

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

    /// Scoring threads [default: one per core]. Reading and writing have a thread each.
    #[arg(long, short = 'j', value_name = "N")]
    pub(crate) threads: Option<usize>,

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
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InputFormat {
    /// By file extension, or by content on standard input.
    Auto,
    /// One JSON transcript object per line.
    Jsonl,
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
