//! Matching on real, messy agent text with the built-in pack: evasions that must be caught
//! (traditional characters, full-width forms, separators between characters) with spans on the
//! original text, and benign sentences that contain a taboo substring and must not be flagged.

use huashu::{Channel, Checker, Finding, Role, Transcript, Turn};

mod support;
use support::{checker, string};

/// Findings of turn-level rules for one agent chat message.
fn turn_findings(checker: &Checker, text: &str) -> Vec<Finding> {
    let t = Transcript::new("t", vec![Turn::new(Role::Agent, text)]).with_channel(Channel::Chat);
    checker
        .check(&t)
        .findings
        .into_iter()
        .filter(|f| f.turn.is_some())
        .collect()
}

#[test]
fn evasions_are_caught_with_the_original_span() {
    let source = include_str!("corpus/adversarial.toml");
    let doc = toml::de::DeTable::parse(source).expect("valid TOML");
    let checker = checker();
    let mut failures = Vec::new();
    let mut cases = 0;
    for (key, value) in doc.get_ref().iter() {
        let items = value.get_ref().as_array().expect("an array of tables");
        for item in items.iter() {
            let table = item.get_ref().as_table().expect("a table");
            let text = string(table, "text");
            let found = turn_findings(&checker, text);
            cases += 1;
            match key.get_ref().as_ref() {
                "caught" => {
                    let rule = string(table, "rule");
                    let hit = string(table, "hit");
                    let ok = found.iter().any(|f| {
                        &*f.rule == rule
                            && f.text.as_deref() == Some(hit)
                            && f.byte_start.zip(f.byte_end).map(|(s, e)| &text[s..e]) == Some(hit)
                            && f.start
                                .zip(f.end)
                                .map(|(s, e)| text.chars().skip(s).take(e - s).collect::<String>())
                                == Some(hit.to_string())
                    });
                    if !ok {
                        failures.push(format!(
                            "not caught as {rule} {hit:?}: {text:?} -> {found:?}"
                        ));
                    }
                }
                "benign" => {
                    if !found.is_empty() {
                        let rules: Vec<String> = found
                            .iter()
                            .map(|f| format!("{} {:?}", f.rule, f.text))
                            .collect();
                        failures.push(format!("flagged {text:?}: {}", rules.join(", ")));
                    }
                }
                other => panic!("unknown section {other}"),
            }
        }
    }
    assert!(cases >= 30, "only {cases} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn benign_sentences_with_taboo_substrings_are_not_flagged() {
    let checker = checker();
    let sentences: Vec<&str> = include_str!("corpus/benign.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert!(sentences.len() >= 45, "only {} sentences", sentences.len());
    let mut flagged = Vec::new();
    for sentence in &sentences {
        let found: Vec<String> = turn_findings(&checker, sentence)
            .iter()
            .filter(|f| f.rule.starts_with("forbidden."))
            .map(|f| format!("{} {:?}", f.rule, f.text))
            .collect();
        if !found.is_empty() {
            flagged.push(format!("{sentence} -> {}", found.join(", ")));
        }
    }
    assert!(flagged.is_empty(), "false alarms:\n{}", flagged.join("\n"));
}

#[test]
fn every_taboo_of_001_is_caught_in_traditional_half_width_and_spaced_forms() {
    // The 18 工作忌语 as written in 001, with the rule each belongs to.
    let taboos = [
        ("不知道！", "forbidden.dont-know"),
        ("不管！", "forbidden.dont-care"),
        ("不行！", "forbidden.no-way"),
        ("不是告诉你了吗，怎么还问？", "forbidden.told-you-already"),
        ("讨厌！", "forbidden.annoying"),
        ("真笨！", "forbidden.stupid"),
        ("我没工夫！", "forbidden.no-time"),
        ("你问我，我问谁！", "forbidden.ask-who"),
        ("没看到我在忙吗！", "forbidden.im-busy"),
        ("你没长眼睛！", "forbidden.blind"),
        ("我就这态度！", "forbidden.my-attitude"),
        ("你找领导去呀！", "forbidden.go-to-manager"),
        ("你怎么这么多毛病！", "forbidden.so-many-problems"),
        ("怎么连基本常识都不懂！", "forbidden.common-sense"),
        ("你有什么资格！", "forbidden.what-right"),
        ("自己看着办！", "forbidden.figure-it-out"),
        ("你怎么这么不知趣！", "forbidden.tactless"),
        ("我不是为你一个人服务的！", "forbidden.not-only-you"),
    ];
    let checker = checker();
    let mut failures = Vec::new();
    for (taboo, rule) in taboos {
        let traditional = to_traditional(taboo);
        // Half-width punctuation, as typed with an English input method.
        let half_width: String = taboo
            .chars()
            .map(|c| match c {
                '！' => '!',
                '，' => ',',
                '？' => '?',
                c => c,
            })
            .collect();
        let spaced: String = taboo
            .chars()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        let disguised: String = to_traditional(taboo)
            .chars()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join("*");
        for variant in [
            taboo.to_string(),
            half_width,
            traditional,
            spaced,
            disguised,
        ] {
            let found = turn_findings(&checker, &variant);
            let hit = found.iter().find(|f| &*f.rule == rule);
            match hit {
                Some(f) => {
                    let (s, e) = (f.byte_start.unwrap_or(0), f.byte_end.unwrap_or(0));
                    if f.text.as_deref() != Some(&variant[s..e]) {
                        failures.push(format!(
                            "{rule}: span {s}..{e} of {variant:?} is not {:?}",
                            f.text
                        ));
                    }
                }
                None => failures.push(format!("{rule} misses {variant:?}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A traditional spelling of each taboo's characters where one differs (the reverse of the
/// OpenCC table for the characters used here).
fn to_traditional(s: &str) -> String {
    const PAIRS: &[(char, char)] = &[
        ('讨', '討'),
        ('厌', '厭'),
        ('没', '沒'),
        ('长', '長'),
        ('这', '這'),
        ('态', '態'),
        ('领', '領'),
        ('导', '導'),
        ('么', '麼'),
        ('识', '識'),
        ('资', '資'),
        ('着', '著'),
        ('办', '辦'),
        ('为', '為'),
        ('务', '務'),
        ('个', '個'),
        ('问', '問'),
        ('谁', '誰'),
        ('告', '告'),
        ('诉', '訴'),
        ('吗', '嗎'),
        ('还', '還'),
        ('连', '連'),
        ('础', '礎'),
        ('见', '見'),
        ('笨', '笨'),
        ('乐', '樂'),
        ('们', '們'),
        ('说', '說'),
        ('话', '話'),
        ('懂', '懂'),
        ('趣', '趣'),
        ('这', '這'),
        ('该', '該'),
        ('看', '看'),
        ('到', '到'),
        ('忙', '忙'),
        ('毛', '毛'),
        ('病', '病'),
        ('夫', '夫'),
        ('工', '工'),
        ('格', '格'),
    ];
    s.chars()
        .map(|c| PAIRS.iter().find(|(s, _)| *s == c).map_or(c, |(_, t)| *t))
        .collect()
}

#[test]
fn turns_without_a_candidate_never_reach_the_segmenter() {
    // A fresh pack of its own, so that other tests sharing the process do not count here.
    let checker = huashu::RulePack::from_toml(
        "words.toml",
        r#"
[pack]
name = "words"

[segmenter]
words = ["蚁集网"]

[[rule]]
id = "forbidden.stupid"
kind = "forbidden"
phrases = ["真笨"]
boundary = "word"
severity = "major"
message = "m"
"#,
    )
    .and_then(|p| p.compile())
    .expect("compiles");
    assert_eq!(checker.stats().segmented_turns, 0);
    assert!(!checker.stats().segmenter_loaded);
    for text in [
        "您好，请问有什么可以帮助您？",
        "订单已经发货了。",
        "好的，谢谢。",
    ] {
        assert!(checker.check_message(Role::Agent, text).is_empty());
    }
    assert_eq!(
        checker.stats().segmented_turns,
        0,
        "no candidate, no segmentation"
    );
    assert!(!checker.stats().segmenter_loaded);
    assert_eq!(
        checker
            .check_message(Role::Agent, "这台洗衣机真笨重。")
            .len(),
        0
    );
    assert_eq!(checker.check_message(Role::Agent, "你真笨！").len(), 1);
    assert_eq!(
        checker.stats().segmented_turns,
        2,
        "only the two turns with 真笨"
    );
    assert!(checker.stats().segmenter_loaded);
}

#[test]
fn words_from_the_pack_change_word_boundaries() {
    let pack = |words: &str| {
        huashu::RulePack::from_toml(
            "words.toml",
            &format!(
                "[pack]\nname = \"w\"\n[segmenter]\nwords = [{words}]\n[[rule]]\nid = \"forbidden.points\"\nkind = \"forbidden\"\nphrases = [\"积分\"]\nboundary = \"word\"\nseverity = \"minor\"\nmessage = \"m\"\n"
            ),
        )
        .and_then(|p| p.compile())
        .expect("compiles")
    };
    let text = "您可以在蚁集积分商城兑换礼品。";
    assert_eq!(pack("").check_message(Role::Agent, text).len(), 1);
    assert_eq!(
        pack("\"积分商城\"").check_message(Role::Agent, text).len(),
        0,
        "积分 is inside the product name 积分商城"
    );
}

#[test]
fn a_live_message_check_agrees_with_the_transcript_check() {
    // `check_message` runs a matcher of its own, holding only the rules of a single turn:
    // on every text of the corpora it must find what checking the text as a transcript finds.
    let adversarial = include_str!("corpus/adversarial.toml");
    let mut texts: Vec<String> = include_str!("corpus/benign.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    let doc = toml::de::DeTable::parse(adversarial).expect("valid TOML");
    for (_, value) in doc.get_ref().iter() {
        for item in value.get_ref().as_array().expect("an array").iter() {
            texts.push(string(item.get_ref().as_table().expect("a table"), "text").to_string());
        }
    }
    let checker = checker();
    let mut flagged = 0;
    for text in &texts {
        // Deductions differ: a one-turn chat is too short to be scored.
        let key = |f: &Finding| (f.rule.to_string(), f.byte_start, f.byte_end);
        let live: Vec<_> = checker
            .check_message(Role::Agent, text)
            .iter()
            .map(key)
            .collect();
        let batch: Vec<_> = turn_findings(&checker, text)
            .iter()
            .filter(|f| f.rule.starts_with("forbidden.") || f.rule.starts_with("privacy."))
            .map(key)
            .collect();
        assert_eq!(live, batch, "{text}");
        flagged += usize::from(!live.is_empty());
    }
    assert!(flagged >= 20, "only {flagged} texts flagged");
}
