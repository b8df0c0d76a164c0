//! The structured formats (TOML, JSON, YAML) read into one tree of keys, arrays and strings,
//! and one walk over it that picks the replies.

use std::ops::Range;

use super::Builder;
use super::escape::Style;
use super::labels::{ALLOW_KEY, is_kind_key, is_metadata_key, is_reply_key, kind_of};

/// A node of a structured document, with its place in the file.
pub(super) enum Node {
    /// A string: its decoded text, its content in the file, and how it is written.
    String(String, Range<usize>, Style),
    /// Anything else that is not a container: numbers, booleans, dates.
    Other,
    /// No value: a YAML key with nothing after its colon, or `null`.
    Null,
    Array(Vec<Node>),
    /// Keys and values, in file order.
    Object(Vec<(String, Range<usize>, Node)>),
}

/// Walks a structured document and adds its replies. `labels` are the keys on the way down,
/// and `place` the path so far.
pub(super) fn walk(b: &mut Builder<'_>, node: &Node, labels: &mut Vec<String>, place: &str) {
    match node {
        Node::String(text, region, style) => b.reply(
            text.clone(),
            region.clone(),
            *style,
            labels,
            place.to_string(),
        ),
        Node::Other | Node::Null => {}
        Node::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(b, item, labels, &format!("{place}[{i}]"));
            }
        }
        Node::Object(entries) => {
            let has_reply_key = entries
                .iter()
                .any(|(k, _, v)| is_reply_key(k) && matches!(v, Node::String(..) | Node::Array(_)));
            // A field saying what the replies here are for.
            let kind_label = entries.iter().find_map(|(k, _, v)| match v {
                Node::String(value, ..) if is_kind_key(k) && kind_of(value).is_some() => {
                    Some(value.clone())
                }
                _ => None,
            });
            let first_reply = b.replies.len();
            for (key, key_span, value) in entries {
                if key == ALLOW_KEY || is_metadata_key(key) && !matches!(value, Node::Object(_)) {
                    continue;
                }
                // A key with no value that reads as text, not a name, is most likely a reply
                // whose `: ` made it a key (`- 请稍等: 马上好` unquoted): it would go unread.
                if key.contains('"') {
                    b.problem(
                        format!(
                            "`{key}` is a key that holds a `\"`: most likely a quote of a reply \
                             went missing, and the reply became part of the key"
                        ),
                        key_span.clone(),
                    );
                    continue;
                }
                if matches!(value, Node::Null) && !is_name(key) {
                    b.problem(
                        format!(
                            "`{key}` is a key with no value, so it would not be checked as a \
                             reply: quote a reply that holds `: `, or give the key a value"
                        ),
                        key_span.clone(),
                    );
                    continue;
                }
                if has_reply_key && !is_reply_key(key) && !matches!(value, Node::Object(_)) {
                    continue;
                }
                let child = if place.is_empty() {
                    key.clone()
                } else {
                    format!("{place}.{key}")
                };
                labels.push(key.clone());
                if let Some(kind) = &kind_label {
                    labels.push(kind.clone());
                }
                walk(b, value, labels, &child);
                if kind_label.is_some() {
                    labels.pop();
                }
                labels.pop();
            }
            let replies = first_reply..b.replies.len();
            for (key, span, value) in entries {
                if key != ALLOW_KEY {
                    continue;
                }
                let values: Vec<(&String, &Range<usize>)> = match value {
                    Node::String(v, region, _) => vec![(v, region)],
                    Node::Array(items) => items
                        .iter()
                        .filter_map(|i| match i {
                            Node::String(v, region, _) => Some((v, region)),
                            _ => None,
                        })
                        .collect(),
                    _ => {
                        // Reported as a malformed suppression: the replies were read.
                        b.bad_fields.push(span.clone());
                        Vec::new()
                    }
                };
                for (v, region) in values {
                    b.fields.push((v.clone(), region.clone(), replies.clone()));
                }
            }
        }
    }
}

/// Whether a key reads as a name (`faq`, `q-1`, `refund.late`), not as text.
fn is_name(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use crate::replies::LibraryFormat;
    use crate::replies::tests::{read, texts};

    #[test]
    fn a_suppression_field_of_the_wrong_type_is_a_malformed_suppression() {
        let src = "{\"text\": \"不知道\", \"huashu-allow\": 3}";
        let lib = read("r.json", LibraryFormat::Json, src);
        assert!(lib.problems.is_empty(), "the replies were read");
        assert_eq!(texts(&lib), vec!["不知道"]);
        assert_eq!(lib.suppressions.len(), 1);
        assert!(lib.suppressions[0].malformed.is_some());
    }
}
