//! Fixes can only remove findings, never text. On random packs and random reply libraries in
//! every format that writes replies as strings, `huashu::lint::fix` must leave every byte
//! outside the replaced hits as it was, replace only words of the rule it fixes, and give a
//! file whose findings are those before less the ones fixed: none of another rule, none about
//! the file.

use std::collections::HashMap;
use std::sync::Arc;

use huashu::lint::{Fixed, LintFinding, LintOptions, fix, lint};
use huashu::replies::{LibraryFormat, ReplyLibrary};
use huashu::{Checker, RulePack};
use proptest::prelude::*;

/// A pack of forbidden rules, each with its phrases and the wording that replaces them.
fn pack(rules: &[(Vec<String>, String)]) -> Option<Checker> {
    let mut toml = String::from("[pack]\nname = \"fixes\"\n");
    for (i, (phrases, replace)) in rules.iter().enumerate() {
        let phrases: Vec<String> = phrases.iter().map(|p| format!("{p:?}")).collect();
        toml.push_str(&format!(
            "\n[[rule]]\nid = \"forbidden.r{i}\"\nkind = \"forbidden\"\nphrases = [{}]\n\
             severity = \"minor\"\nmessage = \"m\"\nreplace = {replace:?}\nfix = \"safe\"\n",
            phrases.join(", ")
        ));
    }
    // A random pack may be one the loader rejects (a phrase in two rules, say): not a case.
    RulePack::from_toml("fixes.toml", &toml)
        .and_then(|p| p.compile())
        .ok()
}

fn word(alphabet: &'static [&'static str], len: std::ops::Range<usize>) -> BoxedStrategy<String> {
    prop::collection::vec(prop::sample::select(alphabet), len)
        .prop_map(|v| v.concat())
        .boxed()
}

const WORDS: &[&str] = &["甲", "乙", "丙", "丁"];
const REPLACEMENTS: &[&str] = &["甲", "乙", "丙", "丁", "好", "您"];
const FRAGMENTS: &[&str] = &[
    "甲", "乙", "丙", "丁", "甲乙", "，", "！", " ", "好", "\"", "\\", "'", "\n",
];

fn rules() -> impl Strategy<Value = Vec<(Vec<String>, String)>> {
    prop::collection::vec(
        (
            prop::collection::vec(word(WORDS, 1..4), 1..3),
            word(REPLACEMENTS, 1..3),
        ),
        1..4,
    )
}

fn replies() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(word(FRAGMENTS, 1..12), 1..5)
}

/// The replies written as a library file of `format`, each as that format writes a string.
fn encode(format: LibraryFormat, replies: &[String]) -> String {
    let mut out = String::new();
    match format {
        LibraryFormat::Toml => {
            for (i, r) in replies.iter().enumerate() {
                let literal = r
                    .replace('\\', "\\\\")
                    .replace('"', "\\\"")
                    .replace('\n', "\\n");
                out.push_str(&format!("k{i} = \"{literal}\"\n"));
            }
        }
        LibraryFormat::Json => {
            let map: serde_json::Map<String, serde_json::Value> = replies
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("k{i}"), serde_json::Value::from(r.as_str())))
                .collect();
            out = serde_json::to_string_pretty(&map).expect("serializes");
        }
        LibraryFormat::Csv => {
            out.push_str("id,text\n");
            for (i, r) in replies.iter().enumerate() {
                out.push_str(&format!("k{i},\"{}\"\n", r.replace('"', "\"\"")));
            }
        }
        LibraryFormat::Text => {
            for r in replies {
                // One reply per line: a line break would make two.
                out.push_str(&r.replace('\n', " "));
                out.push('\n');
            }
        }
        _ => unreachable!("not generated"),
    }
    out
}

/// The characters that phrases are written in.
fn is_letter(c: char) -> bool {
    WORDS.iter().any(|w| w.starts_with(c))
}

