//! Checking speed with the built-in pack: a whole realistic transcript, and one live message.
//!
//! Run with `cargo bench --bench check`. Throughput is reported in bytes of turn text.

#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use huashu::read::JsonLines;
use huashu::{Checker, Role, Transcript};

/// The bundled example transcripts: phone calls, chats and e-mails.
fn corpus() -> Vec<Transcript> {
    let mut transcripts = Vec::new();
    for file in ["phone-calls.jsonl", "chats.jsonl", "emails.jsonl"] {
        let path = format!("{}/examples/transcripts/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("the example transcripts exist");
        for record in JsonLines::new(text.as_bytes()) {
            let record = record.expect("in-memory reads do not fail");
            transcripts.push(record.transcript.expect("the examples are valid"));
        }
    }
    transcripts
}

fn text_bytes(transcript: &Transcript) -> u64 {
    transcript.turns.iter().map(|t| t.text.len() as u64).sum()
}

fn bench_check(c: &mut Criterion) {
    let checker = Checker::builtin().expect("the built-in pack compiles");
    let transcripts = corpus();
    let call = transcripts
        .iter()
        .find(|t| t.id == "call-0001")
        .expect("call-0001 is bundled");

    let mut group = c.benchmark_group("check");
    group.throughput(Throughput::Bytes(text_bytes(call)));
    group.bench_function("phone call (12 turns)", |b| {
        b.iter(|| checker.check(black_box(call)))
    });
    let total: u64 = transcripts.iter().map(text_bytes).sum();
    group.throughput(Throughput::Bytes(total));
    group.bench_function("all bundled transcripts", |b| {
        b.iter(|| {
            for t in &transcripts {
                black_box(checker.check(black_box(t)));
            }
        })
    });
    group.finish();

    let message = "这个我不知道，你找领导去呀！我又不是只为你一个人服务的，没事了吧，您挂电话吧。";
    let mut group = c.benchmark_group("check_message");
    group.throughput(Throughput::Bytes(message.len() as u64));
    group.bench_function("agent message with taboo phrases", |b| {
        b.iter(|| checker.check_message(Role::Agent, black_box(message)))
    });
    let clean = "好的，请您稍等，我帮您查询一下订单的物流信息，预计明天下午送达。";
    group.throughput(Throughput::Bytes(clean.len() as u64));
    group.bench_function("clean agent message", |b| {
        b.iter(|| checker.check_message(Role::Agent, black_box(clean)))
    });
    group.finish();
}

criterion_group!(benches, bench_check);
criterion_main!(benches);
