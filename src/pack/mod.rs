//! Rule packs: loading, validating and layering the TOML files that hold the rules.
//!
//! A pack is one TOML file, or a directory of them (`pack.toml` plus any other `*.toml`). A
//! pack may extend another (`extends = "zh-CN"` for the built-in pack, or a path), disable
//! rules of its base by id, change a rule's severity or deduction with
//! `[override."rule.id"]`, and add rules of its own.
//!
//! `load` reads a pack's files and follows `extends`; `parse` reads each file into a layer,
//! with every problem and its place; `layer` applies a layer to its base (`parallel` says
//! whether rules are read and settled, and a checker's matchers built, side by side on a
//! rayon pool); `rule` is what a
//! rule is; `audit` checks a loaded pack for rules that cannot work as written.

pub(crate) mod audit;
mod builtin;
pub(crate) mod error;
mod layer;
mod load;
pub(crate) mod parallel;
mod parse;
pub(crate) mod rule;
#[cfg(test)]
mod tests;

use crate::text::normalize::Normalization;
use rule::{Asr, ContextWords, Rule, Scoring};

/// A validated rule pack, ready to compile into a [`Checker`](crate::Checker).
#[derive(Clone, Debug)]
pub struct RulePack {
    name: String,
    version: String,
    language: String,
    description: Option<String>,
    scoring: Scoring,
    normalization: Normalization,
    subjects: Vec<String>,
    particles: Vec<String>,
    context: ContextWords,
    asr: Asr,
    words: Vec<String>,
    rules: Vec<Rule>,
}

impl RulePack {
    /// The name of the built-in pack used when no other is given.
    pub const DEFAULT: &'static str = "zh-CN";

    /// The pack's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The pack's version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The language of the texts the pack checks, such as `zh-CN`.
    pub fn language(&self) -> &str {
        &self.language
    }

    /// What the pack is for.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// How findings become a score.
    pub fn scoring(&self) -> &Scoring {
        &self.scoring
    }

    /// How rules fold text unless they say otherwise.
    pub fn normalization(&self) -> Normalization {
        self.normalization
    }

    /// Words allowed between the start of a clause and a hit, for rules with
    /// `boundary = "clause"` that do not give their own.
    pub fn subjects(&self) -> &[String] {
        &self.subjects
    }

    /// Words allowed between a hit and the end of its clause.
    pub fn particles(&self) -> &[String] {
        &self.particles
    }

    /// The `[asr]` settings: tolerant matching for speech-recognition transcripts.
    pub fn asr(&self) -> &Asr {
        &self.asr
    }

    /// The `[context]` word lists the context model recognises features by.
    pub fn context_words(&self) -> &ContextWords {
        &self.context
    }

    /// Words added to the segmenter's dictionary, such as product names.
    pub fn segmenter_words(&self) -> &[String] {
        &self.words
    }

    /// The rules, in the order they were declared (base packs first).
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id() == id)
    }

    /// This pack with another pass mark.
    pub fn with_pass_mark(mut self, pass_mark: u32) -> RulePack {
        self.scoring = self.scoring.with_pass_mark(pass_mark);
        self
    }
}
