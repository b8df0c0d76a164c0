"""The Arrow path reads what analysts' tools hand it as a CSV export would be read: pandas'
floats for integer columns with a blank, Polars' all-null columns, durations, timestamps
out of range; and `huashu.report` takes one result, a directory, or gives the page back."""

import json
import os
import re
import subprocess

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import huashu

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("HUASHU_BIN", os.path.join(ROOT, "target", "release", "huashu"))

TURNS = [
    # id, agent, role, text, seconds
    (1, 1024, "客服", "您好，我是1024号客服，很高兴为您服务", 0),
    (1, None, "客户", "我的快递还没到", 5),
    (1, 1024, "客服", "这个我不知道", 200),
    (2, 2048, "客服", "您好，请问有什么可以帮您", 0),
    (2, None, "客户", "谢谢，没事了", 30),
    (2, 2048, "客服", "不客气，再见", 40),
]


def cli_on_csv(tmp_path, frame):
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    out = subprocess.run(
        [BINARY, "--no-config", "check", "--format", "json", "--columns",
         "id=id,role=role,text=text,time=time,agent=agent", str(path)],
        capture_output=True,
        check=False,
    )
    return [json.loads(line) for line in out.stdout.decode().splitlines()]


def test_pandas_floats_of_whole_numbers_are_the_numbers_the_export_holds(tmp_path):
    # The export as a system writes it: whole numbers, blanks where there is no agent.
    frame = pd.DataFrame(TURNS, columns=["id", "agent", "role", "text", "time"]).astype(
        {"agent": "Int64"}
    )
    # Read back as pandas reads it: `agent` becomes float64.
    frame.to_csv(tmp_path / "in.csv", index=False)
    read = pd.read_csv(tmp_path / "in.csv")
    assert read["agent"].dtype == "float64"
    scores, _ = huashu.score_frame(read, time="time", agent="agent")
    assert list(scores["id"]) == ["1", "2"]
    assert list(scores["agent"]) == ["1024", "2048"]
    expected = cli_on_csv(tmp_path, frame)
    assert [(r["id"], r["agent"], r["score"]) for r in expected] == list(
        zip(scores["id"], scores["agent"], scores["score"])
    )


def test_a_polars_column_of_nulls_alone_is_read_as_empty():
    frame = pl.DataFrame(
        {
            "id": ["a", "a"],
            "role": ["客服", "客户"],
            "text": ["您好", "在吗"],
            "channel": [None, None],
            "unused": [None, None],
        }
    )
    assert frame.schema["channel"] == pl.Null
    scores, _ = huashu.score_frame(frame, channel="channel")
    assert scores["error"].to_list() == [None]
    transcripts, _ = huashu.score_arrow(frame)
    assert transcripts.column("error").to_pylist() == [None]


def test_durations_keep_their_unit_whatever_unit_bare_numbers_have():
    table = pa.table(
        {
            "id": ["c"] * 3,
            "role": ["客户", "客服", "客服"],
            "text": ["在吗", "您好，很高兴为您服务", "请问有什么可以帮您"],
            "time": pa.array([0, 5_000, 200_000], pa.duration("ms")),
        }
    )
    default, found = huashu.score_arrow(table, time="time")
    in_ms, found_ms = huashu.score_arrow(table, time="time", time_unit="ms")
    assert default.column("score").to_pylist() == in_ms.column("score").to_pylist()
    assert found.column("rule").to_pylist() == found_ms.column("rule").to_pylist()


def test_a_timestamp_out_of_range_fails_its_transcript_only():
    big = 2**62
    table = pa.table(
        {
            "id": ["ok", "ok", "bad", "bad"],
            "role": ["客服", "客户", "客服", "客户"],
            "text": ["您好", "在吗", "您好", "在吗"],
            "time": pa.array([0, 1, 0, big], pa.timestamp("s", tz="UTC")),
        }
    )
    transcripts, _ = huashu.score_arrow(table, time="time")
    rows = {r["id"]: r for r in transcripts.to_pylist()}
    assert rows["ok"]["error"] is None and rows["ok"]["score"] is not None
    assert "out of range" in rows["bad"]["error"]
    # Rows are counted from 0, as pandas and pyarrow count them.
    assert rows["bad"]["error"].startswith("row 3 (from 0):"), rows["bad"]["error"]


def test_report_takes_one_result_a_directory_or_gives_the_page_back(tmp_path):
    checker = huashu.Checker.builtin()
    one = checker.check({"id": "c1", "turns": [{"role": "agent", "text": "这个我不知道"}]}, turns=True)
    page = huashu.report(one)
    data = re.search(r'<script type="application/json" id="huashu-data">(.*?)</script>', page, re.S)
    assert json.loads(data.group(1))["totals"]["transcripts"] == 1
    assert huashu.report(json.dumps(one, ensure_ascii=False)).startswith("<!DOCTYPE html>")
    folder = tmp_path / "results"
    folder.mkdir()
    for day in ["05-01", "05-02"]:
        (folder / f"{day}.jsonl").write_text(json.dumps(one, ensure_ascii=False) + "\n", encoding="utf-8")
    out = huashu.report(folder, tmp_path / "r.html")
    assert os.path.getsize(out) > 100_000
    with pytest.raises(huashu.InputError, match="no results"):
        huashu.report([], tmp_path / "none.html")
    assert not (tmp_path / "none.html").exists()
    with pytest.raises(huashu.InputError, match="a transcript, not a result"):
        huashu.report({"id": "c1", "turns": [{"role": "agent", "text": "您好"}]})
