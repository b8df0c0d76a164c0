"""The same input gives the same scores and findings through every way in: the command line
(JSON Lines and a CSV export of the same turns), the Rust library (`examples/score.rs`), the
Python checker, the Arrow path, and Spark (`huashu.spark`, on a local session), with the
built-in pack and with a custom pack shipped to the executors as text.

The corpus is a few thousand generated calls and chats (`examples/gen_corpus.rs`), plus
records that cannot be read and transcripts too short to score."""

import csv
import json
import os
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import huashu

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("HUASHU_BIN", os.path.join(ROOT, "target", "release", "huashu"))
EXAMPLES = os.environ.get(
    "HUASHU_EXAMPLES", os.path.join(ROOT, "target", "release", "examples")
)
PACK = os.path.join(ROOT, "examples", "packs", "acme.toml")

# Records the generator never writes: a role no one knows, a transcript with nothing to
# score, clock times, and text that CSV must quote.
ODD = [
    {"id": "odd-bad-role", "turns": [{"role": "主管", "text": "你好"}]},
    {"id": "odd-short", "channel": "chat", "turns": [{"role": "agent", "text": "不知道"}]},
    {
        "id": "odd-clock",
        "channel": "phone",
        "agent": "7",
        "turns": [
            {"role": "customer", "text": "喂，在吗", "time": "00:00:01"},
            {"role": "agent", "text": "您好，\"蚁集\"客服，很高兴为您服务，有什么可以帮您？", "time": "00:00:40"},
            {"role": "customer", "text": "我的快递,\n三天了还没到", "time": "00:01:02"},
            {"role": "agent", "text": "这个我不清楚，你自己去问快递吧", "time": "00:01:30"},
        ],
    },
]


