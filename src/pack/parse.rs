//! Reading rule-pack TOML into rules, collecting every problem with its place.
//!
//! The TOML is parsed with spans, then walked by hand rather than through serde, so that one
//! bad key does not hide the next: each problem is recorded and the walk goes on.

use std::ops::Range;
use std::sync::Arc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::did_you_mean;
use super::error::Problem;
use super::rule::{
    Boundary, ChannelSet, Condition, Examples, Expect, FixSafety, Leaf, Measure, Needle, Origin,
    Per, RoleSet, Rule, RuleKind, Severity, Unless, Verify, Window, Within,
};
use crate::normalize::Normalization;
use crate::pattern::{Pattern, PatternError, has_slots};
use crate::transcript::{Channel, Role};

/// The rule categories an id may start with.
pub(crate) const CATEGORIES: &[&str] = &[
    "forbidden",
    "opening",
    "closing",
    "courtesy",
    "privacy",
    "situation",
    "timing",
    "email",
];

const TOP_KEYS: &[&str] = &[
    "pack",
    "scoring",
    "scorecard",
    "normalize",
    "clause",
    "segmenter",
    "rule",
    "override",
];
const CLAUSE_KEYS: &[&str] = &["subjects", "particles"];
const SEGMENTER_KEYS: &[&str] = &["words"];
const UNLESS_KEYS: &[&str] = &["preceded-by", "followed-by", "inside", "matches", "quoted"];
const PACK_KEYS: &[&str] = &[
    "name",
    "version",
    "language",
    "description",
    "extends",
    "disable",
];
const SCORING_KEYS: &[&str] = &["full-marks", "pass-mark", "deduct"];
const RULE_KEYS: &[&str] = &[
    "id",
    "kind",
    "roles",
    "channels",
    "phrases",
    "patterns",
    "severity",
    "deduct",
    "max-deduct",
    "per",
    "dimension",
    "message",
    "why",
    "suggest",
    "source",
    "window",
    "min-count",
    "verify",
    "examples",
    "normalize",
    "boundary",
    "subjects",
    "particles",
    "unless",
    "when",
    "then",
    "within",
    "expect",
    "measure",
    "limit",
    "hold",
    "replace",
    "fix",
];
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
const SCORECARD_KEYS: &[&str] = &["dimension", "eligibility"];
const DIMENSION_KEYS: &[&str] = &["name", "max", "categories"];
const ELIGIBILITY_KEYS: &[&str] = &["min-turns", "channels"];

/// A place in a pack file, kept to report problems found after parsing (duplicates across
/// files, overrides of unknown rules).
#[derive(Clone, Debug)]
pub(crate) struct Loc {
    pub(crate) file: Arc<str>,
    pub(crate) source: Arc<str>,
    pub(crate) span: Range<usize>,
}

impl Loc {
    pub(crate) fn problem(&self, rule: Option<&str>, message: impl Into<String>) -> Problem {
        Problem::at(&self.file, &self.source, self.span.clone(), rule, message)
    }

    pub(crate) fn origin(&self) -> Origin {
        let line = self.source[..self.span.start.min(self.source.len())]
            .matches('\n')
            .count()
            + 1;
        Origin {
            file: self.file.clone(),
            line,
        }
    }
}

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

