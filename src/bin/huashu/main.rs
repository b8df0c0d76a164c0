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
mod eval;
mod exit;
mod lint;
mod pack;
mod render;
mod rules;
mod walk;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Lint(args) => lint::run(&args),
        Command::Rules(command) => rules::run(&command),
    };
    ExitCode::from(code)
}
