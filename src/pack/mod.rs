//! Rule packs: loading, validating and layering the TOML files that hold the rules.
//!
//! A pack is one TOML file, or a directory of them (`pack.toml` plus any other `*.toml`). A
//! pack may extend another (`extends = "zh-CN"` for the built-in pack, or a path), disable
//! rules of its base by id, change a rule's severity or deduction with
//! `[override."rule.id"]`, and add rules of its own.

pub(crate) mod audit;
mod builtin;
pub(crate) mod error;
pub(crate) mod parse;
pub(crate) mod rule;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::checker::Checker;
use crate::normalize::{Normalization, Normalizer};
use crate::pattern::{Pattern, has_slots, slots_to_regex};
use error::{PackError, Problem};
use parse::{Layer, Loc};
use rule::Needle;
use rule::{Dimension, Eligibility, Leaf, Rule, RuleKind, Scoring, Window};

/// How many packs may extend one another in a chain.
const MAX_DEPTH: usize = 8;

/// A validated rule pack, ready to compile into a [`Checker`].
#[derive(Clone, Debug)]
pub struct RulePack {
    name: String,
    version: String,
    language: String,
    description: Option<String>,
    scoring: Scoring,
    normalization: Normalization,
    subjects: Vec<String>,
    particles: Vec<String>,
    words: Vec<String>,
    rules: Vec<Rule>,
}

impl RulePack {
    /// The name of the built-in pack used when no other is given.
    pub const DEFAULT: &'static str = "zh-CN";

    /// The built-in pack `zh-CN`, embedded in the library.
    pub fn builtin() -> Result<RulePack, PackError> {
        RulePack::builtin_named(RulePack::DEFAULT)
    }

    /// A built-in pack by name. See [`RulePack::builtin_names`].
    pub fn builtin_named(name: &str) -> Result<RulePack, PackError> {
        let mut loader = Loader::default();
        let layer = loader.builtin_layer(name, None);
        loader.finish(layer)
    }

    /// The names of the built-in packs.
    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        builtin::PACKS.iter().map(|(name, _)| *name)
    }

    /// Loads a pack from a TOML file or a directory of TOML files, with the packs it extends.
    pub fn from_path(path: impl AsRef<Path>) -> Result<RulePack, PackError> {
        let mut loader = Loader::default();
        let layer = loader.path_layer(path.as_ref(), None);
        loader.finish(layer)
    }

    /// Loads a pack from TOML text. `file` names it in error messages; a relative `extends`
    /// path is resolved against the current directory.
    pub fn from_toml(file: &str, text: &str) -> Result<RulePack, PackError> {
        let mut loader = Loader::default();
        let layer = loader.text_layer(file, text, Path::new("."), None);
        loader.finish(layer)
    }

    /// Applies the pack at `path` on top of this one, as if it extended this pack: it may
    /// disable and override this pack's rules and add its own. It must not declare `extends`.
    pub fn layer_path(self, path: impl AsRef<Path>) -> Result<RulePack, PackError> {
        let mut loader = Loader::default();
        let layer = loader.path_layer(path.as_ref(), Some(self));
        loader.finish(layer)
    }

    /// Applies a pack given as TOML text on top of this one. See [`RulePack::layer_path`].
    pub fn layer_toml(self, file: &str, text: &str) -> Result<RulePack, PackError> {
        let mut loader = Loader::default();
        let layer = loader.text_layer(file, text, Path::new("."), Some(self));
        loader.finish(layer)
    }

    /// Compiles the pack into a checker: all phrases into one automaton, every pattern once.
    pub fn compile(&self) -> Result<Checker, PackError> {
        Checker::new(self)
    }

    /// The pack's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The pack's version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The language of the texts the pack checks, such as `zh-CN`.
    pub fn language(&self) -> &str {
        &self.language
    }

    /// What the pack is for.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// How findings become a score.
    pub fn scoring(&self) -> &Scoring {
        &self.scoring
    }

    /// How rules fold text unless they say otherwise.
    pub fn normalization(&self) -> Normalization {
        self.normalization
    }

    /// Words allowed between the start of a clause and a hit, for rules with
    /// `boundary = "clause"` that do not give their own.
    pub fn subjects(&self) -> &[String] {
        &self.subjects
    }

    /// Words allowed between a hit and the end of its clause.
    pub fn particles(&self) -> &[String] {
        &self.particles
    }

    /// Words added to the segmenter's dictionary, such as product names.
    pub fn segmenter_words(&self) -> &[String] {
        &self.words
    }

    /// The rules, in the order they were declared (base packs first).
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id() == id)
    }

    /// This pack with another pass mark.
    pub fn with_pass_mark(mut self, pass_mark: u32) -> RulePack {
        self.scoring = self.scoring.with_pass_mark(pass_mark);
        self
    }
}