/// `[[scorecard.dimension]]`.
#[derive(Clone, Debug)]
pub(crate) struct RawDimension {
    pub(crate) name: String,
    pub(crate) max: u32,
    pub(crate) categories: Vec<String>,
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
        // The parser recovers and goes on, but one mistake often cascades into several
        // reports on the same line; the first on each line is the one that helps.
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
        // What the parser made of the rest is a guess; checking it would report problems
        // that are not really there.
        return;
    }
    let mut cx = Cx {
        file,
        source,
        problems,
        rule: None,
    };
    let document = document.into_inner();
    for (key, value) in document.iter() {
        match key.get_ref().as_ref() {
            "pack" => {
                if let Some(table) = cx.table(value, "pack") {
                    if layer.meta.loc.is_some() {
                        cx.err(
                            key.span(),
                            "`[pack]` is already declared in another file of this pack",
                        );
                    } else {
                        read_meta(&mut cx, table, value.span(), &mut layer.meta);
                    }
                }
            }
            "scoring" => {
                if let Some(table) = cx.table(value, "scoring") {
                    if layer.scoring.loc.is_some() {
                        cx.err(
                            key.span(),
                            "`[scoring]` is already declared in another file of this pack",
                        );
                    } else {
                        read_scoring(&mut cx, table, value.span(), &mut layer.scoring);
                    }
                }
            }
            "rule" => match value.get_ref() {
                DeValue::Array(items) => {
                    for item in items.iter() {
                        if let Some(table) = cx.table(item, "rule") {
                            if let Some(rule) = read_rule(&mut cx, table, item.span()) {
                                let loc = cx.loc(item.span());
                                layer.rules.push((rule, loc));
                            }
                        }
                    }
                }
                other => cx.err(
                    value.span(),
                    format!(
                        "`rule` must be an array of tables (`[[rule]]`), found {}",
                        describe(other)
                    ),
                ),
            },
            "override" => {
                if let Some(table) = cx.table(value, "override") {
                    for (id, body) in table.iter() {
                        cx.rule = Some(id.get_ref().to_string());
                        if let Some(body) = cx.table(body, "override") {
                            if let Some(o) = read_override(&mut cx, id, body) {
                                layer.overrides.push(o);
                            }
                        }
                        cx.rule = None;
                    }
                }
            }
            "scorecard" => {
                if let Some(table) = cx.table(value, "scorecard") {
                    if layer.scorecard_loc.is_some() {
                        cx.err(
                            key.span(),
                            "`[scorecard]` is already declared in another file of this pack",
                        );
                    } else {
                        layer.scorecard_loc = Some(cx.loc(value.span()));
                        read_scorecard(&mut cx, table, layer);
                    }
                }
            }
            "normalize" => {
                if let Some(table) = cx.table(value, "normalize") {
                    if layer.normalize_loc.is_some() {
                        cx.err(
                            key.span(),
                            "`[normalize]` is already declared in another file of this pack",
                        );
                    } else {
                        layer.normalize_loc = Some(cx.loc(value.span()));
                        layer.normalize = cx.normalization(table, "in `[normalize]`");
                    }
                }
            }
            "clause" => {
                if let Some(table) = cx.table(value, "clause") {
                    if layer.clause_loc.is_some() {
                        cx.err(
                            key.span(),
                            "`[clause]` is already declared in another file of this pack",
                        );
                    } else {
                        layer.clause_loc = Some(cx.loc(value.span()));
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
            }
            "segmenter" => {
                if let Some(table) = cx.table(value, "segmenter") {
                    if layer.segmenter_loc.is_some() {
                        cx.err(
                            key.span(),
                            "`[segmenter]` is already declared in another file of this pack",
                        );
                    } else {
                        layer.segmenter_loc = Some(cx.loc(value.span()));
                        for (k, v) in cx.entries(table, SEGMENTER_KEYS, "in `[segmenter]`") {
                            layer.words = cx.words(v, k.get_ref()).unwrap_or_default();
                        }
                    }
                }
            }
            other => cx.unknown_key(key.span(), other, TOP_KEYS, "at the top level"),
        }
    }
}

struct Cx<'a> {
    file: &'a Arc<str>,
    source: &'a Arc<str>,
    problems: &'a mut Vec<Problem>,
    rule: Option<String>,
}

type Entry<'a, 'i> = (
    &'a Spanned<std::borrow::Cow<'i, str>>,
    &'a Spanned<DeValue<'i>>,
);

