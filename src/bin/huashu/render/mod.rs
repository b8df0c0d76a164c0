//! Rendering results, one file per output: `check` as human diagnostics or JSON Lines;
//! `lint` as human diagnostics, JSON, SARIF or GitHub annotations. Here: what the human
//! outputs share.

pub(crate) mod check_csv;
pub(crate) mod check_human;
pub(crate) mod check_json;
pub(crate) mod eval;
pub(crate) mod lint_github;
pub(crate) mod lint_human;
pub(crate) mod lint_json;
pub(crate) mod lint_sarif;

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use huashu::{PackError, Severity};

/// The diagnostics renderer: styled when `color`, with Unicode box drawing.
pub(crate) fn renderer(color: bool) -> Renderer {
    let r = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    r.decor_style(DecorStyle::Unicode)
}

/// The diagnostic level a severity is shown as, named after the severity.
pub(crate) fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Fatal => Level::ERROR.with_name("fatal"),
        Severity::Major => Level::ERROR.with_name("major"),
        Severity::Minor => Level::WARNING.with_name("minor"),
        Severity::Info => Level::INFO.with_name("info"),
    }
}

/// A rule pack that could not be loaded: every problem, with the TOML line it is on.
pub(crate) fn pack_error(e: &PackError, color: bool) -> String {
    let renderer = renderer(color);
    let mut groups = Vec::new();
    for p in e.problems() {
        let mut title = String::new();
        if let Some(rule) = p.rule() {
            title.push_str(&format!("rule `{rule}`: "));
        }
        title.push_str(p.message());
        let group = Group::with_title(Level::ERROR.primary_title(title));
        let group = match (p.source_text(), p.span()) {
            (Some(source), Some(span)) => group.element(
                Snippet::source(source)
                    .path(p.file())
                    .fold(true)
                    .annotation(AnnotationKind::Primary.span(span)),
            ),
            _ => {
                // No text to show: the place alone, with its line when known.
                let origin = annotate_snippets::Origin::path(p.file());
                group.element(match (p.line(), p.column()) {
                    (Some(line), Some(column)) => origin.line(line).char_column(column),
                    (Some(line), None) => origin.line(line),
                    _ => origin,
                })
            }
        };
        groups.push(group);
    }
    let mut text = String::new();
    for group in groups {
        text.push_str(&renderer.render(&[group]));
        text.push_str("\n\n");
    }
    let n = e.problems().len();
    text.push_str(&format!(
        "error: the rule pack is invalid ({} problem{})",
        n,
        plural(n)
    ));
    text
}

/// A JSON writer's error as the I/O error it wraps, so that a closed pipe is still seen as
/// one.
pub(crate) fn json_error(e: serde_json::Error) -> std::io::Error {
    match e.io_error_kind() {
        Some(kind) => std::io::Error::from(kind),
        None => std::io::Error::other(e),
    }
}

/// `text` safe to print on a terminal and on one line: control characters (a line break,
/// ESC, a carriage return) are shown as escapes (`\n`, `\u{1b}`) instead of acting.
pub(crate) fn printable(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| match c {
            '\n' => "\\n".to_string(),
            '\r' => "\\r".to_string(),
            '\t' => "\\t".to_string(),
            c if c.is_control() => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// `"s"` after a count other than one.
pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `value` pretty-printed, every line after the first indented by `levels` steps of two
/// spaces (a JSON string holds no raw line break, so lines are safe to indent).
pub(crate) fn indented(
    out: &mut impl std::io::Write,
    value: &serde_json::Value,
    levels: usize,
) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(json_error)?;
    let pad = "  ".repeat(levels);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
            out.write_all(pad.as_bytes())?;
        }
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}
