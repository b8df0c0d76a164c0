//! The pack's self-check: rules that cannot work as written (`huashu rules audit`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::RulePack;
use super::rule::{ContextTest, Leaf, Origin, Rule, RuleKind};
use crate::text::normalize::Normalizer;

/// How bad a problem of a pack is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueLevel {
    /// Worth a look: a missing example or source, a duplicate phrase.
    Warning,
    /// The rule cannot do what it says: a phrase it can never report.
    Error,
}

impl IssueLevel {
    /// `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            IssueLevel::Warning => "warning",
            IssueLevel::Error => "error",
        }
    }
}

/// A problem of one rule of a pack.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct PackIssue {
    /// The rule's id.
    pub rule: String,
    /// How bad it is.
    pub level: IssueLevel,
    /// A short name for the kind of problem (`shadowed`, `duplicate-phrase`…).
    pub check: &'static str,
    /// What is wrong, and what to do.
    pub message: String,
    /// Where the rule is defined.
    #[serde(serialize_with = "origin_text")]
    pub origin: Origin,
}

fn origin_text<S: serde::Serializer>(origin: &Origin, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&origin.to_string())
}

impl RulePack {
    /// Checks the pack for rules that cannot work as written. (Phrases and patterns that can
    /// never match once normalized are refused when the pack loads, with their place.)
    ///
    /// - `shadowed`: a forbidden phrase that an allowed phrase of the same rule covers
    ///   wherever it occurs, so the rule can never fire on it;
    /// - `duplicate-phrase`: a phrase that two rules (or one rule twice) look for;
    /// - `unexercised-exception`: an exception that no example of the rule exercises;
    /// - `no-examples` / `no-source`: a rule without trigger examples, or without the clause
    ///   of the standard it comes from.
    pub fn audit(&self) -> Vec<PackIssue> {
        self.audit_rules()
    }

    /// The old name of [`RulePack::audit`].
    #[deprecated(
        since = "0.1.0",
        note = "renamed to `audit`; `lint` is for reply libraries"
    )]
    pub fn lint(&self) -> Vec<PackIssue> {
        self.audit()
    }

    fn audit_rules(&self) -> Vec<PackIssue> {
        let mut out = Vec::new();
        let mut seen: BTreeMap<String, Vec<(String, Origin, ContextTest)>> = BTreeMap::new();
        for rule in self.rules() {
            let mut issue = |level, check, message: String| {
                out.push(PackIssue {
                    rule: rule.id().to_string(),
                    level,
                    check,
                    message,
                    origin: rule.origin().clone(),
                })
            };
            for leaf in rule.leaves() {
                let normalizer = Normalizer::new(leaf.normalization);
                for phrase in leaf.phrases() {
                    if phrase.contains('{') {
                        continue;
                    }
                    // Loading refuses a phrase that is empty once normalized.
                    let normalized = normalizer.phrase(phrase);
                    for allowed in &leaf.unless.inside {
                        if normalizer.phrase(allowed) == normalized
                            && rule.kind() == RuleKind::Forbidden
                        {
                            issue(
                                IssueLevel::Error,
                                "shadowed",
                                format!(
                                    "the phrase “{phrase}” is also allowed (`unless.inside = \
                                     “{allowed}”`), so every occurrence of it is allowed"
                                ),
                            );
                        }
                    }
                    // Twice in one leaf: redundant. In two forbidden rules: one slip costs
                    // twice. (Situations and courtesy rules share words by design: 谢谢 is a
                    // trigger of one and a courtesy of another.)
                    if let Some(first) = leaf.phrases()
                        [..leaf.phrases().iter().position(|p| p == phrase).unwrap_or(0)]
                        .iter()
                        .find(|p| normalizer.phrase(p) == normalized)
                    {
                        issue(
                            IssueLevel::Warning,
                            "duplicate-phrase",
                            format!(
                                "“{phrase}” is “{first}” once normalized (“{normalized}”): \
                                 the rule lists it twice"
                            ),
                        );
                    }
                    if rule.kind() == RuleKind::Forbidden {
                        let owners = seen.entry(normalized.clone()).or_default();
                        // Rules whose context tests exclude each other (a bare refusal and an
                        // explained one) never both count the same hit.
                        if let Some((other, at, _)) = owners
                            .iter()
                            .find(|(o, _, test)| o != rule.id() && !leaf.context().excludes(test))
                        {
                            issue(
                                IssueLevel::Warning,
                                "duplicate-phrase",
                                format!(
                                    "“{phrase}” is also forbidden by `{other}` ({at}): one slip \
                                     would be reported, and deducted, twice"
                                ),
                            );
                        }
                        owners.push((
                            rule.id().to_string(),
                            rule.origin().clone(),
                            *leaf.context(),
                        ));
                    }
                }
                for (what, exercised) in exceptions(rule, leaf, &normalizer) {
                    if !exercised {
                        issue(
                            IssueLevel::Warning,
                            "unexercised-exception",
                            format!(
                                "no example exercises the exception {what}: add a `pass` \
                                 example where it applies, or drop it"
                            ),
                        );
                    }
                }
            }
            if rule.examples().trigger.is_empty() {
                issue(
                    IssueLevel::Warning,
                    "no-examples",
                    "the rule has no `examples.trigger`: nothing shows that it ever fires"
                        .to_string(),
                );
            }
            if rule.source().is_none() {
                issue(
                    IssueLevel::Warning,
                    "no-source",
                    "the rule does not cite the clause of the standard it comes from (`source`)"
                        .to_string(),
                );
            }
        }
        out
    }
}

