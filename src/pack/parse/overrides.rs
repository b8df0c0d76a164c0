//! `[override."rule.id"]`: changes a layer makes to a rule of the pack it extends.

use std::borrow::Cow;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::rule::key_kinds;
use super::value::{Cx, Loc};
use crate::pack::rule::{ChannelSet, FixSafety, Per, RoleSet, Severity, Window};

const OVERRIDE_KEYS: &[&str] = &[
    "severity",
    "deduct",
    "max-deduct",
    "per",
    "dimension",
    "roles",
    "channels",
    "message",
    "suggest",
    "window",
    "min-count",
    "limit",
    "replace",
    "fix",
];

/// An `[override."rule.id"]` table: changes to a rule of the pack being extended.
#[derive(Debug)]
pub(crate) struct Override {
    pub(crate) id: String,
    pub(crate) loc: Loc,
    pub(crate) severity: Option<Severity>,
    pub(crate) deduct: Option<u32>,
    pub(crate) max_deduct: Option<u32>,
    pub(crate) roles: Option<RoleSet>,
    pub(crate) channels: Option<ChannelSet>,
    pub(crate) message: Option<String>,
    pub(crate) suggest: Option<String>,
    pub(crate) replace: Option<String>,
    pub(crate) fix: Option<FixSafety>,
    pub(crate) window: Option<Window>,
    pub(crate) min_count: Option<u32>,
    pub(crate) per: Option<Per>,
    pub(crate) dimension: Option<String>,
    pub(crate) limit: Option<f64>,
    /// Keys that apply only to some kinds, with where they are, to check against the rule.
    pub(crate) kind_keys: Vec<(String, Loc)>,
}

/// The `override` table: one override per rule id, each read with the id as its rule.
pub(super) fn read_overrides(
    cx: &mut Cx<'_>,
    value: &Spanned<DeValue<'_>>,
    overrides: &mut Vec<Override>,
) {
    let Some(table) = cx.table(value, "override") else {
        return;
    };
    for (id, body) in table.iter() {
        cx.rule = Some(id.get_ref().to_string());
        if let Some(body) = cx.table(body, "override") {
            if let Some(o) = read_override(cx, id, body) {
                overrides.push(o);
            }
        }
        cx.rule = None;
    }
}

fn read_override(
    cx: &mut Cx<'_>,
    id: &Spanned<Cow<'_, str>>,
    table: &DeTable<'_>,
) -> Option<Override> {
    let before = cx.problems.len();
    let mut o = Override {
        id: id.get_ref().to_string(),
        loc: cx.loc(id.span()),
        severity: None,
        deduct: None,
        max_deduct: None,
        roles: None,
        channels: None,
        message: None,
        suggest: None,
        replace: None,
        fix: None,
        window: None,
        min_count: None,
        per: None,
        dimension: None,
        limit: None,
        kind_keys: Vec::new(),
    };
    for (key, value) in cx.entries(table, OVERRIDE_KEYS, "in an override") {
        let name = key.get_ref().as_ref();
        if key_kinds(name).is_some() {
            o.kind_keys.push((name.to_string(), cx.loc(value.span())));
        }
        match name {
            "severity" => o.severity = cx.severity(value),
            "deduct" => o.deduct = cx.uint(value, "deduct"),
            "max-deduct" => o.max_deduct = cx.uint(value, "max-deduct"),
            "per" => o.per = cx.choose(value, "per", &Per::ALL, Per::as_str),
            "dimension" => o.dimension = cx.string(value, "dimension"),
            "roles" => o.roles = cx.roles(value),
            "channels" => o.channels = cx.channels(value),
            "message" => o.message = cx.string(value, "message"),
            "suggest" => o.suggest = cx.string(value, "suggest"),
            "replace" => o.replace = cx.string(value, "replace"),
            "fix" => o.fix = cx.choose(value, "fix", &FixSafety::ALL, FixSafety::as_str),
            "window" => o.window = cx.window(value),
            "min-count" => o.min_count = cx.min_count(value),
            "limit" => o.limit = cx.seconds(value, "limit"),
            _ => unreachable!("filtered by entries"),
        }
    }
    (cx.problems.len() == before).then_some(o)
}
