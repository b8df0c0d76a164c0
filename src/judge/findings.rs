//! Findings and obligations as judging builds them: hits merged into findings with their
//! character spans, transcript-level findings, and what is still owed.

use crate::engine::Engine;
use crate::engine::matcher::Hit;
use crate::finding::{Due, Finding, Fix, Match, NotApplicable, Obligation, TolerantMatch};
use crate::pack::rule::{FixSafety, Rule};
use std::borrow::Cow;

/// What judging found.
#[derive(Debug, Default)]
pub(crate) struct Evaluation {
    /// Findings, each with the index of its rule, in no particular order.
    pub(crate) findings: Vec<(u32, Finding)>,
    pub(crate) not_applicable: Vec<NotApplicable>,
    pub(crate) obligations: Vec<Owed>,
    pub(crate) tolerant: Vec<TolerantMatch>,
}

/// What a rule owes, as judging finds it: the rule by its index, so that a live session
/// compares and keeps it without touching the rule's shared strings. It becomes an
/// [`Obligation`] only in what a session returns.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Owed {
    pub(crate) rule: u32,
    pub(crate) turn: Option<usize>,
    pub(crate) due: Due,
    pub(crate) avoid: bool,
}

impl Owed {
    /// The obligation as a session reports it, with the rule's id, message and script.
    pub(crate) fn obligation(&self, engine: &Engine) -> Obligation {
        let rule = &engine.rules[self.rule as usize];
        Obligation {
            rule: rule.id.clone(),
            message: rule.message.clone(),
            suggest: rule.suggest.clone(),
            turn: self.turn,
            due: self.due,
            avoid: self.avoid,
        }
    }
}

impl Evaluation {
    /// Empties it, keeping its buffers.
    pub(crate) fn clear(&mut self) {
        self.findings.clear();
        self.not_applicable.clear();
        self.obligations.clear();
        self.tolerant.clear();
    }
}

pub(super) fn obligation(r: u32, turn: Option<usize>, due: Due) -> Owed {
    Owed {
        rule: r,
        turn,
        due,
        avoid: false,
    }
}

pub(super) fn na(rule: &Rule, reason: impl Into<Cow<'static, str>>) -> NotApplicable {
    NotApplicable {
        rule: rule.id.clone(),
        reason: reason.into(),
    }
}

pub(super) fn roles_text(rule: &Rule) -> String {
    let roles: Vec<&str> = rule.roles().iter().map(|r| r.as_str()).collect();
    format!("role {}", roles.join("/"))
}

/// Drops each forbidden finding that lies inside a longer finding of another forbidden rule in
/// the same turn: 不 inside 不知道 is one slip, reported and deducted once, under the rule that
/// names all of it. `forbidden(r)` tells which rule indices are forbidden rules.
pub(crate) fn drop_nested(findings: &mut Vec<(u32, Finding)>, forbidden: impl Fn(u32) -> bool) {
    // (turn, start, end, rule, index) of each forbidden finding with a span.
    let mut spans: Vec<(usize, usize, usize, u32, usize)> = findings
        .iter()
        .enumerate()
        .filter_map(
            |(i, (r, f))| match (forbidden(*r), f.turn, f.byte_start, f.byte_end) {
                (true, Some(turn), Some(start), Some(end)) => Some((turn, start, end, *r, i)),
                _ => None,
            },
        )
        .collect();
    // A finding is nested when another rule's finding in its turn starts no later and ends no
    // earlier, and is not the same span. In order of turn, start and longest first, that
    // other finding comes before it: one pass keeps the furthest end seen so far in the turn,
    // and the furthest of any other rule, so that each finding is asked about once.
    spans.sort_unstable_by_key(|&(turn, start, end, _, _)| (turn, start, std::cmp::Reverse(end)));
    let mut nested = vec![false; findings.len()];
    let mut i = 0;
    let mut turn = usize::MAX;
    // The furthest end before the current span, with its rule, and the furthest of a rule
    // other than that one.
    let mut best: Option<(usize, u32)> = None;
    let mut other: Option<usize> = None;
    while i < spans.len() {
        let (t, start, end, _, _) = spans[i];
        if t != turn {
            turn = t;
            best = None;
            other = None;
        }
        // Findings with the same span are not nested in one another: ask about them all
        // before any of them counts.
        let same = spans[i..]
            .iter()
            .take_while(|s| (s.0, s.1, s.2) == (t, start, end))
            .count();
        for &(_, _, _, rule, index) in &spans[i..i + same] {
            let furthest = match best {
                Some((e, r)) if r != rule => Some(e),
                _ => other,
            };
            nested[index] = furthest.is_some_and(|e| e >= end);
        }
        for &(_, _, _, rule, _) in &spans[i..i + same] {
            match best {
                Some((e, r)) if r == rule => best = Some((e.max(end), r)),
                Some((e, _)) if end > e => {
                    other = Some(e);
                    best = Some((end, rule));
                }
                Some(_) => other = Some(other.map_or(end, |o| o.max(end))),
                None => best = Some((end, rule)),
            }
        }
        i += same;
    }
    let mut index = 0;
    findings.retain(|_| {
        index += 1;
        !nested[index - 1]
    });
}