/// A layer read from files, with the base pack it applies to.
struct PendingLayer {
    layer: Layer,
    base: Option<RulePack>,
    /// Where the layer came from, to resolve a relative `extends`.
    dir: PathBuf,
}

#[derive(Default)]
struct Loader {
    problems: Vec<Problem>,
    depth: usize,
    /// The chain of packs being loaded, to catch a pack that extends itself.
    chain: Vec<String>,
}

impl Loader {
    fn finish(mut self, pending: Option<PendingLayer>) -> Result<RulePack, PackError> {
        let pack = pending.and_then(|p| self.resolve(p));
        match pack {
            Some(pack) if self.problems.is_empty() => Ok(pack),
            _ => {
                if self.problems.is_empty() {
                    self.problems.push(Problem::whole(
                        "<pack>",
                        None,
                        "the rule pack could not be loaded",
                    ));
                }
                Err(PackError::new(self.problems))
            }
        }
    }

    fn builtin_layer(&mut self, name: &str, base: Option<RulePack>) -> Option<PendingLayer> {
        let Some((_, files)) = builtin::PACKS.iter().find(|(n, _)| *n == name) else {
            let names: Vec<&str> = RulePack::builtin_names().collect();
            self.problems.push(Problem::whole(
                &format!("builtin:{name}"),
                None,
                format!(
                    "no built-in pack `{name}`; the built-in packs are {}",
                    names.join(", ")
                ),
            ));
            return None;
        };
        let mut layer = Layer::default();
        for (file, text) in files.iter() {
            let file: Arc<str> = format!("builtin:{file}").into();
            parse::parse_file(&file, &Arc::from(*text), &mut layer, &mut self.problems);
        }
        Some(PendingLayer {
            layer,
            base,
            dir: PathBuf::from("."),
        })
    }

