//! The checker: a compiled rule pack that checks transcripts and single messages.

use std::sync::Arc;

use crate::context::{Conditions, Segmenter, TurnContext};
use crate::finding::{Finding, Report};
use crate::matcher::{Found, Hit, Matcher};
use crate::normalize::{NormText, Normalization, Normalizer};
use crate::pack::RulePack;
use crate::pack::error::{PackError, Problem};
use crate::pack::rule::{Rule, RuleKind, Scoring};
use crate::transcript::{Role, Transcript, Turn};

/// A compiled rule pack. Immutable, `Send + Sync`, and cheap to clone: clones share one
/// compiled automaton, so one checker can serve every thread of a service.
#[derive(Clone, Debug)]
pub struct Checker {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    pack_name: String,
    scoring: Scoring,
    rules: Vec<Rule>,
    /// One matcher for each normalization the rules use (usually one).
    profiles: Vec<Profile>,
    /// Each rule's boundaries and exceptions, normalized like its text.
    conditions: Vec<Conditions>,
    segmenter: Segmenter,
    /// Whether any rule looks at turns of each role; turns of other roles are not scanned.
    scanned_roles: [bool; 4],
    /// Required and courtesy rules: judged over the whole transcript.
    transcript_rules: Vec<u32>,
}

#[derive(Debug)]
struct Profile {
    normalizer: Normalizer,
    matcher: Matcher,
}

