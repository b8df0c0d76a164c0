//! Checks the bundled transcripts many times, for profiling: `cargo run --release --example
//! profile_check`.

use huashu::Checker;
use huashu::read::JsonLines;

fn main() {
    let checker = Checker::builtin().expect("the built-in pack compiles");
    let mut transcripts = Vec::new();
    for file in ["phone-calls.jsonl", "chats.jsonl", "emails.jsonl"] {
        let path = format!("{}/examples/transcripts/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("the example transcripts exist");
        for record in JsonLines::new(text.as_bytes()) {
            transcripts.push(record.expect("reads").transcript.expect("valid"));
        }
    }
    let mut total = 0;
    for _ in 0..20_000 {
        for t in &transcripts {
            total += checker.check(t).findings.len();
        }
    }
    println!("{total}");
}
