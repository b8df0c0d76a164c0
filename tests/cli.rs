//! Command-line cases, as data: each `tests/cmd/*.toml` gives the arguments (and standard
//! input), and the `.stdout` / `.stderr` files beside it hold the exact expected output and the
//! exit code is in the case. Regenerate after a deliberate change with
//! `TRYCMD=overwrite cargo test --test cli`, then review the diff.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .default_bin_name("huashu")
        .env("NO_COLOR", "1")
        .case("tests/cmd/*.toml");
}

/// Many records over several batches and threads: one output line per input record, in input
/// order, and the same output whatever the number of threads.
#[test]
fn batch_output_keeps_input_order_on_any_number_of_threads() {
    let mut lines: Vec<String> = Vec::new();
    for file in ["phone-calls.jsonl", "chats.jsonl", "emails.jsonl"] {
        let text = std::fs::read_to_string(format!("examples/transcripts/{file}")).expect("reads");
        lines.extend(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(String::from),
        );
    }
    let mut input = String::new();
    let mut expected = Vec::new();
    for n in 0..3000 {
        if n % 97 == 0 {
            input.push_str("{\"turns\": [oops\n");
            expected.push(format!("error at line {}", n + 1));
            continue;
        }
        let line = &lines[n % lines.len()];
        let mut record: serde_json::Value = serde_json::from_str(line).expect("valid example");
        record["id"] = serde_json::Value::String(format!("r{n}"));
        input.push_str(&record.to_string());
        input.push('\n');
        expected.push(format!("r{n}"));
    }
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("order.jsonl");
    std::fs::write(&path, input).expect("writes");

    let run = |threads: &str| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_huashu"))
            .args(["check", "--format", "json", "--threads", threads])
            .arg(&path)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(2), "some records are broken");
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    let one = run("1");
    let two = run("2");
    assert_eq!(one, two);
    let got: Vec<String> = one
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON");
            match v.get("id") {
                Some(id) => id.as_str().expect("a string id").to_string(),
                None => format!("error at line {}", v["line"]),
            }
        })
        .collect();
    assert_eq!(got, expected);
}
