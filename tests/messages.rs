//! Errors say what was expected and where, in the project's words: no Rust type names, no
//! false errors, no text of files that are not rule packs. A byte-order mark is skipped in
//! every input format.

use huashu::RulePack;
use huashu::read::{parse_json_line, parse_text_transcript};

fn error(line: &str) -> String {
    parse_json_line(line.as_bytes(), 1)
        .map(|_| String::new())
        .unwrap_or_else(|e| e.to_string())
}

#[test]
fn record_errors_name_no_rust_types() {
    for (line, expected) in [
        (
            r#"{"turns": [[]]}"#,
            "a turn written as a list is [role, text] or [role, text, time]; this one has 0 elements",
        ),
        (r#"{"turns": [["agent"]]}"#, "this one has 1 element"),
        (r#"{"turns": ["x"]}"#, "expected a turn: an object"),
        (
            r#"{"id": true, "turns": [["agent", "好"]]}"#,
            "id: invalid type: boolean `true`, expected a string or a number",
        ),
        (
            r#"{"turns": [{"role": "agent", "text": "好", "time": true}]}"#,
            "expected a string or a number",
        ),
        (
            r#"{"turns": [{"role": "agent", "text": "好", "time": "bad"}]}"#,
            "turns[0].time: `bad` is not a time: expected seconds",
        ),
    ] {
        let e = error(line);
        assert!(e.contains(expected), "{line}: {e}");
        for internal in ["Raw", "Scalar", "untagged", "struct "] {
            assert!(!e.contains(internal), "{line}: {e}");
        }
        assert!(e.starts_with("line 1, column "), "{e}");
    }
}

#[test]
fn a_byte_order_mark_is_skipped_in_json_lines_and_text() {
    let t = parse_json_line(
        "\u{feff}{\"id\": \"a\", \"turns\": [[\"agent\", \"您好\"]]}".as_bytes(),
        1,
    )
    .expect("a BOM is no error");
    assert_eq!(t.id, "a");
    let t = parse_text_transcript("\u{feff}客服：您好\n客户：你好\n", "t").expect("reads");
    assert_eq!(t.turns.len(), 2);
    assert_eq!(t.turns[0].text, "您好");
}

fn pack_error(path: &str) -> String {
    RulePack::from_path(path)
        .map(|_| String::new())
        .unwrap_or_else(|e| e.to_string())
}

#[test]
fn extends_stays_inside_the_packs_directory_and_never_echoes_other_files() {
    let e = pack_error("tests/cmd/fixtures/extends/sub/outside.toml");
    assert!(e.contains("outside the pack's directory"), "{e}");
    assert!(!e.contains("root:x"), "{e}");
    let e = pack_error("tests/cmd/fixtures/extends/sub/not-a-pack.toml");
    assert!(
        e.contains("it is not valid TOML, so not a rule pack"),
        "{e}"
    );
    assert!(!e.contains("root:x") && !e.contains("secret"), "{e}");
    assert_eq!(pack_error("tests/cmd/fixtures/extends/sub/inside.toml"), "");
}

#[test]
fn a_missing_pack_file_gives_one_error() {
    let e = RulePack::from_path("tests/cmd/fixtures/no-such-pack.toml").expect_err("missing");
    assert_eq!(e.problems().len(), 1, "{e}");
    assert!(e.to_string().contains("cannot read the rule pack"), "{e}");
}

#[test]
fn times_that_go_backwards_are_an_error_record() {
    let e = error(r#"{"turns": [["customer", "在吗", 10], ["agent", "您好", 5]]}"#);
    assert!(
        e.contains("turns[1].time: 00:05 is before the time of the turn before it (00:10)"),
        "{e}"
    );
    assert!(
        e.starts_with("line 1, column 52: "),
        "the column of the time: {e}"
    );
    let e = error(
        r#"{"turns": [["customer", "在吗", "2024-05-01T10:00:10+08:00"], ["agent", "您好", "2024-05-01T10:00:05+08:00"]]}"#,
    );
    assert!(
        e.contains("-00:05 is before the time of the turn before it (00:00)"),
        "{e}"
    );
    let e = parse_text_transcript("[00:10] 客户：在吗\n[00:05] 客服：您好\n", "t")
        .expect_err("backwards");
    assert!(e.to_string().contains("times must not go backwards"), "{e}");
    // The same time twice is fine.
    assert_eq!(
        error(r#"{"turns": [["customer", "在吗", 5], ["agent", "您好", 5]]}"#),
        ""
    );
}

#[test]
fn full_marks_that_the_dimensions_cannot_add_up_to_are_refused() {
    let e = RulePack::from_toml(
        "fm.toml",
        "[pack]\nname = \"fm\"\nextends = \"zh-CN\"\n\n[scoring]\nfull-marks = 200\n",
    )
    .map(|_| String::new())
    .unwrap_or_else(|e| e.to_string());
    assert!(
        e.contains("fm.toml:5:1: the dimensions' `max` add up to 100, but `full-marks` is 200"),
        "{e}"
    );
    // Changing only the pass mark leaves the totals alone.
    assert!(
        RulePack::from_toml(
            "pm.toml",
            "[pack]\nname = \"pm\"\nextends = \"zh-CN\"\n\n[scoring]\npass-mark = 70\n",
        )
        .is_ok()
    );
}
