//! `huashu rules eval`: the pack measured on a labelled corpus.

use std::io::{self, Write};
use std::path::Path;

use huashu::RulePack;
use huashu::eval::{Counts, read_corpus};

use crate::cli::ListFormat;
use crate::text_file::{TextError, read_text};
use crate::{exit, render};

/// When the run fails, and how much of the disagreement to list.
pub(crate) struct Limits {
    pub(crate) precision: Option<f64>,
    pub(crate) recall: Option<f64>,
    pub(crate) show: usize,
}

/// How many unreadable cases are listed before the rest are only counted.
const ERRORS_SHOWN: usize = 20;

pub(crate) fn run(
    out: &mut impl Write,
    pack: &RulePack,
    corpus: &Path,
    format: ListFormat,
    limits: &Limits,
) -> io::Result<u8> {
    let stdin = corpus == Path::new("-");
    let name = if stdin {
        "<stdin>".to_string()
    } else {
        corpus.display().to_string()
    };
    let text = match read_text(corpus) {
        Ok(text) => text,
        Err(TextError::NotUtf8 { line, column }) => {
            writeln!(
                io::stderr(),
                "error: {name}: line {line}, column {column}: the corpus is not valid UTF-8"
            )?;
            return Ok(exit::ERROR);
        }
        Err(TextError::Read(e)) => {
            writeln!(io::stderr(), "error: cannot read the corpus {name}: {e}")?;
            return Ok(exit::ERROR);
        }
    };
    let cases = match read_corpus(&text) {
        Ok(cases) => cases,
        Err(errors) => {
            for e in errors.iter().take(ERRORS_SHOWN) {
                writeln!(io::stderr(), "error: {name}: {e}")?;
            }
            if errors.len() > ERRORS_SHOWN {
                writeln!(
                    io::stderr(),
                    "error: … and {} more",
                    errors.len() - ERRORS_SHOWN
                )?;
            }
            if text.trim_start().starts_with('[') {
                writeln!(
                    io::stderr(),
                    "hint: a corpus is JSON Lines, one case per line, not a JSON array"
                )?;
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
    if cases.is_empty() {
        writeln!(io::stderr(), "error: {name}: the corpus has no cases")?;
        return Ok(exit::ERROR);
    }
    let checker = match pack.compile() {
        Ok(checker) => checker,
        Err(e) => {
            writeln!(io::stderr(), "{}", render::pack_error(&e, false))?;
            return Ok(exit::ERROR);
        }
    };
    let report = checker.eval(&cases);
    for warning in &report.warnings {
        writeln!(
            io::stderr(),
            "warning: {name}: {}",
            render::printable(warning)
        )?;
    }
    let failures = failures(&report.overall, limits);
    match format {
        ListFormat::Json => render::eval::json(out, &name, pack.name(), &report, &failures)?,
        ListFormat::Human => render::eval::human(out, &name, pack.name(), &report, limits.show)?,
    }
    for failure in &failures {
        writeln!(io::stderr(), "FAILED: {failure}")?;
    }
    Ok(if failures.is_empty() {
        exit::OK
    } else {
        exit::FAILED
    })
}

/// Each floor that the overall figures do not reach, said in full. An undefined figure (no
/// finding at all, or nothing expected) reaches no floor.
fn failures(overall: &Counts, limits: &Limits) -> Vec<String> {
    let mut out = Vec::new();
    for (name, limit, value) in [
        ("precision", limits.precision, overall.precision()),
        ("recall", limits.recall, overall.recall()),
    ] {
        let Some(limit) = limit else { continue };
        match value {
            Some(v) if v >= limit => {}
            Some(v) => out.push(format!("{name} {v:.4} is below --min-{name} {limit}")),
            None => out.push(format!(
                "{name} is undefined (nothing {}), so --min-{name} {limit} is not met",
                if name == "precision" {
                    "was found"
                } else {
                    "was expected"
                }
            )),
        }
    }
    out
}
