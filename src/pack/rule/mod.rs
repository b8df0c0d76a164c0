//! What a rule is: the data a rule pack declares for each rule.
//!
//! [`Rule`] is the rule itself; what it matches is in [`Leaf`]s, what its kind adds (windows,
//! conditions, measures) in `condition`, the role and channel sets in `sets`, and what a
//! finding costs in `scoring`.

mod condition;
mod context;
mod leaf;
mod scoring;
mod sets;

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::text::normalize::Normalization;

pub use self::condition::{Condition, Expect, Measure, Window, Within};
pub use self::context::{ContextTest, ContextWords, Feature, FeatureSet};
pub(crate) use self::leaf::Needle;
pub use self::leaf::{Boundary, Leaf, Unless};
pub use self::scoring::{Dimension, Eligibility, Per, Scoring, Severity};
pub use self::sets::{ChannelSet, RoleSet};
pub use crate::text::pattern::Verify;
pub use crate::text::tolerant::Tolerance;

/// How a rule judges speech-recognition (ASR) transcripts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AsrMode {
    /// As any other transcript: phrases match exactly after normalization.
    #[default]
    Exact,
    /// Phrases match tolerantly when no exact match is found: fillers skipped, a character
    /// or two dropped or misheard, the pack's `alike` characters as one (required scripts).
    Tolerant,
    /// Not judged: what the rule looks for cannot be heard apart (你好 and 您好).
    Off,
}

impl AsrMode {
    /// Every mode.
    pub const ALL: [AsrMode; 3] = [AsrMode::Exact, AsrMode::Tolerant, AsrMode::Off];

    /// The name used in rule packs.
    pub fn as_str(self) -> &'static str {
        match self {
            AsrMode::Exact => "exact",
            AsrMode::Tolerant => "tolerant",
            AsrMode::Off => "off",
        }
    }
}

/// The pack's `[asr]` settings: how speech-recognition transcripts are matched, and which
/// channels' transcripts are ASR even when they do not say so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asr {
    /// Fillers skipped and characters counted as one in tolerant matching.
    pub tolerance: Tolerance,
    /// Channels whose transcripts are all ASR (`channels = ["phone"]`); none by default.
    pub channels: ChannelSet,
}

impl Default for Asr {
    fn default() -> Self {
        Asr {
            tolerance: Tolerance::default(),
            channels: ChannelSet::NONE,
        }
    }
}

/// What a rule checks. A small closed set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    /// Any hit in a turn of the rule's roles is a finding (服务忌语).
    Forbidden,
    /// One of the phrases must appear in a window of turns, such as the first or the last
    /// agent turns; if none does, that is one finding for the whole transcript.
    Required,
    /// The phrases must occur at least `min-count` times over all turns of the rule's roles.
    Courtesy,
    /// When something happens (`when`), a response must (or must not) follow in a window of
    /// turns (`then`, `within`): the customer thanks, the agent acknowledges.
    Situation,
    /// Response times, when turns carry times: chat replies, the first response, returning
    /// from a hold.
    Timing,
}

impl RuleKind {
    /// Every kind.
    pub const ALL: [RuleKind; 5] = [
        RuleKind::Forbidden,
        RuleKind::Required,
        RuleKind::Courtesy,
        RuleKind::Situation,
        RuleKind::Timing,
    ];

    /// The name used in rule packs.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Forbidden => "forbidden",
            RuleKind::Required => "required",
            RuleKind::Courtesy => "courtesy",
            RuleKind::Situation => "situation",
            RuleKind::Timing => "timing",
        }
    }
}

impl fmt::Display for RuleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a rule's `replace` wording may be applied without a person looking at it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixSafety {
    /// `huashu lint --fix` applies it.
    Safe,
    /// Only `--unsafe-fixes` applies it: the wording may need rephrasing around it.
    #[default]
    Unsafe,
}

impl FixSafety {
    /// Every option.
    pub const ALL: [FixSafety; 2] = [FixSafety::Safe, FixSafety::Unsafe];

    /// The name used in rule packs.
    pub fn as_str(self) -> &'static str {
        match self {
            FixSafety::Safe => "safe",
            FixSafety::Unsafe => "unsafe",
        }
    }
}

