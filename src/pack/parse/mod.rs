//! Reading rule-pack TOML into rules, collecting every problem with its place.
//!
//! The TOML is parsed with spans, then walked by hand rather than through serde, so that one
//! bad key does not hide the next: each problem is recorded and the walk goes on.
//!
//! This file reads a file's top-level tables into a [`Layer`]; `rule` reads `[[rule]]`, `leaf`
//! what a rule or condition matches, `situation` the conditions of situation rules,
//! `scorecard` and `overrides` their tables, and `value` the TOML values they are made of.

mod leaf;
mod overrides;
mod rule;
mod scorecard;
mod situation;
mod value;

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use self::overrides::read_overrides;
use self::rule::read_rules;
use self::scorecard::read_scorecard;
use self::value::Cx;
use crate::pack::error::Problem;
use crate::pack::rule::ContextWords;
use crate::pack::rule::{ChannelSet, Rule, Severity};

pub(crate) use self::leaf::has_values;
pub(crate) use self::overrides::Override;
pub(crate) use self::rule::key_kinds;
pub(crate) use self::scorecard::RawDimension;
pub(crate) use self::value::Loc;

const TOP_KEYS: &[&str] = &[
    "pack",
    "scoring",
    "scorecard",
    "normalize",
    "clause",
    "context",
    "asr",
    "segmenter",
    "rule",
    "override",
];
const PACK_KEYS: &[&str] = &[
    "name",
    "version",
    "language",
    "description",
    "extends",
    "disable",
];
const SCORING_KEYS: &[&str] = &["full-marks", "pass-mark", "deduct"];
const CLAUSE_KEYS: &[&str] = &["subjects", "particles"];
const SEGMENTER_KEYS: &[&str] = &["words"];
const ASR_KEYS: &[&str] = &["fillers", "alike", "channels"];

/// The `[pack]` table.
#[derive(Debug, Default)]
pub(crate) struct Meta {
    pub(crate) name: Option<String>,
    pub(crate) version: Option<String>,
    pub(crate) language: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) extends: Option<(String, Loc)>,
    pub(crate) disable: Vec<(String, Loc)>,
    pub(crate) loc: Option<Loc>,
}

/// The `[scoring]` table; `None` where the layer leaves a value to its base.
#[derive(Debug, Default)]
pub(crate) struct RawScoring {
    pub(crate) full_marks: Option<u32>,
    pub(crate) pass_mark: Option<u32>,
    pub(crate) deduct: [Option<u32>; 4],
    pub(crate) loc: Option<Loc>,
}

