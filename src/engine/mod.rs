//! The compiled engine: every phrase, pattern and exception of a pack compiled once into one
//! matcher per normalization, and the scan that turns one turn's text into its hits.
//!
//! The scan runs once per turn. What the hits mean for the conversation is judged above, in
//! `judge`: the engine only keeps, with the compiled pack, what judging and scoring look up
//! (the rules, each rule's targets, the leaves that can trigger a situation, the scoring).

pub(crate) mod automaton;
mod clause;
mod context;
#[cfg(test)]
mod context_tests;
pub(crate) mod matcher;

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use regex_automata::meta::Regex;

use crate::pack::RulePack;
use crate::pack::error::{PackError, Problem};
use crate::pack::rule::{Asr, ChannelSet, Leaf, Rule, RuleKind, Scoring};
use crate::text::normalize::{NormText, Normalization, Normalizer};
use crate::transcript::{Channel, Role, Transcript};
use clause::ContextModel;
use context::{Acceptance, Segmenter, TurnContext};
use matcher::{Caches, Capture, Found, Hit, Matcher};
use std::sync::Arc;

/// Everything compiled from a pack.
#[derive(Debug)]
pub(crate) struct Engine {
    /// Tells one compiled pack from another in a thread's scratch space.
    id: u64,
    /// Every regex the scan runs, by cache slot: each thread keeps its own caches for them.
    regexes: Vec<Regex>,
    pub(crate) pack_name: String,
    pub(crate) scoring: Scoring,
    /// The pack's `[asr]` settings.
    pub(crate) asr: Asr,
    pub(crate) rules: Vec<Rule>,
    /// For each rule, the target index of each of its leaves.
    pub(crate) leaf_targets: Vec<Vec<u32>>,
    /// The rule of each target.
    target_rule: Vec<u32>,
    /// Each rule's roles (`Rule::roles`, which for a situation is worked out from its
    /// response's leaves), looked up rather than worked out for every trigger.
    pub(crate) rule_roles: Vec<crate::pack::rule::RoleSet>,
    /// For each situation rule, the leaves that can make its `when` hold, one of which a
    /// trigger turn must hit (empty for other rules).
    pub(crate) trigger_leaves: Vec<Vec<usize>>,
    /// For each situation rule, the leaves its `then` looks at, each once.
    pub(crate) response_leaves: Vec<Vec<usize>>,
    /// One matcher for each normalization the leaves use (usually one).
    profiles: Vec<Profile>,
    /// The same for the leaves of rules that judge a single turn, when there are others.
    message_profiles: Option<Vec<Profile>>,
    /// Each target's boundaries and exceptions, normalized like its text.
    acceptance: Vec<Acceptance>,
    pub(crate) segmenter: Segmenter,
    /// Whether any leaf looks at turns of each role; turns of other roles are not scanned.
    scanned_roles: [bool; 4],
    /// By role, the rules a live session judges again after a turn of that role, and for how
    /// many turns of it.
    moving: [Vec<(u32, Option<u32>)>; 4],
    /// By target, whether a hit of it can change its rule's judgement on its own.
    concerning: Vec<bool>,
    /// For each rule, the scorecard dimension it counts against: its index among the
    /// scoring's dimensions and its name, shared by every ledger entry.
    pub(crate) rule_dimensions: Vec<Option<(usize, Arc<str>)>>,
}

#[derive(Debug)]
struct Profile {
    normalizer: Normalizer,
    /// The matchers of this normalization, one for each set of leaves that the turns of a
    /// role look at: a customer's turn is scanned only for the phrases that rules look for
    /// in customers' turns (a few dozen in the built-in pack, against well over a thousand in
    /// agents' turns), with an automaton small enough to be stepped as the text is
    /// normalized, and a turn in which it finds nothing is not even normalized.
    matchers: Vec<Matcher>,
    /// By role, which of `matchers` scans its turns; none if no leaf looks at them.
    by_role: [Option<usize>; 4],
    /// How many distinct literals the matchers hold between them.
    literals: usize,
    /// The channels of the rules whose leaves the matchers hold: a turn on another channel
    /// need not be scanned with this normalization at all.
    channels: ChannelSet,
}

