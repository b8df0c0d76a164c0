//! YAML: the scalars of every document, with their style.

use std::ops::Range;

use crate::replies::Builder;
use crate::replies::escape::Style;
use crate::replies::walk::{Node, walk};

use super::hash_comments;

/// Reads the replies of every document of a YAML stream, and its `#` comments.
pub(super) fn read(b: &mut Builder<'_>) {
    use saphyr_parser::{Event, Parser, ScalarStyle};
    // Marker indexes count characters: the byte offset of each character.
    let offsets: Vec<usize> = b
        .source
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(b.source.len()))
        .collect();
    let byte = |index: usize| offsets[index.min(offsets.len() - 1)];

    // Build the tree from the events.
    enum Frame {
        Seq(Vec<Node>),
        Map(
            Vec<(String, Range<usize>, Node)>,
            Option<(String, Range<usize>)>,
        ),
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut roots: Vec<Node> = Vec::new();
    let push = |stack: &mut Vec<Frame>,
                roots: &mut Vec<Node>,
                node: Node,
                key: Option<(String, Range<usize>)>| {
        match stack.last_mut() {
            Some(Frame::Seq(items)) => items.push(node),
            Some(Frame::Map(entries, pending)) => match pending.take() {
                Some((k, span)) => entries.push((k, span, node)),
                None => match key {
                    Some(k) => *pending = Some(k),
                    None => *pending = Some((String::new(), 0..0)),
                },
            },
            None => roots.push(node),
        }
    };
    for event in Parser::new_from_str(b.source) {
        let (event, span) = match event {
            Ok(e) => e,
            Err(e) => {
                let at = byte(e.marker().index());
                b.problem(format!("invalid YAML: {}", e.info()), at..at);
                return;
            }
        };
        let (start, end) = (byte(span.start.index()), byte(span.end.index()));
        match event {
            Event::SequenceStart(..) => stack.push(Frame::Seq(Vec::new())),
            Event::MappingStart(..) => stack.push(Frame::Map(Vec::new(), None)),
            Event::SequenceEnd => {
                if let Some(Frame::Seq(items)) = stack.pop() {
                    push(&mut stack, &mut roots, Node::Array(items), None);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map(entries, _)) = stack.pop() {
                    push(&mut stack, &mut roots, Node::Object(entries), None);
                }
            }
            Event::Scalar(value, style, ..) => {
                let is_key = matches!(stack.last(), Some(Frame::Map(_, None)));
                if is_key {
                    push(
                        &mut stack,
                        &mut roots,
                        Node::Other,
                        Some((value.to_string(), start..end)),
                    );
                    continue;
                }
                let raw = &b.source[start..end];
                // Inside the quotes: the closing one is taken off only when the span ends
                // with it (the parser's span can run on past it, onto a wide character).
                let inside = |quote: char| {
                    let close = usize::from(raw.len() > 1 && raw.ends_with(quote));
                    (start + 1)..(end - close).max(start + 1)
                };
                let (region, style) = match style {
                    ScalarStyle::DoubleQuoted if raw.starts_with('"') => {
                        (inside('"'), Style::YamlDouble)
                    }
                    ScalarStyle::SingleQuoted if raw.starts_with('\'') => {
                        (inside('\''), Style::YamlSingle)
                    }
                    ScalarStyle::DoubleQuoted => (start..end, Style::YamlDouble),
                    ScalarStyle::SingleQuoted => (start..end, Style::YamlSingle),
                    // The span starts at the content; a header before it would be skipped.
                    ScalarStyle::Literal | ScalarStyle::Folded => (start..end, Style::Verbatim),
                    ScalarStyle::Plain => {
                        // Numbers, booleans and nulls are not replies.
                        let v = value.as_ref();
                        if v.is_empty() || matches!(v, "~" | "null" | "Null" | "NULL") {
                            push(&mut stack, &mut roots, Node::Null, None);
                            continue;
                        }
                        if v.parse::<f64>().is_ok()
                            || matches!(v, "true" | "false" | "True" | "False")
                        {
                            push(&mut stack, &mut roots, Node::Other, None);
                            continue;
                        }
                        (start..end, Style::Verbatim)
                    }
                };
                push(
                    &mut stack,
                    &mut roots,
                    Node::String(value.to_string(), region, style),
                    None,
                );
            }
            Event::Alias(_) => push(&mut stack, &mut roots, Node::Other, None),
            _ => {}
        }
    }
    b.comments = hash_comments(b.source);
    for (i, root) in roots.iter().enumerate() {
        let place = if roots.len() > 1 {
            format!("document {}", i + 1)
        } else {
            String::new()
        };
        walk(b, root, &mut Vec::new(), &place);
    }
}

#[cfg(test)]
mod tests {
    use crate::replies::tests::{place_of, read, texts};
    use crate::replies::{LibraryFormat, ReplyKind};

    #[test]
    fn yaml_scalars_of_every_style() {
        let src = "greetings:\n  - 您好，请问有什么可以帮您？\n  - '它''s 不行'\n  - \"\\t不知道\"\nfaq:\n  物流: |\n    请您稍等，\n    我帮您查。\n  count: 3\n";
        let lib = read("r.yaml", LibraryFormat::Yaml, src);
        assert_eq!(
            texts(&lib),
            vec![
                "您好，请问有什么可以帮您？",
                "它's 不行",
                "\t不知道",
                "请您稍等，\n我帮您查。\n"
            ]
        );
        assert_eq!(lib.replies[0].kind, ReplyKind::Opening);
        assert_eq!(place_of(&lib, "不行"), (3, 11, 3, 13));
        assert_eq!(place_of(&lib, "不知道"), (4, 8, 4, 11));
        assert_eq!(place_of(&lib, "我帮您"), (8, 5, 8, 8));
    }

    /// A quoted scalar whose span does not end on its closing quote (the parser's end is
    /// past it here, on a three-byte character) is mapped back without splitting a character.
    /// Found by the `replies` fuzz target.
    #[test]
    fn a_quoted_scalar_that_ends_on_a_wide_character_maps_back_within_the_file() {
        let src = "#\u{fffd}belst\u{6ca1}\u{fffd}faq\n-   \"\t#\u{fffd}belstupjd\nfaq\n\
                   \u{fffd}\u{fffd}\u{fffd}faq\n-   \"\t#\u{fffd}bels\u{887b}\u{fffd}\u{fffd}\n";
        let lib = read("r.yaml", LibraryFormat::Yaml, src);
        assert_eq!(
            texts(&lib),
            vec!["\t#\u{fffd}belstupjd faq \u{fffd}\u{fffd}\u{fffd}faq -   "]
        );
        for reply in &lib.replies {
            assert!(reply.span.end <= src.len());
            assert!(src.is_char_boundary(reply.span.start) && src.is_char_boundary(reply.span.end));
            let all = reply.file_span(0..reply.text.len());
            assert!(all.start <= all.end && all.end <= src.len());
            assert!(src.is_char_boundary(all.start) && src.is_char_boundary(all.end));
        }
    }
}
