//! Rule-pack errors: every problem found while loading a pack, each with its place.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use crate::text::position;

/// One problem in a rule pack, with the file, line and column it is at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub(crate) file: Arc<str>,
    pub(crate) source: Option<Arc<str>>,
    pub(crate) span: Option<Range<usize>>,
    pub(crate) line: Option<usize>,
    pub(crate) column: Option<usize>,
    pub(crate) rule: Option<String>,
    pub(crate) message: String,
}

impl Problem {
    /// A problem at a byte span of a source file.
    pub(crate) fn at(
        file: &Arc<str>,
        source: &Arc<str>,
        span: Range<usize>,
        rule: Option<&str>,
        message: impl Into<String>,
    ) -> Problem {
        let (line, column) = position(source, span.start);
        Problem {
            file: file.clone(),
            source: Some(source.clone()),
            span: Some(span),
            line: Some(line),
            column: Some(column),
            rule: rule.map(str::to_string),
            message: message.into(),
        }
    }

    /// A problem at a line of a file whose text is not at hand.
    pub(crate) fn at_line(
        file: &str,
        line: usize,
        rule: Option<&str>,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            file: file.into(),
            source: None,
            span: None,
            line: Some(line),
            column: Some(1),
            rule: rule.map(str::to_string),
            message: message.into(),
        }
    }

    /// A problem with a whole file, or with no file at all (such as a missing file).
    pub(crate) fn whole(file: &str, rule: Option<&str>, message: impl Into<String>) -> Problem {
        Problem {
            file: file.into(),
            source: None,
            span: None,
            line: None,
            column: None,
            rule: rule.map(str::to_string),
            message: message.into(),
        }
    }

    /// The file the problem is in, as given when loading (built-in files start with
    /// `builtin:`).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The file's text, when the problem points into it.
    pub fn source_text(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// The byte range in the file the problem points at.
    pub fn span(&self) -> Option<Range<usize>> {
        self.span.clone()
    }

    /// The 1-based line.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// The 1-based column, counted in characters.
    pub fn column(&self) -> Option<usize> {
        self.column
    }

    /// The id of the rule the problem is in, when it is in one.
    pub fn rule(&self) -> Option<&str> {
        self.rule.as_deref()
    }

    /// What is wrong, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, ":{line}:{column}")?;
        }
        f.write_str(": ")?;
        if let Some(rule) = &self.rule {
            write!(f, "rule `{rule}`: ")?;
        }
        f.write_str(&self.message)
    }
}

/// A rule pack could not be loaded. Holds every problem found, not just the first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackError {
    problems: Vec<Problem>,
}

impl PackError {
    pub(crate) fn new(mut problems: Vec<Problem>) -> PackError {
        debug_assert!(!problems.is_empty());
        // Report in file order, whatever order the checks ran in.
        problems.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        problems.dedup();
        PackError { problems }
    }

    /// Every problem found, in file order.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [one] => write!(f, "invalid rule pack: {one}"),
            many => {
                write!(f, "invalid rule pack ({} problems):", many.len())?;
                for problem in many {
                    write!(f, "\n  {problem}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for PackError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let file: Arc<str> = "p.toml".into();
        let source: Arc<str> = "a = 1\nmessage = \"不知道\" x\n".into();
        let at = source.find(" x").expect("present") + 1;
        let p = Problem::at(&file, &source, at..at + 1, Some("forbidden.x"), "bad");
        assert_eq!(p.line(), Some(2));
        assert_eq!(p.column(), Some(17));
        assert_eq!(p.to_string(), "p.toml:2:17: rule `forbidden.x`: bad");
    }

    #[test]
    fn display_lists_every_problem() {
        let err = PackError::new(vec![
            Problem::whole("b.toml", None, "second"),
            Problem::whole("a.toml", Some("opening.x"), "first"),
        ]);
        assert_eq!(
            err.to_string(),
            "invalid rule pack (2 problems):\n  a.toml: rule `opening.x`: first\n  b.toml: second"
        );
    }
}
