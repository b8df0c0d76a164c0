//! The context model's data: the features a candidate hit's clause and turn may have, the
//! `context` test a leaf puts on its hits, and the pack's `[context]` word lists that the
//! features are recognised by.

use std::fmt;

/// One thing the context model can tell about a candidate hit, from its clause (the text
/// between clause punctuation or spaces) or from the rest of the agent's turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Feature {
    /// The clause asks the customer something: it ends in a question mark or 吗, the hit is
    /// half of an A-not-A question (清不清楚), or the customer's pronoun follows the hit and
    /// a question word comes later (不知道您方便吗).
    Question,
    /// The clause is a condition: 如果…, 要是…, …的话.
    Conditional,
    /// The clause concedes: 不管…, 无论…, 即使…, …也没关系.
    Concessive,
    /// The subject of the hit is the agent's side: 我, 我们, 这边, 小妹, 客服.
    Agent,
    /// The subject of the hit is a third party: 快递, 系统, 仓库, 他.
    ThirdParty,
    /// The subject of the hit is the customer: 您, 你.
    Customer,
    /// The hit modifies a noun (不清楚的地方) or names something that exists (有不清楚的).
    Nominal,
    /// A perception verb comes right before the hit: 听不清楚, 看得不太清楚.
    Perception,
    /// Earlier in the turn the agent relays what the customer, or someone the customer talked
    /// to, said: 您说…, 您是说…是吧, 跟您说 (a quotation without quotation marks).
    Reported,
    /// Nothing but particles follows the hit before the clause ends: 没办法嘛, 不清楚的呢.
    Final,
    /// The turn apologises: 抱歉, 不好意思, 对不起, 请您谅解.
    Apology,
    /// The turn gives a reason: 因为, 由于, 规定.
    Reason,
    /// The turn offers an alternative or a next step: 您可以, 建议您, 帮您, …内给您回复.
    NextStep,
}

impl Feature {
    /// Every feature.
    pub const ALL: [Feature; 13] = [
        Feature::Question,
        Feature::Conditional,
        Feature::Concessive,
        Feature::Agent,
        Feature::ThirdParty,
        Feature::Customer,
        Feature::Nominal,
        Feature::Perception,
        Feature::Reported,
        Feature::Final,
        Feature::Apology,
        Feature::Reason,
        Feature::NextStep,
    ];

    /// The name used in rule packs.
    pub fn as_str(self) -> &'static str {
        match self {
            Feature::Question => "question",
            Feature::Conditional => "conditional",
            Feature::Concessive => "concessive",
            Feature::Agent => "agent",
            Feature::ThirdParty => "third-party",
            Feature::Customer => "customer",
            Feature::Nominal => "nominal",
            Feature::Perception => "perception",
            Feature::Reported => "reported",
            Feature::Final => "final",
            Feature::Apology => "apology",
            Feature::Reason => "reason",
            Feature::NextStep => "next-step",
        }
    }

    /// Whether the feature is a property of the whole turn rather than of the hit's clause.
    pub fn of_turn(self) -> bool {
        matches!(self, Feature::Apology | Feature::Reason | Feature::NextStep)
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of features.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FeatureSet(u16);

impl FeatureSet {
    /// No feature.
    pub const EMPTY: FeatureSet = FeatureSet(0);

    /// Whether `feature` is in the set.
    pub fn contains(self, feature: Feature) -> bool {
        self.0 & feature.bit() != 0
    }

    /// Adds `feature`.
    pub fn insert(&mut self, feature: Feature) {
        self.0 |= feature.bit();
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether the two sets share a feature.
    pub fn intersects(self, other: FeatureSet) -> bool {
        self.0 & other.0 != 0
    }

    /// Every feature in either set.
    pub fn union(self, other: FeatureSet) -> FeatureSet {
        FeatureSet(self.0 | other.0)
    }

    /// The features in the set, in the order of [`Feature::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Feature> {
        Feature::ALL.into_iter().filter(move |f| self.contains(*f))
    }
}

impl FromIterator<Feature> for FeatureSet {
    fn from_iter<I: IntoIterator<Item = Feature>>(iter: I) -> Self {
        let mut set = FeatureSet::EMPTY;
        for f in iter {
            set.insert(f);
        }
        set
    }
}

/// A leaf's `context` test: a candidate hit counts unless its context has one of the `unless`
/// features, and (when `requires` is not empty) only if it has at least one of `requires`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContextTest {
    /// Features that excuse the hit.
    pub unless: FeatureSet,
    /// Features of which the hit needs at least one (none: no need).
    pub requires: FeatureSet,
}

