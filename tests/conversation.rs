//! Conversation rules with the built-in pack: one realistic transcript per situation (phone,
//! chat and e-mail), the timing semantics, fatal items, rules that do not apply, short chats
//! that are not scored, and the scorecard's dimensions and ledger.

use huashu::read::parse_text_transcript;
use huashu::{Channel, Report, Role, RulePack, Transcript, Turn};

mod support;
use support::{checker, string};

fn text(t: &str) -> Transcript {
    parse_text_transcript(t, "t").expect("a valid transcript")
}

fn rules(report: &Report) -> Vec<&str> {
    report.findings.iter().map(|f| &*f.rule).collect()
}

#[test]
fn every_situation_in_a_realistic_conversation() {
    let source = include_str!("corpus/situations.toml");
    let doc = toml::de::DeTable::parse(source).expect("valid TOML");
    let checker = checker();
    let mut failures = Vec::new();
    let mut covered = Vec::new();
    let mut channels = Vec::new();
    for (_, cases) in doc.get_ref().iter() {
        for case in cases.get_ref().as_array().expect("[[case]]").iter() {
            let case = case.get_ref().as_table().expect("a table");
            let rule = string(case, "rule");
            let trigger = string(case, "trigger");
            covered.push(rule.to_string());
            let bad = text(string(case, "bad"));
            channels.extend(bad.channel);
            let report = checker.check(&bad);
            let found = report
                .findings
                .iter()
                .find(|f| &*f.rule == rule)
                .map(|f| (f.text.clone(), f.evidence.is_some()));
            match found {
                Some((Some(t), true)) if t == trigger => {}
                other => failures.push(format!(
                    "{rule}: bad case gave {other:?} (want {trigger:?} with evidence); findings: {:?}",
                    rules(&report)
                )),
            }
            let good = checker.check(&text(string(case, "good")));
            if good.findings.iter().any(|f| &*f.rule == rule) {
                failures.push(format!("{rule}: good case flagged: {:?}", rules(&good)));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every situation rule of the pack has its conversation, and all three channels appear.
    let pack = RulePack::builtin().expect("loads");
    for rule in pack.rules() {
        if rule.kind() == huashu::RuleKind::Situation {
            assert!(
                covered.iter().any(|c| c == rule.id()),
                "no case for {}",
                rule.id()
            );
        }
    }
    for channel in [Channel::Phone, Channel::Chat, Channel::Email] {
        assert!(channels.contains(&channel), "no case on {channel}");
    }
}

fn timing(report: &Report) -> Vec<(String, Option<usize>, Option<f64>)> {
    report
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("timing."))
        .map(|f| {
            (
                f.rule.to_string(),
                f.turn,
                f.evidence.as_ref().and_then(|e| e.waited),
            )
        })
        .collect()
}

#[test]
fn the_clock_starts_at_the_first_unanswered_message_of_a_burst() {
    let t = text(
        "# channel: chat
[00:00:00] 客服：您好，我是客服李娜，很高兴为您服务。
[00:00:10] 客户：我的订单
[00:00:20] 客户：20240521003
[00:00:28] 客户：到哪了？
[00:00:45] 客服：明天送达。
[00:01:00] 客户：好的
[00:01:20] 客服：请问还有什么可以帮您？",
    );
    let report = checker().check(&t);
    // 35 s from 00:10 (not 17 s from 00:28); the next burst (00:01:00 → 00:01:20) is in time.
    assert_eq!(
        timing(&report),
        vec![("timing.reply".to_string(), Some(1), Some(35.0))]
    );
}

#[test]
fn system_and_bot_messages_do_not_count() {
    let t = text(
        "# channel: chat
[00:00:00] 客户：在吗？
[00:00:02] 机器人：您好，正在为您转接人工客服，请稍候。
[00:00:05] 系统：客服李娜已接入
[00:00:40] 客服：您好，我是客服李娜，很高兴为您服务。",
    );
    let report = checker().check(&t);
    // The bot's instant reply does not stop the clock: the customer waited 40 s for a person,
    // both for the first response and for the reply.
    assert_eq!(
        timing(&report),
        vec![
            ("timing.reply".to_string(), Some(0), Some(40.0)),
            ("timing.first-response".to_string(), Some(0), Some(40.0)),
        ]
    );
}

#[test]
fn a_hold_announcement_suspends_the_reply_clock_until_its_own_limit() {
    let base = "# channel: chat
[00:00:00] 客服：您好，我是客服王强，很高兴为您服务。
[00:00:05] 客户：帮我查一下退款。
[00:00:10] 客服：好的，请您稍等，我查询一下。
[00:00:12] 客户：好的";
    // Back 43 s after the customer's 好的: late for a reply, but within the 60 s hold.
    let in_time = text(&format!(
        "{base}\n[00:00:55] 客服：让您久等了，退款明天到账。"
    ));
    assert_eq!(timing(&checker().check(&in_time)), vec![]);
    // Back 63 s after: past the hold's limit too.
    let late = text(&format!(
        "{base}\n[00:01:15] 客服：让您久等了，退款明天到账。"
    ));
    let report = checker().check(&late);
    assert_eq!(
        timing(&report),
        vec![
            ("timing.hold-return".to_string(), Some(2), Some(65.0)),
            ("timing.reply".to_string(), Some(3), Some(63.0)),
        ]
    );
    let reply = report
        .findings
        .iter()
        .find(|f| &*f.rule == "timing.reply")
        .and_then(|f| f.evidence.as_ref())
        .expect("evidence");
    assert_eq!(reply.limit, Some(58.0));
    assert!(
        reply.detail.contains("the hold announced at 00:10"),
        "{}",
        reply.detail
    );
}

#[test]
fn transcripts_without_times_skip_timing_rules() {
    let t = text(
        "# channel: chat
客户：在吗？
客服：您好，我是客服李娜，很高兴为您服务。请问有什么可以帮您？",
    );
    let report = checker().check(&t);
    assert_eq!(timing(&report), vec![]);
    let na: Vec<(&str, &str)> = report
        .not_applicable
        .iter()
        .filter(|n| n.rule.starts_with("timing."))
        .map(|n| (&*n.rule, &*n.reason))
        .collect();
    assert_eq!(
        na,
        vec![
            ("timing.first-response", "the turns carry no times"),
            ("timing.hold-return", "the turns carry no times"),
            ("timing.reply", "the turns carry no times"),
        ]
    );
}

#[test]
fn a_fatal_item_fails_whatever_the_score() {
    let t = text(
        "# channel: chat
客服：您好，我是客服李娜，很高兴为您服务。
客户：我绑定的手机号是多少？
客服：请您核对，您绑定的手机号是 13812345678，谢谢。
客户：好的，谢谢。
客服：不客气，请问还有什么可以帮您？感谢您的咨询，再见！",
    );
    let mut pack = RulePack::builtin().expect("loads");
    pack = pack
        .layer_toml(
            "strict.toml",
            "[pack]\nname = \"strict\"\n[override.\"privacy.mobile\"]\nseverity = \"fatal\"\ndeduct = 1\n",
        )
        .expect("valid layer");
    let report = pack.compile().expect("compiles").check(&t);
    assert_eq!(rules(&report), vec!["privacy.mobile"]);
    assert_eq!(report.score, Some(99));
    assert_eq!(report.passed, Some(false));
    assert!(report.ledger[0].detail.contains("fatal"));
}

#[test]
fn rules_whose_trigger_never_happens_are_not_applicable() {
    let t = text(
        "# channel: phone
客服：您好，蚁集客户服务中心，我是1024号客服人员，很高兴为您服务。
客户：我想查订单。
客服：请您提供订单号，谢谢。
客户：20240521003。
客服：订单明天送达，请问还有什么可以帮助您？感谢您的来电，再见！",
    );
    let report = checker().check(&t);
    assert_eq!(rules(&report), Vec::<&str>::new());
    assert_eq!(report.score, Some(100));
    let surname = report
        .not_applicable
        .iter()
        .find(|n| &*n.rule == "situation.surname")
        .expect("listed");
    assert_eq!(surname.reason, "what triggers it never happened");
    // Not applicable is neither deducted nor counted as met: it is not in the ledger.
    assert!(report.ledger.is_empty());
}

#[test]
fn a_short_chat_is_not_scored() {
    let t = text(
        "# channel: chat
客户：在吗？
客服：您好",
    );
    let report = checker().check(&t);
    assert_eq!(report.score, None);
    assert_eq!(report.passed, None);
    assert_eq!(
        report.not_scored.as_deref(),
        Some("2 agent and customer turns; at least 3 are needed to score")
    );
    assert!(report.ledger.is_empty());
    assert!(report.findings.iter().all(|f| f.deduct == 0));
    // The same two turns on the phone are scored: the minimum is for chats.
    let mut call = t.clone();
    call.channel = Some(Channel::Phone);
    assert!(checker().check(&call).score.is_some());
}

#[test]
fn dimensions_add_up_and_the_ledger_explains_every_point() {
    let t = text(
        "# channel: phone
客服：喂？说吧。
客户：我要投诉你们的快递！
客服：这个我不知道，你找领导去呀。
客户：什么态度！
客服：我就这态度。不知道！不知道！",
    );
    let report = checker().check(&t);
    let score = report.score.expect("scored");
    let subtotal: u32 = report.dimensions.iter().map(|d| d.subtotal).sum();
    assert_eq!(subtotal, score);
    let maxes: Vec<(&str, u32)> = report
        .dimensions
        .iter()
        .map(|d| (d.name.as_str(), d.max))
        .collect();
    assert_eq!(
        maxes,
        vec![("服务规范", 30), ("服务态度", 40), ("服务流程", 30)]
    );
    // The ledger's points add up to the deduction, its balance ends at the score, and every
    // entry names its evidence.
    let points: u32 = report.ledger.iter().map(|e| e.points).sum();
    assert_eq!(100 - points, score);
    assert_eq!(report.ledger.last().map(|e| e.balance), Some(score));
    assert!(
        report
            .ledger
            .iter()
            .all(|e| !e.detail.is_empty() && e.dimension.is_some())
    );
    // The rule's cap: three 不知道 cost at most max-deduct = 20.
    let dont_know: u32 = report
        .ledger
        .iter()
        .filter(|e| &*e.rule == "forbidden.dont-know")
        .map(|e| e.points)
        .sum();
    assert!(dont_know <= 20);
}

#[test]
fn once_per_transcript_rules_deduct_once() {
    let pack = RulePack::builtin()
        .and_then(|p| {
            p.layer_toml(
                "once.toml",
                "[pack]\nname = \"once\"\n[override.\"forbidden.dont-know\"]\nper = \"transcript\"\n",
            )
        })
        .expect("valid");
    let report = pack.compile().expect("compiles").check(&Transcript::new(
        "t",
        vec![
            Turn::new(Role::Agent, "不知道。"),
            Turn::new(Role::Agent, "不知道。"),
        ],
    ));
    let points: Vec<u32> = report
        .ledger
        .iter()
        .filter(|e| &*e.rule == "forbidden.dont-know")
        .map(|e| e.points)
        .collect();
    assert_eq!(points, vec![10, 0]);
    assert!(report.ledger[1].detail.contains("once per transcript"));
}

#[test]
fn an_email_is_checked_for_salutation_signature_and_numbered_steps() {
    let t = text(
        "# channel: email
# agent: 陈晓
客户：换货怎么申请？
客服：您好：
首先登录蚁集网，然后进入我的订单，最后点击申请售后。谢谢！",
    );
    let report = checker().check(&t);
    let mut found: Vec<&str> = rules(&report)
        .into_iter()
        .filter(|r| r.starts_with("email."))
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            "email.numbered-steps",
            "email.salutation",
            "email.signature"
        ]
    );
    // Phone and chat rules do not judge an e-mail.
    assert!(
        !rules(&report)
            .iter()
            .any(|r| r.starts_with("opening.") || r.starts_with("closing."))
    );
}
