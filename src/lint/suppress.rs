//! Suppressions applied to findings, and findings about the suppressions themselves.

use super::{LINT_RULES, LintFinding, meta};
use crate::Checker;
use crate::replies::{ReplyLibrary, names};

/// Applies the library's suppressions to `findings`, and reports the suppressions that are
/// malformed, give no reason, name an unknown rule or suppress nothing.
pub(super) fn suppress(checker: &Checker, library: &ReplyLibrary, findings: &mut Vec<LintFinding>) {
    let known = |rule: &str| match rule.strip_suffix(".*") {
        Some(category) => checker.rules().iter().any(|r| r.category() == category),
        None => {
            checker.rules().iter().any(|r| r.id() == rule)
                || LINT_RULES.iter().any(|r| r.id == rule)
        }
    };
    let mut extra = Vec::new();
    for s in &library.suppressions {
        let comment = library
            .source
            .get(s.span.clone())
            .unwrap_or_default()
            .to_string();
        if let Some(problem) = &s.malformed {
            extra.push(meta(
                library,
                "lint.suppression-syntax",
                format!("not a suppression: {problem}"),
                s.span.clone(),
                comment,
            ));
            continue;
        }
        for rule in s.rules.iter().filter(|r| !known(r)) {
            extra.push(meta(
                library,
                "lint.unknown-rule",
                format!("the suppression names `{rule}`, which is not a rule of the pack"),
                s.span.clone(),
                comment.clone(),
            ));
        }
        let Some(reason) = &s.reason else {
            extra.push(meta(
                library,
                "lint.suppression-without-reason",
                format!(
                    "the suppression of {} gives no reason, so it suppresses nothing: add `-- why`",
                    s.rules.join(", ")
                ),
                s.span.clone(),
                comment,
            ));
            continue;
        };
        let mut used = vec![false; s.rules.len()];
        for f in findings.iter_mut() {
            let Some(reply) = f.reply else { continue };
            if !s.replies.contains(&reply) {
                continue;
            }
            for (k, rule) in s.rules.iter().enumerate() {
                if names(rule, &f.rule) {
                    used[k] = true;
                    f.suppressed.get_or_insert_with(|| reason.clone());
                }
            }
        }
        for (rule, _) in s
            .rules
            .iter()
            .zip(&used)
            .filter(|(r, used)| !**used && known(r))
        {
            let target = match s.replies.as_slice() {
                [] => "no reply follows it".to_string(),
                [one] => format!(
                    "the reply it applies to ({}) does not break it",
                    library.replies[*one].place
                ),
                _ => "none of the replies it applies to breaks it".to_string(),
            };
            extra.push(meta(
                library,
                "lint.unused-suppression",
                format!("the suppression of `{rule}` suppresses nothing: {target}"),
                s.span.clone(),
                comment.clone(),
            ));
        }
    }
    findings.extend(extra);
}

#[cfg(test)]
mod tests {
    use crate::lint::tests::{ids, run};
    use crate::replies::LibraryFormat;

    #[test]
    fn suppressions_with_and_without_reasons_and_stale_ones() {
        let src = "\
# huashu: allow forbidden.dont-know -- quoting the customer
您说“不知道”是指这个吗？我不知道。
# huashu: allow forbidden.no-way
这个不行。
# huashu: allow forbidden.go-to-manager -- no longer needed
请您稍等。
# huashu: allow forbidden.no-such-rule -- typo
# huashu: ignore everything
";
        let (_, findings) = run(src, LibraryFormat::Text);
        assert_eq!(
            ids(&findings),
            vec![
                ("forbidden.dont-know", true),
                ("lint.suppression-without-reason", false),
                ("forbidden.no-way", false),
                ("lint.unused-suppression", false),
                ("lint.unknown-rule", false),
                ("lint.suppression-syntax", false),
            ]
        );
    }
}
