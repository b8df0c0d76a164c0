//! `[[rule]]`: a rule's id, kind, severity, message and deduction, then what its kind adds:
//! its own phrases, the conditions of a situation, or what a timing rule measures.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::leaf::{LEAF_KEYS, check_value_names, read_leaf};
use super::situation::{read_condition, read_within};
use super::value::{Cx, Entry, Loc, describe, lookup, or_list};
use crate::pack::rule::{
    AsrMode, ChannelSet, Condition, Examples, Expect, FixSafety, Leaf, Measure, Per, Rule,
    RuleKind, Window, Within,
};
use crate::text::did_you_mean;

/// The rule categories an id may start with.
pub(super) const CATEGORIES: &[&str] = &[
    "forbidden",
    "opening",
    "closing",
    "courtesy",
    "privacy",
    "situation",
    "timing",
    "email",
];

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
    "context",
    "when",
    "then",
    "within",
    "expect",
    "measure",
    "limit",
    "hold",
    "replace",
    "fix",
    "asr",
];

/// The kinds a rule key applies to (keys not listed apply to every kind).
pub(crate) fn key_kinds(key: &str) -> Option<&'static [RuleKind]> {
    use RuleKind::*;
    const OWN: &[RuleKind] = &[Forbidden, Required, Courtesy];
    Some(match key {
        "roles" | "phrases" | "patterns" | "verify" | "normalize" | "boundary" | "subjects"
        | "particles" | "unless" | "context" => OWN,
        "window" => &[Required],
        "min-count" => &[Courtesy],
        "when" | "then" | "within" | "expect" => &[Situation],
        "measure" | "limit" | "hold" => &[Timing],
        "replace" | "fix" => &[Forbidden],
        _ => return None,
    })
}

/// `rule`: an array of tables, each read into a rule; a rule with problems is left out.
pub(super) fn read_rules(
    cx: &mut Cx<'_>,
    value: &Spanned<DeValue<'_>>,
    rules: &mut Vec<(Rule, Loc)>,
) {
    match value.get_ref() {
        DeValue::Array(items) => {
            // Reading a rule checks its regexes, most of what parsing a pack costs: inside
            // `RulePack::compile_in_parallel`, rules are read side by side, each into problems
            // of its own, and the rules and problems are then taken in the order of the file,
            // as reading them in turn gives them. Reading a rule depends on no rule before it
            // (duplicate ids are found when the layer is applied), and leaves `cx.rule` unset.
            #[cfg(feature = "parallel")]
            if crate::pack::parallel::enabled() && items.len() > 1 {
                use rayon::prelude::*;
                debug_assert!(cx.rule.is_none(), "read_rules starts outside any rule");
                let (file, source) = (cx.file, cx.source);
                let items: Vec<&Spanned<DeValue<'_>>> = items.iter().collect();
                let read: Vec<_> = items
                    .par_iter()
                    .map(|item| {
                        let mut problems = Vec::new();
                        let rule = read_item(&mut Cx::new(file, source, &mut problems), item);
                        (rule, problems)
                    })
                    .collect();
                for (rule, problems) in read {
                    cx.problems.extend(problems);
                    rules.extend(rule);
                }
                return;
            }
            for item in items.iter() {
                rules.extend(read_item(cx, item));
            }
        }
        other => cx.err(
            value.span(),
            format!(
                "`rule` must be an array of tables (`[[rule]]`), found {}",
                describe(other)
            ),
        ),
    }
}

/// One item of the `rule` array: a rule table, read with where it is.
fn read_item(cx: &mut Cx<'_>, item: &Spanned<DeValue<'_>>) -> Option<(Rule, Loc)> {
    let table = cx.table(item, "rule")?;
    let rule = read_rule(cx, table, item.span())?;
    Some((rule, cx.loc(item.span())))
}