fn tally(findings: &[LintFinding]) -> HashMap<(Option<usize>, Arc<str>), usize> {
    let mut n = HashMap::new();
    for f in findings.iter().filter(|f| f.is_active()) {
        *n.entry((f.reply, f.rule.clone())).or_default() += 1;
    }
    n
}

/// Asserts what a fix must do, and returns how many edits were applied.
fn check_fix(
    checker: &Checker,
    rules: &[(Vec<String>, String)],
    format: LibraryFormat,
    source: String,
) -> Result<usize, TestCaseError> {
    let options = LintOptions::default();
    let library = ReplyLibrary::parse("replies", source.clone(), format);
    prop_assume!(library.problems.is_empty());
    let findings = lint(checker, &library, &options);
    let Fixed {
        source: fixed,
        applied,
        refused,
        ..
    } = fix(checker, &library, &findings, &options, |_| true);

    // The edits that were applied: those offered and not refused.
    let mut edits: Vec<(&LintFinding, &huashu::lint::Edit)> = findings
        .iter()
        .enumerate()
        .filter(|(i, f)| f.is_active() && f.reply.is_some() && !refused.contains(i))
        .filter_map(|(_, f)| f.fix.as_ref().map(|e| (f, e)))
        .collect();
    edits.sort_by_key(|(_, e)| e.span.start);
    prop_assert_eq!(edits.len(), applied);

    // Walk the file: between replaced spans, the bytes are the file's own.
    let mut expected = String::new();
    let mut at = 0;
    for (finding, edit) in &edits {
        let index: usize = finding
            .rule
            .strip_prefix("forbidden.r")
            .and_then(|n| n.parse().ok())
            .expect("a rule of the pack");
        let (phrases, _) = &rules[index];
        for r in &edit.replacements {
            prop_assert!(r.span.start >= at, "edits overlap");
            // A hit may be spaced out (甲 乙 for 甲乙): the separators inside it go with it,
            // but it starts and ends with the phrase's own characters.
            let replaced = &source[r.span.clone()];
            let letters: String = replaced.chars().filter(|c| is_letter(*c)).collect();
            let edges = replaced.chars().next().is_some_and(is_letter)
                && replaced.chars().next_back().is_some_and(is_letter);
            prop_assert!(
                edges && phrases.contains(&letters),
                "{} replaced {:?}, not one of its phrases {:?}",
                finding.rule,
                replaced,
                phrases
            );
            expected.push_str(&source[at..r.span.start]);
            expected.push_str(&r.text);
            at = r.span.end;
        }
    }
    expected.push_str(&source[at..]);
    prop_assert_eq!(&fixed, &expected);

    // Linting the fixed file: nothing new, and the fixed findings gone.
    let after = ReplyLibrary::parse("replies", fixed, format);
    prop_assert!(after.problems.is_empty(), "{:?}", after.problems);
    prop_assert_eq!(after.replies.len(), library.replies.len());
    let mut allowed = tally(&findings);
    for (f, _) in &edits {
        let n = allowed.entry((f.reply, f.rule.clone())).or_default();
        *n -= 1;
    }
    for (key, n) in tally(&lint(checker, &after, &options)) {
        let limit = allowed.get(&key).copied().unwrap_or(0);
        prop_assert!(
            n <= limit,
            "{:?}: {} findings of {} after the fix, at most {} allowed",
            key.0,
            n,
            key.1,
            limit
        );
    }
    Ok(applied)
}

