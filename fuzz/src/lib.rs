//! The bodies of the fuzz targets, shared by the libFuzzer targets and the stable harness. Each
//! takes any bytes and must neither panic nor break what it promises: findings within the
//! text and on character boundaries, `check` agreeing with `check_message` on one turn, the
//! direct JSON reader agreeing with serde, reply spans inside the file, and fixes that change
//! nothing outside the words they replace.

use std::io::Cursor;
use std::sync::OnceLock;

use huashu::lint::{LintOptions, fix as apply_fixes, lint};
use huashu::read::{JsonLines, ReadOptions, direct_reader_disagrees, parse_text_transcript};
use huashu::replies::{LibraryFormat, ReplyLibrary};
use huashu::{Checker, Role, RulePack, Transcript, Turn};

fn builtin() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| Checker::builtin().expect("the built-in pack compiles"))
}

/// The pack loader and compiler, on TOML text; some inputs are layered on the built-in pack too.
pub fn pack(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(pack) = RulePack::from_toml("fuzz.toml", text) {
        let _ = pack.compile();
    }
    // Compiling the built-in pack dominates an execution, so one input in four is layered on
    // it; the rest exercise the standalone pack at full speed.
    if data.first().is_some_and(|b| b % 4 == 0)
        && let Ok(pack) = builtin_pack().clone().layer_toml("fuzz.toml", text)
    {
        let _ = pack.compile();
    }
}

fn builtin_pack() -> &'static RulePack {
    static BUILTIN: OnceLock<RulePack> = OnceLock::new();
    BUILTIN.get_or_init(|| RulePack::builtin().expect("the built-in pack loads"))
}