impl Cx<'_> {
    fn err(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.problems.push(Problem::at(
            self.file,
            self.source,
            span,
            self.rule.as_deref(),
            message,
        ));
    }

    fn loc(&self, span: Range<usize>) -> Loc {
        Loc {
            file: self.file.clone(),
            source: self.source.clone(),
            span,
        }
    }

    fn unknown_key(&mut self, span: Range<usize>, key: &str, allowed: &[&str], place: &str) {
        let mut message = format!("unknown key `{key}` {place}");
        match did_you_mean(key, allowed.iter().copied()) {
            Some(close) => message.push_str(&format!("; did you mean `{close}`?")),
            None => message.push_str(&format!("; expected one of: {}", allowed.join(", "))),
        }
        self.err(span, message);
    }

    /// The entries of `table`, reporting keys not in `allowed`.
    fn entries<'a, 'i>(
        &mut self,
        table: &'a DeTable<'i>,
        allowed: &[&str],
        place: &str,
    ) -> Vec<Entry<'a, 'i>> {
        let mut known = Vec::new();
        for (key, value) in table.iter() {
            if allowed.contains(&key.get_ref().as_ref()) {
                known.push((key, value));
            } else {
                self.unknown_key(key.span(), key.get_ref(), allowed, place);
            }
        }
        known
    }

    fn table<'a, 'i>(
        &mut self,
        value: &'a Spanned<DeValue<'i>>,
        what: &str,
    ) -> Option<&'a DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.err(
                    value.span(),
                    format!("`{what}` must be a table, found {}", describe(other)),
                );
                None
            }
        }
    }

    fn string(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.err(
                    value.span(),
                    format!("`{key}` must be a string, found {}", describe(other)),
                );
                None
            }
        }
    }

    fn uint(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<u32> {
        match value.get_ref() {
            DeValue::Integer(i) => {
                let digits = i.as_str().replace('_', "");
                let digits = digits
                    .strip_prefix("0x")
                    .or_else(|| digits.strip_prefix("0o"))
                    .or_else(|| digits.strip_prefix("0b"))
                    .unwrap_or(&digits)
                    .trim_start_matches('+');
                match u32::from_str_radix(digits, i.radix()) {
                    Ok(n) => Some(n),
                    Err(_) => {
                        self.err(
                            value.span(),
                            format!("`{key}` must be a whole number from 0 to {}", u32::MAX),
                        );
                        None
                    }
                }
            }
            other => {
                self.err(
                    value.span(),
                    format!("`{key}` must be a whole number, found {}", describe(other)),
                );
                None
            }
        }
    }

    /// A duration in seconds: a positive integer or float.
    fn seconds(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<f64> {
        let n = match value.get_ref() {
            DeValue::Integer(i) => i.as_str().replace('_', "").parse::<f64>().ok(),
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            _ => None,
        };
        match n {
            Some(n) if n.is_finite() && n > 0.0 => Some(n),
            _ => {
                self.err(
                    value.span(),
                    format!("`{key}` must be a number of seconds above 0"),
                );
                None
            }
        }
    }

    fn boolean(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                self.err(
                    value.span(),
                    format!("`{key}` must be true or false, found {}", describe(other)),
                );
                None
            }
        }
    }

    fn strings(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        key: &str,
    ) -> Option<Vec<(String, Range<usize>)>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.err(
                value.span(),
                format!(
                    "`{key}` must be an array of strings, found {}",
                    describe(value.get_ref())
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push((s.to_string(), item.span())),
                other => {
                    ok = false;
                    self.err(
                        item.span(),
                        format!("`{key}` must hold only strings, found {}", describe(other)),
                    );
                }
            }
        }
        ok.then_some(out)
    }

    /// One of a closed set of names, reporting an unknown one with the names it may be.
    fn choose<T: Copy>(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        what: &str,
        all: &[T],
        label: fn(T) -> &'static str,
    ) -> Option<T> {
        let name = self.string(value, what)?;
        self.choose_name(&name, value.span(), what, all, label)
    }

    fn choose_name<T: Copy>(
        &mut self,
        name: &str,
        span: Range<usize>,
        what: &str,
        all: &[T],
        label: fn(T) -> &'static str,
    ) -> Option<T> {
        if let Some(found) = all.iter().copied().find(|v| label(*v) == name) {
            return Some(found);
        }
        let names: Vec<&str> = all.iter().map(|v| label(*v)).collect();
        let mut message = format!("unknown {what} `{name}`; expected {}", or_list(&names));
        if let Some(close) = did_you_mean(name, names.iter().copied()) {
            message.push_str(&format!("; did you mean `{close}`?"));
        }
        self.err(span, message);
        None
    }

    /// A non-empty array of names from a closed set, such as `roles` or `channels`.
    fn choose_many<T: Copy>(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        key: &str,
        what: &str,
        all: &[T],
        label: fn(T) -> &'static str,
    ) -> Option<Vec<T>> {
        let names = self.strings(value, key)?;
        if names.is_empty() {
            self.err(
                value.span(),
                format!("`{key}` must name at least one {what}"),
            );
            return None;
        }
        let chosen: Vec<Option<T>> = names
            .into_iter()
            .map(|(name, span)| self.choose_name(&name, span, what, all, label))
            .collect();
        chosen.into_iter().collect()
    }

    fn roles(&mut self, value: &Spanned<DeValue<'_>>) -> Option<RoleSet> {
        self.choose_many(value, "roles", "role", &Role::ALL, Role::as_str)
            .map(|roles| roles.into_iter().collect())
    }

    fn channels(&mut self, value: &Spanned<DeValue<'_>>) -> Option<ChannelSet> {
        self.choose_many(value, "channels", "channel", &Channel::ALL, Channel::as_str)
            .map(|channels| channels.into_iter().collect())
    }

    /// A `[normalize]` table or a rule's `normalize = { … }`: the options it sets.
    fn normalization(&mut self, table: &DeTable<'_>, place: &str) -> Vec<(&'static str, bool)> {
        let mut set = Vec::new();
        for (key, value) in self.entries(table, &Normalization::KEYS, place) {
            let name = Normalization::KEYS
                .iter()
                .find(|k| **k == key.get_ref().as_ref())
                .copied()
                .unwrap_or("width");
            match value.get_ref() {
                DeValue::Boolean(on) => set.push((name, *on)),
                other => self.err(
                    value.span(),
                    format!("`{name}` must be true or false, found {}", describe(other)),
                ),
            }
        }
        set
    }

    /// A list of non-empty words, such as clause subjects or unless-phrases.
    fn words(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<Vec<String>> {
        let list = self.strings(value, key)?;
        let mut ok = true;
        for (word, span) in &list {
            if word.trim().is_empty() {
                ok = false;
                self.err(span.clone(), format!("`{key}` holds an empty string"));
            }
        }
        ok.then(|| list.into_iter().map(|(w, _)| w).collect())
    }

    fn severity(&mut self, value: &Spanned<DeValue<'_>>) -> Option<Severity> {
        self.choose(value, "severity", &Severity::ALL, Severity::as_str)
    }

    fn window(&mut self, value: &Spanned<DeValue<'_>>) -> Option<Window> {
        const HOW: &str = "`window` must be `{ first = N }` or `{ last = N }` with N ≥ 1";
        let DeValue::Table(table) = value.get_ref() else {
            self.err(value.span(), HOW);
            return None;
        };
        let entries: Vec<_> = table.iter().collect();
        let [(key, n)] = entries.as_slice() else {
            self.err(value.span(), HOW);
            return None;
        };
        let count = self.uint(n, key.get_ref())?;
        if count == 0 {
            self.err(n.span(), HOW);
            return None;
        }
        match key.get_ref().as_ref() {
            "first" => Some(Window::First(count)),
            "last" => Some(Window::Last(count)),
            _ => {
                self.err(key.span(), HOW);
                None
            }
        }
    }

    fn min_count(&mut self, value: &Spanned<DeValue<'_>>) -> Option<u32> {
        let n = self.uint(value, "min-count")?;
        if n == 0 {
            self.err(value.span(), "`min-count` must be at least 1");
            return None;
        }
        Some(n)
    }

    /// Maps a byte range inside a TOML string's value to the file, when the string is written
    /// without escapes (so that value offsets and file offsets agree).
    fn inner_span(
        &self,
        value_span: Range<usize>,
        value: &str,
        inner: Range<usize>,
    ) -> Range<usize> {
        let raw = &self.source[value_span.clone()];
        let (open, close) = if raw.starts_with("'''") || raw.starts_with("\"\"\"") {
            (3, 3)
        } else {
            (1, 1)
        };
        let mut body_start = value_span.start + open;
        let body_end = value_span.end.saturating_sub(close).max(body_start);
        let mut body = &self.source[body_start..body_end];
        if open == 3 {
            if let Some(rest) = body
                .strip_prefix("\r\n")
                .or_else(|| body.strip_prefix('\n'))
            {
                body_start += body.len() - rest.len();
                body = rest;
            }
        }
        if body == value && inner.end <= value.len() {
            body_start + inner.start..body_start + inner.end
        } else {
            value_span
        }
    }

    fn pattern_error(&mut self, span: Range<usize>, text: &str, e: PatternError, what: &str) {
        let at = match e.span {
            Some(inner) => self.inner_span(span, text, inner),
            None => span,
        };
        self.err(at, format!("invalid {what}: {}", e.message));
    }
}

