//! Writes a large, realistic JSON Lines corpus of calls and chats to standard output, for
//! measuring batch scoring end to end:
//!
//! ```text
//! cargo run --release --example gen_corpus -- 1G > big.jsonl
//! huashu check big.jsonl --format json --summary > scores.jsonl
//! ```
//!
//! The size takes a K, M or G suffix (powers of 1024). The output is the same for the same
//! size and seed (`gen_corpus 1G 7`): calls and chats of 6–60 turns from the benchmarks'
//! corpus, with times, fifty agents, and now and then a forbidden phrase or a mobile number.
//! A third argument spreads the conversations over that many days from 2024-05-01, with
//! timestamps for times (`gen_corpus 20M 1 30`), as a month of a contact centre's work.

#[path = "../benches/support/corpus.rs"]
mod corpus;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use corpus::Rng;
use huashu::Channel;
use serde_json::json;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(size) = args.next().as_deref().and_then(parse_size) else {
        eprintln!("usage: gen_corpus SIZE [SEED [DAYS]]   (SIZE such as 200M or 1G)");
        return ExitCode::from(2);
    };
    let seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let days = args.next().and_then(|s| s.parse().ok());
    match generate(size, seed, days, &mut BufWriter::new(io::stdout().lock())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, ""),
    };
    let n: u64 = digits.parse().ok()?;
    let scale = match unit.to_ascii_uppercase().trim_end_matches('B') {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(scale)
}

/// Agent turns that break the standard, mixed in now and then.
const SLIPS: &[&str] = &[
    "这个我不知道，你问别人吧。",
    "我已经说过了，你怎么还不明白？",
    "您的手机号是13812345678对吧？",
    "没办法，这是公司规定。",
    "你找领导去呀！",
];

fn generate(size: u64, seed: u64, days: Option<u64>, out: &mut impl Write) -> io::Result<()> {
    let mut rng = Rng::new(seed);
    // Conversations take the days in turn, each at a time from 08:00 to 20:00 in Beijing.
    let first: jiff::Timestamp = "2024-05-01T00:00:00Z".parse().unwrap_or_default();
    let mut written = 0u64;
    let mut n = 0u64;
    let mut line = Vec::new();
    while written < size {
        n += 1;
        let turns = 6 + rng.below(55);
        let mut transcript = corpus::call(&mut rng, &format!("t{n:09}"), turns);
        if rng.below(3) == 0 {
            transcript.channel = Some(Channel::Chat);
        }
        let slip = rng.below(4) == 0;
        let start = days.map(|days| {
            let day = (n - 1) % days.max(1);
            first
                .checked_add(jiff::SignedDuration::from_secs(
                    (day * 86_400 + rng.below(12 * 3600) as u64) as i64,
                ))
                .unwrap_or(first)
        });
        let turns: Vec<serde_json::Value> = transcript
            .turns
            .iter()
            .enumerate()
            .map(|(i, turn)| {
                let text = if slip && i == 4 {
                    rng.pick(SLIPS)
                } else {
                    turn.text.as_str()
                };
                let time = match (start, turn.time) {
                    (Some(start), Some(t)) => json!(
                        start
                            .checked_add(jiff::SignedDuration::from_secs_f64(t))
                            .unwrap_or(start)
                            .to_string()
                    ),
                    (_, time) => json!(time),
                };
                json!({"role": turn.role.as_str(), "text": text, "time": time})
            })
            .collect();
        let record = json!({
            "id": transcript.id,
            "channel": transcript.channel.map(Channel::as_str),
            "agent": transcript.agent,
            "turns": turns,
        });
        line.clear();
        serde_json::to_writer(&mut line, &record)?;
        line.push(b'\n');
        out.write_all(&line)?;
        written += line.len() as u64;
    }
    out.flush()?;
    eprintln!("{n} transcripts, {written} bytes");
    Ok(())
}
