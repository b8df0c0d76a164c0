//! Live sessions: one per ongoing chat, sharing one compiled checker. Each turn pushed returns
//! the findings it makes certain and what the agent still owes, with deadlines; finishing
//! returns exactly the report a batch check of the same transcript gives.

use std::sync::Arc;

use rustc_hash::FxHashSet;

use serde::Serialize;

use crate::checker::Checker;
use crate::engine::TurnScan;
use crate::finding::{Finding, Obligation, Report};
use crate::judge;
use crate::transcript::{Channel, Transcript, Turn};

/// What one turn changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Update {
    /// Findings this turn made certain: no later turn can undo them.
    pub findings: Vec<Finding>,
    /// Everything the agent still owes, with deadlines. Shared with the session, and made
    /// anew only by a push that changed it.
    pub pending: Arc<[Obligation]>,
}

/// A conversation in progress. Cheap: it holds the turns so far and their hits, and shares the
/// compiled checker with every other session.
///
/// A push costs the new turn's scan and the rules the turn can concern: those that still
/// have something owed (their window is open), those whose phrases the turn hits, and the few
/// whose judgement moves with every turn (response times, a window at the end). The others'
/// judgement cannot change, so it is not made again: the cost of a push does not grow with
/// the conversation so far.
#[derive(Clone, Debug)]
pub struct Session {
    checker: Checker,
    transcript: Transcript,
    scans: Vec<TurnScan>,
    /// What judging each turn on its own needs from the turns before.
    kept: Box<Kept>,
}

/// What a session keeps so that a push judges only what the new turn concerns.
#[derive(Clone, Debug, Default)]
struct Kept {
    /// Each (target, turn) with a hit, sorted, kept as turns come.
    index: Vec<(u32, u32)>,
    /// What each rule said is owed after its last judging, in pack order.
    owed: Vec<Vec<judge::Owed>>,
    /// `owed`, flattened: what `pending` returns.
    pending: Arc<[Obligation]>,
    /// Findings already reported by `push`, so that each is reported once.
    reported: FxHashSet<judge::Reported>,
    /// The hits of phrases that name values (王先生 once the surname is 王), found in each
    /// turn once.
    dynamic: judge::DynamicStore,
    /// How many turns of each role there have been.
    role_turns: [u32; 4],
    /// The turns of each set of roles (by `RoleSet::bits`), for windows that count turns of
    /// some roles.
    turns_of: [Vec<usize>; 16],
    /// The windows of situations' triggers that were open when last judged.
    windows: judge::Windows,
    /// Per rule, the first turn of what it owes (`owed`), if anything.
    first_owed: Vec<Option<usize>>,
    /// The rules that owe something, in pack order: a push looks at these, not at every
    /// rule of the pack.
    owing: Vec<u32>,
    /// Which rules a push judges, as flags (all clear between pushes) and as a list: kept
    /// only so that each push need not allocate them.
    dirty: Vec<bool>,
    dirty_list: Vec<u32>,
    /// A push began and did not finish: what is kept may be half updated.
    interrupted: bool,
    /// The agent changed: the next push judges every rule, as what names the agent may now
    /// be met or missed in turns already pushed.
    agent_changed: bool,
}

impl Checker {
    /// Starts a live session for one conversation. Sessions share this checker; each holds
    /// only its own turns.
    pub fn session(&self, id: impl Into<String>, channel: Option<Channel>) -> Session {
        Session::new(self.clone(), id.into(), channel)
    }
}

impl Session {
    fn new(checker: Checker, id: String, channel: Option<Channel>) -> Session {
        let mut transcript = Transcript::new(id, Vec::new());
        transcript.channel = channel;
        let rules = checker.engine().rules.len();
        Session {
            checker,
            transcript,
            scans: Vec::new(),
            kept: Box::new(Kept {
                owed: vec![Vec::new(); rules],
                first_owed: vec![None; rules],
                ..Kept::default()
            }),
        }
    }

    /// Sets the agent's id or name, for rules that need it (an e-mail signature).
    pub fn set_agent(&mut self, agent: impl Into<String>) {
        self.transcript.agent = Some(agent.into());
        // What triggers and responses were found with the agent's name is looked for again,
        // by every rule, at the next push.
        self.kept.windows.clear();
        self.kept.agent_changed = true;
    }

