//! The totals of a check run: what each record came to, added up for the summary and the
//! exit code.

use std::collections::HashMap;
use std::sync::Arc;

use huashu::{Channel, Report, Transcript};
use serde::Serialize;

/// What one input record came to, as far as the totals are concerned. Made on the scoring
/// threads, so that the thread that writes the output only adds numbers up.
#[derive(Debug)]
pub(crate) enum RecordOutcome {
    Transcript {
        score: Option<u32>,
        passed: Option<bool>,
        agent: Option<String>,
        channel: Option<Channel>,
        finding_count: usize,
        /// Each finding's rule and the points it deducted, for a detailed summary.
        findings: Vec<(Arc<str>, u32)>,
        /// Each dimension's name, points and deduction, for a detailed summary.
        dimensions: Vec<(String, u32, u32)>,
    },
    Error,
}

impl RecordOutcome {
    pub(crate) fn of(transcript: &Transcript, report: &Report, detailed: bool) -> RecordOutcome {
        RecordOutcome::Transcript {
            score: report.score,
            passed: report.passed,
            finding_count: report.findings.len(),
            channel: report.channel,
            dimensions: if detailed {
                report
                    .dimensions
                    .iter()
                    .map(|d| (d.name.clone(), d.max, d.deducted))
                    .collect()
            } else {
                Vec::new()
            },
            agent: if detailed {
                transcript.agent.clone()
            } else {
                None
            },
            findings: if detailed {
                report
                    .findings
                    .iter()
                    .map(|f| (f.rule.clone(), f.deduct))
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
}

/// Counts kept while checking, for the summary and the exit code.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) transcripts: usize,
    pub(crate) passed: usize,
    pub(crate) failed: usize,
    pub(crate) not_scored: usize,
    pub(crate) errors: usize,
    pub(crate) findings: usize,
    pub(crate) score_sum: u64,
    /// Per rule and per agent, when a detailed summary was asked for.
    rules: HashMap<Arc<str>, RuleStats>,
    agents: HashMap<String, AgentStats>,
    /// Per channel (`None`: not known), per dimension in the pack's order, and the scores.
    channels: HashMap<Option<Channel>, AgentStats>,
    dimensions: Vec<(String, DimensionStats)>,
    scores: HashMap<u32, u64>,
}

#[derive(Debug, Default, Clone, Copy)]
struct DimensionStats {
    max: u32,
    transcripts: u64,
    lost: u64,
    deducted: u64,
}

#[derive(Debug, Default, Clone, Copy)]
struct RuleStats {
    findings: u64,
    transcripts: u64,
    deducted: u64,
}

#[derive(Debug, Default, Clone, Copy)]
struct AgentStats {
    transcripts: u64,
    scored: u64,
    passed: u64,
    score_sum: u64,
    findings: u64,
}

impl AgentStats {
    /// The mean score of the scored transcripts, to one decimal.
    fn mean_score(&self) -> Option<f64> {
        (self.scored > 0).then(|| round1(self.score_sum as f64 / self.scored as f64))
    }

    /// Passed over scored, to three decimals.
    fn pass_rate(&self) -> Option<f64> {
        (self.scored > 0).then(|| round3(self.passed as f64 / self.scored as f64))
    }
}

impl Tally {
    pub(crate) fn add(&mut self, outcome: RecordOutcome) {
        let RecordOutcome::Transcript {
            score,
            passed,
            agent,
            channel,
            finding_count,
            findings,
            dimensions,
        } = outcome
        else {
            self.errors += 1;
            return;
        };
        self.transcripts += 1;
        self.findings += finding_count;
        match (score, passed) {
            (Some(score), Some(passed)) => {
                self.score_sum += u64::from(score);
                if passed {
                    self.passed += 1;
                } else {
                    self.failed += 1;
                }
            }
            _ => self.not_scored += 1,
        }
        let count = |stats: &mut AgentStats| {
            stats.transcripts += 1;
            stats.findings += finding_count as u64;
            if let (Some(score), Some(passed)) = (score, passed) {
                stats.scored += 1;
                stats.score_sum += u64::from(score);
                stats.passed += u64::from(passed);
            }
        };
        if let Some(agent) = agent {
            count(self.agents.entry(agent).or_default());
        }
        count(self.channels.entry(channel).or_default());
        if let Some(score) = score {
            *self.scores.entry(score).or_default() += 1;
        }
        for (name, max, deducted) in dimensions {
            let at = match self.dimensions.iter().position(|(n, _)| *n == name) {
                Some(at) => at,
                None => {
                    self.dimensions.push((name, DimensionStats::default()));
                    self.dimensions.len() - 1
                }
            };
            let stats = &mut self.dimensions[at].1;
            stats.max = max;
            stats.transcripts += 1;
            stats.lost += u64::from(deducted > 0);
            stats.deducted += u64::from(deducted);
        }
        for (i, (rule, deduct)) in findings.iter().enumerate() {
            let stats = self.rules.entry(rule.clone()).or_default();
            stats.findings += 1;
            stats.deducted += u64::from(*deduct);
            // Count the transcript once per rule.
            if !findings[..i].iter().any(|(r, _)| r == rule) {
                stats.transcripts += 1;
            }
        }
    }

    pub(crate) fn scored(&self) -> usize {
        self.passed + self.failed
    }

    /// The mean score of the scored transcripts.
    pub(crate) fn mean_score(&self) -> Option<f64> {
        (self.scored() > 0).then(|| self.score_sum as f64 / self.scored() as f64)
    }

    /// The aggregate statistics of the whole run.
    pub(crate) fn summary(&self, full_marks: u32, pass_mark: u32) -> Summary {
        let scored = self.scored();
        let mut rules: Vec<RuleSummary> = self
            .rules
            .iter()
            .map(|(rule, s)| RuleSummary {
                rule: rule.to_string(),
                findings: s.findings,
                transcripts: s.transcripts,
                deducted: s.deducted,
            })
            .collect();
        rules.sort_by(|a, b| {
            b.findings
                .cmp(&a.findings)
                .then(b.deducted.cmp(&a.deducted))
                .then(a.rule.cmp(&b.rule))
        });
        let mut agents: Vec<AgentSummary> = self
            .agents
            .iter()
            .map(|(agent, s)| AgentSummary {
                agent: agent.clone(),
                transcripts: s.transcripts,
                scored: s.scored,
                mean_score: s.mean_score(),
                pass_rate: s.pass_rate(),
                findings: s.findings,
            })
            .collect();
        // Lowest mean score first: the agents a QA lead looks at first. Unscored last.
        agents.sort_by(|a, b| {
            let key = |s: &AgentSummary| s.mean_score.unwrap_or(f64::INFINITY);
            key(a)
                .total_cmp(&key(b))
                .then(b.transcripts.cmp(&a.transcripts))
                .then(a.agent.cmp(&b.agent))
        });
        let mut channels: Vec<ChannelSummary> = self
            .channels
            .iter()
            .map(|(channel, s)| ChannelSummary {
                channel: channel.map_or("unknown", |c| c.as_str()),
                transcripts: s.transcripts,
                scored: s.scored,
                mean_score: s.mean_score(),
                pass_rate: s.pass_rate(),
                findings: s.findings,
            })
            .collect();
        channels.sort_by(|a, b| {
            b.transcripts
                .cmp(&a.transcripts)
                .then(a.channel.cmp(b.channel))
        });
        let dimensions = self
            .dimensions
            .iter()
            .map(|(name, s)| DimensionSummary {
                dimension: name.clone(),
                max: s.max,
                mean_subtotal: (s.transcripts > 0)
                    .then(|| round1(f64::from(s.max) - s.deducted as f64 / s.transcripts as f64)),
                transcripts_losing_points: s.lost,
                deducted: s.deducted,
            })
            .collect();
        Summary {
            channels,
            dimensions,
            distribution: self.distribution(full_marks),
            transcripts: self.transcripts,
            errors: self.errors,
            scored,
            passed: self.passed,
            failed: self.failed,
            not_scored: self.not_scored,
            pass_rate: (scored > 0).then(|| round3(self.passed as f64 / scored as f64)),
            mean_score: self.mean_score().map(round1),
            full_marks,
            pass_mark,
            findings: self.findings,
            rules,
            agents,
        }
    }
}

impl Tally {
    /// The scores in ten bands of equal width, and full marks on its own: `0–9 … 90–99, 100`.
    fn distribution(&self, full_marks: u32) -> Vec<Band> {
        let width = full_marks.div_ceil(10).max(1);
        let mut bands: Vec<Band> = (0..full_marks.div_ceil(width))
            .map(|i| Band {
                from: i * width,
                to: ((i + 1) * width).min(full_marks) - 1,
                transcripts: 0,
            })
            .collect();
        bands.push(Band {
            from: full_marks,
            to: full_marks,
            transcripts: 0,
        });
        for (&score, &n) in &self.scores {
            let at = if score >= full_marks {
                bands.len() - 1
            } else {
                (score / width) as usize
            };
            bands[at].transcripts += n;
        }
        bands
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Aggregate statistics of a batch: `--summary`.
#[derive(Debug, Serialize)]
pub(crate) struct Summary {
    pub(crate) transcripts: usize,
    /// Input records or files that could not be read.
    pub(crate) errors: usize,
    pub(crate) scored: usize,
    pub(crate) passed: usize,
    pub(crate) failed: usize,
    pub(crate) not_scored: usize,
    /// Passed over scored, 0–1.
    pub(crate) pass_rate: Option<f64>,
    pub(crate) mean_score: Option<f64>,
    pub(crate) full_marks: u32,
    pub(crate) pass_mark: u32,
    pub(crate) findings: usize,
    /// Every rule with a finding, most findings first.
    pub(crate) rules: Vec<RuleSummary>,
    /// Every agent named by a transcript, lowest mean score first.
    pub(crate) agents: Vec<AgentSummary>,
    /// Each channel (`unknown` when transcripts do not say), most transcripts first.
    pub(crate) channels: Vec<ChannelSummary>,
    /// Each scorecard dimension, in the pack's order.
    pub(crate) dimensions: Vec<DimensionSummary>,
    /// How many scored transcripts fall in each band of scores, lowest first.
    pub(crate) distribution: Vec<Band>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ChannelSummary {
    pub(crate) channel: &'static str,
    pub(crate) transcripts: u64,
    pub(crate) scored: u64,
    pub(crate) mean_score: Option<f64>,
    pub(crate) pass_rate: Option<f64>,
    pub(crate) findings: u64,
}

#[derive(Debug, Serialize)]
pub(crate) struct DimensionSummary {
    pub(crate) dimension: String,
    pub(crate) max: u32,
    /// The mean of the dimension's subtotal over the transcripts scored on it.
    pub(crate) mean_subtotal: Option<f64>,
    pub(crate) transcripts_losing_points: u64,
    pub(crate) deducted: u64,
}

/// Scores from `from` to `to`, both included.
#[derive(Debug, Serialize)]
pub(crate) struct Band {
    pub(crate) from: u32,
    pub(crate) to: u32,
    pub(crate) transcripts: u64,
}

#[derive(Debug, Serialize)]
pub(crate) struct RuleSummary {
    pub(crate) rule: String,
    pub(crate) findings: u64,
    /// Transcripts with at least one finding of the rule.
    pub(crate) transcripts: u64,
    /// Points deducted, after each rule's cap.
    pub(crate) deducted: u64,
}

#[derive(Debug, Serialize)]
pub(crate) struct AgentSummary {
    pub(crate) agent: String,
    pub(crate) transcripts: u64,
    pub(crate) scored: u64,
    pub(crate) mean_score: Option<f64>,
    pub(crate) pass_rate: Option<f64>,
    pub(crate) findings: u64,
}
