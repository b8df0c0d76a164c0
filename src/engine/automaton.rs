//! A character automaton with every transition worked out in advance: an Aho-Corasick
//! automaton over characters whose failure links are folded into a full table, so that each
//! character of the text costs one class lookup and one table lookup, with no failure links
//! to follow.
//!
//! The table has a row per trie state and a column per character class (each character that
//! occurs in some literal is a class of its own; every other character is class 0). It is
//! only built when it is small; a large pack's literals go to the double-array automaton in
//! `matcher`, whose size grows with the trie rather than with states × classes.
//!
//! States that end a literal are numbered last, so a scan tells whether a state reports
//! anything with one comparison.

use rustc_hash::FxHashMap as HashMap;
use std::collections::VecDeque;

/// The largest table built, in entries (4 bytes each): 256 Ki entries, 1 MiB. Beside it, the
/// class map takes 128 KiB (a normalization's fold table takes 320 KiB) for a lookup with no
/// second level: a map by 256-character pages measured 2.4 % more instructions on a
/// 43-phrase run.
pub(crate) const TABLE_LIMIT: usize = 1 << 18;

/// One literal reported where a scan's state ends it: the caller's value for the literal and
/// its length in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Output {
    pub(crate) value: u32,
    pub(crate) len: u32,
}

pub(crate) struct CharDfa {
    /// The class of every character of the Basic Multilingual Plane.
    bmp: Box<[u16; 0x10000]>,
    /// The classes of characters beyond it that occur in a literal.
    astral: HashMap<char, u16>,
    /// Classes, counting class 0: the length of a row.
    width: usize,
    /// `next[state + class]`: the state after reading a character of `class`. A state is
    /// kept as the index of its row's first entry (its number times `width`), so a step is
    /// one addition.
    next: Box<[u32]>,
    /// States from this one on end at least one literal.
    first_output: u32,
    /// The outputs of state `first_output + i` are `outputs[ends[i]..ends[i + 1]]`, the
    /// longest literal first.
    ends: Box<[u32]>,
    outputs: Box<[Output]>,
}

impl std::fmt::Debug for CharDfa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CharDfa")
            .field("states", &(self.next.len() / self.width))
            .field("classes", &self.width)
            .field("outputs", &self.outputs.len())
            .finish_non_exhaustive()
    }
}

/// A state of the trie while the automaton is built.
#[derive(Default)]
struct Node {
    children: Vec<(u16, u32)>,
    /// The literal that ends here, if any (the caller's literals are distinct).
    own: Option<Output>,
}

impl CharDfa {
    /// The automaton of `literals` (each with the value reported for it), or `None` when its
    /// table would be larger than `limit` entries. Empty literals are never reported.
    pub(crate) fn new<'a>(
        literals: impl IntoIterator<Item = (&'a str, u32)>,
        limit: usize,
    ) -> Option<CharDfa> {
        let mut bmp: Box<[u16; 0x10000]> =
            vec![0u16; 0x10000].into_boxed_slice().try_into().ok()?;
        let mut astral: HashMap<char, u16> = HashMap::default();
        let mut width = 1usize;
        let mut nodes = vec![Node::default()];
        for (text, value) in literals {
            if text.is_empty() {
                continue;
            }
            let mut state = 0u32;
            for c in text.chars() {
                let slot = match u32::from(c) {
                    u @ 0..=0xFFFF => &mut bmp[u as usize],
                    _ => astral.entry(c).or_insert(0),
                };
                if *slot == 0 {
                    if width > usize::from(u16::MAX) {
                        return None;
                    }
                    *slot = width as u16;
                    width += 1;
                }
                let class = *slot;
                let node = &nodes[state as usize];
                state = match node.children.iter().find(|&&(k, _)| k == class) {
                    Some(&(_, child)) => child,
                    None => {
                        let child = nodes.len() as u32;
                        nodes[state as usize].children.push((class, child));
                        nodes.push(Node::default());
                        child
                    }
                };
                if nodes.len() * width > limit {
                    return None;
                }
            }
            nodes[state as usize].own = Some(Output {
                value,
                len: text.len() as u32,
            });
        }
        let states = nodes.len();
        if states * width > limit || states * width > u32::MAX as usize {
            return None;
        }

        // Breadth first, so that a state's failure state (always shallower) has its row and
        // its outputs complete when the state is reached.
        let mut next = vec![0u32; states * width];
        let mut fail = vec![0u32; states];
        let mut outputs: Vec<Vec<Output>> = vec![Vec::new(); states];
        let mut queue = VecDeque::new();
        for &(class, child) in &nodes[0].children {
            next[usize::from(class)] = child;
            queue.push_back(child);
        }
        while let Some(state) = queue.pop_front() {
            let s = state as usize;
            let f = fail[s] as usize;
            next.copy_within(f * width..(f + 1) * width, s * width);
            for &(class, child) in &nodes[s].children {
                let class = usize::from(class);
                fail[child as usize] = next[f * width + class];
                next[s * width + class] = child;
                queue.push_back(child);
            }
            let mut own: Vec<Output> = nodes[s].own.into_iter().collect();
            own.extend_from_slice(&outputs[f]);
            outputs[s] = own;
        }

        // Number the states that report something last.
        let mut order: Vec<u32> = (0..states as u32).collect();
        order.sort_by_key(|&s| !outputs[s as usize].is_empty());
        let mut renamed = vec![0u32; states];
        for (new, &old) in order.iter().enumerate() {
            renamed[old as usize] = new as u32;
        }
        let first_output = order
            .iter()
            .position(|&s| !outputs[s as usize].is_empty())
            .unwrap_or(states) as u32;
        let mut table = vec![0u32; states * width];
        for (new, &old) in order.iter().enumerate() {
            let from = &next[old as usize * width..(old as usize + 1) * width];
            for (to, &target) in table[new * width..(new + 1) * width].iter_mut().zip(from) {
                *to = renamed[target as usize] * width as u32;
            }
        }
        let mut ends = vec![0u32];
        let mut flat = Vec::new();
        for &old in &order[first_output as usize..] {
            flat.extend_from_slice(&outputs[old as usize]);
            ends.push(flat.len() as u32);
        }
        Some(CharDfa {
            bmp,
            astral,
            width,
            next: table.into_boxed_slice(),
            first_output: first_output * width as u32,
            ends: ends.into_boxed_slice(),
            outputs: flat.into_boxed_slice(),
        })
    }

