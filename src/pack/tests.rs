//! Validation across a pack's parts: conversation rules, their values and windows, and the
//! scorecard they count against. Every problem is reported, each at its place.

use super::RulePack;

#[test]
fn conversation_rules_are_validated() {
    let err = RulePack::from_toml(
        "c.toml",
        r#"[pack]
name = "c"

[[scorecard.dimension]]
name = "态度"
max = 60
categories = ["forbidden"]

[[rule]]
id = "situation.a"
kind = "situation"
phrases = ["x"]
when = { roles = ["customer"], patterns = ['我姓(?P<surname>\p{Han})'] }
then = { phrases = ["{=surnam}先生"] }
within = { before = 1, turns = 2 }
severity = "minor"
message = "m"

[[rule]]
id = "timing.b"
kind = "timing"
measure = "reply"
hold = { phrases = ["请稍等"] }
severity = "minor"
message = "m"

[[rule]]
id = "forbidden.c"
kind = "forbidden"
phrases = ["x"]
dimension = "流程"
severity = "minor"
message = "m"
"#,
    )
    .expect_err("invalid");
    let problems: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    let expected = [
        "c.toml:4:3: the dimensions' `max` add up to 60, but `full-marks` is 100; they must agree",
        "c.toml:9:1: rule `situation.a`: `{=surnam}先生` names `{=surnam}`, but no pattern of `when` has a group `(?P<surnam>…)` and the transcript has no such field; the known values are agent, surname",
        "c.toml:12:11: rule `situation.a`: `phrases` applies only to rules of kind `forbidden`, `required` or `courtesy`, not `situation`; a situation rule matches in its `when` and `then` conditions",
        "c.toml:15:10: rule `situation.a`: `before` looks back from the trigger; it cannot be combined with `turns`, `seconds`, `until` or `rest`",
        "c.toml:19:1: rule `timing.b`: a timing rule needs `limit`, in seconds",
        "c.toml:23:8: rule `timing.b`: for `measure = \"reply\"`, `hold` needs `limit`: how long a hold suspends the reply clock",
    ];
    for e in expected {
        assert!(
            problems.iter().any(|p| p == e),
            "missing: {e}\ngot: {problems:#?}"
        );
    }
    let d_toml = "[pack]\nname = \"d\"\n[[scorecard.dimension]]\nname = \"态度\"\nmax = 100\ncategories = [\"forbidden\"]\n[[rule]]\nid = \"courtesy.x\"\nkind = \"courtesy\"\nphrases = [\"请\"]\nseverity = \"minor\"\nmessage = \"m\"\n[[rule]]\nid = \"forbidden.y\"\nkind = \"forbidden\"\nphrases = [\"y\"]\ndimension = \"流程\"\nseverity = \"minor\"\nmessage = \"m\"\n";
    // Rules compiled side by side report the same problems, in the same order.
    #[cfg(feature = "parallel")]
    {
        let err = RulePack::compile_in_parallel(|| RulePack::from_toml("d.toml", d_toml))
            .expect_err("invalid");
        let in_parallel: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
        let err = RulePack::from_toml("d.toml", d_toml).expect_err("invalid");
        let one_by_one: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
        assert_eq!(in_parallel, one_by_one);
    }
    let err = RulePack::from_toml("d.toml", d_toml).expect_err("invalid");
    let problems: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        vec![
            "d.toml:7:1: rule `courtesy.x`: the rule counts against no scorecard dimension: add `courtesy` to a dimension's `categories`, or give the rule a `dimension`",
            "d.toml:13:1: rule `forbidden.y`: no scorecard dimension `流程`; the dimensions are 态度",
        ]
    );
}

/// Rules read side by side (inside `compile_in_parallel`) give the same problems, in the same
/// order, as rules read one by one: every rule of this pack but two has its own mistake.
#[cfg(feature = "parallel")]
#[test]
fn rules_read_side_by_side_report_what_rules_read_in_turn_do() {
    let mut toml = String::from("[pack]\nname = \"p\"\n");
    let mistakes = [
        "kind = \"forbidden\"\nphrases = [\"不知道\"]\nseverity = \"minor\"\nmessage = \"m\"",
        "kind = \"forbidden\"\npatterns = [\"不(知\"]\nseverity = \"minor\"\nmessage = \"m\"",
        "phrases = [\"没办法\"]\nseverity = \"minor\"\nmessage = \"m\"",
        "kind = \"forbiden\"\nphrases = [\"不行\"]\nseverity = \"minor\"\nmessage = \"m\"",
        "kind = \"forbidden\"\nphrases = [\"找领导\"]\nseverity = \"grave\"\nmessage = \"m\"",
        "kind = \"forbidden\"\npatterns = [\"a*\"]\nseverity = \"minor\"\nmessage = \"m\"",
        "kind = \"forbidden\"\nphrases = [\"{any}\"]\nseverity = \"minor\"\nmessage = \"m\"",
        "kind = \"forbidden\"\nphrases = [\"随便\"]\nseverity = \"minor\"\nmessage = \"m\"\ncolour = 1",
        "kind = \"required\"\nphrases = [\"您好\"]\nseverity = \"minor\"\nmessage = \"m\"",
        "kind = \"forbidden\"\nphrases = [\"你{numbr}号\"]\nseverity = \"minor\"\nmessage = \"m\"",
        "kind = \"forbidden\"\nphrases = \"不管\"\nseverity = \"minor\"\nmessage = \"m\"",
        "kind = \"forbidden\"\nseverity = \"minor\"\nmessage = \"m\"\nunless = { matches = [\"(\"] }\nphrases = [\"不清楚\"]",
    ];
    for (i, body) in mistakes.iter().enumerate() {
        toml.push_str(&format!("[[rule]]\nid = \"forbidden.r{i}\"\n{body}\n"));
    }
    toml.push_str("rule = 1\n");
    let problems = |err: super::error::PackError| -> Vec<String> {
        err.problems().iter().map(ToString::to_string).collect()
    };
    let one_by_one = problems(RulePack::from_toml("p.toml", &toml).expect_err("invalid"));
    let side_by_side = problems(
        RulePack::compile_in_parallel(|| RulePack::from_toml("p.toml", &toml))
            .expect_err("invalid"),
    );
    assert_eq!(side_by_side, one_by_one);
    // Ten rules have a mistake each, reported in the order of the file.
    let lines: Vec<usize> = one_by_one
        .iter()
        .filter_map(|p| p.strip_prefix("p.toml:")?.split(':').next()?.parse().ok())
        .collect();
    assert!(lines.len() >= 10, "{one_by_one:#?}");
    assert!(lines.is_sorted(), "{one_by_one:#?}");
}
