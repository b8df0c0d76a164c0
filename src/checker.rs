//! The checker: the façade over a compiled pack. It checks transcripts and single messages,
//! runs a pack's own examples, and is what every thread of a service shares. Live sessions are
//! in `session`.

use std::sync::Arc;

use crate::engine::Engine;
use crate::finding::{Finding, Report};
use crate::judge::{CharCursor, drop_nested, evaluate, merged, merged_finding};
use crate::pack::RulePack;
use crate::pack::error::PackError;
use crate::pack::rule::{Rule, RuleKind, Scoring};
use crate::transcript::read::parse_text_transcript;
use crate::transcript::{Role, Transcript, Turn};

/// A compiled rule pack. Immutable, `Send + Sync`, and cheap to clone: clones share one
/// compiled automaton, so one checker can serve every thread of a service.
#[derive(Clone, Debug)]
pub struct Checker {
    inner: Arc<Engine>,
}

/// Counters that show what checking has cost, for tests and monitoring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// How many turns were segmented with jieba: only turns with a candidate hit of a rule
    /// with `boundary = "word"`.
    pub segmented_turns: u64,
    /// Whether the segmenter has been loaded.
    pub segmenter_loaded: bool,
}

/// An example of a rule that does not behave as its pack says.
#[derive(Clone, Debug, PartialEq)]
pub struct ExampleFailure {
    /// The rule's id.
    pub rule: String,
    /// The example text.
    pub example: String,
    /// Whether the example is listed as one that must trigger the rule.
    pub should_trigger: bool,
    /// What the whole pack found in the example.
    pub findings: Vec<Finding>,
}

impl RulePack {
    /// Compiles the pack into a checker: all phrases into one automaton, every pattern once.
    pub fn compile(&self) -> Result<Checker, PackError> {
        Checker::new(self)
    }
}

impl Checker {
    /// Compiles a rule pack. See also [`RulePack::compile`].
    pub fn new(pack: &RulePack) -> Result<Checker, PackError> {
        Ok(Checker {
            inner: Arc::new(Engine::compile(pack)?),
        })
    }

    /// Compiles the built-in `zh-CN` pack.
    pub fn builtin() -> Result<Checker, PackError> {
        RulePack::builtin()?.compile()
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.inner
    }

    /// The name of the pack this checker was compiled from.
    pub fn pack_name(&self) -> &str {
        &self.inner.pack_name
    }

    /// The rules, in pack order.
    pub fn rules(&self) -> &[Rule] {
        &self.inner.rules
    }

    /// How findings become a score.
    pub fn scoring(&self) -> &Scoring {
        &self.inner.scoring
    }

    /// How many distinct literals (phrases, pattern anchors and allowed phrases) the automata
    /// hold.
    pub fn literal_count(&self) -> usize {
        self.inner.literal_count()
    }

    /// What checking has cost so far, over every clone of this checker.
    pub fn stats(&self) -> Stats {
        Stats {
            segmented_turns: self.inner.segmenter.segmented(),
            segmenter_loaded: self.inner.segmenter.loaded(),
        }
    }

    /// Checks a whole transcript: every rule, then the score.
    pub fn check(&self, transcript: &Transcript) -> Report {
        self.check_report(transcript, true)
    }

    /// [`check`](Checker::check) for a caller that does not show the ledger: the report is
    /// the same but for an empty [`ledger`](Report::ledger). Writing the ledger's sentences
    /// is about a twentieth of the work with a pack of phrases alone.
    pub fn check_without_ledger(&self, transcript: &Transcript) -> Report {
        self.check_report(transcript, false)
    }

    fn check_report(&self, transcript: &Transcript, ledger: bool) -> Report {
        let engine = &*self.inner;
        let evaluation = engine.with_scans(transcript, |scans, kept| {
            evaluate(engine, transcript, scans, true, kept)
        });
        crate::score::report(engine, transcript, evaluation, ledger)
    }