    /// The state a scan starts in.
    pub(crate) const START: u32 = 0;

    /// The state after reading `c` in `state`.
    #[inline(always)]
    pub(crate) fn step(&self, state: u32, c: char) -> u32 {
        let u = c as u32;
        let class = if u < 0x10000 {
            self.bmp[u as usize & 0xFFFF]
        } else {
            self.astral.get(&c).copied().unwrap_or(0)
        };
        self.next[state as usize + usize::from(class)]
    }

    /// Whether `state` ends some literal.
    #[inline(always)]
    pub(crate) fn reports(&self, state: u32) -> bool {
        state >= self.first_output
    }

    /// The literals that end in `state`, the longest first.
    pub(crate) fn outputs(&self, state: u32) -> &[Output] {
        match state.checked_sub(self.first_output) {
            Some(i) => {
                let i = i as usize / self.width;
                &self.outputs[self.ends[i] as usize..self.ends[i + 1] as usize]
            }
            None => &[],
        }
    }

    /// Every literal in `text`, overlapping ones included, as (value, start, end) in the order
    /// they end.
    pub(crate) fn find_all(&self, text: &str, mut each: impl FnMut(u32, usize, usize)) {
        let mut state = Self::START;
        for (at, c) in text.char_indices() {
            state = self.step(state, c);
            if self.reports(state) {
                let end = at + c.len_utf8();
                for out in self.outputs(state) {
                    each(out.value, end - out.len as usize, end);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(dfa: &CharDfa, text: &str) -> Vec<(u32, usize, usize)> {
        let mut out = Vec::new();
        dfa.find_all(text, |v, s, e| out.push((v, s, e)));
        out.sort_unstable();
        out
    }

    fn naive(literals: &[&str], text: &str) -> Vec<(u32, usize, usize)> {
        let mut out = Vec::new();
        for (i, lit) in literals.iter().enumerate() {
            for (at, _) in text.char_indices() {
                if text[at..].starts_with(lit) {
                    out.push((i as u32, at, at + lit.len()));
                }
            }
        }
        out.sort_unstable();
        out
    }

    fn build(literals: &[&str]) -> CharDfa {
        CharDfa::new(
            literals.iter().enumerate().map(|(i, l)| (*l, i as u32)),
            TABLE_LIMIT,
        )
        .expect("small enough")
    }

    #[test]
    fn finds_literals_inside_across_and_beside_each_other() {
        let literals = ["不知道", "知道", "道歉", "我不知道啊", "🙂好", "ＡB"];
        let dfa = build(&literals);
        for text in [
            "我不知道啊",
            "不知道歉",
            "不知不知道道",
            "",
            "🙂好🙂🙂好",
            "xＡBＡB知道",
        ] {
            assert_eq!(all(&dfa, text), naive(&literals, text), "{text}");
        }
    }

    #[test]
    fn agrees_with_brute_force_on_every_short_text() {
        let literals = ["ab", "abc", "bcd", "c", "cda", "dab", "aa", "aaa", "b"];
        let dfa = build(&literals);
        let alphabet = ['a', 'b', 'c', 'd'];
        for n in 0..4096u32 {
            let text: String = (0..6)
                .map(|i| alphabet[((n >> (2 * i)) & 3) as usize])
                .collect();
            assert_eq!(all(&dfa, &text), naive(&literals, &text), "{text}");
        }
    }

    #[test]
    fn states_that_report_are_numbered_last() {
        let dfa = build(&["ab", "b"]);
        // root, a, ab, b: two report.
        assert_eq!(dfa.first_output as usize, 2 * dfa.width);
        assert!(!dfa.reports(CharDfa::START));
        let after_b = dfa.step(CharDfa::START, 'b');
        assert!(dfa.reports(after_b));
        assert_eq!(dfa.outputs(after_b), &[Output { value: 1, len: 1 }]);
        let after_ab = dfa.step(dfa.step(CharDfa::START, 'a'), 'b');
        assert_eq!(
            dfa.outputs(after_ab),
            &[Output { value: 0, len: 2 }, Output { value: 1, len: 1 }]
        );
    }

    #[test]
    fn a_table_over_the_limit_is_not_built() {
        let literals: Vec<String> = (0..200).map(|i| format!("词{i}")).collect();
        let pairs = literals
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), i as u32));
        assert!(CharDfa::new(pairs.clone(), 100).is_none());
        assert!(CharDfa::new(pairs, TABLE_LIMIT).is_some());
    }
}
