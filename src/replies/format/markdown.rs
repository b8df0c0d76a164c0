//! Markdown: paragraphs and list items, under the headings that name their section.

use crate::replies::Builder;
use crate::replies::escape::Style;

/// Reads the paragraphs and list items of a Markdown file, and its HTML comments.
pub(super) fn read(b: &mut Builder<'_>) {
    use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
    let mut headings: Vec<(HeadingLevel, String)> = Vec::new();
    let mut heading: Option<(HeadingLevel, String)> = None;
    // The reply being collected: its text and where it started.
    let mut reply: Option<(String, usize, usize)> = None;
    let mut depth_item = 0usize;
    let mut skip = 0usize;
    let labels_of = |headings: &[(HeadingLevel, String)]| -> Vec<String> {
        headings.iter().map(|(_, h)| h.clone()).collect()
    };
    let flush =
        |b: &mut Builder<'_>, reply: &mut Option<(String, usize, usize)>, labels: &[String]| {
            if let Some((text, start, end)) = reply.take() {
                let place = labels
                    .last()
                    .map_or_else(|| "paragraph".to_string(), |h| format!("## {h}"));
                b.reply(
                    text.trim_end().to_string(),
                    start..end,
                    Style::Verbatim,
                    labels,
                    place,
                );
            }
        };
    for (event, range) in Parser::new_ext(b.source, Options::ENABLE_TABLES).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, String::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = heading.take() {
                    headings.retain(|(l, _)| *l < level);
                    headings.push((level, text.trim().to_string()));
                }
            }
            Event::Start(
                Tag::CodeBlock(_) | Tag::Table(_) | Tag::HtmlBlock | Tag::MetadataBlock(_),
            ) => skip += 1,
            Event::End(
                TagEnd::CodeBlock | TagEnd::Table | TagEnd::HtmlBlock | TagEnd::MetadataBlock(_),
            ) => skip = skip.saturating_sub(1),
            Event::Start(Tag::Item) => {
                let labels = labels_of(&headings);
                flush(b, &mut reply, &labels);
                depth_item += 1;
            }
            Event::End(TagEnd::Item) => {
                let labels = labels_of(&headings);
                flush(b, &mut reply, &labels);
                depth_item = depth_item.saturating_sub(1);
            }
            Event::Start(Tag::Paragraph) if depth_item == 0 => {
                let labels = labels_of(&headings);
                flush(b, &mut reply, &labels);
            }
            Event::End(TagEnd::Paragraph) if depth_item == 0 => {
                let labels = labels_of(&headings);
                flush(b, &mut reply, &labels);
            }
            Event::Text(text) | Event::Code(text) if skip == 0 => {
                if let Some((_, h)) = heading.as_mut() {
                    h.push_str(&text);
                } else {
                    let r = reply.get_or_insert_with(|| (String::new(), range.start, range.end));
                    r.0.push_str(&text);
                    r.2 = range.end;
                }
            }
            Event::SoftBreak | Event::HardBreak if skip == 0 && heading.is_none() => {
                if let Some(r) = reply.as_mut() {
                    r.0.push('\n');
                    r.2 = range.end;
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                let html = html.trim();
                if let Some(inner) = html
                    .strip_prefix("<!--")
                    .and_then(|h| h.strip_suffix("-->"))
                {
                    let start = range.start + b.source[range.clone()].find("<!--").unwrap_or(0);
                    b.comments
                        .push((inner.trim().to_string(), start..start + html.len()));
                }
            }
            _ => {}
        }
    }
    let labels = labels_of(&headings);
    flush(b, &mut reply, &labels);
}

#[cfg(test)]
mod tests {
    use crate::replies::tests::{place_of, read, texts};
    use crate::replies::{LibraryFormat, ReplyKind};

    #[test]
    fn markdown_paragraphs_items_and_comments() {
        let src = "# 结束语\n\n- 感谢您的来电，**再见**！\n<!-- huashu: allow forbidden.bare-no -- 引用 -->\n- 不，\t不行\n\n## FAQ\n\n这个问题`不清楚`。\n\n```\n不知道\n```\n";
        let lib = read("r.md", LibraryFormat::Markdown, src);
        assert_eq!(
            texts(&lib),
            vec!["感谢您的来电，再见！", "不，\t不行", "这个问题不清楚。"]
        );
        assert_eq!(lib.replies[0].kind, ReplyKind::Closing);
        assert_eq!(
            lib.replies[2].kind,
            ReplyKind::Closing,
            "FAQ is under 结束语"
        );
        assert_eq!(place_of(&lib, "再见"), (3, 12, 3, 14));
        assert_eq!(place_of(&lib, "不行"), (5, 6, 5, 8));
        assert_eq!(place_of(&lib, "不清楚"), (9, 6, 9, 9));
        assert_eq!(lib.suppressions[0].replies, vec![1]);
    }
}