    fn path_layer(&mut self, path: &Path, base: Option<RulePack>) -> Option<PendingLayer> {
        let display = path.display().to_string();
        let files = if path.is_dir() {
            let mut files = match std::fs::read_dir(path) {
                Ok(entries) => entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
                    .collect::<Vec<_>>(),
                Err(e) => {
                    self.problems.push(Problem::whole(
                        &display,
                        None,
                        format!("cannot read the directory: {e}"),
                    ));
                    return None;
                }
            };
            // pack.toml first, then the rest in name order.
            files.sort_by_key(|p| (p.file_name().is_none_or(|n| n != "pack.toml"), p.clone()));
            if files.is_empty() {
                self.problems.push(Problem::whole(
                    &display,
                    None,
                    "the directory holds no `.toml` files",
                ));
                return None;
            }
            files
        } else {
            vec![path.to_path_buf()]
        };
        let mut layer = Layer::default();
        for file in &files {
            let name: Arc<str> = file.display().to_string().into();
            match std::fs::read(file) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => {
                        parse::parse_file(&name, &Arc::from(text), &mut layer, &mut self.problems)
                    }
                    Err(e) => self.problems.push(Problem::whole(
                        &name,
                        None,
                        format!(
                            "the file is not valid UTF-8 (at byte {})",
                            e.utf8_error().valid_up_to()
                        ),
                    )),
                },
                Err(e) => self.problems.push(Problem::whole(
                    &name,
                    None,
                    format!("cannot read the rule pack: {e}"),
                )),
            }
        }
        let dir = if path.is_dir() {
            path.to_path_buf()
        } else {
            path.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        Some(PendingLayer { layer, base, dir })
    }

    fn text_layer(
        &mut self,
        file: &str,
        text: &str,
        dir: &Path,
        base: Option<RulePack>,
    ) -> Option<PendingLayer> {
        let mut layer = Layer::default();
        parse::parse_file(
            &Arc::from(file),
            &Arc::from(text),
            &mut layer,
            &mut self.problems,
        );
        Some(PendingLayer {
            layer,
            base,
            dir: dir.to_path_buf(),
        })
    }

    /// Loads what the layer extends, then applies the layer on top.
    fn resolve(&mut self, pending: PendingLayer) -> Option<RulePack> {
        let PendingLayer {
            mut layer,
            base,
            dir,
        } = pending;
        if layer.invalid_toml {
            // The syntax errors are reported; nothing more can be said about this layer.
            return None;
        }
        let extends = layer.meta.extends.take();
        let base = match (base, extends) {
            (Some(_), Some((_, loc))) => {
                self.problems.push(loc.problem(
                    None,
                    "this pack declares `extends`, but it is also layered on top of another pack; \
                     drop one of the two",
                ));
                return None;
            }
            (Some(base), None) => Some(base),
            (None, None) => None,
            (None, Some((target, loc))) => Some(self.load_base(&target, &loc, &dir)?),
        };
        let before = self.problems.len();
        let pack = apply(base, layer, &mut self.problems);
        (self.problems.len() == before).then_some(pack)
    }

    fn load_base(&mut self, target: &str, loc: &Loc, dir: &Path) -> Option<RulePack> {
        if self.depth >= MAX_DEPTH {
            self.problems.push(loc.problem(
                None,
                format!("packs extend one another more than {MAX_DEPTH} deep"),
            ));
            return None;
        }
        let builtin_name = target.strip_prefix("builtin:").or_else(|| {
            builtin::PACKS
                .iter()
                .any(|(n, _)| *n == target)
                .then_some(target)
        });
        let key = match builtin_name {
            Some(name) => format!("builtin:{name}"),
            None => {
                let path = dir.join(target);
                std::fs::canonicalize(&path)
                    .unwrap_or(path)
                    .display()
                    .to_string()
            }
        };
        if self.chain.contains(&key) {
            self.problems
                .push(loc.problem(None, format!("`{target}` extends itself through its bases")));
            return None;
        }
        let before = self.problems.len();
        let pending = match builtin_name {
            Some(name) => self.builtin_layer(name, None),
            None => {
                let path = dir.join(target);
                if !path.exists() {
                    let names: Vec<&str> = RulePack::builtin_names().collect();
                    self.problems.push(loc.problem(
                        None,
                        format!(
                            "cannot extend `{target}`: no such file or directory (looked for {}); \
                             the built-in packs are {}",
                            path.display(),
                            names.join(", ")
                        ),
                    ));
                    return None;
                }
                self.path_layer(&path, None)
            }
        };
        if self.problems.len() > before {
            return None;
        }
        self.chain.push(key);
        self.depth += 1;
        let pack = pending.and_then(|p| self.resolve(p));
        self.depth -= 1;
        self.chain.pop();
        pack
    }
}