/// `a, b or c`.
fn or_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn describe(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

fn read_meta(cx: &mut Cx<'_>, table: &DeTable<'_>, span: Range<usize>, meta: &mut Meta) {
    meta.loc = Some(cx.loc(span.clone()));
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

fn read_scoring(
    cx: &mut Cx<'_>,
    table: &DeTable<'_>,
    span: Range<usize>,
    scoring: &mut RawScoring,
) {
    scoring.loc = Some(cx.loc(span));
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

fn valid_id(id: &str) -> Result<(), String> {
    let Some((category, name)) = id.split_once('.') else {
        return Err(format!(
            "rule id `{id}` must be `category.name`, such as `forbidden.dont-know`"
        ));
    };
    if !CATEGORIES.contains(&category) {
        let mut message = format!(
            "rule id `{id}` has unknown category `{category}`; the categories are {}",
            CATEGORIES.join(", ")
        );
        if let Some(close) = did_you_mean(category, CATEGORIES.iter().copied()) {
            message.push_str(&format!("; did you mean `{close}`?"));
        }
        return Err(message);
    }
    let word_ok = |w: &str| {
        !w.is_empty()
            && w.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            })
    };
    if !name.split('.').all(word_ok) {
        return Err(format!(
            "rule id `{id}`: after the category, use lowercase letters, digits and single \
             hyphens, such as `forbidden.dont-know`"
        ));
    }
    Ok(())
}

/// Keys that describe what a leaf matches, at a rule's top level or in a condition.
const LEAF_KEYS: &[&str] = &[
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
];
const COMBINATOR_KEYS: &[&str] = &["any", "all", "none", "at-least", "of"];
const WITHIN_KEYS: &[&str] = &[
    "turns",
    "seconds",
    "until",
    "before",
    "include-trigger-turn",
    "rest",
];

/// The kinds a rule key applies to (keys not listed apply to every kind).
pub(crate) fn key_kinds(key: &str) -> Option<&'static [RuleKind]> {
    use RuleKind::*;
    const OWN: &[RuleKind] = &[Forbidden, Required, Courtesy];
    Some(match key {
        "roles" | "phrases" | "patterns" | "verify" | "normalize" | "boundary" | "subjects"
        | "particles" | "unless" => OWN,
        "window" => &[Required],
        "min-count" => &[Courtesy],
        "when" | "then" | "within" | "expect" => &[Situation],
        "measure" | "limit" | "hold" => &[Timing],
        "replace" | "fix" => &[Forbidden],
        _ => return None,
    })
}

