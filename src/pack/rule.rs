//! What a rule is: the data a rule pack declares for each rule.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::Serialize;

use crate::normalize::Normalization;
use crate::pattern::Pattern;
use crate::transcript::{Channel, Role};

/// How serious a finding is. Ordered from least to most serious.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; usually deducts nothing.
    Info,
    /// A small lapse.
    Minor,
    /// A clear breach of the standard.
    Major,
    /// Fails the transcript whatever its score (一票否决).
    Fatal,
}

impl Severity {
    /// Every severity, least serious first.
    pub const ALL: [Severity; 4] = [
        Severity::Info,
        Severity::Minor,
        Severity::Major,
        Severity::Fatal,
    ];

    /// The name used in rule packs and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Minor => "minor",
            Severity::Major => "major",
            Severity::Fatal => "fatal",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown severity `{s}`; expected info, minor, major or fatal"))
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
}

impl RuleKind {
    /// Every kind.
    pub const ALL: [RuleKind; 3] = [RuleKind::Forbidden, RuleKind::Required, RuleKind::Courtesy];

    /// The name used in rule packs.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Forbidden => "forbidden",
            RuleKind::Required => "required",
            RuleKind::Courtesy => "courtesy",
        }
    }
}

impl fmt::Display for RuleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which turns of the rule's roles a `required` rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Window {
    /// All of them.
    Anywhere,
    /// The first N.
    First(u32),
    /// The last N.
    Last(u32),
}

impl Window {
    /// Whether the `position`-th of `count` turns of the rule's roles is in the window.
    pub(crate) fn contains(self, position: usize, count: usize) -> bool {
        match self {
            Window::Anywhere => true,
            Window::First(n) => position < n as usize,
            Window::Last(n) => position + (n as usize) >= count,
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Window::Anywhere => f.write_str("any turn"),
            Window::First(1) => f.write_str("the first turn"),
            Window::First(n) => write!(f, "the first {n} turns"),
            Window::Last(1) => f.write_str("the last turn"),
            Window::Last(n) => write!(f, "the last {n} turns"),
        }
    }
}

/// Where a hit's ends must fall for it to count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Boundary {
    /// Anywhere.
    #[default]
    None,
    /// On word boundaries of the turn, as segmented by jieba (so 真笨 does not match inside
    /// 真笨重).
    Word,
    /// The hit is a whole clause: punctuation, a separator or the start or end of the turn on
    /// both sides, allowing one of the pack's `subjects` before it (我/这个我/那我) and
    /// `particles` after it (了/啊/呀). For taboo words that are taboo only as a blunt reply:
    /// 不行！ but not 还不行的话.
    Clause,
    /// The hit ends a clause (allowing `particles` after it), whatever comes before.
    ClauseEnd,
}

impl Boundary {
    /// Every boundary.
    pub const ALL: [Boundary; 4] = [
        Boundary::None,
        Boundary::Word,
        Boundary::Clause,
        Boundary::ClauseEnd,
    ];

    /// The name used in rule packs.
    pub fn as_str(self) -> &'static str {
        match self {
            Boundary::None => "none",
            Boundary::Word => "word",
            Boundary::Clause => "clause",
            Boundary::ClauseEnd => "clause-end",
        }
    }
}

/// Context that makes a hit benign. Phrases are compared with the normalized text.
#[derive(Clone, Debug, Default)]
pub struct Unless {
    /// The hit is right after one of these (您是不是|不知道).
    pub preceded_by: Vec<String>,
    /// The hit is right before one of these (不管|怎样, 不行|的话).
    pub followed_by: Vec<String>,
    /// The hit lies inside an occurrence of one of these longer allowed phrases (不管怎样).
    pub inside: Vec<String>,
    /// The hit lies inside a match of one of these regexes, run on the normalized text.
    pub matches: Vec<String>,
    /// The hit is inside quotation marks: the agent quoting the customer (您说的“不知道”…).
    pub quoted: bool,
    pub(crate) compiled: Vec<regex::Regex>,
}

impl Unless {
    /// Whether there is no exception at all.
    pub fn is_empty(&self) -> bool {
        self.preceded_by.is_empty()
            && self.followed_by.is_empty()
            && self.inside.is_empty()
            && self.matches.is_empty()
            && !self.quoted
    }
}

/// A check on the digits of a pattern hit, to tell a real identifier from a number that only
/// looks like one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verify {
    /// A payment card number: 13–19 digits passing the Luhn check.
    Luhn,
    /// A mainland resident identity card number (GB 11643): 18 characters with a valid birth
    /// date and ISO 7064 MOD 11-2 check character.
    CnIdCard,
    /// A mainland mobile number: 11 digits starting with 13–19.
    CnMobile,
}

impl Verify {
    /// Every check.
    pub const ALL: [Verify; 3] = [Verify::Luhn, Verify::CnIdCard, Verify::CnMobile];

    /// The name used in rule packs.
    pub fn as_str(self) -> &'static str {
        match self {
            Verify::Luhn => "luhn",
            Verify::CnIdCard => "cn-id-card",
            Verify::CnMobile => "cn-mobile",
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

/// A set of roles, stored as bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct RoleSet(u8);

impl RoleSet {
    /// Only the agent: the default for every rule.
    pub const AGENT: RoleSet = RoleSet(1 << Role::Agent as u8);

    /// Whether `role` is in the set.
    pub fn contains(self, role: Role) -> bool {
        self.0 & (1 << role.index()) != 0
    }

    pub(crate) fn insert(&mut self, role: Role) {
        self.0 |= 1 << role.index();
    }

    pub(crate) fn union(self, other: RoleSet) -> RoleSet {
        RoleSet(self.0 | other.0)
    }

    /// The roles in the set, in [`Role::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.into_iter().filter(move |r| self.contains(*r))
    }
}

impl FromIterator<Role> for RoleSet {
    fn from_iter<I: IntoIterator<Item = Role>>(iter: I) -> Self {
        let mut set = RoleSet::default();
        for role in iter {
            set.insert(role);
        }
        set
    }
}

/// A set of channels, stored as bits. A rule with every channel applies everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChannelSet(u8);

impl ChannelSet {
    /// Every channel: the default.
    pub const ALL: ChannelSet = ChannelSet(0b111);

