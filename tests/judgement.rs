//! The built-in pack measured on the development corpus (`tests/corpus/judgement.jsonl`):
//! agent turns in the style of real chat, e-mail, tickets and ASR calls, violations and their
//! benign look-alikes, each labelled by two reviewers. The figures may only go up: a change
//! that loses precision or recall on real phrasing fails here, with the cases it got wrong.

use huashu::Checker;
use huashu::eval::{MismatchKind, read_corpus};

/// The figures the built-in pack reached, rounded down. Raise them when a change improves
/// them; never lower them to let a change through.
const MIN_PRECISION: f64 = 0.75;
const MIN_RECALL: f64 = 0.31;
const MIN_CASE_PRECISION: f64 = 0.82;
const MIN_CASE_RECALL: f64 = 0.35;

#[test]
fn the_builtin_pack_keeps_its_precision_and_recall_on_the_corpus() {
    let text = std::fs::read_to_string("tests/corpus/judgement.jsonl").expect("the corpus reads");
    let cases = read_corpus(&text).unwrap_or_else(|errors| {
        panic!("the corpus has unreadable cases: {errors:#?}");
    });
    assert!(cases.len() >= 400, "{} cases", cases.len());
    let violations = cases.iter().filter(|c| !c.expect.is_empty()).count();
    assert!(violations >= 150 && cases.len() - violations >= 200);
    let report = Checker::builtin().expect("compiles").eval(&cases);
    let listing = |kind: MismatchKind| {
        report
            .mismatches
            .iter()
            .filter(|m| m.kind == kind)
            .map(|m| format!("  {} {}: {}", m.id, m.rule, m.text))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let defined = |x: Option<f64>| x.expect("the corpus expects and finds something");
    let (p, r) = (
        defined(report.overall.precision()),
        defined(report.overall.recall()),
    );
    assert!(
        p >= MIN_PRECISION,
        "precision {p:.3} < {MIN_PRECISION}; false positives:\n{}",
        listing(MismatchKind::FalsePositive)
    );
    assert!(
        r >= MIN_RECALL,
        "recall {r:.3} < {MIN_RECALL}; false negatives:\n{}",
        listing(MismatchKind::FalseNegative)
    );
    let flagged = report.cases_flagged;
    assert!(
        defined(flagged.precision()) >= MIN_CASE_PRECISION,
        "{flagged:?}"
    );
    assert!(defined(flagged.recall()) >= MIN_CASE_RECALL, "{flagged:?}");
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
}
