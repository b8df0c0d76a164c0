//! Speed, against the limit and against a naive baseline, on one shared corpus.
//!
//! For each text: the raw automaton scan of the same bytes (the limit: one leftmost-longest
//! Aho-Corasick automaton over the built-in pack's phrases, on the bytes as they are), a naive
//! baseline (what a user would write: OpenCC conversion, lower case, separators dropped into a
//! new string, then `str::matches` for every phrase of the pack), and huashu's own check. Then
//! the automata a matcher could be built on, side by side; a pack of 43 phrases, as a phrase
//! filter would be given them; pack compilation, a 50,000-phrase pack, live sessions against
//! checking once, and threads sharing one checker.
//!
//! `cargo bench --bench huashu`; throughput is in bytes of turn text.

#![allow(missing_docs)]

#[path = "support/corpus.rs"]
mod corpus;

use std::hint::black_box;
use std::time::{Duration, Instant};

use aho_corasick::{AhoCorasick, MatchKind};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use huashu::{Role, RulePack, Transcript};

/// Every literal phrase of a pack, as written.
fn phrases(pack: &RulePack) -> Vec<String> {
    pack.rules()
        .iter()
        .flat_map(|r| r.leaves())
        .flat_map(|l| l.phrases().iter())
        .filter(|p| !p.contains('{'))
        .cloned()
        .collect()
}

/// `count` summed over the turns' texts, each hidden from the optimizer.
fn over_turns(texts: &[&str], count: impl Fn(&str) -> usize) -> usize {
    texts.iter().map(|t| count(black_box(t))).sum()
}

/// daachorse's charwise automaton, finding every occurrence, as the matcher's is.
fn every_occurrence(phrases: &[String]) -> daachorse::CharwiseDoubleArrayAhoCorasick<u32> {
    daachorse::CharwiseDoubleArrayAhoCorasickBuilder::new()
        .match_kind(daachorse::MatchKind::Standard)
        .build(phrases)
        .expect("builds")
}

fn automaton(phrases: &[String]) -> AhoCorasick {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .prefilter(true)
        .build(phrases)
        .expect("builds")
}

/// What a user would write by hand.
struct Naive {
    phrases: Vec<String>,
}

impl Naive {
    fn new(phrases: &[String]) -> Naive {
        Naive {
            phrases: phrases.iter().map(|p| Naive::normalize(p)).collect(),
        }
    }

    fn normalize(text: &str) -> String {
        hanconv::t2s(text)
            .to_lowercase()
            .chars()
            .map(|c| match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                c => c,
            })
            .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '~' | '·' | '-' | '_'))
            .collect()
    }

    fn hits(&self, text: &str) -> usize {
        let text = Naive::normalize(text);
        self.phrases
            .iter()
            .map(|p| text.matches(p.as_str()).count())
            .sum()
    }
}

fn bytes(t: &Transcript) -> u64 {
    t.turns.iter().map(|turn| turn.text.len() as u64).sum()
}

