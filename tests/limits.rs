//! Every input size has a limit, and going past it is a located error, never an abort or a
//! compile that does not finish.

use huashu::RulePack;

fn pack_error(rule: &str) -> String {
    let toml = format!(
        "[pack]\nname = \"limits\"\n\n[[rule]]\nid = \"forbidden.x\"\nkind = \"forbidden\"\n{rule}\nseverity = \"minor\"\nmessage = \"m\"\n"
    );
    match RulePack::from_toml("limits.toml", &toml).and_then(|p| p.compile()) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_phrase_longer_than_the_limit_is_refused_at_its_place() {
    let long = "不".repeat(1_001);
    let error = pack_error(&format!("phrases = [\"好的\", \"{long}\"]"));
    assert!(error.contains("limits.toml:7:"), "{error}");
    assert!(
        error.contains("1001 characters long, more than the limit of 1000"),
        "{error}"
    );
    // At the limit it compiles, and a turn that holds it is found.
    let at_limit = "不".repeat(1_000);
    assert_eq!(pack_error(&format!("phrases = [\"{at_limit}\"]")), "");
}

#[test]
fn too_many_phrases_in_one_rule_are_refused() {
    let phrases: Vec<String> = (0..10_001).map(|i| format!("\"词{i}\"")).collect();
    let error = pack_error(&format!("phrases = [{}]", phrases.join(", ")));
    assert!(
        error.contains("10001 phrases, more than the limit of 10000"),
        "{error}"
    );
}

#[test]
fn a_phrase_of_slots_alone_is_refused() {
    for phrase in ["{any}", "{number}", " {any} "] {
        let error = pack_error(&format!("phrases = [\"{phrase}\"]"));
        assert!(error.contains("slots alone"), "{phrase}: {error}");
    }
    assert_eq!(pack_error("phrases = [\"我是{number}号\"]"), "");
}

#[test]
fn a_regex_past_the_size_limit_names_the_limit() {
    let error = pack_error("patterns = ['a{1000}{1000}']");
    assert!(error.contains("limits.toml:7:"), "{error}");
    assert!(
        error.contains("too big") && error.contains("size limit of 10 MiB"),
        "{error}"
    );
}