/// Each exception of a leaf, described, and whether an example of the rule exercises it: the
/// exception's text occurs in an example next to (or around) one of the rule's phrases.
fn exceptions(rule: &Rule, leaf: &Leaf, normalizer: &Normalizer) -> Vec<(String, bool)> {
    let examples: Vec<String> = rule
        .examples()
        .trigger
        .iter()
        .chain(&rule.examples().pass)
        .map(|e| normalizer.phrase(e))
        .collect();
    let phrases: Vec<String> = leaf
        .phrases()
        .iter()
        .filter(|p| !p.contains('{'))
        .map(|p| normalizer.phrase(p))
        .filter(|p| !p.is_empty())
        .collect();
    let any = |f: &dyn Fn(&str) -> bool| examples.iter().any(|e| f(e));
    let list = |items: &[String]| {
        let shown: Vec<&str> = items.iter().take(4).map(String::as_str).collect();
        format!(
            "{}{}",
            shown.join("、"),
            if items.len() > 4 { "…" } else { "" }
        )
    };
    let mut out = Vec::new();
    let unless = &leaf.unless;
    let norm =
        |items: &[String]| -> Vec<String> { items.iter().map(|x| normalizer.phrase(x)).collect() };
    if !unless.inside.is_empty() {
        let items = norm(&unless.inside);
        out.push((
            format!("`unless.inside` ({})", list(&unless.inside)),
            any(&|e| items.iter().any(|x| e.contains(x.as_str()))),
        ));
    }
    if !unless.preceded_by.is_empty() {
        let items = norm(&unless.preceded_by);
        out.push((
            format!("`unless.preceded-by` ({})", list(&unless.preceded_by)),
            phrases.is_empty()
                || any(&|e| {
                    items
                        .iter()
                        .any(|x| phrases.iter().any(|p| e.contains(&format!("{x}{p}"))))
                }),
        ));
    }
    if !unless.followed_by.is_empty() {
        let items = norm(&unless.followed_by);
        out.push((
            format!("`unless.followed-by` ({})", list(&unless.followed_by)),
            phrases.is_empty()
                || any(&|e| {
                    items
                        .iter()
                        .any(|x| phrases.iter().any(|p| e.contains(&format!("{p}{x}"))))
                }),
        ));
    }
    if !unless.matches.is_empty() {
        out.push((
            format!("`unless.matches` ({})", list(&unless.matches)),
            any(&|e| unless.compiled.iter().any(|c| c.is_match(e))),
        ));
    }
    if unless.quoted {
        const QUOTES: &[char] = &['“', '”', '"', '「', '」', '『', '』', '‘', '’', '\''];
        out.push((
            "`unless.quoted = true`".to_string(),
            rule.examples()
                .trigger
                .iter()
                .chain(&rule.examples().pass)
                .any(|e| e.contains(QUOTES)),
        ));
    }
    out
}