def run(args):
    out = subprocess.run(args, capture_output=True, check=False)
    # 2: some record could not be read (the corpus has one on purpose).
    assert out.returncode in (0, 1, 2) and out.stdout, out.stderr.decode("utf-8", "replace")
    return [json.loads(line) for line in out.stdout.decode("utf-8").splitlines()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The corpus as JSON Lines, and the same turns as a CSV export and a Parquet file."""
    folder = tmp_path_factory.mktemp("corpus")
    generator = os.path.join(EXAMPLES, "gen_corpus")
    assert os.path.exists(generator), f"build the examples first: {generator} is missing"
    generated = subprocess.run([generator, "8M", "3"], capture_output=True, check=True)
    lines = generated.stdout.decode("utf-8").splitlines()
    lines += [json.dumps(r, ensure_ascii=False) for r in ODD]
    jsonl = folder / "corpus.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = []
    for line in lines:
        record = json.loads(line)
        for n, turn in enumerate(record["turns"]):
            rows.append(
                {
                    "id": record["id"],
                    "agent": record.get("agent"),
                    "channel": record.get("channel"),
                    "seq": n,
                    "role": turn["role"],
                    "text": turn["text"],
                    "time": None if turn.get("time") is None else str(turn["time"]),
                }
            )
    export = folder / "export.csv"
    with open(export, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["id", "agent", "channel", "role", "text", "time"])
        writer.writeheader()
        for row in rows:
            writer.writerow({k: v for k, v in row.items() if k != "seq"})
    table = pa.Table.from_pylist(rows)
    parquet = folder / "turns.parquet"
    # Small row groups: Spark reads several batches per partition, so conversations
    # straddle batch boundaries.
    pq.write_table(table, parquet, row_group_size=3000)
    return {"jsonl": str(jsonl), "csv": str(export), "parquet": str(parquet), "table": table,
            "lines": lines}


def normal_finding(f, detail=None):
    if detail is None:
        detail = (f.get("evidence") or {}).get("detail")
    return (
        f["rule"], f["severity"], f["deduct"], f["turn"], f["start"], f["end"], f["text"],
        f["message"], f["suggest"], f["source"], detail,
    )


def from_reports(reports):
    """id → what every way in must agree on."""
    out = {}
    for r in reports:
        if "error" in r:
            continue
        out[r["id"]] = (
            r["score"],
            r["passed"],
            r["not_scored"],
            tuple((d["name"], d["subtotal"]) for d in r["dimensions"]),
            tuple(normal_finding(f) for f in r["findings"]),
        )
    return out


def from_nested_rows(rows):
    out = {}
    for r in rows:
        if r["error"] is not None:
            continue
        out[r["id"]] = (
            r["score"],
            r["passed"],
            r["not_scored"],
            tuple((d["name"], d["subtotal"]) for d in r["dimensions"]),
            tuple(normal_finding(f, f["detail"]) for f in r["findings"]),
        )
    return out


def from_flat_tables(transcripts, findings, dimensions):
    by_id = {}
    for f in findings.to_pylist():
        by_id.setdefault(f["id"], []).append(normal_finding(f, f["detail"]))
    out = {}
    for r in transcripts.to_pylist():
        if r["error"] is not None:
            continue
        out[r["id"]] = (
            r["score"],
            r["passed"],
            r["not_scored"],
            tuple((d, r[d]) for d in dimensions if r[d] is not None),
            tuple(by_id.get(r["id"], [])),
        )
    return out


@pytest.fixture(scope="module")
def expected(corpus):
    reports = run([BINARY, "--no-config", "check", "--format", "json", corpus["jsonl"]])
    errors = [r for r in reports if "error" in r]
    assert [r["line"] for r in errors] == [len(corpus["lines"]) - 2], errors
    assert len(reports) > 2000
    return from_reports(reports)


@pytest.fixture(scope="module")
def spark():
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("huashu-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "3")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_the_corpus_has_what_the_comparison_needs(expected):
    scored = [v for v in expected.values() if v[0] is not None]
    assert len(scored) > 2000
    assert any(v[2] is not None for v in expected.values()), "a transcript not scored"
    assert sum(len(v[4]) for v in expected.values()) > 5000
    assert len({f[0] for v in expected.values() for f in v[4]}) > 20, "many rules fire"


def test_the_command_line_scores_the_csv_export_as_it_scores_json_lines(corpus, expected):
    reports = run([BINARY, "--no-config", "check", "--format", "json", corpus["csv"]])
    errors = [r for r in reports if "error" in r]
    assert len(errors) == 1 and "unknown role `主管`" in errors[0]["error"]
    assert from_reports(reports) == expected


def test_the_rust_library_gives_the_command_lines_numbers(corpus, expected):
    reports = run([os.path.join(EXAMPLES, "score"), corpus["jsonl"]])
    assert from_reports(reports) == expected


def test_python_gives_the_command_lines_numbers(corpus, expected):
    checker = huashu.Checker.builtin()
    assert from_reports(checker.check_many(corpus["lines"])) == expected


def test_the_arrow_path_gives_the_command_lines_numbers(corpus, expected):
    checker = huashu.Checker.builtin()
    dimensions = [d["name"] for d in next(iter(checker.check_many(corpus["lines"][:1])))["dimensions"]]
    transcripts, findings = huashu.score_arrow(
        corpus["table"], time="time", agent="agent", channel="channel", checker=checker
    )
    assert isinstance(transcripts, pa.Table) and isinstance(findings, pa.Table)
    assert from_flat_tables(transcripts, findings, dimensions) == expected
    error = transcripts.filter(pa.compute.field("id") == "odd-bad-role")["error"][0].as_py()
    assert "unknown role `主管`" in error
    # One batch at a time, as a stream: the same.
    reader = pa.RecordBatchReader.from_batches(
        corpus["table"].schema, corpus["table"].to_batches(max_chunksize=777)
    )
    streamed, streamed_findings = huashu.score_arrow(
        reader, time="time", agent="agent", channel="channel", threads=1
    )
    assert streamed.equals(transcripts) and streamed_findings.equals(findings)


def test_spark_gives_the_command_lines_numbers(corpus, expected, spark):
    from huashu import spark as hs

    turns = spark.read.parquet(corpus["parquet"])
    results = hs.score(
        turns, time="time", agent="agent", channel="channel", order="seq", partitions=3
    )
    assert results.schema.simpleString() == spark.createDataFrame([], hs.SCHEMA).schema.simpleString()
    rows = [r.asDict(recursive=True) for r in results.collect()]
    assert len(rows) == len(expected) + 1
    errors = [r for r in rows if r["error"] is not None]
    assert [r["id"] for r in errors] == ["odd-bad-role"]
    assert "unknown role `主管`" in errors[0]["error"]
    assert from_nested_rows(rows) == expected


def test_spark_ships_a_custom_pack_as_text(corpus, spark):
    from pyspark.sql import functions as F

    from huashu import spark as hs

    lines = corpus["lines"][:300]
    subset = os.path.join(os.path.dirname(corpus["jsonl"]), "subset.jsonl")
    with open(subset, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    want = from_reports(
        run([BINARY, "--no-config", "check", "--format", "json", "--rules", PACK, subset])
    )
    ids = [json.loads(line)["id"] for line in lines]
    turns = spark.read.parquet(corpus["parquet"]).where(F.col("id").isin(ids))
    results = hs.score(
        turns, time="time", agent="agent", channel="channel", order="seq", packs=[PACK]
    )
    got = from_nested_rows([r.asDict(recursive=True) for r in results.collect()])
    assert got == want
    assert got != from_nested_rows(
        [
            r.asDict(recursive=True)
            for r in hs.score(
                turns, time="time", agent="agent", channel="channel", order="seq"
            ).collect()
        ]
    ), "the custom pack changes some result"


def test_a_pack_that_cannot_be_used_fails_on_the_driver_with_its_location(spark, tmp_path):
    from huashu import spark as hs

    bad = tmp_path / "bad.toml"
    bad.write_text('[pack]\nname = "bad"\nextends = "zh-CN"\n\n[[rule]]\nid = 3\n', encoding="utf-8")
    turns = spark.createDataFrame([("a", "agent", "您好")], "id string, role string, text string")
    with pytest.raises(huashu.PackError, match=r"bad\.toml:\d+:\d+"):
        hs.score(turns, packs=[str(bad)])


def test_spark_groups_ids_as_the_engine_does_across_batches(spark):
    """Ids that differ only by spaces are one conversation, NaN ids make no crash, and a
    conversation split over many small Arrow batches is scored whole: the same as the Arrow
    path on the same rows."""
    from huashu import spark as hs

    rows = [
        ("w1", 0, "客服", "您好，我是1024号客服，很高兴为您服务"),
        (" w1", 1, "客户", "我的快递三天了还没到"),
        ("w1 ", 2, "客服", "这个我不知道"),
        ("w2", 0, "客服", "您好"),
        ("w2", 1, "客户", "谢谢"),
        ("w2", 2, "客服", "不客气，再见"),
    ]
    table = pa.Table.from_pylist(
        [{"id": i, "seq": s, "role": r, "text": t} for i, s, r, t in rows]
    )
    want, _ = huashu.score_arrow(table)
    want = {r["id"]: (r["score"], r["turns"]) for r in want.to_pylist()}
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "2")
    try:
        turns = spark.createDataFrame(rows, "id string, seq int, role string, text string")
        got = hs.score(turns, order="seq", partitions=1).collect()
        assert {r["id"]: (r["score"], r["turns"]) for r in got} == want
        assert want["w1"][1] == 3
        nan = spark.createDataFrame(
            [(float("nan"), 0, "客服", "您好"), (float("nan"), 1, "客户", "在吗"), (1.0, 0, "客服", "您好")],
            "id double, seq int, role string, text string",
        )
        got = hs.score(nan, order="seq", partitions=1).collect()
        assert sorted((r["id"], r["turns"]) for r in got) == [("1", 1), ("NaN", 2)]
    finally:
        spark.conf.unset("spark.sql.execution.arrow.maxRecordsPerBatch")


def test_a_pack_that_extends_a_file_is_refused_on_the_driver(tmp_path):
    from huashu import spark as hs

    (tmp_path / "base.toml").write_text('[pack]\nname = "base"\nextends = "zh-CN"\n', encoding="utf-8")
    pack = tmp_path / "acme.toml"
    pack.write_text('[pack]\nname = "acme"\nextends = "base.toml"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="extend only a built-in pack"):
        hs.pack_texts([pack])