/// Buffers reused across the turns of one check, so that scanning a turn allocates nothing
/// once they have grown.
#[derive(Debug, Default)]
struct Scratch {
    norm: NormText,
    found: Found,
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

impl Checker {
    /// Compiles a rule pack. See also [`RulePack::compile`].
    pub fn new(pack: &RulePack) -> Result<Checker, PackError> {
        let rules = pack.rules().to_vec();
        let mut by_normalization: Vec<(Normalization, Vec<u32>)> = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            match by_normalization
                .iter_mut()
                .find(|(n, _)| *n == rule.normalization())
            {
                Some((_, members)) => members.push(i as u32),
                None => by_normalization.push((rule.normalization(), vec![i as u32])),
            }
        }
        let mut profiles = Vec::new();
        for (normalization, members) in &by_normalization {
            let normalizer = Normalizer::new(*normalization);
            let matcher = Matcher::new(&rules, members, &normalizer).map_err(|message| {
                PackError::new(vec![Problem::whole(pack.name(), None, message)])
            })?;
            profiles.push(Profile {
                normalizer,
                matcher,
            });
        }
        let conditions = rules
            .iter()
            .map(|r| Conditions::new(r, &Normalizer::new(r.normalization())))
            .collect();
        let mut scanned_roles = [false; 4];
        for rule in &rules {
            for role in rule.roles().iter() {
                scanned_roles[role.index()] = true;
            }
        }
        let transcript_rules = rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.kind() != RuleKind::Forbidden)
            .map(|(i, _)| i as u32)
            .collect();
        Ok(Checker {
            inner: Arc::new(Inner {
                pack_name: pack.name().to_string(),
                scoring: *pack.scoring(),
                rules,
                profiles,
                conditions,
                segmenter: Segmenter::new(pack.segmenter_words().to_vec()),
                scanned_roles,
                transcript_rules,
            }),
        })
    }

    /// Compiles the built-in `zh-CN` pack.
    pub fn builtin() -> Result<Checker, PackError> {
        RulePack::builtin()?.compile()
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
        self.inner
            .profiles
            .iter()
            .map(|p| p.matcher.literal_count())
            .sum()
    }

    /// What checking has cost so far, over every clone of this checker.
    pub fn stats(&self) -> Stats {
        Stats {
            segmented_turns: self.inner.segmenter.segmented(),
            segmenter_loaded: self.inner.segmenter.loaded(),
        }
    }

    /// Every hit in `text`, in original byte offsets, before hits are merged into findings.
    #[cfg(test)]
    pub(crate) fn scan_for_test(&self, text: &str, role: Role, hits: &mut Vec<Hit>) {
        self.scan_turn(text, role, &mut Scratch::default(), hits);
    }

    /// Every hit in one turn's text, in original byte offsets: each normalization's matcher
    /// scans the text once, and only its candidate hits are judged against their rules'
    /// boundaries and exceptions.
    fn scan_turn(&self, text: &str, role: Role, scratch: &mut Scratch, hits: &mut Vec<Hit>) {
        let inner = &*self.inner;
        for profile in &inner.profiles {
            if !profile.matcher.wants(role) {
                continue;
            }
            profile.normalizer.normalize(text, &mut scratch.norm);
            profile
                .matcher
                .scan(&scratch.norm.text, role, &mut scratch.found);
            if scratch.found.hits.is_empty() {
                continue;
            }
            let mut context = TurnContext::new(
                text,
                &scratch.norm,
                &scratch.found.allowed,
                &inner.segmenter,
            );
            for &hit in &scratch.found.hits {
                let conditions = &inner.conditions[hit.rule as usize];
                if conditions.is_trivial() || context.accepts(conditions, hit) {
                    let (start, end) = scratch.norm.to_original(hit.start, hit.end);
                    hits.push(Hit {
                        rule: hit.rule,
                        start,
                        end,
                    });
                }
            }
        }
    }

    /// Checks a whole transcript: every rule, then the score.
    pub fn check(&self, transcript: &Transcript) -> Report {
        let inner = &*self.inner;
        let channel = transcript.channel;
        let mut scratch = Scratch::default();
        let mut turn_hits: Vec<Hit> = Vec::new();
        // Hits of every turn: (turn, hit), in turn order.
        let mut hits: Vec<(usize, Hit)> = Vec::new();
        for (t, turn) in transcript.turns.iter().enumerate() {
            if !inner.scanned_roles[turn.role.index()] {
                continue;
            }
            turn_hits.clear();
            self.scan_turn(&turn.text, turn.role, &mut scratch, &mut turn_hits);
            hits.extend(
                turn_hits
                    .iter()
                    .filter(|h| inner.rules[h.rule as usize].channels().applies_to(channel))
                    .map(|h| (t, *h)),
            );
        }
        let mut findings = Vec::new();
        merged_turn_hits(&mut hits, &inner.rules, |t| &transcript.turns[t].text);
        // In text order, so that character offsets are counted in one walk over each turn.
        hits.sort_unstable_by_key(|(t, h)| (*t, h.start, h.rule));
        let mut cursor = CharCursor::default();
        let mut cursor_turn = usize::MAX;
        for &(t, hit) in &hits {
            let rule = &inner.rules[hit.rule as usize];
            if rule.kind() == RuleKind::Forbidden {
                if t != cursor_turn {
                    cursor = CharCursor::default();
                    cursor_turn = t;
                }
                let text = &transcript.turns[t].text;
                findings.push((hit.rule, turn_finding(rule, t, text, hit, &mut cursor)));
            }
        }
        for &r in &inner.transcript_rules {
            let rule = &inner.rules[r as usize];
            if !rule.channels().applies_to(channel) {
                continue;
            }
            let eligible: Vec<usize> = transcript
                .turns
                .iter()
                .enumerate()
                .filter(|(_, turn)| rule.roles().contains(turn.role))
                .map(|(i, _)| i)
                .collect();
            if eligible.is_empty() {
                // Nobody in the rule's roles spoke: there is nothing to judge.
                continue;
            }
            let in_window = |t: usize| {
                eligible
                    .binary_search(&t)
                    .is_ok_and(|pos| rule.window().contains(pos, eligible.len()))
            };
            let count = hits
                .iter()
                .filter(|(t, h)| h.rule == r && in_window(*t))
                .count();
            let missing = match rule.kind() {
                RuleKind::Required => count == 0,
                RuleKind::Courtesy => count < rule.min_count() as usize,
                RuleKind::Forbidden => false,
            };
            if missing {
                findings.push((r, transcript_finding(rule)));
            }
        }
        findings.sort_by_key(|(r, f)| (f.turn.is_none(), f.turn, f.byte_start, *r));
        let (score, passed) = score(&inner.rules, &inner.scoring, &mut findings);
        Report {
            id: transcript.id.clone(),
            score,
            passed,
            findings: findings.into_iter().map(|(_, f)| f).collect(),
        }
    }

    /// Checks one message as it is typed or sent, for live use: only the rules that judge a
    /// single turn (`forbidden` rules) run, so nothing is reported about what the rest of the
    /// conversation may still bring. Findings refer to the message as turn 0.
    pub fn check_message(&self, role: Role, text: &str) -> Vec<Finding> {
        let inner = &*self.inner;
        if !inner.scanned_roles[role.index()] {
            return Vec::new();
        }
        let mut hits = Vec::new();
        self.scan_turn(text, role, &mut Scratch::default(), &mut hits);
        let mut hits: Vec<(usize, Hit)> = hits.into_iter().map(|h| (0, h)).collect();
        merged_turn_hits(&mut hits, &inner.rules, |_| text);
        hits.sort_unstable_by_key(|(_, h)| (h.start, h.rule));
        let mut cursor = CharCursor::default();
        let mut findings: Vec<(u32, Finding)> = hits
            .iter()
            .filter(|(_, h)| inner.rules[h.rule as usize].kind() == RuleKind::Forbidden)
            .map(|&(_, h)| {
                let rule = &inner.rules[h.rule as usize];
                (h.rule, turn_finding(rule, 0, text, h, &mut cursor))
            })
            .collect();
        findings.sort_by_key(|(r, f)| (f.byte_start, *r));
        score(&inner.rules, &inner.scoring, &mut findings);
        findings.into_iter().map(|(_, f)| f).collect()
    }

    /// Runs every example of every rule: a `trigger` example must make its rule report a
    /// finding and a `pass` example must not. Each example is checked as one turn of the
    /// rule's first role, with the whole pack. Returns the examples that misbehave.
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
                let transcript = Transcript::new("example", vec![Turn::new(role, text.as_str())]);
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
}