/// Applies a layer to its base: disables, overrides, then adds rules.
fn apply(base: Option<RulePack>, layer: Layer, problems: &mut Vec<Problem>) -> RulePack {
    let Layer {
        meta,
        scoring,
        rules: new_rules,
        overrides,
        invalid_toml: _,
        normalize,
        normalize_loc: _,
        subjects,
        particles,
        clause_loc: _,
        words,
        segmenter_loc: _,
        dimensions,
        eligibility,
        scorecard_loc,
    } = layer;
    let mut pack = base.unwrap_or_else(|| RulePack {
        name: String::new(),
        version: "0.0.0".to_string(),
        language: RulePack::DEFAULT.to_string(),
        description: None,
        scoring: Scoring::default(),
        normalization: Normalization::DEFAULT,
        subjects: Vec::new(),
        particles: Vec::new(),
        words: Vec::new(),
        rules: Vec::new(),
    });
    for (key, on) in normalize {
        pack.normalization.set(key, on);
    }
    if let Some(subjects) = subjects {
        pack.subjects = subjects;
    }
    if let Some(particles) = particles {
        pack.particles = particles;
    }
    for word in words {
        if !pack.words.contains(&word) {
            pack.words.push(word);
        }
    }
    let base_name = pack.name.clone();
    if meta.loc.is_none() {
        let file = new_rules
            .first()
            .map(|(_, loc)| loc.file.to_string())
            .unwrap_or_else(|| "<pack>".to_string());
        problems.push(Problem::whole(
            &file,
            None,
            "the pack has no `[pack]` table; add one with at least `name = \"…\"`",
        ));
    }
    if let Some(name) = meta.name {
        pack.name = name;
    }
    if let Some(version) = meta.version {
        pack.version = version;
    }
    if let Some(language) = meta.language {
        pack.language = language;
    }
    if meta.description.is_some() {
        pack.description = meta.description;
    }

    let in_base = if base_name.is_empty() {
        String::new()
    } else {
        format!(" in `{base_name}`")
    };
    for (id, loc) in &meta.disable {
        let before = pack.rules.len();
        pack.rules.retain(|r| r.id() != id);
        if pack.rules.len() == before {
            problems.push(loc.problem(
                None,
                unknown_rule_message("cannot disable", id, &in_base, &pack.rules),
            ));
        }
    }

    for o in overrides {
        let Some(rule) = pack.rules.iter_mut().find(|r| r.id() == o.id) else {
            let disabled = meta.disable.iter().any(|(d, _)| *d == o.id);
            let message = if disabled {
                format!("cannot override `{}`: it is disabled in `[pack]`", o.id)
            } else {
                unknown_rule_message("cannot override", &o.id, &in_base, &pack.rules)
            };
            problems.push(o.loc.problem(None, message));
            continue;
        };
        for (key, loc) in &o.kind_keys {
            if let Some(kinds) = parse::key_kinds(key) {
                if !kinds.contains(&rule.kind) {
                    let names: Vec<String> =
                        kinds.iter().map(|k| format!("`{}`", k.as_str())).collect();
                    problems.push(loc.problem(
                        Some(&o.id),
                        format!(
                            "`{key}` applies only to rules of kind {}; this one is `{}`",
                            names.join(" or "),
                            rule.kind
                        ),
                    ));
                }
            }
        }
        if let Some(severity) = o.severity {
            rule.severity = severity;
        }
        if o.deduct.is_some() {
            rule.explicit_deduct = o.deduct;
        }
        if o.max_deduct.is_some() {
            rule.max_deduct = o.max_deduct;
        }
        if let Some(per) = o.per {
            rule.per = per;
        }
        if o.dimension.is_some() {
            rule.own_dimension = o.dimension;
        }
        if let Some(channels) = o.channels {
            rule.channels = channels;
        }
        if let Some(message) = o.message {
            rule.message = message.into();
        }
        if let Some(suggest) = o.suggest {
            rule.suggest = Some(suggest.into());
        }
        if let Some(replace) = o.replace {
            rule.replace = Some(replace.into());
        }
        if let Some(fix) = o.fix {
            rule.fix = fix;
        }
        if let Some(window) = o.window {
            rule.window = window;
        }
        if let Some(limit) = o.limit {
            rule.limit = limit;
        }
        if let Some(own) = rule.leaves.first_mut() {
            if let Some(roles) = o.roles {
                own.roles = roles;
            }
            if let Some(n) = o.min_count {
                own.min_count = n;
            }
        }
    }

    let mut seen: HashMap<Arc<str>, (String, bool)> = pack
        .rules
        .iter()
        .map(|r| (r.id.clone(), (r.origin.to_string(), true)))
        .collect();
    for (rule, loc) in new_rules {
        for leaf in &rule.leaves {
            let mut normalization = pack.normalization;
            for &(key, on) in &leaf.normalize_overrides {
                normalization.set(key, on);
            }
            let normalizer = Normalizer::new(normalization);
            for phrase in leaf
                .phrases
                .iter()
                .filter(|p| !crate::pattern::has_slots(p))
            {
                if normalizer.phrase(phrase).is_empty() {
                    problems.push(loc.problem(
                        Some(&rule.id),
                        format!(
                            "phrase `{phrase}` is empty once normalized (separators are \
                             skipped), so it would match everywhere"
                        ),
                    ));
                }
            }
        }
        if let Some((first, in_base)) = seen.get(&rule.id) {
            let hint = if *in_base {
                format!(
                    "; to change a rule of the base pack, use `[override.\"{}\"]`",
                    rule.id
                )
            } else {
                String::new()
            };
            problems.push(loc.problem(
                Some(&rule.id),
                format!("duplicate rule id: it is already defined at {first}{hint}"),
            ));
            continue;
        }
        seen.insert(rule.id.clone(), (rule.origin.to_string(), false));
        pack.rules.push(rule);
    }

    if let Some(n) = scoring.full_marks {
        pack.scoring.full_marks = n;
    }
    if let Some(n) = scoring.pass_mark {
        pack.scoring.pass_mark = n;
    }
    for (slot, value) in pack.scoring.deduct.iter_mut().zip(scoring.deduct) {
        if let Some(v) = value {
            *slot = v;
        }
    }
    if pack.scoring.pass_mark > pack.scoring.full_marks {
        let message = format!(
            "`pass-mark` ({}) is above `full-marks` ({}): no transcript could pass",
            pack.scoring.pass_mark, pack.scoring.full_marks
        );
        match &scoring.loc {
            Some(loc) => problems.push(loc.problem(None, message)),
            None => problems.push(Problem::whole("<pack>", None, message)),
        }
    }
    if let Some(dimensions) = dimensions {
        pack.scoring.dimensions = dimensions
            .iter()
            .map(|d| Dimension {
                name: d.name.clone(),
                max: d.max,
                categories: d.categories.clone(),
            })
            .collect();
        let total: u32 = dimensions.iter().map(|d| d.max).sum();
        if !dimensions.is_empty() && total != pack.scoring.full_marks {
            if let Some(loc) = &scorecard_loc {
                problems.push(loc.problem(
                    None,
                    format!(
                        "the dimensions' `max` add up to {total}, but `full-marks` is {}; \
                         they must agree",
                        pack.scoring.full_marks
                    ),
                ));
            }
        }
    }
    if let Some((min_turns, channels)) = eligibility {
        pack.scoring.eligibility = Some(Eligibility {
            min_turns,
            channels,
        });
    }
    for rule in &mut pack.rules {
        rule.deduct = rule
            .explicit_deduct
            .unwrap_or_else(|| pack.scoring.default_deduct(rule.severity));
        if rule.kind != RuleKind::Required {
            rule.window = Window::Anywhere;
        }
        for leaf in &mut rule.leaves {
            leaf.normalization = pack.normalization;
            for &(key, on) in &leaf.normalize_overrides {
                leaf.normalization.set(key, on);
            }
            leaf.subjects = leaf
                .own_subjects
                .clone()
                .unwrap_or_else(|| pack.subjects.clone());
            leaf.particles = leaf
                .own_particles
                .clone()
                .unwrap_or_else(|| pack.particles.clone());
            if let Err(message) = compile_for_normalization(leaf) {
                problems.push(Problem::at_line(
                    &rule.origin.file,
                    rule.origin.line,
                    Some(&rule.id),
                    message,
                ));
            }
        }
        rule.dimension = None;
        if !pack.scoring.dimensions.is_empty() {
            let dimension = match &rule.own_dimension {
                Some(name) => pack.scoring.dimensions.iter().find(|d| &d.name == name),
                None => pack
                    .scoring
                    .dimensions
                    .iter()
                    .find(|d| d.categories.iter().any(|c| c == rule.category())),
            };
            match dimension {
                Some(d) => rule.dimension = Some(d.name.clone()),
                None => {
                    let names: Vec<&str> = pack
                        .scoring
                        .dimensions
                        .iter()
                        .map(|d| d.name.as_str())
                        .collect();
                    let message = match &rule.own_dimension {
                        Some(name) => format!(
                            "no scorecard dimension `{name}`; the dimensions are {}",
                            names.join(", ")
                        ),
                        None => format!(
                            "the rule counts against no scorecard dimension: add `{}` to a \
                             dimension's `categories`, or give the rule a `dimension`",
                            rule.category()
                        ),
                    };
                    problems.push(Problem::at_line(
                        &rule.origin.file,
                        rule.origin.line,
                        Some(&rule.id),
                        message,
                    ));
                }
            }
        }
    }
    pack
}