fn formats() -> impl Strategy<Value = LibraryFormat> {
    prop::sample::select(vec![
        LibraryFormat::Toml,
        LibraryFormat::Json,
        LibraryFormat::Csv,
        LibraryFormat::Text,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn fixes_change_only_the_words_they_fix(
        rules in rules(),
        replies in replies(),
        format in formats(),
    ) {
        let checker = pack(&rules);
        prop_assume!(checker.is_some());
        let checker = checker.expect("compiled");
        check_fix(&checker, &rules, format, encode(format, &replies))?;
    }
}

/// Lints `source` and applies the fixes `wanted` accepts.
fn lint_and_fix(
    checker: &Checker,
    source: &str,
    format: LibraryFormat,
    wanted: impl Fn(&LintFinding) -> bool,
) -> (Vec<LintFinding>, Fixed) {
    let library = ReplyLibrary::parse("replies", source.to_string(), format);
    let findings = lint(checker, &library, &LintOptions::default());
    let fixed = fix(
        checker,
        &library,
        &findings,
        &LintOptions::default(),
        wanted,
    );
    (findings, fixed)
}

fn one_pack(rules: &[(&str, &str)]) -> (Checker, Vec<(Vec<String>, String)>) {
    let rules: Vec<(Vec<String>, String)> = rules
        .iter()
        .map(|(p, r)| (vec![p.to_string()], r.to_string()))
        .collect();
    (pack(&rules).expect("compiles"), rules)
}

#[test]
fn every_hit_is_replaced_on_its_own() {
    let (checker, rules) = one_pack(&[("甲", "乙")]);
    for (format, source, want) in [
        (
            LibraryFormat::Toml,
            "a = \"甲，甲！\"\n",
            "a = \"乙，乙！\"\n",
        ),
        (LibraryFormat::Toml, "a = \"甲甲\"\n", "a = \"乙乙\"\n"),
        (
            LibraryFormat::Toml,
            "a = \"\"\"\n甲，\n甲丙\"\"\"\n",
            "a = \"\"\"\n乙，\n乙丙\"\"\"\n",
        ),
        (
            LibraryFormat::Csv,
            "id,text\nq1,甲 甲\n",
            "id,text\nq1,乙 乙\n",
        ),
        (LibraryFormat::Text, "甲丁甲\n", "乙丁乙\n"),
    ] {
        let (_, fixed) = lint_and_fix(&checker, source, format, |_| true);
        assert_eq!(fixed.source, want, "{source:?}");
        assert!(fixed.refused.is_empty());
        check_fix(&checker, &rules, format, source.to_string()).expect("holds");
    }
}

#[test]
fn a_fix_that_makes_a_finding_of_another_rule_is_refused() {
    // r0 writes 乙 over 甲, and 乙 is r1's taboo.
    let (checker, rules) = one_pack(&[("甲", "乙"), ("乙", "丙")]);
    let source = "a = \"甲\"\nb = \"乙\"\n";
    let (findings, fixed) = lint_and_fix(&checker, source, LibraryFormat::Toml, |f| {
        &*f.rule == "forbidden.r0"
    });
    assert_eq!(fixed.source, source, "甲 → 乙 would be r1's finding");
    assert_eq!(fixed.applied, 0);
    assert_eq!(fixed.refused.len(), 1);
    assert_eq!(&*findings[fixed.refused[0]].rule, "forbidden.r0");
    // Fixing both at once is no better: 乙 → 丙 is fine, 甲 → 乙 still is not.
    let (_, both) = lint_and_fix(&checker, source, LibraryFormat::Toml, |_| true);
    assert_eq!(both.source, "a = \"甲\"\nb = \"丙\"\n");
    check_fix(&checker, &rules, LibraryFormat::Toml, source.to_string()).expect("holds");
}

#[test]
fn overlapping_fixes_wait_for_the_next_run() {
    // 甲乙 and 乙丙 overlap in 甲乙丙: the first is applied, the second refused this run.
    let (checker, rules) = one_pack(&[("甲乙", "丁"), ("乙丙", "丁")]);
    let source = "a = \"甲乙丙\"\n";
    let (findings, fixed) = lint_and_fix(&checker, source, LibraryFormat::Toml, |_| true);
    assert_eq!(findings.iter().filter(|f| f.fix.is_some()).count(), 2);
    assert_eq!(fixed.source, "a = \"丁丙\"\n");
    assert_eq!(fixed.refused.len(), 1);
    check_fix(&checker, &rules, LibraryFormat::Toml, source.to_string()).expect("holds");
}
