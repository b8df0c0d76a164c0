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
    /// The positions in the window among `count` turns of the rule's roles.
    pub(crate) fn range(self, count: usize) -> std::ops::Range<usize> {
        match self {
            Window::Anywhere => 0..count,
            Window::First(n) => 0..count.min(n as usize),
            Window::Last(n) => count.saturating_sub(n as usize)..count,
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
    pub(crate) compiled: Vec<Arc<Pattern>>,
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

    /// The set as a number below 16, to index tables by.
    pub(crate) fn bits(self) -> usize {
        usize::from(self.0 & 0xf)
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
    /// whose channel is unknown is taken for a conversation (a call or a chat): rules for
    /// phone or chat check it, rules only for e-mail do not.
    pub fn applies_to(self, channel: Option<Channel>) -> bool {
        match channel {
            Some(c) => self.contains(c),
            None => self.contains(Channel::Phone) || self.contains(Channel::Chat),
        }
    }

    /// Whether `channel` is in the set.
    pub fn contains(self, channel: Channel) -> bool {
        self.0 & (1 << channel.index()) != 0
    }

    pub(crate) fn union(self, other: ChannelSet) -> ChannelSet {
        ChannelSet(self.0 | other.0)
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

/// What a rule, or one condition of a rule, looks for in the turns of some roles, and how the
/// text is matched: the unit the automaton is built from.
#[derive(Clone, Debug)]
pub struct Leaf {
    pub(crate) roles: RoleSet,
    pub(crate) phrases: Vec<String>,
    pub(crate) patterns: Vec<String>,
    pub(crate) needles: Vec<Needle>,
    /// Phrases naming a value known only when checking (`{=surname}先生`, `{=agent}`), searched
    /// in the window's turns once the value is known.
    pub(crate) dynamic: Vec<String>,
    pub(crate) verify: Option<Verify>,
    /// How many hits the condition needs to hold.
    pub(crate) min_count: u32,
    /// Normalization options the leaf sets itself; the rest come from the pack.
    pub(crate) normalize_overrides: Vec<(&'static str, bool)>,
    pub(crate) normalization: Normalization,
    pub(crate) boundary: Boundary,
    /// Subjects and particles the leaf sets itself (`None`: the pack's).
    pub(crate) own_subjects: Option<Vec<String>>,
    pub(crate) own_particles: Option<Vec<String>>,
    pub(crate) subjects: Vec<String>,
    pub(crate) particles: Vec<String>,
    pub(crate) unless: Unless,
}

impl Leaf {
    /// The roles whose turns are looked at.
    pub fn roles(&self) -> RoleSet {
        self.roles
    }

    /// When a hit does not count.
    pub fn unless(&self) -> &Unless {
        &self.unless
    }

    /// The phrases, as written in the pack.
    pub fn phrases(&self) -> &[String] {
        &self.phrases
    }

    /// The regex patterns, as written in the pack.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// How many hits are needed.
    pub fn min_count(&self) -> u32 {
        self.min_count
    }
}

/// A condition of a `situation` rule: leaves combined with any / all / none / at-least-N.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// The leaf (an index into [`Rule::leaves`]) has enough hits.
    Leaf(usize),
    /// At least one holds.
    Any(Vec<Condition>),
    /// Every one holds.
    All(Vec<Condition>),
    /// None holds.
    None(Vec<Condition>),
    /// At least N hold.
    AtLeast(u32, Vec<Condition>),
}

impl Condition {
    /// Every leaf the condition refers to, whether it counts for or (under `none`) against.
    pub(crate) fn leaves(&self, out: &mut Vec<usize>) {
        match self {
            Condition::Leaf(i) => out.push(*i),
            Condition::Any(c)
            | Condition::All(c)
            | Condition::None(c)
            | Condition::AtLeast(_, c) => {
                for c in c {
                    c.leaves(out);
                }
            }
        }
    }

    /// The leaves whose hits make the condition hold (not those under `none`).
    pub(crate) fn positive_leaves(&self, out: &mut Vec<usize>) {
        match self {
            Condition::Leaf(i) => out.push(*i),
            Condition::None(_) => {}
            Condition::Any(c) | Condition::All(c) | Condition::AtLeast(_, c) => {
                for c in c {
                    c.positive_leaves(out);
                }
            }
        }
    }
}

/// Which turns a `situation` rule looks at for its response, relative to the turn that
/// triggered it.
#[derive(Clone, Debug, PartialEq)]
pub struct Within {
    /// After the trigger: this many turns of the response's roles (default 1).
    pub turns: Option<u32>,
    /// After the trigger: turns no later than this many seconds after it.
    pub seconds: Option<f64>,
    /// After the trigger: turns before the next turn of this role.
    pub until: Option<Role>,
    /// Before the trigger instead: this many turns of the response's roles, and the trigger's
    /// own turn.
    pub before: Option<u32>,
    /// The trigger's own turn counts too.
    pub include_trigger_turn: bool,
    /// After the trigger: every later turn, to the end of the conversation.
    pub rest: bool,
}

impl Default for Within {
    fn default() -> Self {
        Within {
            turns: Some(1),
            seconds: None,
            until: None,
            before: None,
            include_trigger_turn: false,
            rest: false,
        }
    }
}

/// Whether a `situation` rule's response must or must not happen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Expect {
    /// The response must be found in the window.
    #[default]
    Present,
    /// The response must not be found in the window.
    Absent,
}

/// What a `timing` rule measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Every customer message, from the first unanswered one of a burst to the agent's next
    /// turn.
    Reply,
    /// The first customer message to the agent's first turn.
    FirstResponse,
    /// A hold announcement (请稍等) to the agent's next turn.
    HoldReturn,
}

impl Measure {
    /// Every measure.
    pub const ALL: [Measure; 3] = [Measure::Reply, Measure::FirstResponse, Measure::HoldReturn];

    /// The name used in rule packs.
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Reply => "reply",
            Measure::FirstResponse => "first-response",
            Measure::HoldReturn => "hold-return",
        }
    }
}

