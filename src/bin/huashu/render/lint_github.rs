//! `huashu lint --format github`: GitHub Actions workflow commands, one annotation per
//! finding.

use std::io::{self, Write};

use huashu::Severity;

use super::plural;
use crate::lint::results::LintResults;

/// Escapes a workflow command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub(crate) fn write(out: &mut impl Write, results: &LintResults<'_>) -> io::Result<()> {
    for (path, message) in &results.errors {
        writeln!(
            out,
            "::error file={},title=huashu::{}",
            escape_property(path),
            escape_data(message)
        )?;
    }
    for (file, f) in results.active() {
        let command = match f.severity {
            Severity::Fatal | Severity::Major => "error",
            Severity::Minor => "warning",
            Severity::Info => "notice",
        };
        let mut message = f.message.to_string();
        if let Some(suggest) = &f.suggest {
            message.push_str(&format!("\nSay instead: {suggest}"));
        }
        if let Some(fix) = &f.fix {
            message.push_str(&format!("\nFix: replace with “{}”", fix.wording));
        }
        if let Some(source) = &f.source {
            message.push_str(&format!("\nSource: {source}"));
        }
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&file.library.path),
            f.line,
            f.column,
            f.end_line,
            f.end_column,
            escape_property(&format!("huashu {}", f.rule)),
            escape_data(&message)
        )?;
    }
    for e in &results.stale {
        writeln!(
            out,
            "::notice title=huashu baseline::{}",
            escape_data(&format!(
                "the baseline accepts {} finding{} of {} in “{}” that no longer occur",
                e.count,
                plural(e.count),
                e.rule,
                e.reply
            ))
        )?;
    }
    Ok(())
}
