//! `rules eval` as a table for people, or one JSON document to track over time.

use std::io::{self, Write};

use huashu::eval::{Counts, EvalReport, MismatchKind};
use serde_json::{Value, json};
use unicode_width::UnicodeWidthStr;

use super::{json_error, plural, printable};

/// How much of a case's text a listed mismatch shows.
const TEXT_SHOWN: usize = 80;

fn figures(c: &Counts) -> Value {
    json!({
        "precision": c.precision().map(round),
        "recall": c.recall().map(round),
        "f1": c.f1().map(round),
        "true_positives": c.true_positives,
        "false_positives": c.false_positives,
        "false_negatives": c.false_negatives,
    })
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

pub(crate) fn json(
    out: &mut impl Write,
    corpus: &str,
    pack: &str,
    r: &EvalReport,
    failures: &[String],
) -> io::Result<()> {
    let rules: serde_json::Map<String, Value> = r
        .rules
        .iter()
        .map(|(id, c)| (id.clone(), figures(c)))
        .collect();
    let value = json!({
        "corpus": corpus,
        "pack": pack,
        "cases": r.cases,
        "passed": failures.is_empty(),
        "failures": failures,
        "overall": figures(&r.overall),
        "cases_flagged": figures(&r.cases_flagged),
        "rules": rules,
        "categories": r.categories,
        "unknown_rules": r.unknown_rules,
        "warnings": r.warnings,
        "mismatches": r.mismatches,
    });
    serde_json::to_writer_pretty(&mut *out, &value).map_err(json_error)?;
    writeln!(out)
}

/// `text` padded with spaces to `width` columns of the terminal (a CJK character is two).
fn pad(text: &str, width: usize) -> String {
    let shown = text.width();
    format!("{text}{}", " ".repeat(width.saturating_sub(shown)))
}

fn ratio(x: Option<f64>, width: usize) -> String {
    match x {
        Some(x) => format!("{x:>width$.3}"),
        None => format!("{:>width$}", "n/a"),
    }
}

fn row(out: &mut impl Write, name: &str, c: &Counts) -> io::Result<()> {
    writeln!(
        out,
        "  {} {} {} {} {:>5} {:>5} {:>5}",
        pad(&printable(name), 42),
        ratio(c.precision(), 9),
        ratio(c.recall(), 7),
        ratio(c.f1(), 6),
        c.true_positives,
        c.false_positives,
        c.false_negatives
    )
}

/// The start of `text`, on one line.
fn excerpt(text: &str) -> String {
    let shown: String = text.chars().take(TEXT_SHOWN).collect();
    let more = if text.chars().nth(TEXT_SHOWN).is_some() {
        "…"
    } else {
        ""
    };
    format!("{}{more}", printable(&shown))
}

pub(crate) fn human(
    out: &mut impl Write,
    corpus: &str,
    pack: &str,
    r: &EvalReport,
    show: usize,
) -> io::Result<()> {
    writeln!(
        out,
        "{}: {} case{}, pack {}",
        printable(corpus),
        r.cases,
        plural(r.cases),
        printable(pack)
    )?;
    writeln!(out)?;
    let header = |out: &mut dyn Write, first: &str| {
        writeln!(
            out,
            "  {} {:>9} {:>7} {:>6} {:>5} {:>5} {:>5}",
            pad(first, 42),
            "precision",
            "recall",
            "F1",
            "TP",
            "FP",
            "FN"
        )
    };
    header(out, "")?;
    row(out, "all findings (case × rule)", &r.overall)?;
    row(out, "cases flagged", &r.cases_flagged)?;
    writeln!(out)?;
    header(out, "rule (worst F1 first)")?;
    let mut rules: Vec<(&String, &Counts)> = r.rules.iter().collect();
    let f1 = |c: &Counts| c.f1().unwrap_or(f64::INFINITY);
    rules.sort_by(|a, b| f1(a.1).total_cmp(&f1(b.1)).then(a.0.cmp(b.0)));
    for (id, c) in rules {
        let name = if r.unknown_rules.contains(id) {
            format!("{id} *")
        } else {
            id.clone()
        };
        row(out, &name, c)?;
    }
    if !r.unknown_rules.is_empty() {
        let names: Vec<String> = r.unknown_rules.iter().map(|id| printable(id)).collect();
        writeln!(
            out,
            "  * not in the pack, so every case that expects it is a miss: {}",
            names.join(", ")
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "  {} {:>5} {:>10} {:>6} {:>12} {:>6}",
        pad("category", 42),
        "cases",
        "violations",
        "caught",
        "false alarms",
        "exact"
    )?;
    for (name, c) in &r.categories {
        writeln!(
            out,
            "  {} {:>5} {:>10} {:>6} {:>12} {:>6}",
            pad(&printable(name), 42),
            c.cases,
            c.violations,
            c.caught,
            c.false_alarms,
            c.exact
        )?;
    }
    for (kind, title) in [
        (
            MismatchKind::FalseNegative,
            "false negatives (expected, not found)",
        ),
        (
            MismatchKind::FalsePositive,
            "false positives (found, not expected)",
        ),
    ] {
        let all: Vec<_> = r.mismatches.iter().filter(|m| m.kind == kind).collect();
        if all.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "{title}: {}", all.len())?;
        for m in all.iter().take(show) {
            let matched = m
                .matched
                .as_deref()
                .map(|t| format!(" “{}”", printable(t)))
                .unwrap_or_default();
            writeln!(
                out,
                "  {} (line {}) {}{matched}: {}",
                printable(&m.id),
                m.line,
                printable(&m.rule),
                excerpt(&m.text)
            )?;
        }
        if all.len() > show {
            writeln!(
                out,
                "  … and {} more (--show N, or --format json)",
                all.len() - show
            )?;
        }
    }
    Ok(())
}
