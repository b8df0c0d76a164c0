//! `huashu check --format csv`: a table for spreadsheets and BI tools, one row per finding
//! (`--table findings`, the default) or one row per transcript (`--table transcripts`).
//! Written with the `csv` crate: fields with commas, quotes or line breaks are quoted.

use std::io::{self, Write};

use huashu::{Checker, Report};

use crate::check::input::Item;
use crate::cli::Table;

const FINDING_COLUMNS: &[&str] = &[
    "id", "file", "line", "agent", "channel", "score", "passed", "rule", "severity", "deduct",
    "turn", "role", "time", "start", "end", "text", "message", "suggest", "source", "detail",
];

const TRANSCRIPT_COLUMNS: &[&str] = &[
    "id",
    "file",
    "line",
    "agent",
    "channel",
    "turns",
    "score",
    "passed",
    "findings",
    "deducted",
    "not_scored",
    "error",
];

/// The header row, with a byte-order mark first when `bom` (Excel then reads the file as
/// UTF-8).
pub(crate) fn header(
    out: &mut impl Write,
    table: Table,
    checker: &Checker,
    fields: bool,
    bom: bool,
) -> io::Result<()> {
    if bom {
        out.write_all("\u{feff}".as_bytes())?;
    }
    let mut row: Vec<String> = match table {
        Table::Findings => FINDING_COLUMNS.iter().map(|c| c.to_string()).collect(),
        Table::Transcripts => {
            let mut row: Vec<String> = TRANSCRIPT_COLUMNS.iter().map(|c| c.to_string()).collect();
            // One column per dimension, before `not_scored`.
            let at = row.len() - 2;
            for (i, d) in checker.scoring().dimensions().iter().enumerate() {
                row.insert(at + i, d.name().to_string());
            }
            row
        }
    };
    if fields {
        row.push("fields".to_string());
    }
    write_row(out, &row)
}

fn write_row(out: &mut impl Write, row: &[String]) -> io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(row).map_err(io::Error::other)?;
    writer.flush()
}

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(String::new, |v| v.to_string())
}

/// The rows of one transcript's report.
pub(crate) fn report(
    out: &mut impl Write,
    table: Table,
    checker: &Checker,
    item: &Item,
    report: &Report,
    fields: bool,
) -> io::Result<()> {
    let Item::Transcript {
        file,
        line,
        transcript,
    } = item
    else {
        return Ok(());
    };
    let extra = fields.then(|| serde_json::Value::Object(transcript.metadata.clone()).to_string());
    let common = |row: &mut Vec<String>| {
        row.extend([
            report.id.clone(),
            file.clone(),
            line.to_string(),
            opt(report.agent.as_deref()),
            opt(report.channel),
        ]);
    };
    match table {
        Table::Findings => {
            for f in &report.findings {
                let mut row = Vec::with_capacity(FINDING_COLUMNS.len() + 1);
                common(&mut row);
                let turn = f.turn.and_then(|t| transcript.turns.get(t));
                row.extend([
                    opt(report.score),
                    opt(report.passed),
                    f.rule.to_string(),
                    f.severity.to_string(),
                    f.deduct.to_string(),
                    opt(f.turn),
                    opt(turn.map(|t| t.role)),
                    opt(f.time.or(turn.and_then(|t| t.time))),
                    opt(f.start),
                    opt(f.end),
                    opt(f.text.as_deref()),
                    f.message.to_string(),
                    opt(f.suggest.as_deref()),
                    opt(f.source.as_deref()),
                    opt(f.evidence.as_ref().map(|e| e.detail.as_str())),
                ]);
                row.extend(extra.clone());
                write_row(out, &row)?;
            }
            Ok(())
        }
        Table::Transcripts => {
            let mut row = Vec::new();
            common(&mut row);
            row.extend([
                transcript.turns.len().to_string(),
                opt(report.score),
                opt(report.passed),
                report.findings.len().to_string(),
                report
                    .findings
                    .iter()
                    .map(|f| f.deduct)
                    .sum::<u32>()
                    .to_string(),
            ]);
            for d in checker.scoring().dimensions() {
                let subtotal = report
                    .dimensions
                    .iter()
                    .find(|s| s.name == d.name())
                    .map(|s| s.subtotal);
                row.push(opt(subtotal));
            }
            row.push(opt(report.not_scored.as_deref()));
            row.push(String::new());
            row.extend(extra);
            write_row(out, &row)
        }
    }
}

/// A transcripts-table row for a record that could not be read: its place and the error.
pub(crate) fn error(
    out: &mut impl Write,
    table: Table,
    checker: &Checker,
    item: &Item,
    fields: bool,
) -> io::Result<()> {
    let (
        Table::Transcripts,
        Item::Error {
            file,
            line,
            message,
            ..
        },
    ) = (table, item)
    else {
        return Ok(());
    };
    let mut row = vec![String::new(), file.clone(), opt(*line)];
    let blanks = TRANSCRIPT_COLUMNS.len() - 4 + checker.scoring().dimensions().len();
    row.extend(std::iter::repeat_n(String::new(), blanks));
    row.push(message.clone());
    if fields {
        row.push(String::new());
    }
    write_row(out, &row)
}
