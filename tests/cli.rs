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

/// Many records over several batches: the bundled transcripts again and again, each with its
/// own id, and every 97th line broken. Returns the file, and what each output line should be
/// (the id, or the error's line).
fn many_records(name: &str) -> (std::path::PathBuf, Vec<String>) {
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
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, input).expect("writes");
    (path, expected)
}

/// Many records over several batches and threads: one output line per input record, in input
/// order, and the same output whatever the number of threads.
#[test]
fn batch_output_keeps_input_order_on_any_number_of_threads() {
    let (path, expected) = many_records("order.jsonl");
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

/// Every format writes the same bytes on one scoring thread as on several, the same errors in
/// the same places, and exits the same.
#[test]
fn every_format_writes_the_same_on_any_number_of_threads() {
    let (path, _) = many_records("formats.jsonl");
    let formats: [&[&str]; 5] = [
        &["--format", "json"],
        &["--format", "json", "--compact", "--ledger", "--turns"],
        &["--format", "csv", "--table", "findings"],
        &["--format", "human", "--summary"],
        &["--format", "json", "--summary", "--quiet"],
    ];
    for format in formats {
        let run = |threads: &str| {
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_huashu"))
                .arg("check")
                .args(format)
                .args(["--threads", threads])
                .arg(&path)
                .env("NO_COLOR", "1")
                .output()
                .expect("runs");
            (output.status.code(), output.stdout, output.stderr)
        };
        let one = run("1");
        assert_eq!(one.0, Some(2), "{format:?}: some records are broken");
        assert!(!one.1.is_empty(), "{format:?}: no output");
        assert!(!one.2.is_empty(), "{format:?}: no errors");
        for threads in ["2", "3"] {
            assert!(
                run(threads) == one,
                "{format:?}: --threads {threads} differs from one thread"
            );
        }
    }
}

/// `huashu lint` walks directories as a CI user expects: .gitignore is honoured (in a
/// repository or not), hidden files and unknown extensions are skipped, `--exclude` skips
/// more, and a file named on the command line is linted all the same.
#[test]
fn lint_walks_directories_honouring_gitignore_and_excludes() {
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("walk");
    let _ = std::fs::remove_dir_all(&root);
    for dir in ["drafts", "faq", ".hidden"] {
        std::fs::create_dir_all(root.join(dir)).expect("creates");
    }
    let files = [
        (".gitignore", "drafts/\n"),
        ("drafts/old.txt", "不知道\n"),
        (".hidden/x.txt", "不知道\n"),
        ("faq/shipping.txt", "这个我不知道。\n"),
        ("faq/returns.yaml", "- 不行，这个不能退。\n"),
        ("faq/notes.rst", "不知道\n"),
    ];
    for (path, text) in files {
        std::fs::write(root.join(path), text).expect("writes");
    }
    let lint = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_huashu"))
            .args(["lint", "--format", "json"])
            .args(args)
            .output()
            .expect("runs");
        let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let mut files: Vec<String> = doc["files"]
            .as_array()
            .expect("files")
            .iter()
            .map(|f| {
                let path = f["path"].as_str().expect("path");
                path.rsplit_once("walk/")
                    .map_or(path, |(_, p)| p)
                    .to_string()
            })
            .collect();
        files.sort();
        files
    };
    let dir = root.to_str().expect("UTF-8");
    assert_eq!(lint(&[dir]), vec!["faq/returns.yaml", "faq/shipping.txt"]);
    assert_eq!(
        lint(&[dir, "--exclude", "*.yaml"]),
        vec!["faq/shipping.txt"]
    );
    let named = root.join("drafts/old.txt");
    assert_eq!(
        lint(&[named.to_str().expect("UTF-8"), "--exclude", "*.txt"]),
        vec!["drafts/old.txt"]
    );
}

/// `huashu check DIR` reads each transcript file once, even when a symbolic link under the
/// directory points back up the tree (`sub/loop -> ..`): the loop is not followed.
#[cfg(unix)]
#[test]
fn check_reads_each_file_once_in_a_directory_with_a_symlink_loop() {
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("check-symlink-loop");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("sub")).expect("creates");
    let record =
        r#"{"id": "loop-1", "turns": [{"role": "agent", "text": "您好，请问有什么可以帮您？"}]}"#;
    std::fs::write(root.join("chats.jsonl"), format!("{record}\n")).expect("writes");
    std::os::unix::fs::symlink("..", root.join("sub/loop")).expect("links");

    assert_eq!(check_ids(&root), vec!["loop-1"]);
}

/// A file that a directory reaches twice, as itself and through a link, is read once, under
/// the path that sorts first; the link is not a second transcript.
#[test]
fn check_reads_a_linked_file_once() {
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("check-linked-file");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("creates");
    let record = r#"{"turns": [{"role": "agent", "text": "您好，请问有什么可以帮您？"}]}"#;
    std::fs::write(root.join("b.jsonl"), format!("{record}\n")).expect("writes");
    std::os::unix::fs::symlink("b.jsonl", root.join("a.jsonl")).expect("links");

    // A record without an id is named by its file and line: the file read is the link.
    let named = format!("{}:1", root.join("a.jsonl").display());
    assert_eq!(check_ids(&root), vec![named]);
}

