"""Throughput of the Python package against the command line, on the same corpus, in the same
run:

    python python/bench/throughput.py CORPUS.jsonl [HUASHU_BIN]

Make a corpus with `cargo run --release --example gen_corpus -- 20M > corpus.jsonl`. The
corpus is also written as a turn-per-row CSV export and read into a turn-per-row Arrow table
(outside the timings), so that every path scores the same conversations. Prints seconds and
MB/s of the JSON Lines corpus for:

- the command line on the JSON Lines and on the CSV export, on every core and on one thread
  (JSON output to /dev/null);
- `Checker.check_many` on every core and on one thread (reports parsed into dicts);
- `huashu.score_arrow` on every core and on one thread (Arrow in, Arrow tables out);
- `Checker.check` in a loop.

Each figure is the best of three runs, taken in turns so that a busy moment of a shared
machine does not favour one path.
"""

import csv
import json
import os
import subprocess
import sys
import tempfile
import time

import pyarrow as pa

import huashu


def main():
    corpus = sys.argv[1]
    binary = sys.argv[2] if len(sys.argv) > 2 else "target/release/huashu"
    size = os.path.getsize(corpus) / 1e6
    with open(corpus, encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    rows = []
    for line in lines:
        record = json.loads(line)
        for turn in record["turns"]:
            rows.append(
                {
                    "id": record["id"],
                    "agent": record.get("agent"),
                    "channel": record.get("channel"),
                    "role": turn["role"],
                    "text": turn["text"],
                    "time": None if turn.get("time") is None else str(turn["time"]),
                }
            )
    table = pa.Table.from_pylist(rows)
    export = os.path.join(tempfile.mkdtemp(), "export.csv")
    with open(export, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    checker = huashu.Checker.builtin()
    cores = os.cpu_count() or 1

    def cli(path, threads):
        def run():
            with open(os.devnull, "wb") as out:
                subprocess.run(
                    [binary, "--no-config", "check", "--format", "json", "--threads",
                     str(threads), path],
                    stdout=out,
                    check=False,
                )
        return run

    def arrow(threads):
        return lambda: huashu.score_arrow(
            table, time="time", agent="agent", channel="channel", checker=checker,
            threads=threads,
        )

    paths = [
        (f"cli jsonl, {cores} threads", cli(corpus, cores)),
        ("cli jsonl, 1 thread", cli(corpus, 1)),
        (f"cli csv, {cores} threads", cli(export, cores)),
        ("cli csv, 1 thread", cli(export, 1)),
        (f"check_many, {cores} threads", lambda: checker.check_many(lines)),
        ("check_many, 1 thread", lambda: checker.check_many(lines, threads=1)),
        (f"score_arrow, {cores} threads", arrow(None)),
        ("score_arrow, 1 thread", arrow(1)),
    ]
    best = {name: float("inf") for name, _ in paths}
    for _ in range(3):
        for name, run in paths:
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    start = time.perf_counter()
    for line in lines:
        checker.check(line)
    best["check in a loop"] = time.perf_counter() - start

    print(f"{len(lines)} transcripts, {len(rows)} turns, {size:.1f} MB of JSON Lines")
    for name, seconds in best.items():
        print(f"{name:26} {seconds:7.2f} s  {size / seconds:6.1f} MB/s")


if __name__ == "__main__":
    main()