fn read_rule(cx: &mut Cx<'_>, table: &DeTable<'_>, span: Range<usize>) -> Option<Rule> {
    // The id first, so every other problem can name the rule.
    let id = read_id(cx, table, &span);
    cx.rule = id.clone();
    let problems_before = cx.problems.len();

    let entries = cx.entries(table, RULE_KEYS, "in a rule");
    let get = |name: &str| lookup(&entries, name);

    let kind = cx
        .require(get("kind"), &span, "rule has no `kind`")
        .and_then(|v| cx.choose(v, "kind", &RuleKind::ALL, RuleKind::as_str));
    if let Some(kind) = kind {
        check_kind_keys(cx, &entries, kind);
    }
    let severity = cx
        .require(get("severity"), &span, "rule has no `severity`")
        .and_then(|v| cx.severity(v));
    let message = cx
        .require(get("message"), &span, "rule has no `message`")
        .and_then(|v| cx.string(v, "message"));
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
    let asr = get("asr")
        .and_then(|v| cx.choose(v, "asr", &AsrMode::ALL, AsrMode::as_str))
        .unwrap_or_default();
    if let (Some(v), Some(RuleKind::Situation | RuleKind::Timing), AsrMode::Tolerant) =
        (get("asr"), kind, asr)
    {
        cx.err(
            v.span(),
            "`asr = \"tolerant\"` applies to rules with phrases of their own (forbidden, required, courtesy)",
        );
    }
    if let (Some(v), None) = (get("fix"), get("replace")) {
        cx.err(
            v.span(),
            "`fix` says whether `replace` may be applied automatically, and the rule has no `replace`",
        );
    }

    let body = match kind {
        Some(RuleKind::Forbidden | RuleKind::Required | RuleKind::Courtesy) => {
            read_own(cx, &entries, &span)
        }
        Some(RuleKind::Situation) => read_situation(cx, &entries, &span),
        Some(RuleKind::Timing) => read_timing(cx, &entries, &span),
        None => Body::default(),
    };
    let examples = get("examples")
        .map(|v| read_examples(cx, v))
        .unwrap_or_default();
    check_value_names(cx, span.clone(), &body.leaves, body.when.as_ref());

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
        leaves: body.leaves,
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
        window: body.window,
        when: body.when,
        then: body.then,
        within: body.within,
        expect: body.expect,
        measure: body.measure,
        limit: body.limit,
        hold: body.hold,
        examples,
        asr,
        origin: cx.loc(span).origin(),
    })
}