/// Hits of one rule in one turn that make one finding: the span they cover, and each hit's
/// own span, which is what a fix replaces.
#[derive(Debug)]
pub(crate) struct Merged {
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// The byte spans that a fix replaces, disjoint and in order: of hits that overlap (when
    /// the rule's phrases do), the first.
    pub(crate) parts: Vec<(usize, usize)>,
}

/// Merges hits of one forbidden rule in one turn that overlap, or that only clause
/// punctuation separates (没事了吧，您挂电话吧): one utterance is one finding.
pub(crate) fn merged(hits: &[Hit], text: &str) -> Vec<Merged> {
    let mut spans: Vec<(usize, usize)> = hits.iter().map(|h| (h.start, h.end)).collect();
    spans.sort_unstable_by_key(|&(start, end)| (start, std::cmp::Reverse(end)));
    spans.dedup();
    let mut out: Vec<Merged> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match out.last_mut() {
            // Overlapping hits are one finding over their union; the fix replaces the first
            // (the longest of those that start together), and what overlaps it stays, for
            // the check after fixing to judge.
            Some(last) if start < last.end => {
                last.end = last.end.max(end);
            }
            Some(last) if last.end <= start && only_separators(&text[last.end..start]) => {
                last.end = end;
                last.parts.push((start, end));
            }
            _ => out.push(Merged {
                start,
                end,
                parts: vec![(start, end)],
            }),
        }
    }
    out
}

/// Whether `gap` is a short run of clause punctuation and spaces between two parts of one
/// sentence. Sentence-final marks (。！？) end an utterance, so they do not count.
fn only_separators(gap: &str) -> bool {
    const SEPARATORS: &str = "，,、；;：:—-～~ 　";
    gap.chars().count() <= 3
        && gap
            .chars()
            .all(|c| SEPARATORS.contains(c) || c.is_whitespace())
}

/// Counts characters up to byte offsets asked for in increasing order, walking the text once.
#[derive(Default)]
pub(crate) struct CharCursor {
    byte: usize,
    chars: usize,
}

