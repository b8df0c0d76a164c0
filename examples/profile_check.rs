//! Checks the benchmarks' long call many times, for profiling: `cargo run --release --example
//! profile_check`.

#[path = "../benches/support/corpus.rs"]
mod corpus;

fn main() {
    let checker = huashu::Checker::builtin().expect("the built-in pack compiles");
    let call = corpus::long_call();
    let mut total = 0;
    for _ in 0..20_000 {
        total += checker.check(&call).findings.len();
    }
    println!("{total}");
}
