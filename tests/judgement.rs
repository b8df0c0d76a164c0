//! The built-in pack measured on labelled agent turns in the style of real chat, e-mail,
//! tickets and ASR calls: violations and their benign look-alikes, each labelled by two
//! reviewers. The figures may only go up: a change that loses precision or recall on real
//! phrasing fails here, with the cases it got wrong.
//!
//! - `tests/corpus/judgement.jsonl`, the development corpus: rules are tuned against it.
//! - `tests/corpus/judgement-holdout.jsonl`, written apart from it and never tuned on: it
//!   shows whether what was tuned generalises. Read its misses to learn what kind of phrasing
//!   fails, then add such phrasing to the development corpus, not rules for its sentences.
//! - `tests/corpus/judgement-fresh.jsonl`, written and labelled blind, by one reviewer who
//!   never saw the rules, after the refusal and taboo families were written; never tuned on.

use huashu::eval::{MismatchKind, read_corpus};
use huashu::{Checker, Role};

/// The figures the built-in pack reached on one corpus, rounded down. Raise them when a
/// change improves them; never lower them to let a change through.
struct Floors {
    precision: f64,
    recall: f64,
    case_precision: f64,
    case_recall: f64,
}

fn holds(path: &str, min_cases: usize, floors: Floors) {
    let text = std::fs::read_to_string(path).expect("the corpus reads");
    let cases = read_corpus(&text).unwrap_or_else(|errors| {
        panic!("{path} has unreadable cases: {errors:#?}");
    });
    assert!(cases.len() >= min_cases, "{} cases", cases.len());
    let report = Checker::builtin().expect("compiles").eval(&cases);
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
    let listing = |kind: MismatchKind| {
        report
            .mismatches
            .iter()
            .filter(|m| m.kind == kind)
            .map(|m| format!("  {} {}: {}", m.id, m.rule, m.text))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let defined = |x: Option<f64>| x.expect("the corpus expects and finds something");
    let (p, r) = (
        defined(report.overall.precision()),
        defined(report.overall.recall()),
    );
    assert!(
        p >= floors.precision,
        "{path}: precision {p:.3} < {}; false positives:\n{}",
        floors.precision,
        listing(MismatchKind::FalsePositive)
    );
    assert!(
        r >= floors.recall,
        "{path}: recall {r:.3} < {}; false negatives:\n{}",
        floors.recall,
        listing(MismatchKind::FalseNegative)
    );
    let flagged = report.cases_flagged;
    assert!(
        defined(flagged.precision()) >= floors.case_precision,
        "{path}: {flagged:?}"
    );
    assert!(
        defined(flagged.recall()) >= floors.case_recall,
        "{path}: {flagged:?}"
    );
}

#[test]
fn the_development_corpus_keeps_its_figures() {
    let text = std::fs::read_to_string("tests/corpus/judgement.jsonl").expect("reads");
    let cases = read_corpus(&text).expect("reads");
    let violations = cases.iter().filter(|c| !c.expect.is_empty()).count();
    assert!(violations >= 150 && cases.len() - violations >= 200);
    holds(
        "tests/corpus/judgement.jsonl",
        400,
        Floors {
            precision: 0.96,
            recall: 0.96,
            case_precision: 0.99,
            case_recall: 0.97,
        },
    );
}

#[test]
fn the_fresh_blind_corpus_keeps_its_figures() {
    holds(
        "tests/corpus/judgement-fresh.jsonl",
        160,
        Floors {
            precision: 0.91,
            recall: 0.86,
            case_precision: 0.94,
            case_recall: 0.87,
        },
    );
}

#[test]
fn the_held_out_corpus_keeps_its_figures() {
    holds(
        "tests/corpus/judgement-holdout.jsonl",
        200,
        Floors {
            precision: 0.83,
            recall: 0.56,
            case_precision: 0.90,
            case_recall: 0.61,
        },
    );
}

/// The forms a QA lead quotes when the checker is wrong: blunt answers that must be caught,
/// each with the rule it breaks, and look-alikes that must stay quiet.
#[test]
fn blunt_answers_are_caught_and_their_look_alikes_are_not() {
    let checker = Checker::builtin().expect("compiles");
    let rules = |text: &str| -> Vec<String> {
        checker
            .check_message(Role::Agent, text)
            .into_iter()
            .map(|f| f.rule.to_string())
            .collect()
    };
    let blunt = [
        ("这个我们不清楚的哦", "forbidden.not-clear"),
        ("现在是不行的啦", "forbidden.no-way"),
        ("不可能改的", "forbidden.impossible"),
        ("没办法嘛", "forbidden.refusal"),
        ("没办法了，您自己取消吧", "forbidden.refusal-unapologised"),
        ("这个没办法弄的哈", "forbidden.refusal"),
        ("不清楚的呢", "forbidden.not-clear"),
        ("我也没有办法", "forbidden.line-busy-excuse"),
        ("不可能帮你", "forbidden.impossible"),
        ("这个不行", "forbidden.no-way"),
        ("不是我负责的", "forbidden.push-away"),
        ("这不归我们管", "forbidden.push-away"),
        ("你懂不懂啊", "forbidden.contempt"),
        ("这都不会", "forbidden.contempt"),
        ("你是不是傻", "forbidden.contempt"),
        ("快说", "forbidden.impatience"),
        ("你到底要干嘛", "forbidden.impatience"),
        ("我很忙的", "forbidden.impatience"),
        ("都怪你自己", "forbidden.blame-customer"),
        ("是你自己没看清楚", "forbidden.blame-customer"),
        ("投诉我也没用", "forbidden.dismiss-complaint"),
        ("随便你去投诉", "forbidden.dismiss-complaint"),
        ("跟我没关系", "forbidden.push-away"),
        ("你问快递去", "forbidden.push-away"),
        ("不要就算了", "forbidden.ultimatum"),
        ("不买拉倒", "forbidden.ultimatum"),
        ("这个不知道", "forbidden.dont-know"),
    ];
    let mut wrong = Vec::new();
    for (text, rule) in blunt {
        let found = rules(text);
        if !found.iter().any(|r| r == rule) {
            wrong.push(format!("{text}: expected {rule}, found {found:?}"));
        }
    }
    let benign = [
        "不知道您方便吗",
        "不知道您现在能接电话吗",
        "如果还是不行的话，您再联系我",
        "不管怎样都会帮您处理",
        "仓库那边也不知道具体时间，我这边已经帮您催了",
        "系统不清楚原因的情况我们已经提交技术排查",
        "照片拍得看不清楚，麻烦您重拍一张",
        "电话里听不清楚，您能大声一点吗",
        "有不清楚的地方随时问我",
        "您说的“不知道”是我们服务不到位",
        "很抱歉，这个套餐当月没有办法变更，您可以下月一号起在营业厅办理",
        "请您不要着急，我马上帮您查",
        "非常理解您的心情",
        "您可以通过以下渠道投诉：官方APP或者客服热线",
        "这个不怪您，是我们的通知没发到位",
        "您是说之前的客服跟您说不行，是吗？",
    ];
    for text in benign {
        let found = rules(text);
        if !found.is_empty() {
            wrong.push(format!("{text}: expected nothing, found {found:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The context model runs only where a phrase already hit: clean turns never reach the
/// segmenter or the tagger, and a hit is tagged only when its clause needs it.
#[test]
fn clean_turns_never_reach_the_tagger() {
    let checker = Checker::builtin().expect("compiles");
    let before = checker.stats().segmented_turns;
    for text in [
        "您好，请问有什么可以帮您？",
        "好的，马上为您处理。",
        "我这边帮您查一下物流",
    ] {
        assert!(checker.check_message(Role::Agent, text).is_empty());
    }
    // A candidate whose clause is settled without tags (不清楚的呢: a particle after 的).
    assert!(!checker.check_message(Role::Agent, "不清楚的呢").is_empty());
    assert_eq!(checker.stats().segmented_turns, before);
    // 不清楚的地方: is 地方 a noun? Only the tagger can tell.
    assert!(
        checker
            .check_message(Role::Agent, "有不清楚的地方")
            .is_empty()
    );
    assert!(
        checker
            .check_message(Role::Agent, "还不清楚的问题")
            .is_empty()
    );
    assert!(checker.stats().segmented_turns > before);
}
