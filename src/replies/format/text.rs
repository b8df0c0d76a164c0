//! Plain text: one reply per non-blank line; `#` starts a comment line.

use crate::replies::Builder;
use crate::replies::escape::Style;

/// Reads the lines of a plain-text file, and its `#` comment lines.
pub(super) fn read(b: &mut Builder<'_>) {
    let mut at = 0;
    for (n, line) in b.source.split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        let lead = content.len() - trimmed.len();
        if let Some(comment) = trimmed.strip_prefix('#') {
            b.comments
                .push((comment.to_string(), at + lead..at + content.len()));
        } else if !trimmed.trim().is_empty() {
            let text = trimmed.trim_end().to_string();
            let start = at + lead;
            b.reply(
                text.clone(),
                start..start + text.len(),
                Style::Verbatim,
                &[],
                format!("line {}", n + 1),
            );
        }
        at += line.len();
    }
}

#[cfg(test)]
mod tests {
    use crate::replies::tests::{place_of, read, texts};
    use crate::replies::{LibraryFormat, ReplyKind};

    #[test]
    fn plain_text_lines_and_comments() {
        let src = "# 开场白\n\t您好😀，不知道\n\n# huashu: allow forbidden.dont-know\n不知道\n";
        let lib = read("openings.txt", LibraryFormat::Text, src);
        assert_eq!(texts(&lib), vec!["您好😀，不知道", "不知道"]);
        assert_eq!(
            lib.replies[0].kind,
            ReplyKind::Opening,
            "from the file name"
        );
        assert_eq!(place_of(&lib, "不知道"), (2, 6, 2, 9));
        assert_eq!(lib.suppressions.len(), 1);
        assert_eq!(lib.suppressions[0].replies, vec![1]);
        assert_eq!(lib.suppressions[0].reason, None);
    }
}
