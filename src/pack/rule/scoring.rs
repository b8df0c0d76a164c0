//! What a finding costs: severities, how often a rule deducts, and how a pack scores.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::sets::ChannelSet;

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
