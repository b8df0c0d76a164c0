//! The direct reader against serde: it reads what serde reads, the same way, or declines.

use proptest::prelude::*;

use super::{direct, direct_reader_disagrees};

/// Records of the shapes that exports write, which the direct reader must read itself (else
/// every record would pay for both readers).
const COMMON: &[&str] = &[
    r#"{"id":"t1","turns":[{"role":"agent","text":"您好","time":1.5}]}"#,
    r#"{"agent":"1011","channel":"phone","id":"t000000001","turns":[{"role":"agent","text":"您好，蚁集客户服务中心。","time":19.0},{"role":"customer","text":"我建议你们加一个物流提醒。","time":34.0}]}"#,
    r#"{"id": 7, "channel": "chat", "source": "asr", "turns": [["agent", "您好"], ["customer", "在吗", 3]]}"#,
    r#"{"id": null, "agent": 1024, "queue": "售后", "tags": ["退款", {"level": 2}], "turns": [{"speaker": "客服", "content": "您好", "time": "2024-05-21T10:00:00+08:00", "msg_id": 9}]}"#,
    r#"{"id":"e1","turns":[{"role":"customer","text":"客服你好：\n我在5月20日下单\u7684咖啡机\"破损\"\ud83d\ude00","time":null}]}"#,
    "{\n  \"id\": \"pretty\",\n  \"turns\": [\n    {\"role\": \"agent\", \"text\": \"您好\"}\n  ]\n}",
];

#[test]
fn the_common_shapes_are_read_directly_and_as_serde_reads_them() {
    for text in COMMON {
        assert!(direct::read(text).is_some(), "declined: {text}");
        assert_eq!(direct_reader_disagrees(text), None, "{text}");
    }
}

#[test]
fn the_bundled_transcripts_are_read_directly_and_as_serde_reads_them() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/transcripts");
    let mut records = 0;
    for entry in std::fs::read_dir(dir).expect("examples/transcripts") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            let text = std::fs::read_to_string(&path).expect("a bundled file");
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                assert!(direct::read(line).is_some(), "{}: declined", path.display());
                assert_eq!(direct_reader_disagrees(line), None, "{}", path.display());
                records += 1;
            }
        }
    }
    assert!(records >= 9, "{records} records");
}

/// What the direct reader leaves to serde: each is declined, and serde reads or refuses it.
#[test]
fn what_the_direct_reader_does_not_read_is_left_to_serde() {
    for text in [
        r#"{"\u0069d":"t1","turns":[["agent","您好"]]}"#,
        r#"{"id":"a","id":"b","turns":[["agent","您好"]]}"#,
        r#"{"m":1,"m":2,"turns":[["agent","您好"]]}"#,
        r#"{"turns":[["agent","您好", -1]]}"#,
        r#"{"turns":[["agent","您好", 1e3]]}"#,
        r#"{"turns":[["agent","您好", 1234567890123456]]}"#,
        r#"{"turns":[["agent","您好", 01]]}"#,
        r#"{"turns":[["agent","您好", null]]}"#,
        r#"{"turns":[["agent","您好", 1, 2]]}"#,
        r#"{"turns":[["nobody","您好"]]}"#,
        r#"{"turns":[{"role":"agent"}]}"#,
        "{\"turns\":[[\"agent\",\"a\u{1}b\"]]}",
        r#"{"turns":[["agent","\ud83d"]]}"#,
        r#"{"turns":[["agent","\ude00"]]}"#,
        r#"{"turns":[["agent","\x"]]}"#,
        r#"{"turns":[["agent","您好"]]} x"#,
        r#"{"turns":[["agent","您好"]]"#,
        r#"{"id":"t1"}"#,
        r#"{}"#,
    ] {
        assert!(direct::read(text).is_none(), "read: {text}");
    }
}

