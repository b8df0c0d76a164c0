//! Live sessions: what each pushed turn makes certain, what is still owed with its deadline,
//! and a finished session giving exactly the batch report. The equivalence is a property test
//! over generated conversations, with a fixed seed.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use huashu::{Channel, Checker, Due, Report, Role, Transcript, Turn};

fn checker() -> Checker {
    Checker::builtin().expect("the built-in pack compiles")
}

#[test]
fn a_chat_backend_warns_before_the_deadline() {
    let checker = checker();
    let mut session = checker.session("chat-42", Some(Channel::Chat));
    let update = session.push(Turn::at(
        Role::Agent,
        "您好，我是客服李娜，很高兴为您服务。",
        0.0,
    ));
    assert!(update.findings.is_empty());

    // The customer thanks: the next reply owes an acknowledgement.
    let update = session.push(Turn::at(Role::Customer, "好的，谢谢你。", 10.0));
    let owed: Vec<(&str, Due)> = update.pending.iter().map(|o| (&*o.rule, o.due)).collect();
    assert!(
        owed.contains(&(
            "situation.thanks",
            Due::Turns {
                role: Role::Agent,
                count: 1
            }
        )),
        "{owed:?}"
    );
    assert!(
        owed.contains(&("timing.reply", Due::At { seconds: 40.0 })),
        "{owed:?}"
    );

    // A draft that ignores the thanks would make it certain; the backend can warn first.
    let draft = session.preview(Turn::at(Role::Agent, "嗯。", 15.0));
    assert_eq!(
        draft.findings.iter().map(|f| &*f.rule).collect::<Vec<_>>(),
        vec!["situation.thanks"]
    );
    // The preview changed nothing.
    assert_eq!(session.transcript().turns.len(), 2);

    let update = session.push(Turn::at(Role::Agent, "不客气，这是我们应该做的。", 15.0));
    assert!(update.findings.is_empty(), "{:?}", update.findings);
    assert!(
        !update
            .pending
            .iter()
            .any(|o| &*o.rule == "situation.thanks")
    );

    // A hold: come back within the hold's limit, with an apology.
    let update = session.push(Turn::at(Role::Agent, "请您稍等，我查一下订单。", 20.0));
    let hold: Vec<(&str, Due)> = update
        .pending
        .iter()
        .filter(|o| o.rule.starts_with("timing.hold") || &*o.rule == "situation.hold")
        .map(|o| (&*o.rule, o.due))
        .collect();
    assert_eq!(
        hold,
        vec![
            (
                "situation.hold",
                Due::Turns {
                    role: Role::Agent,
                    count: 1
                }
            ),
            ("timing.hold-return", Due::At { seconds: 80.0 }),
        ]
    );
    // A forbidden phrase is certain at once.
    let update = session.push(Turn::at(
        Role::Agent,
        "查到了，不知道为什么还没发货。",
        50.0,
    ));
    let certain: Vec<&str> = update.findings.iter().map(|f| &*f.rule).collect();
    assert_eq!(certain, vec!["situation.hold", "forbidden.dont-know"]);

    let report = session.finish();
    assert!(report.findings.iter().any(|f| &*f.rule == "situation.hold"));
}

#[test]
fn sessions_share_one_checker() {
    let checker = checker();
    let sessions: Vec<_> = (0..1000)
        .map(|i| checker.session(format!("chat-{i}"), Some(Channel::Chat)))
        .collect();
    assert_eq!(sessions.len(), 1000);
    // Each session holds only its own turns; the compiled pack is shared.
    assert!(std::mem::size_of_val(&sessions[0]) < 256);
}

/// Phrases that trigger and satisfy the built-in conversation rules, and some that break them,
/// to make conversations where every kind of rule has something to judge.
const CUSTOMER: &[&str] = &[
    "你好，我想查一下订单。",
    "好的，谢谢你。",
    "不好意思，刚才说错了。",
    "我要投诉你们！",
    "怎么这么久才回？",
    "我建议你们加个提醒功能。",
    "我姓王。",
    "打错了。",
    "听不清。",
    "再见。",
    "在吗？",
    "",
];
const AGENT: &[&str] = &[
    "您好，我是客服李娜，很高兴为您服务。",
    "请您稍等，我查一下。",
    "让您久等了，明天送达。",
    "不客气，这是我们应该做的。",
    "没关系，请不必介意。",
    "非常抱歉，给您添麻烦了。",
    "这个需要核实一下，我们会在24小时内回复您。",
    "谢谢您的宝贵建议。",
    "王先生，请问还有什么可以帮您？",
    "这个我不知道。",
    "感谢您的来电，再见！",
    "嗯。",
    "这里是蚁集客户服务中心，请您查证后再拨。",
    "您的手机号是13812345678。",
];
const OTHER: &[&str] = &["[静音]", "客服李娜已接入", "正在为您转接人工客服"];

