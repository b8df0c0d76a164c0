//! Layering: what one pack declares, applied on top of the pack it extends (settings, disabled
//! rules, overrides, new rules, scoring), then every rule settled against the result: its
//! deduction, its matching options and its scorecard dimension.

use std::collections::HashMap;
use std::sync::Arc;

use super::RulePack;
use super::error::Problem;
use super::parse::{self, Layer, Loc, Meta, Override, RawDimension, RawScoring};
use super::rule::{
    Asr, ChannelSet, ContextWords, Dimension, Eligibility, Leaf, Needle, Rule, RuleKind, Scoring,
    Window,
};
use crate::text::did_you_mean;
use crate::text::normalize::{Normalization, Normalizer};
use crate::text::pattern::{Pattern, has_slots, needs_absent, slots_to_regex};

/// Applies a layer to its base: disables, overrides, then adds rules.
pub(super) fn apply(base: Option<RulePack>, layer: Layer, problems: &mut Vec<Problem>) -> RulePack {
    let Layer {
        mut meta,
        scoring,
        rules: new_rules,
        overrides,
        invalid_toml: _,
        normalize,
        normalize_loc: _,
        subjects,
        particles,
        clause_loc: _,
        context,
        context_loc: _,
        asr_fillers,
        asr_alike,
        asr_channels,
        asr_loc: _,
        words,
        segmenter_loc: _,
        dimensions,
        eligibility,
        scorecard_loc,
    } = layer;
    let mut pack = base.unwrap_or_else(empty);
    for (key, on) in normalize {
        pack.normalization.set(key, on);
    }
    if let Some(subjects) = subjects {
        pack.subjects = subjects;
    }
    if let Some(particles) = particles {
        pack.particles = particles;
    }
    for (key, list) in context {
        if let Some(slot) = pack.context.list_mut(key) {
            *slot = list;
        }
    }
    if let Some(fillers) = asr_fillers {
        pack.asr.tolerance.fillers = fillers;
    }
    if let Some(alike) = asr_alike {
        pack.asr.tolerance.alike = alike;
    }
    if let Some(channels) = asr_channels {
        pack.asr.channels = channels;
    }
    for word in words {
        if !pack.words.contains(&word) {
            pack.words.push(word);
        }
    }
    let base_name = pack.name.clone();
    apply_meta(&mut pack, &mut meta, &new_rules, problems);

    let in_base = if base_name.is_empty() {
        String::new()
    } else {
        format!(" in `{base_name}`")
    };
    disable(&mut pack, &meta.disable, &in_base, problems);
    for o in overrides {
        apply_override(&mut pack, o, &meta.disable, &in_base, problems);
    }
    add_rules(&mut pack, new_rules, problems);

    apply_scoring(
        &mut pack.scoring,
        scoring,
        dimensions,
        eligibility,
        scorecard_loc.as_ref(),
        problems,
    );
    let RulePack {
        scoring,
        normalization,
        subjects,
        particles,
        rules,
        ..
    } = &mut pack;
    // Settling compiles each rule's regexes, most of what loading a pack costs: inside
    // `RulePack::compile_in_parallel`, rules are settled side by side. Their problems are
    // kept in rule order either way.
    let settle = |rule: &mut Rule| {
        let mut found = Vec::new();
        settle(
            rule,
            scoring,
            *normalization,
            subjects,
            particles,
            &mut found,
        );
        found
    };
    #[cfg(feature = "parallel")]
    let found: Vec<Vec<Problem>> = if super::parallel::enabled() {
        use rayon::prelude::*;
        rules.par_iter_mut().map(settle).collect()
    } else {
        rules.iter_mut().map(settle).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let found: Vec<Vec<Problem>> = rules.iter_mut().map(settle).collect();
    problems.extend(found.into_iter().flatten());
    pack
}

#[cfg(feature = "parallel")]
impl RulePack {
    /// Runs `load`, compiling the rules of every pack it loads (its regexes, most of what
    /// loading costs) side by side on the current rayon pool: the pool `load` is installed
    /// in, or rayon's global pool. A checker compiled in `load` builds its matchers side by
    /// side too. Problems come in the same order as without it.
    ///
    /// Only on request, never by default: a rayon thread that waits for the rules may run
    /// other queued rayon work meanwhile, and work that waits for the pack being loaded (a
    /// `LazyLock` holding a checker, say) would then wait for itself. Call it where no other
    /// rayon work can wait on what `load` builds, as the command line does at its start.
    pub fn compile_in_parallel<R>(load: impl FnOnce() -> R) -> R {
        super::parallel::with(load)
    }
}

/// The pack a layer applies to when it extends none.
fn empty() -> RulePack {
    RulePack {
        name: String::new(),
        version: "0.0.0".to_string(),
        language: RulePack::DEFAULT.to_string(),
        description: None,
        scoring: Scoring::default(),
        normalization: Normalization::DEFAULT,
        subjects: Vec::new(),
        particles: Vec::new(),
        context: ContextWords::default(),
        asr: Asr::default(),
        words: Vec::new(),
        rules: Vec::new(),
    }
}

/// `[pack]`: the layer's name, version, language and description replace the base's.
fn apply_meta(
    pack: &mut RulePack,
    meta: &mut Meta,
    new_rules: &[(Rule, Loc)],
    problems: &mut Vec<Problem>,
) {
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
    if let Some(name) = meta.name.take() {
        pack.name = name;
    }
    if let Some(version) = meta.version.take() {
        pack.version = version;
    }
    if let Some(language) = meta.language.take() {
        pack.language = language;
    }
    if meta.description.is_some() {
        pack.description = meta.description.take();
    }
}

/// `disable = [...]`: drops rules of the base; an id it does not have is a problem.
fn disable(
    pack: &mut RulePack,
    disabled: &[(String, Loc)],
    in_base: &str,
    problems: &mut Vec<Problem>,
) {
    for (id, loc) in disabled {
        let before = pack.rules.len();
        pack.rules.retain(|r| r.id() != id);
        if pack.rules.len() == before {
            problems.push(loc.problem(
                None,
                unknown_rule_message("cannot disable", id, in_base, &pack.rules),
            ));
        }
    }
}

/// `[override."rule.id"]`: changes a rule of the base, which must have it (and not disable it).
fn apply_override(
    pack: &mut RulePack,
    o: Override,
    disabled: &[(String, Loc)],
    in_base: &str,
    problems: &mut Vec<Problem>,
) {
    let Some(rule) = pack.rules.iter_mut().find(|r| r.id() == o.id) else {
        let message = if disabled.iter().any(|(d, _)| *d == o.id) {
            format!("cannot override `{}`: it is disabled in `[pack]`", o.id)
        } else {
            unknown_rule_message("cannot override", &o.id, in_base, &pack.rules)
        };
        problems.push(o.loc.problem(None, message));
        return;
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
    overwrite(rule, o);
}

/// Sets what an override gives on the rule, leaving the rest as the base has it.
fn overwrite(rule: &mut Rule, o: Override) {
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

/// The layer's own rules, after the base's: an id already taken is a problem.
fn add_rules(pack: &mut RulePack, new_rules: Vec<(Rule, Loc)>, problems: &mut Vec<Problem>) {
    let mut seen: HashMap<Arc<str>, (String, bool)> = pack
        .rules
        .iter()
        .map(|r| (r.id.clone(), (r.origin.to_string(), true)))
        .collect();
    for (rule, loc) in new_rules {
        check_phrases_survive_normalization(&rule, &loc, pack.normalization, problems);
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
}

/// A phrase that normalization folds away entirely would match everywhere.
fn check_phrases_survive_normalization(
    rule: &Rule,
    loc: &Loc,
    pack_normalization: Normalization,
    problems: &mut Vec<Problem>,
) {
    for leaf in &rule.leaves {
        let mut normalization = pack_normalization;
        for &(key, on) in &leaf.normalize_overrides {
            normalization.set(key, on);
        }
        let normalizer = Normalizer::new(normalization);
        for phrase in leaf.phrases.iter().filter(|p| !has_slots(p)) {
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
}

/// `[scoring]` and `[scorecard]`: the layer's marks, deductions, dimensions and eligibility
/// replace the base's, and must agree with one another.
fn apply_scoring(
    pack_scoring: &mut Scoring,
    scoring: RawScoring,
    dimensions: Option<Vec<RawDimension>>,
    eligibility: Option<(u32, ChannelSet)>,
    scorecard_loc: Option<&Loc>,
    problems: &mut Vec<Problem>,
) {
    if let Some(n) = scoring.full_marks {
        pack_scoring.full_marks = n;
    }
    if let Some(n) = scoring.pass_mark {
        pack_scoring.pass_mark = n;
    }
    for (slot, value) in pack_scoring.deduct.iter_mut().zip(scoring.deduct) {
        if let Some(v) = value {
            *slot = v;
        }
    }
    if pack_scoring.pass_mark > pack_scoring.full_marks {
        let message = format!(
            "`pass-mark` ({}) is above `full-marks` ({}): no transcript could pass",
            pack_scoring.pass_mark, pack_scoring.full_marks
        );
        match &scoring.loc {
            Some(loc) => problems.push(loc.problem(None, message)),
            None => problems.push(Problem::whole("<pack>", None, message)),
        }
    }
    let dimensions_changed = dimensions.is_some();
    if let Some(dimensions) = dimensions {
        pack_scoring.dimensions = dimensions
            .iter()
            .map(|d| Dimension {
                name: d.name.clone(),
                max: d.max,
                categories: d.categories.clone(),
            })
            .collect();
    }
    // Checked whichever of the two this layer changes: a `full-marks` over a base's
    // dimensions must add up as much as new dimensions under the base's `full-marks`.
    let total: u32 = pack_scoring.dimensions.iter().map(|d| d.max).sum();
    let changed = dimensions_changed || scoring.full_marks.is_some();
    if changed && !pack_scoring.dimensions.is_empty() && total != pack_scoring.full_marks {
        let message = format!(
            "the dimensions' `max` add up to {total}, but `full-marks` is {}; they must agree",
            pack_scoring.full_marks
        );
        let loc = if dimensions_changed {
            scorecard_loc.or(scoring.loc.as_ref())
        } else {
            scoring.loc.as_ref().or(scorecard_loc)
        };
        match loc {
            Some(loc) => problems.push(loc.problem(None, message)),
            None => problems.push(Problem::whole("<pack>", None, message)),
        }
    }
    if let Some((min_turns, channels)) = eligibility {
        pack_scoring.eligibility = Some(Eligibility {
            min_turns,
            channels,
        });
    }
}

/// Settles a rule against the finished pack: its deduction, its leaves' matching options
/// (compiled for them), and the scorecard dimension it counts against.
fn settle(
    rule: &mut Rule,
    scoring: &Scoring,
    normalization: Normalization,
    subjects: &[String],
    particles: &[String],
    problems: &mut Vec<Problem>,
) {
    rule.deduct = rule
        .explicit_deduct
        .unwrap_or_else(|| scoring.default_deduct(rule.severity));
    if rule.kind != RuleKind::Required {
        rule.window = Window::Anywhere;
    }
    for leaf in &mut rule.leaves {
        leaf.normalization = normalization;
        for &(key, on) in &leaf.normalize_overrides {
            leaf.normalization.set(key, on);
        }
        leaf.subjects = leaf
            .own_subjects
            .clone()
            .unwrap_or_else(|| subjects.to_vec());
        leaf.particles = leaf
            .own_particles
            .clone()
            .unwrap_or_else(|| particles.to_vec());
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
    if !scoring.dimensions.is_empty() {
        assign_dimension(rule, &scoring.dimensions, problems);
    }
}

/// The dimension a rule names, or else the one whose categories hold the rule's.
fn assign_dimension(rule: &mut Rule, dimensions: &[Dimension], problems: &mut Vec<Problem>) {
    let dimension = match &rule.own_dimension {
        Some(name) => dimensions.iter().find(|d| &d.name == name),
        None => dimensions
            .iter()
            .find(|d| d.categories.iter().any(|c| c == rule.category())),
    };
    match dimension {
        Some(d) => rule.dimension = Some(d.name.clone()),
        None => {
            let names: Vec<&str> = dimensions.iter().map(|d| d.name.as_str()).collect();
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

/// Compiles a leaf's phrases and patterns for the text its normalization produces: slotted
/// phrases and regexes are folded like the text (see `Normalizer::pattern`).
fn compile_for_normalization(rule: &mut Leaf) -> Result<(), String> {
    let normalizer = Normalizer::new(rule.normalization);
    let compile_with_tree = |source: &str, verify| {
        let normalized = normalizer.pattern(source);
        Pattern::compiled(&normalized, verify).map_err(|e| {
            if normalized == source {
                format!("`{source}` does not compile: {}", e.message)
            } else {
                format!(
                    "`{source}` does not compile once normalized (as `{normalized}`): {}",
                    e.message
                )
            }
        })
    };
    let compile = |source: &str, verify| compile_with_tree(source, verify).map(|(p, _)| p);
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
        let (pattern, hir) = compile_with_tree(source, rule.verify)?;
        if let Some(c) = needs_absent(&hir, &|c| normalizer.leaves_out(c)) {
            return Err(if normalizer.skips(c) {
                format!(
                    "pattern `{source}` needs {c:?}, which normalization skips, so it can never \
                     match; remove it, or set `normalize = {{ separators = false }}` on the rule"
                )
            } else {
                format!(
                    "pattern `{source}` needs {c:?}, which normalization turns into {:?}, so it \
                     can never match; write {:?} instead, or turn that folding off on the rule \
                     (`normalize = {{ … }}`)",
                    normalizer.folded(c),
                    normalizer.folded(c)
                )
            });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::rule::Severity;

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
        assert_eq!(a.severity(), Severity::Major);
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

    /// A pattern is refused for a skipped character only when every match needs one: some
    /// piece of it, in sequence, is only ever literals with such a character.
    #[test]
    fn a_pattern_is_refused_only_when_every_match_needs_a_skipped_character() {
        let load = |pattern: &str| {
            RulePack::from_toml(
                "m.toml",
                &format!(
                    "[pack]\nname = \"m\"\n[[rule]]\nid = \"forbidden.b\"\nkind = \"forbidden\"\n\
                     patterns = ['{pattern}']\nseverity = \"minor\"\nmessage = \"m\"\n"
                ),
            )
        };
        // 不行 needs no dash; the pieces after it none either.
        assert!(load(r"(?:好-|不行)\p{Han}*(?:好的|好的呀|好的啊)").is_ok());
        assert!(load(r"(?:好的|好的呀|呀-吧)\p{Han}*好[1-3]").is_ok());
        // Clause punctuation is kept: it is no separator.
        assert!(load("不行[，。！]").is_ok());
        // Every match holds a dash, a tilde, a caret or a space, whichever literals anchor it.
        // (In the last, each branch needs one.)
        for never in [
            r"-\p{Han}*(?:好|好的)",
            r"好1\p{Han}*好-的?",
            r"不行[~^]+",
            r"-好+|. ",
        ] {
            let err = load(never).expect_err(never);
            assert!(
                err.to_string().contains("which normalization skips"),
                "{never}: {err}"
            );
        }
        // Characters that normalization turns into others are never in the text either: a
        // full-width letter written as an escape (the pattern's own characters are folded,
        // its escapes are not), a radical, and a class of symbols, each of which is skipped
        // or folded to a character that is no symbol.
        for (never, into) in [
            (r"\x{FF21}\x{FF22}", "turns into 'a'"),
            (r"不\x{2F08}", "turns into '人'"),
            (r"[-a]\pS", "which normalization skips"),
        ] {
            let err = load(never).expect_err(never).to_string();
            assert!(err.contains(into), "{never}: {err}");
        }
        // …while a class that also holds what they fold to can match.
        assert!(load(r"[\x{FF21}a]b").is_ok());
        assert!(load(r"\x{2F08}?人").is_ok());
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