    /// Adds a turn. Returns the findings it makes certain and what is still owed.
    pub fn push(&mut self, turn: Turn) -> Update {
        if self.kept.interrupted {
            self.recover();
        }
        let engine = self.checker.engine();
        let scan = engine.scan_whole_turn(&turn.text, turn.role, self.transcript.channel);
        let at = self.transcript.turns.len() as u32;
        let role = turn.role;
        // From here until the push is done, what is kept changes piece by piece: a push that
        // does not finish (a panic caught by the caller) leaves this set, and the next push
        // rebuilds what is kept from the turns.
        self.kept.interrupted = true;
        for hit in &scan.hits {
            let entry = (hit.target, at);
            let i = self.kept.index.partition_point(|&e| e < entry);
            if self.kept.index.get(i) != Some(&entry) {
                self.kept.index.insert(i, entry);
            }
        }
        // The rules the turn can concern: those that owe something and whose windows the turn
        // touches (a window the turn only lengthens is taken up where it was when the rule
        // is judged next), those whose phrases the turn hits (of a situation, those that
        // trigger it), and those that move with turns of its role. Before its first turn no
        // rule owes anything.
        let rules = engine.rules.len();
        let mut dirty = std::mem::take(&mut self.kept.dirty);
        if dirty.len() != rules {
            dirty.clear();
            dirty.resize(rules, false);
        }
        let mut list = std::mem::take(&mut self.kept.dirty_list);
        list.clear();
        let mut mark = |r: usize| {
            if !dirty[r] {
                dirty[r] = true;
                list.push(r as u32);
            }
        };
        if std::mem::take(&mut self.kept.agent_changed) {
            (0..rules).for_each(&mut mark);
        }
        for &r in &self.kept.owing {
            if engine.turn_touches(r, role, |target| !scan.hits_of(target).is_empty()) {
                mark(r as usize);
            }
        }
        for hit in &scan.hits {
            if engine.hit_concerns_rule(hit.target) {
                mark(engine.rule_of(hit.target));
            }
        }
        self.kept.role_turns[role.index()] += 1;
        for (bits, turns) in self.kept.turns_of.iter_mut().enumerate() {
            if bits & (1 << role.index()) != 0 {
                if turns.capacity() == 0 {
                    // Past the few first growths of a vector, which a short chat pays for
                    // each of these lists.
                    turns.reserve(32);
                }
                turns.push(at as usize);
            }
        }
        let of_role = self.kept.role_turns[role.index()];
        for &(r, until) in engine.moving_rules(role) {
            if until.is_none_or(|n| of_role <= n) {
                mark(r as usize);
            }
        }
        // In pack order, as a batch check judges them.
        list.sort_unstable();
        let channel = self.transcript.channel;
        let judged = list
            .iter()
            .copied()
            .filter(|&r| engine.rules[r as usize].channels().applies_to(channel));
        // The turn and its scan go in together: the transcript and the scans never disagree.
        self.transcript.turns.push(turn);
        self.scans.push(scan);
        // A situation judges again only the triggers whose window was open when last judged
        // (they owed something), and the new turn.
        let mut found = Vec::new();
        let mut changed = false;
        let owed = &mut self.kept.owed;
        // Cells only while judging, so that a session between pushes is `Sync`.
        let dynamic = judge::DynamicHits::from_store(std::mem::take(&mut self.kept.dynamic));
        let windows = std::cell::RefCell::new(std::mem::take(&mut self.kept.windows));
        let live = judge::Live {
            index: &self.kept.index,
            first_owed: &self.kept.first_owed,
            dynamic: &dynamic,
            reported: &self.kept.reported,
            windows: &windows,
            role_turns: &self.kept.turns_of,
        };
        judge::evaluate_turn(
            engine,
            &self.transcript,
            &self.scans,
            &live,
            judged,
            |r, evaluation| {
                if let Some(owed) = owed.get_mut(r as usize)
                    && *owed != evaluation.obligations
                {
                    // A copy, so that the evaluation keeps its buffer for the next rule.
                    owed.clone_from(&evaluation.obligations);
                    changed = true;
                }
                found.append(&mut evaluation.findings);
            },
        );
        self.kept.dynamic = dynamic.into_store();
        self.kept.windows = windows.into_inner();
        for &r in &list {
            let owed = &self.kept.owed[r as usize];
            self.kept.first_owed[r as usize] = owed.iter().filter_map(|o| o.turn).min();
            let owing = &mut self.kept.owing;
            match (owing.binary_search(&r), owed.is_empty()) {
                (Ok(i), true) => {
                    owing.remove(i);
                }
                (Err(i), false) => owing.insert(i, r),
                _ => {}
            }
            dirty[r as usize] = false;
        }
        self.kept.dirty = dirty;
        self.kept.dirty_list = list;
        if changed {
            let owed = &self.kept.owed;
            let mut pending = Vec::with_capacity(owed.iter().map(Vec::len).sum());
            for o in owed.iter().filter(|o| !o.is_empty()) {
                pending.extend(o.iter().map(|o| o.obligation(engine)));
            }
            self.kept.pending = pending.into();
        }
        // The windows that closed are final: forget them.
        let owed = &self.kept.owed;
        self.kept.windows.retain(|&(r, t), _| {
            owed[r as usize]
                .iter()
                .any(|o| o.turn.is_some_and(|owed| owed <= t))
        });
        let mut findings = Vec::new();
        for (r, f) in found {
            if self
                .kept
                .reported
                .insert((r, f.turn, f.byte_start, f.byte_end))
            {
                findings.push(f);
            }
        }
        findings.sort_by_key(|f| (f.turn, f.byte_start));
        self.kept.interrupted = false;
        Update {
            findings,
            pending: self.pending(),
        }
    }

