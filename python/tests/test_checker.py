"""The Python package gives the same judgement as the command line, on the same input."""

import json
import os
import subprocess
import threading

import pytest

import huashu

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples", "transcripts")
BINARY = os.environ.get("HUASHU_BIN", os.path.join(ROOT, "target", "release", "huashu"))


def example_records():
    records = []
    for name in ["phone-calls.jsonl", "chats.jsonl", "emails.jsonl"]:
        with open(os.path.join(EXAMPLES, name), encoding="utf-8") as f:
            records.extend(json.loads(line) for line in f if line.strip())
    return records


def test_a_message_is_checked_before_it_is_sent():
    checker = huashu.Checker.builtin()
    findings = checker.check_message("agent", "这个我不知道，你找领导去呀！")
    rules = {f["rule"] for f in findings}
    assert "forbidden.go-to-manager" in rules
    hit = next(f for f in findings if f["rule"] == "forbidden.dont-know")
    assert "这个我不知道，你找领导去呀！"[hit["start"] : hit["end"]] == hit["text"]
    assert checker.check_message("客服", "您好，请问有什么可以帮您？") == []


def test_reports_equal_the_command_lines_record_for_record():
    records = example_records()
    checker = huashu.Checker.builtin()
    cli = subprocess.run(
        [BINARY, "--no-config", "check", "--format", "json"]
        + [os.path.join(EXAMPLES, n) for n in ["phone-calls.jsonl", "chats.jsonl", "emails.jsonl"]],
        capture_output=True,
        check=False,
    )
    assert cli.returncode in (0, 1), cli.stderr
    expected = [json.loads(line) for line in cli.stdout.decode("utf-8").splitlines()]
    for record in expected:
        # Where the record came from is the command line's to say.
        del record["file"], record["line"]
    one_by_one = [checker.check(r) for r in records]
    assert one_by_one == expected
    assert checker.check_many(records) == expected
    assert checker.check_many(records, threads=1) == expected
    assert checker.check_many(json.dumps(r, ensure_ascii=False) for r in records) == expected


def test_bad_records_raise_or_stay_in_place():
    checker = huashu.Checker.builtin()
    with pytest.raises(huashu.InputError, match="has no turns"):
        checker.check({"id": "x", "turns": []})
    with pytest.raises(huashu.InputError, match=r"line 1, column \d+: turns\[0\]\.role: unknown role"):
        checker.check('{"turns": [{"role": "boss", "text": "x"}]}')
    with pytest.raises(TypeError):
        checker.check(42)
    good = {"turns": [{"role": "agent", "text": "您好"}]}
    out = checker.check_many([good, {"turns": []}, good])
    assert [("error" in r) for r in out] == [False, True, False]
    assert out[1]["index"] == 1


def test_packs_are_layered_like_the_command_lines():
    pack = os.path.join(ROOT, "examples", "packs", "acme.toml")
    ids = {r["id"] for r in huashu.Checker.from_path(pack).rules()}
    assert "opening.company-name" in ids and "opening.self-introduction" not in ids
    custom = huashu.Checker.from_toml(
        '[pack]\nname = "acme"\nextends = "zh-CN"\n\n[[rule]]\nid = "forbidden.no-bro"\nkind = "forbidden"\nseverity = "minor"\n'
        'message = "不称呼客户为兄弟"\nsource = "ACME 1.1"\nphrases = ["兄弟"]\n'
        'examples.trigger = ["兄弟你好"]\nexamples.pass = ["您好"]\n'
    )
    assert "forbidden.no-bro" in {f["rule"] for f in custom.check_message("agent", "兄弟你好")}
    assert "forbidden.no-bro" not in {f["rule"] for f in huashu.Checker.builtin().check_message("agent", "兄弟你好")}
    with pytest.raises(huashu.PackError, match=r"bad\.toml:\d+:\d+: .*nonsense"):
        huashu.Checker.from_toml(
            '[pack]\nname = "bad"\nextends = "zh-CN"\n[[rule]]\nid = "forbidden.x"\nkind = "nonsense"\n',
            name="bad.toml",
        )


def test_one_checker_serves_many_threads():
    checker = huashu.Checker.builtin()
    records = example_records()
    expected = [checker.check(r) for r in records]
    results = {}

    def work(i):
        results[i] = [checker.check(r) for r in records]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[i] == expected for i in range(4))


def test_a_live_session_reports_each_finding_once_and_ends_as_check_does():
    checker = huashu.Checker.builtin()
    turns = [
        ("agent", "您好，我是1024号客服人员，很高兴为您服务。", 0.0),
        ("customer", "我的快递丢了", 5.0),
        ("agent", "这个我不知道，你找快递公司去", 9.0),
        ("customer", "什么态度", 15.0),
    ]
    session = checker.session("live-1", channel="chat")
    seen = []
    for role, text, time in turns:
        draft = session.preview(role, text, time)
        update = session.push(role, text, time)
        assert update == draft, "a preview is what the push gives"
        seen.extend((f["rule"], f["turn"], f["start"]) for f in update["findings"])
    assert "forbidden.dont-know" in {rule for rule, _, _ in seen}
    assert len(seen) == len(set(seen)), "each finding is reported once"
    pending = session.pending()
    assert all("rule" in p for p in pending)
    report = session.finish()
    whole = checker.check(
        {
            "id": "live-1",
            "channel": "chat",
            "turns": [{"role": r, "text": t, "time": s} for r, t, s in turns],
        }
    )
    assert report == whole
    with pytest.raises(ValueError, match="finished"):
        session.push("agent", "您好")
