//! `huashu check --format json`: JSON Lines, one object per transcript or unreadable record, in input order.

use std::io::{self, Write};

use huashu::Report;
use serde::Serialize;

use crate::check::input::Item;
use crate::check::tally::Summary;

/// `{"id","score","passed","findings":[…]}` and a newline.
pub(crate) fn report(out: &mut impl Write, report: &Report) -> io::Result<()> {
    serde_json::to_writer(&mut *out, report)?;
    out.write_all(b"\n")
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
