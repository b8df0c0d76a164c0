//! `huashu lint` output: human diagnostics, JSON, SARIF 2.1.0 and GitHub annotations.

use std::collections::BTreeMap;
use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Snippet};
use huashu::Severity;
use huashu::lint::{LINT_RULES, LintFinding};
use serde_json::{Value, json};

use super::human::{level, renderer};
use crate::cli::LintArgs;
use crate::lint::{Linted, Outcome};

// -------------------------------------------------------------------------------------------
// Human.

pub(crate) fn human(
    out: &mut impl Write,
    outcome: &Outcome<'_>,
    args: &LintArgs,
    color: bool,
) -> io::Result<()> {
    let renderer = renderer(color);
    for (path, message) in &outcome.errors {
        let group = Group::with_title(Level::ERROR.primary_title(format!("{path}: {message}")));
        writeln!(out, "{}", renderer.render(&[group]))?;
    }
    for file in &outcome.files {
        for f in &file.findings {
            if !f.is_active() && !args.show_suppressed {
                continue;
            }
            writeln!(out, "{}", renderer.render(&[finding_group(file, f)]))?;
        }
    }
    if !outcome.stale.is_empty() {
        let n: usize = outcome.stale.iter().map(|e| e.count).sum();
        writeln!(
            out,
            "baseline: {n} accepted finding{} no longer occur{}:",
            plural(n),
            if n == 1 { "s" } else { "" }
        )?;
        for e in &outcome.stale {
            let times = if e.count > 1 {
                format!(" ×{}", e.count)
            } else {
                String::new()
            };
            writeln!(out, "  {}{times}  “{}”", e.rule, e.reply)?;
        }
    }
    summary(out, outcome, args)
}

fn finding_group<'a>(file: &'a Linted, f: &'a LintFinding) -> Group<'a> {
    let lib = &file.library;
    let mut title = f.message.to_string();
    if let Some(reason) = &f.suppressed {
        title.push_str(&format!(" (suppressed: {reason})"));
    } else if f.baselined {
        title.push_str(" (in the baseline)");
    }
    let mut group = Group::with_title(level(f.severity).primary_title(title).id(&*f.rule));
    // The lines the finding is on, as the snippet.
    let first = lib.line_start(f.line);
    let last_line_end = {
        let start = lib.line_start(f.end_line);
        start + lib.line(f.end_line).len()
    };
    let end = last_line_end.max(f.span.end).min(lib.source.len());
    let text = &lib.source[first..end];
    let span = f.span.start - first..f.span.end.min(end) - first;
    let annotation = AnnotationKind::Primary.span(span);
    let annotation = match &f.place {
        Some(place) => annotation.label(format!("in {place}")),
        None => annotation,
    };
    group = group.element(
        Snippet::source(text)
            .line_start(f.line)
            .path(&*lib.path)
            .annotation(annotation),
    );
    if let Some(suggest) = &f.suggest {
        group = group.element(Level::HELP.message(format!("say instead: {suggest}")));
    }
    if let Some(fix) = &f.fix {
        let how = if fix.safe {
            "`huashu lint --fix` applies it"
        } else {
            "unsafe: `--fix --unsafe-fixes` applies it; read the reply after"
        };
        group = group
            .element(Level::HELP.message(format!("fix: replace with “{}” ({how})", fix.wording)));
    }
    if let Some(lint) = LINT_RULES.iter().find(|r| *r.id == *f.rule) {
        group = group.element(Level::HELP.message(lint.help));
    }
    if let Some(source) = &f.source {
        group = group.element(Level::NOTE.message(format!("source: {source}")));
    }
    group
}