    /// After a push that did not finish: what is kept, made again by pushing every turn so
    /// far into a new session (the unfinished push's own turn among them if it had been
    /// added). Findings reported before stay reported. The session is replaced only once the
    /// new one is whole: if pushing the turns again fails too, nothing is lost, and the next
    /// push tries again.
    fn recover(&mut self) {
        let mut fresh = Session::new(
            self.checker.clone(),
            self.transcript.id.clone(),
            self.transcript.channel,
        );
        let t = &self.transcript;
        fresh.transcript = Transcript {
            id: t.id.clone(),
            channel: t.channel,
            agent: t.agent.clone(),
            source: t.source,
            started_at: t.started_at,
            turns: Vec::with_capacity(t.turns.len()),
            metadata: t.metadata.clone(),
        };
        for turn in &self.transcript.turns {
            fresh.push(turn.clone());
        }
        fresh.kept.reported = std::mem::take(&mut self.kept.reported);
        *self = fresh;
    }

    /// What `push(turn)` would report, without adding the turn: to warn an agent about a draft
    /// before it is sent.
    pub fn preview(&self, turn: Turn) -> Update {
        self.clone().push(turn)
    }

    /// What the agent owes now.
    pub fn pending(&self) -> Arc<[Obligation]> {
        Arc::clone(&self.kept.pending)
    }

