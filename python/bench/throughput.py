"""Throughput of the Python package against the command line, on the same corpus, in the same
run: `python python/bench/throughput.py CORPUS.jsonl [HUASHU_BIN]`. Make a corpus with
`cargo run --release --example gen_corpus -- 50M > corpus.jsonl`. Prints MB/s for the CLI
(JSON output to /dev/null), `Checker.check_many` on every core and on one thread, and
`Checker.check` in a loop."""

import json
import os
import subprocess
import sys
import time

import huashu


def best(f, runs=3):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    corpus = sys.argv[1]
    binary = sys.argv[2] if len(sys.argv) > 2 else "target/release/huashu"
    size = os.path.getsize(corpus) / 1e6
    with open(corpus, encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    checker = huashu.Checker.builtin()

    def cli(threads):
        with open(os.devnull, "wb") as out:
            subprocess.run(
                [binary, "--no-config", "check", "--format", "json", "--threads", str(threads), corpus],
                stdout=out,
                check=False,
            )

    rows = [
        ("cli, every core", best(lambda: cli(os.cpu_count()))),
        ("cli, 1 thread", best(lambda: cli(1))),
        ("check_many, every core", best(lambda: checker.check_many(lines))),
        ("check_many, 1 thread", best(lambda: checker.check_many(lines, threads=1))),
        ("check in a loop", best(lambda: [checker.check(line) for line in lines], runs=1)),
    ]
    print(f"{len(lines)} transcripts, {size:.1f} MB")
    for name, seconds in rows:
        print(f"{name:24} {seconds:7.2f} s  {size / seconds:6.1f} MB/s")


if __name__ == "__main__":
    main()