fn summary(out: &mut impl Write, outcome: &Outcome<'_>, args: &LintArgs) -> io::Result<()> {
    let files = outcome.files.len();
    let replies: usize = outcome.files.iter().map(|f| f.library.replies.len()).sum();
    let mut by_severity = BTreeMap::new();
    let mut active = 0;
    let mut failing = 0;
    let mut fixable = 0;
    for (_, f) in outcome.active() {
        active += 1;
        failing += usize::from(outcome.fails(f));
        *by_severity
            .entry(std::cmp::Reverse(f.severity))
            .or_insert(0) += 1;
        fixable += usize::from(f.fix.as_ref().is_some_and(|e| e.safe));
    }
    let all = outcome.files.iter().flat_map(|f| &f.findings);
    let suppressed = all.clone().filter(|f| f.suppressed.is_some()).count();
    let baselined = all.filter(|f| f.baselined).count();
    let fixed: usize = outcome.files.iter().map(|f| f.fixed).sum();

    let mut line = if active == 0 {
        format!(
            "no findings in {replies} repl{} of {files} file{}",
            if replies == 1 { "y" } else { "ies" },
            plural(files)
        )
    } else {
        let parts: Vec<String> = by_severity
            .iter()
            .map(|(s, n)| format!("{n} {}", s.0))
            .collect();
        format!(
            "{active} finding{} ({}) in {replies} repl{} of {files} file{}",
            plural(active),
            parts.join(", "),
            if replies == 1 { "y" } else { "ies" },
            plural(files)
        )
    };
    if active > 0 && failing < active {
        line.push_str(&format!(
            "; {failing} at --fail-on {} or above",
            outcome.fail_on
        ));
    }
    if suppressed > 0 {
        line.push_str(&format!("; {suppressed} suppressed"));
    }
    if baselined > 0 {
        line.push_str(&format!("; {baselined} in the baseline"));
    }
    if fixed > 0 {
        let verb = if args.dry_run { "would fix" } else { "fixed" };
        line.push_str(&format!("; {verb} {fixed}"));
    } else if fixable > 0 {
        line.push_str(&format!("; {fixable} fixable with --fix"));
    }
    if !outcome.errors.is_empty() {
        let n = outcome.errors.len();
        line.push_str(&format!("; {n} path{} could not be read", plural(n)));
    }
    writeln!(out, "{line}")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

// -------------------------------------------------------------------------------------------
// JSON.

pub(crate) fn json(out: &mut impl Write, outcome: &Outcome<'_>) -> io::Result<()> {
    let mut findings = Vec::new();
    for file in &outcome.files {
        for f in &file.findings {
            let mut v = serde_json::to_value(f).map_err(io::Error::other)?;
            if let Value::Object(map) = &mut v {
                map.insert("file".into(), json!(file.library.path));
                map.insert("fails".into(), json!(outcome.fails(f)));
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
        "files": outcome.files.iter().map(|f| json!({
            "path": f.library.path,
            "format": f.library.format,
            "replies": f.library.replies.len(),
            "fixed": f.fixed,
        })).collect::<Vec<_>>(),
        "findings": findings,
        "errors": outcome.errors.iter().map(|(path, message)| json!({
            "path": path, "message": message
        })).collect::<Vec<_>>(),
        "stale_baseline": outcome.stale,
        "summary": {
            "active": outcome.active().count(),
            "failing": outcome.active().filter(|(_, f)| outcome.fails(f)).count(),
            "fail_on": outcome.fail_on,
        },
    });
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}

// -------------------------------------------------------------------------------------------
// SARIF 2.1.0.

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

pub(crate) fn sarif(out: &mut impl Write, outcome: &Outcome<'_>) -> io::Result<()> {
    // The rules results refer to, in order of first use.
    let mut rule_ids: Vec<&str> = Vec::new();
    for (_, f) in outcome
        .files
        .iter()
        .flat_map(|file| file.findings.iter().map(move |f| (file, f)))
    {
        if !f.baselined && !rule_ids.contains(&&*f.rule) {
            rule_ids.push(&f.rule);
        }
    }
    let rules: Vec<Value> = rule_ids.iter().map(|id| descriptor(outcome, id)).collect();

    let mut results = Vec::new();
    for file in &outcome.files {
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
                let (sl, sc) = file.library.position(fix.span.start);
                let (el, ec) = file.library.position(fix.span.end);
                map.insert(
                    "fixes".into(),
                    json!([{
                        "description": {"text": format!(
                            "Replace with “{}”{}", fix.wording,
                            if fix.safe { "" } else { " (review the reply after)" }
                        )},
                        "artifactChanges": [{
                            "artifactLocation": {"uri": uri(&file.library.path), "uriBaseId": "%SRCROOT%"},
                            "replacements": [{
                                "deletedRegion": {
                                    "startLine": sl, "startColumn": sc,
                                    "endLine": el, "endColumn": ec,
                                },
                                "insertedContent": {"text": fix.replacement},
                            }],
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
            if outcome.baseline_used {
                map.insert("baselineState".into(), json!("new"));
            }
            results.push(result);
        }
    }

    let mut notifications = Vec::new();
    for e in &outcome.stale {
        notifications.push(json!({
            "level": "note",
            "message": {"text": format!(
                "The baseline accepts {} finding{} of {} in “{}” that no longer occur{}.",
                e.count, plural(e.count), e.rule, e.reply, if e.count == 1 { "s" } else { "" }
            )},
        }));
    }
    for (path, message) in &outcome.errors {
        notifications.push(json!({
            "level": "error",
            "message": {"text": format!("{path}: {message}")},
        }));
    }
    let mut invocation = json!({"executionSuccessful": outcome.errors.is_empty()});
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = json!(notifications);
    }
    let doc = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "huashu",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "invocations": [invocation],
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}

/// A SARIF `reportingDescriptor` for a rule of the pack or of [`LINT_RULES`].
fn descriptor(outcome: &Outcome<'_>, id: &str) -> Value {
    if let Some(rule) = outcome.checker.rules().iter().find(|r| r.id() == id) {
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

// -------------------------------------------------------------------------------------------
// GitHub workflow commands.

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

pub(crate) fn github(out: &mut impl Write, outcome: &Outcome<'_>) -> io::Result<()> {
    for (path, message) in &outcome.errors {
        writeln!(
            out,
            "::error file={},title=huashu::{}",
            escape_property(path),
            escape_data(message)
        )?;
    }
    for (file, f) in outcome.active() {
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
    for e in &outcome.stale {
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
