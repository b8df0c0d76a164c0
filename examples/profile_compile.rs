//! Compiles the benchmarks' 50,000-phrase pack a few times, for profiling:
//! `cargo run --release --example profile_compile`.

#[path = "../benches/support/corpus.rs"]
mod corpus;

fn main() {
    let source = corpus::synthetic_pack(50_000, 500);
    let pack = huashu::RulePack::from_toml("synthetic.toml", &source).expect("valid");
    for _ in 0..5 {
        let checker = pack.compile().expect("compiles");
        std::hint::black_box(checker);
    }
}
