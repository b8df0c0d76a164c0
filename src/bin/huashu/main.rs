//! The `huashu` command: checks transcripts against a rule pack and renders the results.
//!
//! Exit codes: 0 when every transcript passed; 1 when at least one failed; 2 for a usage
//! error, an invalid rule pack, an unreadable file or an input record that could not be read.

#![forbid(unsafe_code)]

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod batch;
mod cli;
mod input;
mod lint;
mod render;
mod rules;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use huashu::{Checker, RulePack};

use cli::{CheckArgs, Cli, Command};

/// Every transcript passed.
pub(crate) const EXIT_OK: u8 = 0;
/// At least one transcript failed.
pub(crate) const EXIT_FAILED: u8 = 1;
/// Usage, rule-pack, I/O or input-record error.
pub(crate) const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check(&args),
        Command::Lint(args) => lint::run(&args),
        Command::Rules(command) => rules::run(&command),
    };
    ExitCode::from(code)
}

/// The packs at `paths`, each layered on the one before; the built-in pack without any.
pub(crate) fn load_pack(paths: &[std::path::PathBuf]) -> Result<RulePack, huashu::PackError> {
    let mut packs = paths.iter();
    let mut pack = match packs.next() {
        Some(path) => RulePack::from_path(path)?,
        None => RulePack::builtin()?,
    };
    for path in packs {
        pack = pack.layer_path(path)?;
    }
    Ok(pack)
}

fn check(args: &CheckArgs) -> u8 {
    let color = args.color.enabled(&io::stderr());
    let pack = load_pack(&args.rules).map(|pack| match args.fail_under {
        Some(mark) => pack.with_pass_mark(mark),
        None => pack,
    });
    let checker = match pack.and_then(|pack| Checker::new(&pack)) {
        Ok(checker) => checker,
        Err(e) => {
            let _ = writeln!(io::stderr(), "{}", render::human::pack_error(&e, color));
            return EXIT_ERROR;
        }
    };
    let tally = match batch::run(&checker, args) {
        Ok(tally) => tally,
        Err(e) => {
            // The reader of our output has gone (a closed pipe) or the disk is full.
            if e.kind() != io::ErrorKind::BrokenPipe {
                let _ = writeln!(io::stderr(), "error: cannot write the output: {e}");
            }
            return EXIT_ERROR;
        }
    };
    if tally.errors > 0 {
        EXIT_ERROR
    } else if tally.failed > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}