fn bench(c: &mut Criterion) {
    let pack = RulePack::builtin().expect("the built-in pack loads");
    let checker = pack.compile().expect("compiles");
    let phrases = phrases(&pack);
    let raw = automaton(&phrases);
    let naive = Naive::new(&phrases);

    // A single live message.
    let message = corpus::SHORT_MESSAGE;
    let mut group = c.benchmark_group("message");
    group.throughput(Throughput::Bytes(message.len() as u64));
    group.bench_function("raw automaton", |b| {
        b.iter(|| raw.find_iter(black_box(message)).count())
    });
    group.bench_function("naive baseline", |b| {
        b.iter(|| naive.hits(black_box(message)))
    });
    group.bench_function("huashu check_message", |b| {
        b.iter(|| checker.check_message(Role::Agent, black_box(message)))
    });
    group.finish();

    // The paths that must stay cheap: a clean live message, which no phrase hits and the
    // context model never sees, and one whose candidate hit the context model judges.
    let mut group = c.benchmark_group("paths");
    for (name, text) in [
        (
            "clean message",
            "您好，很高兴为您服务，请问有什么可以帮您？我这边马上帮您查询一下物流信息。",
        ),
        (
            "message with a candidate",
            "亲 这个具体哪天到我们这边也不清楚的呢 您过两天再来问问吧",
        ),
    ] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| checker.check_message(Role::Agent, black_box(text)))
        });
    }
    group.finish();

    // Whole transcripts.
    for (name, transcript) in [
        ("long call", corpus::long_call()),
        ("mixed zh-en chat", corpus::mixed_chat()),
    ] {
        let texts: Vec<&str> = transcript.turns.iter().map(|t| t.text.as_str()).collect();
        let mut group = c.benchmark_group(format!("transcript/{name}"));
        group.throughput(Throughput::Bytes(bytes(&transcript)));
        group.bench_function("raw automaton", |b| {
            b.iter(|| over_turns(&texts, |t| raw.find_iter(t).count()))
        });
        group.bench_function("naive baseline", |b| {
            b.iter(|| over_turns(&texts, |t| naive.hits(t)))
        });
        group.bench_function("huashu check", |b| {
            b.iter(|| checker.check(black_box(&transcript)))
        });
        group.finish();
    }

    // A pack of only the 43 phrases of `benches/e2e/phrases.txt`, as a phrase filter would be
    // given them: few enough literals for the table automaton, which the normalizer steps as
    // it goes and which lets a turn with no phrase in it go unnormalized. The same long call
    // and messages, against the raw automaton and daachorse over the same 43 phrases.
    {
        let small =
            RulePack::from_toml("benches/e2e/phrases.toml", include_str!("e2e/phrases.toml"))
                .expect("valid");
        let small_checker = small.compile().expect("compiles");
        let mut listed = crate::phrases(&small);
        listed.sort_unstable();
        listed.dedup();
        let small_raw = automaton(&listed);
        let small_daachorse = every_occurrence(&listed);
        let call = corpus::long_call();
        let texts: Vec<&str> = call.turns.iter().map(|t| t.text.as_str()).collect();
        let mut group = c.benchmark_group("43 phrases/long call");
        group.throughput(Throughput::Bytes(bytes(&call)));
        group.bench_function("raw automaton", |b| {
            b.iter(|| over_turns(&texts, |t| small_raw.find_iter(t).count()))
        });
        group.bench_function("overlapping: daachorse charwise", |b| {
            b.iter(|| over_turns(&texts, |t| small_daachorse.find_overlapping_iter(t).count()))
        });
        group.bench_function("huashu check", |b| {
            b.iter(|| small_checker.check(black_box(&call)))
        });
        group.finish();
        let mut group = c.benchmark_group("43 phrases/message");
        for (name, text) in [
            (
                "clean",
                "您好，很高兴为您服务，请问有什么可以帮您？我这边马上帮您查询一下物流信息。",
            ),
            ("with a phrase", "这个我真的不知道，您再等等吧"),
        ] {
            group.throughput(Throughput::Bytes(text.len() as u64));
            group.bench_function(format!("{name}: raw automaton"), |b| {
                b.iter(|| small_raw.find_iter(black_box(text)).count())
            });
            group.bench_function(format!("{name}: huashu check_message"), |b| {
                b.iter(|| small_checker.check_message(Role::Agent, black_box(text)))
            });
        }
        group.finish();
    }

    // The automata a matcher could be built on, side by side: the built-in pack's phrases over
    // the long call's turns, every occurrence (overlapping, what the matcher needs) and
    // leftmost-longest. The matcher uses daachorse's charwise automaton, overlapping (a
    // Chinese character is one step, not three).
    {
        let call = corpus::long_call();
        let texts: Vec<&str> = call.turns.iter().map(|t| t.text.as_str()).collect();
        let mut sorted = phrases.clone();
        sorted.sort_unstable();
        sorted.dedup();
        let charwise: daachorse::CharwiseDoubleArrayAhoCorasick<u32> =
            daachorse::CharwiseDoubleArrayAhoCorasickBuilder::new()
                .match_kind(daachorse::MatchKind::LeftmostLongest)
                .build(&sorted)
                .expect("builds");
        let charwise_all = every_occurrence(&sorted);
        let dfa_all = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&sorted)
            .expect("builds");
        let bytewise: daachorse::DoubleArrayAhoCorasick<u32> =
            daachorse::DoubleArrayAhoCorasickBuilder::new()
                .match_kind(daachorse::MatchKind::LeftmostLongest)
                .build(&sorted)
                .expect("builds");
        let ac = |kind: aho_corasick::AhoCorasickKind, prefilter: bool| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(kind))
                .prefilter(prefilter)
                .build(&sorted)
                .expect("builds")
        };
        let mut group = c.benchmark_group("automata");
        group.throughput(Throughput::Bytes(bytes(&call)));
        group.bench_function("overlapping: daachorse charwise", |b| {
            b.iter(|| over_turns(&texts, |t| charwise_all.find_overlapping_iter(t).count()))
        });
        group.bench_function("overlapping: aho-corasick DFA", |b| {
            b.iter(|| over_turns(&texts, |t| dfa_all.find_overlapping_iter(t).count()))
        });
        group.bench_function("daachorse charwise", |b| {
            b.iter(|| over_turns(&texts, |t| charwise.leftmost_find_iter(t).count()))
        });
        group.bench_function("daachorse bytewise", |b| {
            b.iter(|| over_turns(&texts, |t| bytewise.leftmost_find_iter(t).count()))
        });
        for (name, automaton) in [
            (
                "aho-corasick DFA",
                ac(aho_corasick::AhoCorasickKind::DFA, true),
            ),
            (
                "aho-corasick DFA, no prefilter",
                ac(aho_corasick::AhoCorasickKind::DFA, false),
            ),
            (
                "aho-corasick contiguous NFA",
                ac(aho_corasick::AhoCorasickKind::ContiguousNFA, true),
            ),
        ] {
            group.bench_function(name, |b| {
                b.iter(|| over_turns(&texts, |t| automaton.find_iter(t).count()))
            });
        }
        group.finish();
    }

    // Compiling packs.
    let synthetic = corpus::synthetic_pack(50_000, 500);
    let big = RulePack::from_toml("synthetic.toml", &synthetic).expect("valid");
    let mut group = c.benchmark_group("compile");
    group.sample_size(10);
    // Freeing what was built is not part of building it.
    let big_phrases = phrases_of(&big);
    group.bench_function("built-in pack: load and compile", |b| {
        b.iter_with_large_drop(|| RulePack::builtin().and_then(|p| p.compile()))
    });
    // As the command line loads its pack: the rules read and compiled, and the checker's
    // matchers built, side by side on rayon's pool.
    group.bench_function("built-in pack: load and compile, in parallel", |b| {
        b.iter_with_large_drop(|| {
            RulePack::compile_in_parallel(|| RulePack::builtin().and_then(|p| p.compile()))
        })
    });
    group.bench_function("built-in pack: compile", |b| {
        b.iter_with_large_drop(|| pack.compile())
    });
    group.bench_function("50k phrases: raw automaton build", |b| {
        b.iter_with_large_drop(|| automaton(black_box(&big_phrases)))
    });
    group.bench_function("50k phrases: compile", |b| {
        b.iter_with_large_drop(|| big.compile())
    });
    group.bench_function("50k phrases: load and compile", |b| {
        b.iter_with_large_drop(|| {
            RulePack::from_toml("synthetic.toml", &synthetic).and_then(|p| p.compile())
        })
    });
    group.finish();

    // Checking with 50,000 phrases.
    let big_checker = big.compile().expect("compiles");
    let big_raw = automaton(&big_phrases);
    let call = corpus::long_call();
    let text = corpus::text_of(&call);
    let mut group = c.benchmark_group("50k phrases");
    group.throughput(Throughput::Bytes(bytes(&call)));
    group.bench_function("raw automaton", |b| {
        b.iter(|| big_raw.find_iter(black_box(text.as_str())).count())
    });
    group.bench_function("huashu check", |b| {
        b.iter(|| big_checker.check(black_box(&call)))
    });
    group.finish();

    // A live chat against a batch check of the same chat, in the same run: every turn of the
    // long call pushed into a session (each push judges what the turn concerns), and the
    // same with the report at the end.
    let call = corpus::long_call();
    let mut group = c.benchmark_group("session");
    group.throughput(Throughput::Bytes(bytes(&call)));
    group.bench_function("check the whole call", |b| {
        b.iter(|| checker.check(black_box(&call)))
    });
    // The turns are copied for each round outside the timed part: a live backend owns the
    // turns it receives, so copying them is no cost of a push.
    group.bench_function("push every turn", |b| {
        b.iter_batched(
            || call.turns.clone(),
            |turns| {
                let mut session = checker.session("live", call.channel);
                for turn in turns {
                    black_box(session.push(turn));
                }
                // Dropped inside the timed part, as `check`'s report is.
                drop(session);
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("push every turn, then finish", |b| {
        b.iter_batched(
            || call.turns.clone(),
            |turns| {
                let mut session = checker.session("live", call.channel);
                for turn in turns {
                    black_box(session.push(turn));
                }
                drop(black_box(session.finish()));
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();

    // Threads sharing one checker: each thread checks the same messages.
    let mut group = c.benchmark_group("threads");
    let per_thread = 20_000u64;
    for threads in [1usize, 2] {
        group.throughput(Throughput::Bytes(
            message.len() as u64 * per_thread * threads as u64,
        ));
        group.bench_function(format!("check_message × {threads} threads"), |b| {
            b.iter_custom(|iters| {
                shared(threads, || {
                    for _ in 0..iters * per_thread {
                        black_box(checker.check_message(Role::Agent, black_box(message)));
                    }
                })
            })
        });
    }
    // A live chat: every turn of the long call pushed into a session, on each thread.
    let call = corpus::long_call();
    for threads in [1usize, 2] {
        group.throughput(Throughput::Bytes(bytes(&call) * threads as u64));
        group.bench_function(format!("session push × {threads} threads"), |b| {
            b.iter_custom(|iters| {
                shared(threads, || {
                    for _ in 0..iters {
                        let mut session = checker.session("live", call.channel);
                        for turn in &call.turns {
                            black_box(session.push(turn.clone()));
                        }
                    }
                })
            })
        });
    }
    group.finish();
}

fn phrases_of(pack: &RulePack) -> Vec<String> {
    phrases(pack)
}

/// Runs `work` on each of `threads` threads at once; the time until all are done.
fn shared(threads: usize, work: impl Fn() + Sync) -> Duration {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(&work);
        }
    });
    start.elapsed()
}

criterion_group!(benches, bench);
criterion_main!(benches);
