//! `[scorecard]`: the dimensions a score is split into, and which conversations are scored.

use toml::de::{DeArray, DeTable, DeValue};

use super::rule::CATEGORIES;
use super::value::{Cx, lookup};
use crate::pack::rule::ChannelSet;

const SCORECARD_KEYS: &[&str] = &["dimension", "eligibility"];
const DIMENSION_KEYS: &[&str] = &["name", "max", "categories"];
const ELIGIBILITY_KEYS: &[&str] = &["min-turns", "channels"];

/// `[[scorecard.dimension]]`.
#[derive(Clone, Debug)]
pub(crate) struct RawDimension {
    pub(crate) name: String,
    pub(crate) max: u32,
    pub(crate) categories: Vec<String>,
}

/// What a `[scorecard]` table declares.
#[derive(Debug, Default)]
pub(super) struct Scorecard {
    /// The dimensions, which replace the base pack's.
    pub(super) dimensions: Option<Vec<RawDimension>>,
    /// `min-turns`, and the channels it applies to.
    pub(super) eligibility: Option<(u32, ChannelSet)>,
}

pub(super) fn read_scorecard(cx: &mut Cx<'_>, table: &DeTable<'_>) -> Scorecard {
    let mut scorecard = Scorecard::default();
    for (key, value) in cx.entries(table, SCORECARD_KEYS, "in `[scorecard]`") {
        match key.get_ref().as_ref() {
            "dimension" => {
                let DeValue::Array(items) = value.get_ref() else {
                    cx.err(
                        value.span(),
                        "`dimension` must be an array of tables (`[[scorecard.dimension]]`)",
                    );
                    continue;
                };
                scorecard.dimensions = Some(read_dimensions(cx, items));
            }
            "eligibility" => {
                let Some(t) = cx.table(value, "scorecard.eligibility") else {
                    continue;
                };
                let mut min_turns = None;
                let mut channels = ChannelSet::ALL;
                for (k, v) in cx.entries(t, ELIGIBILITY_KEYS, "in `[scorecard.eligibility]`") {
                    if k.get_ref() == "min-turns" {
                        min_turns = cx.min_count(v);
                    } else if let Some(c) = cx.channels(v) {
                        channels = c;
                    }
                }
                match min_turns {
                    Some(n) => scorecard.eligibility = Some((n, channels)),
                    None => cx.err(value.span(), "`eligibility` needs `min-turns`"),
                }
            }
            _ => unreachable!("filtered by entries"),
        }
    }
    scorecard
}

/// `[[scorecard.dimension]]` tables; a dimension with problems is left out.
fn read_dimensions(cx: &mut Cx<'_>, items: &DeArray<'_>) -> Vec<RawDimension> {
    let mut dimensions = Vec::new();
    for item in items.iter() {
        let Some(t) = cx.table(item, "scorecard.dimension") else {
            continue;
        };
        let entries = cx.entries(t, DIMENSION_KEYS, "in a `[[scorecard.dimension]]`");
        let get = |name: &str| lookup(&entries, name);
        let name = cx
            .require(get("name"), &item.span(), "a dimension needs a `name`")
            .and_then(|v| cx.string(v, "name"));
        let max = cx
            .require(
                get("max"),
                &item.span(),
                "a dimension needs `max`: its points",
            )
            .and_then(|v| cx.uint(v, "max"));
        let categories = get("categories")
            .and_then(|v| cx.words(v, "categories"))
            .unwrap_or_default();
        for c in &categories {
            if !CATEGORIES.contains(&c.as_str()) {
                cx.err(
                    item.span(),
                    format!(
                        "unknown category `{c}`; the categories are {}",
                        CATEGORIES.join(", ")
                    ),
                );
            }
        }
        if let (Some(name), Some(max)) = (name, max) {
            if dimensions.iter().any(|d: &RawDimension| d.name == name) {
                cx.err(item.span(), format!("dimension `{name}` is declared twice"));
            }
            dimensions.push(RawDimension {
                name,
                max,
                categories,
            });
        }
    }
    dimensions
}