fn read_rule(cx: &mut Cx<'_>, table: &DeTable<'_>, span: Range<usize>) -> Option<Rule> {
    // The id first, so every other problem can name the rule.
    let id_entry = table.iter().find(|(k, _)| k.get_ref() == "id");
    let id = match id_entry {
        Some((_, value)) => {
            let id = cx.string(value, "id");
            if let Some(id) = &id {
                if let Err(message) = valid_id(id) {
                    cx.err(value.span(), message);
                }
            }
            id
        }
        None => {
            cx.err(span.clone(), "rule has no `id`");
            None
        }
    };
    cx.rule = id.clone();
    let problems_before = cx.problems.len();

    let entries = cx.entries(table, RULE_KEYS, "in a rule");
    let get = |name: &str| {
        entries
            .iter()
            .find(|(k, _)| k.get_ref() == name)
            .map(|(_, v)| *v)
    };

    let kind = match get("kind") {
        Some(v) => cx.choose(v, "kind", &RuleKind::ALL, RuleKind::as_str),
        None => {
            cx.err(span.clone(), "rule has no `kind`");
            None
        }
    };
    if let Some(kind) = kind {
        for (key, value) in &entries {
            if let Some(kinds) = key_kinds(key.get_ref()) {
                if !kinds.contains(&kind) {
                    let names: Vec<String> =
                        kinds.iter().map(|k| format!("`{}`", k.as_str())).collect();
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    let hint = match (kind, key.get_ref().as_ref()) {
                        (RuleKind::Situation, "phrases" | "patterns" | "roles") => {
                            "; a situation rule matches in its `when` and `then` conditions"
                        }
                        _ => "",
                    };
                    cx.err(
                        value.span(),
                        format!(
                            "`{}` applies only to rules of kind {}, not `{kind}`{hint}",
                            key.get_ref(),
                            or_list(&names)
                        ),
                    );
                }
            }
        }
    }
    let severity = match get("severity") {
        Some(v) => cx.severity(v),
        None => {
            cx.err(span.clone(), "rule has no `severity`");
            None
        }
    };
    let message = match get("message") {
        Some(v) => cx.string(v, "message"),
        None => {
            cx.err(span.clone(), "rule has no `message`");
            None
        }
    };
    let channels = get("channels").map_or(Some(ChannelSet::ALL), |v| cx.channels(v));
    let deduct = get("deduct").and_then(|v| cx.uint(v, "deduct"));
    let max_deduct = get("max-deduct").and_then(|v| cx.uint(v, "max-deduct"));
    let per = get("per")
        .and_then(|v| cx.choose(v, "per", &Per::ALL, Per::as_str))
        .unwrap_or_default();
    let dimension = get("dimension").and_then(|v| cx.string(v, "dimension"));
    let why = get("why").and_then(|v| cx.string(v, "why"));
    let suggest = get("suggest").and_then(|v| cx.string(v, "suggest"));
    let source = get("source").and_then(|v| cx.string(v, "source"));
    let replace = get("replace").and_then(|v| cx.string(v, "replace"));
    let fix = get("fix").and_then(|v| cx.choose(v, "fix", &FixSafety::ALL, FixSafety::as_str));
    if let (Some(v), None) = (get("fix"), get("replace")) {
        cx.err(
            v.span(),
            "`fix` says whether `replace` may be applied automatically, and the rule has no `replace`",
        );
    }

    let mut leaves = Vec::new();
    let mut window = Window::Anywhere;
    let mut when = None;
    let mut then = None;
    let mut within = Within::default();
    let mut expect = Expect::Present;
    let mut measure = None;
    let mut limit = 0.0;
    let mut hold = None;
    match kind {
        Some(RuleKind::Forbidden | RuleKind::Required | RuleKind::Courtesy) => {
            let own: Vec<Entry<'_, '_>> = entries
                .iter()
                .filter(|(k, _)| LEAF_KEYS.contains(&k.get_ref().as_ref()))
                .copied()
                .collect();
            if let Some(leaf) = read_leaf(cx, &own, span.clone(), "rule") {
                leaves.push(leaf);
            }
            if let Some(v) = get("window") {
                window = cx.window(v).unwrap_or(Window::Anywhere);
            }
        }
        Some(RuleKind::Situation) => {
            match get("when") {
                Some(v) => when = read_condition(cx, v, "when", &mut leaves),
                None => cx.err(
                    span.clone(),
                    "a situation rule needs `when`: what triggers it",
                ),
            }
            match get("then") {
                Some(v) => then = read_condition(cx, v, "then", &mut leaves),
                None => cx.err(
                    span.clone(),
                    "a situation rule needs `then`: the response that must follow",
                ),
            }
            if let Some(v) = get("within") {
                within = read_within(cx, v).unwrap_or_default();
            }
            if let Some(v) = get("expect") {
                const EXPECT: [Expect; 2] = [Expect::Present, Expect::Absent];
                expect = cx
                    .choose(v, "expect", &EXPECT, |e| match e {
                        Expect::Present => "present",
                        Expect::Absent => "absent",
                    })
                    .unwrap_or_default();
            }
        }
        Some(RuleKind::Timing) => {
            match get("measure") {
                Some(v) => measure = cx.choose(v, "measure", &Measure::ALL, Measure::as_str),
                None => cx.err(
                    span.clone(),
                    "a timing rule needs `measure`: reply, first-response or hold-return",
                ),
            }
            match get("limit") {
                Some(v) => limit = cx.seconds(v, "limit").unwrap_or(0.0),
                None => cx.err(span.clone(), "a timing rule needs `limit`, in seconds"),
            }
            match get("hold") {
                Some(v) => {
                    hold = read_hold(cx, v, &mut leaves);
                    if measure == Some(Measure::Reply) && hold.is_some_and(|(_, l)| l.is_none()) {
                        cx.err(
                            v.span(),
                            "for `measure = \"reply\"`, `hold` needs `limit`: how long a hold \
                             suspends the reply clock",
                        );
                    }
                }
                None if measure == Some(Measure::HoldReturn) => cx.err(
                    span.clone(),
                    "a hold-return rule needs `hold`: the phrases that announce a hold",
                ),
                None => {}
            }
        }
        None => {}
    }
    let examples = get("examples")
        .map(|v| read_examples(cx, v))
        .unwrap_or_default();
    check_value_names(cx, span.clone(), &leaves, when.as_ref());

    let clean = cx.problems.len() == problems_before;
    cx.rule = None;
    if !clean {
        return None;
    }
    let (id, kind, severity, message, channels) = (id?, kind?, severity?, message?, channels?);
    Some(Rule {
        id: id.into(),
        kind,
        channels,
        leaves,
        severity,
        explicit_deduct: deduct,
        deduct: deduct.unwrap_or(0),
        max_deduct,
        per,
        own_dimension: dimension,
        dimension: None,
        message: message.into(),
        why,
        suggest: suggest.map(Into::into),
        replace: replace.map(Into::into),
        fix: fix.unwrap_or_default(),
        source: source.map(Into::into),
        window,
        when,
        then,
        within,
        expect,
        measure,
        limit,
        hold,
        examples,
        origin: cx.loc(span).origin(),
    })
}

