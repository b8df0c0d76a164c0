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

/// A pack loaded and compiled inside `compile_in_parallel`, as the command line does, is the
/// same pack as one loaded in turn: the same rules in the same order, the same checker.
#[cfg(feature = "parallel")]
#[test]
fn the_built_in_pack_loaded_in_parallel_is_the_pack_loaded_in_turn() {
    let in_turn = RulePack::builtin().expect("loads");
    let side_by_side = RulePack::compile_in_parallel(RulePack::builtin).expect("loads");
    assert!(in_turn.rules().len() > 20);
    assert_eq!(
        format!("{:?}", side_by_side.rules()),
        format!("{:?}", in_turn.rules())
    );
}