impl ContextTest {
    /// Whether the test asks about nothing.
    pub fn is_empty(&self) -> bool {
        self.unless.is_empty() && self.requires.is_empty()
    }

    /// Every feature the test asks about.
    pub fn features(&self) -> FeatureSet {
        self.unless.union(self.requires)
    }

    /// Whether no context can pass both this test and `other`: one excuses every feature of
    /// which the other requires one.
    pub fn excludes(&self, other: &ContextTest) -> bool {
        let covers = |a: &ContextTest, b: &ContextTest| {
            !b.requires.is_empty() && b.requires.iter().all(|f| a.unless.contains(f))
        };
        covers(self, other) || covers(other, self)
    }

    /// Whether a hit whose context has `found` counts.
    pub fn holds(&self, found: FeatureSet) -> bool {
        !found.intersects(self.unless)
            && (self.requires.is_empty() || found.intersects(self.requires))
    }
}

/// The pack's `[context]` word lists, by which the context model recognises features. Each
/// list is compared with the normalized text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContextWords {
    /// Subjects on the agent's side (我, 我们, 这边, 小妹, 客服).
    pub agent: Vec<String>,
    /// Third parties that may be the subject (快递, 系统, 仓库, 他).
    pub third_party: Vec<String>,
    /// Words for the customer (您, 你).
    pub customer: Vec<String>,
    /// Words that may stand between a subject and the hit (也, 都, 那边, 暂时).
    pub between: Vec<String>,
    /// Words that make a clause a question once the hit is followed by the customer's
    /// pronoun (吗, 是否, 哪, 能不能); a clause that ends in one of `question-end` is a
    /// question by itself.
    pub question: Vec<String>,
    /// Clause-final marks of a question (吗, ？).
    pub question_end: Vec<String>,
    /// Words that open a condition before the hit (如果, 要是), or close one after it (的话).
    pub conditional: Vec<String>,
    /// Words that open a concession before the hit (不管, 无论, 即使).
    pub concessive: Vec<String>,
    /// Verbs of perception right before the hit, allowing 得 between (听, 看, 拍).
    pub perception: Vec<String>,
    /// Words right before the hit that make it name something (有, 如有).
    pub nominal: Vec<String>,
    /// Words by which the agent relays what someone said (您说, 您是说, 跟您说).
    pub reported: Vec<String>,
    /// Sentence-final particles (的, 呢, 哦, 哈, 呀, 啦, 嘛), alone or stacked.
    pub particles: Vec<String>,
    /// Apologies anywhere in the turn.
    pub apology: Vec<String>,
    /// Reasons anywhere in the turn.
    pub reason: Vec<String>,
    /// Alternatives and next steps anywhere in the turn.
    pub next_step: Vec<String>,
}

impl ContextWords {
    /// The keys of `[context]`, each with its list.
    pub const KEYS: [&'static str; 15] = [
        "agent",
        "third-party",
        "customer",
        "between",
        "question",
        "question-end",
        "conditional",
        "concessive",
        "perception",
        "nominal",
        "reported",
        "particles",
        "apology",
        "reason",
        "next-step",
    ];

    /// The list of one key of [`ContextWords::KEYS`].
    pub fn list(&self, key: &str) -> &[String] {
        match key {
            "agent" => &self.agent,
            "third-party" => &self.third_party,
            "customer" => &self.customer,
            "between" => &self.between,
            "question" => &self.question,
            "question-end" => &self.question_end,
            "conditional" => &self.conditional,
            "concessive" => &self.concessive,
            "perception" => &self.perception,
            "nominal" => &self.nominal,
            "reported" => &self.reported,
            "particles" => &self.particles,
            "apology" => &self.apology,
            "reason" => &self.reason,
            "next-step" => &self.next_step,
            _ => &[],
        }
    }

    /// The list of one key of [`ContextWords::KEYS`], to change.
    pub(crate) fn list_mut(&mut self, key: &str) -> Option<&mut Vec<String>> {
        Some(match key {
            "agent" => &mut self.agent,
            "third-party" => &mut self.third_party,
            "customer" => &mut self.customer,
            "between" => &mut self.between,
            "question" => &mut self.question,
            "question-end" => &mut self.question_end,
            "conditional" => &mut self.conditional,
            "concessive" => &mut self.concessive,
            "perception" => &mut self.perception,
            "nominal" => &mut self.nominal,
            "reported" => &mut self.reported,
            "particles" => &mut self.particles,
            "apology" => &mut self.apology,
            "reason" => &mut self.reason,
            "next-step" => &mut self.next_step,
            _ => return None,
        })
    }
}