/// Texts a rule must and must not report; they document the rule and are run as tests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Examples {
    /// Each text, as one turn of the rule's first role, must make the rule report a finding.
    pub trigger: Vec<String>,
    /// Each text, as one turn of the rule's first role, must not.
    pub pass: Vec<String>,
}

/// Where in a pack file a rule is defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub(crate) file: Arc<str>,
    pub(crate) line: usize,
}

impl Origin {
    /// The file, as given when loading.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The 1-based line of the rule's table.
    pub fn line(&self) -> usize {
        self.line
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One rule of a pack: what to look for, where, and what a finding costs.
#[derive(Clone, Debug)]
pub struct Rule {
    pub(crate) id: Arc<str>,
    pub(crate) kind: RuleKind,
    pub(crate) channels: ChannelSet,
    /// What the rule matches: for `forbidden`, `required` and `courtesy` rules one leaf, the
    /// rule's own phrases; for `situation` rules the leaves of `when` and `then`; for `timing`
    /// rules the hold announcement.
    pub(crate) leaves: Vec<Leaf>,
    pub(crate) severity: Severity,
    pub(crate) explicit_deduct: Option<u32>,
    pub(crate) deduct: u32,
    pub(crate) max_deduct: Option<u32>,
    pub(crate) per: Per,
    pub(crate) own_dimension: Option<String>,
    pub(crate) dimension: Option<String>,
    pub(crate) message: Arc<str>,
    pub(crate) why: Option<String>,
    pub(crate) suggest: Option<Arc<str>>,
    /// The approved wording that replaces a hit, for `forbidden` rules.
    pub(crate) replace: Option<Arc<str>>,
    pub(crate) fix: FixSafety,
    pub(crate) source: Option<Arc<str>>,
    pub(crate) window: Window,
    pub(crate) when: Option<Condition>,
    pub(crate) then: Option<Condition>,
    pub(crate) within: Within,
    pub(crate) expect: Expect,
    pub(crate) measure: Option<Measure>,
    /// Seconds, for `timing` rules.
    pub(crate) limit: f64,
    /// For `timing` rules: the hold announcement (a leaf) and, for `reply`, how long a hold
    /// suspends the reply clock.
    pub(crate) hold: Option<(usize, Option<f64>)>,
    pub(crate) examples: Examples,
    /// How the rule judges ASR transcripts (`asr`).
    pub(crate) asr: AsrMode,
    pub(crate) origin: Origin,
}

impl Rule {
    /// How the rule judges speech-recognition transcripts.
    pub fn asr(&self) -> AsrMode {
        self.asr
    }

    /// The stable id, such as `forbidden.dont-know`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The category: the part of the id before the first dot.
    pub fn category(&self) -> &str {
        self.id.split('.').next().unwrap_or_default()
    }

    /// What the rule checks.
    pub fn kind(&self) -> RuleKind {
        self.kind
    }

    /// The rule's own leaf, for kinds that match phrases themselves.
    fn own(&self) -> Option<&Leaf> {
        match self.kind {
            RuleKind::Forbidden | RuleKind::Required | RuleKind::Courtesy => self.leaves.first(),
            RuleKind::Situation | RuleKind::Timing => None,
        }
    }

    /// The roles whose turns the rule judges: its own phrases' roles, or for a `situation`
    /// rule those of its response; `timing` rules judge the agent.
    pub fn roles(&self) -> RoleSet {
        if let Some(own) = self.own() {
            return own.roles;
        }
        let mut leaves = Vec::new();
        if let Some(then) = &self.then {
            then.leaves(&mut leaves);
        }
        let roles = leaves
            .into_iter()
            .filter_map(|i| self.leaves.get(i))
            .fold(RoleSet::default(), |set, leaf| set.union(leaf.roles));
        if roles == RoleSet::default() {
            RoleSet::AGENT
        } else {
            roles
        }
    }

    /// The channels the rule applies to.
    pub fn channels(&self) -> ChannelSet {
        self.channels
    }

    /// Everything the rule matches, see [`Leaf`].
    pub fn leaves(&self) -> &[Leaf] {
        &self.leaves
    }

    /// The rule's own phrases, as written in the pack (slots such as `{number}` included);
    /// empty for `situation` and `timing` rules, whose phrases are in their conditions.
    pub fn phrases(&self) -> &[String] {
        self.own().map_or(&[], |l| &l.phrases)
    }

    /// The rule's own regex patterns, as written in the pack.
    pub fn patterns(&self) -> &[String] {
        self.own().map_or(&[], |l| &l.patterns)
    }

    /// How serious a finding is.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The points one finding deducts: the rule's own `deduct`, or the pack's default for the
    /// rule's severity.
    pub fn deduct(&self) -> u32 {
        self.deduct
    }

    /// The most this rule may deduct from one transcript, if capped.
    pub fn max_deduct(&self) -> Option<u32> {
        self.max_deduct
    }

    /// Whether every finding deducts, or only the first in a transcript.
    pub fn per(&self) -> Per {
        self.per
    }

    /// The scorecard dimension the rule's deductions count against.
    pub fn dimension(&self) -> Option<&str> {
        self.dimension.as_deref()
    }

    /// What a finding says.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Why the rule exists.
    pub fn why(&self) -> Option<&str> {
        self.why.as_deref()
    }

    /// The wording to use instead, where the standard gives one.
    pub fn suggest(&self) -> Option<&str> {
        self.suggest.as_deref()
    }

    /// The approved wording that replaces a hit (`forbidden` rules), if the rule has one.
    pub fn replace(&self) -> Option<&str> {
        self.replace.as_deref()
    }

    /// Whether `replace` may be applied automatically.
    pub fn fix_safety(&self) -> FixSafety {
        self.fix
    }

    /// The document and clause the rule comes from.
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// For `required` rules: the turns looked at.
    pub fn window(&self) -> Window {
        self.window
    }

    /// For `courtesy` rules: how many times the phrases must occur.
    pub fn min_count(&self) -> u32 {
        self.own().map_or(1, |l| l.min_count)
    }

    /// The check applied to the digits of each pattern hit, if any.
    pub fn verify(&self) -> Option<Verify> {
        self.own().and_then(|l| l.verify)
    }

    /// For `situation` rules: what triggers the rule.
    pub fn when(&self) -> Option<&Condition> {
        self.when.as_ref()
    }

    /// For `situation` rules: the response that must (or must not) follow.
    pub fn then(&self) -> Option<&Condition> {
        self.then.as_ref()
    }

    /// For `situation` rules: where the response is looked for.
    pub fn within(&self) -> &Within {
        &self.within
    }

    /// For `situation` rules: whether the response must or must not happen.
    pub fn expect(&self) -> Expect {
        self.expect
    }

    /// For `timing` rules: what is measured.
    pub fn measure(&self) -> Option<Measure> {
        self.measure
    }

    /// For `timing` rules: the limit, in seconds.
    pub fn limit(&self) -> f64 {
        self.limit
    }

    /// Texts that must and must not make the rule report a finding.
    pub fn examples(&self) -> &Examples {
        &self.examples
    }

    /// Where the rule is defined.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// How the rule's own phrases, and the text they are matched in, are folded.
    pub fn normalization(&self) -> Normalization {
        self.own()
            .map_or(Normalization::DEFAULT, |l| l.normalization)
    }

    /// Where a hit of the rule's own phrases must fall.
    pub fn boundary(&self) -> Boundary {
        self.own().map_or(Boundary::None, |l| l.boundary)
    }

    /// Words allowed between the start of a clause and a hit, for `clause` boundaries.
    pub fn subjects(&self) -> &[String] {
        self.own().map_or(&[], |l| &l.subjects)
    }

    /// Words allowed between a hit and the end of its clause.
    pub fn particles(&self) -> &[String] {
        self.own().map_or(&[], |l| &l.particles)
    }

    /// Context that makes a hit of the rule's own phrases benign.
    pub fn unless(&self) -> &Unless {
        static NONE: std::sync::OnceLock<Unless> = std::sync::OnceLock::new();
        self.own()
            .map_or_else(|| NONE.get_or_init(Unless::default), |l| &l.unless)
    }
}
