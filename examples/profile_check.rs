//! Checks the benchmarks' corpus many times, for profiling:
//! `cargo run --release --example profile_check [call|message|mixed|pushes|session] [ROUNDS]`
//! (`pushes`: the long call pushed into a live session turn by turn; `session`: and finished).
//! Under `valgrind --tool=callgrind` a few thousand rounds give stable instruction counts.

#[path = "../benches/support/corpus.rs"]
mod corpus;

fn main() {
    let checker = huashu::Checker::builtin().expect("the built-in pack compiles");
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "call".to_string());
    let rounds: Option<usize> = args.next().and_then(|n| n.parse().ok());
    let mut total = 0;
    match what.as_str() {
        "message" => {
            for _ in 0..rounds.unwrap_or(1_000_000) {
                total += checker
                    .check_message(huashu::Role::Agent, corpus::SHORT_MESSAGE)
                    .len();
            }
        }
        "mixed" => {
            let chat = corpus::mixed_chat();
            for _ in 0..rounds.unwrap_or(200_000) {
                total += checker.check(&chat).findings.len();
            }
        }
        "pushes" => {
            let call = corpus::long_call();
            for _ in 0..rounds.unwrap_or(2_000) {
                let mut session = checker.session("s", call.channel);
                for turn in &call.turns {
                    total += session.push(turn.clone()).findings.len();
                }
            }
        }
        "session" => {
            let call = corpus::long_call();
            for _ in 0..rounds.unwrap_or(2_000) {
                let mut session = checker.session("s", call.channel);
                for turn in &call.turns {
                    total += session.push(turn.clone()).findings.len();
                }
                total += session.finish().findings.len();
            }
        }
        _ => {
            let call = corpus::long_call();
            for _ in 0..rounds.unwrap_or(20_000) {
                total += checker.check(&call).findings.len();
            }
        }
    }
    println!("{total}");
}
