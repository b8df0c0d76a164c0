//! Measuring a pack against labelled examples: precision and recall per rule, per category and
//! overall, with every false positive and false negative listed, so a team can tune its pack
//! on its own labelled calls and track the figures over time (`huashu rules eval`).
//!
//! A corpus is JSON Lines. Each record is one labelled case: either one turn (`text`, with an
//! optional `role`, agent by default), judged as a live message is (the rules of a single turn),
//! or a whole transcript (`turns`, in the shape `huashu check` reads), judged with every rule.
//! `"source": "asr"` marks a speech-recognition turn or transcript, judged as `huashu check`
//! judges one.
//! `expect` lists the rule ids a human reviewer marks on it, `[]` or `"none"` when they mark
//! nothing. `also` lists rules a finding of which is acceptable but not required, where
//! reviewers disagree (a taboo that two rules name, a borderline case): such a finding is
//! neither a false positive nor, when absent, a false negative. `id`, `category` (what the case
//! tests, for the per-category figures) and any other field are optional.
//!
//! ```json
//! {"id": "r-1", "category": "bare-refusal", "text": "没办法嘛", "expect": ["forbidden.no-way"]}
//! {"id": "b-1", "category": "conditional", "text": "如果还是不行的话您再联系我", "expect": "none"}
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::checker::Checker;
use crate::pack::rule::{AsrMode, RuleKind};
use crate::transcript::read::{InputError, parse_json_record};
use crate::transcript::{ROLE_EXPECTED, Role, Source, Transcript};

/// What one case holds: one turn, or a transcript.
#[derive(Clone, Debug, PartialEq)]
pub enum CaseInput {
    /// One turn, judged as a live message.
    Turn {
        /// Who says it.
        role: Role,
        /// What is said.
        text: String,
        /// Typed, or heard by speech recognition (`"source": "asr"`).
        source: Source,
    },
    /// A whole conversation, judged with every rule.
    Transcript(Transcript),
}

/// One labelled case of a corpus.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelledCase {
    /// The case's id: the record's `id`, or `line-N`.
    pub id: String,
    /// What the case tests (`bare-refusal`, `conditional`…), when the corpus says.
    pub category: Option<String>,
    /// The 1-based line of the corpus it is on.
    pub line: usize,
    /// What is judged.
    pub input: CaseInput,
    /// The rule ids a reviewer marks on it; empty when nothing should be found.
    pub expect: BTreeSet<String>,
    /// Rules that may be found, or not: reviewers differ.
    pub also: BTreeSet<String>,
}

impl LabelledCase {
    /// The text of the case, for listing mismatches: the turn, or the turns joined with
    /// ` / `.
    pub fn text(&self) -> String {
        match &self.input {
            CaseInput::Turn { text, .. } => text.clone(),
            CaseInput::Transcript(t) => t
                .turns
                .iter()
                .map(|turn| format!("{}: {}", turn.role, turn.text))
                .collect::<Vec<_>>()
                .join(" / "),
        }
    }
}

/// Reads a labelled corpus. Every line that cannot be read gives an error with its line and
/// column; blank lines and lines starting with `#` or `//` are skipped.
pub fn read_corpus(text: &str) -> Result<Vec<LabelledCase>, Vec<InputError>> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("//") {
            continue;
        }
        match read_case(trimmed, number) {
            Ok(case) => cases.push(case),
            Err(e) => errors.push(e),
        }
    }
    let mut seen = BTreeMap::new();
    for case in &cases {
        if let Some(first) = seen.insert(case.id.clone(), case.line) {
            errors.push(InputError::new(
                case.line,
                None,
                format!("the id `{}` is already used on line {first}", case.id),
            ));
        }
    }
    if errors.is_empty() {
        Ok(cases)
    } else {
        errors.sort_by_key(|e| e.line());
        Err(errors)
    }
}

