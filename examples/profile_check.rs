//! Checks the benchmarks' corpus many times, for profiling:
//! `cargo run --release --example profile_check [call|message|mixed]`.

#[path = "../benches/support/corpus.rs"]
mod corpus;

fn main() {
    let checker = huashu::Checker::builtin().expect("the built-in pack compiles");
    let what = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "call".to_string());
    let mut total = 0;
    match what.as_str() {
        "message" => {
            for _ in 0..1_000_000 {
                total += checker
                    .check_message(huashu::Role::Agent, corpus::SHORT_MESSAGE)
                    .len();
            }
        }
        "mixed" => {
            let chat = corpus::mixed_chat();
            for _ in 0..200_000 {
                total += checker.check(&chat).findings.len();
            }
        }
        _ => {
            let call = corpus::long_call();
            for _ in 0..20_000 {
                total += checker.check(&call).findings.len();
            }
        }
    }
    println!("{total}");
}