    /// Whether a rule limited to this set applies to a transcript on `channel`. A transcript
    /// whose channel is unknown is checked by every rule.
    pub fn applies_to(self, channel: Option<Channel>) -> bool {
        channel.is_none_or(|c| self.contains(c))
    }

    /// Whether `channel` is in the set.
    pub fn contains(self, channel: Channel) -> bool {
        self.0 & (1 << channel.index()) != 0
    }

    /// The channels in the set, in [`Channel::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Channel> {
        Channel::ALL.into_iter().filter(move |c| self.contains(*c))
    }
}

impl FromIterator<Channel> for ChannelSet {
    fn from_iter<I: IntoIterator<Item = Channel>>(iter: I) -> Self {
        ChannelSet(iter.into_iter().fold(0, |bits, c| bits | 1 << c.index()))
    }
}

/// What a rule looks for: a literal phrase, or a pattern compiled from a regex or from a
/// phrase with slots.
#[derive(Clone, Debug)]
pub(crate) enum Needle {
    Literal(String),
    Pattern(Arc<Pattern>),
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
    pub(crate) roles: RoleSet,
    pub(crate) channels: ChannelSet,
    pub(crate) phrases: Vec<String>,
    pub(crate) patterns: Vec<String>,
    pub(crate) needles: Vec<Needle>,
    pub(crate) severity: Severity,
    pub(crate) explicit_deduct: Option<u32>,
    pub(crate) deduct: u32,
    pub(crate) max_deduct: Option<u32>,
    pub(crate) message: Arc<str>,
    pub(crate) why: Option<String>,
    pub(crate) suggest: Option<Arc<str>>,
    pub(crate) source: Option<Arc<str>>,
    pub(crate) window: Window,
    pub(crate) min_count: u32,
    pub(crate) verify: Option<Verify>,
    pub(crate) examples: Examples,
    pub(crate) origin: Origin,
    /// Normalization options the rule sets itself; the rest come from the pack.
    pub(crate) normalize_overrides: Vec<(&'static str, bool)>,
    pub(crate) normalization: Normalization,
    pub(crate) boundary: Boundary,
    /// Subjects and particles the rule sets itself (`None`: the pack's).
    pub(crate) own_subjects: Option<Vec<String>>,
    pub(crate) own_particles: Option<Vec<String>>,
    pub(crate) subjects: Vec<String>,
    pub(crate) particles: Vec<String>,
    pub(crate) unless: Unless,
}

impl Rule {
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

    /// The roles whose turns the rule looks at.
    pub fn roles(&self) -> RoleSet {
        self.roles
    }

    /// The channels the rule applies to.
    pub fn channels(&self) -> ChannelSet {
        self.channels
    }

    /// The phrases, as written in the pack (slots such as `{number}` included).
    pub fn phrases(&self) -> &[String] {
        &self.phrases
    }

    /// The regex patterns, as written in the pack.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
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
        self.min_count
    }

    /// The check applied to the digits of each pattern hit, if any.
    pub fn verify(&self) -> Option<Verify> {
        self.verify
    }

    /// Texts that must and must not make the rule report a finding.
    pub fn examples(&self) -> &Examples {
        &self.examples
    }

    /// Where the rule is defined.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// How the rule's phrases and the text they are matched in are folded.
    pub fn normalization(&self) -> Normalization {
        self.normalization
    }

    /// Where a hit's ends must fall.
    pub fn boundary(&self) -> Boundary {
        self.boundary
    }

    /// Words allowed between the start of a clause and a hit, for `clause` boundaries.
    pub fn subjects(&self) -> &[String] {
        &self.subjects
    }

    /// Words allowed between a hit and the end of its clause, for `clause` and `clause-end`
    /// boundaries.
    pub fn particles(&self) -> &[String] {
        &self.particles
    }

    /// Context that makes a hit benign.
    pub fn unless(&self) -> &Unless {
        &self.unless
    }
}

/// How a pack turns findings into a score.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scoring {
    pub(crate) full_marks: u32,
    pub(crate) pass_mark: u32,
    pub(crate) deduct: [u32; 4],
}

impl Default for Scoring {
    fn default() -> Self {
        Scoring {
            full_marks: 100,
            pass_mark: 80,
            deduct: [0, 2, 5, 10],
        }
    }
}

impl Scoring {
    /// The score a transcript starts from.
    pub fn full_marks(&self) -> u32 {
        self.full_marks
    }

    /// The lowest score that passes.
    pub fn pass_mark(&self) -> u32 {
        self.pass_mark
    }

    /// The deduction of a rule of `severity` that does not set its own.
    pub fn default_deduct(&self, severity: Severity) -> u32 {
        self.deduct[severity.index()]
    }

    /// This scoring with another pass mark.
    pub fn with_pass_mark(mut self, pass_mark: u32) -> Scoring {
        self.pass_mark = pass_mark;
        self
    }
}