fn read_case(line: &str, number: usize) -> Result<LabelledCase, InputError> {
    let error = |message: String| InputError::new(number, None, message);
    let value: Value = serde_json::from_str(line).map_err(|e| {
        // serde's message ends with its own " at line 1 column N": the column is given apart.
        let message = e.to_string();
        let message = message
            .rfind(" at line ")
            .map_or(message.as_str(), |at| &message[..at]);
        InputError::new(
            number,
            Some(e.column()),
            format!("not valid JSON: {message}"),
        )
    })?;
    let Value::Object(object) = value else {
        return Err(error("a case is a JSON object".to_string()));
    };
    let Some(expect) = object.get("expect") else {
        return Err(error(
            "a case needs `expect`: the rule ids a reviewer marks, or \"none\"".to_string(),
        ));
    };
    let expect = rule_ids(expect, "expect").map_err(error)?;
    let also = match object.get("also") {
        None | Some(Value::Null) => BTreeSet::new(),
        Some(value) => rule_ids(value, "also").map_err(error)?,
    };
    if let Some(both) = expect.intersection(&also).next() {
        return Err(error(format!(
            "`{both}` is in both `expect` and `also`: a rule is required or optional, not both"
        )));
    }
    let category = match object.get("category") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => return Err(error(format!("`category` is a string, not {other}"))),
    };
    let id = match object.get("id") {
        None | Some(Value::Null) => format!("line-{number}"),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => return Err(error(format!("`id` is a string, not {other}"))),
    };
    let input = match (object.get("text"), object.get("turns")) {
        (Some(_), Some(_)) => {
            return Err(error(
                "a case has `text` (one turn) or `turns` (a transcript), not both".to_string(),
            ));
        }
        (Some(Value::String(text)), None) => {
            let role = match object.get("role") {
                None | Some(Value::Null) => Role::Agent,
                Some(Value::String(r)) => Role::from_alias(r)
                    .ok_or_else(|| error(format!("unknown role `{r}`; {ROLE_EXPECTED}")))?,
                Some(other) => return Err(error(format!("`role` is a string, not {other}"))),
            };
            let source = match object.get("source") {
                None | Some(Value::Null) => Source::Text,
                Some(Value::String(s)) => s.parse().map_err(|m| error(format!("source: {m}")))?,
                Some(other) => return Err(error(format!("`source` is a string, not {other}"))),
            };
            CaseInput::Turn {
                role,
                text: text.clone(),
                source,
            }
        }
        (Some(other), None) => return Err(error(format!("`text` is a string, not {other}"))),
        (None, Some(_)) => CaseInput::Transcript(parse_json_record(line, number)?),
        (None, None) => {
            return Err(error(
                "a case needs `text` (one turn) or `turns` (a transcript)".to_string(),
            ));
        }
    };
    Ok(LabelledCase {
        id,
        category,
        line: number,
        input,
        expect,
        also,
    })
}

/// A list of rule ids, or "none".
fn rule_ids(value: &Value, key: &str) -> Result<BTreeSet<String>, String> {
    match value {
        Value::String(s) if s == "none" => Ok(BTreeSet::new()),
        Value::Array(items) => {
            let mut ids = BTreeSet::new();
            for item in items {
                match item {
                    Value::String(id) if id.trim() == "none" => {
                        return Err(format!(
                            "`none` is not a rule id: write `\"{key}\": \"none\"` or `[]`"
                        ));
                    }
                    Value::String(id) if !id.trim().is_empty() => {
                        ids.insert(id.trim().to_string());
                    }
                    other => return Err(format!("`{key}` lists rule ids as strings, not {other}")),
                }
            }
            Ok(ids)
        }
        other => Err(format!(
            "`{key}` is a list of rule ids or \"none\", not {other}"
        )),
    }
}

/// Counts of one rule, one category or the whole corpus.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Expected and found.
    pub true_positives: usize,
    /// Found, not expected.
    pub false_positives: usize,
    /// Expected, not found.
    pub false_negatives: usize,
}

impl Counts {
    /// Of what was found, the share that was expected; `None` when nothing was found.
    pub fn precision(&self) -> Option<f64> {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    /// Of what was expected, the share that was found; `None` when nothing was expected.
    pub fn recall(&self) -> Option<f64> {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    /// The harmonic mean of precision and recall, 2·TP / (2·TP + FP + FN): 0 when something
    /// was found or expected and nothing matched; `None` when there is nothing at all.
    pub fn f1(&self) -> Option<f64> {
        ratio(
            2 * self.true_positives,
            2 * self.true_positives + self.false_positives + self.false_negatives,
        )
    }

    fn add(&mut self, other: Counts) {
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.false_negatives += other.false_negatives;
    }
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// One case where the pack and the labels disagree about one rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mismatch {
    /// The case's id.
    pub id: String,
    /// Its line in the corpus.
    pub line: usize,
    /// Its category, if any.
    pub category: Option<String>,
    /// The rule.
    pub rule: String,
    /// `false-positive` (found, not expected) or `false-negative` (expected, not found).
    pub kind: MismatchKind,
    /// The case's text.
    pub text: String,
    /// What the rule matched, for a false positive.
    pub matched: Option<String>,
}

/// Which way a mismatch goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MismatchKind {
    /// Found, not expected.
    FalsePositive,
    /// Expected, not found.
    FalseNegative,
}

/// Figures for one category of cases.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CategoryFigures {
    /// How many cases it has.
    pub cases: usize,
    /// Of those, how many expect a finding.
    pub violations: usize,
    /// Violations where at least one expected rule was found.
    pub caught: usize,
    /// Cases that expect nothing and got a finding.
    pub false_alarms: usize,
    /// Cases where the findings' rules are exactly the expected ones.
    pub exact: usize,
}

