//! `huashu check --format json`: JSON Lines, one object per transcript or unreadable record, in input order.

use std::io::{self, Write};

use huashu::{
    DimensionScore, Evidence, Finding, Fix, LedgerEntry, Match, NotApplicable, Report,
    TolerantMatch, Turn,
};
use serde::Serialize;

use crate::check::input::Item;
use crate::check::tally::Summary;

/// One transcript's report, with where it came from, so that results join back to the
/// input.
#[derive(Serialize)]
struct ReportRecord<'a> {
    #[serde(flatten)]
    report: &'a Report,
    /// The input file, as given (`-` for standard input).
    file: &'a str,
    /// The line (a sheet's row) the transcript starts on.
    line: usize,
    /// The input record's fields that huashu does not interpret (a table's other columns).
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    fields: &'a serde_json::Map<String, serde_json::Value>,
    /// With `--turns`: what was said.
    #[serde(skip_serializing_if = "Option::is_none")]
    turns: Option<&'a [Turn]>,
}

/// What `--compact` leaves out of each record, and what it keeps on request.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Compact {
    /// `--compact`: findings carry the rule's id and no message, suggestion, source or
    /// severity (`huashu rules list --format json` has them, once per rule), and evidence
    /// without its sentence; fields without a value are left out.
    pub(crate) on: bool,
    /// `--ledger`: keep the ledger of deductions.
    pub(crate) ledger: bool,
    /// `--not-applicable`: keep the rules that had nothing to judge.
    pub(crate) not_applicable: bool,
}

/// One transcript's report in the compact form.
#[derive(Serialize)]
struct CompactRecord<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    agent: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<huashu::Channel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    started_at: Option<String>,
    score: Option<u32>,
    passed: Option<bool>,
    #[serde(serialize_with = "compact_findings")]
    findings: &'a [Finding],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    dimensions: &'a [DimensionScore],
    #[serde(skip_serializing_if = "Option::is_none")]
    not_applicable: Option<&'a [NotApplicable]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ledger: Option<&'a [LedgerEntry]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_scored: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tolerant: &'a [TolerantMatch],
    file: &'a str,
    line: usize,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    fields: &'a serde_json::Map<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    turns: Option<&'a [Turn]>,
}

/// Evidence in the compact form: the turns looked at, and for timing rules the wait and the
/// limit. The sentence for a reviewer (`detail`) is left out: it says the same in words.
#[derive(Serialize)]
struct CompactEvidence {
    #[serde(skip_serializing_if = "Option::is_none")]
    turns: Option<[usize; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    waited: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<f64>,
}

impl CompactEvidence {
    fn of(evidence: &Evidence) -> CompactEvidence {
        CompactEvidence {
            turns: evidence.turns,
            waited: evidence.waited,
            limit: evidence.limit,
        }
    }
}

/// A finding in the compact form: which rule, where, what it cost and why.
#[derive(Serialize)]
struct CompactFinding<'a> {
    rule: &'a str,
    deduct: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    turn: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<CompactEvidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<&'a Fix>,
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    matched: Option<Match>,
}

fn compact_findings<S: serde::Serializer>(
    findings: &&[Finding],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(findings.iter().map(|f| CompactFinding {
        rule: &f.rule,
        deduct: f.deduct,
        turn: f.turn,
        start: f.start,
        end: f.end,
        text: f.text.as_deref(),
        time: f.time,
        evidence: f.evidence.as_ref().map(CompactEvidence::of),
        fix: f.fix.as_ref(),
        matched: f.matched,
    }))
}

/// `{"id","agent","channel","score","passed","findings":[…],…,"file","line","fields"}` and a
/// newline; with `--compact`, the compact form of the same.
pub(crate) fn report(
    out: &mut Vec<u8>,
    item: &Item,
    report: &Report,
    turns: bool,
    compact: Compact,
) -> io::Result<()> {
    if let Some(record) = record(item, report, turns, compact) {
        to_json(out, &record)?;
        out.push(b'\n');
    }
    Ok(())
}

/// One transcript's record, in either form; it serializes as the form it holds.
#[derive(Serialize)]
#[serde(untagged)]
enum Record<'a> {
    Full(ReportRecord<'a>),
    Compact(CompactRecord<'a>),
}

/// The record `report` writes for a transcript (none for an error).
fn record<'a>(
    item: &'a Item,
    report: &'a Report,
    turns: bool,
    compact: Compact,
) -> Option<Record<'a>> {
    let Item::Transcript {
        file,
        line,
        transcript,
    } = item
    else {
        return None;
    };
    let turns = turns.then_some(transcript.turns.as_slice());
    Some(if compact.on {
        Record::Compact(CompactRecord {
            id: &report.id,
            agent: report.agent.as_deref(),
            channel: report.channel,
            started_at: report.started_at.map(|t| t.to_string()),
            score: report.score,
            passed: report.passed,
            findings: &report.findings,
            dimensions: &report.dimensions,
            not_applicable: compact.not_applicable.then_some(&report.not_applicable[..]),
            ledger: compact.ledger.then_some(&report.ledger[..]),
            not_scored: report.not_scored.as_deref(),
            tolerant: &report.tolerant,
            file,
            line: *line,
            fields: &transcript.metadata,
            turns,
        })
    } else {
        Record::Full(ReportRecord {
            report,
            file,
            line: *line,
            fields: &transcript.metadata,
            turns,
        })
    })
}