/// How often a rule deducts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Per {
    /// Every finding deducts (up to `max-deduct`).
    #[default]
    Hit,
    /// Only the first finding in a transcript deducts.
    Transcript,
}

impl Per {
    /// Every option.
    pub const ALL: [Per; 2] = [Per::Hit, Per::Transcript];

    /// The name used in rule packs.
    pub fn as_str(self) -> &'static str {
        match self {
            Per::Hit => "hit",
            Per::Transcript => "transcript",
        }
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
    pub(crate) origin: Origin,
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

/// A part of the score with its own points, such as 服务规范 or 服务态度.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dimension {
    pub(crate) name: String,
    pub(crate) max: u32,
    pub(crate) categories: Vec<String>,
}

impl Dimension {
    /// The dimension's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its points: deductions against it stop at this.
    pub fn max(&self) -> u32 {
        self.max
    }

    /// The rule categories that count against it unless a rule names its own dimension.
    pub fn categories(&self) -> &[String] {
        &self.categories
    }
}

/// Which conversations are long enough to score.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Eligibility {
    pub(crate) min_turns: u32,
    pub(crate) channels: ChannelSet,
}

impl Eligibility {
    /// The fewest agent and customer turns a conversation needs to be scored.
    pub fn min_turns(&self) -> u32 {
        self.min_turns
    }

    /// The channels the minimum applies to.
    pub fn channels(&self) -> ChannelSet {
        self.channels
    }
}

/// How a pack turns findings into a score.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scoring {
    pub(crate) full_marks: u32,
    pub(crate) pass_mark: u32,
    pub(crate) deduct: [u32; 4],
    pub(crate) dimensions: Vec<Dimension>,
    pub(crate) eligibility: Option<Eligibility>,
}

impl Default for Scoring {
    fn default() -> Self {
        Scoring {
            full_marks: 100,
            pass_mark: 80,
            deduct: [0, 2, 5, 10],
            dimensions: Vec::new(),
            eligibility: None,
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

    /// The scorecard's dimensions; empty when the pack has none.
    pub fn dimensions(&self) -> &[Dimension] {
        &self.dimensions
    }

    /// Which conversations are long enough to score, if the pack says.
    pub fn eligibility(&self) -> Option<&Eligibility> {
        self.eligibility.as_ref()
    }

    /// This scoring with another pass mark.
    pub fn with_pass_mark(mut self, pass_mark: u32) -> Scoring {
        self.pass_mark = pass_mark;
        self
    }
}
