"""`score_frame` scores turn-per-row pandas and Polars frames, as a CSV export of the same rows
is scored by the command line."""

import csv
import json
import os
import subprocess

import pandas as pd
import polars as pl

import huashu

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXPORT = os.path.join(ROOT, "examples", "exports", "chat-export.csv")
BINARY = os.environ.get("HUASHU_BIN", os.path.join(ROOT, "target", "release", "huashu"))


def cli_reports():
    out = subprocess.run(
        [BINARY, "--no-config", "check", "--format", "json", EXPORT],
        capture_output=True,
        check=False,
    )
    assert out.returncode in (0, 1), out.stderr
    return {r["id"]: r for r in map(json.loads, out.stdout.decode("utf-8").splitlines())}


def test_a_pandas_frame_scores_as_the_command_line_scores_the_export():
    frame = pd.read_csv(EXPORT, encoding="utf-8-sig", dtype=str)
    scores, findings = huashu.score_frame(
        frame, id="会话ID", role="角色", text="内容", time="发送时间"
    )
    expected = cli_reports()
    assert list(scores["id"]) == list(expected)
    for _, row in scores.iterrows():
        report = expected[row["id"]]
        assert row["score"] == report["score"]
        assert bool(row["passed"]) == report["passed"]
        assert row["findings"] == len(report["findings"])
        for d in report["dimensions"]:
            assert row[d["name"]] == d["subtotal"]
    got = sorted(zip(findings["id"], findings["rule"], findings["deduct"]))
    want = sorted(
        (r["id"], f["rule"], f["deduct"]) for r in expected.values() for f in r["findings"]
    )
    assert got == want
    assert list(findings.columns) == huashu.FINDING_COLUMNS


def test_a_polars_frame_gives_polars_frames():
    with open(EXPORT, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    frame = pl.DataFrame(rows)
    scores, findings = huashu.score_frame(
        frame, id="会话ID", role="角色", text="内容", time="发送时间"
    )
    assert isinstance(scores, pl.DataFrame) and isinstance(findings, pl.DataFrame)
    expected = cli_reports()
    assert dict(zip(scores["id"].to_list(), scores["score"].to_list())) == {
        k: r["score"] for k, r in expected.items()
    }


def test_a_bad_row_is_an_error_in_its_transcripts_row():
    frame = pd.DataFrame(
        {"id": ["a", "a", "b"], "role": ["客服", "客户", "主管"], "text": ["您好", "在吗", "x"]}
    )
    scores, _ = huashu.score_frame(frame)
    assert scores.loc[scores["id"] == "a", "error"].isna().all()
    error = scores.loc[scores["id"] == "b", "error"].iloc[0]
    assert "unknown role `主管`" in error