/// Appends `value` as JSON: the same bytes as `serde_json` writes (the tests below check it),
/// by sonic-rs, which finds the characters a string must escape many bytes at a time where
/// serde_json looks at each byte. Report records are mostly text (messages, evidence,
/// excerpts of turns): with the default JSON, sonic-rs took a `--threads 1` run of the
/// built-in pack over 40 MB of chats from 0.552 s to 0.501 s (medians of 7 alternating runs).
fn to_json(out: &mut Vec<u8>, value: &impl Serialize) -> io::Result<()> {
    sonic_rs::to_writer(out, value).map_err(io::Error::other)
}

#[derive(Serialize)]
struct ErrorRecord<'a> {
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    error: &'a str,
}

/// `{"file","line","column","error"}` and a newline, for a record or file that could not be
/// read.
pub(crate) fn error(out: &mut impl Write, item: &Item) -> io::Result<()> {
    if let Item::Error {
        file,
        line,
        column,
        message,
    } = item
    {
        serde_json::to_writer(
            &mut *out,
            &ErrorRecord {
                file,
                line: *line,
                column: *column,
                error: message,
            },
        )?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// `{"summary":{…}}` and a newline: the last line of a run with `--summary`.
pub(crate) fn summary(out: &mut impl Write, summary: &Summary) -> io::Result<()> {
    #[derive(Serialize)]
    struct Wrapper<'a> {
        summary: &'a Summary,
    }
    serde_json::to_writer(&mut *out, &Wrapper { summary })?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use huashu::{Checker, Role, Transcript};
    use proptest::prelude::*;
    use serde_json::Value;
    use std::sync::LazyLock;

    static CHECKER: LazyLock<Checker> =
        LazyLock::new(|| Checker::builtin().expect("the built-in pack compiles"));

    /// The record as serde_json writes it, and as `report` does.
    fn both(item: &Item, report: &Report, turns: bool, compact: Compact) -> (String, String) {
        let mut ours = Vec::new();
        super::report(&mut ours, item, report, turns, compact).expect("writes");
        let record = record(item, report, turns, compact).expect("a transcript");
        let mut theirs = serde_json::to_vec(&record).expect("serializes");
        theirs.push(b'\n');
        (
            String::from_utf8(theirs).expect("UTF-8"),
            String::from_utf8(ours).expect("UTF-8"),
        )
    }

    /// Every way a record is written: default and compact, with and without turns, ledger
    /// and not-applicable rules.
    fn every_form() -> Vec<(bool, Compact)> {
        let mut forms = Vec::new();
        for turns in [false, true] {
            forms.push((turns, Compact::default()));
            for (ledger, not_applicable) in [(false, false), (true, true)] {
                forms.push((
                    turns,
                    Compact {
                        on: true,
                        ledger,
                        not_applicable,
                    },
                ));
            }
        }
        forms
    }

    fn assert_written_as_serde_json_writes(transcript: Transcript) {
        let report = CHECKER.check(&transcript);
        let item = Item::Transcript {
            file: "in \"quoted\"\\dir/calls.jsonl".to_string(),
            line: 7,
            transcript,
        };
        for (turns, compact) in every_form() {
            let (theirs, ours) = both(&item, &report, turns, compact);
            assert_eq!(ours, theirs, "turns {turns}, {compact:?}");
        }
    }

    #[test]
    fn the_bundled_transcripts_are_written_as_serde_json_writes_them() {
        let mut seen = 0;
        for file in ["phone-calls.jsonl", "chats.jsonl", "emails.jsonl"] {
            let text =
                std::fs::read_to_string(format!("examples/transcripts/{file}")).expect("reads");
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let transcript =
                    huashu::read::parse_json_line(line.as_bytes(), i + 1).expect("valid example");
                assert_written_as_serde_json_writes(transcript);
                seen += 1;
            }
        }
        assert!(seen >= 5, "only {seen} transcripts");
    }

    /// Text with what JSON must escape (quotes, backslashes, every control character), what
    /// it must not (DEL, U+2028, non-ASCII of every width), and the phrases that make
    /// findings, so that findings carry excerpts and evidence of such text.
    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("\"".to_string()),
            Just("\\".to_string()),
            (0u32..0x20).prop_map(|c| char::from_u32(c).expect("a char").to_string()),
            Just("\u{7f}\u{2028}\u{2029}\u{feff}😀é".to_string()),
            Just("不知道".to_string()),
            Just("您好，很高兴为您服务".to_string()),
            Just("你找领导去".to_string()),
            Just("谢谢".to_string()),
            Just("13812345678".to_string()),
            any::<char>().prop_map(String::from),
            "[a-z ，。？！]{0,6}",
        ];
        prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            // Non-finite numbers become null, as serde_json makes them.
            any::<f64>().prop_map(Value::from),
            prop_oneof![Just(0.1), Just(-0.0), Just(1e300), Just(5e-324), Just(1e16)]
                .prop_map(Value::from),
            text().prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(text(), inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn records_are_written_as_serde_json_writes_them(
            id in text(),
            agent in prop::option::of(text()),
            turns in prop::collection::vec((any::<bool>(), text(), prop::option::of(0.0..1e6f64)), 0..6),
            metadata in prop::collection::btree_map(text(), value(), 0..4),
        ) {
            let turns = turns
                .into_iter()
                .map(|(agent, text, time)| {
                    let mut turn = huashu::Turn::new(if agent { Role::Agent } else { Role::Customer }, text);
                    turn.time = time;
                    turn
                })
                .collect();
            let mut transcript = Transcript::new(id, turns);
            transcript.agent = agent;
            transcript.metadata = metadata.into_iter().collect();
            assert_written_as_serde_json_writes(transcript);
        }
    }
}