/// The rule's id, checked against the naming scheme (a bad id is still kept, to name the rule
/// in the problems that follow).
fn read_id(cx: &mut Cx<'_>, table: &DeTable<'_>, span: &Range<usize>) -> Option<String> {
    let value = table
        .iter()
        .find(|(k, _)| k.get_ref() == "id")
        .map(|(_, v)| v);
    let value = cx.require(value, span, "rule has no `id`")?;
    let id = cx.string(value, "id")?;
    if let Err(message) = valid_id(&id) {
        cx.err(value.span(), message);
    }
    Some(id)
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

/// Keys that belong to other kinds of rule than this one.
fn check_kind_keys(cx: &mut Cx<'_>, entries: &[Entry<'_, '_>], kind: RuleKind) {
    for (key, value) in entries {
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

/// What a rule's kind adds to it; each kind reads its own keys and leaves the rest as here.
struct Body {
    leaves: Vec<Leaf>,
    window: Window,
    when: Option<Condition>,
    then: Option<Condition>,
    within: Within,
    expect: Expect,
    measure: Option<Measure>,
    limit: f64,
    hold: Option<(usize, Option<f64>)>,
}

impl Default for Body {
    fn default() -> Self {
        Body {
            leaves: Vec::new(),
            window: Window::Anywhere,
            when: None,
            then: None,
            within: Within::default(),
            expect: Expect::Present,
            measure: None,
            limit: 0.0,
            hold: None,
        }
    }
}

/// `forbidden`, `required` and `courtesy` rules: one leaf of the rule's own keys, and for
/// `required` the window it looks in.
fn read_own(cx: &mut Cx<'_>, entries: &[Entry<'_, '_>], span: &Range<usize>) -> Body {
    let mut body = Body::default();
    let own: Vec<Entry<'_, '_>> = entries
        .iter()
        .filter(|(k, _)| LEAF_KEYS.contains(&k.get_ref().as_ref()))
        .copied()
        .collect();
    if let Some(leaf) = read_leaf(cx, &own, span.clone(), "rule") {
        body.leaves.push(leaf);
    }
    if let Some(v) = lookup(entries, "window") {
        body.window = cx.window(v).unwrap_or(Window::Anywhere);
    }
    body
}

/// `situation` rules: `when`, `then`, `within` and `expect`.
fn read_situation(cx: &mut Cx<'_>, entries: &[Entry<'_, '_>], span: &Range<usize>) -> Body {
    let get = |name: &str| lookup(entries, name);
    let mut leaves = Vec::new();
    let when = cx
        .require(
            get("when"),
            span,
            "a situation rule needs `when`: what triggers it",
        )
        .and_then(|v| read_condition(cx, v, "when", &mut leaves));
    let then = cx
        .require(
            get("then"),
            span,
            "a situation rule needs `then`: the response that must follow",
        )
        .and_then(|v| read_condition(cx, v, "then", &mut leaves));
    let within = get("within")
        .and_then(|v| read_within(cx, v))
        .unwrap_or_default();
    const EXPECT: [Expect; 2] = [Expect::Present, Expect::Absent];
    let expect = get("expect")
        .and_then(|v| {
            cx.choose(v, "expect", &EXPECT, |e| match e {
                Expect::Present => "present",
                Expect::Absent => "absent",
            })
        })
        .unwrap_or_default();
    Body {
        leaves,
        when,
        then,
        within,
        expect,
        ..Body::default()
    }
}

/// `timing` rules: `measure`, `limit` and `hold`.
fn read_timing(cx: &mut Cx<'_>, entries: &[Entry<'_, '_>], span: &Range<usize>) -> Body {
    let get = |name: &str| lookup(entries, name);
    let mut leaves = Vec::new();
    let measure = cx
        .require(
            get("measure"),
            span,
            "a timing rule needs `measure`: reply, first-response or hold-return",
        )
        .and_then(|v| cx.choose(v, "measure", &Measure::ALL, Measure::as_str));
    let limit = cx
        .require(
            get("limit"),
            span,
            "a timing rule needs `limit`, in seconds",
        )
        .and_then(|v| cx.seconds(v, "limit"))
        .unwrap_or(0.0);
    let hold = match get("hold") {
        Some(v) => {
            let hold = read_hold(cx, v, &mut leaves);
            if measure == Some(Measure::Reply) && hold.is_some_and(|(_, l)| l.is_none()) {
                cx.err(
                    v.span(),
                    "for `measure = \"reply\"`, `hold` needs `limit`: how long a hold \
                     suspends the reply clock",
                );
            }
            hold
        }
        None if measure == Some(Measure::HoldReturn) => {
            cx.err(
                span.clone(),
                "a hold-return rule needs `hold`: the phrases that announce a hold",
            );
            None
        }
        None => None,
    };
    Body {
        leaves,
        measure,
        limit,
        hold,
        ..Body::default()
    }
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
    let limit = match lookup(&entries, "limit") {
        Some(v) => Some(cx.seconds(v, "limit")?),
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

#[cfg(test)]
mod tests {
    use super::super::tests::parse;
    use super::*;

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
        let leaf = &rule.leaves()[0];
        assert_eq!(leaf.phrases().len(), 2);
        assert_eq!(leaf.patterns().len(), 1);
        // What searches is compiled once the pack's normalization is known.
        assert!(leaf.needles.is_empty());
        assert_eq!(rule.origin().line(), 5);
        assert_eq!(rule.examples().trigger, vec!["不知道".to_string()]);
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