/// Sorts hits by turn, rule and position, and merges hits of one rule in one turn that
/// overlap into one hit covering them all. Hits of a `forbidden` rule that only punctuation
/// separates (没事了吧，您挂电话吧) are merged too: one utterance is one finding. Hits of other
/// rules are counted, so only overlapping ones merge.
fn merged_turn_hits<'t>(
    hits: &mut Vec<(usize, Hit)>,
    rules: &[Rule],
    text_of: impl Fn(usize) -> &'t str,
) {
    hits.sort_unstable_by_key(|(t, h)| (*t, h.rule, h.start, h.end));
    let mut merged: Vec<(usize, Hit)> = Vec::with_capacity(hits.len());
    for &(t, h) in hits.iter() {
        match merged.last_mut() {
            Some((lt, last))
                if *lt == t
                    && last.rule == h.rule
                    && (h.start < last.end
                        || (rules[h.rule as usize].kind() == RuleKind::Forbidden
                            && only_separators(&text_of(t)[last.end..h.start]))) =>
            {
                last.end = last.end.max(h.end);
            }
            _ => merged.push((t, h)),
        }
    }
    *hits = merged;
}

/// Whether `gap` is a short run of clause punctuation and spaces between two parts of one
/// sentence. Sentence-final marks (。！？) end an utterance, so they do not count.
fn only_separators(gap: &str) -> bool {
    const SEPARATORS: &str = "，,、；;：:—-～~ 　";
    gap.chars().count() <= 3
        && gap
            .chars()
            .all(|c| SEPARATORS.contains(c) || c.is_whitespace())
}

/// Counts characters up to byte offsets asked for in increasing order, walking the text once.
#[derive(Default)]
struct CharCursor {
    byte: usize,
    chars: usize,
}

