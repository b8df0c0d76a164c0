//! `huashu lint --format sarif`: SARIF 2.1.0, for code-scanning services.

use std::io::{self, Write};

use huashu::Severity;
use huashu::lint::LINT_RULES;
use serde_json::{Value, json};

use super::{indented, plural};
use crate::lint::results::LintResults;

const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Fatal | Severity::Major => "error",
        Severity::Minor => "warning",
        Severity::Info => "note",
    }
}

/// A relative path as a URI reference: `/` separators, anything outside the unreserved
/// characters percent-encoded as UTF-8.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub(crate) fn write(out: &mut impl Write, results: &LintResults<'_>) -> io::Result<()> {
    // The rules results refer to, in order of first use.
    let mut rule_ids: Vec<&str> = Vec::new();
    for (_, f) in results
        .files
        .iter()
        .flat_map(|file| file.findings.iter().map(move |f| (file, f)))
    {
        if !f.baselined && !rule_ids.contains(&&*f.rule) {
            rule_ids.push(&f.rule);
        }
    }
    let rules: Vec<Value> = rule_ids.iter().map(|id| descriptor(results, id)).collect();

    let mut notifications = Vec::new();
    for e in &results.stale {
        notifications.push(json!({
            "level": "note",
            "message": {"text": format!(
                "The baseline accepts {} finding{} of {} in “{}” that no longer occur{}.",
                e.count, plural(e.count), e.rule, e.reply, if e.count == 1 { "s" } else { "" }
            )},
        }));
    }
    for (path, message) in &results.errors {
        notifications.push(json!({
            "level": "error",
            "message": {"text": format!("{path}: {message}")},
        }));
    }
    let mut invocation = json!({"executionSuccessful": results.errors.is_empty()});
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = json!(notifications);
    }
    // Written as it goes, a result at a time, with keys sorted at every level as a whole
    // document would have them.
    let tool = json!({"driver": {
        "name": "huashu",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    }});
    writeln!(out, "{{")?;
    writeln!(out, "  \"$schema\": {},", json!(SARIF_SCHEMA))?;
    writeln!(out, "  \"runs\": [")?;
    writeln!(out, "    {{")?;
    writeln!(out, "      \"columnKind\": \"unicodeCodePoints\",")?;
    write!(out, "      \"invocations\": ")?;
    indented(out, &json!([invocation]), 3)?;
    write!(out, ",\n      \"results\": [")?;
    let mut first = true;
    for file in &results.files {
        for f in file.findings.iter().filter(|f| !f.baselined) {
            let region = json!({
                "startLine": f.line,
                "startColumn": f.column,
                "endLine": f.end_line,
                "endColumn": f.end_column,
                "snippet": {"text": file.library.source.get(f.span.clone()).unwrap_or_default()},
            });
            let location = json!({
                "physicalLocation": {
                    "artifactLocation": {"uri": uri(&file.library.path), "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }
            });
            let mut message = f.message.to_string();
            if let Some(suggest) = &f.suggest {
                message.push_str(&format!(" Say instead: {suggest}"));
            }
            let mut result = json!({
                "ruleId": &*f.rule,
                "ruleIndex": rule_ids.iter().position(|r| *r == &*f.rule),
                "level": sarif_level(f.severity),
                "message": {"text": message},
                "locations": [location],
                "partialFingerprints": {"huashuReply/v1": f.fingerprint},
            });
            let map = result.as_object_mut().expect("an object");
            if let Some(fix) = &f.fix {
                let replacements: Vec<Value> = fix
                    .replacements
                    .iter()
                    .map(|r| {
                        let (sl, sc) = file.library.position(r.span.start);
                        let (el, ec) = file.library.position(r.span.end);
                        json!({
                            "deletedRegion": {
                                "startLine": sl, "startColumn": sc,
                                "endLine": el, "endColumn": ec,
                            },
                            "insertedContent": {"text": r.text},
                        })
                    })
                    .collect();
                map.insert(
                    "fixes".into(),
                    json!([{
                        "description": {"text": format!(
                            "Replace with “{}”{}", fix.wording,
                            if fix.safe { "" } else { " (review the reply after)" }
                        )},
                        "artifactChanges": [{
                            "artifactLocation": {"uri": uri(&file.library.path), "uriBaseId": "%SRCROOT%"},
                            "replacements": replacements,
                        }],
                    }]),
                );
            }
            if let Some(reason) = &f.suppressed {
                map.insert(
                    "suppressions".into(),
                    json!([{"kind": "inSource", "justification": reason}]),
                );
            }
            if results.baseline_used {
                map.insert("baselineState".into(), json!("new"));
            }
            out.write_all(if first { b"\n        " } else { b",\n        " })?;
            first = false;
            indented(out, &result, 4)?;
        }
    }

    out.write_all(if first { b"]" } else { b"\n      ]" })?;
    write!(out, ",\n      \"tool\": ")?;
    indented(out, &tool, 3)?;
    writeln!(out, "\n    }}")?;
    writeln!(out, "  ],")?;
    writeln!(out, "  \"version\": \"2.1.0\"")?;
    writeln!(out, "}}")
}

/// A SARIF `reportingDescriptor` for a rule of the pack or of [`LINT_RULES`].
fn descriptor(results: &LintResults<'_>, id: &str) -> Value {
    if let Some(rule) = results.checker.rules().iter().find(|r| r.id() == id) {
        let mut help = rule.message().to_string();
        if let Some(why) = rule.why() {
            help.push_str("\n\n");
            help.push_str(why.trim());
        }
        if let Some(suggest) = rule.suggest() {
            help.push_str(&format!("\n\nSay instead: {suggest}"));
        }
        if let Some(source) = rule.source() {
            help.push_str(&format!("\n\nSource: {source}"));
        }
        let mut tags = vec![rule.category(), rule.kind().as_str()];
        tags.dedup();
        let mut d = json!({
            "id": id,
            "name": camel(id),
            "shortDescription": {"text": rule.message()},
            "fullDescription": {"text": rule.why().map_or(rule.message(), str::trim)},
            "help": {"text": help},
            "defaultConfiguration": {"level": sarif_level(rule.severity())},
            "properties": {
                "tags": tags,
                "severity": rule.severity(),
            },
        });
        if let Some(source) = rule.source() {
            d["properties"]["source"] = json!(source);
        }
        return d;
    }
    let lint = LINT_RULES
        .iter()
        .find(|r| r.id == id)
        .copied()
        .unwrap_or(LINT_RULES[0]);
    json!({
        "id": id,
        "name": camel(id),
        "shortDescription": {"text": lint.message},
        "fullDescription": {"text": lint.message},
        "help": {"text": lint.help},
        "defaultConfiguration": {"level": sarif_level(lint.severity)},
        "properties": {"tags": ["lint"], "severity": lint.severity},
    })
}

/// `forbidden.dont-know` → `ForbiddenDontKnow`, a SARIF rule name.
fn camel(id: &str) -> String {
    id.split(['.', '-'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|first| first.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}
