//! Markdown: paragraphs, list items, indented blocks and the cells of tables, under the
//! headings that name their section.

use crate::replies::Builder;
use crate::replies::escape::Style;

/// Reads the paragraphs, list items, indented blocks and table cells of a Markdown file, and
/// its HTML comments.
pub(super) fn read(b: &mut Builder<'_>) {
    use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
    let mut headings: Vec<(HeadingLevel, String)> = Vec::new();
    let mut heading: Option<(HeadingLevel, String)> = None;
    // The reply being collected: its text and where it started.
    let mut reply: Option<(String, usize, usize)> = None;
    let mut depth_item = 0usize;
    let mut skip = 0usize;
    // For each skipped block open: whether it is fenced code.
    let mut fenced: Vec<bool> = Vec::new();
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
            // Fenced code, HTML and front matter are the file's own markup, and a table's
            // head names its columns. An indented block is text: Chinese paragraphs are often
            // indented, and a tab at a line's start must not hide a reply.
            Event::Start(
                Tag::CodeBlock(CodeBlockKind::Fenced(_))
                | Tag::TableHead
                | Tag::HtmlBlock
                | Tag::MetadataBlock(_),
            ) => {
                fenced.push(matches!(event, Event::Start(Tag::CodeBlock(_))));
                skip += 1;
            }
            Event::End(TagEnd::CodeBlock) if fenced.last() == Some(&true) => {
                fenced.pop();
                skip = skip.saturating_sub(1);
            }
            Event::End(TagEnd::TableHead | TagEnd::HtmlBlock | TagEnd::MetadataBlock(_)) => {
                fenced.pop();
                skip = skip.saturating_sub(1);
            }
            // Each cell of a table's body, and each indented block, is a reply.
            Event::Start(Tag::TableCell | Tag::CodeBlock(_))
            | Event::End(TagEnd::TableCell | TagEnd::CodeBlock)
                if skip == 0 =>
            {
                let labels = labels_of(&headings);
                flush(b, &mut reply, &labels);
            }
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

    #[test]
    fn indented_blocks_and_table_cells_are_replies() {
        let src = "# 常用\n\n\t我也不知道\n\n| 场景 | 回复 |\n|---|---|\n| 催单 | 你找领导去 |\n\n```\n不清楚\n```\n";
        let lib = read("r.md", LibraryFormat::Markdown, src);
        assert_eq!(texts(&lib), vec!["我也不知道", "催单", "你找领导去"]);
        assert_eq!(place_of(&lib, "不知道"), (3, 4, 3, 7));
        assert_eq!(place_of(&lib, "领导"), (7, 10, 7, 12));
    }
}
