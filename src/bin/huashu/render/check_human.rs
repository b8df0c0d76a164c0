//! `huashu check --format human`: each finding with the turn's text and the hit underlined,
//! then the totals.

use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Snippet};
use huashu::text::clock;
use huashu::{Checker, Finding, Report, RuleKind, Scoring, Severity, Transcript};
use unicode_width::UnicodeWidthStr;

use super::{level, plural, printable, renderer};
use crate::check::input::Item;
use crate::check::tally::{Summary, Tally};

/// One transcript: a header with the score, every finding, then the ledger, the dimension
/// subtotals and the rules that did not apply.
pub(crate) fn report(
    out: &mut impl Write,
    checker: &Checker,
    item: &Item,
    report: &Report,
    color: bool,
) -> io::Result<()> {
    let Item::Transcript {
        file,
        line,
        transcript,
    } = item
    else {
        return Ok(());
    };
    let scoring = checker.scoring();
    let verdict = match (report.score, report.passed) {
        (Some(score), Some(passed)) => format!(
            "{score}/{} {}",
            scoring.full_marks(),
            if passed { "passed" } else { "FAILED" }
        ),
        _ => format!(
            "not scored ({})",
            report.not_scored.as_deref().unwrap_or("not eligible")
        ),
    };
    let mut about = Vec::new();
    if let Some(channel) = transcript.channel {
        about.push(channel.to_string());
    }
    if let Some(agent) = &transcript.agent {
        about.push(format!("agent {}", printable(agent)));
    }
    let turns = transcript.turns.len();
    about.push(format!("{turns} turn{}", plural(turns)));
    writeln!(
        out,
        "{} ({}:{}, {}): {}",
        printable(&report.id),
        printable(file),
        line,
        about.join(", "),
        verdict
    )?;
    let renderer = renderer(color);
    for finding in &report.findings {
        let group = finding_group(checker, transcript, finding);
        writeln!(out, "{}", renderer.render(&[group]))?;
    }
    ledger(out, report)?;
    if !report.dimensions.is_empty() && report.score.is_some() {
        let parts: Vec<String> = report
            .dimensions
            .iter()
            .map(|d| format!("{} {}/{}", d.name, d.subtotal, d.max))
            .collect();
        writeln!(out, "  dimensions: {}", parts.join(" · "))?;
    }
    if !report.not_applicable.is_empty() {
        let ids: Vec<&str> = report.not_applicable.iter().map(|n| &*n.rule).collect();
        writeln!(out, "  not applicable ({}): {}", ids.len(), ids.join(", "))?;
    }
    if !report.findings.is_empty() {
        let summary = match (report.score, report.passed) {
            (Some(score), Some(passed)) => {
                let fatal = report
                    .findings
                    .iter()
                    .any(|f| f.severity == Severity::Fatal);
                let why = if fatal {
                    " (a fatal finding fails it whatever the score)".to_string()
                } else if !passed {
                    format!(" (below the pass mark of {})", scoring.pass_mark())
                } else {
                    String::new()
                };
                format!(
                    "{} points deducted, score {score}/{}: {}{why}",
                    scoring.full_marks().saturating_sub(score),
                    scoring.full_marks(),
                    if passed { "passed" } else { "FAILED" }
                )
            }
            _ => "not scored".to_string(),
        };
        writeln!(
            out,
            "{}: {} finding{}, {summary}",
            report.id,
            report.findings.len(),
            plural(report.findings.len()),
        )?;
    }
    if !report.findings.is_empty() || !report.not_applicable.is_empty() {
        writeln!(out)?;
    }
    Ok(())
}

/// The ledger: every deduction with its points, the running score and the evidence.
fn ledger(out: &mut impl Write, report: &Report) -> io::Result<()> {
    if report.ledger.is_empty() {
        return Ok(());
    }
    writeln!(out, "  ledger:")?;
    let width = report
        .ledger
        .iter()
        .map(|e| e.rule.len())
        .max()
        .unwrap_or(0);
    for e in &report.ledger {
        let dimension = e
            .dimension
            .as_deref()
            .map(|d| format!("[{d}] "))
            .unwrap_or_default();
        writeln!(
            out,
            "    {:>4} → {:>3}  {:width$}  {dimension}{}",
            format!("-{}", e.points),
            e.balance,
            e.rule,
            e.detail
        )?;
    }
    Ok(())
}