/// `huashu check DIR` reads every transcript file under the directory, hidden and
/// git-ignored ones too (unlike `lint`), in path order.
#[test]
fn check_reads_hidden_and_ignored_files_in_path_order() {
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("check-walk");
    let _ = std::fs::remove_dir_all(&root);
    for dir in [".hidden", "faq", "ignored"] {
        std::fs::create_dir_all(root.join(dir)).expect("creates");
    }
    let record = |id: &str| {
        format!(r#"{{"id": "{id}", "turns": [{{"role": "agent", "text": "您好"}}]}}"#) + "\n"
    };
    let files = [
        (".gitignore", "ignored/\n".to_string()),
        ("ignored/b.jsonl", record("ignored")),
        (".hidden/a.jsonl", record("hidden")),
        ("faq/c.ndjson", record("faq")),
        ("faq/notes.md", record("not a transcript file")),
        ("z.txt", "agent: 您好\ncustomer: 你好\n".to_string()),
    ];
    for (path, text) in files {
        std::fs::write(root.join(path), text).expect("writes");
    }

    assert_eq!(check_ids(&root), vec!["hidden", "faq", "ignored", "z"]);
}

/// The id of each record `huashu check --format json DIR` prints, in order.
fn check_ids(dir: &std::path::Path) -> Vec<String> {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_huashu"))
        .args(["check", "--format", "json"])
        .arg(dir)
        .output()
        .expect("runs");
    String::from_utf8(output.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON");
            v["id"].as_str().unwrap_or("(not a report)").to_string()
        })
        .collect()
}

/// The configuration's JSON Schema in `docs/` is what `huashu config schema` prints: it is
/// regenerated with `huashu config schema > docs/huashu.schema.json` when the options change.
/// The repository's example configurations validate against it.
#[test]
fn the_config_schema_is_current_and_validates_the_examples() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_huashu"))
        .args(["--no-config", "config", "schema"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).expect("UTF-8");
    let checked_in =
        std::fs::read_to_string("docs/huashu.schema.json").expect("docs/huashu.schema.json");
    assert!(
        printed == checked_in,
        "docs/huashu.schema.json is stale: run `huashu config schema > docs/huashu.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_str(&checked_in).expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    for example in ["tests/cmd/config.in/huashu.toml", "examples/huashu.toml"] {
        let text = std::fs::read_to_string(example).expect("reads");
        let config: serde_json::Value = toml::from_str(&text).expect("TOML");
        let errors: Vec<String> = validator
            .iter_errors(&config)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{example}: {errors:?}");
    }
    let bad = toml::from_str::<serde_json::Value>("[check]\nthreds = 4\n").expect("TOML");
    assert!(!validator.is_valid(&bad), "an unknown key is invalid");
}

/// Every example in `examples/` runs from the README: the commands listed under "Every example
/// in `examples/` runs the same way" run, none ends in an error (exit 2), and together they
/// cover every example file.
#[test]
fn every_example_runs_from_the_readme() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let block = readme
        .split("Every example in `examples/` runs the same way")
        .nth(1)
        .and_then(|rest| rest.split("```sh\n").nth(1))
        .and_then(|rest| rest.split("```").next())
        .expect("the README lists the examples' commands");
    let mut covered = Vec::new();
    for line in block.lines().filter(|l| l.starts_with("huashu ")) {
        let command = line.split(" #").next().unwrap_or(line);
        let args: Vec<&str> = command.split_whitespace().skip(1).collect();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_huashu"))
            .args(&args)
            .output()
            .expect("runs");
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "`{command}` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        covered.extend(
            args.iter()
                .filter(|a| a.starts_with("examples/"))
                .map(|a| a.to_string()),
        );
    }
    for entry in std::fs::read_dir("examples").expect("examples/") {
        let path = entry.expect("an entry").path();
        let name = path.to_string_lossy().replace('\\', "/");
        // Rust examples build with `cargo build --examples`; the Python and Spark examples
        // are run by .ci/run.
        if name.ends_with(".rs") || name == "examples/python" || name == "examples/spark" {
            continue;
        }
        assert!(
            covered
                .iter()
                .any(|c| name.starts_with(c.as_str()) || c.starts_with(&name)),
            "{name} is run by no command in the README"
        );
    }
}

