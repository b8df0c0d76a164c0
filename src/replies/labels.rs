//! What keys and labels say: which keys hold replies and which hold metadata, and which
//! labels (keys, headings, field values, the file name) make a reply an opening or a closing.

use super::ReplyKind;

/// Keys whose strings are about a reply, not a reply.
const METADATA_KEYS: &[&str] = &[
    "id",
    "key",
    "name",
    "title",
    "category",
    "categories",
    "tag",
    "tags",
    "kind",
    "type",
    "section",
    "usage",
    "lang",
    "language",
    "locale",
    "channel",
    "channels",
    "author",
    "owner",
    "created",
    "updated",
    "version",
    "url",
    "link",
    "description",
    "note",
    "notes",
    "comment",
    "remark",
    "huashu-allow",
    "编号",
    "名称",
    "标题",
    "分类",
    "类别",
    "类型",
    "标签",
    "备注",
    "说明",
    "场景",
];

/// Keys that hold the reply itself: when an object has one, its other strings are metadata.
const REPLY_KEYS: &[&str] = &[
    "text", "reply", "content", "body", "message", "template", "answer", "script", "value", "回复",
    "话术", "内容", "文本", "答复", "模板",
];

/// Fields that say what a reply is for.
const KIND_KEYS: &[&str] = &[
    "kind", "type", "category", "section", "usage", "类型", "分类", "类别", "场景",
];

pub(super) const ALLOW_KEY: &str = "huashu-allow";

const OPENING_WORDS: &[&str] = &[
    "opening",
    "greeting",
    "welcome",
    "开场",
    "开头",
    "问候",
    "欢迎语",
    "首句",
];
const CLOSING_WORDS: &[&str] = &[
    "closing", "farewell", "goodbye", "ending", "结束", "结尾", "告别", "结语",
];

pub(super) fn is_metadata_key(key: &str) -> bool {
    METADATA_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

pub(super) fn is_reply_key(key: &str) -> bool {
    REPLY_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

pub(super) fn is_kind_key(key: &str) -> bool {
    KIND_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// What a label (a key, a heading, a field value) says about the replies under it.
pub(super) fn kind_of(label: &str) -> Option<ReplyKind> {
    let label = label.to_lowercase();
    if OPENING_WORDS.iter().any(|w| label.contains(w)) {
        Some(ReplyKind::Opening)
    } else if CLOSING_WORDS.iter().any(|w| label.contains(w)) {
        Some(ReplyKind::Closing)
    } else {
        None
    }
}

/// The kind the labels around a reply give it: the innermost label that says anything, else
/// what the file's own label said (`kind_of` of it, found once per file).
pub(super) fn kind_from(labels: &[String], file_kind: Option<ReplyKind>) -> ReplyKind {
    labels
        .iter()
        .rev()
        .find_map(|l| kind_of(l))
        .or(file_kind)
        .unwrap_or(ReplyKind::Message)
}
