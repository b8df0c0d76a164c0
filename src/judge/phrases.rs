//! Forbidden, required and courtesy phrases: rules that ask whether a leaf's phrases occur
//! in the turns of a role, and how often.

use super::findings::Evaluation;
use super::findings::{
    CharCursor, merged, merged_finding, na, obligation, roles_text, transcript_finding,
};
use super::view::View;
use crate::finding::{Due, Evidence, Match, TolerantMatch};
use crate::pack::rule::{AsrMode, Needle, Rule, RuleKind, Window};
use crate::transcript::Role;

impl View<'_> {
    /// The first turn of `window` that has one of the rule's phrases tolerantly, as a
    /// speech-recognition transcript may: fillers skipped, a character or two dropped or
    /// misheard, the pack's `alike` characters as one.
    fn tolerant(&self, rule: &Rule, window: &[usize]) -> Option<TolerantMatch> {
        let leaf = &rule.leaves[0];
        let tolerance = &self.engine.asr.tolerance;
        let normalize = |s: &str| leaf.normalization.apply(s);
        let phrases: Vec<String> = leaf
            .phrases
            .iter()
            // Phrases with slots or values ({any}, {=agent}) are matched exactly only.
            .filter(|p| !p.contains('{'))
            .map(|p| normalize(p))
            .collect();
        for &turn in window {
            let original = &self.transcript.turns[turn].text;
            let text = normalize(original);
            let best = phrases
                .iter()
                .filter_map(|p| tolerance.find(&text, p))
                .min_by_key(|m| m.2);
            if let Some((start, end, edits)) = best {
                return Some(TolerantMatch {
                    rule: rule.id.clone(),
                    turn,
                    text: text[start..end].to_string(),
                    edits,
                    matched: Match::Tolerant,
                });
            }
            // Patterns and phrases with slots (我是{number}号), on the text without fillers.
            let clean: String = tolerance
                .clean(&text)
                .into_iter()
                .map(|(c, _, _)| c)
                .collect();
            for needle in &leaf.needles {
                if let Needle::Pattern(p) = needle
                    && let Some((s, e)) = p.find(&clean)
                {
                    return Some(TolerantMatch {
                        rule: rule.id.clone(),
                        turn,
                        text: clean[s..e].to_string(),
                        edits: 0,
                        matched: Match::Tolerant,
                    });
                }
            }
        }
        None
    }

    pub(super) fn forbidden(&self, r: u32, rule: &Rule, out: &mut Evaluation) {
        let target = self.target(r, 0);
        for turn in self.turns_with(target) {
            if self.only_turn.is_some_and(|only| only != turn) {
                continue;
            }
            let hits = self.hits(turn, target);
            let text = &self.transcript.turns[turn].text;
            let mut cursor = CharCursor::default();
            for hits in merged(hits, text) {
                let mut f = merged_finding(rule, turn, text, &hits, &mut cursor);
                f.time = self.time(turn);
                out.findings.push((r, f));
            }
        }
    }

    pub(super) fn required(&self, r: u32, rule: &Rule, out: &mut Evaluation) {
        let leaf = &rule.leaves[0];
        let eligible = self.turns_of(leaf.roles);

        let values = &self.values;
        let needs_agent = leaf.needles.is_empty()
            && !leaf.dynamic.is_empty()
            && leaf.dynamic.iter().all(|p| p.contains("{=agent}"))
            && !values.iter().any(|(name, _)| *name == "agent");
        if needs_agent {
            if self.complete {
                out.not_applicable
                    .push(na(rule, "the transcript does not say who the agent is"));
            }
            return;
        }
        if eligible.is_empty() {
            if self.complete {
                out.not_applicable
                    .push(na(rule, format!("no turn of {}", roles_text(rule))));
            }
            return;
        }
        let window = match rule.kind() {
            RuleKind::Courtesy => eligible,
            _ => &eligible[rule.window().range(eligible.len())],
        };
        let (count, _) = self.leaf_count(r, 0, window, values);
        let needed = match rule.kind() {
            RuleKind::Courtesy => rule.min_count() as usize,
            _ => 1,
        };
        if count >= needed {
            return;
        }
        if self.asr
            && rule.kind() == RuleKind::Required
            && rule.asr() == AsrMode::Tolerant
            && let Some(found) = self.tolerant(rule, window)
        {
            out.tolerant.push(found);
            return;
        }
        // Not (yet) met. Is that final?
        let final_now = self.complete
            || matches!(rule.window(), Window::First(n) if eligible.len() >= n as usize);
        if final_now {
            let mut f = transcript_finding(rule);
            let detail = match rule.kind() {
                RuleKind::Courtesy => format!(
                    "found {count} time{} in the turns of {}; at least {needed} needed",
                    if count == 1 { "" } else { "s" },
                    roles_text(rule)
                ),
                _ => format!("not found in {} of {}", rule.window(), roles_text(rule)),
            };
            f.evidence = Some(Evidence {
                detail,
                turns: window.first().zip(window.last()).map(|(a, b)| [*a, *b]),
                waited: None,
                limit: None,
            });
            out.findings.push((r, f));
        } else {
            let role = rule.roles().iter().next().unwrap_or(Role::Agent);
            let due = match rule.window() {
                Window::First(n) => Due::Turns {
                    role,
                    count: n.saturating_sub(eligible.len() as u32),
                },
                _ => Due::End,
            };
            out.obligations.push(obligation(r, None, due));
        }
    }
}
