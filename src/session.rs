//! Live sessions: one per ongoing chat, sharing one compiled checker. Each turn pushed returns
//! the findings it makes certain and what the agent still owes, with deadlines; finishing
//! returns exactly the report a batch check of the same transcript gives.

use std::sync::Arc;

use serde::Serialize;

use crate::checker::Checker;
use crate::engine::TurnScan;
use crate::finding::{Finding, Obligation, Report};
use crate::judge::evaluate;
use crate::transcript::{Channel, Transcript, Turn};

/// What one turn changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Update {
    /// Findings this turn made certain: no later turn can undo them.
    pub findings: Vec<Finding>,
    /// Everything the agent still owes, with deadlines.
    pub pending: Vec<Obligation>,
}

/// What identifies a finding across pushes: rule, turn and byte span.
type FindingKey = (Arc<str>, Option<usize>, Option<usize>, Option<usize>);

/// A conversation in progress. Cheap: it holds the turns so far and their hits, and shares the
/// compiled checker with every other session.
#[derive(Clone, Debug)]
pub struct Session {
    checker: Checker,
    transcript: Transcript,
    scans: Vec<TurnScan>,
    /// Findings already reported by `push`, so that each is reported once.
    reported: Vec<FindingKey>,
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
        Session {
            checker,
            transcript,
            scans: Vec::new(),
            reported: Vec::new(),
        }
    }

    /// Sets the agent's id or name, for rules that need it (an e-mail signature).
    pub fn set_agent(&mut self, agent: impl Into<String>) {
        self.transcript.agent = Some(agent.into());
    }

    /// Adds a turn. Returns the findings it makes certain and what is still owed.
    pub fn push(&mut self, turn: Turn) -> Update {
        let scan =
            self.checker
                .engine()
                .scan_whole_turn(&turn.text, turn.role, self.transcript.channel);
        self.transcript.turns.push(turn);
        self.scans.push(scan);
        let evaluation = evaluate(
            self.checker.engine(),
            &self.transcript,
            &self.scans,
            false,
            None,
        );
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
            pending: evaluation.obligations,
        }
    }

    /// What `push(turn)` would report, without adding the turn: to warn an agent about a draft
    /// before it is sent.
    pub fn preview(&self, turn: Turn) -> Update {
        self.clone().push(turn)
    }

    /// What the agent owes now.
    pub fn pending(&self) -> Vec<Obligation> {
        evaluate(
            self.checker.engine(),
            &self.transcript,
            &self.scans,
            false,
            None,
        )
        .obligations
    }

    /// The conversation so far.
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// Ends the conversation: the report, identical to checking the whole transcript in batch.
    pub fn finish(self) -> Report {
        let evaluation = evaluate(
            self.checker.engine(),
            &self.transcript,
            &self.scans,
            true,
            None,
        );
        crate::score::report(self.checker.engine(), &self.transcript, evaluation)
    }
}
