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
    out: &mut impl Write,
    item: &Item,
    report: &Report,
    turns: bool,
    compact: Compact,
) -> io::Result<()> {
    if let Item::Transcript {
        file,
        line,
        transcript,
    } = item
    {
        let turns = turns.then_some(transcript.turns.as_slice());
        if compact.on {
            let record = CompactRecord {
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
            };
            serde_json::to_writer(&mut *out, &record)?;
        } else {
            let record = ReportRecord {
                report,
                file,
                line: *line,
                fields: &transcript.metadata,
                turns,
            };
            serde_json::to_writer(&mut *out, &record)?;
        }
        out.write_all(b"\n")?;
    }
    Ok(())
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
