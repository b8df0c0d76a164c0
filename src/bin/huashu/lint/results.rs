//! What a lint run found, as the command hands it to the renderers.

use huashu::lint::{BaselineEntry, LintFinding};
use huashu::replies::ReplyLibrary;
use huashu::{Checker, Severity};

/// One linted file.
pub(crate) struct LintedFile {
    pub(crate) library: ReplyLibrary,
    pub(crate) findings: Vec<LintFinding>,
    /// How many fixes were applied (or would be, with `--dry-run`).
    pub(crate) fixed: usize,
}

/// Everything a run found, for the renderers.
pub(crate) struct LintResults<'a> {
    pub(crate) checker: &'a Checker,
    pub(crate) files: Vec<LintedFile>,
    /// Files or paths that could not be read at all: (path, message).
    pub(crate) errors: Vec<(String, String)>,
    /// Baseline entries that no longer occur.
    pub(crate) stale: Vec<BaselineEntry>,
    pub(crate) baseline_used: bool,
    pub(crate) fail_on: Severity,
}

impl LintResults<'_> {
    /// The findings that count (neither suppressed nor baselined), each with its file.
    pub(crate) fn active(&self) -> impl Iterator<Item = (&LintedFile, &LintFinding)> {
        self.files
            .iter()
            .flat_map(|f| f.findings.iter().map(move |x| (f, x)))
            .filter(|(_, x)| x.is_active())
    }

    /// Whether a finding fails the run.
    pub(crate) fn fails(&self, f: &LintFinding) -> bool {
        f.is_active() && f.severity >= self.fail_on
    }
}
