//! The conditions of a `situation` rule: `when` and `then` (leaves, or `any` / `all` / `none`
//! / `at-least` over conditions), and `within`, where the response is looked for.

use toml::Spanned;
use toml::de::DeValue;

use super::leaf::{LEAF_KEYS, read_leaf};
use super::value::{Cx, lookup};
use crate::pack::rule::{Condition, Leaf, Within};
use crate::transcript::Role;

const COMBINATOR_KEYS: &[&str] = &["any", "all", "none", "at-least", "of"];
const WITHIN_KEYS: &[&str] = &[
    "turns",
    "seconds",
    "until",
    "before",
    "include-trigger-turn",
    "rest",
];

/// A condition: a leaf table, or `any` / `all` / `none` / `at-least` + `of` over conditions.
pub(super) fn read_condition(
    cx: &mut Cx<'_>,
    value: &Spanned<DeValue<'_>>,
    what: &str,
    leaves: &mut Vec<Leaf>,
) -> Option<Condition> {
    let table = cx.table(value, what)?;
    let is_combinator = table
        .iter()
        .any(|(k, _)| COMBINATOR_KEYS.contains(&k.get_ref().as_ref()));
    if !is_combinator {
        let entries = cx.entries(table, LEAF_KEYS, &format!("in `{what}`"));
        let leaf = read_leaf(cx, &entries, value.span(), &format!("`{what}`"))?;
        leaves.push(leaf);
        return Some(Condition::Leaf(leaves.len() - 1));
    }
    let entries = cx.entries(
        table,
        COMBINATOR_KEYS,
        &format!("in `{what}` (a combination)"),
    );
    if entries.len() != 1
        && !(entries.len() == 2 && table.iter().any(|(k, _)| k.get_ref() == "at-least"))
    {
        cx.err(
            value.span(),
            format!(
                "`{what}` must be a leaf (phrases, patterns…) or exactly one of `any`, `all`, \
                 `none`, or `at-least` with `of`"
            ),
        );
        return None;
    }
    let list = |cx: &mut Cx<'_>, v: &Spanned<DeValue<'_>>, key: &str, leaves: &mut Vec<Leaf>| {
        let DeValue::Array(items) = v.get_ref() else {
            cx.err(v.span(), format!("`{key}` must be an array of conditions"));
            return None;
        };
        if items.is_empty() {
            cx.err(
                v.span(),
                format!("`{key}` must hold at least one condition"),
            );
            return None;
        }
        let mut out = Vec::new();
        for item in items.iter() {
            out.push(read_condition(cx, item, key, leaves));
        }
        out.into_iter().collect::<Option<Vec<_>>>()
    };
    let get = |name: &str| lookup(&entries, name);
    if let Some(v) = get("any") {
        return list(cx, v, "any", leaves).map(Condition::Any);
    }
    if let Some(v) = get("all") {
        return list(cx, v, "all", leaves).map(Condition::All);
    }
    if let Some(v) = get("none") {
        return list(cx, v, "none", leaves).map(Condition::None);
    }
    match (get("at-least"), get("of")) {
        (Some(n), Some(of)) => {
            let n = cx.min_count(n)?;
            let children = list(cx, of, "of", leaves)?;
            if n as usize > children.len() {
                cx.err(
                    value.span(),
                    format!(
                        "`at-least = {n}` but only {} conditions in `of`",
                        children.len()
                    ),
                );
                return None;
            }
            Some(Condition::AtLeast(n, children))
        }
        _ => {
            cx.err(
                value.span(),
                format!("`{what}`: `at-least` and `of` go together"),
            );
            None
        }
    }
}

/// `within = { turns = 1 }` and its other forms.
pub(super) fn read_within(cx: &mut Cx<'_>, value: &Spanned<DeValue<'_>>) -> Option<Within> {
    let table = cx.table(value, "within")?;
    let mut within = Within {
        turns: None,
        ..Within::default()
    };
    let before_problems = cx.problems.len();
    for (key, v) in cx.entries(table, WITHIN_KEYS, "in `within`") {
        match key.get_ref().as_ref() {
            "turns" => within.turns = cx.uint(v, "turns"),
            "seconds" => within.seconds = cx.seconds(v, "seconds"),
            "until" => {
                within.until = cx.choose(v, "role", &Role::ALL, Role::as_str);
            }
            "before" => within.before = cx.min_count(v),
            "include-trigger-turn" => {
                within.include_trigger_turn = cx.boolean(v, "include-trigger-turn").unwrap_or(false)
            }
            "rest" => within.rest = cx.boolean(v, "rest").unwrap_or(false),
            _ => unreachable!("filtered by entries"),
        }
    }
    if within.before.is_some()
        && (within.turns.is_some()
            || within.seconds.is_some()
            || within.until.is_some()
            || within.rest)
    {
        cx.err(
            value.span(),
            "`before` looks back from the trigger; it cannot be combined with `turns`, \
             `seconds`, `until` or `rest`",
        );
    }
    if within.turns.is_none()
        && within.seconds.is_none()
        && within.until.is_none()
        && within.before.is_none()
        && !within.rest
        && !within.include_trigger_turn
    {
        cx.err(
            value.span(),
            "`within` needs one of `turns`, `seconds`, `until`, `before`, `rest` or \
             `include-trigger-turn`",
        );
    }
    (cx.problems.len() == before_problems).then_some(within)
}
