//! End-to-end checks with the built-in pack: one realistic transcript per rule category, with
//! the findings and the score it must produce.

use huashu::read::parse_json_record;
use huashu::{Checker, Report, Role, RulePack, Transcript};

fn checker() -> Checker {
    Checker::builtin().expect("the built-in pack compiles")
}

fn transcript(json: &str) -> Transcript {
    parse_json_record(json, 1).expect("valid transcript")
}

/// (rule, turn, text) of every finding, in report order.
fn findings(report: &Report) -> Vec<(String, Option<usize>, Option<String>)> {
    report
        .findings
        .iter()
        .map(|f| (f.rule.to_string(), f.turn, f.text.clone()))
        .collect()
}

fn at(rule: &str, turn: usize, text: &str) -> (String, Option<usize>, Option<String>) {
    (rule.to_string(), Some(turn), Some(text.to_string()))
}

fn whole(rule: &str) -> (String, Option<usize>, Option<String>) {
    (rule.to_string(), None, None)
}

#[test]
fn a_clean_call_scores_full_marks() {
    let t = transcript(
        r#"{"id":"clean","channel":"phone","agent":"1024","turns":[
        {"role":"agent","text":"您好！蚁集客户服务中心，我是1024号客服人员，很高兴为您服务。"},
        {"role":"customer","text":"你好，我想查一下我的订单到哪了。"},
        {"role":"agent","text":"好的，请问您的订单号是多少？"},
        {"role":"customer","text":"20240521003。"},
        {"role":"agent","text":"谢谢您，订单已经到达本市分拣中心，预计明天上午送达。"},
        {"role":"customer","text":"好的，谢谢。"},
        {"role":"agent","text":"不客气。请问还有什么可以帮助您？"},
        {"role":"customer","text":"没有了。"},
        {"role":"agent","text":"感谢您的来电，再见！"}]}"#,
    );
    let report = checker().check(&t);
    assert_eq!(findings(&report), vec![]);
    assert_eq!(report.score, Some(100));
    assert!(report.passed == Some(true));
}

#[test]
fn forbidden_phrases_in_a_rude_call() {
    let t = transcript(
        r#"{"id":"rude","channel":"phone","turns":[
        {"role":"agent","text":"您好，我是2048号客服人员，很高兴为您服务。"},
        {"role":"customer","text":"我的退款怎么还没到？"},
        {"role":"agent","text":"这个我不知道，你找领导去呀！"},
        {"role":"customer","text":"你们到底管不管？"},
        {"role":"agent","text":"不管！我没工夫跟你说这些。"},
        {"role":"customer","text":"那我投诉你。"},
        {"role":"agent","text":"请便，谢谢。请问还有什么需要？感谢您的来电，再见。"}]}"#,
    );
    let report = checker().check(&t);
    assert_eq!(
        findings(&report),
        vec![
            at("forbidden.dont-know", 2, "不知道"),
            at("forbidden.go-to-manager", 2, "你找领导去"),
            at("forbidden.dont-care", 4, "不管"),
            at("forbidden.no-time", 4, "没工夫跟你"),
            // 那我投诉你。 is answered without an apology.
            at("situation.complaint-apology", 5, "投诉"),
        ]
    );
    assert_eq!(report.score, Some(55));
    assert!(report.passed == Some(false));
}

#[test]
fn an_opening_without_greeting_introduction_or_offer() {
    let t = transcript(
        r#"{"id":"opening","channel":"phone","turns":[
        {"role":"agent","text":"喂？"},
        {"role":"customer","text":"你好，我想问一下积分的事。"},
        {"role":"agent","text":"积分可以在App里兑换，请您打开“我的”页面。"},
        {"role":"customer","text":"好的，谢谢。"},
        {"role":"agent","text":"不客气，请问还有其他问题吗？感谢您的来电，再见！"}]}"#,
    );
    let report = checker().check(&t);
    assert_eq!(
        findings(&report),
        vec![
            whole("opening.greeting"),
            whole("opening.self-introduction"),
            whole("opening.offer-help"),
        ]
    );
    assert_eq!(report.score, Some(100 - 5 - 3 - 3));
    assert!(report.passed == Some(true));
}

#[test]
fn a_chat_that_ends_without_a_closing() {
    let t = transcript(
        r#"{"id":"closing","channel":"chat","agent":"李娜","turns":[
        {"role":"agent","text":"您好，我是客服李娜，很高兴为您服务。"},
        {"role":"customer","text":"发票怎么开？"},
        {"role":"agent","text":"请您在订单详情页点击“申请发票”，谢谢。"},
        {"role":"customer","text":"好"},
        {"role":"agent","text":"嗯嗯"}]}"#,
    );
    let report = checker().check(&t);
    assert_eq!(
        findings(&report),
        vec![whole("closing.goodbye"), whole("closing.thanks")]
    );
    assert_eq!(report.score, Some(100 - 5 - 3));
    // Without a goodbye there is no "anything else?" to ask before it.
    assert!(
        report
            .not_applicable
            .iter()
            .any(|n| &*n.rule == "closing.anything-else")
    );
}

