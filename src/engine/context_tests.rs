//! Boundaries and exceptions judged end to end, through a checker of one rule.

use crate::transcript::Role;
use crate::{Checker, RulePack};
fn checker(rule: &str) -> Checker {
    let toml = format!(
        "[pack]\nname = \"t\"\n[[rule]]\nid = \"forbidden.x\"\nkind = \"forbidden\"\nseverity = \"minor\"\nmessage = \"m\"\n{rule}\n"
    );
    RulePack::from_toml("t.toml", &toml)
        .expect("valid")
        .compile()
        .expect("compiles")
}

fn hits(checker: &Checker, text: &str) -> Vec<String> {
    checker
        .check_message(Role::Agent, text)
        .into_iter()
        .filter_map(|f| f.text)
        .collect()
}

#[test]
fn preceded_and_followed_by() {
    let c = checker(
        "phrases = [\"不知道\"]\nunless.preceded-by = [\"是不是\"]\nunless.followed-by = [\"您\"]",
    );
    assert_eq!(hits(&c, "我不知道。"), vec!["不知道"]);
    assert!(hits(&c, "您是不是不知道密码？").is_empty());
    assert!(
        hits(&c, "您是 不是 不知道密码？").is_empty(),
        "compared after normalization"
    );
    assert!(hits(&c, "不知道您是否方便？").is_empty());
}

#[test]
fn a_longer_allowed_phrase_wins() {
    let c = checker("phrases = [\"不管\"]\nunless.inside = [\"不管怎样\", \"不管你是谁都\"]");
    assert!(hits(&c, "不管怎样，我们都会处理。").is_empty());
    assert!(hits(&c, "不管你是谁都一样。").is_empty());
    assert_eq!(hits(&c, "不管你。"), vec!["不管"]);
}

#[test]
fn matches_excuse_hits_inside_them() {
    let c = checker("phrases = [\"不管\"]\nunless.matches = ['不管[^。！？]{0,12}都']");
    assert!(hits(&c, "不管您在哪里买的，都能保修。").is_empty());
    assert_eq!(hits(&c, "我不管你。"), vec!["不管"]);
}

#[test]
fn quoted_text_is_skipped() {
    let c = checker("phrases = [\"不知道\"]\nunless.quoted = true");
    assert!(hits(&c, "您说的“不知道”是我们服务不到位。").is_empty());
    assert!(hits(&c, "客户说「我不知道」。").is_empty());
    assert_eq!(hits(&c, "我不知道“为什么”。"), vec!["不知道"]);
}

#[test]
fn clause_boundaries_with_subjects_and_particles() {
    let c = checker(
        "phrases = [\"不行\"]\nboundary = \"clause\"\nsubjects = [\"这个\", \"那可\"]\nparticles = [\"啊\", \"了\"]",
    );
    assert_eq!(hits(&c, "不行！"), vec!["不行"]);
    assert_eq!(hits(&c, "好的 不行"), vec!["不行"], "a space ends a clause");
    assert_eq!(hits(&c, "这个不行。"), vec!["不行"]);
    assert_eq!(hits(&c, "那可不行了啊！"), vec!["不行"]);
    assert_eq!(hits(&c, "不行😠"), vec!["不行"]);
    assert!(hits(&c, "还不行的话再联系我们").is_empty());
    assert!(hits(&c, "行不行？").is_empty());
    assert!(hits(&c, "我们都不行。").is_empty(), "都 is not a subject");
    assert!(hits(&c, "不行吧").is_empty(), "吧 is not a particle here");
}

#[test]
fn letter_spaced_text_is_one_clause() {
    let c = checker("phrases = [\"不\"]\nboundary = \"clause\"\nsubjects = []\nparticles = []");
    assert_eq!(hits(&c, "不，这个没法退。"), vec!["不"]);
    assert!(hits(&c, "不 管 怎 样 都 会 帮 您").is_empty());
    assert_eq!(hits(&c, "好的 不 我不同意"), vec!["不"]);
}

#[test]
fn clause_end_only_looks_after() {
    let c = checker("phrases = [\"打错了\"]\nboundary = \"clause-end\"\nparticles = [\"吧\"]");
    assert_eq!(hits(&c, "您好像打错了吧。"), vec!["打错了"]);
    assert!(hits(&c, "打错了号码").is_empty());
}

#[test]
fn word_boundaries_use_the_segmenter() {
    let c = checker("phrases = [\"真笨\"]\nboundary = \"word\"");
    assert_eq!(hits(&c, "你真笨！"), vec!["真笨"]);
    assert!(hits(&c, "这个箱子真笨重。").is_empty());
    assert_eq!(c.stats().segmented_turns, 2);
}

#[test]
fn normalization_can_be_set_per_rule() {
    let c =
        checker("phrases = [\"找领导\"]\nnormalize = { separators = false, traditional = false }");
    assert_eq!(hits(&c, "你找领导去"), vec!["找领导"]);
    assert!(hits(&c, "你找 领导去").is_empty());
    assert!(hits(&c, "你找領導去").is_empty());
    let c = checker("phrases = [\"找领导\"]");
    assert_eq!(hits(&c, "你找 領導去"), vec!["找 領導"]);
    let c = checker("phrases = [\"不知道\"]\nnormalize = { repeats = true }");
    assert_eq!(hits(&c, "不不不知知道"), vec!["不不不知知道"]);
}

#[test]
fn patterns_are_folded_like_the_text() {
    // Written with full-width punctuation and traditional characters, matched against
    // simplified, half-width text, and the other way round.
    let c = checker("patterns = ['喂，說吧']");
    assert_eq!(hits(&c, "喂，说吧！"), vec!["喂，说吧"]);
    assert_eq!(hits(&c, "喂, 說吧"), vec!["喂, 說吧"]);
    let c = checker("patterns = ['(?P<hit>OK)吧']");
    assert_eq!(hits(&c, "ｏｋ吧"), vec!["ｏｋ"]);
}
