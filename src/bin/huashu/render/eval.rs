//! `rules eval` as a table for people, or one JSON document to track over time.

use std::io::{self, Write};

use huashu::eval::{Counts, EvalReport, MismatchKind};
use serde_json::{Value, json};

use super::plural;

fn figures(c: &Counts) -> Value {
    json!({
        "precision": round(c.precision()),
        "recall": round(c.recall()),
        "f1": round(c.f1()),
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
        "overall": figures(&r.overall),
        "cases_flagged": figures(&r.cases_flagged),
        "rules": rules,
        "categories": r.categories,
        "unknown_rules": r.unknown_rules,
        "mismatches": r.mismatches,
    });
    serde_json::to_writer_pretty(&mut *out, &value).map_err(io::Error::other)?;
    writeln!(out)
}

fn row(out: &mut impl Write, name: &str, c: &Counts) -> io::Result<()> {
    writeln!(
        out,
        "  {name:<42} {:>9.3} {:>7.3} {:>6.3} {:>5} {:>5} {:>5}",
        c.precision(),
        c.recall(),
        c.f1(),
        c.true_positives,
        c.false_positives,
        c.false_negatives
    )
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
        "{corpus}: {} case{}, pack {pack}",
        r.cases,
        plural(r.cases)
    )?;
    writeln!(out)?;
    let header = |out: &mut dyn Write, first: &str| {
        writeln!(
            out,
            "  {first:<42} {:>9} {:>7} {:>6} {:>5} {:>5} {:>5}",
            "precision", "recall", "F1", "TP", "FP", "FN"
        )
    };
    header(out, "")?;
    row(out, "all findings (case × rule)", &r.overall)?;
    row(out, "cases flagged", &r.cases_flagged)?;
    writeln!(out)?;
    header(out, "rule (worst F1 first)")?;
    let mut rules: Vec<(&String, &Counts)> = r.rules.iter().collect();
    rules.sort_by(|a, b| a.1.f1().total_cmp(&b.1.f1()).then(a.0.cmp(b.0)));
    for (id, c) in rules {
        let name = if r.unknown_rules.contains(id) {
            format!("{id} *")
        } else {
            id.clone()
        };
        row(out, &name, c)?;
    }
    if !r.unknown_rules.is_empty() {
        writeln!(
            out,
            "  * not in the pack: every case that expects it is a miss"
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "  {:<42} {:>5} {:>10} {:>6} {:>12} {:>6}",
        "category", "cases", "violations", "caught", "false alarms", "exact"
    )?;
    for (name, c) in &r.categories {
        writeln!(
            out,
            "  {name:<42} {:>5} {:>10} {:>6} {:>12} {:>6}",
            c.cases, c.violations, c.caught, c.false_alarms, c.exact
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
                .map(|t| format!(" “{t}”"))
                .unwrap_or_default();
            writeln!(
                out,
                "  {} (line {}) {}{matched}: {}",
                m.id, m.line, m.rule, m.text
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
