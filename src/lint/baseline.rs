//! Baselines: findings accepted as they are, by a fingerprint that survives moving a reply.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::LintFinding;

/// Blanks collapsed to one space, trimmed: a reply's identity for fingerprints.
pub(super) fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `sha256(rule, NUL, text)`, the first 16 bytes in hex.
pub(super) fn fingerprint(rule: &str, context: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(rule.as_bytes());
    hash.update([0]);
    hash.update(context.as_bytes());
    hash.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Findings accepted as they are, by fingerprint, so that a check fails only on new ones.
///
/// A fingerprint is the rule and the reply's text: moving a reply, or editing other replies
/// around it, leaves it unchanged. When the same rule fires several times on replies with the
/// same text, the baseline keeps the count.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// The format's version: 1.
    pub version: u32,
    /// One entry per fingerprint, sorted.
    pub findings: Vec<BaselineEntry>,
}

/// One accepted finding (or several with the same fingerprint).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// See [`LintFinding::fingerprint`].
    pub fingerprint: String,
    /// The rule, for whoever reads the file.
    pub rule: String,
    /// The reply, for whoever reads the file (cut at 60 characters).
    pub reply: String,
    /// How many findings have this fingerprint.
    pub count: usize,
}

impl Baseline {
    /// The baseline that accepts every active finding of `findings`.
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a LintFinding>) -> Baseline {
        let mut entries: BTreeMap<&str, BaselineEntry> = BTreeMap::new();
        for f in findings.into_iter().filter(|f| f.suppressed.is_none()) {
            entries
                .entry(&f.fingerprint)
                .or_insert_with(|| BaselineEntry {
                    fingerprint: f.fingerprint.clone(),
                    rule: f.rule.to_string(),
                    reply: f.context.chars().take(60).collect(),
                    count: 0,
                })
                .count += 1;
        }
        Baseline {
            version: 1,
            findings: entries.into_values().collect(),
        }
    }

    /// Reads a baseline file's text.
    pub fn from_json(text: &str) -> Result<Baseline, String> {
        let baseline: Baseline = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if baseline.version != 1 {
            return Err(format!(
                "version {} is not supported (this huashu writes version 1)",
                baseline.version
            ));
        }
        Ok(baseline)
    }

    /// The baseline as a file's text: pretty JSON, one entry per fingerprint, sorted, so that
    /// it diffs well.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("serializable");
        text.push('\n');
        text
    }

    /// Marks as baselined, in order, as many findings of each fingerprint as the baseline
    /// accepts. Returns the entries (with the counts) that no longer occur.
    pub fn apply<'a>(
        &self,
        findings: impl IntoIterator<Item = &'a mut LintFinding>,
    ) -> Vec<BaselineEntry> {
        let mut left: BTreeMap<&str, usize> = self
            .findings
            .iter()
            .map(|e| (e.fingerprint.as_str(), e.count))
            .collect();
        for f in findings {
            if f.suppressed.is_some() {
                continue;
            }
            if let Some(n) = left.get_mut(f.fingerprint.as_str()) {
                if *n > 0 {
                    *n -= 1;
                    f.baselined = true;
                }
            }
        }
        self.findings
            .iter()
            .filter_map(|e| {
                let n = left.get(e.fingerprint.as_str()).copied().unwrap_or(0);
                (n > 0).then(|| BaselineEntry {
                    count: n,
                    ..e.clone()
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::tests::run;
    use crate::replies::LibraryFormat;

    #[test]
    fn baselines_accept_by_text_not_place() {
        let before = "这个我不知道。\n请您稍等。\n不行，不知道。\n";
        let (_, findings) = run(before, LibraryFormat::Text);
        let baseline = Baseline::of(&findings);
        let baseline = Baseline::from_json(&baseline.to_json()).expect("round trip");
        // The first reply moved down, the third was removed, a new one came.
        let after = "请您稍等。\n你找领导去呀！\n这个我不知道。\n";
        let (_, mut findings) = run(after, LibraryFormat::Text);
        let stale = baseline.apply(&mut findings);
        let active: Vec<&str> = findings
            .iter()
            .filter(|f| f.is_active())
            .map(|f| &*f.rule)
            .collect();
        assert_eq!(active, vec!["forbidden.go-to-manager"]);
        let stale: Vec<&str> = stale.iter().map(|e| e.rule.as_str()).collect();
        assert_eq!(stale.len(), 2, "{stale:?}");
        assert!(stale.contains(&"forbidden.no-way"));
        assert!(stale.contains(&"forbidden.dont-know"));
    }
}
