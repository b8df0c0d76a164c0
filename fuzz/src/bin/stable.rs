//! A fuzzing loop for machines without a nightly toolchain: the same targets as the libFuzzer
//! ones, fed seeds and random mutations of them (bytes flipped, inserted, deleted, repeated,
//! spliced from another seed) for a given time. No coverage guidance: it finds less than
//! libFuzzer, and is meant for a short run in CI.
//!
//! `stable TARGET SECONDS SEED_PATH…` (files, or directories read one level deep). A panic
//! writes the input to `artifacts/TARGET/crash-N` and exits 1. `stable seed TARGET OUT_DIR
//! SEED_PATH…` writes the seeds as the target reads them, as a corpus for libFuzzer.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use huashu::replies::LibraryFormat;
use huashu_fuzz::TARGETS;

/// Inputs longer than this are cut, as libFuzzer's `-max_len` does.
const MAX_LEN: usize = 64 * 1024;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Bytes worth inserting: syntax of every format read, and multi-byte characters.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"'",
    b"\\",
    b"\n",
    b"\r\n",
    b",",
    b"\t",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"=",
    b"#",
    b"- ",
    b"|",
    b"```",
    b"<!--",
    b"-->",
    b"\"\"\"",
    b"{any}",
    b"{number}",
    b"\\u",
    b"\0",
    "\u{feff}".as_bytes(),
    "你好".as_bytes(),
    "不知道".as_bytes(),
    "，".as_bytes(),
    "😀".as_bytes(),
    b"[[rule]]",
    b"phrases",
    b"turns",
    b"agent",
    b"huashu: allow ",
];

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, seeds: &[Vec<u8>]) {
    for _ in 0..1 + rng.below(4) {
        let len = input.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(len + 1);
                let token = TOKENS[rng.below(TOKENS.len())];
                input.splice(i..i, token.iter().copied());
            }
            2 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(16));
                input.drain(i..i + n);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(32));
                let piece: Vec<u8> = input[i..i + n].to_vec();
                let at = rng.below(len + 1);
                input.splice(at..at, piece);
            }
            4 if !seeds.is_empty() => {
                let other = &seeds[rng.below(seeds.len())];
                if !other.is_empty() {
                    let s = rng.below(other.len());
                    let n = 1 + rng.below((other.len() - s).min(256));
                    let at = rng.below(len + 1);
                    input.splice(at..at, other[s..s + n].iter().copied());
                }
            }
            5 if len > 0 => input.truncate(rng.below(len)),
            _ => {
                let i = rng.below(len + 1);
                input.insert(i, rng.next() as u8);
            }
        }
    }
    input.truncate(MAX_LEN);
}

/// Reads the seed files under `paths`. For the reply-library targets, whose first byte picks
/// the format, each file gets the byte of the format its extension names.
fn read_seeds(target: &str, paths: &[PathBuf]) -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    let by_format = matches!(target, "replies" | "fix");
    let mut add = |p: &Path| {
        let Ok(mut bytes) = std::fs::read(p) else {
            return;
        };
        if by_format {
            let Some(format) = LibraryFormat::from_path(p) else {
                return;
            };
            let index = LibraryFormat::ALL.iter().position(|f| *f == format);
            bytes.insert(0, index.unwrap_or(0) as u8);
        }
        bytes.truncate(MAX_LEN);
        seeds.push(bytes);
    };
    for path in paths {
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
                .unwrap_or_default();
            entries.sort();
            for e in entries.iter().filter(|e| e.is_file()) {
                add(e);
            }
        } else {
            add(path);
        }
    }
    seeds
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // `stable seed TARGET OUT_DIR SEED_PATH…`: writes the seeds as the target reads them, for
    // libFuzzer's corpus.
    if args.first().is_some_and(|a| a == "seed") && args.len() >= 3 {
        args.remove(0);
        let (target, out) = (args.remove(0), PathBuf::from(args.remove(0)));
        let paths: Vec<PathBuf> = args.iter().map(PathBuf::from).collect();
        if let Err(e) = std::fs::create_dir_all(&out) {
            eprintln!("cannot create {}: {e}", out.display());
            std::process::exit(2);
        }
        for (i, seed) in read_seeds(&target, &paths).iter().enumerate() {
            if let Err(e) = std::fs::write(out.join(format!("seed-{i}")), seed) {
                eprintln!("cannot write a seed: {e}");
                std::process::exit(2);
            }
        }
        return;
    }
    let (Some(name), Some(seconds)) = (args.first(), args.get(1)) else {
        eprintln!("usage: stable TARGET SECONDS SEED_PATH…");
        std::process::exit(2);
    };
    let Some(&(_, target)) = TARGETS.iter().find(|(n, _)| n == name) else {
        let names: Vec<&str> = TARGETS.iter().map(|(n, _)| *n).collect();
        eprintln!("no target `{name}`; the targets are {}", names.join(", "));
        std::process::exit(2);
    };
    let Ok(seconds) = seconds.parse::<u64>() else {
        eprintln!("`{seconds}` is not a number of seconds");
        std::process::exit(2);
    };
    let paths: Vec<PathBuf> = args[2..].iter().map(PathBuf::from).collect();
    let mut seeds = read_seeds(name, &paths);
    if seeds.is_empty() {
        seeds.push(Vec::new());
    }
    panic::set_hook(Box::new(|_| {}));
    let run = |input: &[u8]| panic::catch_unwind(AssertUnwindSafe(|| target(input)));
    let crash = |input: &[u8], n: usize| -> ! {
        let dir = Path::new("artifacts").join(name);
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join(format!("crash-{n}"));
        let _ = std::fs::write(&file, input);
        let _ = panic::take_hook();
        // Run it once more with the default hook, so that the panic message is shown.
        target(input);
        eprintln!("{name}: crashed; the input is in {}", file.display());
        std::process::exit(1);
    };
    let start = Instant::now();
    let mut executions = 0usize;
    for (i, seed) in seeds.iter().enumerate() {
        executions += 1;
        if run(seed).is_err() {
            crash(seed, i);
        }
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ std::process::id() as u64);
    let limit = Duration::from_secs(seconds);
    while start.elapsed() < limit {
        let mut input = seeds[rng.below(seeds.len())].clone();
        mutate(&mut rng, &mut input, &seeds);
        executions += 1;
        if run(&input).is_err() {
            crash(&input, executions);
        }
    }
    println!(
        "{name}: {executions} executions in {:.0} s from {} seeds, no crash",
        start.elapsed().as_secs_f64(),
        seeds.len()
    );
}
