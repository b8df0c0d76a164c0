use super::*;

fn record(
    id: &str,
    agent: &str,
    started: Option<&str>,
    score: u32,
    findings: &[(&str, u32)],
) -> String {
    let findings: Vec<serde_json::Value> = findings
        .iter()
        .map(|(rule, deduct)| {
            serde_json::json!({
                "rule": rule, "severity": "major", "deduct": deduct, "turn": 0, "start": 0,
                "end": 3, "text": "不知道", "message": format!("{rule} message"),
                "suggest": null, "source": "003 二.1", "evidence": null
            })
        })
        .collect();
    let deducted: u32 = findings
        .iter()
        .map(|f| f["deduct"].as_u64().unwrap_or(0) as u32)
        .sum();
    let mut r = serde_json::json!({
        "id": id, "agent": agent, "channel": "chat", "score": score, "passed": score >= 80,
        "findings": findings,
        "dimensions": [{"name": "服务态度", "max": 40, "deducted": deducted.min(40), "subtotal": 40 - deducted.min(40)},
                       {"name": "服务规范", "max": 60, "deducted": 0, "subtotal": 60}],
        "ledger": [], "not_scored": null, "file": "in.jsonl", "line": 1,
        "turns": [{"role": "agent", "text": "不知道啊", "time": 0.0}]
    });
    if let Some(at) = started {
        r["started_at"] = serde_json::Value::String(at.to_string());
    }
    r.to_string()
}

fn report(lines: &[String], options: Options) -> HtmlReport {
    let mut report = HtmlReport::new(options);
    for (i, line) in lines.iter().enumerate() {
        report
            .add_json("day.jsonl", i + 1, line)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    report
}

#[test]
fn totals_agents_rules_and_dimensions_add_up() {
    let lines = vec![
        record("a", "李娜", None, 95, &[("forbidden.dont-know", 5)]),
        record(
            "b",
            "李娜",
            None,
            70,
            &[
                ("forbidden.dont-know", 5),
                ("forbidden.dont-know", 5),
                ("refusal.bare", 20),
            ],
        ),
        record("c", "王强", None, 100, &[]),
        r#"{"file":"in.jsonl","line":4,"column":7,"error":"turns[0].role: unknown role `主管`"}"#
            .to_string(),
        String::new(),
        r#"{"summary":{"transcripts":3}}"#.to_string(),
    ];
    let r = report(&lines, Options::default());
    let data = r.data();
    assert_eq!(data.records, 4);
    assert_eq!(data.totals.transcripts, 3);
    assert_eq!(data.totals.scored, 3);
    assert_eq!(data.totals.passed, 2);
    assert_eq!(data.totals.findings, 4);
    assert_eq!(data.totals.deducted, 35);
    assert_eq!(data.totals.score_sum, 265);
    assert_eq!(data.full_marks, 100);
    assert_eq!(data.scores, vec![(70, 1), (95, 1), (100, 1)]);
    assert_eq!(data.agents[0].name, "李娜");
    assert_eq!(
        (
            data.agents[0].stats.transcripts,
            data.agents[0].stats.passed
        ),
        (2, 1)
    );
    let dont_know = &data.rules[0];
    assert_eq!(dont_know.name, "forbidden.dont-know");
    assert_eq!(
        (
            dont_know.stats.findings,
            dont_know.stats.transcripts,
            dont_know.stats.deducted
        ),
        (3, 2, 15)
    );
    assert_eq!(dont_know.stats.message, "forbidden.dont-know message");
    let attitude = &data.dimensions[0];
    assert_eq!(
        (
            attitude.name,
            attitude.stats.losing,
            attitude.stats.subtotal_sum
        ),
        ("服务态度", 2, 35 + 10 + 40)
    );
    assert_eq!(data.problems.total, 1);
    assert_eq!(data.problems.rows[0].line, Some(4));
    assert_eq!(data.problems.rows[0].column, Some(7));
    assert_eq!(data.transcripts.rows.len(), 3);
    // Without dates, the trend is per input file; one file makes one period.
    assert_eq!(data.trend.by, "file");
    assert_eq!(data.trend.periods.len(), 1);
}

#[test]
fn days_begin_at_midnight_in_the_reports_time_zone() {
    let lines = vec![
        // 16:30 UTC on the 20th is 00:30 on the 21st in Beijing.
        record("a", "x", Some("2024-05-20T16:30:00Z"), 90, &[("r.one", 5)]),
        record(
            "b",
            "x",
            Some("2024-05-20T15:30:00Z"),
            60,
            &[("r.one", 5), ("r.two", 10)],
        ),
        record("c", "x", None, 100, &[]),
    ];
    let data_of = |options| {
        let r = report(&lines, options);
        let data = r.data();
        let periods: Vec<(String, u64, BTreeMap<String, u64>)> = data
            .trend
            .periods
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    p.period.group.transcripts,
                    p.period.rules.clone(),
                )
            })
            .collect();
        (data.trend.by.to_string(), data.trend.undated, periods)
    };
    let (by, undated, periods) = data_of(Options::default());
    assert_eq!((by.as_str(), undated), ("day", 1));
    assert_eq!(periods[0].0, "2024-05-20");
    assert_eq!(periods[1].0, "2024-05-21");
    assert_eq!(periods[0].2.get("r.two"), Some(&1));
    assert_eq!(periods[1].2.get("r.two"), None);
    let utc = Options {
        timezone: Offset::UTC,
        ..Options::default()
    };
    let (_, _, periods) = data_of(utc);
    assert_eq!(periods.len(), 1, "both on the 20th in UTC");
}