/// What one leaf matches: `roles`, `phrases`, `patterns` and how they are matched.
fn read_leaf(
    cx: &mut Cx<'_>,
    entries: &[Entry<'_, '_>],
    span: Range<usize>,
    what: &str,
) -> Option<Leaf> {
    let before = cx.problems.len();
    let get = |name: &str| {
        entries
            .iter()
            .find(|(k, _)| k.get_ref() == name)
            .map(|(_, v)| *v)
    };
    let roles = get("roles").map_or(Some(RoleSet::AGENT), |v| cx.roles(v));
    let verify = get("verify").and_then(|v| cx.choose(v, "check", &Verify::ALL, Verify::as_str));
    let min_count = get("min-count").and_then(|v| cx.min_count(v)).unwrap_or(1);

    let mut needles = Vec::new();
    let mut phrases = Vec::new();
    let mut dynamic = Vec::new();
    if let Some(v) = get("phrases") {
        for (phrase, span) in cx.strings(v, "phrases").unwrap_or_default() {
            if phrase.trim().is_empty() {
                cx.err(span, "an empty phrase would match everywhere; remove it");
                continue;
            }
            if has_values(&phrase) {
                match check_values(&phrase) {
                    Ok(()) => dynamic.push(phrase.clone()),
                    Err(message) => cx.err(span, message),
                }
            } else if has_slots(&phrase) {
                match Pattern::from_slotted_phrase(&phrase) {
                    Ok(p) => needles.push(Needle::Pattern(Arc::new(p))),
                    Err(e) => cx.pattern_error(span, &phrase, e, "phrase"),
                }
            } else {
                needles.push(Needle::Literal(phrase.clone()));
            }
            phrases.push(phrase);
        }
    }
    let mut patterns = Vec::new();
    if let Some(v) = get("patterns") {
        for (pattern, span) in cx.strings(v, "patterns").unwrap_or_default() {
            match Pattern::from_regex(&pattern, verify) {
                Ok(p) if p.is_match("") => cx.err(
                    span,
                    "this pattern matches the empty string, so it would match everywhere",
                ),
                Ok(p) => needles.push(Needle::Pattern(Arc::new(p))),
                Err(e) => cx.pattern_error(span, &pattern, e, "regex"),
            }
            patterns.push(pattern);
        }
    }
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
    if cx.problems.len() > before {
        return None;
    }
    Some(Leaf {
        roles: roles?,
        phrases,
        patterns,
        needles,
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
    })
}

