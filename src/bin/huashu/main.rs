//! The `huashu` command: `check` scores transcripts, `lint` checks reply libraries, and
//! `rules` lists, explains, tests and audits rule packs. The library does the work; this
//! binary reads the input, runs it on every core and renders the results.
//!
//! Exit codes (see `exit`): 0 when everything passed; 1 when a transcript, a reply or a rule
//! failed; 2 for a usage error, an invalid rule pack, an unreadable file or an input record
//! that could not be read.

#![forbid(unsafe_code)]

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod check;
mod cli;
mod config;
mod eval;
mod exit;
mod lint;
mod pack;
mod render;
mod report;
mod rules;
mod text_file;
mod walk;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use cli::{Cli, Command, ConfigCommand, RulesCommand};

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let config = match config::load(cli.config.as_deref(), cli.no_config) {
        Ok(config) => config,
        Err(config::ConfigError(message)) => {
            let _ = writeln!(std::io::stderr(), "error: {message}");
            return ExitCode::from(exit::ERROR);
        }
    };
    if let Some((path, config)) = &config {
        let base = path.parent().unwrap_or(std::path::Path::new("."));
        let (name, sub) = matches.subcommand().unwrap_or(("", &matches));
        match &mut cli.command {
            Command::Check(args) => config.apply_check(base, args, sub),
            Command::Lint(args) => config.apply_lint(base, args, sub),
            Command::Report(args) => config.apply_report(base, args, sub),
            Command::Rules(command) => {
                let sub = sub.subcommand().map_or(sub, |(_, m)| m);
                let args = match command {
                    RulesCommand::List(a) | RulesCommand::Test(a) | RulesCommand::Audit(a) => a,
                    RulesCommand::Explain { pack, .. } | RulesCommand::Eval { pack, .. } => pack,
                };
                config.apply_rules(base, args, sub);
            }
            _ => {}
        }
        let _ = name;
    }
    if let Command::Check(args) = &cli.command {
        let sub = matches.subcommand().map_or(&matches, |(_, m)| m);
        check::warn_json_only_flags(args, sub);
    }
    let code = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Lint(args) => lint::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Rules(command) => rules::run(&command),
        Command::Config(ConfigCommand::Schema) => {
            print(&config::schema());
            exit::OK
        }
        Command::Config(ConfigCommand::Path) => {
            match &config {
                Some((path, _)) => print(&format!("{}\n", path.display())),
                None if cli.no_config => print("no configuration file (--no-config)\n"),
                None => {
                    print("no configuration file: no huashu.toml here or in a parent directory\n")
                }
            }
            exit::OK
        }
        Command::Completions { shell } => {
            // Written to memory first: the generator panics when its writer fails.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "huashu", &mut script);
            print(&String::from_utf8_lossy(&script));
            exit::OK
        }
    };
    ExitCode::from(code)
}

/// Writes `text` to standard output; a closed pipe is not an error.
fn print(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