#[test]
fn a_long_span_is_shown_by_month() {
    let lines: Vec<String> = (0..70)
        .map(|day| {
            let at = Timestamp::from_second(1_700_000_000 + day * 86_400).unwrap_or_default();
            record(&format!("t{day}"), "x", Some(&at.to_string()), 90, &[])
        })
        .collect();
    let r = report(&lines, Options::default());
    let data = r.data();
    assert_eq!(data.trend.by, "month");
    assert_eq!(
        data.trend
            .periods
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["2023-11", "2023-12", "2024-01"]
    );
}

#[test]
fn past_the_limit_the_table_keeps_failures_then_the_lowest_scores_in_input_order() {
    let lines = vec![
        record("ok-99", "x", None, 99, &[]),
        record("fail-60", "x", None, 60, &[("r", 40)]),
        record("ok-85", "x", None, 85, &[]),
        record("fail-75", "x", None, 75, &[("r", 25)]),
        record("ok-100", "x", None, 100, &[]),
    ];
    let r = report(
        &lines,
        Options {
            max_transcripts: 3,
            ..Options::default()
        },
    );
    let data = r.data();
    let ids: Vec<&str> = data
        .transcripts
        .rows
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(ids, ["fail-60", "ok-85", "fail-75"]);
    assert_eq!(data.transcripts.total, 5);
    assert_eq!(
        data.totals.transcripts, 5,
        "the totals count every transcript"
    );
}