#[test]
fn courtesy_forms_missing_from_a_whole_call() {
    let t = transcript(
        r#"{"id":"courtesy","channel":"phone","turns":[
        {"role":"agent","text":"您好，1024号客服为您服务。"},
        {"role":"customer","text":"我要改地址。"},
        {"role":"agent","text":"订单号发我。"},
        {"role":"customer","text":"20240521003"},
        {"role":"agent","text":"改好了。还有其他问题吗？"},
        {"role":"customer","text":"没了。"},
        {"role":"agent","text":"好的，再见。"}]}"#,
    );
    let report = checker().check(&t);
    assert_eq!(
        findings(&report),
        vec![
            whole("closing.thanks"),
            whole("courtesy.please"),
            whole("courtesy.thanks"),
        ]
    );
    assert_eq!(report.score, Some(91));
}

#[test]
fn customer_data_written_out_in_a_chat_is_fatal() {
    let t = transcript(
        r#"{"id":"privacy","channel":"chat","turns":[
        {"role":"agent","text":"您好，我是客服王强，很高兴为您服务。"},
        {"role":"customer","text":"帮我看看我绑定的卡。"},
        {"role":"agent","text":"请您核对：您绑定的银行卡号是 6222 0212 3456 7890 128，手机号13812345678。"},
        {"role":"customer","text":"好的，谢谢。"},
        {"role":"agent","text":"不客气，请问还有什么可以帮您？感谢您的咨询，再见！"}]}"#,
    );
    let report = checker().check(&t);
    assert_eq!(
        findings(&report),
        vec![
            at("privacy.bank-card", 2, "6222 0212 3456 7890 128"),
            at("privacy.mobile", 2, "13812345678"),
        ]
    );
    assert_eq!(report.score, Some(70));
    assert!(
        report.passed == Some(false),
        "a fatal finding fails the transcript"
    );

    // On the phone, reading a number back to confirm it is allowed.
    let mut call = t.clone();
    call.channel = Some(huashu::Channel::Phone);
    assert_eq!(findings(&checker().check(&call)), vec![]);
}

#[test]
fn what_customers_say_is_never_a_finding() {
    let t = transcript(
        r#"{"id":"angry-customer","channel":"phone","turns":[
        {"role":"agent","text":"您好，我是1024号客服人员，很高兴为您服务。"},
        {"role":"customer","text":"我不知道！你们真讨厌，不行！你找领导去呀！我的手机号13812345678，你没长眼睛吗？"},
        {"role":"agent","text":"对不起，给您添麻烦了，请您放心，我马上为您处理。谢谢您的耐心。"},
        {"role":"user","text":"不管！烦死了！"},
        {"role":"agent","text":"请问还有什么可以帮助您？感谢您的来电，再见！"}]}"#,
    );
    let report = checker().check(&t);
    assert_eq!(findings(&report), vec![]);
    assert_eq!(report.score, Some(100));
}

#[test]
fn spans_count_characters_and_bytes_of_the_original_text() {
    // Emoji (4 bytes), full-width letters (3 bytes) and CJK (3 bytes) before the hit.
    let findings = checker().check_message(Role::Agent, "😀ＡＢ这个我不知道。");
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(&*f.rule, "forbidden.dont-know");
    assert_eq!((f.start, f.end), (Some(6), Some(9)));
    assert_eq!((f.byte_start, f.byte_end), (Some(19), Some(28)));
    assert_eq!(f.text.as_deref(), Some("不知道"));
    let text = "😀ＡＢ这个我不知道。";
    assert_eq!(&text[19..28], "不知道");
    assert_eq!(text.chars().skip(6).take(3).collect::<String>(), "不知道");
}