/// `--compact` carries the same judgement as the default JSON, in fewer bytes: the same ids,
/// scores and verdicts, and each finding's rule, place, deduction and evidence turns; the
/// rules' words are left to `huashu rules list --format json`, and `huashu report` takes them
/// from the pack.
#[test]
fn compact_json_says_what_the_default_says_and_the_report_fills_in_the_words() {
    let files = [
        "examples/transcripts/phone-calls.jsonl",
        "examples/transcripts/chats.jsonl",
        "examples/transcripts/emails.jsonl",
    ];
    let run = |extra: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_huashu"))
            .args(["check", "--format", "json"])
            .args(extra)
            .args(files)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(1), "some examples fail");
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    let full = run(&[]);
    let compact = run(&["--compact"]);
    assert!(
        compact.len() * 2 < full.len(),
        "compact is under half the size"
    );
    let lines = |text: &str| -> Vec<serde_json::Value> {
        text.lines()
            .map(|l| serde_json::from_str(l).expect("JSON"))
            .collect()
    };
    let (full, compact) = (lines(&full), lines(&compact));
    assert_eq!(full.len(), compact.len());
    let mut findings = 0;
    for (f, c) in full.iter().zip(&compact) {
        for key in ["id", "score", "passed", "dimensions", "file", "line"] {
            assert_eq!(f[key], c[key], "{key} of {}", f["id"]);
        }
        assert!(c.get("ledger").is_none() && c.get("not_applicable").is_none());
        let (ff, cf) = (
            f["findings"].as_array().expect("findings"),
            c["findings"].as_array().expect("findings"),
        );
        assert_eq!(ff.len(), cf.len());
        for (a, b) in ff.iter().zip(cf) {
            for key in ["rule", "deduct", "turn", "start", "end", "text"] {
                let expected = &a[key];
                let got = b.get(key).unwrap_or(&serde_json::Value::Null);
                assert_eq!(expected, got, "{key} of a finding of {}", f["id"]);
            }
            assert_eq!(a["evidence"]["turns"], b["evidence"]["turns"]);
            assert!(b.get("message").is_none() && b.get("source").is_none());
            findings += 1;
        }
    }
    assert!(findings > 10, "the examples have findings to compare");

    // The ledger and the not-applicable rules come back on request, as the default has them.
    let kept = lines(&run(&["--compact", "--ledger", "--not-applicable"]));
    for (f, k) in full.iter().zip(&kept) {
        assert_eq!(f["ledger"], k["ledger"]);
        assert_eq!(f["not_applicable"], k["not_applicable"]);
    }

    // The HTML report of compact records names each rule in the pack's words.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("compact-report");
    std::fs::create_dir_all(&dir).expect("creates");
    let results = dir.join("compact.jsonl");
    std::fs::write(&results, run(&["--compact"])).expect("writes");
    let page = dir.join("report.html");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_huashu"))
        .args(["report"])
        .arg(&results)
        .arg("-o")
        .arg(&page)
        .status()
        .expect("runs");
    assert!(status.success());
    let html = std::fs::read_to_string(&page).expect("reads");
    let pack = huashu::RulePack::builtin().expect("loads");
    let rule = full
        .iter()
        .flat_map(|r| r["findings"].as_array().expect("findings"))
        .map(|f| f["rule"].as_str().expect("rule"))
        .next()
        .expect("a finding");
    let message = pack.rule(rule).expect("a built-in rule").message();
    let in_page = serde_json::to_string(message).expect("JSON");
    assert!(
        html.contains(in_page.trim_matches('"')),
        "the page gives {rule}'s message"
    );

    // With a pack that does not have the rules, the page names them by id, and says so.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_huashu"))
        .args(["report", "--rules", "benches/e2e/phrases.toml"])
        .arg(&results)
        .arg("-o")
        .arg(&page)
        .output()
        .expect("runs");
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: the pack does not have") && stderr.contains(rule),
        "{stderr}"
    );
}

/// A file named twice on the command line (its directory, and itself by another spelling) is
/// linted, and fixed, once: files are linted side by side, and two fixes of one file at once
/// could read it half written.
#[test]
fn a_file_named_twice_is_fixed_once() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("named-twice");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("replies")).expect("creates");
    std::fs::write(
        dir.join("pack.toml"),
        "[pack]\nname = \"t\"\n\n[[rule]]\nid = \"forbidden.blunt\"\nkind = \"forbidden\"\n\
         phrases = [\"不知道\"]\nseverity = \"minor\"\nmessage = \"m\"\nreplace = \"帮您查一下\"\n\
         fix = \"safe\"\n",
    )
    .expect("writes");
    let reply = dir.join("replies").join("a.txt");
    std::fs::write(&reply, "这个我不知道\n您好\n").expect("writes");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_huashu"))
        .current_dir(&dir)
        .args([
            "lint",
            "--no-config",
            "--rules",
            "pack.toml",
            "--fix",
            "--format",
            "json",
        ])
        .args(["replies", "replies/a.txt", "./replies/a.txt"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let files = report["files"].as_array().expect("a list of files");
    assert_eq!(files.len(), 1, "{stdout}");
    assert_eq!(files[0]["fixed"], 1, "{stdout}");
    assert_eq!(
        std::fs::read_to_string(&reply).expect("reads"),
        "这个我帮您查一下\n您好\n"
    );
}
