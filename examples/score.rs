//! Scores JSON Lines transcripts with the library alone: the loop a Rust batch job or service
//! writes around one shared [`huashu::Checker`].
//!
//! ```text
//! cargo run --release --example score -- examples/transcripts/chats.jsonl [PACK.toml ...]
//! ```
//!
//! Prints one JSON report per transcript, in input order, or `{"line", "error"}` for a
//! record that cannot be read. The reports are the library's own [`huashu::Report`]s,
//! serialized as they are: the command line's records add where each came from.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::process::ExitCode;

use huashu::read::JsonLines;
use huashu::{Checker, RulePack};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(input) = args.next() else {
        eprintln!("usage: score TRANSCRIPTS.jsonl [PACK ...]");
        return ExitCode::from(2);
    };
    match run(&input, args.collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(input: &str, packs: Vec<String>) -> Result<(), Box<dyn std::error::Error>> {
    // Packs layer as the command line's repeated --rules layer them.
    let mut pack = match packs.first() {
        Some(first) => RulePack::from_path(first)?,
        None => RulePack::builtin()?,
    };
    for path in packs.iter().skip(1) {
        pack = pack.layer_path(path)?;
    }
    let checker = Checker::new(&pack)?;
    let mut out = BufWriter::new(io::stdout().lock());
    for record in JsonLines::new(BufReader::new(File::open(input)?)) {
        let record = record?;
        match record.transcript {
            Ok(transcript) => serde_json::to_writer(&mut out, &checker.check(&transcript))?,
            Err(e) => serde_json::to_writer(
                &mut out,
                &serde_json::json!({"line": record.line, "error": e.to_string()}),
            )?,
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
