//! Rendering results: human-readable diagnostics and JSON Lines.

pub(crate) mod human;
pub(crate) mod json;

use huashu::Report;

/// Counts kept while checking, for the summary and the exit code.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) transcripts: usize,
    pub(crate) passed: usize,
    pub(crate) failed: usize,
    pub(crate) not_scored: usize,
    pub(crate) errors: usize,
    pub(crate) findings: usize,
    pub(crate) score_sum: u64,
}

impl Tally {
    pub(crate) fn add_report(&mut self, report: &Report) {
        self.transcripts += 1;
        self.findings += report.findings.len();
        match (report.score, report.passed) {
            (Some(score), Some(passed)) => {
                self.score_sum += u64::from(score);
                if passed {
                    self.passed += 1;
                } else {
                    self.failed += 1;
                }
            }
            _ => self.not_scored += 1,
        }
    }
}
