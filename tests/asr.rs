//! Phone calls transcribed by speech recognition: required scripts match tolerantly (fillers,
//! one dropped or misheard character, 你/您 alike), forbidden phrases stay exact, and rules
//! that ASR cannot judge are left out.

use huashu::{Checker, Match, Role, Source, Transcript, Turn};

fn call(source: Source, opening: &str, closing: &str) -> Transcript {
    let mut t = Transcript::new(
        "asr-call",
        vec![
            Turn::new(Role::Agent, opening),
            Turn::new(Role::Customer, "喂我想问一下我的话费怎么扣了这么多"),
            Turn::new(
                Role::Agent,
                "呃好的您稍等我帮您查一下那个是上个月的流量包费用",
            ),
            Turn::new(Role::Customer, "哦这样啊那好吧没有别的了"),
            Turn::new(Role::Agent, closing),
        ],
    );
    t.channel = Some(huashu::Channel::Phone);
    t.source = source;
    t
}

fn rules(checker: &Checker, t: &Transcript, prefix: &[&str]) -> Vec<String> {
    checker
        .check(t)
        .findings
        .iter()
        .map(|f| f.rule.to_string())
        .filter(|r| prefix.iter().any(|p| r.starts_with(p)))
        .collect()
}

const OPENING: &str = "嗯您好那个我是呃八号客服很高兴您服务";
const CLOSING: &str = "嗯感谢您的来店那个在见";

#[test]
fn fillers_and_a_dropped_character_do_not_make_a_script_missing() {
    let checker = Checker::builtin().expect("compiles");
    let asr = call(Source::Asr, OPENING, CLOSING);
    assert_eq!(
        rules(&checker, &asr, &["opening.", "closing."]),
        Vec::<String>::new()
    );
    let report = checker.check(&asr);
    let tolerant: Vec<&str> = report.tolerant.iter().map(|m| &*m.rule).collect();
    assert!(tolerant.contains(&"opening.offer-help"), "{tolerant:?}");
    assert!(tolerant.contains(&"closing.goodbye"), "{tolerant:?}");
    assert!(report.tolerant.iter().all(|m| m.matched == Match::Tolerant));
    // The same words typed in a chat are judged exactly: the scripts are not there as written.
    let typed = call(Source::Text, OPENING, CLOSING);
    let missing = rules(&checker, &typed, &["opening.", "closing."]);
    assert!(
        missing.contains(&"opening.offer-help".to_string()),
        "{missing:?}"
    );
    assert!(
        missing.contains(&"closing.goodbye".to_string()),
        "{missing:?}"
    );
}

#[test]
fn scripts_really_missing_are_still_flagged() {
    let checker = Checker::builtin().expect("compiles");
    let asr = call(Source::Asr, "喂嗯说吧什么事", "嗯好的那就这样");
    let found = rules(&checker, &asr, &["opening.", "closing."]);
    for rule in [
        "opening.greeting",
        "opening.self-introduction",
        "opening.offer-help",
        "closing.goodbye",
        "closing.thanks",
    ] {
        assert!(found.contains(&rule.to_string()), "{rule} not in {found:?}");
    }
}

#[test]
fn forbidden_phrases_stay_exact_and_ni_hao_is_not_judged() {
    let checker = Checker::builtin().expect("compiles");
    // 你好 cannot be told from 您好 by ear: not a slip on an ASR call, still one in a chat.
    let asr = call(Source::Asr, "你好我是八号客服很高兴为您服务", CLOSING);
    assert!(!rules(&checker, &asr, &["forbidden."]).contains(&"forbidden.ni-hao".to_string()));
    let typed = call(
        Source::Text,
        "你好我是八号客服很高兴为您服务",
        "感谢您的来电，再见",
    );
    assert!(rules(&checker, &typed, &["forbidden."]).contains(&"forbidden.ni-hao".to_string()));
    // A near miss of a forbidden phrase is not a violation: 不知到 is not 不知道.
    let asr = call(Source::Asr, OPENING, "嗯这个我不知到那个感谢您的来电再见");
    assert!(rules(&checker, &asr, &["forbidden."]).is_empty());
    let asr = call(Source::Asr, OPENING, "嗯这个我不知道那个感谢您的来电再见");
    assert_eq!(
        rules(&checker, &asr, &["forbidden."]),
        vec!["forbidden.dont-know"]
    );
}

#[test]
fn findings_say_how_they_matched() {
    let checker = Checker::builtin().expect("compiles");
    let exact = checker.check_message(Role::Agent, "我不知道");
    assert_eq!(exact[0].matched, Some(Match::Exact));
    let folded = checker.check_message(Role::Agent, "我不 知 道");
    assert_eq!(folded[0].matched, Some(Match::Normalized));
}