/// Compiles a leaf's phrases and patterns for the text its normalization produces: slotted
/// phrases and regexes are folded like the text (see `Normalizer::pattern`).
fn compile_for_normalization(rule: &mut Leaf) -> Result<(), String> {
    let normalizer = Normalizer::new(rule.normalization);
    let compile = |source: &str, verify| {
        Pattern::from_regex(&normalizer.pattern(source), verify)
            .map_err(|e| format!("`{source}` does not compile once normalized: {}", e.message))
    };
    let mut needles = Vec::new();
    for phrase in rule.phrases.iter().filter(|p| !parse::has_values(p)) {
        if has_slots(phrase) {
            let regex = slots_to_regex(phrase).map_err(|e| e.message)?;
            needles.push(Needle::Pattern(Arc::new(compile(&regex, None)?)));
        } else {
            needles.push(Needle::Literal(phrase.clone()));
        }
    }
    for source in &rule.patterns {
        let pattern = compile(source, rule.verify)?;
        for anchor in pattern.anchors.iter().flatten() {
            if let Some(c) = normalizer.skipped_in(anchor) {
                return Err(format!(
                    "pattern `{source}` needs {c:?}, which normalization skips, so it can never \
                     match; remove it, or set `normalize = {{ separators = false }}` on the rule"
                ));
            }
        }
        needles.push(Needle::Pattern(Arc::new(pattern)));
    }
    rule.needles = needles;
    rule.unless.compiled = rule
        .unless
        .matches
        .iter()
        .map(|m| compile(m, None).map(Arc::new))
        .collect::<Result<_, _>>()?;
    Ok(())
}

