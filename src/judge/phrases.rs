//! Forbidden, required and courtesy phrases: rules that ask whether a leaf's phrases occur
//! in the turns of a role, and how often.

use super::findings::Evaluation;
use super::findings::{
    CharCursor, merged, na, obligation, roles_text, transcript_finding, turn_finding,
};
use super::view::View;
use crate::finding::{Due, Evidence};
use crate::pack::rule::{Rule, RuleKind, Window};
use crate::transcript::Role;

impl View<'_> {
    pub(super) fn forbidden(&self, r: u32, rule: &Rule, out: &mut Evaluation) {
        let target = self.target(r, 0);
        for turn in self.turns_with(target) {
            let hits = self.hits(turn, target);
            let text = &self.transcript.turns[turn].text;
            let mut cursor = CharCursor::default();
            for (start, end) in merged(hits, text) {
                let mut f = turn_finding(rule, turn, text, start, end, &mut cursor);
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
            out.obligations.push(obligation(rule, None, due));
        }
    }
}
