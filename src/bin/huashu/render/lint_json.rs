//! `huashu lint --format json`: one document with the files, every finding, the errors,
//! the stale baseline entries and a summary.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::json_error;
use crate::lint::results::LintResults;

pub(crate) fn write(out: &mut impl Write, results: &LintResults<'_>) -> io::Result<()> {
    let mut findings = Vec::new();
    for file in &results.files {
        for f in &file.findings {
            let mut v = serde_json::to_value(f).map_err(io::Error::other)?;
            if let Value::Object(map) = &mut v {
                map.insert("file".into(), json!(file.library.path));
                map.insert("fails".into(), json!(results.fails(f)));
                map.remove("span");
                if let Some(Value::Object(fix)) = map.get_mut("fix") {
                    if let Some(span) = fix.remove("span") {
                        fix.insert("byte_span".into(), span);
                    }
                }
            }
            findings.push(v);
        }
    }
    let doc = json!({
        "version": 1,
        "tool": {"name": "huashu", "version": env!("CARGO_PKG_VERSION")},
        "files": results.files.iter().map(|f| json!({
            "path": f.library.path,
            "format": f.library.format,
            "replies": f.library.replies.len(),
            "fixed": f.fixed,
        })).collect::<Vec<_>>(),
        "findings": findings,
        "errors": results.errors.iter().map(|(path, message)| json!({
            "path": path, "message": message
        })).collect::<Vec<_>>(),
        "stale_baseline": results.stale,
        "summary": {
            "active": results.active().count(),
            "failing": results.active().filter(|(_, f)| results.fails(f)).count(),
            "fail_on": results.fail_on,
        },
    });
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(json_error)?;
    writeln!(out)
}
