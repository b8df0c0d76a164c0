//! The windows of situations: the turns in which a trigger's response is looked for, kept by
//! a live session from one push to the next. Below both the view that lends them and the
//! situations that fill them.

/// The turns in which a trigger's response is looked for, and how many times each of the
/// rule's leaves matched in them. It is built turn by turn: a live session keeps it from one
/// push to the next and only adds the new turn, so judging an open window does not cost
/// its length again.
#[derive(Clone, Debug, Default)]
pub(crate) struct WindowState {
    pub(super) turns: Vec<usize>,
    /// Whether adding turns has stopped (by turns, time, `until` or `before`).
    pub(super) stopped: bool,
    /// The next turn to look at, while not stopped.
    pub(super) next: usize,
    /// How many turns of the responding roles it holds after the trigger.
    pub(super) responses: u32,
    /// Where the trigger was found: (turn, start, end).
    pub(super) hit: Option<(usize, usize, usize)>,
    /// Per leaf of the rule: its count and first hit in `turns[..counted]`.
    pub(super) counts: Vec<LeafCount>,
    pub(super) counted: usize,
}

/// How many times a leaf matched, and where first: (turn, start, end).
pub(super) type LeafCount = (usize, Option<(usize, usize, usize)>);

/// The windows a live session keeps, by (rule, trigger turn).
pub(crate) type Windows = rustc_hash::FxHashMap<(u32, usize), WindowState>;
