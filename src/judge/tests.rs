//! Conversation rules judged end to end: conditions over windows, times, and responses
//! that must not happen.

use crate::transcript::read::parse_text_transcript;
use crate::transcript::{Role, Turn};
use crate::{Checker, RulePack};

fn checker(rules: &str) -> Checker {
    let toml = format!("[pack]\nname = \"t\"\n{rules}");
    RulePack::from_toml("t.toml", &toml)
        .expect("valid")
        .compile()
        .expect("compiles")
}

fn found(checker: &Checker, text: &str) -> Vec<(String, Option<usize>)> {
    let t = parse_text_transcript(text, "t").expect("valid");
    checker
        .check(&t)
        .findings
        .into_iter()
        .map(|f| (f.rule.to_string(), f.turn))
        .collect()
}

#[test]
fn at_least_n_of_several_conditions() {
    let c = checker(
        r#"[[rule]]
id = "situation.escalate"
kind = "situation"
when = { at-least = 2, of = [
{ roles = ["customer"], phrases = ["投诉"] },
{ roles = ["customer"], phrases = ["领导"] },
{ roles = ["customer"], phrases = ["曝光"] },
] }
then = { phrases = ["主管"] }
severity = "minor"
message = "m"
"#,
    );
    let one = "客户：我要投诉。\n客服：好的。";
    let two = "客户：我要投诉，叫你们领导来。\n客服：好的。";
    let handled = "客户：我要投诉，叫你们领导来。\n客服：我马上请主管联系您。";
    assert_eq!(found(&c, one), vec![]);
    assert_eq!(found(&c, two), vec![("situation.escalate".into(), Some(0))]);
    assert_eq!(found(&c, handled), vec![]);
}

#[test]
fn windows_in_seconds_and_until_a_role_speaks() {
    let c = checker(
        r#"[[rule]]
id = "situation.seconds"
kind = "situation"
when = { roles = ["customer"], phrases = ["在吗"] }
then = { phrases = ["在的"] }
within = { seconds = 20 }
severity = "minor"
message = "m"

[[rule]]
id = "situation.until"
kind = "situation"
when = { roles = ["customer"], phrases = ["谢谢"] }
then = { phrases = ["不客气"] }
within = { until = "customer" }
severity = "minor"
message = "m"
"#,
    );
    // 在的 after 25 s is outside the 20 s window.
    assert_eq!(
        found(
            &c,
            "[00:00:00] 客户：在吗\n[00:00:05] 客服：您好\n[00:00:25] 客服：在的"
        ),
        vec![("situation.seconds".into(), Some(0))]
    );
    assert_eq!(
        found(&c, "[00:00:00] 客户：在吗\n[00:00:15] 客服：在的"),
        vec![]
    );
    // The customer spoke again before any acknowledgement: the window closed.
    assert_eq!(
        found(&c, "客户：谢谢\n客服：好的\n客户：还有个问题\n客服：不客气"),
        vec![("situation.until".into(), Some(0))]
    );
    assert_eq!(
        found(&c, "客户：谢谢\n客服：好的\n客服：不客气\n客户：嗯"),
        vec![]
    );
}

#[test]
fn a_response_that_must_not_happen() {
    let c = checker(
        r#"[[rule]]
id = "situation.no-blame"
kind = "situation"
when = { roles = ["customer"], phrases = ["投诉"] }
then = { phrases = ["你自己的问题"] }
within = { turns = 2 }
expect = "absent"
severity = "major"
message = "m"
"#,
    );
    // The finding points at the words said, not at the trigger.
    assert_eq!(
        found(&c, "客户：我要投诉\n客服：好的\n客服：这是你自己的问题"),
        vec![("situation.no-blame".into(), Some(2))]
    );
    assert_eq!(
        found(
            &c,
            "客户：我要投诉\n客服：好的\n客服：抱歉\n客服：这是你自己的问题"
        ),
        vec![]
    );
}

#[test]
fn a_hit_inside_a_longer_hit_of_another_forbidden_rule_counts_once() {
    let c = checker(
        r#"[[rule]]
id = "forbidden.bare-no"
kind = "forbidden"
phrases = ["不"]
severity = "minor"
deduct = 2
message = "m"

[[rule]]
id = "forbidden.dont-know"
kind = "forbidden"
phrases = ["不知道"]
severity = "major"
deduct = 5
message = "m"
"#,
    );
    for text in [
        "不知道！",
        "不 知道！",
        "不\u{200B}知道！",
        "\u{F967}知道！",
        "不\u{3164}知道",
    ] {
        let rules: Vec<String> = c
            .check_message(Role::Agent, text)
            .into_iter()
            .map(|f| f.rule.to_string())
            .collect();
        assert_eq!(rules, ["forbidden.dont-know"], "{text:?}");
        let t = crate::Transcript::new("t", vec![Turn::new(Role::Agent, text)]);
        let report = c.check(&t);
        let rules: Vec<&str> = report.findings.iter().map(|f| &*f.rule).collect();
        assert_eq!(rules, ["forbidden.dont-know"], "{text:?}");
    }
    // A 不 of its own, beside the longer hit, still counts.
    let rules: Vec<String> = c
        .check_message(Role::Agent, "不，不知道")
        .into_iter()
        .map(|f| f.rule.to_string())
        .collect();
    assert_eq!(rules, ["forbidden.bare-no", "forbidden.dont-know"]);
}
