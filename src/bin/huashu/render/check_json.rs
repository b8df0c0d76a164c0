//! `huashu check --format json`: JSON Lines, one object per transcript or unreadable record, in input order.

use std::io::{self, Write};

use huashu::{Report, Turn};
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

/// `{"id","agent","channel","score","passed","findings":[…],…,"file","line","fields"}` and a
/// newline.
pub(crate) fn report(
    out: &mut impl Write,
    item: &Item,
    report: &Report,
    turns: bool,
) -> io::Result<()> {
    if let Item::Transcript {
        file,
        line,
        transcript,
    } = item
    {
        let record = ReportRecord {
            report,
            file,
            line: *line,
            fields: &transcript.metadata,
            turns: turns.then_some(transcript.turns.as_slice()),
        };
        serde_json::to_writer(&mut *out, &record)?;
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