#[test]
fn a_company_pack_extends_the_builtin_one() {
    let pack = RulePack::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/packs/acme.toml"
    ))
    .expect("the example pack loads");
    assert_eq!(pack.name(), "acme");
    assert!(pack.rule("opening.self-introduction").is_none(), "disabled");
    assert_eq!(
        pack.rule("privacy.mobile").map(|r| r.severity()),
        Some(huashu::Severity::Fatal)
    );
    assert_eq!(pack.rule("forbidden.bare-no").map(|r| r.deduct()), Some(4));
    assert_eq!(pack.scoring().pass_mark(), 85);
    let checker = pack.compile().expect("compiles");
    assert_eq!(checker.test_examples(), vec![]);
    let t = transcript(
        r#"{"id":"c","channel":"phone","turns":[
        {"role":"agent","text":"您好，客服中心，很高兴为您服务。"},
        {"role":"agent","text":"不。"},
        {"role":"agent","text":"不。请您稍等，谢谢。请问还有什么需要？感谢您的来电，再见！"}]}"#,
    );
    let report = checker.check(&t);
    let deducts: Vec<(String, u32)> = report
        .findings
        .iter()
        .map(|f| (f.rule.to_string(), f.deduct))
        .collect();
    assert_eq!(
        deducts,
        vec![
            ("forbidden.bare-no".to_string(), 4),
            ("forbidden.bare-no".to_string(), 2),
            ("opening.company-name".to_string(), 2),
        ]
    );
    assert_eq!(report.score, Some(92));
    assert!(report.passed == Some(true));
}

#[test]
fn empty_turns_and_odd_text_never_panic() {
    let checker = checker();
    for text in [
        "",
        " ",
        "\n",
        "不",
        "🙂",
        "\u{0}",
        "喂",
        "1",
        "62",
        "\u{FEFF}您好",
    ] {
        let t = Transcript::new(
            "odd",
            vec![
                huashu::Turn::new(Role::Agent, text),
                huashu::Turn::new(Role::Customer, text),
            ],
        );
        let report = checker.check(&t);
        assert!(report.score.is_some_and(|s| s <= 100));
        let _ = checker.check_message(Role::Agent, text);
    }
}

/// Every transcript of the bundled JSON Lines examples.
fn bundled_transcripts() -> Vec<Transcript> {
    let mut transcripts = Vec::new();
    for file in ["phone-calls.jsonl", "chats.jsonl", "emails.jsonl"] {
        let path = format!("{}/examples/transcripts/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("the bundled examples");
        for (i, line) in text.lines().enumerate() {
            transcripts.push(parse_json_record(line, i + 1).expect("valid transcript"));
        }
    }
    assert!(!transcripts.is_empty(), "no bundled transcripts");
    transcripts
}

#[test]
fn a_report_without_the_ledger_is_the_same_report_with_an_empty_ledger() {
    let checker = checker();
    let mut ledgers = 0;
    for t in bundled_transcripts() {
        let mut full = checker.check(&t);
        ledgers += full.ledger.len();
        let lean = checker.check_without_ledger(&t);
        assert!(lean.ledger.is_empty(), "{}: no ledger", t.id);
        full.ledger.clear();
        assert_eq!(lean, full, "{}: all but the ledger", t.id);
    }
    // The examples deduct, so the full reports had ledgers to leave out.
    assert!(ledgers > 0);
}

/// Live messages are checked by the built-in pack's single-turn rules, whose matchers are
/// built apart from the others' and whose regex slots are then moved past theirs. Every turn
/// of the bundled transcripts, as a message, gets the findings that a pack of only those
/// rules gives (its one set of matchers keeps its slots), whether the checker was compiled in
/// turn or, as the command line compiles it, inside `compile_in_parallel`.
#[test]
fn messages_are_checked_as_by_a_pack_of_only_the_single_turn_rules() {
    let pack = RulePack::builtin().expect("the built-in pack");
    let others: Vec<String> = pack
        .rules()
        .iter()
        .filter(|rule| rule.kind() != huashu::RuleKind::Forbidden)
        .map(|rule| format!("\"{}\"", rule.id()))
        .collect();
    assert!(!others.is_empty());
    let only = format!(
        "[pack]\nname = \"single-turn\"\nextends = \"zh-CN\"\ndisable = [{}]\n",
        others.join(", ")
    );
    let only = RulePack::from_toml("single-turn.toml", &only)
        .and_then(|p| p.compile())
        .expect("compiles");
    let in_turn = Checker::new(&pack).expect("compiles");
    #[cfg(feature = "parallel")]
    let side_by_side =
        RulePack::compile_in_parallel(|| RulePack::builtin().and_then(|p| p.compile()))
            .expect("compiles");
    #[cfg(not(feature = "parallel"))]
    let side_by_side = Checker::new(&pack).expect("compiles");
    let checkers = [in_turn, side_by_side];
    let mut findings = 0;
    for t in bundled_transcripts() {
        for turn in &t.turns {
            let expected = only.check_message(turn.role, &turn.text);
            findings += expected.len();
            for checker in &checkers {
                assert_eq!(
                    checker.check_message(turn.role, &turn.text),
                    expected,
                    "{}",
                    turn.text
                );
            }
        }
    }
    // Messages of the examples break rules, so the comparison saw findings.
    assert!(findings > 0);
}
