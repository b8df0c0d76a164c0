//! `huashu lint --format human`: each finding with its lines of the file, then the stale
//! baseline entries and a summary line.

use std::collections::BTreeMap;
use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Snippet};
use huashu::lint::{LINT_RULES, LintFinding};

use super::{level, plural, printable, renderer};
use crate::cli::LintArgs;
use crate::lint::results::{LintResults, LintedFile};

pub(crate) fn write(
    out: &mut impl Write,
    results: &LintResults<'_>,
    args: &LintArgs,
    color: bool,
) -> io::Result<()> {
    let renderer = renderer(color);
    if args.quiet {
        return summary(out, results, args);
    }
    for file in &results.files {
        for f in &file.findings {
            if !f.is_active() && !args.show_suppressed {
                continue;
            }
            writeln!(out, "{}", renderer.render(&[finding_group(file, f)]))?;
        }
    }
    if !results.stale.is_empty() {
        let n: usize = results.stale.iter().map(|e| e.count).sum();
        writeln!(
            out,
            "baseline: {n} accepted finding{} no longer occur{}:",
            plural(n),
            if n == 1 { "s" } else { "" }
        )?;
        for e in &results.stale {
            let times = if e.count > 1 {
                format!(" ×{}", e.count)
            } else {
                String::new()
            };
            writeln!(out, "  {}{times}  “{}”", e.rule, e.reply)?;
        }
    }
    summary(out, results, args)
}

/// The paths that could not be read, for standard error.
pub(crate) fn errors(
    out: &mut impl Write,
    results: &LintResults<'_>,
    color: bool,
) -> io::Result<()> {
    let renderer = renderer(color);
    for (path, message) in &results.errors {
        let group = Group::with_title(Level::ERROR.primary_title(format!(
            "{}: {}",
            printable(path),
            printable(message)
        )));
        writeln!(out, "{}", renderer.render(&[group]))?;
    }
    Ok(())
}

fn finding_group<'a>(file: &'a LintedFile, f: &'a LintFinding) -> Group<'a> {
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
        Some(place) => annotation.label(format!("in {}", printable(place))),
        None => annotation,
    };
    group = group.element(
        Snippet::source(text)
            .line_start(f.line)
            .path(printable(&lib.path))
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

fn summary(out: &mut impl Write, results: &LintResults<'_>, args: &LintArgs) -> io::Result<()> {
    let files = results.files.len();
    let replies: usize = results.files.iter().map(|f| f.library.replies.len()).sum();
    let mut by_severity = BTreeMap::new();
    let mut active = 0;
    let mut failing = 0;
    let mut fixable = 0;
    for (_, f) in results.active() {
        active += 1;
        failing += usize::from(results.fails(f));
        *by_severity
            .entry(std::cmp::Reverse(f.severity))
            .or_insert(0) += 1;
        fixable += usize::from(f.fix.as_ref().is_some_and(|e| e.safe));
    }
    let all = results.files.iter().flat_map(|f| &f.findings);
    let suppressed = all.clone().filter(|f| f.suppressed.is_some()).count();
    let baselined = all.filter(|f| f.baselined).count();
    let fixed: usize = results.files.iter().map(|f| f.fixed).sum();

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
            results.fail_on
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
    if !results.errors.is_empty() {
        let n = results.errors.len();
        line.push_str(&format!("; {n} path{} could not be read", plural(n)));
    }
    writeln!(out, "{line}")
}
