//! `huashu rules list|explain|test|audit`: the tooling for rule packs, for a company's own pack
//! as much as for the built-in one.

use std::io::{self, Write};

use huashu::text::did_you_mean;
use huashu::{Checker, Role, Rule, RulePack};
use serde_json::json;

use crate::cli::{ListFormat, RulesCommand};
use crate::render::{json_error, plural};
use crate::{eval, exit, pack, render};

pub(crate) fn run(command: &RulesCommand) -> u8 {
    let args = match command {
        RulesCommand::List(a) | RulesCommand::Test(a) | RulesCommand::Audit(a) => a,
        RulesCommand::Explain { pack, .. } | RulesCommand::Eval { pack, .. } => pack,
    };
    let color = args.color.enabled(&io::stderr());
    let pack = match pack::load(&args.packs) {
        Ok(pack) => pack,
        Err(e) => {
            let _ = writeln!(io::stderr(), "{}", render::pack_error(&e, color));
            return exit::ERROR;
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = match command {
        RulesCommand::List(_) => list(&mut out, &pack, args.format).map(|()| exit::OK),
        RulesCommand::Explain { id, .. } => explain(&mut out, &pack, id, args.format),
        RulesCommand::Test(_) => test(&mut out, &pack, args.format),
        RulesCommand::Audit(_) => audit(&mut out, &pack, args.format),
        RulesCommand::Eval {
            corpus,
            min_precision,
            min_recall,
            show,
            ..
        } => {
            let limits = eval::Limits {
                precision: *min_precision,
                recall: *min_recall,
                show: *show,
            };
            eval::run(&mut out, &pack, corpus, args.format, &limits)
        }
    };
    match result.and_then(|code| out.flush().map(|()| code)) {
        Ok(code) => code,
        // The reader has all it wanted, as with `head`.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => exit::OK,
        Err(e) => {
            let _ = writeln!(io::stderr(), "error: cannot write the output: {e}");
            exit::ERROR
        }
    }
}

fn rule_json(rule: &Rule) -> serde_json::Value {
    json!({
        "id": rule.id(),
        "kind": rule.kind().as_str(),
        "category": rule.category(),
        "severity": rule.severity(),
        "deduct": rule.deduct(),
        "max_deduct": rule.max_deduct(),
        "channels": rule.channels().iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "message": rule.message(),
        "why": rule.why().map(str::trim),
        "suggest": rule.suggest(),
        "replace": rule.replace(),
        "fix": rule.replace().map(|_| rule.fix_safety()),
        "source": rule.source(),
        "examples": {
            "trigger": rule.examples().trigger,
            "pass": rule.examples().pass,
        },
        "defined_at": rule.origin().to_string(),
    })
}

fn list(out: &mut impl Write, pack: &RulePack, format: ListFormat) -> io::Result<()> {
    if format == ListFormat::Json {
        let rules: Vec<_> = pack.rules().iter().map(rule_json).collect();
        serde_json::to_writer_pretty(&mut *out, &rules).map_err(json_error)?;
        return writeln!(out);
    }
    let rows: Vec<[String; 4]> = pack
        .rules()
        .iter()
        .map(|r| {
            [
                r.id().to_string(),
                r.kind().as_str().to_string(),
                r.severity().to_string(),
                r.source().unwrap_or("-").to_string(),
            ]
        })
        .collect();
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let (w0, w1, w2) = (width(0).max(2), width(1).max(4), width(2).max(8));
    writeln!(
        out,
        "{:w0$}  {:w1$}  {:w2$}  source",
        "id", "kind", "severity"
    )?;
    for [id, kind, severity, source] in &rows {
        writeln!(out, "{id:w0$}  {kind:w1$}  {severity:w2$}  {source}")?;
    }
    writeln!(out, "{} rules in pack {}", rows.len(), pack.name())
}

fn explain(out: &mut impl Write, pack: &RulePack, id: &str, format: ListFormat) -> io::Result<u8> {
    let Some(rule) = pack.rule(id) else {
        let near = did_you_mean(id, pack.rules().iter().map(|r| r.id()));
        let hint = near
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_else(|| "; `huashu rules list` lists them".to_string());
        let _ = writeln!(
            io::stderr(),
            "error: pack {} has no rule `{id}`{hint}",
            pack.name()
        );
        return Ok(exit::ERROR);
    };
    if format == ListFormat::Json {
        serde_json::to_writer_pretty(&mut *out, &rule_json(rule)).map_err(json_error)?;
        writeln!(out)?;
        return Ok(exit::OK);
    }
    let mut cost = format!("deducts {}", rule.deduct());
    if let Some(max) = rule.max_deduct() {
        cost.push_str(&format!(", at most {max} per transcript"));
    }
    writeln!(
        out,
        "{} — {} rule, {}, {cost}",
        rule.id(),
        rule.kind().as_str(),
        rule.severity()
    )?;
    writeln!(out, "  {}", rule.message())?;
    if let Some(why) = rule.why() {
        writeln!(out, "\nwhy:")?;
        for line in why.trim().lines() {
            writeln!(out, "  {line}")?;
        }
    }
    writeln!(out)?;
    if let Some(source) = rule.source() {
        writeln!(out, "source:       {source}")?;
    }
    let roles: Vec<&str> = rule.roles().iter().map(|r| r.as_str()).collect();
    let channels: Vec<&str> = rule.channels().iter().map(|c| c.as_str()).collect();
    writeln!(out, "roles:        {}", roles.join(", "))?;
    writeln!(out, "channels:     {}", channels.join(", "))?;
    for leaf in rule.leaves() {
        if !leaf.phrases().is_empty() {
            writeln!(out, "phrases:      {}", leaf.phrases().join("、"))?;
        }
        if !leaf.patterns().is_empty() {
            for p in leaf.patterns() {
                writeln!(out, "pattern:      {p}")?;
            }
        }
        let u = leaf.unless();
        let mut exceptions = Vec::new();
        if !u.preceded_by.is_empty() {
            exceptions.push(format!("right after {}", u.preceded_by.join("、")));
        }
        if !u.followed_by.is_empty() {
            exceptions.push(format!("right before {}", u.followed_by.join("、")));
        }
        if !u.inside.is_empty() {
            exceptions.push(format!("inside {}", u.inside.join("、")));
        }
        for m in &u.matches {
            exceptions.push(format!("inside a match of {m}"));
        }
        if u.quoted {
            exceptions.push("inside quotation marks".to_string());
        }
        if !exceptions.is_empty() {
            writeln!(out, "not when:     {}", exceptions.join("; "))?;
        }
    }
    if let Some(suggest) = rule.suggest() {
        writeln!(out, "say instead:  {suggest}")?;
    }
    if let Some(replace) = rule.replace() {
        writeln!(
            out,
            "fix:          replace the words with “{replace}” ({})",
            match rule.fix_safety() {
                huashu::FixSafety::Safe => "safe: `huashu lint --fix` applies it",
                huashu::FixSafety::Unsafe => "unsafe: only `--fix --unsafe-fixes` applies it",
            }
        )?;
    }
    let examples = rule.examples();
    if !examples.trigger.is_empty() {
        writeln!(out, "\nmust trigger:")?;
        for e in &examples.trigger {
            writeln!(out, "  {}", e.replace('\n', "\n  "))?;
        }
    }
    if !examples.pass.is_empty() {
        writeln!(out, "\nmust pass:")?;
        for e in &examples.pass {
            writeln!(out, "  {}", e.replace('\n', "\n  "))?;
        }
    }
    writeln!(out, "\ndefined at {}", rule.origin())?;
    Ok(exit::OK)
}

/// Runs every example, and checks that each safe or unsafe fix removes the finding from the
/// trigger examples it applies to.
fn test(out: &mut impl Write, pack: &RulePack, format: ListFormat) -> io::Result<u8> {
    let checker = match Checker::new(pack) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(io::stderr(), "{}", render::pack_error(&e, false));
            return Ok(exit::ERROR);
        }
    };
    let mut failures: Vec<(String, String, String)> = Vec::new();
    for f in checker.test_examples() {
        let found: Vec<String> = f
            .findings
            .iter()
            .map(|x| match &x.text {
                Some(t) => format!("{} “{t}”", x.rule),
                None => x.rule.to_string(),
            })
            .collect();
        let what = if f.should_trigger {
            format!(
                "should trigger the rule, and did not{}",
                if found.is_empty() {
                    "; nothing was found".to_string()
                } else {
                    format!("; found: {}", found.join(", "))
                }
            )
        } else {
            let own: Vec<&String> = found.iter().filter(|x| x.starts_with(&f.rule)).collect();
            format!(
                "should pass, and the rule fired: {}",
                own.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        failures.push((f.rule, f.example, what));
    }
    for rule in pack.rules() {
        let Some(replace) = rule.replace() else {
            continue;
        };
        for example in &rule.examples().trigger {
            if example.contains('\n') {
                continue;
            }
            let role = rule.roles().iter().next().unwrap_or(Role::Agent);
            let hits: Vec<_> = checker
                .check_message(role, example)
                .into_iter()
                .filter(|f| &*f.rule == rule.id())
                .collect();
            let Some((start, end)) = hits.first().and_then(|h| h.byte_start.zip(h.byte_end)) else {
                continue;
            };
            let fixed = format!("{}{replace}{}", &example[..start], &example[end..]);
            let again = checker
                .check_message(role, &fixed)
                .into_iter()
                .any(|f| &*f.rule == rule.id());
            if again {
                failures.push((
                    rule.id().to_string(),
                    example.clone(),
                    format!("the fix gives “{fixed}”, which still triggers the rule"),
                ));
            }
        }
    }
    let examples: usize = pack
        .rules()
        .iter()
        .map(|r| r.examples().trigger.len() + r.examples().pass.len())
        .sum();
    if format == ListFormat::Json {
        let doc = json!({
            "rules": pack.rules().len(),
            "examples": examples,
            "failures": failures.iter().map(|(rule, example, what)| json!({
                "rule": rule, "example": example, "problem": what
            })).collect::<Vec<_>>(),
        });
        serde_json::to_writer_pretty(&mut *out, &doc).map_err(json_error)?;
        writeln!(out)?;
    } else {
        for (rule, example, what) in &failures {
            let origin = pack
                .rule(rule)
                .map(|r| r.origin().to_string())
                .unwrap_or_default();
            writeln!(out, "FAIL {rule} ({origin})")?;
            writeln!(out, "  example: {}", example.replace('\n', "\n           "))?;
            writeln!(out, "  {what}")?;
        }
        writeln!(
            out,
            "{} examples of {} rules: {}",
            examples,
            pack.rules().len(),
            if failures.is_empty() {
                "all behave".to_string()
            } else {
                format!("{} misbehave", failures.len())
            }
        )?;
    }
    Ok(if failures.is_empty() {
        exit::OK
    } else {
        exit::FAILED
    })
}

fn audit(out: &mut impl Write, pack: &RulePack, format: ListFormat) -> io::Result<u8> {
    let issues = pack.audit();
    if format == ListFormat::Json {
        serde_json::to_writer_pretty(&mut *out, &issues).map_err(json_error)?;
        writeln!(out)?;
    } else {
        for i in &issues {
            writeln!(
                out,
                "{}: {}: rule `{}` [{}]: {}",
                i.origin,
                i.level.as_str(),
                i.rule,
                i.check,
                i.message
            )?;
        }
        let errors = issues
            .iter()
            .filter(|i| i.level == huashu::IssueLevel::Error)
            .count();
        writeln!(
            out,
            "{} rules checked: {}",
            pack.rules().len(),
            if issues.is_empty() {
                "no problems".to_string()
            } else {
                format!(
                    "{errors} error{}, {} warning{}",
                    plural(errors),
                    issues.len() - errors,
                    if issues.len() - errors == 1 { "" } else { "s" }
                )
            }
        )?;
    }
    Ok(if issues.is_empty() {
        exit::OK
    } else {
        exit::FAILED
    })
}