impl CharCursor {
    fn chars_before(&mut self, text: &str, byte: usize) -> usize {
        if byte < self.byte {
            *self = CharCursor::default();
        }
        self.chars += text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

/// A finding of `rule` at one hit of turn `t`.
pub(crate) fn turn_finding(
    rule: &Rule,
    t: usize,
    turn_text: &str,
    byte_start: usize,
    byte_end: usize,
    cursor: &mut CharCursor,
) -> Finding {
    finding_over(
        rule,
        t,
        turn_text,
        (byte_start, byte_end),
        &[(byte_start, byte_end)],
        cursor,
    )
}

/// A finding of `rule` over hits merged in turn `t`. Its fix replaces each part on its own, so
/// the text between them stays; parts that overlap (which [`merged`] never makes) get no fix.
pub(crate) fn merged_finding(
    rule: &Rule,
    t: usize,
    turn_text: &str,
    hits: &Merged,
    cursor: &mut CharCursor,
) -> Finding {
    finding_over(
        rule,
        t,
        turn_text,
        (hits.start, hits.end),
        &hits.parts,
        cursor,
    )
}

/// A finding of `rule` over bytes `span` of turn `t`, whose fix replaces `parts`.
fn finding_over(
    rule: &Rule,
    t: usize,
    turn_text: &str,
    (byte_start, byte_end): (usize, usize),
    parts: &[(usize, usize)],
    cursor: &mut CharCursor,
) -> Finding {
    let disjoint = parts.windows(2).all(|w| w[0].1 <= w[1].0);
    let start = cursor.chars_before(turn_text, byte_start);
    let text = &turn_text[byte_start..byte_end];
    Finding {
        rule: rule.id.clone(),
        severity: rule.severity(),
        deduct: rule.deduct(),
        turn: Some(t),
        start: Some(start),
        end: Some(start + text.chars().count()),
        byte_start: Some(byte_start),
        byte_end: Some(byte_end),
        text: Some(text.to_string()),
        message: rule.message.clone(),
        suggest: rule.suggest.clone(),
        source: rule.source.clone(),
        time: None,
        evidence: None,
        fix: rule
            .replace
            .clone()
            .filter(|_| disjoint)
            .map(|replacement| Fix {
                replacement,
                safe: rule.fix == FixSafety::Safe,
                byte_spans: parts.to_vec(),
            }),
        matched: Some(how_matched(rule, text)),
    }
}

/// Whether the words were found as written, or only once normalization folded them.
fn how_matched(rule: &Rule, text: &str) -> Match {
    let folded = rule.leaves.first().is_some_and(|leaf| {
        !crate::text::normalize::Normalizer::new(leaf.normalization).leaves_unchanged(text)
    });
    if folded {
        Match::Normalized
    } else {
        Match::Exact
    }
}

pub(super) fn transcript_finding(rule: &Rule) -> Finding {
    Finding {
        rule: rule.id.clone(),
        severity: rule.severity(),
        deduct: rule.deduct(),
        turn: None,
        start: None,
        end: None,
        byte_start: None,
        byte_end: None,
        text: None,
        message: rule.message.clone(),
        suggest: rule.suggest.clone(),
        source: rule.source.clone(),
        time: None,
        evidence: None,
        fix: None,
        matched: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;

    fn finding(turn: Option<usize>, span: Option<(usize, usize)>) -> Finding {
        Finding {
            rule: "r".into(),
            severity: Severity::Minor,
            deduct: 1,
            turn,
            start: span.map(|s| s.0),
            end: span.map(|s| s.1),
            byte_start: span.map(|s| s.0),
            byte_end: span.map(|s| s.1),
            text: None,
            message: "m".into(),
            suggest: None,
            source: None,
            time: None,
            evidence: None,
            fix: None,
            matched: None,
        }
    }

    /// The definition, asked of every pair.
    fn nested_by_pairs(findings: &[(u32, Finding)], forbidden: impl Fn(u32) -> bool) -> Vec<bool> {
        let span = |(r, f): &(u32, Finding)| match (forbidden(*r), f.turn, f.byte_start, f.byte_end)
        {
            (true, Some(t), Some(s), Some(e)) => Some((t, s, e)),
            _ => None,
        };
        findings
            .iter()
            .map(|a| {
                let Some((turn, start, end)) = span(a) else {
                    return false;
                };
                findings.iter().any(|b| {
                    span(b).is_some_and(|(t, s, e)| {
                        t == turn && b.0 != a.0 && s <= start && end <= e && e - s > end - start
                    })
                })
            })
            .collect()
    }

    proptest::proptest! {
        /// One pass in order of position drops exactly the findings that some other rule's
        /// longer finding in the same turn holds, as asking every pair does.
        #[test]
        fn drops_what_asking_every_pair_drops(
            raw in proptest::collection::vec(
                (0u32..4, proptest::option::weighted(0.9, 0usize..3), 0usize..8, 0usize..5),
                0..40,
            ),
        ) {
            let findings: Vec<(u32, Finding)> = raw
                .iter()
                .map(|&(rule, turn, start, len)| {
                    let span = (rule != 3).then_some((start, start + len));
                    (rule, finding(turn, span))
                })
                .collect();
            let forbidden = |r: u32| r != 2 || findings.len() % 2 == 0;
            let nested = nested_by_pairs(&findings, forbidden);
            let expected: Vec<_> = findings
                .iter()
                .zip(&nested)
                .filter(|(_, n)| !**n)
                .map(|((r, f), _)| (*r, f.turn, f.byte_start, f.byte_end))
                .collect();
            let mut kept = findings.clone();
            drop_nested(&mut kept, forbidden);
            let kept: Vec<_> = kept
                .iter()
                .map(|(r, f)| (*r, f.turn, f.byte_start, f.byte_end))
                .collect();
            proptest::prop_assert_eq!(kept, expected);
        }
    }
}