fn finding_group<'a>(checker: &Checker, transcript: &'a Transcript, f: &'a Finding) -> Group<'a> {
    let title = format!("{} (-{})", f.message, f.deduct);
    let mut group = Group::with_title(level(f.severity).primary_title(title).id(&*f.rule));
    if let Some(t) = f.turn {
        let turn = &transcript.turns[t];
        let when = turn
            .time
            .map(|s| format!(", at {}", clock(s)))
            .unwrap_or_default();
        let span = match (f.byte_start, f.byte_end) {
            (Some(start), Some(end)) => Some(start..end),
            // A whole turn: the message left waiting, say.
            _ => (!turn.text.is_empty()).then_some(0..turn.text.len()),
        };
        if let Some(span) = span {
            group = group.element(
                Snippet::source(&*turn.text)
                    .path(format!("turn {} ({}{when})", t + 1, turn.role))
                    .annotation(AnnotationKind::Primary.span(span)),
            );
        }
    } else if f.evidence.is_none() {
        if let Some(rule) = checker.rules().iter().find(|r| r.id() == &*f.rule) {
            let roles: Vec<&str> = rule.roles().iter().map(|r| r.as_str()).collect();
            let note = match rule.kind() {
                RuleKind::Required => format!(
                    "none of its phrases appears in {} of role {}",
                    rule.window(),
                    roles.join("/")
                ),
                RuleKind::Courtesy => format!(
                    "its phrases must occur at least {} time{} in the turns of role {}",
                    rule.min_count(),
                    plural(rule.min_count() as usize),
                    roles.join("/")
                ),
                _ => String::new(),
            };
            if !note.is_empty() {
                group = group.element(Level::NOTE.message(note));
            }
        }
    }
    if let Some(evidence) = &f.evidence {
        group = group.element(Level::NOTE.message(evidence.detail.clone()));
    }
    if let Some(suggest) = &f.suggest {
        group = group.element(Level::HELP.message(format!("say instead: {suggest}")));
    }
    if let Some(source) = &f.source {
        group = group.element(Level::NOTE.message(format!("source: {source}")));
    }
    group
}

/// A record or file that could not be read.
pub(crate) fn error(out: &mut impl Write, item: &Item, color: bool) -> io::Result<()> {
    let Item::Error {
        file,
        line,
        column,
        message,
    } = item
    else {
        return Ok(());
    };
    let file = printable(file);
    let place = match (line, column) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        (Some(l), None) => format!("{file}:{l}"),
        _ => file,
    };
    let title = format!("{place}: {}", printable(message));
    let group = Group::with_title(Level::ERROR.primary_title(title));
    writeln!(out, "{}\n", renderer(color).render(&[group]))
}

/// The totals after all transcripts.
pub(crate) fn summary(
    out: &mut impl Write,
    tally: &Tally,
    scoring: &Scoring,
    color: bool,
) -> io::Result<()> {
    let _ = color;
    let scored = tally.passed + tally.failed;
    let mean = if scored > 0 {
        format!(
            ", mean score {:.1}/{}",
            tally.score_sum as f64 / scored as f64,
            scoring.full_marks()
        )
    } else {
        String::new()
    };
    let not_scored = if tally.not_scored > 0 {
        format!(", {} not scored", tally.not_scored)
    } else {
        String::new()
    };
    write!(
        out,
        "{} transcript{} checked: {} passed, {} failed{not_scored}{}",
        tally.transcripts,
        plural(tally.transcripts),
        tally.passed,
        tally.failed,
        mean
    )?;
    if tally.errors > 0 {
        write!(
            out,
            "; {} input record{} could not be read",
            tally.errors,
            plural(tally.errors)
        )?;
    }
    writeln!(out)
}

