//! JSON, with comments and trailing commas (JSONC).

use std::ops::Range;

use crate::replies::Builder;
use crate::replies::escape::Style;
use crate::replies::walk::{Node, walk};

/// Reads the replies of a JSON (JSONC) document, and its comments.
pub(super) fn read(b: &mut Builder<'_>) {
    use jsonc_parser::ast::{ObjectPropName, Value};
    use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions, parse_to_ast};
    let parsed = parse_to_ast(
        b.source,
        &CollectOptions {
            comments: CommentCollectionStrategy::Separate,
            tokens: false,
        },
        &ParseOptions::default(),
    );
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => {
            let range = e.range();
            b.problem(
                format!("invalid JSON: {}", e.kind()),
                range.start..range.end,
            );
            return;
        }
    };
    fn convert(source: &str, value: &Value<'_>) -> Node {
        match value {
            Value::StringLit(s) => {
                let (start, end) = (s.range.start, s.range.end);
                let region =
                    (start + 1).min(end)..end.saturating_sub(1).max(start + 1).min(source.len());
                Node::String(s.value.to_string(), region, Style::Json)
            }
            Value::Array(a) => Node::Array(a.elements.iter().map(|e| convert(source, e)).collect()),
            Value::Object(o) => Node::Object(
                o.properties
                    .iter()
                    .map(|p| {
                        let name = match &p.name {
                            ObjectPropName::String(s) => s.value.to_string(),
                            ObjectPropName::Word(w) => w.value.to_string(),
                        };
                        (name, p.range.start..p.range.end, convert(source, &p.value))
                    })
                    .collect(),
            ),
            _ => Node::Other,
        }
    }
    if let Some(comments) = &parsed.comments {
        let mut all: Vec<(String, Range<usize>)> = comments
            .values()
            .flat_map(|list| list.iter())
            .map(|c| {
                let range = match c {
                    jsonc_parser::ast::Comment::Line(l) => l.range,
                    jsonc_parser::ast::Comment::Block(b) => b.range,
                };
                (c.text().to_string(), range.start..range.end)
            })
            .collect();
        all.sort_by_key(|(_, r)| r.start);
        all.dedup_by_key(|(_, r)| r.start);
        b.comments = all;
    }
    if let Some(value) = &parsed.value {
        let root = convert(b.source, value);
        walk(b, &root, &mut Vec::new(), "");
    }
}

#[cfg(test)]
mod tests {
    use crate::replies::tests::{place_of, read, texts};
    use crate::replies::{LibraryFormat, ReplyKind};

    #[test]
    fn json_keys_fields_and_comments() {
        let src = "{\n  // huashu: allow forbidden.no-way -- a quotation\n  \"openings\": [\"您好，\\\"请\\\"讲\", \"喂？\"],\n  \"items\": [{\"title\": \"不知道\", \"text\": \"\\ud83d\\ude00不行\", \"huashu-allow\": \"forbidden.x\"}]\n}\n";
        let lib = read("r.json", LibraryFormat::Json, src);
        assert_eq!(texts(&lib), vec!["您好，\"请\"讲", "喂？", "😀不行"]);
        assert_eq!(lib.replies[0].kind, ReplyKind::Opening);
        assert_eq!(place_of(&lib, "讲"), (3, 25, 3, 26));
        // The surrogate pair is one character of twelve bytes.
        assert_eq!(place_of(&lib, "不行"), (4, 51, 4, 53));
        let s: Vec<(Vec<usize>, &str)> = lib
            .suppressions
            .iter()
            .map(|s| (s.replies.clone(), s.rules[0].as_str()))
            .collect();
        assert_eq!(
            s,
            vec![(vec![0], "forbidden.no-way"), (vec![2], "forbidden.x")]
        );
        assert_eq!(lib.suppressions[1].reason, None);
    }
}
