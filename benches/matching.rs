//! Matching speed: the raw automaton scan over the bytes as they are (the limit), against
//! normalizing first and then scanning, and against huashu's whole check of one message, on the
//! same bytes in the same run.
//!
//! Run with `cargo bench --bench matching`.

#![allow(missing_docs)]

use std::hint::black_box;

use aho_corasick::{AhoCorasick, MatchKind};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use huashu::{Role, RulePack};

/// The texts: a short chat message, a long call (one agent turn per line, joined), and a
/// mixed Chinese/English chat with full-width forms and traditional characters.
fn corpus() -> Vec<(&'static str, String)> {
    let short = "好的，请您稍等，我帮您查询一下订单的物流信息，预计明天下午送达。".to_string();
    let call = include_str!("../examples/transcripts/phone-calls.jsonl")
        .lines()
        .filter_map(|l| huashu::read::parse_json_record(l, 1).ok())
        .flat_map(|t| t.turns.into_iter().map(|turn| turn.text))
        .collect::<Vec<_>>()
        .join("\n")
        .repeat(8);
    let mixed =
        "Hi 您好～我是客服Lina，您的order #A1024 已經發貨啦😀 tracking number 是 SF1234567890，\
                 請您留意簡訊通知，有任何問題隨時找我哦！ＯＫ？"
            .repeat(4);
    vec![
        ("short chat message", short),
        ("long call", call),
        ("mixed zh/en chat", mixed),
    ]
}

fn bench_matching(c: &mut Criterion) {
    let pack = RulePack::builtin().expect("the built-in pack loads");
    let checker = pack.compile().expect("compiles");
    let normalization = pack.normalization();
    // The limit: one leftmost-longest automaton over the pack's literal phrases, as written.
    let phrases: Vec<String> = pack
        .rules()
        .iter()
        .flat_map(|r| r.phrases().iter().filter(|p| !p.contains('{')).cloned())
        .collect();
    let raw = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .prefilter(true)
        .build(&phrases)
        .expect("builds");
    let normalized_phrases: Vec<String> = phrases.iter().map(|p| normalization.apply(p)).collect();
    let normalized = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .prefilter(true)
        .build(&normalized_phrases)
        .expect("builds");

    for (name, text) in corpus() {
        let mut group = c.benchmark_group(format!("scan/{name}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("raw automaton", |b| {
            b.iter(|| raw.find_iter(black_box(text.as_str())).count())
        });
        group.bench_function("normalize then automaton", |b| {
            b.iter(|| {
                let folded = normalization.apply(black_box(&text));
                normalized.find_iter(folded.as_str()).count()
            })
        });
        group.bench_function("normalize only", |b| {
            b.iter(|| normalization.apply(black_box(&text)).len())
        });
        group.bench_function("huashu check_message", |b| {
            b.iter(|| checker.check_message(Role::Agent, black_box(&text)).len())
        });
        group.finish();
    }
}

criterion_group!(benches, bench_matching);
criterion_main!(benches);
