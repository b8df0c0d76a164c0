//! `huashu check`: transcripts scored against a rule pack, on every core.

mod batch;
pub(crate) mod input;
pub(crate) mod tally;

use std::io::{self, Write};

use crate::cli::{CheckArgs, Format};
use crate::{exit, pack, render};

/// Warns about the flags that shape JSON records, given on the command line with another
/// format, where they change nothing. (Set in `huashu.toml`, they apply whenever the format
/// is JSON, and say nothing otherwise.)
pub(crate) fn warn_json_only_flags(args: &CheckArgs, matches: &clap::ArgMatches) {
    if args.format == Format::Json {
        // The default records always carry these; they only put them back into compact ones.
        if !args.compact {
            for (id, flag) in [
                ("ledger", "--ledger"),
                ("not_applicable", "--not-applicable"),
            ] {
                if crate::config::given(matches, id) {
                    let _ = writeln!(
                        io::stderr(),
                        "warning: {flag} changes only --compact records; the default JSON \
                         always has it"
                    );
                }
            }
        }
        return;
    }
    use clap::ValueEnum;
    let format = args
        .format
        .to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_string());
    for (id, flag) in [
        ("compact", "--compact"),
        ("ledger", "--ledger"),
        ("not_applicable", "--not-applicable"),
        ("turns", "--turns"),
    ] {
        if crate::config::given(matches, id) {
            let _ = writeln!(
                io::stderr(),
                "warning: {flag} shapes JSON records only; it changes nothing with --format \
                 {format}"
            );
        }
    }
}

/// Scores every transcript of the input; returns the exit code.
pub(crate) fn run(args: &CheckArgs) -> u8 {
    let color = args.color.enabled(&io::stderr());
    let (pool, threads_warning) = match batch::pool(args) {
        Ok(found) => found,
        Err(e) => {
            let _ = writeln!(io::stderr(), "error: cannot start the scoring threads: {e}");
            return exit::ERROR;
        }
    };
    // The pack compiles on the scoring threads, before any other work is queued on them:
    // `--threads 1` means one thread throughout.
    let checker = pool.install(|| {
        let pack = pack::load(&args.rules).map(|pack| match args.fail_under {
            Some(mark) => pack.with_pass_mark(mark),
            None => pack,
        });
        pack.and_then(|pack| pack::compile(&pack))
    });
    let checker = match checker {
        Ok(checker) => checker,
        Err(e) => {
            let _ = writeln!(io::stderr(), "{}", render::pack_error(&e, color));
            return exit::ERROR;
        }
    };
    if let Some(warning) = threads_warning {
        let _ = writeln!(io::stderr(), "{warning}");
    }
    let tally = match batch::run(&checker, args, &pool) {
        Ok(tally) => tally,
        Err(batch::Stopped::Start(e)) => {
            let _ = writeln!(
                io::stderr(),
                "error: cannot start the reading and writing threads: {e}"
            );
            return exit::ERROR;
        }
        Err(batch::Stopped::Write(e)) => {
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