/// The transcript readers: JSON Lines (with small limits, so that they are reached), plain
/// text, CSV and TSV tables, and JSON documents. Every transcript read is checked with the
/// built-in pack.
pub fn transcripts(data: &[u8]) {
    let records = JsonLines::new(Cursor::new(data))
        .max_record_bytes(4096)
        .max_turns(64);
    let mut lines = 0;
    for record in records {
        let record = record.expect("reading from memory does not fail");
        assert!(record.line > lines, "records come in line order");
        lines = record.line;
        if let Ok(transcript) = record.transcript {
            check_report(&transcript);
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        // Each line, and the whole input, as one record.
        for record in text.lines().chain([text]) {
            if let Some(difference) = direct_reader_disagrees(record) {
                panic!("the direct reader and serde disagree on {record:?}:\n{difference}");
            }
        }
        if let Ok(transcript) = parse_text_transcript(text, "fuzz") {
            check_report(&transcript);
        }
    }
    // Tables (with small limits) and JSON documents, which include speech-recognition
    // results; an input of either kind is read as both.
    let options = ReadOptions {
        max_record_bytes: 4096,
        max_turns: 64,
        max_open_bytes: 8192,
        ..ReadOptions::default()
    };
    for delimiter in [b',', b'\t'] {
        options.read_csv(data, delimiter, "fuzz", |record| {
            assert!(record.line >= 1, "table records have a line");
            if let Ok(transcript) = record.transcript {
                assert!(!transcript.turns.is_empty(), "a table transcript has turns");
                check_report(&transcript);
            }
            true
        });
    }
    if let Ok(text) = std::str::from_utf8(data) {
        for record in options.parse_json_document(text, Some("fuzz"), "fuzz") {
            if let Ok(transcript) = record.transcript {
                check_report(&transcript);
            }
        }
    }
}

fn check_report(transcript: &Transcript) {
    let report = builtin().check(transcript);
    for f in &report.findings {
        if let Some(t) = f.turn {
            let text = &transcript.turns[t].text;
            if let (Some(s), Some(e)) = (f.byte_start, f.byte_end) {
                assert!(
                    s <= e && e <= text.len(),
                    "{}: span out of the turn",
                    f.rule
                );
                assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
            }
        }
    }
}

/// The checker on arbitrary text: findings in bounds and on character boundaries, and `check`
/// of a one-turn transcript reporting every finding `check_message` reports, at the same place.
pub fn checker(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for role in [Role::Agent, Role::Customer] {
        let findings = builtin().check_message(role, &text);
        for f in &findings {
            let (Some(s), Some(e)) = (f.byte_start, f.byte_end) else {
                continue;
            };
            assert!(
                s <= e && e <= text.len(),
                "{}: span out of the text",
                f.rule
            );
            assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
            assert_eq!(f.text.as_deref(), Some(&text[s..e]), "{}", f.rule);
        }
        let transcript = Transcript::new("fuzz", vec![Turn::new(role, text.as_ref())]);
        let report = builtin().check(&transcript);
        for f in &findings {
            assert!(
                report.findings.iter().any(|g| g.rule == f.rule
                    && g.turn == Some(0)
                    && g.byte_start == f.byte_start
                    && g.byte_end == f.byte_end),
                "check_message found {} at {:?}, check did not",
                f.rule,
                f.byte_start
            );
        }
    }
}

/// The format a target's first byte picks, and the rest of the input as text (invalid UTF-8
/// replaced, as the CLI refuses such files before any reader sees them).
fn format_and_text(data: &[u8]) -> Option<(LibraryFormat, String)> {
    let (&first, rest) = data.split_first()?;
    let format = LibraryFormat::ALL[first as usize % LibraryFormat::ALL.len()];
    Some((format, String::from_utf8_lossy(rest).into_owned()))
}

/// Each reply-library reader: every reply and problem inside the file, on character boundaries.
pub fn replies(data: &[u8]) {
    let Some((format, text)) = format_and_text(data) else {
        return;
    };
    let text = text.as_str();
    let library = ReplyLibrary::parse("fuzz", text.to_string(), format);
    for reply in &library.replies {
        let span = &reply.span;
        assert!(
            span.start <= span.end && span.end <= text.len(),
            "{format:?}"
        );
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        let all = reply.file_span(0..reply.text.len());
        assert!(all.end <= text.len(), "{format:?}");
    }
    for problem in &library.problems {
        assert!(
            problem.span.end <= text.len(),
            "{format:?}: {}",
            problem.message
        );
    }
}

/// Fix application: linting with the built-in pack and applying every fix changes only the
/// replaced spans, and the fixed file reads back with as many replies.
pub fn fix(data: &[u8]) {
    let Some((format, text)) = format_and_text(data) else {
        return;
    };
    let text = text.as_str();
    let library = ReplyLibrary::parse("fuzz", text.to_string(), format);
    if !library.problems.is_empty() {
        return;
    }
    let options = LintOptions::default();
    let findings = lint(builtin(), &library, &options);
    let fixed = apply_fixes(builtin(), &library, &findings, &options, |_| true);
    let mut edits: Vec<_> = findings
        .iter()
        .enumerate()
        .filter(|(i, f)| f.reply.is_some() && f.is_active() && !fixed.refused.contains(i))
        .filter_map(|(_, f)| f.fix.as_ref())
        .collect();
    edits.sort_by_key(|e| e.span.start);
    assert_eq!(edits.len(), fixed.applied);
    let mut expected = String::new();
    let mut at = 0;
    for edit in edits {
        for r in &edit.replacements {
            assert!(r.span.start >= at, "edits overlap");
            expected.push_str(&text[at..r.span.start]);
            expected.push_str(&r.text);
            at = r.span.end;
        }
    }
    expected.push_str(&text[at..]);
    assert_eq!(fixed.source, expected, "text outside the fixes changed");
    let after = ReplyLibrary::parse("fuzz", fixed.source, format);
    assert!(after.problems.is_empty());
    assert_eq!(after.replies.len(), library.replies.len());
}

/// A fuzz target: any bytes in, a panic when something promised does not hold.
pub type Target = fn(&[u8]);

/// The targets by name, for the stable harness.
pub const TARGETS: &[(&str, Target)] = &[
    ("pack", pack),
    ("transcripts", transcripts),
    ("checker", checker),
    ("replies", replies),
    ("fix", fix),
];