impl CharCursor {
    fn chars_before(&mut self, text: &str, byte: usize) -> usize {
        if byte < self.byte {
            *self = CharCursor::default();
        }
        self.chars += text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

fn turn_finding(
    rule: &Rule,
    t: usize,
    turn_text: &str,
    hit: Hit,
    cursor: &mut CharCursor,
) -> Finding {
    let start = cursor.chars_before(turn_text, hit.start);
    let text = &turn_text[hit.start..hit.end];
    Finding {
        rule: rule.id.clone(),
        severity: rule.severity(),
        deduct: rule.deduct(),
        turn: Some(t),
        start: Some(start),
        end: Some(start + text.chars().count()),
        byte_start: Some(hit.start),
        byte_end: Some(hit.end),
        text: Some(text.to_string()),
        message: rule.message.clone(),
        suggest: rule.suggest.clone(),
        source: rule.source.clone(),
    }
}

fn transcript_finding(rule: &Rule) -> Finding {
    Finding {
        rule: rule.id.clone(),
        severity: rule.severity(),
        deduct: rule.deduct(),
        turn: None,
        start: None,
        end: None,
        byte_start: None,
        byte_end: None,
        text: None,
        message: rule.message.clone(),
        suggest: rule.suggest.clone(),
        source: rule.source.clone(),
    }
}

/// Applies each rule's cap in finding order, and returns the score and whether it passes.
fn score(rules: &[Rule], scoring: &Scoring, findings: &mut [(u32, Finding)]) -> (u32, bool) {
    let mut taken = vec![0u32; rules.len()];
    let mut total: u64 = 0;
    let mut fatal = false;
    for (r, finding) in findings.iter_mut() {
        let rule = &rules[*r as usize];
        let cap = rule.max_deduct().unwrap_or(u32::MAX);
        let room = cap.saturating_sub(taken[*r as usize]);
        finding.deduct = finding.deduct.min(room);
        taken[*r as usize] += finding.deduct;
        total += u64::from(finding.deduct);
        fatal |= finding.severity == crate::Severity::Fatal;
    }
    let score = u64::from(scoring.full_marks()).saturating_sub(total) as u32;
    (score, !fatal && score >= scoring.pass_mark())
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
        assert_eq!(report.score, 90);
        assert!(report.passed);
    }

    #[test]
    fn windows_and_counts() {
        let t = Transcript::new("c", vec![agent("喂？"), agent("您好，谢谢")]);
        let report = checker().check(&t);
        let rules: Vec<&str> = report.findings.iter().map(|f| &*f.rule).collect();
        assert_eq!(rules, vec!["opening.greeting", "courtesy.thanks"]);
        assert_eq!(report.score, 100 - 3 - 2);
        assert!(report.passed, "95 is above the pass mark of 90");
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
        assert_eq!(report.score, 100);
        assert!(!report.passed);
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

#[cfg(test)]
mod context_tests {
    use super::*;

    fn checker(rule: &str) -> Checker {
        let toml = format!(
            "[pack]\nname = \"t\"\n[[rule]]\nid = \"forbidden.x\"\nkind = \"forbidden\"\nseverity = \"minor\"\nmessage = \"m\"\n{rule}\n"
        );
        RulePack::from_toml("t.toml", &toml)
            .expect("valid")
            .compile()
            .expect("compiles")
    }

    fn hits(checker: &Checker, text: &str) -> Vec<String> {
        checker
            .check_message(Role::Agent, text)
            .into_iter()
            .filter_map(|f| f.text)
            .collect()
    }

    #[test]
    fn preceded_and_followed_by() {
        let c = checker(
            "phrases = [\"不知道\"]\nunless.preceded-by = [\"是不是\"]\nunless.followed-by = [\"您\"]",
        );
        assert_eq!(hits(&c, "我不知道。"), vec!["不知道"]);
        assert!(hits(&c, "您是不是不知道密码？").is_empty());
        assert!(
            hits(&c, "您是 不是 不知道密码？").is_empty(),
            "compared after normalization"
        );
        assert!(hits(&c, "不知道您是否方便？").is_empty());
    }

    #[test]
    fn a_longer_allowed_phrase_wins() {
        let c = checker("phrases = [\"不管\"]\nunless.inside = [\"不管怎样\", \"不管你是谁都\"]");
        assert!(hits(&c, "不管怎样，我们都会处理。").is_empty());
        assert!(hits(&c, "不管你是谁都一样。").is_empty());
        assert_eq!(hits(&c, "不管你。"), vec!["不管"]);
    }

    #[test]
    fn matches_excuse_hits_inside_them() {
        let c = checker("phrases = [\"不管\"]\nunless.matches = ['不管[^。！？]{0,12}都']");
        assert!(hits(&c, "不管您在哪里买的，都能保修。").is_empty());
        assert_eq!(hits(&c, "我不管你。"), vec!["不管"]);
    }

    #[test]
    fn quoted_text_is_skipped() {
        let c = checker("phrases = [\"不知道\"]\nunless.quoted = true");
        assert!(hits(&c, "您说的“不知道”是我们服务不到位。").is_empty());
        assert!(hits(&c, "客户说「我不知道」。").is_empty());
        assert_eq!(hits(&c, "我不知道“为什么”。"), vec!["不知道"]);
    }

    #[test]
    fn clause_boundaries_with_subjects_and_particles() {
        let c = checker(
            "phrases = [\"不行\"]\nboundary = \"clause\"\nsubjects = [\"这个\", \"那可\"]\nparticles = [\"啊\", \"了\"]",
        );
        assert_eq!(hits(&c, "不行！"), vec!["不行"]);
        assert_eq!(hits(&c, "好的 不行"), vec!["不行"], "a space ends a clause");
        assert_eq!(hits(&c, "这个不行。"), vec!["不行"]);
        assert_eq!(hits(&c, "那可不行了啊！"), vec!["不行"]);
        assert_eq!(hits(&c, "不行😠"), vec!["不行"]);
        assert!(hits(&c, "还不行的话再联系我们").is_empty());
        assert!(hits(&c, "行不行？").is_empty());
        assert!(hits(&c, "我们都不行。").is_empty(), "都 is not a subject");
        assert!(hits(&c, "不行吧").is_empty(), "吧 is not a particle here");
    }

    #[test]
    fn letter_spaced_text_is_one_clause() {
        let c = checker("phrases = [\"不\"]\nboundary = \"clause\"\nsubjects = []\nparticles = []");
        assert_eq!(hits(&c, "不，这个没法退。"), vec!["不"]);
        assert!(hits(&c, "不 管 怎 样 都 会 帮 您").is_empty());
        assert_eq!(hits(&c, "好的 不 我不同意"), vec!["不"]);
    }

    #[test]
    fn clause_end_only_looks_after() {
        let c = checker("phrases = [\"打错了\"]\nboundary = \"clause-end\"\nparticles = [\"吧\"]");
        assert_eq!(hits(&c, "您好像打错了吧。"), vec!["打错了"]);
        assert!(hits(&c, "打错了号码").is_empty());
    }

    #[test]
    fn word_boundaries_use_the_segmenter() {
        let c = checker("phrases = [\"真笨\"]\nboundary = \"word\"");
        assert_eq!(hits(&c, "你真笨！"), vec!["真笨"]);
        assert!(hits(&c, "这个箱子真笨重。").is_empty());
        assert_eq!(c.stats().segmented_turns, 2);
    }

    #[test]
    fn normalization_can_be_set_per_rule() {
        let c = checker(
            "phrases = [\"找领导\"]\nnormalize = { separators = false, traditional = false }",
        );
        assert_eq!(hits(&c, "你找领导去"), vec!["找领导"]);
        assert!(hits(&c, "你找 领导去").is_empty());
        assert!(hits(&c, "你找領導去").is_empty());
        let c = checker("phrases = [\"找领导\"]");
        assert_eq!(hits(&c, "你找 領導去"), vec!["找 領導"]);
        let c = checker("phrases = [\"不知道\"]\nnormalize = { repeats = true }");
        assert_eq!(hits(&c, "不不不知知道"), vec!["不不不知知道"]);
    }

    #[test]
    fn patterns_are_folded_like_the_text() {
        // Written with full-width punctuation and traditional characters, matched against
        // simplified, half-width text, and the other way round.
        let c = checker("patterns = ['喂，說吧']");
        assert_eq!(hits(&c, "喂，说吧！"), vec!["喂，说吧"]);
        assert_eq!(hits(&c, "喂, 說吧"), vec!["喂, 說吧"]);
        let c = checker("patterns = ['(?P<hit>OK)吧']");
        assert_eq!(hits(&c, "ｏｋ吧"), vec!["ｏｋ"]);
    }
}