#[test]
fn a_line_that_is_not_a_record_is_an_error_at_its_place_and_adds_nothing() {
    let mut r = HtmlReport::new(Options::default());
    let e = r
        .add_json("day1.jsonl", 7, r#"{"id": "x", "findings": [}"#)
        .expect_err("not JSON");
    assert_eq!(
        (e.file(), e.line(), e.column()),
        ("day1.jsonl", 7, Some(26))
    );
    assert!(
        e.to_string()
            .starts_with("day1.jsonl:7:26: not a record of `huashu check"),
        "{e}"
    );
    let e = r
        .add_json("day1.jsonl", 8, r#"{"transcripts": 3}"#)
        .expect_err("no id");
    assert!(e.message().contains("no `id` and `findings`"), "{e}");
    let e = r
        .add_json(
            "day1.jsonl",
            9,
            r#"{"id":"x","findings":[],"started_at":"yesterday"}"#,
        )
        .expect_err("bad time");
    assert!(e.message().contains("`started_at`"), "{e}");
    assert_eq!(r.transcripts(), 0);
    assert_eq!(r.data().records, 0);
    // Each is listed on the page.
    let data = r.data();
    assert_eq!(data.problems.total, 3);
    assert_eq!(data.problems.rows[0].line, Some(7));
    assert_eq!(data.problems.rows[0].column, Some(26));
}

#[test]
fn numeric_ids_are_read_as_text() {
    let r = report(
        &[r#"{"id": 1024, "score": 90, "passed": true, "findings": []}"#.to_string()],
        Options::default(),
    );
    assert_eq!(r.data().transcripts.rows[0].id, "1024");
}

#[test]
fn the_page_is_whole_and_its_data_cannot_end_the_script() {
    let evil = record(
        "</script><script>alert(1)</script>",
        "<b>",
        None,
        50,
        &[("r", 50)],
    );
    let r = report(
        &[evil],
        Options {
            title: "周报 <i>{{DATA}}</i>".to_string(),
            ..Options::default()
        },
    );
    let mut page = Vec::new();
    r.write(&mut page).unwrap_or_else(|e| panic!("{e}"));
    let page = String::from_utf8(page).unwrap_or_default();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<title>周报 &lt;i&gt;{{DATA}}&lt;/i&gt;</title>"));
    // The data block holds exactly one `</script>`: its own end.
    let start = page
        .find(r#"<script type="application/json" id="huashu-data">"#)
        .unwrap_or(0);
    let data = &page[start..];
    let end = data.find("</script>").unwrap_or(0);
    let json = &data[data.find('>').unwrap_or(0) + 1..end];
    let value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    assert_eq!(
        value["transcripts"]["rows"][0]["id"],
        "</script><script>alert(1)</script>"
    );
    // The title's braces are its own, kept as written, and no placeholder is left.
    assert_eq!(
        page.matches("{{DATA}}").count(),
        3,
        "in <title>, <h1> and the data"
    );
    for placeholder in ["{{TITLE}}", "{{ECHARTS}}", "{{SCRIPT}}"] {
        assert!(!page.contains(placeholder), "{placeholder} is left");
    }
    // Nothing is fetched: no script or style comes from elsewhere.
    for needle in ["src=\"http", "href=\"http", "<link", "@import", "src=\"//"] {
        assert!(!page.contains(needle), "the page loads {needle}");
    }
    assert!(page.contains("echarts"), "the chart library is embedded");
}

#[test]
fn the_trend_is_by_file_when_most_transcripts_have_no_date() {
    let mut r = HtmlReport::new(Options::default());
    for (file, n) in [("monday.jsonl", 0), ("tuesday.jsonl", 1)] {
        for i in 0..3 {
            let started = (i == 0 && n == 0).then_some("2024-05-20T02:00:00Z");
            let line = record(&format!("{file}-{i}"), "x", started, 90, &[]);
            r.add_json(file, i + 1, &line)
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let data = r.data();
    assert_eq!(data.trend.by, "file");
    assert_eq!(data.trend.undated, 0);
    let names: Vec<&str> = data.trend.periods.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["monday.jsonl", "tuesday.jsonl"]);
    // Each transcript still names the file it was checked from.
    assert!(data.transcripts.rows.iter().all(|t| t.file == "in.jsonl"));
}

#[test]
fn columns_of_errors_count_characters() {
    let mut r = HtmlReport::new(Options::default());
    let e = r
        .add_json("x.jsonl", 1, r#"{"id": "会话一", "findings": [}"#)
        .expect_err("not JSON");
    assert_eq!(e.column(), Some(28));
}

#[test]
fn a_transcript_is_told_from_a_result() {
    let mut r = HtmlReport::new(Options::default());
    let e = r
        .add_json(
            "calls.jsonl",
            3,
            r#"{"id":"c1","turns":[{"role":"agent","text":"您好","time":"2024-05-21T10:00:00+08:00"}]}"#,
        )
        .expect_err("a transcript");
    assert!(e.message().starts_with("a transcript, not a result"), "{e}");
    let e = r.add_json("x.jsonl", 4, "[1]").expect_err("an array");
    assert!(!e.message().contains("InRecord"), "{e}");
    assert!(e.message().contains("an object"), "{e}");
}

#[test]
fn an_error_record_of_check_many_is_listed_where_it_was_read() {
    let mut r = HtmlReport::new(Options::default());
    r.add_json(
        "results",
        6,
        r#"{"index": 5, "error": "line 1, column 2: bad"}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    r.add_json(
        "day.jsonl",
        2,
        r#"{"file":"calls.jsonl","line":9,"column":3,"error":"bad role"}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let data = r.data();
    let rows: Vec<(&str, Option<usize>, &str)> = data
        .problems
        .rows
        .iter()
        .map(|p| (p.file.as_str(), p.line, p.error.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            (
                "results",
                Some(6),
                "line 1, column 2: bad (check_many index 5)"
            ),
            ("calls.jsonl", Some(9), "bad role")
        ]
    );
}
