"""`huashu report` and `huashu.report` make the same page, and the page works in a real
browser (headless Chromium): the charts draw, the table filters and sorts, a transcript
opens with its findings marked in its sentences, nothing is fetched from the network, and
the page fits a laptop screen. Screenshots go to `target/report-*.png`."""

import json
import os
import re
import subprocess

import pytest

import huashu

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("HUASHU_BIN", os.path.join(ROOT, "target", "release", "huashu"))
EXAMPLES = os.environ.get(
    "HUASHU_EXAMPLES", os.path.join(ROOT, "target", "release", "examples")
)
CHROMIUM = os.environ.get("HUASHU_CHROMIUM", "/usr/bin/chromium")
SHOTS = os.path.join(ROOT, "target")


def page_data(path):
    with open(path, encoding="utf-8") as f:
        html = f.read()
    match = re.search(r'<script type="application/json" id="huashu-data">(.*?)</script>', html, re.S)
    assert match, "the page holds its data"
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """A month of generated calls and chats, with timestamps, checked with --turns."""
    folder = tmp_path_factory.mktemp("report")
    generated = subprocess.run(
        [os.path.join(EXAMPLES, "gen_corpus"), "3M", "5", "30"], capture_output=True, check=True
    )
    transcripts = folder / "month.jsonl"
    transcripts.write_bytes(generated.stdout)
    results = folder / "results.jsonl"
    binary = os.path.abspath(BINARY)
    # Relative names, run in the folder: the page (and its screenshots) name `month.jsonl`.
    with open(results, "wb") as out:
        run = subprocess.run(
            [binary, "--no-config", "check", "--format", "json", "--turns", "month.jsonl"],
            stdout=out,
            stderr=subprocess.PIPE,
            cwd=folder,
            check=False,
        )
    assert run.returncode in (0, 1), run.stderr
    page = folder / "report.html"
    made = subprocess.run(
        [binary, "report", "results.jsonl", "-o", "report.html", "--title", "五月质检报告"],
        capture_output=True,
        cwd=folder,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert b"wrote" in made.stderr
    return {"folder": folder, "transcripts": transcripts, "results": results, "page": page}


def test_python_makes_the_page_the_command_line_makes(month, tmp_path):
    with open(month["transcripts"], encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    checker = huashu.Checker.builtin()
    page = tmp_path / "python.html"
    assert huashu.report(checker.check_many(records, turns=True), page, title="五月质检报告") == str(page)
    ours, theirs = page_data(page), page_data(month["page"])
    for key in ["totals", "scores", "agents", "channels", "rules", "dimensions", "full_marks", "not_scored"]:
        assert ours[key] == theirs[key], key
    assert [p["name"] for p in ours["trend"]["periods"]] == [p["name"] for p in theirs["trend"]["periods"]]
    drop = lambda rows: [{k: v for k, v in r.items() if k not in ("file", "line", "results")} for r in rows]
    assert drop(ours["transcripts"]["rows"]) == drop(theirs["transcripts"]["rows"])
    # A path of results works as well as the results.
    again = tmp_path / "again.html"
    huashu.report(str(month["results"]), again)
    assert page_data(again)["totals"] == theirs["totals"]


def test_the_page_counts_what_the_results_hold(month):
    data = page_data(month["page"])
    with open(month["results"], encoding="utf-8") as f:
        results = [json.loads(line) for line in f]
    assert data["totals"]["transcripts"] == len(results)
    assert data["totals"]["passed"] == sum(1 for r in results if r["passed"])
    assert data["totals"]["findings"] == sum(len(r["findings"]) for r in results)
    assert data["trend"]["by"] == "day" and len(data["trend"]["periods"]) == 30
    assert data["transcripts"]["with_turns"] == len(results)


def test_a_line_that_is_not_a_result_is_an_error_with_its_place(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id":"a","score":90,"passed":true,"findings":[]}\n{"id": \n', encoding="utf-8")
    out = subprocess.run([BINARY, "report", str(bad), "-o", str(tmp_path / "r.html")], capture_output=True)
    assert out.returncode == 2
    assert f"{bad}:2:7: not a record of `huashu check --format json`" in out.stderr.decode()
    # The page is still written, and lists the line.
    data = page_data(tmp_path / "r.html")
    assert data["totals"]["transcripts"] == 1 and data["problems"]["rows"][0]["line"] == 2
    with pytest.raises(huashu.InputError, match="bad.jsonl:2:7"):
        huashu.report(str(bad), tmp_path / "p.html")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), f"Chromium is not installed at {CHROMIUM}"
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


def open_page(browser, path, width=1366, height=768):
    page = browser.new_page(viewport={"width": width, "height": height})
    errors, requests = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("request", lambda r: r.url.startswith("file://") or requests.append(r.url))
    page.goto("file://" + str(path))
    page.wait_for_selector("body[data-ready=true]", timeout=15000)
    return page, errors, requests


def test_the_report_works_in_a_browser(month, browser):
    data = page_data(month["page"])
    page, errors, requests = open_page(browser, month["page"])

    # Every chart has drawn, as SVG with its bars and lines.
    for name in ["scores", "trend", "rules", "agents", "dimensions"]:
        drawn = page.locator(f'[data-chart="{name}"] svg path').count()
        assert drawn > 10, f"the {name} chart drew {drawn} shapes"
    # Chinese has a font, and the page fits a laptop screen.
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"')")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator("#kpis .kpi").first.inner_text().startswith(f"{data['totals']['transcripts']:,}")
    page.screenshot(path=os.path.join(SHOTS, "report-overview.png"))

    # The table lists the first 50, and filtering by a rule lists exactly its transcripts.
    assert page.locator("#rows tr").count() == 50
    rule = data["rules"][0]["name"]
    page.select_option("#filter-rule", rule)
    expected = sum(1 for t in data["transcripts"]["rows"] if any(f["rule"] == rule for f in t["findings"]))
    assert page.locator("#count").inner_text().startswith(f"{expected:,}")
    assert page.locator("#rows tr").count() == min(50, expected)
    for row in page.locator("#rows tr").all()[:10]:
        assert rule in row.inner_text()
    # Searching narrows it to one transcript; sorting by score puts the lowest first.
    page.click("#clear")
    target = data["transcripts"]["rows"][7]
    page.fill("#filter-text", target["id"])
    assert page.locator("#rows tr").count() == 1
    page.click("#clear")
    page.click('#table th[data-key="score"]')
    lowest = min(t["score"] for t in data["transcripts"]["rows"] if t["score"] is not None)
    assert page.locator("#rows tr").first.locator("td").nth(4).inner_text() == str(lowest)
    # A row of the rules table lists that rule's transcripts.
    page.click("#clear")
    page.locator("#rules tbody tr").nth(1).click()
    assert page.eval_on_selector("#filter-rule", "e => e.value") == data["rules"][1]["name"]

    # A transcript opens with its turns, and every finding with a span is marked in its turn.
    page.click("#clear")
    page.select_option("#filter-result", "fail")
    page.locator("#rows tr").first.click()
    page.wait_for_selector("#detail.open")
    n = int(page.get_attribute("#detail", "data-n"))
    shown = next(t for t in data["transcripts"]["rows"] if t["n"] == n)
    assert page.locator("#detail-id").inner_text() == shown["id"]
    assert page.locator("#detail-turns .turn").count() == len(shown["turns"])
    assert page.locator("#detail-findings .finding").count() == len(shown["findings"])
    spans = [f for f in shown["findings"] if f.get("start") is not None and f["end"] > f["start"]]
    assert spans, "the transcript has findings in its text"
    marked = page.locator("#detail-turns mark").all_inner_texts()
    for f in spans:
        text = "".join(list(shown["turns"][f["turn"]]["text"])[f["start"]:f["end"]])
        assert text == f["text"]
        assert any(text in m or m in text for m in marked), f"{f['rule']} marks “{text}”"
    page.screenshot(path=os.path.join(SHOTS, "report-transcript.png"))
    page.keyboard.press("Escape")
    assert not page.locator("#detail.open").count()

    assert errors == [], errors
    assert requests == [], f"the page fetched {requests}"


def test_a_page_without_turns_or_dates_still_works(browser, tmp_path):
    results = tmp_path / "plain.jsonl"
    with open(results, "wb") as out:
        subprocess.run(
            [BINARY, "--no-config", "check", "--format", "json", os.path.join(ROOT, "examples", "transcripts")],
            stdout=out,
            check=False,
        )
    page_path = tmp_path / "plain.html"
    made = subprocess.run([BINARY, "report", str(results), "-o", str(page_path)], capture_output=True)
    assert made.returncode == 0 and b"--turns" in made.stderr, made.stderr
    page, errors, requests = open_page(browser, page_path, width=1280, height=720)
    page.select_option("#filter-result", "fail")
    page.locator("#rows tr").first.click()
    page.wait_for_selector("#detail.open")
    assert "--turns" in page.locator("#detail-turns .note").inner_text()
    assert errors == [] and requests == []


def test_text_from_the_results_cannot_run_as_script(browser, tmp_path):
    evil = "<img src=x onerror=window.__owned=1>"
    record = {
        "id": evil, "agent": evil, "channel": "chat", "score": 70, "passed": False,
        "findings": [{"rule": evil, "severity": "major", "deduct": 30, "turn": 0, "start": 0,
                      "end": 5, "text": evil[:5], "message": evil, "suggest": evil,
                      "source": evil, "evidence": {"detail": evil}}],
        "dimensions": [{"name": evil, "max": 100, "deducted": 30, "subtotal": 70}],
        "turns": [{"role": "agent", "text": evil + "</script><script>window.__owned=2</script>"}],
    }
    results = tmp_path / "evil.jsonl"
    results.write_text(json.dumps(record) + "\n", encoding="utf-8")
    page_path = tmp_path / "evil.html"
    assert subprocess.run([BINARY, "report", str(results), "-o", str(page_path)]).returncode == 0
    page, errors, requests = open_page(browser, page_path)
    for name in ["rules", "agents", "dimensions", "scores"]:
        box = page.locator(f'[data-chart="{name}"] svg').bounding_box()
        for x in range(1, 10):
            page.mouse.move(box["x"] + box["width"] * x / 10, box["y"] + box["height"] / 2)
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * x / 10)
    page.locator("#rows tr").first.click()
    page.wait_for_selector("#detail.open")
    assert page.evaluate("window.__owned") is None
    assert page.locator("img").count() == 0
    assert errors == [] and requests == []