/// serde reads a record in one reader, whose nesting limit counts the record's object: a
/// metadata value nested 126 deep is read, 127 deep is not, by either reader.
#[test]
fn deep_metadata_is_read_to_serde_s_limit_and_no_further() {
    for depth in [125, 126, 127, 128] {
        let text = format!(
            r#"{{"deep":{}{},"turns":[["agent","您好"]]}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        assert_eq!(direct_reader_disagrees(&text), None, "depth {depth}");
        assert_eq!(
            direct::read(&text).is_some(),
            super::serde_record(&text, 1).is_ok_and(|r| r.is_ok()),
            "depth {depth}"
        );
    }
}

/// With serde_json's `raw_value`, an object of its one special key stands for the value
/// written inside it, so a `Value` can be less deep than its text; serde's limit counts the
/// text. (Found in review: the direct reader once counted the levels of the `Value`.)
#[test]
fn metadata_nesting_is_counted_in_the_text() {
    for (depth, token) in [
        (125, r#"{"$serde_json::private::RawValue":"0"}"#),
        (126, r#"{"$serde_json::private::RawValue":"0"}"#),
        (126, r#"{"$serde_json::private::R\u0061wValue":"0"}"#),
        // Brackets in a string are not levels: 125 arrays and an object are 126.
        (125, r#"{"a":"[[[[\"]]]]"}"#),
    ] {
        let text = format!(
            r#"{{"m":{}{token}{},"turns":[["agent","x"]]}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        assert_eq!(
            direct_reader_disagrees(&text),
            None,
            "depth {depth}, {token}"
        );
        assert_eq!(
            direct::read(&text).is_some(),
            super::serde_record(&text, 1).is_ok_and(|r| r.is_ok()),
            "depth {depth}, {token}"
        );
    }
}

fn whitespace() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["", "", "", " ", "\n", "\t", "\r\n  "])
}

/// A piece of string content: plain text, escapes (mostly right), and raw control
/// characters.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-z0-9 ]{0,6}",
        6 => prop::sample::select(vec!["您好", "不知道", "，", "😀", "的", "\u{7f}", "\u{a0}"])
            .prop_map(String::from),
        3 => prop::sample::select(vec![
            r"\n", r#"\""#, r"\\", r"\/", r"\t", r"\b", r"\f", r"\r", r"\u4f60", r"\u4F60",
            r"\u0000", r"\ud83d\ude00",
        ])
        .prop_map(String::from),
        1 => prop::sample::select(vec![
            r"\ud83d", r"\ude00", r"\ud83dx", r"\ud83d\u0041", r"\x", r"\u12", r"\uzzzz",
            "\u{1}", "\t", "\n", "\u{1f}",
        ])
        .prop_map(String::from),
    ]
}

fn string() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..5).prop_map(|p| format!("\"{}\"", p.concat()))
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "0",
            "19",
            "19.0",
            "19.50",
            "-3",
            "-0",
            "-0.0",
            "1e3",
            "1.5E2",
            "01",
            "1.",
            ".5",
            "0.1",
            "0.000001",
            "123456789012345",
            "1234567890123456",
            "12345678901234.5",
            "1234567890123.45",
            "3.14159265358979",
            "99999999999999.9",
            "18446744073709551616",
        ])
        .prop_map(String::from),
        any::<u32>().prop_map(|n| n.to_string()),
        (any::<u32>(), 1..9usize).prop_map(|(n, places)| {
            let digits = format!("{n:0>10}");
            let (whole, fraction) = digits.split_at(10 - places.min(9));
            let whole = whole.trim_start_matches('0');
            format!("{}.{fraction}", if whole.is_empty() { "0" } else { whole })
        }),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| f.abs().to_string()),
    ]
}

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => string(),
        8 => number(),
        1 => prop::sample::select(vec!["null", "true", "[]", "{}", "nul", "\"a\"x"])
            .prop_map(String::from),
    ]
}

fn role() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => prop::sample::select(vec![
            r#""agent""#, r#""customer""#, r#""客服""#, r#"" Agent ""#, r#""AGENT""#,
            r#""nobody""#, r#""\u5ba2\u670d""#, r#""bot""#,
        ])
        .prop_map(String::from),
        1 => scalar(),
    ]
}

/// Any JSON value (and some that are not quite JSON), nested a little.
fn value() -> impl Strategy<Value = String> {
    scalar().prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec((whitespace(), inner.clone()), 0..4).prop_map(|items| {
                let items: Vec<String> =
                    items.into_iter().map(|(w, v)| w.to_string() + &v).collect();
                format!("[{}]", items.join(","))
            }),
            prop::collection::vec((string(), inner), 0..4).prop_map(|entries| {
                let entries: Vec<String> = entries
                    .into_iter()
                    .map(|(k, v)| format!("{k}:{v}"))
                    .collect();
                format!("{{{}}}", entries.join(","))
            }),
        ]
    })
}

/// `"key": value`, the key one of `keys`.
fn keyed(keys: Vec<&'static str>, value: BoxedStrategy<String>) -> impl Strategy<Value = String> {
    (prop::sample::select(keys), whitespace(), value)
        .prop_map(|(k, w, v)| format!("\"{k}\"{w}:{w}{v}"))
}

/// An array of turns.
fn turns() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((whitespace(), turn()), 0..4),
        whitespace(),
    )
        .prop_map(|(turns, w)| {
            let turns: Vec<String> = turns.into_iter().map(|(w, t)| w.to_string() + &t).collect();
            format!("[{}{w}]", turns.join(","))
        })
}