impl Profile {
    /// The matcher for turns of `role`, if any leaf looks at them.
    fn matcher(&self, role: Role) -> Option<&Matcher> {
        self.by_role[role.index()].map(|m| &self.matchers[m])
    }
}

/// One matcher for each normalization that the leaves `members` use, and within it one for
/// each set of leaves that the turns of a role look at.
fn build_profiles(
    leaves: &[&Leaf],
    members: &[u32],
    rules: &[Rule],
    leaf_rule: &[usize],
    regexes: &mut Vec<Regex>,
) -> Result<Vec<Profile>, String> {
    let mut by_normalization: Vec<(Normalization, Vec<u32>, ChannelSet)> = Vec::new();
    for &i in members {
        let leaf = leaves[i as usize];
        let channels = rules[leaf_rule[i as usize]].channels();
        match by_normalization
            .iter_mut()
            .find(|(n, _, _)| *n == leaf.normalization)
        {
            Some((_, members, set)) => {
                members.push(i);
                *set = set.union(channels);
            }
            None => by_normalization.push((leaf.normalization, vec![i], channels)),
        }
    }
    let mut out = Vec::new();
    for (normalization, members, channels) in &by_normalization {
        let normalizer = Normalizer::new(*normalization);
        let mut sets: Vec<Vec<u32>> = Vec::new();
        let mut by_role = [None; 4];
        for role in Role::ALL {
            let of_role: Vec<u32> = members
                .iter()
                .copied()
                .filter(|&i| leaves[i as usize].roles.contains(role))
                .collect();
            if of_role.is_empty() {
                continue;
            }
            by_role[role.index()] = Some(match sets.iter().position(|s| *s == of_role) {
                Some(at) => at,
                None => {
                    sets.push(of_role);
                    sets.len() - 1
                }
            });
        }
        let matchers = sets
            .iter()
            .map(|set| Matcher::new(leaves, set, &normalizer, regexes))
            .collect::<Result<Vec<Matcher>, String>>()?;
        let literals = matchers
            .iter()
            .flat_map(Matcher::literal_texts)
            .collect::<rustc_hash::FxHashSet<&str>>()
            .len();
        out.push(Profile {
            normalizer,
            matchers,
            by_role,
            literals,
            channels: *channels,
        });
    }
    Ok(out)
}

/// The hits of one turn, after boundaries and exceptions, in original byte offsets, sorted by
/// target and start; and the values named groups captured.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct TurnScan {
    pub(crate) hits: Vec<Hit>,
    pub(crate) captures: Vec<Capture>,
    /// Bit `target % 256` is set for each target with a hit: most rules have no hit in most
    /// turns, and this answers that without a search.
    pub(crate) present: [u64; 4],
}

impl TurnScan {
    /// The hits of `target`, sorted by start.
    pub(crate) fn hits_of(&self, target: u32) -> &[Hit] {
        let bit = target as usize % 256;
        if self.present[bit / 64] & (1 << (bit % 64)) == 0 {
            return &[];
        }
        let from = self.hits.partition_point(|h| h.target < target);
        let to = from + self.hits[from..].partition_point(|h| h.target <= target);
        &self.hits[from..to]
    }
}

/// Buffers reused across turns and checks, so that scanning allocates nothing once they have
/// grown: the normalized text, what the automaton found, and the regex caches. Each thread
/// keeps its own (see `Engine::with_scratch`), so threads never wait for one another.
#[derive(Debug)]
struct Scratch {
    norm: NormText,
    found: Found,
    caches: Caches,
    /// Each turn's text in the first normalization, kept from the scan for the phrases
    /// that name a value (`{=surname}`), which are looked for after it; and whether it was
    /// made for the transcript at hand.
    kept: Vec<NormText>,
    kept_valid: Vec<bool>,
    /// The turns' scans of the transcript at hand, kept with their buffers between checks.
    scans: Vec<TurnScan>,
}