/// What `Checker::eval` measured.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct EvalReport {
    /// How many cases were judged.
    pub cases: usize,
    /// Over every (case, rule) pair.
    pub overall: Counts,
    /// Turn by turn, as a reviewer sees it: a case counts as a positive when it expects any
    /// finding, and as found when the pack reports any.
    pub cases_flagged: Counts,
    /// Per rule, by id (rules that neither fired nor were expected are left out).
    pub rules: BTreeMap<String, Counts>,
    /// Per category, by name (cases without one are under `-`).
    pub categories: BTreeMap<String, CategoryFigures>,
    /// Rule ids the labels name that the pack does not have.
    pub unknown_rules: BTreeSet<String>,
    /// Every disagreement, in corpus order.
    pub mismatches: Vec<Mismatch>,
    /// Labels that can never be met as written: a rule that judges whole conversations,
    /// expected of a single turn.
    pub warnings: Vec<String>,
}

impl Checker {
    /// Judges every case and compares what the pack found with the labels. A rule counts as
    /// found in a case when it reports at least one finding there.
    pub fn eval(&self, cases: &[LabelledCase]) -> EvalReport {
        let mut report = EvalReport {
            cases: cases.len(),
            ..EvalReport::default()
        };
        let known: BTreeSet<&str> = self.rules().iter().map(|r| r.id()).collect();
        let kind_of = |id: &str| self.rules().iter().find(|r| r.id() == id).map(|r| r.kind());
        for case in cases {
            let findings = match &case.input {
                CaseInput::Turn { role, text, source } => {
                    let mut findings = self.check_message(*role, text);
                    // As a transcript heard by speech recognition is judged: without the
                    // rules that cannot judge it.
                    if *source == Source::Asr {
                        findings.retain(|f| {
                            self.rules()
                                .iter()
                                .find(|r| r.id() == &*f.rule)
                                .is_none_or(|r| r.asr() != AsrMode::Off)
                        });
                    }
                    findings
                }
                CaseInput::Transcript(t) => self.check(t).findings,
            };
            let mut found: BTreeMap<String, Option<String>> = BTreeMap::new();
            for f in findings {
                found.entry(f.rule.to_string()).or_insert(f.text.clone());
            }
            found.retain(|rule, _| !case.also.contains(rule));
            for rule in case.expect.iter().chain(&case.also) {
                if !known.contains(rule.as_str()) {
                    report.unknown_rules.insert(rule.clone());
                }
                let single = matches!(case.input, CaseInput::Turn { .. });
                match kind_of(rule) {
                    Some(kind) if single && kind != RuleKind::Forbidden => {
                        report.warnings.push(format!(
                            "case {} (line {}): `{rule}` is a {} rule, which one turn (`text`) \
                             cannot show; give the case as `turns`",
                            case.id,
                            case.line,
                            kind.as_str()
                        ));
                    }
                    _ => {}
                }
            }
            let mut case_counts = Counts::default();
            let all: BTreeSet<&String> = case.expect.iter().chain(found.keys()).collect();
            for rule in all {
                let expected = case.expect.contains(rule);
                let matched = found.get(rule);
                let counts = match (expected, matched) {
                    (true, Some(_)) => Counts {
                        true_positives: 1,
                        ..Counts::default()
                    },
                    (false, Some(_)) => Counts {
                        false_positives: 1,
                        ..Counts::default()
                    },
                    (true, None) => Counts {
                        false_negatives: 1,
                        ..Counts::default()
                    },
                    (false, None) => continue,
                };
                if counts.true_positives == 0 {
                    report.mismatches.push(Mismatch {
                        id: case.id.clone(),
                        line: case.line,
                        category: case.category.clone(),
                        rule: rule.clone(),
                        kind: if expected {
                            MismatchKind::FalseNegative
                        } else {
                            MismatchKind::FalsePositive
                        },
                        text: case.text(),
                        matched: matched.cloned().flatten(),
                    });
                }
                report.rules.entry(rule.clone()).or_default().add(counts);
                case_counts.add(counts);
            }
            report.overall.add(case_counts);
            let expects = !case.expect.is_empty();
            let flagged = !found.is_empty();
            report.cases_flagged.add(match (expects, flagged) {
                (true, true) => Counts {
                    true_positives: 1,
                    ..Counts::default()
                },
                (false, true) => Counts {
                    false_positives: 1,
                    ..Counts::default()
                },
                (true, false) => Counts {
                    false_negatives: 1,
                    ..Counts::default()
                },
                (false, false) => Counts::default(),
            });
            let category = report
                .categories
                .entry(case.category.clone().unwrap_or_else(|| "-".to_string()))
                .or_default();
            category.cases += 1;
            if expects {
                category.violations += 1;
                if case_counts.true_positives > 0 {
                    category.caught += 1;
                }
            } else if flagged {
                category.false_alarms += 1;
            }
            if case_counts.false_positives == 0 && case_counts.false_negatives == 0 {
                category.exact += 1;
            }
        }
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RulePack;

    fn checker() -> Checker {
        RulePack::from_toml(
            "t.toml",
            r#"[pack]
name = "t"

[[rule]]
id = "forbidden.dont-know"
kind = "forbidden"
phrases = ["不知道"]
severity = "major"
message = "m"

[[rule]]
id = "forbidden.no"
kind = "forbidden"
phrases = ["不行"]
severity = "major"
message = "m"
"#,
        )
        .expect("valid")
        .compile()
        .expect("compiles")
    }

    #[test]
    fn counts_per_rule_category_and_case() {
        let corpus = r#"
# a comment
{"id": "v1", "category": "blunt", "text": "我不知道", "expect": ["forbidden.dont-know"]}
{"id": "v2", "category": "blunt", "text": "没办法", "expect": ["forbidden.refusal"]}
{"id": "b1", "category": "benign", "text": "好的我问一下", "expect": "none"}
{"id": "b2", "category": "benign", "text": "不知道您方便吗", "expect": []}
{"id": "t1", "turns": [{"role": "agent", "text": "不行"}], "expect": ["forbidden.no"]}
{"id": "o1", "text": "我不知道，不行", "expect": ["forbidden.no"], "also": ["forbidden.dont-know"]}
{"id": "o2", "text": "好的", "expect": [], "also": ["forbidden.no"]}
"#;
        let cases = read_corpus(corpus).expect("reads");
        assert_eq!(cases.len(), 7);
        let report = checker().eval(&cases);
        assert_eq!(report.cases, 7);
        // v1, t1 and o1 found; v2 missed (no such rule); b2 a false positive; the optional
        // finding of o1 and the optional absence of o2 count for nothing.
        assert_eq!(
            report.overall,
            Counts {
                true_positives: 3,
                false_positives: 1,
                false_negatives: 1
            }
        );
        assert!((report.overall.precision().expect("defined") - 3.0 / 4.0).abs() < 1e-9);
        assert!((report.overall.recall().expect("defined") - 3.0 / 4.0).abs() < 1e-9);
        assert_eq!(
            report.cases_flagged,
            Counts {
                true_positives: 3,
                false_positives: 1,
                false_negatives: 1
            }
        );
        assert_eq!(
            report.unknown_rules.iter().collect::<Vec<_>>(),
            ["forbidden.refusal"]
        );
        let blunt = &report.categories["blunt"];
        assert_eq!((blunt.cases, blunt.violations, blunt.caught), (2, 2, 1));
        let benign = &report.categories["benign"];
        assert_eq!((benign.cases, benign.false_alarms, benign.exact), (2, 1, 1));
        let kinds: Vec<(&str, MismatchKind)> = report
            .mismatches
            .iter()
            .map(|m| (m.id.as_str(), m.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("v2", MismatchKind::FalseNegative),
                ("b2", MismatchKind::FalsePositive)
            ]
        );
        assert_eq!(report.mismatches[1].matched.as_deref(), Some("不知道"));
    }

    #[test]
    fn every_bad_line_is_reported_with_its_place() {
        let corpus = "{\"text\": \"a\"}\n{\"text\": 3, \"expect\": []}\nnot json\n{\"id\": \"x\", \"text\": \"a\", \"expect\": []}\n{\"id\": \"x\", \"text\": \"b\", \"expect\": [1]}\n{\"id\": \"y\", \"text\": \"b\", \"expect\": [], \"role\": \"boss\"}\n{\"text\": \"b\", \"expect\": [\"none\"]}\n";
        let errors = read_corpus(corpus).expect_err("invalid");
        let lines: Vec<usize> = errors.iter().map(|e| e.line()).collect();
        assert_eq!(lines, [1, 2, 3, 5, 6, 7]);
        assert!(
            errors[0].message().contains("needs `expect`"),
            "{}",
            errors[0]
        );
        assert!(errors[2].column().is_some());
    }

    #[test]
    fn empty_figures_are_undefined_not_perfect() {
        let counts = Counts::default();
        assert_eq!(
            (counts.precision(), counts.recall(), counts.f1()),
            (None, None, None)
        );
        let missed = Counts {
            false_negatives: 2,
            ..Counts::default()
        };
        assert_eq!(
            (missed.precision(), missed.recall(), missed.f1()),
            (None, Some(0.0), Some(0.0))
        );
        let some = Counts {
            true_positives: 3,
            false_positives: 1,
            false_negatives: 2,
        };
        let (p, r) = (0.75, 0.6);
        assert!((some.f1().expect("defined") - 2.0 * p * r / (p + r)).abs() < 1e-12);
    }
}