fn conversation(choices: &[(u8, u8, u8)], channel: u8, timed: bool) -> Transcript {
    let mut turns = Vec::new();
    let mut time = 0.0;
    for &(who, what, gap) in choices {
        let (role, text) = match who % 7 {
            0..=2 => (Role::Customer, CUSTOMER[what as usize % CUSTOMER.len()]),
            3..=5 => (Role::Agent, AGENT[what as usize % AGENT.len()]),
            _ => (
                if what % 2 == 0 {
                    Role::System
                } else {
                    Role::Bot
                },
                OTHER[what as usize % OTHER.len()],
            ),
        };
        time += f64::from(gap % 90);
        turns.push(Turn {
            role,
            text: text.to_string(),
            time: timed.then_some(time),
        });
    }
    let mut t = Transcript::new("generated", turns);
    t.channel = match channel % 4 {
        0 => Some(Channel::Phone),
        1 => Some(Channel::Chat),
        2 => Some(Channel::Email),
        _ => None,
    };
    t.agent = Some("李娜".to_string());
    t
}

type Key = (String, Option<usize>, Option<usize>, Option<usize>);

fn keys(report: &Report) -> Vec<Key> {
    let mut keys: Vec<Key> = report
        .findings
        .iter()
        .map(|f| (f.rule.to_string(), f.turn, f.byte_start, f.byte_end))
        .collect();
    keys.sort();
    keys
}

#[test]
fn a_finished_session_gives_the_batch_report_and_never_claims_too_early() {
    let checker = checker();
    let config = Config {
        cases: 400,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[42; 32]));
    let strategy = (
        proptest::collection::vec((any::<u8>(), any::<u8>(), any::<u8>()), 0..16),
        any::<u8>(),
        any::<bool>(),
    );
    let result = runner.run(&strategy, |(choices, channel, timed)| {
        let transcript = conversation(&choices, channel, timed);
        let batch = checker.check(&transcript);
        let mut session = checker.session(transcript.id.clone(), transcript.channel);
        if let Some(agent) = &transcript.agent {
            session.set_agent(agent.clone());
        }
        let mut certain: Vec<Key> = Vec::new();
        for turn in &transcript.turns {
            let update = session.push(turn.clone());
            for f in update.findings {
                certain.push((f.rule.to_string(), f.turn, f.byte_start, f.byte_end));
            }
        }
        let live = session.finish();
        prop_assert_eq!(
            &live,
            &batch,
            "live and batch differ for {:?}",
            transcript.turns
        );
        // Whatever a push called certain is in the final report: no finding was announced and
        // then taken back.
        let final_keys = keys(&batch);
        for key in &certain {
            prop_assert!(
                final_keys.contains(key),
                "{:?} was reported live but not in the final report of {:?}",
                key,
                transcript.turns
            );
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// An agent who takes over a chat: what the new name meets is owed no more at the next push,
/// whoever speaks in it.
#[test]
fn a_new_agent_is_judged_at_the_next_push() {
    let checker = checker();
    let owes_signature = |session: &huashu::Session| {
        session
            .pending()
            .iter()
            .any(|o| &*o.rule == "email.signature")
    };
    let mut session = checker.session("handover", Some(Channel::Email));
    session.set_agent("李娜");
    session.push(Turn::new(Role::Agent, "您好，我是王芳"));
    assert!(owes_signature(&session), "李娜 has not signed");
    session.set_agent("王芳");
    session.push(Turn::new(Role::Customer, "好的"));
    assert!(
        !owes_signature(&session),
        "王芳 signed the last reply: {:?}",
        session.pending()
    );
    // The same conversation checked whole, with the agent it ended with, agrees.
    let mut transcript = session.transcript().clone();
    transcript.agent = Some("王芳".into());
    assert_eq!(session.finish(), checker.check(&transcript));
}
