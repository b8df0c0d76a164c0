//! What a leaf matches: `roles`, `phrases`, `patterns`, how they are matched (`normalize`,
//! `boundary`, `subjects`, `particles`), what excuses a hit (`unless`), and the values a
//! phrase may name (`{=agent}`).

use std::ops::Range;

use toml::Spanned;
use toml::de::DeValue;

use super::value::{Cx, Entry, describe, lookup};
use crate::pack::rule::{Boundary, Condition, ContextTest, Feature, Leaf, RoleSet, Unless, Verify};
use crate::text::normalize::Normalization;
use crate::text::pattern::{Pattern, has_slots};

/// Keys that describe what a leaf matches, at a rule's top level or in a condition.
pub(super) const LEAF_KEYS: &[&str] = &[
    "roles",
    "phrases",
    "patterns",
    "verify",
    "min-count",
    "normalize",
    "boundary",
    "subjects",
    "particles",
    "unless",
    "context",
];
const CONTEXT_KEYS: &[&str] = &["unless", "requires"];
const UNLESS_KEYS: &[&str] = &["preceded-by", "followed-by", "inside", "matches", "quoted"];

/// What one leaf matches: `roles`, `phrases`, `patterns` and how they are matched.
pub(super) fn read_leaf(
    cx: &mut Cx<'_>,
    entries: &[Entry<'_, '_>],
    span: Range<usize>,
    what: &str,
) -> Option<Leaf> {
    let before = cx.problems.len();
    let get = |name: &str| lookup(entries, name);
    let roles = get("roles").map_or(Some(RoleSet::AGENT), |v| cx.roles(v));
    let verify = get("verify").and_then(|v| cx.choose(v, "check", &Verify::ALL, Verify::as_str));
    let min_count = get("min-count").and_then(|v| cx.min_count(v)).unwrap_or(1);

    let (phrases, dynamic) = match get("phrases") {
        Some(v) => read_phrases(cx, v),
        None => (Vec::new(), Vec::new()),
    };
    let patterns = match get("patterns") {
        Some(v) => read_patterns(cx, v),
        None => Vec::new(),
    };
    if get("phrases").is_none() && get("patterns").is_none() {
        cx.err(
            span,
            format!("{what} has neither `phrases` nor `patterns`: it could never match"),
        );
    }
    if let (Some(v), true) = (get("verify"), get("patterns").is_none()) {
        cx.err(
            v.span(),
            "`verify` checks pattern hits, but there are no `patterns`",
        );
    }
    let normalize_overrides = match get("normalize") {
        Some(v) => match cx.table(v, "normalize") {
            Some(table) => cx.normalization(table, "in `normalize`"),
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    let boundary = get("boundary")
        .and_then(|v| cx.choose(v, "boundary", &Boundary::ALL, Boundary::as_str))
        .unwrap_or_default();
    let own_subjects = get("subjects").and_then(|v| {
        if boundary != Boundary::Clause {
            cx.err(
                v.span(),
                "`subjects` applies only with `boundary = \"clause\"`",
            );
        }
        cx.words(v, "subjects")
    });
    let own_particles = get("particles").and_then(|v| {
        if !matches!(boundary, Boundary::Clause | Boundary::ClauseEnd) {
            cx.err(
                v.span(),
                "`particles` applies only with `boundary = \"clause\"` or `\"clause-end\"`",
            );
        }
        cx.words(v, "particles")
    });
    let unless = get("unless")
        .map(|v| read_unless(cx, v))
        .unwrap_or_default();
    let context = get("context")
        .map(|v| read_context(cx, v))
        .unwrap_or_default();
    if cx.problems.len() > before {
        return None;
    }
    Some(Leaf {
        roles: roles?,
        phrases,
        patterns,
        // Compiled once normalization is known, when the pack's rules are settled.
        needles: Vec::new(),
        dynamic,
        verify,
        min_count,
        normalize_overrides,
        normalization: Normalization::DEFAULT,
        boundary,
        own_subjects,
        own_particles,
        subjects: Vec::new(),
        particles: Vec::new(),
        unless,
        context,
    })
}

/// `context = { unless = […], requires = […] }`: features of the context model.
fn read_context(cx: &mut Cx<'_>, value: &Spanned<DeValue<'_>>) -> ContextTest {
    let mut test = ContextTest::default();
    let Some(table) = cx.table(value, "context") else {
        return test;
    };
    for (key, v) in cx.entries(table, CONTEXT_KEYS, "in `context`") {
        let key = key.get_ref().as_ref();
        let Some(features) =
            cx.choose_many(v, key, "context feature", &Feature::ALL, Feature::as_str)
        else {
            continue;
        };
        let set = features.into_iter().collect();
        if key == "unless" {
            test.unless = set;
        } else {
            test.requires = set;
        }
    }
    if test.unless.intersects(test.requires) {
        cx.err(
            value.span(),
            "a feature in both `context.unless` and `context.requires` would excuse every hit it is required for",
        );
    }
    test
}

/// The longest phrase, in characters.
pub(crate) const MAX_PHRASE_CHARS: usize = 1_000;
/// The most phrases one rule may have.
pub(crate) const MAX_PHRASES: usize = 10_000;

/// Whether `phrase` is only slots (`{any}`, `{number}`) and separators, with no words.
fn slots_only(phrase: &str) -> bool {
    let mut rest = phrase;
    let mut words = String::new();
    while let Some(open) = rest.find('{') {
        if rest[open..].starts_with("{{") {
            return false;
        }
        words.push_str(&rest[..open]);
        match rest[open..].find('}') {
            Some(close) => rest = &rest[open + close + 1..],
            None => return false,
        }
    }
    words.push_str(rest);
    words.chars().all(|c| !c.is_alphanumeric())
}

/// `phrases`: each is checked here and becomes a needle, a literal or (with slots) a pattern,
/// once the rules are settled, except those naming values, which are searched once the values
/// are known. Returns the phrases as written and those naming values.
fn read_phrases(cx: &mut Cx<'_>, value: &Spanned<DeValue<'_>>) -> (Vec<String>, Vec<String>) {
    let mut phrases = Vec::new();
    let mut dynamic = Vec::new();
    let all = cx.strings(value, "phrases").unwrap_or_default();
    if all.len() > MAX_PHRASES {
        cx.err(
            value.span(),
            format!(
                "the rule has {} phrases, more than the limit of {MAX_PHRASES} for one rule; \
                 split them between rules",
                all.len()
            ),
        );
        return (phrases, dynamic);
    }
    for (phrase, span) in all {
        if phrase.trim().is_empty() {
            cx.err(span, "an empty phrase would match everywhere; remove it");
            continue;
        }
        let chars = phrase.chars().count();
        if chars > MAX_PHRASE_CHARS {
            cx.err(
                span,
                format!(
                    "the phrase is {chars} characters long, more than the limit of \
                     {MAX_PHRASE_CHARS}: a phrase is words an agent says, not a document"
                ),
            );
            continue;
        }
        if !has_values(&phrase) && has_slots(&phrase) && slots_only(&phrase) {
            cx.err(
                span,
                "a phrase of slots alone (`{any}`) matches every clause; put the words it is \
                 about around the slot",
            );
            continue;
        }
        if has_values(&phrase) {
            match check_values(&phrase) {
                Ok(()) => dynamic.push(phrase.clone()),
                Err(message) => cx.err(span, message),
            }
        } else if has_slots(&phrase) {
            if let Err(e) = Pattern::checked_slotted(&phrase) {
                cx.pattern_error(span, &phrase, e, "phrase");
            }
        }
        phrases.push(phrase);
    }
    (phrases, dynamic)
}

/// `patterns`: regexes, each checked here and a needle once the rules are settled; one that
/// matches the empty string is refused.
fn read_patterns(cx: &mut Cx<'_>, value: &Spanned<DeValue<'_>>) -> Vec<String> {
    let mut patterns = Vec::new();
    for (pattern, span) in cx.strings(value, "patterns").unwrap_or_default() {
        match Pattern::checked(&pattern) {
            Ok(p) if p.matches_empty => cx.err(
                span,
                "this pattern matches the empty string, so it would match everywhere",
            ),
            Ok(_) => {}
            Err(e) => cx.pattern_error(span, &pattern, e, "regex"),
        }
        patterns.push(pattern);
    }
    patterns
}

fn read_unless(cx: &mut Cx<'_>, value: &Spanned<DeValue<'_>>) -> Unless {
    let mut unless = Unless::default();
    let Some(table) = cx.table(value, "unless") else {
        return unless;
    };
    for (key, v) in cx.entries(table, UNLESS_KEYS, "in `unless`") {
        let key = key.get_ref().as_ref();
        match key {
            "quoted" => match v.get_ref() {
                DeValue::Boolean(on) => unless.quoted = *on,
                other => cx.err(
                    v.span(),
                    format!("`quoted` must be true or false, found {}", describe(other)),
                ),
            },
            "matches" => {
                for (pattern, span) in cx.strings(v, "matches").unwrap_or_default() {
                    match Pattern::checked(&pattern) {
                        Ok(p) if p.matches_empty => cx.err(
                            span,
                            "this pattern matches the empty string, so every hit would be excused",
                        ),
                        // Compiled, as the leaf's own patterns are, once normalization is known.
                        Ok(_) => unless.matches.push(pattern),
                        Err(e) => cx.pattern_error(span, &pattern, e, "regex"),
                    }
                }
            }
            _ => {
                let words = cx.words(v, key).unwrap_or_default();
                match key {
                    "preceded-by" => unless.preceded_by = words,
                    "followed-by" => unless.followed_by = words,
                    _ => unless.inside = words,
                }
            }
        }
    }
    unless
}

/// Whether a phrase names a value known only when checking: `{=surname}`, `{=agent}`.
pub(crate) fn has_values(phrase: &str) -> bool {
    phrase.contains("{=")
}

/// The values every phrase may name: the transcript's fields.
const VALUES: &[&str] = &["agent"];

/// The names `{=name}` in a phrase.
fn value_names(phrase: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = phrase;
    while let Some(i) = rest.find("{=") {
        let tail = &rest[i + 2..];
        let Some(close) = tail.find('}') else { break };
        names.push(&tail[..close]);
        rest = &tail[close + 1..];
    }
    names
}

/// Every `{=name}` a rule's phrases use must be known: a transcript field, or a named group of
/// a pattern in the rule's trigger.
pub(super) fn check_value_names(
    cx: &mut Cx<'_>,
    span: Range<usize>,
    leaves: &[Leaf],
    when: Option<&Condition>,
) {
    if leaves.iter().all(|leaf| leaf.dynamic.is_empty()) {
        return;
    }
    let mut known: Vec<String> = VALUES.iter().map(|v| v.to_string()).collect();
    if let Some(when) = when {
        let mut trigger = Vec::new();
        when.positive_leaves(&mut trigger);
        for i in trigger {
            // The trigger's patterns are checked again for their groups' names: only the few
            // rules with `{=name}` phrases come here. One that does not compile has already
            // been reported.
            let leaf = &leaves[i];
            let slotted = leaf
                .phrases
                .iter()
                .filter(|p| !has_values(p) && has_slots(p));
            let checked = leaf
                .patterns
                .iter()
                .map(|p| Pattern::checked(p))
                .chain(slotted.map(|p| Pattern::checked_slotted(p)));
            for names in checked.flatten().map(|c| c.names) {
                known.extend(names.iter().map(|n| n.to_string()));
            }
        }
    }
    for leaf in leaves {
        for phrase in &leaf.dynamic {
            for name in value_names(phrase) {
                if !known.iter().any(|k| k == name) {
                    cx.err(
                        span.clone(),
                        format!(
                            "`{phrase}` names `{{={name}}}`, but no pattern of `when` has a group \
                             `(?P<{name}>…)` and the transcript has no such field; the known \
                             values are {}",
                            known.join(", ")
                        ),
                    );
                }
            }
        }
    }
}

fn check_values(phrase: &str) -> Result<(), String> {
    let mut rest = phrase;
    while let Some(i) = rest.find("{=") {
        let tail = &rest[i + 2..];
        let Some(close) = tail.find('}') else {
            return Err(format!("unclosed `{{=` in `{phrase}`"));
        };
        let name = &tail[..close];
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit())
        {
            return Err(format!(
                "`{{={name}}}`: a value is `{{=agent}}` (the transcript's agent) or \
                 `{{=name}}` for a group `(?P<name>…)` of the trigger's patterns"
            ));
        }
        rest = &tail[close + 1..];
    }
    if rest.contains('{') || phrase.split("{=").next().is_some_and(|p| p.contains('{')) {
        return Err(format!(
            "`{phrase}` mixes `{{=value}}` with other slots; use one or the other"
        ));
    }
    Ok(())
}