    /// Checks one message as it is typed or sent, for live use: only the rules that judge a
    /// single turn (`forbidden` rules) run, so nothing is reported about what the rest of the
    /// conversation may still bring (a [`Session`](crate::Session) follows a whole chat).
    /// Findings refer to the message as turn 0.
    pub fn check_message(&self, role: Role, text: &str) -> Vec<Finding> {
        let engine = &*self.inner;
        let scan = engine.scan_message(role, text);
        // Hits are sorted by target: walk them one target at a time, so that the cost follows
        // what the message holds, not the size of the pack.
        let mut findings = Vec::new();
        let mut rest = &scan.hits[..];
        while let Some(first) = rest.first() {
            let len = rest.partition_point(|h| h.target == first.target);
            let (hits, tail) = rest.split_at(len);
            rest = tail;
            let r = engine.rule_of(first.target);
            let rule = &engine.rules[r];
            if rule.kind() != RuleKind::Forbidden {
                continue;
            }
            // The same merging as a transcript check.
            let mut cursor = CharCursor::default();
            for hits in merged(hits, text) {
                findings.push((r as u32, merged_finding(rule, 0, text, &hits, &mut cursor)));
            }
        }
        // Only forbidden rules reach here.
        drop_nested(&mut findings, |_| true);
        findings.sort_by_key(|(r, f)| (f.byte_start, *r));
        // Each rule's cap, over its findings in the order of the message.
        let mut left: Vec<(u32, u32)> = Vec::new();
        for (r, f) in &mut findings {
            let at = match left.iter().position(|(rule, _)| rule == r) {
                Some(at) => at,
                None => {
                    let cap = engine.rules[*r as usize].max_deduct().unwrap_or(u32::MAX);
                    left.push((*r, cap));
                    left.len() - 1
                }
            };
            f.deduct = f.deduct.min(left[at].1);
            left[at].1 -= f.deduct;
        }
        findings.into_iter().map(|(_, f)| f).collect()
    }

    /// Runs every example of every rule: a `trigger` example must make its rule report a
    /// finding and a `pass` example must not. An example that starts with a role
    /// (`客户：谢谢` / `客服：不客气`, one turn per line, with optional `[00:00:05]` times and
    /// `# agent:` lines) is a transcript in the plain-text format; any other example is one
    /// turn of the rule's first role. Examples are checked with the whole pack, on the rule's
    /// first channel when the example does not name one the rule applies to. Returns the
    /// examples that misbehave.
    pub fn test_examples(&self) -> Vec<ExampleFailure> {
        let mut failures = Vec::new();
        for rule in self.rules() {
            let role = rule.roles().iter().next().unwrap_or(Role::Agent);
            let cases = rule
                .examples()
                .trigger
                .iter()
                .map(|t| (t, true))
                .chain(rule.examples().pass.iter().map(|t| (t, false)));
            for (text, should_trigger) in cases {
                let mut transcript = example_transcript(text, role);
                if !rule.channels().applies_to(transcript.channel) {
                    // An example is checked on a channel its rule applies to.
                    transcript.channel = rule.channels().iter().next();
                }
                let report = self.check(&transcript);
                let triggered = report.findings.iter().any(|f| *f.rule == *rule.id());
                if triggered != should_trigger {
                    failures.push(ExampleFailure {
                        rule: rule.id().to_string(),
                        example: text.clone(),
                        should_trigger,
                        findings: report.findings,
                    });
                }
            }
        }
        failures
    }

    /// Every hit in `text`, in original byte offsets, before hits are merged into findings.
    #[cfg(test)]
    pub(crate) fn scan_for_test(
        &self,
        text: &str,
        role: Role,
        hits: &mut Vec<crate::engine::matcher::Hit>,
    ) {
        self.inner.scan_for_test(text, role, hits);
    }
}