    /// The conversation so far.
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// Ends the conversation: the report, identical to checking the whole transcript in batch.
    pub fn finish(self) -> Report {
        let evaluation = judge::evaluate(
            self.checker.engine(),
            &self.transcript,
            &self.scans,
            true,
            None,
        );
        crate::score::report(self.checker.engine(), &self.transcript, evaluation, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Role;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    use std::sync::Arc;

    type FindingKey = (Arc<str>, Option<usize>, Option<usize>, Option<usize>);

    /// The session before it judged only the rules a turn concerns: every rule, every push.
    struct Reference {
        session: Session,
        reported: Vec<FindingKey>,
    }

    impl Reference {
        fn push(&mut self, turn: Turn) -> Update {
            let s = &mut self.session;
            let engine = s.checker.engine();
            let scan = engine.scan_whole_turn(&turn.text, turn.role, s.transcript.channel);
            s.transcript.turns.push(turn);
            s.scans.push(scan);
            let evaluation = judge::evaluate(engine, &s.transcript, &s.scans, false, None);
            let mut findings = Vec::new();
            for (_, f) in evaluation.findings {
                let key = (f.rule.clone(), f.turn, f.byte_start, f.byte_end);
                if !self.reported.contains(&key) {
                    self.reported.push(key);
                    findings.push(f);
                }
            }
            findings.sort_by_key(|f| (f.turn, f.byte_start));
            Update {
                findings,
                pending: evaluation
                    .obligations
                    .iter()
                    .map(|o| o.obligation(engine))
                    .collect(),
            }
        }
    }

    const CUSTOMER: &[&str] = &[
        "你好，我想查一下订单。",
        "好的，谢谢你。",
        "不好意思，刚才说错了。",
        "我要投诉你们！",
        "怎么这么久才回？",
        "我建议你们加个提醒功能。",
        "我姓王。",
        "打错了。",
        "听不清。",
        "再见。",
        "在吗？",
        "",
    ];
    const AGENT: &[&str] = &[
        "您好，我是客服李娜，很高兴为您服务。",
        "请您稍等，我查一下。",
        "让您久等了，明天送达。",
        "不客气，这是我们应该做的。",
        "没关系，请不必介意。",
        "非常抱歉，给您添麻烦了。",
        "王先生，请问还有什么可以帮您？",
        "这个我不知道，你找领导去吧。",
        "感谢您的来电，再见！",
        "嗯。",
        "您的手机号是13812345678。",
        "不清楚",
    ];

    /// A push that panics half way (caught by the caller, as the Python binding does) leaves
    /// what is kept half updated; the next push rebuilds it from the turns, and says what a
    /// session that never failed says.
    #[test]
    fn a_push_that_did_not_finish_is_made_good_by_the_next() {
        let checker = Checker::builtin().unwrap_or_else(|e| panic!("{e}"));
        let turns = [
            (Role::Customer, "你好，我想查一下订单。", 0.0),
            (Role::Agent, "请您稍等，我查一下。", 5.0),
            (Role::Customer, "好的，谢谢你。", 8.0),
            (Role::Agent, "让您久等了，明天送达。", 40.0),
            (Role::Agent, "不客气，这是我们应该做的。", 45.0),
            (Role::Customer, "再见。", 50.0),
        ];
        let turn = |(role, text, time): (Role, &str, f64)| Turn::at(role, text, time);
        let mut sound = checker.session("s", Some(Channel::Phone));
        let mut broken = checker.session("s", Some(Channel::Phone));
        for &t in &turns[..3] {
            assert_eq!(sound.push(turn(t)), broken.push(turn(t)));
        }
        assert!(
            !sound.pending().is_empty(),
            "the hold and the thanks are owed"
        );
        // What a panic while judging the third turn could leave: its turn added, the kept
        // state half made.
        let kept = &mut broken.kept;
        kept.interrupted = true;
        kept.owed.iter_mut().for_each(Vec::clear);
        kept.first_owed.iter_mut().for_each(|o| *o = None);
        kept.windows.clear();
        kept.index.clear();
        for &t in &turns[3..] {
            assert_eq!(sound.push(turn(t)), broken.push(turn(t)));
        }
        assert!(!broken.kept.interrupted);
        assert_eq!(sound.finish(), broken.finish());
    }

    #[test]
    fn each_push_says_what_judging_every_rule_again_would_say() {
        let checker = Checker::builtin().unwrap_or_else(|e| panic!("{e}"));
        let config = Config {
            cases: std::env::var("PROPTEST_CASES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(300),
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]));
        let strategy = (
            proptest::collection::vec((any::<u8>(), any::<u8>(), 0u8..120), 0..24),
            any::<u8>(),
            any::<bool>(),
        );
        let result = runner.run(&strategy, |(choices, channel, timed)| {
            let channel = match channel % 4 {
                0 => Some(Channel::Phone),
                1 => Some(Channel::Chat),
                2 => Some(Channel::Email),
                _ => None,
            };
            let mut live = checker.session("s", channel);
            live.set_agent("李娜");
            let mut reference = Reference {
                session: live.clone(),
                reported: Vec::new(),
            };
            let mut time = 0.0;
            for (who, what, gap) in choices {
                time += f64::from(gap);
                let (role, text) = match who % 5 {
                    0 | 1 => (Role::Customer, CUSTOMER[what as usize % CUSTOMER.len()]),
                    4 => (Role::System, "正在为您转接人工客服"),
                    _ => (Role::Agent, AGENT[what as usize % AGENT.len()]),
                };
                let turn = Turn {
                    role,
                    text: text.to_string(),
                    time: timed.then_some(time),
                };
                let got = live.push(turn.clone());
                let want = reference.push(turn);
                prop_assert_eq!(&got, &want, "after {:?}", live.transcript().turns);
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{e}");
        }
    }
}
