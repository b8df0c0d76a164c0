//! What a rule's kind adds to its phrases: the window of a `required` rule, the conditions
//! and response window of a `situation` rule, what a `timing` rule measures.

use std::fmt;

use crate::transcript::Role;

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

/// A condition of a `situation` rule: leaves combined with any / all / none / at-least-N.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// The leaf (an index into [`Rule::leaves`](super::Rule::leaves)) has enough hits.
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