fn unknown_rule_message(action: &str, id: &str, place: &str, rules: &[Rule]) -> String {
    let mut message = format!("{action} `{id}`: there is no such rule{place}");
    if let Some(close) = did_you_mean(id, rules.iter().map(|r| r.id())) {
        message.push_str(&format!("; did you mean `{close}`?"));
    }
    message
}

/// The candidate closest to `word`, if one is close enough to be a likely typo.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
[pack]
name = "base"
version = "1.0.0"

[scoring]
pass-mark = 90

[[rule]]
id = "forbidden.a"
kind = "forbidden"
phrases = ["甲"]
severity = "minor"
message = "a"

[[rule]]
id = "forbidden.b"
kind = "forbidden"
phrases = ["乙"]
severity = "major"
deduct = 7
message = "b"
"#;

    fn base() -> RulePack {
        RulePack::from_toml("base.toml", BASE).expect("valid base")
    }

    #[test]
    fn deductions_default_by_severity() {
        let pack = base();
        assert_eq!(pack.rule("forbidden.a").map(Rule::deduct), Some(2));
        assert_eq!(pack.rule("forbidden.b").map(Rule::deduct), Some(7));
        assert_eq!(pack.scoring().pass_mark(), 90);
        assert_eq!(pack.scoring().full_marks(), 100);
    }

    #[test]
    fn a_layer_disables_overrides_and_adds() {
        let pack = base()
            .layer_toml(
                "acme.toml",
                r#"
[pack]
name = "acme"
disable = ["forbidden.b"]

[scoring.deduct]
major = 8

[override."forbidden.a"]
severity = "major"

[[rule]]
id = "forbidden.c"
kind = "forbidden"
phrases = ["丙"]
severity = "fatal"
message = "c"
"#,
            )
            .expect("valid layer");
        assert_eq!(pack.name(), "acme");
        assert_eq!(pack.version(), "1.0.0");
        let ids: Vec<&str> = pack.rules().iter().map(Rule::id).collect();
        assert_eq!(ids, vec!["forbidden.a", "forbidden.c"]);
        let a = pack.rule("forbidden.a").expect("kept");
        assert_eq!(a.severity(), rule::Severity::Major);
        assert_eq!(
            a.deduct(),
            8,
            "the override's severity picks the layer's default"
        );
        assert_eq!(pack.scoring().pass_mark(), 90);
    }

    #[test]
    fn layer_problems_name_the_unknown_ids() {
        let err = base()
            .layer_toml(
                "acme.toml",
                "[pack]\nname = \"acme\"\ndisable = [\"forbidden.bb\"]\n\n[override.\"forbidden.z\"]\nseverity = \"fatal\"\n\n[[rule]]\nid = \"forbidden.a\"\nkind = \"forbidden\"\nphrases = [\"x\"]\nseverity = \"minor\"\nmessage = \"m\"\n",
            )
            .expect_err("invalid layer");
        let problems: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            vec![
                "acme.toml:3:12: cannot disable `forbidden.bb`: there is no such rule in `base`; did you mean `forbidden.b`?",
                "acme.toml:5:11: cannot override `forbidden.z`: there is no such rule in `base`; did you mean `forbidden.b`?",
                "acme.toml:8:1: rule `forbidden.a`: duplicate rule id: it is already defined at base.toml:9; to change a rule of the base pack, use `[override.\"forbidden.a\"]`",
            ]
        );
    }

    #[test]
    fn extends_a_builtin_and_a_missing_path() {
        let pack = RulePack::from_toml(
            "acme.toml",
            "[pack]\nname = \"acme\"\nextends = \"zh-CN\"\n",
        )
        .expect("extends the built-in pack");
        assert!(pack.rules().len() > 30);
        let err = RulePack::from_toml(
            "acme.toml",
            "[pack]\nname = \"acme\"\nextends = \"no/such/pack.toml\"\n",
        )
        .expect_err("missing base");
        assert!(
            err.to_string().starts_with("invalid rule pack: acme.toml:3:11: cannot extend `no/such/pack.toml`: no such file or directory"),
            "{err}"
        );
    }

    #[test]
    fn matching_options_are_validated() {
        let err = RulePack::from_toml(
            "m.toml",
            r#"[pack]
name = "m"

[normalize]
width = "yes"
widths = true

[[rule]]
id = "forbidden.a"
kind = "forbidden"
phrases = ["不行", "  ", "~"]
subjects = ["我"]
boundary = "clause-start"
unless = { followed-by = ["的话", ""], quoted = 1, around = [] }
severity = "minor"
message = "m"

[[rule]]
id = "forbidden.b"
kind = "forbidden"
patterns = ['喂 说吧']
severity = "minor"
message = "m"
"#,
        )
        .expect_err("invalid");
        let problems: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            vec![
                "m.toml:5:9: `width` must be true or false, found a string",
                "m.toml:6:1: unknown key `widths` in `[normalize]`; did you mean `width`?",
                "m.toml:11:18: rule `forbidden.a`: an empty phrase would match everywhere; remove it",
                "m.toml:12:12: rule `forbidden.a`: `subjects` applies only with `boundary = \"clause\"`",
                "m.toml:13:12: rule `forbidden.a`: unknown boundary `clause-start`; expected none, word, clause or clause-end; did you mean `clause`?",
                "m.toml:14:33: rule `forbidden.a`: `followed-by` holds an empty string",
                "m.toml:14:47: rule `forbidden.a`: `quoted` must be true or false, found an integer",
                "m.toml:14:50: rule `forbidden.a`: unknown key `around` in `unless`; expected one of: preceded-by, followed-by, inside, matches, quoted",
                "m.toml:18:1: rule `forbidden.b`: pattern `喂 说吧` needs ' ', which normalization skips, so it can never match; remove it, or set `normalize = { separators = false }` on the rule",
            ]
        );
        let err = RulePack::from_toml(
            "m.toml",
            "[pack]\nname = \"m\"\n[[rule]]\nid = \"forbidden.b\"\nkind = \"forbidden\"\nphrases = [\"~\"]\npatterns = ['喂 说吧']\nseverity = \"minor\"\nmessage = \"m\"\n",
        )
        .expect_err("invalid");
        let problems: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            vec![
                "m.toml:3:1: rule `forbidden.b`: phrase `~` is empty once normalized (separators are skipped), so it would match everywhere",
                "m.toml:3:1: rule `forbidden.b`: pattern `喂 说吧` needs ' ', which normalization skips, so it can never match; remove it, or set `normalize = { separators = false }` on the rule",
            ]
        );
    }

    #[test]
    fn a_pack_needs_a_pack_table() {
        let err = RulePack::from_toml(
            "r.toml",
            "[[rule]]\nid = \"forbidden.a\"\nkind = \"forbidden\"\nphrases = [\"x\"]\nseverity = \"minor\"\nmessage = \"m\"\n",
        )
        .expect_err("no [pack]");
        assert_eq!(
            err.to_string(),
            "invalid rule pack: r.toml: the pack has no `[pack]` table; add one with at least `name = \"…\"`"
        );
    }
}
