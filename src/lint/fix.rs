//! Fixes: the edits that write a rule's approved wording into a library file.

use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

/// A change to a library file that fixes a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Edit {
    /// The bytes of the file to replace.
    pub span: Range<usize>,
    /// What to write there, escaped as the file writes its text.
    pub replacement: String,
    /// The wording, as an agent would send it.
    pub wording: Arc<str>,
    /// Whether the rule marks it safe to apply without review.
    pub safe: bool,
}

/// Applies `edits` to `source`, skipping any that overlap one applied before them. Returns
/// the new text and how many edits were applied.
pub fn apply_edits<'a>(source: &str, edits: impl IntoIterator<Item = &'a Edit>) -> (String, usize) {
    let mut edits: Vec<&Edit> = edits.into_iter().collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    let mut applied = 0;
    for e in edits {
        if e.span.start < at || e.span.end > source.len() || e.span.start > e.span.end {
            continue;
        }
        out.push_str(&source[at..e.span.start]);
        out.push_str(&e.replacement);
        at = e.span.end;
        applied += 1;
    }
    out.push_str(&source[at..]);
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::LintFinding;
    use crate::lint::tests::run;
    use crate::replies::LibraryFormat;

    #[test]
    fn fixes_are_offered_only_where_the_file_holds_the_words_as_written() {
        let src = "{\"a\": \"你好，请问有什么可以帮您？\", \"b\": \"\\u4f60好，请问\"}\n";
        let (lib, findings) = run(src, LibraryFormat::Json);
        let hits: Vec<&LintFinding> = findings
            .iter()
            .filter(|f| &*f.rule == "forbidden.ni-hao")
            .collect();
        assert_eq!(hits.len(), 2);
        let fix = hits[0].fix.as_ref().expect("a fix for the plain one");
        assert!(fix.safe);
        assert!(hits[1].fix.is_none(), "the escaped one is left alone");
        let (fixed, applied) =
            apply_edits(&lib.source, findings.iter().filter_map(|f| f.fix.as_ref()));
        assert_eq!(applied, 1);
        assert!(fixed.starts_with("{\"a\": \"您好，请问"));
    }
}
