//! `huashu rules eval`: the pack measured on a labelled corpus.

use std::io::{self, Write};
use std::path::Path;

use huashu::RulePack;
use huashu::eval::{EvalReport, read_corpus};

use crate::cli::ListFormat;
use crate::{exit, render};

/// When the run fails, and how much of the disagreement to list.
pub(crate) struct Limits {
    pub(crate) precision: Option<f64>,
    pub(crate) recall: Option<f64>,
    pub(crate) show: usize,
}

pub(crate) fn run(
    out: &mut impl Write,
    pack: &RulePack,
    corpus: &Path,
    format: ListFormat,
    limits: &Limits,
) -> io::Result<u8> {
    let name = corpus.display().to_string();
    let text = match std::fs::read(corpus) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let (line, column) =
                    huashu::text::invalid_utf8_position(e.as_bytes(), e.utf8_error().valid_up_to());
                writeln!(
                    io::stderr(),
                    "error: {name}: line {line}, column {column}: the corpus is not valid UTF-8"
                )?;
                return Ok(exit::ERROR);
            }
        },
        Err(e) => {
            writeln!(io::stderr(), "error: cannot read the corpus {name}: {e}")?;
            return Ok(exit::ERROR);
        }
    };
    let cases = match read_corpus(&text) {
        Ok(cases) => cases,
        Err(errors) => {
            for e in &errors {
                writeln!(io::stderr(), "error: {name}: {e}")?;
            }
            writeln!(
                io::stderr(),
                "error: the corpus has {} unreadable case{}",
                errors.len(),
                render::plural(errors.len())
            )?;
            return Ok(exit::ERROR);
        }
    };
    let checker = match pack.compile() {
        Ok(checker) => checker,
        Err(e) => {
            writeln!(io::stderr(), "{}", render::pack_error(&e, false))?;
            return Ok(exit::ERROR);
        }
    };
    let report = checker.eval(&cases);
    match format {
        ListFormat::Json => render::eval::json(out, &name, pack.name(), &report)?,
        ListFormat::Human => render::eval::human(out, &name, pack.name(), &report, limits.show)?,
    }
    Ok(verdict(&report, limits))
}

/// `FAILED` when a limit is not met.
fn verdict(report: &EvalReport, limits: &Limits) -> u8 {
    let low = |limit: Option<f64>, value: f64| limit.is_some_and(|l| value < l);
    if low(limits.precision, report.overall.precision())
        || low(limits.recall, report.overall.recall())
    {
        exit::FAILED
    } else {
        exit::OK
    }
}
