//! `huashu lint --format json`: one document with the files, every finding, the errors,
//! the stale baseline entries and a summary.
//!
//! The document is written as it goes, a finding at a time, so that memory does not grow
//! with a second copy of every finding. Keys are in alphabetical order at every level.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Value, json};

use super::{indented, json_error};
use crate::lint::results::LintResults;

pub(crate) fn write(out: &mut impl Write, results: &LintResults<'_>) -> io::Result<()> {
    let files: Vec<Value> = results
        .files
        .iter()
        .map(|f| {
            json!({
                "path": f.library.path,
                "format": f.library.format,
                "replies": f.library.replies.len(),
                "fixed": f.fixed,
            })
        })
        .collect();
    let errors: Vec<Value> = results
        .errors
        .iter()
        .map(|(path, message)| json!({"path": path, "message": message}))
        .collect();
    out.write_all(b"{\n")?;
    field(out, "errors", &errors)?;
    out.write_all(b",\n")?;
    field(out, "files", &files)?;
    out.write_all(b",\n  \"findings\": [")?;
    let mut first = true;
    for file in &results.files {
        for f in &file.findings {
            let mut v = serde_json::to_value(f).map_err(io::Error::other)?;
            if let Value::Object(map) = &mut v {
                map.insert("file".into(), json!(file.library.path));
                map.insert("fails".into(), json!(results.fails(f)));
                map.remove("span");
                if let Some(Value::Object(fix)) = map.get_mut("fix")
                    && let Some(span) = fix.remove("span")
                {
                    fix.insert("byte_span".into(), span);
                }
            }
            out.write_all(if first { b"\n    " } else { b",\n    " })?;
            first = false;
            indented(out, &v, 2)?;
        }
    }
    out.write_all(if first { b"]" } else { b"\n  ]" })?;
    out.write_all(b",\n")?;
    field(out, "stale_baseline", &results.stale)?;
    out.write_all(b",\n")?;
    let summary = json!({
        "active": results.active().count(),
        "failing": results.active().filter(|(_, f)| results.fails(f)).count(),
        "fail_on": results.fail_on,
    });
    field(out, "summary", &summary)?;
    out.write_all(b",\n")?;
    let tool = json!({"name": "huashu", "version": env!("CARGO_PKG_VERSION")});
    field(out, "tool", &tool)?;
    out.write_all(b",\n")?;
    field(out, "version", &1)?;
    out.write_all(b"\n}\n")
}

/// `  "key": value`, the value pretty-printed one level in.
fn field(out: &mut impl Write, key: &str, value: &impl Serialize) -> io::Result<()> {
    write!(
        out,
        "  {}: ",
        serde_json::to_string(key).map_err(json_error)?
    )?;
    // Through a `Value`, so that keys come out sorted as everywhere in the document.
    let value = serde_json::to_value(value).map_err(io::Error::other)?;
    indented(out, &value, 1)
}
