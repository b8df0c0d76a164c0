//! What a rule, or one condition of a rule, matches: phrases and patterns, where a hit must
//! fall, what excuses it, and the checks on its digits.

use std::sync::Arc;

use super::context::ContextTest;
use super::sets::RoleSet;
use crate::text::normalize::Normalization;
use crate::text::pattern::{Pattern, Verify};

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
    /// What the context model must find, or not find, around a hit (`context`).
    pub(crate) context: ContextTest,
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

    /// What the context model must find, or not find, around a hit.
    pub fn context(&self) -> &ContextTest {
        &self.context
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

/// What a rule looks for: a literal phrase, or a pattern compiled from a regex or from a
/// phrase with slots.
#[derive(Clone, Debug)]
pub(crate) enum Needle {
    Literal(String),
    Pattern(Arc<Pattern>),
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
