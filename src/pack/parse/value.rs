//! Reading TOML values: the reading context, which records each problem where it is, and
//! readers for strings, numbers, names from closed sets and the other shapes a pack uses.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::pack::error::Problem;
use crate::pack::rule::{ChannelSet, Origin, RoleSet, Severity, Window};
use crate::text::normalize::Normalization;
use crate::text::pattern::PatternError;
use crate::text::{did_you_mean, position};
use crate::transcript::{Channel, Role};

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
        let (line, _) = position(&self.source, self.span.start);
        Origin {
            file: self.file.clone(),
            line,
        }
    }
}

/// A key of a table with its value, as the TOML parser gives them.
pub(super) type Entry<'a, 'i> = (&'a Spanned<Cow<'i, str>>, &'a Spanned<DeValue<'i>>);

/// The value of `name` among `entries`.
pub(super) fn lookup<'a, 'i>(
    entries: &[Entry<'a, 'i>],
    name: &str,
) -> Option<&'a Spanned<DeValue<'i>>> {
    entries
        .iter()
        .find(|(k, _)| k.get_ref() == name)
        .map(|(_, v)| *v)
}

/// Where reading is: the file, its text, the problems found so far, and the rule being read
/// (so that each problem can name it).
pub(super) struct Cx<'a> {
    pub(super) file: &'a Arc<str>,
    pub(super) source: &'a Arc<str>,
    pub(super) problems: &'a mut Vec<Problem>,
    pub(super) rule: Option<String>,
}

impl<'a> Cx<'a> {
    pub(super) fn new(
        file: &'a Arc<str>,
        source: &'a Arc<str>,
        problems: &'a mut Vec<Problem>,
    ) -> Cx<'a> {
        Cx {
            file,
            source,
            problems,
            rule: None,
        }
    }
}

impl Cx<'_> {
    /// The value of a key the table must have; when it is absent, `missing` is reported at
    /// the table.
    pub(super) fn require<'v, 'i>(
        &mut self,
        value: Option<&'v Spanned<DeValue<'i>>>,
        span: &Range<usize>,
        missing: &str,
    ) -> Option<&'v Spanned<DeValue<'i>>> {
        if value.is_none() {
            self.err(span.clone(), missing);
        }
        value
    }

    pub(super) fn err(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.problems.push(Problem::at(
            self.file,
            self.source,
            span,
            self.rule.as_deref(),
            message,
        ));
    }

    pub(super) fn loc(&self, span: Range<usize>) -> Loc {
        Loc {
            file: self.file.clone(),
            source: self.source.clone(),
            span,
        }
    }

    pub(super) fn unknown_key(
        &mut self,
        span: Range<usize>,
        key: &str,
        allowed: &[&str],
        place: &str,
    ) {
        let mut message = format!("unknown key `{key}` {place}");
        match did_you_mean(key, allowed.iter().copied()) {
            Some(close) => message.push_str(&format!("; did you mean `{close}`?")),
            None => message.push_str(&format!("; expected one of: {}", allowed.join(", "))),
        }
        self.err(span, message);
    }

    /// The entries of `table`, reporting keys not in `allowed`.
    pub(super) fn entries<'a, 'i>(
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

    pub(super) fn table<'a, 'i>(
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

    pub(super) fn string(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<String> {
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

    pub(super) fn uint(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<u32> {
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
    pub(super) fn seconds(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<f64> {
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

    pub(super) fn boolean(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<bool> {
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

    pub(super) fn strings(
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
    pub(super) fn choose<T: Copy>(
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
    pub(super) fn choose_many<T: Copy>(
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

    pub(super) fn roles(&mut self, value: &Spanned<DeValue<'_>>) -> Option<RoleSet> {
        self.choose_many(value, "roles", "role", &Role::ALL, Role::as_str)
            .map(|roles| roles.into_iter().collect())
    }

    pub(super) fn channels(&mut self, value: &Spanned<DeValue<'_>>) -> Option<ChannelSet> {
        self.choose_many(value, "channels", "channel", &Channel::ALL, Channel::as_str)
            .map(|channels| channels.into_iter().collect())
    }

    /// A `[normalize]` table or a rule's `normalize = { … }`: the options it sets.
    pub(super) fn normalization(
        &mut self,
        table: &DeTable<'_>,
        place: &str,
    ) -> Vec<(&'static str, bool)> {
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
    pub(super) fn words(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<Vec<String>> {
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

    pub(super) fn severity(&mut self, value: &Spanned<DeValue<'_>>) -> Option<Severity> {
        self.choose(value, "severity", &Severity::ALL, Severity::as_str)
    }

    pub(super) fn window(&mut self, value: &Spanned<DeValue<'_>>) -> Option<Window> {
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

    pub(super) fn min_count(&mut self, value: &Spanned<DeValue<'_>>) -> Option<u32> {
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

    pub(super) fn pattern_error(
        &mut self,
        span: Range<usize>,
        text: &str,
        e: PatternError,
        what: &str,
    ) {
        let at = match e.span {
            Some(inner) => self.inner_span(span, text, inner),
            None => span,
        };
        self.err(at, format!("invalid {what}: {}", e.message));
    }
}

/// `a, b or c`.
pub(super) fn or_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

pub(super) fn describe(value: &DeValue<'_>) -> &'static str {
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