/// The aggregate statistics of `--summary`: totals, then the `top` rules with the most
/// findings and the `top` agents with the lowest mean score.
pub(crate) fn detailed_summary(
    out: &mut impl Write,
    summary: &Summary,
    top: usize,
    color: bool,
) -> io::Result<()> {
    let bold = |s: &str| {
        if color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let percent =
        |rate: Option<f64>| rate.map_or("-".to_string(), |r| format!("{:.1}%", r * 100.0));
    writeln!(out, "{}", bold("Summary"))?;
    let mut totals = Table::new(&["", ""]);
    totals.row(vec![
        "transcripts".into(),
        format!(
            "{}{}",
            summary.transcripts,
            if summary.errors > 0 {
                format!(" ({} input records could not be read)", summary.errors)
            } else {
                String::new()
            }
        ),
    ]);
    totals.row(vec![
        "scored".into(),
        format!("{} ({} not scored)", summary.scored, summary.not_scored),
    ]);
    totals.row(vec![
        "passed".into(),
        format!(
            "{} of {} ({}), pass mark {}",
            summary.passed,
            summary.scored,
            percent(summary.pass_rate),
            summary.pass_mark
        ),
    ]);
    totals.row(vec![
        "mean score".into(),
        summary.mean_score.map_or("-".to_string(), |m| {
            format!("{m:.1} / {}", summary.full_marks)
        }),
    ]);
    totals.row(vec!["findings".into(), summary.findings.to_string()]);
    totals.write(out, "  ", false)?;

    if !summary.rules.is_empty() {
        writeln!(out)?;
        let shown = summary.rules.len().min(top);
        writeln!(
            out,
            "{}",
            bold(&format!(
                "Rules with the most findings ({shown} of {})",
                summary.rules.len()
            ))
        )?;
        let mut rules = Table::new(&["rule", "findings", "transcripts", "points"]);
        for r in summary.rules.iter().take(top) {
            rules.row(vec![
                r.rule.clone(),
                r.findings.to_string(),
                r.transcripts.to_string(),
                r.deducted.to_string(),
            ]);
        }
        rules.write(out, "  ", true)?;
    }
    if !summary.agents.is_empty() {
        writeln!(out)?;
        let shown = summary.agents.len().min(top);
        writeln!(
            out,
            "{}",
            bold(&format!(
                "Agents, lowest mean score first ({shown} of {})",
                summary.agents.len()
            ))
        )?;
        let mut agents = Table::new(&[
            "agent",
            "transcripts",
            "mean score",
            "pass rate",
            "findings",
        ]);
        for a in summary.agents.iter().take(top) {
            agents.row(vec![
                printable(&a.agent),
                a.transcripts.to_string(),
                a.mean_score.map_or("-".to_string(), |m| format!("{m:.1}")),
                percent(a.pass_rate),
                a.findings.to_string(),
            ]);
        }
        agents.write(out, "  ", true)?;
    }
    if !summary.dimensions.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", bold("Dimensions"))?;
        let mut dimensions = Table::new(&[
            "dimension",
            "mean",
            "of",
            "transcripts losing points",
            "points",
        ]);
        for d in &summary.dimensions {
            dimensions.row(vec![
                d.dimension.clone(),
                d.mean_subtotal
                    .map_or("-".to_string(), |m| format!("{m:.1}")),
                d.max.to_string(),
                d.transcripts_losing_points.to_string(),
                d.deducted.to_string(),
            ]);
        }
        dimensions.write(out, "  ", true)?;
    }
    if summary.channels.len() > 1 || summary.channels.iter().any(|c| c.channel != "unknown") {
        writeln!(out)?;
        writeln!(out, "{}", bold("Channels"))?;
        let mut channels = Table::new(&[
            "channel",
            "transcripts",
            "mean score",
            "pass rate",
            "findings",
        ]);
        for c in &summary.channels {
            channels.row(vec![
                c.channel.to_string(),
                c.transcripts.to_string(),
                c.mean_score.map_or("-".to_string(), |m| format!("{m:.1}")),
                percent(c.pass_rate),
                c.findings.to_string(),
            ]);
        }
        channels.write(out, "  ", true)?;
    }
    if summary.scored > 0 {
        writeln!(out)?;
        writeln!(out, "{}", bold("Scores"))?;
        let most = summary
            .distribution
            .iter()
            .map(|b| b.transcripts)
            .max()
            .unwrap_or(0)
            .max(1);
        let mut bands = Table::new(&["", "", ""]);
        for b in &summary.distribution {
            let label = if b.from == b.to {
                b.from.to_string()
            } else {
                format!("{}–{}", b.from, b.to)
            };
            let bar = "█".repeat(((b.transcripts * 30).div_ceil(most)) as usize);
            bands.row(vec![label, b.transcripts.to_string(), bar]);
        }
        bands.write(out, "  ", false)?;
    }
    writeln!(out)
}

/// A plain text table: the first column left-aligned, the others right-aligned, padded by
/// display width (CJK characters take two columns).
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn write(&self, out: &mut impl Write, indent: &str, header: bool) -> io::Result<()> {
        let lines: Vec<&Vec<String>> = if header {
            std::iter::once(&self.header).chain(&self.rows).collect()
        } else {
            self.rows.iter().collect()
        };
        let columns = self.header.len();
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                lines
                    .iter()
                    .map(|l| l.get(c).map_or(0, |s| s.width()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for line in lines {
            let mut text = String::from(indent);
            for (c, cell) in line.iter().enumerate() {
                let pad = " ".repeat(widths[c] - cell.width());
                if c == 0 {
                    text.push_str(cell);
                    text.push_str(&pad);
                } else if header {
                    text.push_str("  ");
                    text.push_str(&pad);
                    text.push_str(cell);
                } else {
                    // A two-column list of labels and values: values left-aligned.
                    text.push_str("  ");
                    text.push_str(cell);
                }
            }
            writeln!(out, "{}", text.trim_end())?;
        }
        Ok(())
    }
}