/// One key and value of a turn object, the value of the kind that key takes (mostly).
fn turn_entry() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => keyed(vec!["role", "speaker"], role().boxed()),
        3 => keyed(vec!["text", "content"], prop_oneof![6 => string(), 1 => scalar()].boxed()),
        2 => keyed(vec!["time"], scalar().boxed()),
        1 => keyed(vec!["msg_id", r"r\u006fle", "Role"], value().boxed()),
    ]
}

fn turn() -> impl Strategy<Value = String> {
    let text = prop_oneof![12 => string(), 1 => scalar()];
    let object = (
        role(),
        text.clone(),
        prop::option::of(scalar()),
        prop::collection::vec(turn_entry(), 0..3),
        any::<prop::sample::Index>(),
        whitespace(),
    )
        .prop_map(|(role, text, time, extra, at, w)| {
            let mut entries = vec![format!("\"role\":{w}{role}"), format!("\"text\":{text}")];
            entries.extend(time.map(|t| format!("\"time\"{w}:{t}")));
            for e in extra {
                entries.insert(at.index(entries.len() + 1), e);
            }
            format!("{{{}}}", entries.join(&format!(",{w}")))
        });
    let list = (
        role(),
        text,
        prop::collection::vec(scalar(), 0..3),
        whitespace(),
    )
        .prop_map(|(role, text, rest, w)| {
            let mut items = vec![role, text];
            items.extend(rest.into_iter().take(2));
            format!("[{}]", items.join(&format!(",{w}")))
        });
    prop_oneof![6 => object, 2 => list, 1 => (whitespace(), turn_entry()).prop_map(|(w, e)| format!("{{{w}{e}}}"))]
}

/// One key and value of a record.
fn record_entry() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => keyed(vec!["id", "agent"], scalar().boxed()),
        3 => keyed(
            vec!["channel", "source"],
            prop_oneof![
                3 => prop::sample::select(vec![
                    r#""chat""#, r#""phone""#, r#""text""#, r#""ASR""#, r#""fax""#, "null",
                ])
                .prop_map(String::from),
                1 => scalar(),
            ]
            .boxed()
        ),
        3 => keyed(vec!["queue", "tags", "turns_count", r"\u0074urns"], value().boxed()),
        1 => keyed(vec!["turns"], turns().boxed()),
    ]
}

/// A record, and perhaps a damage to it: a cut, or a byte put in.
fn record() -> impl Strategy<Value = String> {
    let turns = keyed(vec!["turns"], turns().boxed());
    let whole = (
        prop::collection::vec((whitespace(), record_entry()), 0..5),
        prop::option::weighted(0.9, turns),
        any::<prop::sample::Index>(),
        whitespace(),
    )
        .prop_map(|(entries, turns, at, w)| {
            let mut entries: Vec<String> = entries
                .into_iter()
                .map(|(w, e)| w.to_string() + &e)
                .collect();
            if let Some(turns) = turns {
                entries.insert(at.index(entries.len() + 1), turns);
            }
            format!("{w}{{{}}}{w}", entries.join(","))
        });
    (whole, 0..10u8, any::<prop::sample::Index>(), any::<u8>()).prop_map(
        |(text, damage, at, byte)| {
            let at = at.index(text.len() + 1);
            match damage {
                0 if text.is_char_boundary(at) => text[..at].to_string(),
                1 if byte.is_ascii() && text.is_char_boundary(at) => {
                    let mut text = text;
                    text.insert(at, char::from(byte));
                    text
                }
                _ => text,
            }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(30_000))]

    #[test]
    fn the_direct_reader_reads_as_serde_reads_or_declines(text in record()) {
        if let Some(difference) = direct_reader_disagrees(&text) {
            return Err(TestCaseError::fail(format!("{text}\n{difference}")));
        }
    }

    /// The records that the direct reader takes: whole records with no damage, of the
    /// common kinds of values.
    #[test]
    fn well_formed_records_are_read_directly(
        id in "[a-z0-9-]{1,12}",
        turns in prop::collection::vec(
            (prop::sample::select(vec!["agent", "customer", "客服"]), "[a-z您好，。的]{0,20}", 0..100_000u32),
            1..6,
        ),
    ) {
        let turns: Vec<String> = turns
            .iter()
            .map(|(role, text, time)| {
                format!(r#"{{"role":"{role}","text":"{text}","time":{}.{}}}"#, time / 10, time % 10)
            })
            .collect();
        let text = format!(r#"{{"id":"{id}","turns":[{}]}}"#, turns.join(","));
        prop_assert!(direct::read(&text).is_some(), "declined: {}", text);
        prop_assert_eq!(direct_reader_disagrees(&text), None);
    }
}
