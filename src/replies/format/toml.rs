//! TOML: every string value, at the place of its quotes.

use crate::replies::Builder;
use crate::replies::escape::Style;
use crate::replies::walk::{Node, walk};

use super::hash_comments;

/// Reads the replies of a TOML document, and its `#` comments.
pub(super) fn read(b: &mut Builder<'_>) {
    use toml::de::{DeTable, DeValue};
    let (document, errors) = DeTable::parse_recoverable(b.source);
    if !errors.is_empty() {
        for e in errors.iter().take(1) {
            b.problem(
                format!("invalid TOML: {}", e.message()),
                e.span().unwrap_or(0..0),
            );
        }
        return;
    }
    fn convert(source: &str, value: &toml::Spanned<DeValue<'_>>) -> Node {
        let span = value.span();
        match value.get_ref() {
            DeValue::String(s) => {
                let raw = &source[span.clone()];
                let (open, style) = if raw.starts_with("\"\"\"") {
                    (3, Style::TomlBasic)
                } else if raw.starts_with("'''") {
                    (3, Style::TomlLiteral)
                } else if raw.starts_with('"') {
                    (1, Style::TomlBasic)
                } else {
                    (1, Style::TomlLiteral)
                };
                let region =
                    span.start + open..span.end.saturating_sub(open).max(span.start + open);
                Node::String(s.to_string(), region, style)
            }
            DeValue::Array(items) => {
                Node::Array(items.iter().map(|i| convert(source, i)).collect())
            }
            DeValue::Table(table) => Node::Object(
                table
                    .iter()
                    .map(|(k, v)| (k.get_ref().to_string(), v.span(), convert(source, v)))
                    .collect(),
            ),
            _ => Node::Other,
        }
    }
    let root = Node::Object(
        document
            .get_ref()
            .iter()
            .map(|(k, v)| (k.get_ref().to_string(), v.span(), convert(b.source, v)))
            .collect(),
    );
    b.comments = hash_comments(b.source);
    walk(b, &root, &mut Vec::new(), "");
}

#[cfg(test)]
mod tests {
    use crate::replies::tests::{place_of, read, texts};
    use crate::replies::{LibraryFormat, ReplyKind};

    #[test]
    fn toml_strings_with_escapes_map_to_their_place() {
        let src = "[[reply]]\nid = \"a\"\ntext = \"\\t😀 您好，\\u4e0d知道\" # huashu: allow forbidden.dont-know -- quoting\n\n[closings]\nbye = '''\n感谢您的来电，再见'''\n";
        let lib = read("r.toml", LibraryFormat::Toml, src);
        assert_eq!(texts(&lib), vec!["\t😀 您好，不知道", "感谢您的来电，再见"]);
        // The escaped 不 is six bytes of the file; 知道 follows it.
        assert_eq!(place_of(&lib, "不知道"), (3, 16, 3, 24));
        assert_eq!(place_of(&lib, "再见"), (7, 8, 7, 10));
        assert_eq!(lib.replies[1].kind, ReplyKind::Closing);
        assert_eq!(lib.replies[0].kind, ReplyKind::Message);
        assert_eq!(lib.suppressions.len(), 1);
        assert_eq!(lib.suppressions[0].replies, vec![0]);
        assert_eq!(lib.suppressions[0].reason.as_deref(), Some("quoting"));
    }
}