/// Everything one pack (one file, or one directory of files) declares.
#[derive(Debug, Default)]
pub(crate) struct Layer {
    pub(crate) meta: Meta,
    pub(crate) scoring: RawScoring,
    pub(crate) rules: Vec<(Rule, Loc)>,
    pub(crate) overrides: Vec<Override>,
    /// A file of the layer is not valid TOML, so what it declares is unknown.
    pub(crate) invalid_toml: bool,
    /// `[normalize]`: the options this layer sets.
    pub(crate) normalize: Vec<(&'static str, bool)>,
    pub(crate) normalize_loc: Option<Loc>,
    /// `[clause]`.
    pub(crate) subjects: Option<Vec<String>>,
    pub(crate) particles: Option<Vec<String>>,
    pub(crate) clause_loc: Option<Loc>,
    /// `[context]`: the word lists this layer replaces.
    pub(crate) context: Vec<(&'static str, Vec<String>)>,
    pub(crate) context_loc: Option<Loc>,
    /// `[asr]`: fillers, alike characters, and the channels whose transcripts are ASR.
    pub(crate) asr_fillers: Option<Vec<String>>,
    pub(crate) asr_alike: Option<Vec<String>>,
    pub(crate) asr_channels: Option<ChannelSet>,
    pub(crate) asr_loc: Option<Loc>,
    /// `[segmenter] words`.
    pub(crate) words: Vec<String>,
    pub(crate) segmenter_loc: Option<Loc>,
    /// `[scorecard]`: dimensions replace the base pack's; eligibility too.
    pub(crate) dimensions: Option<Vec<RawDimension>>,
    pub(crate) eligibility: Option<(u32, ChannelSet)>,
    pub(crate) scorecard_loc: Option<Loc>,
}

/// Parses one TOML file into `layer`, recording every problem.
pub(crate) fn parse_file(
    file: &Arc<str>,
    source: &Arc<str>,
    layer: &mut Layer,
    problems: &mut Vec<Problem>,
) {
    let (document, syntax_errors) = DeTable::parse_recoverable(source);
    if !syntax_errors.is_empty() {
        layer.invalid_toml = true;
        report_syntax_errors(file, source, syntax_errors, problems);
        // What the parser made of the rest is a guess; checking it would report problems
        // that are not really there.
        return;
    }
    let mut cx = Cx::new(file, source, problems);
    let document = document.into_inner();
    for (key, value) in document.iter() {
        read_top_level(&mut cx, key, value, layer);
    }
}

fn report_syntax_errors(
    file: &Arc<str>,
    source: &Arc<str>,
    syntax_errors: Vec<toml::de::Error>,
    problems: &mut Vec<Problem>,
) {
    // The parser recovers and goes on, but one mistake often cascades into several reports on
    // the same line; the first on each line is the one that helps.
    let mut lines_seen = Vec::new();
    for e in syntax_errors {
        let span = e.span().unwrap_or(0..0);
        let problem = Problem::at(
            file,
            source,
            span,
            None,
            format!("invalid TOML: {}", e.message()),
        );
        if !lines_seen.contains(&problem.line) {
            lines_seen.push(problem.line);
            problems.push(problem);
        }
    }
}

/// One top-level key of a file: a table of the pack, its rules, or its overrides.
fn read_top_level(
    cx: &mut Cx<'_>,
    key: &Spanned<Cow<'_, str>>,
    value: &Spanned<DeValue<'_>>,
    layer: &mut Layer,
) {
    match key.get_ref().as_ref() {
        "pack" => {
            if let Some(table) = once(cx, "pack", key, value, &mut layer.meta.loc) {
                read_meta(cx, table, value.span(), &mut layer.meta);
            }
        }
        "scoring" => {
            if let Some(table) = once(cx, "scoring", key, value, &mut layer.scoring.loc) {
                read_scoring(cx, table, &mut layer.scoring);
            }
        }
        "rule" => read_rules(cx, value, &mut layer.rules),
        "override" => read_overrides(cx, value, &mut layer.overrides),
        "scorecard" => {
            if let Some(table) = once(cx, "scorecard", key, value, &mut layer.scorecard_loc) {
                let scorecard = read_scorecard(cx, table);
                layer.dimensions = scorecard.dimensions;
                layer.eligibility = scorecard.eligibility;
            }
        }
        "normalize" => {
            if let Some(table) = once(cx, "normalize", key, value, &mut layer.normalize_loc) {
                layer.normalize = cx.normalization(table, "in `[normalize]`");
            }
        }
        "clause" => {
            if let Some(table) = once(cx, "clause", key, value, &mut layer.clause_loc) {
                for (k, v) in cx.entries(table, CLAUSE_KEYS, "in `[clause]`") {
                    let words = cx.words(v, k.get_ref());
                    if k.get_ref() == "subjects" {
                        layer.subjects = words;
                    } else {
                        layer.particles = words;
                    }
                }
            }
        }
        "context" => {
            if let Some(table) = once(cx, "context", key, value, &mut layer.context_loc) {
                for (k, v) in cx.entries(table, &ContextWords::KEYS, "in `[context]`") {
                    let Some(name) = ContextWords::KEYS
                        .iter()
                        .find(|n| **n == k.get_ref().as_ref())
                    else {
                        continue;
                    };
                    if let Some(words) = cx.words(v, name) {
                        layer.context.push((name, words));
                    }
                }
            }
        }
        "asr" => {
            if let Some(table) = once(cx, "asr", key, value, &mut layer.asr_loc) {
                for (k, v) in cx.entries(table, ASR_KEYS, "in `[asr]`") {
                    match k.get_ref().as_ref() {
                        "fillers" => layer.asr_fillers = cx.words(v, "fillers"),
                        "alike" => layer.asr_alike = cx.words(v, "alike"),
                        _ => match v.get_ref() {
                            DeValue::Array(items) if items.is_empty() => {
                                layer.asr_channels = Some(ChannelSet::NONE)
                            }
                            _ => layer.asr_channels = cx.channels(v),
                        },
                    }
                }
            }
        }
        "segmenter" => {
            if let Some(table) = once(cx, "segmenter", key, value, &mut layer.segmenter_loc) {
                for (k, v) in cx.entries(table, SEGMENTER_KEYS, "in `[segmenter]`") {
                    layer.words = cx.words(v, k.get_ref()).unwrap_or_default();
                }
            }
        }
        other => cx.unknown_key(key.span(), other, TOP_KEYS, "at the top level"),
    }
}

/// The table `[name]`, which one file of a pack may declare: `declared` records where, and a
/// second one (in another file of the same pack) is reported at its key and not read.
fn once<'a, 'i>(
    cx: &mut Cx<'_>,
    name: &str,
    key: &Spanned<Cow<'_, str>>,
    value: &'a Spanned<DeValue<'i>>,
    declared: &mut Option<Loc>,
) -> Option<&'a DeTable<'i>> {
    let table = cx.table(value, name)?;
    if declared.is_some() {
        cx.err(
            key.span(),
            format!("`[{name}]` is already declared in another file of this pack"),
        );
        return None;
    }
    *declared = Some(cx.loc(value.span()));
    Some(table)
}

fn read_meta(cx: &mut Cx<'_>, table: &DeTable<'_>, span: Range<usize>, meta: &mut Meta) {
    for (key, value) in cx.entries(table, PACK_KEYS, "in `[pack]`") {
        match key.get_ref().as_ref() {
            "name" => meta.name = cx.string(value, "name"),
            "version" => meta.version = cx.string(value, "version"),
            "language" => meta.language = cx.string(value, "language"),
            "description" => meta.description = cx.string(value, "description"),
            "extends" => {
                meta.extends = cx
                    .string(value, "extends")
                    .map(|s| (s, cx.loc(value.span())))
            }
            "disable" => {
                if let Some(ids) = cx.strings(value, "disable") {
                    meta.disable = ids
                        .into_iter()
                        .map(|(id, span)| (id, cx.loc(span)))
                        .collect();
                }
            }
            _ => unreachable!("filtered by entries"),
        }
    }
    if meta.name.is_none() && !table.iter().any(|(k, _)| k.get_ref() == "name") {
        cx.err(span, "`[pack]` needs a `name`");
    }
}

fn read_scoring(cx: &mut Cx<'_>, table: &DeTable<'_>, scoring: &mut RawScoring) {
    for (key, value) in cx.entries(table, SCORING_KEYS, "in `[scoring]`") {
        match key.get_ref().as_ref() {
            "full-marks" => scoring.full_marks = cx.uint(value, "full-marks"),
            "pass-mark" => scoring.pass_mark = cx.uint(value, "pass-mark"),
            "deduct" => {
                let Some(by_severity) = cx.table(value, "scoring.deduct") else {
                    continue;
                };
                let names: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
                for (sev, points) in cx.entries(by_severity, &names, "in `[scoring.deduct]`") {
                    let severity: Severity = sev.get_ref().parse().unwrap_or(Severity::Info);
                    scoring.deduct[severity.index()] = cx.uint(points, sev.get_ref());
                }
            }
            _ => unreachable!("filtered by entries"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `text` as `p.toml`, with the problems as they are displayed.
    pub(super) fn parse(text: &str) -> (Layer, Vec<String>) {
        let file: Arc<str> = "p.toml".into();
        let source: Arc<str> = text.into();
        let mut layer = Layer::default();
        let mut problems = Vec::new();
        parse_file(&file, &source, &mut layer, &mut problems);
        (layer, problems.iter().map(ToString::to_string).collect())
    }

    /// Parses `text` as `parse` does, inside `compile_in_parallel`: rules are read side by
    /// side. The problems are as they come, before a `PackError` sorts them.
    #[cfg(feature = "parallel")]
    fn parse_in_parallel(text: &str) -> (Layer, Vec<String>) {
        crate::pack::parallel::with(|| parse(text))
    }

    /// Rules read side by side give the rules, and the problems in the order of the file,
    /// that rules read in turn do: a pack whose rules but two have a mistake each, and a
    /// `rule` array with an item that is not a table.
    #[cfg(feature = "parallel")]
    #[test]
    fn rules_read_side_by_side_are_the_rules_read_in_turn() {
        let mut many = String::from("[pack]\nname = \"p\"\n");
        let bodies = [
            "kind = \"forbidden\"\nphrases = [\"不知道\"]\nseverity = \"minor\"\nmessage = \"m\"",
            "kind = \"forbidden\"\npatterns = [\"不(知\"]\nseverity = \"minor\"\nmessage = \"m\"",
            "phrases = [\"没办法\"]\nseverity = \"minor\"\nmessage = \"m\"",
            "kind = \"forbiden\"\nphrases = [\"不行\"]\nseverity = \"minor\"\nmessage = \"m\"",
            "kind = \"forbidden\"\nphrases = [\"找领导\"]\nseverity = \"grave\"\nmessage = \"m\"",
            "kind = \"forbidden\"\npatterns = [\"a*\"]\nseverity = \"minor\"\nmessage = \"m\"",
            "kind = \"forbidden\"\nphrases = [\"{any}\"]\nseverity = \"minor\"\nmessage = \"m\"",
            "kind = \"forbidden\"\nphrases = [\"随便\"]\nseverity = \"minor\"\nmessage = \"m\"\ncolour = 1",
            "kind = \"required\"\nphrases = [\"您好\"]\nseverity = \"minor\"\nmessage = \"m\"",
            "kind = \"forbidden\"\nphrases = [\"你{numbr}号\"]\nseverity = \"minor\"\nmessage = \"m\"",
            "kind = \"forbidden\"\nphrases = \"不管\"\nseverity = \"minor\"\nmessage = \"m\"",
            "kind = \"forbidden\"\nphrases = [\"不清楚\"]\nseverity = \"minor\"\nmessage = \"m\"\nunless = { matches = [\"(\"] }",
        ];
        for (i, body) in bodies.iter().enumerate() {
            many.push_str(&format!("[[rule]]\nid = \"forbidden.r{i}\"\n{body}\n"));
        }
        let mixed = "rule = [\n  { id = \"forbidden.a\", kind = \"forbidden\", \
                     phrases = [\"不知道\"], severity = \"minor\", message = \"m\" },\n  1,\n  \
                     { id = \"forbidden.b\", kind = \"forbidden\", phrases = [\"不行\"], \
                     severity = \"minor\", message = \"m\" },\n  { id = \"forbidden.c\" },\n]\n\
                     [pack]\nname = \"p\"\n";
        for text in [many.as_str(), mixed] {
            let (in_turn, in_turn_problems) = parse(text);
            let (side_by_side, side_by_side_problems) = parse_in_parallel(text);
            assert_eq!(side_by_side_problems, in_turn_problems, "{text}");
            assert_eq!(
                format!("{:?}", side_by_side.rules),
                format!("{:?}", in_turn.rules),
                "{text}"
            );
        }
        // The problems came in file order, one rule's after another's, and both rule arrays
        // kept their good rules.
        let (layer, problems) = parse(&many);
        let lines: Vec<usize> = problems
            .iter()
            .filter_map(|p| p.strip_prefix("p.toml:")?.split(':').next()?.parse().ok())
            .collect();
        assert!(lines.len() >= 10 && lines.is_sorted(), "{problems:#?}");
        assert_eq!(layer.rules.len(), 2);
        let (layer, problems) = parse(mixed);
        assert_eq!(layer.rules.len(), 2, "{problems:#?}");
        // The item that is not a table is reported where it is.
        assert!(
            problems.iter().any(|p| p.starts_with("p.toml:3:")),
            "{problems:#?}"
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let (layer, problems) = parse(
            r#"[pack]
name = "t"
colour = "red"

[[rule]]
id = "forbidden.a"
kind = "forbiden"
phrasess = ["x"]
severity = "huge"
message = "m"

[[rule]]
id = "forbidden.b"
kind = "forbidden"
patterns = ['不(知道', '[a-']
severity = "minor"
message = 3
window = { first = 1 }
"#,
        );
        assert!(layer.rules.is_empty());
        assert_eq!(
            problems,
            vec![
                "p.toml:3:1: unknown key `colour` in `[pack]`; expected one of: name, version, language, description, extends, disable",
                "p.toml:8:1: rule `forbidden.a`: unknown key `phrasess` in a rule; did you mean `phrases`?",
                "p.toml:7:8: rule `forbidden.a`: unknown kind `forbiden`; expected forbidden, required, courtesy, situation or timing; did you mean `forbidden`?",
                "p.toml:9:12: rule `forbidden.a`: unknown severity `huge`; expected info, minor, major or fatal",
                "p.toml:18:10: rule `forbidden.b`: `window` applies only to rules of kind `required`, not `forbidden`",
                "p.toml:17:11: rule `forbidden.b`: `message` must be a string, found an integer",
                "p.toml:15:15: rule `forbidden.b`: invalid regex: unclosed group",
                "p.toml:15:22: rule `forbidden.b`: invalid regex: unclosed character class",
            ]
        );
    }

    #[test]
    fn syntax_errors_stop_at_syntax() {
        let (_, problems) = parse("[pack]\nname = \"t\nx = [1,\n");
        assert!(!problems.is_empty());
        assert!(
            problems.iter().any(|p| p.starts_with("p.toml:2:10:")),
            "{problems:?}"
        );
        assert!(
            problems.iter().all(|p| p.contains("invalid TOML")),
            "{problems:?}"
        );
    }
}
