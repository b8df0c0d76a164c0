//! Fixes: the edits that write a rule's approved wording into a library file.

use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

/// A change to a library file that fixes a finding: the rule's wording written over each of
/// the finding's hits, and nothing else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Edit {
    /// The bytes of the file that the edit touches, from its first replaced byte to its last.
    pub span: Range<usize>,
    /// What to write where: disjoint byte spans of the file, in order, each with its text,
    /// escaped as the file writes its text. The bytes between them stay as they are.
    pub replacements: Vec<Replacement>,
    /// The wording, as an agent would send it.
    pub wording: Arc<str>,
    /// Whether the rule marks it safe to apply without review.
    pub safe: bool,
}

/// One span of a file and the text that an [`Edit`] writes over it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Replacement {
    /// The bytes of the file to replace.
    pub span: Range<usize>,
    /// What to write there.
    pub text: String,
}

impl Edit {
    /// An edit of `replacements`, which must be disjoint and in order; `None` when they are
    /// not, or there are none.
    pub fn new(replacements: Vec<Replacement>, wording: Arc<str>, safe: bool) -> Option<Edit> {
        let ordered = replacements
            .windows(2)
            .all(|w| w[0].span.end <= w[1].span.start);
        let well_formed = replacements.iter().all(|r| r.span.start <= r.span.end);
        let span = replacements.first()?.span.start..replacements.last()?.span.end;
        (ordered && well_formed).then_some(Edit {
            span,
            replacements,
            wording,
            safe,
        })
    }
}

/// Applies `edits` to `source`. An edit is applied whole or not at all: one that overlaps an
/// edit applied before it, or that does not fit the text, is skipped, and a second run picks
/// it up (as ruff does). Returns the new text and how many edits were applied.
pub fn apply_edits<'a>(source: &str, edits: impl IntoIterator<Item = &'a Edit>) -> (String, usize) {
    let mut edits: Vec<&Edit> = edits.into_iter().collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    let mut applied = 0;
    for e in edits {
        let fits = e.span.start >= at
            && e.replacements.iter().all(|r| {
                r.span.start <= r.span.end
                    && source.is_char_boundary(r.span.start)
                    && source.is_char_boundary(r.span.end)
                    && r.span.end <= source.len()
            })
            && e.replacements
                .windows(2)
                .all(|w| w[0].span.end <= w[1].span.start);
        if !fits {
            continue;
        }
        for r in &e.replacements {
            out.push_str(&source[at..r.span.start]);
            out.push_str(&r.text);
            at = r.span.end;
        }
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