/// A condition: a leaf table, or `any` / `all` / `none` / `at-least` + `of` over conditions.
fn read_condition(
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
    let mut allowed: Vec<&str> = COMBINATOR_KEYS.to_vec();
    allowed.retain(|_| true);
    let entries = cx.entries(table, &allowed, &format!("in `{what}` (a combination)"));
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
    let get = |name: &str| {
        entries
            .iter()
            .find(|(k, _)| k.get_ref() == name)
            .map(|(_, v)| *v)
    };
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
fn read_within(cx: &mut Cx<'_>, value: &Spanned<DeValue<'_>>) -> Option<Within> {
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

/// `hold = { phrases = [...], limit = 60 }`: the announcement, and how long it may last.
fn read_hold(
    cx: &mut Cx<'_>,
    value: &Spanned<DeValue<'_>>,
    leaves: &mut Vec<Leaf>,
) -> Option<(usize, Option<f64>)> {
    let table = cx.table(value, "hold")?;
    let mut keys: Vec<&str> = LEAF_KEYS.to_vec();
    keys.push("limit");
    let entries = cx.entries(table, &keys, "in `hold`");
    let limit = match entries.iter().find(|(k, _)| k.get_ref() == "limit") {
        Some((_, v)) => Some(cx.seconds(v, "limit")?),
        None => None,
    };
    let leaf_entries: Vec<Entry<'_, '_>> = entries
        .into_iter()
        .filter(|(k, _)| k.get_ref() != "limit")
        .collect();
    let leaf = read_leaf(cx, &leaf_entries, value.span(), "`hold`")?;
    leaves.push(leaf);
    Some((leaves.len() - 1, limit))
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
fn check_value_names(
    cx: &mut Cx<'_>,
    span: Range<usize>,
    leaves: &[Leaf],
    when: Option<&Condition>,
) {
    let mut known: Vec<String> = VALUES.iter().map(|v| v.to_string()).collect();
    if let Some(when) = when {
        let mut trigger = Vec::new();
        when.positive_leaves(&mut trigger);
        for i in trigger {
            for needle in &leaves[i].needles {
                if let Needle::Pattern(p) = needle {
                    known.extend(p.named.iter().map(|(_, n)| n.to_string()));
                }
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

fn read_scorecard(cx: &mut Cx<'_>, table: &DeTable<'_>, layer: &mut Layer) {
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
                let mut dimensions = Vec::new();
                for item in items.iter() {
                    let Some(t) = cx.table(item, "scorecard.dimension") else {
                        continue;
                    };
                    let entries = cx.entries(t, DIMENSION_KEYS, "in a `[[scorecard.dimension]]`");
                    let get = |name: &str| {
                        entries
                            .iter()
                            .find(|(k, _)| k.get_ref() == name)
                            .map(|(_, v)| *v)
                    };
                    let name = match get("name") {
                        Some(v) => cx.string(v, "name"),
                        None => {
                            cx.err(item.span(), "a dimension needs a `name`");
                            None
                        }
                    };
                    let max = match get("max") {
                        Some(v) => cx.uint(v, "max"),
                        None => {
                            cx.err(item.span(), "a dimension needs `max`: its points");
                            None
                        }
                    };
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
                layer.dimensions = Some(dimensions);
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
                    Some(n) => layer.eligibility = Some((n, channels)),
                    None => cx.err(value.span(), "`eligibility` needs `min-turns`"),
                }
            }
            _ => unreachable!("filtered by entries"),
        }
    }
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
                    match Pattern::from_regex(&pattern, None) {
                        Ok(p) if p.is_match("") => cx.err(
                            span,
                            "this pattern matches the empty string, so every hit would be excused",
                        ),
                        Ok(p) => {
                            unless.compiled.push(Arc::new(p));
                            unless.matches.push(pattern);
                        }
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

fn read_examples(cx: &mut Cx<'_>, value: &Spanned<DeValue<'_>>) -> Examples {
    let mut examples = Examples::default();
    let Some(table) = cx.table(value, "examples") else {
        return examples;
    };
    for (key, list) in cx.entries(table, &["trigger", "pass"], "in `examples`") {
        let texts: Vec<String> = cx
            .strings(list, key.get_ref())
            .unwrap_or_default()
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        if key.get_ref() == "trigger" {
            examples.trigger = texts;
        } else {
            examples.pass = texts;
        }
    }
    examples
}

fn read_override(
    cx: &mut Cx<'_>,
    id: &Spanned<std::borrow::Cow<'_, str>>,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Layer, Vec<String>) {
        let file: Arc<str> = "p.toml".into();
        let source: Arc<str> = text.into();
        let mut layer = Layer::default();
        let mut problems = Vec::new();
        parse_file(&file, &source, &mut layer, &mut problems);
        (layer, problems.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn a_valid_rule() {
        let (layer, problems) = parse(
            r#"
[pack]
name = "t"

[[rule]]
id = "forbidden.dont-know"
kind = "forbidden"
phrases = ["不知道", "我是{number}号"]
patterns = ['(?P<hit>不管)！']
severity = "major"
deduct = 5
message = "m"
examples.trigger = ["不知道"]
"#,
        );
        assert_eq!(problems, Vec::<String>::new());
        let (rule, _) = &layer.rules[0];
        assert_eq!(rule.id(), "forbidden.dont-know");
        assert_eq!(rule.leaves()[0].needles.len(), 3);
        assert_eq!(rule.origin().line(), 5);
        assert_eq!(rule.examples().trigger, vec!["不知道".to_string()]);
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

    #[test]
    fn ids_are_namespaced() {
        assert!(valid_id("forbidden.dont-know").is_ok());
        assert!(valid_id("opening.greeting.phone").is_ok());
        assert!(valid_id("dont-know").is_err());
        assert!(
            valid_id("forbiden.x")
                .expect_err("unknown category")
                .contains("did you mean `forbidden`?")
        );
        assert!(valid_id("forbidden.Dont").is_err());
        assert!(valid_id("forbidden.a--b").is_err());
    }
}