impl Scratch {
    fn new(engine: &Engine) -> Scratch {
        Scratch {
            norm: NormText::default(),
            found: Found::default(),
            caches: Caches::new(&engine.regexes),
            kept: Vec::new(),
            kept_valid: Vec::new(),
            scans: Vec::new(),
        }
    }
}

thread_local! {
    /// This thread's scratch space for the checkers it used last.
    static SCRATCH: RefCell<Vec<(u64, Scratch)>> = const { RefCell::new(Vec::new()) };
}

/// How many checkers' scratch spaces a thread keeps.
const SCRATCH_KEPT: usize = 4;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Engine {
    /// Compiles a rule pack: the one place where phrases become automata.
    pub(crate) fn compile(pack: &RulePack) -> Result<Engine, PackError> {
        let rules = pack.rules().to_vec();
        let mut leaves: Vec<&Leaf> = Vec::new();
        let mut leaf_targets = Vec::with_capacity(rules.len());
        for rule in &rules {
            let mut ids = Vec::new();
            for leaf in rule.leaves() {
                ids.push(leaves.len() as u32);
                leaves.push(leaf);
            }
            leaf_targets.push(ids);
        }
        let mut leaf_rule = Vec::with_capacity(leaves.len());
        for (r, ids) in leaf_targets.iter().enumerate() {
            leaf_rule.extend(ids.iter().map(|_| r));
        }
        let target_rule = leaf_rule.iter().map(|&r| r as u32).collect();
        let trigger_leaves = rules
            .iter()
            .map(|rule| {
                let mut leaves = Vec::new();
                if let Some(when) = rule.when() {
                    when.positive_leaves(&mut leaves);
                }
                leaves
            })
            .collect();
        let response_leaves = rules
            .iter()
            .map(|rule| {
                let mut leaves = Vec::new();
                if let Some(then) = rule.then() {
                    then.leaves(&mut leaves);
                }
                leaves.sort_unstable();
                leaves.dedup();
                leaves
            })
            .collect();
        let error = |message| PackError::new(vec![Problem::whole(pack.name(), None, message)]);
        let all: Vec<u32> = (0..leaves.len() as u32).collect();
        // A message on its own is judged by the rules of a single turn only: give them a
        // matcher of their own, so that a live check does not find, and then drop, the
        // greetings and courtesy words that other rules look for.
        let single: Vec<u32> = all
            .iter()
            .copied()
            .filter(|&i| rules[leaf_rule[i as usize]].kind() == RuleKind::Forbidden)
            .collect();
        // The two sets of matchers are built side by side when the pack is compiled in
        // parallel, each with regex slots from 0; the second's are moved past the first's.
        let build = |members: &[u32]| {
            let mut regexes = Vec::new();
            build_profiles(&leaves, members, &rules, &leaf_rule, &mut regexes)
                .map(|profiles| (profiles, regexes))
        };
        let (everything, messages) = crate::pack::parallel::join(
            || build(&all),
            || (single.len() != all.len()).then(|| build(&single)),
        );
        let (profiles, mut regexes) = everything.map_err(error)?;
        let message_profiles = match messages {
            None => None,
            Some(built) => {
                let (mut message_profiles, more) = built.map_err(error)?;
                for matcher in message_profiles.iter_mut().flat_map(|p| &mut p.matchers) {
                    matcher.move_slots(regexes.len());
                }
                regexes.extend(more);
                Some(message_profiles)
            }
        };
        let mut models: Vec<(Normalization, Arc<ContextModel>)> = Vec::new();
        let acceptance = leaves
            .iter()
            .map(|leaf| {
                let normalizer = Normalizer::new(leaf.normalization);
                let model = (!leaf.context().is_empty()).then(|| {
                    match models.iter().find(|(n, _)| *n == leaf.normalization) {
                        Some((_, m)) => m.clone(),
                        None => {
                            let m = Arc::new(ContextModel::new(pack.context_words(), &normalizer));
                            models.push((leaf.normalization, m.clone()));
                            m
                        }
                    }
                });
                Acceptance::new(leaf, &normalizer, model, &mut regexes)
            })
            .collect();
        let mut scanned_roles = [false; 4];
        for leaf in &leaves {
            for role in leaf.roles().iter() {
                scanned_roles[role.index()] = true;
            }
        }
        let rule_roles = rules.iter().map(Rule::roles).collect();
        let scoring = pack.scoring().clone();
        let rule_dimensions = rules
            .iter()
            .map(|rule| {
                let name = rule.dimension()?;
                let d = scoring.dimensions.iter().position(|d| d.name == name)?;
                Some((d, Arc::from(name)))
            })
            .collect();
        let mut engine = Engine {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            rule_roles,
            regexes,
            pack_name: pack.name().to_string(),
            scoring,
            asr: pack.asr().clone(),
            rules,
            leaf_targets,
            target_rule,
            trigger_leaves,
            response_leaves,
            profiles,
            message_profiles,
            acceptance,
            segmenter: Segmenter::new(pack.segmenter_words().to_vec()),
            scanned_roles,
            moving: Default::default(),
            concerning: Vec::new(),
            rule_dimensions,
        };
        engine.concerning = (0..engine.target_rule.len() as u32)
            .map(|target| {
                let r = engine.rule_of(target);
                let rule = &engine.rules[r];
                rule.kind() != RuleKind::Situation
                    || engine.trigger_leaves[r]
                        .iter()
                        .any(|&leaf| engine.leaf_targets[r][leaf] == target)
            })
            .collect();
        for role in Role::ALL {
            engine.moving[role.index()] = (0..engine.rules.len() as u32)
                .filter_map(|r| engine.moves_with(r, role).map(|until| (r, until)))
                .collect();
        }
        Ok(engine)
    }

    /// Whether a hit of `target` can change its rule's judgement in a live session when the
    /// rule owes nothing: any phrase of most rules, but of a situation only what triggers
    /// it (a response matters only to a trigger whose window is open, which owes it).
    pub(crate) fn hit_concerns_rule(&self, target: u32) -> bool {
        self.concerning[target as usize]
    }

    /// Whether a turn of `role` can change what rule `r` owes when none of its phrases that
    /// trigger it are in the turn: a turn of the roles that respond to it or that close its
    /// window, any turn when its window is in seconds, a turn that hits a phrase of its
    /// response (`hit(target)`), or one where a phrase naming a value could be. Required and
    /// courtesy phrases owe until a turn of their roles says them; response times may be
    /// ended by any turn.
    pub(crate) fn turn_touches(&self, r: u32, role: Role, hit: impl Fn(u32) -> bool) -> bool {
        let rule = &self.rules[r as usize];
        let targets = &self.leaf_targets[r as usize];
        match rule.kind() {
            RuleKind::Situation => {
                let within = rule.within();
                self.rule_roles[r as usize].contains(role)
                    || within.until == Some(role)
                    || within.seconds.is_some()
                    || self.response_leaves[r as usize].iter().any(|&leaf| {
                        hit(targets[leaf])
                            || (!rule.leaves[leaf].dynamic.is_empty()
                                && rule.leaves[leaf].roles.contains(role))
                    })
            }
            RuleKind::Required | RuleKind::Courtesy => {
                rule.leaves.first().is_some_and(|l| l.roles.contains(role))
                    || targets.iter().any(|&t| hit(t))
            }
            RuleKind::Timing => true,
            RuleKind::Forbidden => targets.iter().any(|&t| hit(t)),
        }
    }

    /// The rules whose judgement can change with a turn of `role` that none of their phrases
    /// hit, while they owe nothing, with how many turns of the role they move with (`None`:
    /// every one).
    pub(crate) fn moving_rules(&self, role: Role) -> &[(u32, Option<u32>)] {
        &self.moving[role.index()]
    }

    /// Whether rule `r`'s judgement can change with a turn of `role` that none of its
    /// phrases hit, while it owes nothing, and for how many turns of that role:
    /// - response times, with every customer message (it starts a wait; the agent's reply
    ///   ends one the rule owes, and a hold announcement is a hit);
    /// - required and courtesy phrases, with the first turn of their roles (which opens
    ///   their window: before it they owe nothing), the first `n` for a window of the first
    ///   `n` turns, and every turn for a window at the end (a new last turn moves it);
    /// - situations triggered by a phrase that names a value, which no scan finds, with
    ///   every turn.
    fn moves_with(&self, r: u32, role: Role) -> Option<Option<u32>> {
        let rule = &self.rules[r as usize];
        match rule.kind() {
            RuleKind::Timing => (role == Role::Customer).then_some(None),
            RuleKind::Required | RuleKind::Courtesy => {
                if !rule.leaves.first().is_some_and(|l| l.roles.contains(role)) {
                    return None;
                }
                Some(match (rule.kind(), rule.window()) {
                    (RuleKind::Courtesy, _) | (_, crate::pack::rule::Window::Anywhere) => Some(1),
                    (_, crate::pack::rule::Window::First(n)) => Some(n.max(1)),
                    (_, crate::pack::rule::Window::Last(_)) => None,
                })
            }
            RuleKind::Situation => self.trigger_leaves[r as usize]
                .iter()
                .any(|&i| !rule.leaves[i].dynamic.is_empty())
                .then_some(None),
            RuleKind::Forbidden => None,
        }
    }

    /// How many targets (leaves that phrases or patterns are found for) the pack has.
    pub(crate) fn target_count(&self) -> usize {
        self.target_rule.len()
    }

    /// The rule of each target.
    pub(crate) fn rule_of(&self, target: u32) -> usize {
        self.target_rule[target as usize] as usize
    }

    /// How many distinct literals (phrases, pattern anchors and allowed phrases) the automata
    /// hold.
    pub(crate) fn literal_count(&self) -> usize {
        self.profiles.iter().map(|p| p.literals).sum()
    }

    /// Scans every turn of a transcript, then calls `judge` with the scans and the turn texts
    /// the scan normalized, which judging may reuse for phrases that name a value.
    pub(crate) fn with_scans<R>(
        &self,
        transcript: &Transcript,
        judge: impl FnOnce(&[TurnScan], Option<Prenormalized<'_>>) -> R,
    ) -> R {
        self.with_scratch(|scratch| {
            let n = transcript.turns.len();
            scratch.kept_valid.clear();
            scratch.kept_valid.resize(n, false);
            if scratch.kept.len() < n {
                scratch.kept.resize_with(n, NormText::default);
            }
            let mut scans = std::mem::take(&mut scratch.scans);
            if scans.len() < n {
                scans.resize_with(n, TurnScan::default);
            }
            for (i, turn) in transcript.turns.iter().enumerate() {
                self.scan_into(
                    &self.profiles,
                    &turn.text,
                    turn.role,
                    transcript.channel,
                    scratch,
                    Some(i),
                    &mut scans[i],
                );
            }
            let kept = self.profiles.first().map(|p| Prenormalized {
                normalization: p.normalizer.options(),
                texts: &scratch.kept[..n],
                valid: &scratch.kept_valid,
            });
            let judged = judge(&scans[..n], kept);
            scratch.scans = scans;
            judged
        })
    }

    /// Scans one message with only the leaves of rules that judge a single turn.
    pub(crate) fn scan_message(&self, role: Role, text: &str) -> TurnScan {
        if !self.scanned_roles[role.index()] {
            return TurnScan::default();
        }
        let profiles = self.message_profiles.as_deref().unwrap_or(&self.profiles);
        self.with_scratch(|scratch| self.scan(profiles, text, role, None, scratch, None))
    }

    /// Scans one turn with every leaf, using this thread's scratch space.
    pub(crate) fn scan_whole_turn(
        &self,
        text: &str,
        role: Role,
        channel: Option<Channel>,
    ) -> TurnScan {
        self.with_scratch(|scratch| self.scan(&self.profiles, text, role, channel, scratch, None))
    }

    /// Runs `f` with this thread's scratch space for this checker, made at first use.
    fn with_scratch<R>(&self, f: impl FnOnce(&mut Scratch) -> R) -> R {
        SCRATCH.with(|cell| {
            let Ok(mut kept) = cell.try_borrow_mut() else {
                // Called from within a check on this thread: use a scratch of its own.
                return f(&mut Scratch::new(self));
            };
            let at = match kept.iter().position(|(id, _)| *id == self.id) {
                Some(at) => at,
                None => {
                    if kept.len() == SCRATCH_KEPT {
                        kept.remove(0);
                    }
                    kept.push((self.id, Scratch::new(self)));
                    kept.len() - 1
                }
            };
            f(&mut kept[at].1)
        })
    }

    /// Every hit in one turn's text, in original byte offsets: each normalization's matcher
    /// scans the text once, and only its candidate hits are judged against their leaves'
    /// boundaries and exceptions.
    fn scan(
        &self,
        profiles: &[Profile],
        text: &str,
        role: Role,
        channel: Option<Channel>,
        scratch: &mut Scratch,
        keep: Option<usize>,
    ) -> TurnScan {
        let mut out = TurnScan::default();
        self.scan_into(profiles, text, role, channel, scratch, keep, &mut out);
        out
    }

    /// `scan` into a scan whose buffers are reused: what it held is replaced.
    #[allow(clippy::too_many_arguments)]
    fn scan_into(
        &self,
        profiles: &[Profile],
        text: &str,
        role: Role,
        channel: Option<Channel>,
        scratch: &mut Scratch,
        keep: Option<usize>,
        out: &mut TurnScan,
    ) {
        out.hits.clear();
        out.captures.clear();
        out.present = [0; 4];
        if !self.scanned_roles[role.index()] {
            return;
        }
        for (p, profile) in profiles.iter().enumerate() {
            let Some(matcher) = profile.matcher(role) else {
                continue;
            };
            if !profile.channels.applies_to(channel) {
                continue;
            }
            let keep = keep.filter(|_| p == 0);
            if let Some(turn) = keep {
                // Normalize straight into the kept buffer, which becomes `norm` for the scan
                // and is swapped back after it.
                std::mem::swap(&mut scratch.norm, &mut scratch.kept[turn]);
            }
            let normalized = self.scan_profile(profile, matcher, text, role, scratch, out);
            if let Some(turn) = keep {
                std::mem::swap(&mut scratch.norm, &mut scratch.kept[turn]);
                scratch.kept_valid[turn] = normalized;
            }
        }
        out.hits.sort_unstable();
        out.hits.dedup();
        for hit in &out.hits {
            let bit = hit.target as usize % 256;
            out.present[bit / 64] |= 1 << (bit % 64);
        }
    }

    /// One normalization's part of `scan`. Returns whether `scratch.norm` holds the
    /// normalized text (a text the matcher can tell holds no hit is not normalized).
    fn scan_profile(
        &self,
        profile: &Profile,
        matcher: &Matcher,
        text: &str,
        role: Role,
        scratch: &mut Scratch,
        out: &mut TurnScan,
    ) -> bool {
        {
            let normalized = matcher.normalize_and_scan(
                &profile.normalizer,
                text,
                &mut scratch.norm,
                role,
                &mut scratch.found,
                &mut scratch.caches,
            );
            if scratch.found.hits.is_empty() {
                return normalized;
            }
            let mut context =
                TurnContext::new(text, &scratch.norm, &scratch.found.allowed, &self.segmenter);
            out.hits.reserve(scratch.found.hits.len());
            for &hit in &scratch.found.hits {
                let acceptance = &self.acceptance[hit.target as usize];
                if acceptance.is_trivial() || context.accepts(acceptance, hit, &mut scratch.caches)
                {
                    let (start, end) = scratch.norm.to_original(hit.start, hit.end);
                    out.hits.push(Hit {
                        target: hit.target,
                        start,
                        end,
                    });
                    for capture in scratch.found.captures.iter().filter(|c| {
                        c.target == hit.target && c.start == hit.start && c.end == hit.end
                    }) {
                        out.captures.push(Capture {
                            start,
                            end,
                            ..capture.clone()
                        });
                    }
                }
            }
            normalized
        }
    }

    /// Every hit in `text`, in original byte offsets, before hits are merged into findings.
    #[cfg(test)]
    pub(crate) fn scan_for_test(&self, text: &str, role: Role, hits: &mut Vec<Hit>) {
        hits.extend(
            self.with_scratch(|scratch| self.scan(&self.profiles, text, role, None, scratch, None))
                .hits,
        );
    }
}

/// Turn texts the scan normalized, which judging may reuse.
pub(crate) struct Prenormalized<'a> {
    pub(crate) normalization: Normalization,
    pub(crate) texts: &'a [NormText],
    /// Whether each turn's text was normalized (turns of roles no rule looks at are not).
    pub(crate) valid: &'a [bool],
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A turn is scanned by the matcher of its role's leaves alone, and finds what one matcher
    /// of every leaf finds in a turn of that role: the built-in pack's every literal, in
    /// turns of every role, alone, in a sentence and two by two.
    #[test]
    fn the_matcher_of_a_role_finds_what_a_matcher_of_every_leaf_finds_for_it() {
        let pack = RulePack::builtin().expect("the built-in pack loads");
        let leaves: Vec<&Leaf> = pack.rules().iter().flat_map(|r| r.leaves()).collect();
        let members: Vec<u32> = (0..leaves.len() as u32).collect();
        let mut role_regexes = Vec::new();
        let profiles = build_profiles(
            &leaves,
            &members,
            pack.rules(),
            &pack
                .rules()
                .iter()
                .enumerate()
                .flat_map(|(r, rule)| rule.leaves().iter().map(move |_| r))
                .collect::<Vec<usize>>(),
            &mut role_regexes,
        )
        .expect("it compiles");
        // The built-in pack looks at agents' and customers' turns, with different leaves.
        let main = &profiles[0];
        assert!(main.matcher(Role::Agent).is_some() && main.matcher(Role::Customer).is_some());
        assert_ne!(
            main.by_role[Role::Agent.index()],
            main.by_role[Role::Customer.index()]
        );

        // Of this normalization, every leaf whatever its roles.
        let of_main: Vec<u32> = members
            .iter()
            .copied()
            .filter(|&i| leaves[i as usize].normalization == main.normalizer.options())
            .collect();
        let mut regexes = Vec::new();
        let every = Matcher::new(&leaves, &of_main, &main.normalizer, &mut regexes)
            .expect("one matcher of every leaf compiles");
        let literals: Vec<&str> = every.literal_texts().collect();
        let mut texts: Vec<String> = Vec::new();
        for (i, literal) in literals.iter().enumerate() {
            texts.push(literal.to_string());
            texts.push(format!("嗯那个，{literal}呢，好的"));
            texts.push(format!(
                "{literal}{}",
                literals[(i * 7 + 3) % literals.len()]
            ));
        }
        let found = |matcher: &Matcher, text: &str, role: Role, regexes: &[Regex]| {
            let (mut norm, mut found) = (NormText::default(), Found::default());
            let mut caches = Caches::new(regexes);
            matcher.normalize_and_scan(
                &main.normalizer,
                text,
                &mut norm,
                role,
                &mut found,
                &mut caches,
            );
            let mut hits = found.hits.clone();
            hits.sort_unstable();
            let mut allowed = found.allowed.clone();
            allowed.sort_unstable();
            (hits, allowed, found.captures.len())
        };
        let mut compared = 0;
        for text in &texts {
            for role in Role::ALL {
                let expected = found(&every, text, role, &regexes);
                match main.matcher(role) {
                    Some(matcher) => {
                        assert_eq!(
                            found(matcher, text, role, &role_regexes),
                            expected,
                            "{text:?} in a turn of {role:?}"
                        );
                        compared += 1;
                    }
                    None => assert_eq!(expected, Default::default(), "{text:?}, {role:?}"),
                }
            }
        }
        assert!(compared >= 2 * texts.len());
    }
}
