//! Every example of every built-in rule: `trigger` texts must make the rule report a finding,
//! `pass` texts must not.

use huashu::{Checker, RulePack};

#[test]
fn every_builtin_example_behaves_as_documented() {
    for name in RulePack::builtin_names() {
        let checker = RulePack::builtin_named(name)
            .and_then(|pack| pack.compile())
            .unwrap_or_else(|e| panic!("built-in pack {name} does not load: {e}"));
        let failures = checker.test_examples();
        let report: Vec<String> = failures
            .iter()
            .map(|f| {
                let found: Vec<String> = f
                    .findings
                    .iter()
                    .map(|x| format!("{} {:?}", x.rule, x.text))
                    .collect();
                format!(
                    "{}: {} example {:?} (pack found: {})",
                    f.rule,
                    if f.should_trigger { "trigger" } else { "pass" },
                    f.example,
                    if found.is_empty() {
                        "nothing".to_string()
                    } else {
                        found.join(", ")
                    }
                )
            })
            .collect();
        assert!(
            report.is_empty(),
            "{} examples misbehave:\n{}",
            report.len(),
            report.join("\n")
        );
    }
}

#[test]
fn every_builtin_rule_documents_itself() {
    let pack = RulePack::builtin().expect("loads");
    let mut missing = Vec::new();
    for rule in pack.rules() {
        if rule.source().is_none_or(str::is_empty) {
            missing.push(format!("{}: no source", rule.id()));
        }
        if rule.why().is_none_or(str::is_empty) {
            missing.push(format!("{}: no why", rule.id()));
        }
        if rule.examples().trigger.is_empty() {
            missing.push(format!("{}: no example that triggers it", rule.id()));
        }
        if rule.examples().pass.is_empty() {
            missing.push(format!("{}: no example that passes", rule.id()));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn the_builtin_pack_covers_the_standards_clauses() {
    let pack = RulePack::builtin().expect("loads");
    // 001 三(一)1 工作忌语 1)–18): each has a rule citing it.
    for n in 1..=18 {
        let clause = format!("工作忌语 {n})");
        assert!(
            pack.rules()
                .iter()
                .any(|r| r.source().is_some_and(|s| s.contains(&clause))),
            "no rule cites 001 {clause}"
        );
    }
    // 002 第四篇 五: every clause with a 不可以说 line.
    for clause in [
        "五.一.1",
        "五.一.2",
        "五.一.4",
        "五.二.1",
        "五.三.2",
        "五.三.4",
        "五.四.1",
        "五.四.2",
        "五.四.3",
        "五.四.4",
        "五.四.5",
        "五.四.6",
        "五.四.7",
        "五.五.8",
        "五.六.1",
        "五.六.2",
    ] {
        assert!(
            pack.rules()
                .iter()
                .any(|r| r.source().is_some_and(|s| s.contains(clause))
                    && r.id().starts_with("forbidden.")),
            "no forbidden rule cites 002 第四篇 {clause}"
        );
    }
    // Every 002 不可以说 rule carries the script to say instead.
    for rule in pack
        .rules()
        .iter()
        .filter(|r| r.source().is_some_and(|s| s.starts_with("002")))
    {
        assert!(rule.suggest().is_some(), "{} has no suggestion", rule.id());
    }
    for id in [
        "forbidden.bare-no",
        "forbidden.not-clear",
        "forbidden.dont-know",
        "opening.greeting",
        "closing.goodbye",
        "courtesy.please",
        "courtesy.thanks",
        "privacy.id-card",
        "privacy.bank-card",
        "privacy.mobile",
    ] {
        assert!(pack.rule(id).is_some(), "{id} is missing");
    }
}

#[test]
fn checker_is_send_sync_and_cheap_to_clone() {
    fn shared<T: Send + Sync + Clone + 'static>() {}
    shared::<Checker>();
    shared::<RulePack>();
    shared::<huashu::Report>();
    shared::<huashu::PackError>();
    // A live session moves between a server's threads and may be read from several.
    shared::<huashu::Session>();
    let checker = Checker::builtin().expect("loads");
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let checker = checker.clone();
            std::thread::spawn(move || checker.check_message(huashu::Role::Agent, "不知道！").len())
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().expect("thread"), 1);
    }
}

#[test]
fn the_readme_lists_every_builtin_rule() {
    let readme = include_str!("../README.md");
    let pack = RulePack::builtin().expect("loads");
    let missing: Vec<&str> = pack
        .rules()
        .iter()
        .map(|r| r.id())
        .filter(|id| !readme.contains(&format!("| `{id}` |")))
        .collect();
    assert!(missing.is_empty(), "README.md does not list: {missing:?}");
}

#[test]
fn the_pack_directory_loads_like_the_embedded_pack() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/zh-CN");
    let from_dir = RulePack::from_path(dir).expect("the directory loads");
    let builtin = RulePack::builtin().expect("loads");
    let ids = |p: &RulePack| {
        p.rules()
            .iter()
            .map(|r| r.id().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&from_dir), ids(&builtin));
    assert_eq!(from_dir.scoring(), builtin.scoring());
}