/// An example as a transcript: several lines are the plain-text format, one line is one turn.
pub(crate) fn example_transcript(text: &str, role: Role) -> Transcript {
    match parse_text_transcript(text, "example") {
        Ok(t) => t,
        Err(_) => Transcript::new("example", vec![Turn::new(role, text)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Channel;

    const PACK: &str = r#"
[pack]
name = "t"

[scoring]
pass-mark = 90

[[rule]]
id = "forbidden.dont-know"
kind = "forbidden"
phrases = ["不知道"]
severity = "major"
deduct = 6
max-deduct = 10
message = "m"

[[rule]]
id = "opening.greeting"
kind = "required"
phrases = ["您好"]
window = { first = 1 }
channels = ["phone", "chat"]
severity = "minor"
deduct = 3
message = "greet"

[[rule]]
id = "courtesy.thanks"
kind = "courtesy"
phrases = ["谢谢"]
min-count = 2
severity = "minor"
message = "thanks"

[[rule]]
id = "privacy.mobile"
kind = "forbidden"
patterns = ['1[3-9]\d{9}']
verify = "cn-mobile"
severity = "fatal"
deduct = 0
message = "masked"
"#;

    fn checker() -> Checker {
        RulePack::from_toml("t.toml", PACK)
            .expect("valid")
            .compile()
            .expect("compiles")
    }

    fn agent(text: &str) -> Turn {
        Turn::new(Role::Agent, text)
    }

    #[test]
    fn caps_limit_a_rules_deductions() {
        let t = Transcript::new(
            "c",
            vec![agent("您好，谢谢，谢谢"), agent("不知道。不知道。不知道。")],
        );
        let report = checker().check(&t);
        let deducts: Vec<u32> = report.findings.iter().map(|f| f.deduct).collect();
        assert_eq!(deducts, vec![6, 4, 0]);
        assert_eq!(report.score, Some(90));
        assert!(report.passed == Some(true));
    }

    #[test]
    fn windows_and_counts() {
        let t = Transcript::new("c", vec![agent("喂？"), agent("您好，谢谢")]);
        let report = checker().check(&t);
        let rules: Vec<&str> = report.findings.iter().map(|f| &*f.rule).collect();
        assert_eq!(rules, vec!["opening.greeting", "courtesy.thanks"]);
        assert_eq!(report.score, Some(100 - 3 - 2));
        assert!(
            report.passed == Some(true),
            "95 is above the pass mark of 90"
        );
    }

    #[test]
    fn channel_limits_apply() {
        let t = Transcript::new("c", vec![agent("谢谢，谢谢")]).with_channel(Channel::Email);
        assert!(checker().check(&t).findings.is_empty());
    }

    #[test]
    fn fatal_fails_whatever_the_score() {
        let t = Transcript::new("c", vec![agent("您好，您的手机号13812345678，谢谢，谢谢")]);
        let report = checker().check(&t);
        assert_eq!(report.score, Some(100));
        assert!(report.passed == Some(false));
        assert_eq!(report.findings[0].text.as_deref(), Some("13812345678"));
    }

    #[test]
    fn customer_turns_are_not_judged() {
        let t = Transcript::new(
            "c",
            vec![
                agent("您好，谢谢，谢谢"),
                Turn::new(Role::Customer, "我不知道，13812345678"),
            ],
        );
        assert!(checker().check(&t).findings.is_empty());
    }

    #[test]
    fn examples_that_misbehave_are_reported() {
        let checker = RulePack::from_toml(
            "t.toml",
            "[pack]\nname = \"t\"\n[[rule]]\nid = \"forbidden.x\"\nkind = \"forbidden\"\nphrases = [\"不行\"]\nseverity = \"minor\"\nmessage = \"m\"\nexamples.trigger = [\"不行\", \"行\"]\nexamples.pass = [\"可以\", \"这不行\"]\n",
        )
        .expect("valid")
        .compile()
        .expect("compiles");
        let failures: Vec<(String, bool)> = checker
            .test_examples()
            .into_iter()
            .map(|f| (f.example, f.should_trigger))
            .collect();
        assert_eq!(
            failures,
            vec![("行".to_string(), true), ("这不行".to_string(), false)]
        );
    }

    #[test]
    fn message_checks_report_char_and_byte_spans() {
        let findings = checker().check_message(Role::Agent, "这个我不知道");
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!((f.start, f.end), (Some(3), Some(6)));
        assert_eq!((f.byte_start, f.byte_end), (Some(9), Some(18)));
        assert_eq!(f.turn, Some(0));
        assert!(checker().check_message(Role::Customer, "不知道").is_empty());
    }
}
