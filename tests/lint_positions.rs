//! The line and column of every finding of `huashu lint`, in every library format, point at
//! the words found: read back from the file by character columns, they are the words (a tab,
//! a CJK character and an emoji are one column each). The fixtures put a tab, an emoji and
//! CJK text before a slip in each format.

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;

#[test]
fn every_finding_points_at_its_words_in_every_format() {
    let output = Command::new(env!("CARGO_BIN_EXE_huashu"))
        .args(["lint", "--format", "json", "tests/cmd/fixtures/lint"])
        .output()
        .expect("runs");
    let doc: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let mut checked = BTreeSet::new();
    for f in doc["findings"].as_array().expect("findings") {
        let (Some(text), Some(file)) = (f["text"].as_str(), f["file"].as_str()) else {
            continue;
        };
        let line = f["line"].as_u64().expect("line") as usize;
        if f["end_line"].as_u64() != Some(line as u64) {
            continue;
        }
        let source = std::fs::read_to_string(file).expect("reads");
        let chars: Vec<char> = source
            .lines()
            .nth(line - 1)
            .expect("line")
            .chars()
            .collect();
        let (start, end) = (
            f["column"].as_u64().expect("column") as usize - 1,
            f["end_column"].as_u64().expect("end") as usize - 1,
        );
        let found: String = chars[start..end].iter().collect();
        if found.contains('\\') {
            // Written with an escape (`\u4f60好`): the span covers the escape.
            assert!(found.starts_with("\\u"), "{file}:{line}: {found}");
            continue;
        }
        assert_eq!(found, text, "{file}:{line}:{}", start + 1);
        let tab_emoji_before = chars[..start].contains(&'\t') && chars[..start].contains(&'😀');
        if tab_emoji_before {
            checked.insert(file.rsplit('.').next().expect("extension").to_string());
        }
    }
    assert_eq!(
        checked.into_iter().collect::<Vec<_>>(),
        vec!["csv", "json", "md", "toml", "txt", "yaml"],
        "a finding after a tab and an emoji in each format"
    );
}
