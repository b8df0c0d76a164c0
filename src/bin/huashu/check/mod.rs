//! `huashu check`: transcripts scored against a rule pack, on every core.

mod batch;
pub(crate) mod input;
pub(crate) mod tally;

use std::io::{self, Write};

use huashu::Checker;

use crate::cli::CheckArgs;
use crate::{exit, pack, render};

/// Scores every transcript of the input; returns the exit code.
pub(crate) fn run(args: &CheckArgs) -> u8 {
    let color = args.color.enabled(&io::stderr());
    let pack = pack::load(&args.rules).map(|pack| match args.fail_under {
        Some(mark) => pack.with_pass_mark(mark),
        None => pack,
    });
    let checker = match pack.and_then(|pack| Checker::new(&pack)) {
        Ok(checker) => checker,
        Err(e) => {
            let _ = writeln!(io::stderr(), "{}", render::pack_error(&e, color));
            return exit::ERROR;
        }
    };
    let tally = match batch::run(&checker, args) {
        Ok(tally) => tally,
        Err(e) => {
            // The reader of our output has gone (a closed pipe) or the disk is full.
            if e.kind() != io::ErrorKind::BrokenPipe {
                let _ = writeln!(io::stderr(), "error: cannot write the output: {e}");
            }
            return exit::ERROR;
        }
    };
    if tally.errors > 0 {
        exit::ERROR
    } else if tally.failed > 0 {
        exit::FAILED
    } else {
        exit::OK
    }
}
