//! Tolerant matching for speech-recognition (ASR) transcripts: a phrase is found in a text
//! when a stretch of it differs by at most a few characters, where fillers are skipped,
//! characters of one `alike` group count as one, and homophones (the same syllable, tone
//! aside) cost nothing.

use pinyin::ToPinyin;

/// What tolerant matching ignores and treats as equal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tolerance {
    /// Fillers that are skipped in the text: 嗯, 呃, 啊, 那个.
    pub fillers: Vec<String>,
    /// Groups of characters that count as one: 你您.
    pub alike: Vec<String>,
}

impl Tolerance {
    /// The edits a phrase of `len` characters may differ by: none for one or two characters,
    /// one for three to five, two for longer ones.
    pub fn allowed_edits(len: usize) -> usize {
        match len {
            0..=2 => 0,
            3..=5 => 1,
            _ => 2,
        }
    }

    /// The characters of `text` with fillers taken out, each with its byte range in `text`.
    pub fn clean(&self, text: &str) -> Vec<(char, usize, usize)> {
        let mut out = Vec::with_capacity(text.len() / 3);
        let mut at = 0;
        'outer: while at < text.len() {
            for f in &self.fillers {
                if !f.is_empty() && text[at..].starts_with(f.as_str()) {
                    at += f.len();
                    continue 'outer;
                }
            }
            let Some(c) = text[at..].chars().next() else {
                break;
            };
            if c.is_alphanumeric() {
                out.push((c, at, at + c.len_utf8()));
            }
            at += c.len_utf8();
        }
        out
    }

    /// Whether two characters count as the same: equal, in one `alike` group, or the same
    /// syllable.
    pub fn same(&self, a: char, b: char) -> bool {
        if a == b {
            return true;
        }
        if self.alike.iter().any(|g| g.contains(a) && g.contains(b)) {
            return true;
        }
        match (a.to_pinyin(), b.to_pinyin()) {
            (Some(x), Some(y)) => x.plain() == y.plain(),
            _ => false,
        }
    }

    /// The best stretch of `text` (cleaned) within the allowed edits of `phrase`, as a byte
    /// range of `text`, with its number of edits.
    pub fn find(&self, text: &str, phrase: &str) -> Option<(usize, usize, usize)> {
        let hay = self.clean(text);
        let needle: Vec<char> = self.clean(phrase).into_iter().map(|(c, _, _)| c).collect();
        let k = Self::allowed_edits(needle.len());
        if needle.is_empty() || hay.is_empty() {
            return None;
        }
        // Approximate substring matching: row i is the cost of matching needle[..i] against a
        // stretch of the text ending at column j, where a stretch may start anywhere.
        let n = hay.len();
        let mut prev: Vec<(usize, usize)> = (0..=n).map(|j| (0, j)).collect();
        let mut cur = vec![(0usize, 0usize); n + 1];
        for (i, &pc) in needle.iter().enumerate() {
            cur[0] = (i + 1, 0);
            for j in 1..=n {
                let cost = usize::from(!self.same(pc, hay[j - 1].0));
                let diag = (prev[j - 1].0 + cost, prev[j - 1].1);
                let up = (prev[j].0 + 1, prev[j].1);
                let left = (cur[j - 1].0 + 1, cur[j - 1].1);
                cur[j] = [diag, up, left]
                    .into_iter()
                    .min_by_key(|c| c.0)
                    .unwrap_or(diag);
            }
            std::mem::swap(&mut prev, &mut cur);
        }
        let (end, &(edits, start)) = prev.iter().enumerate().skip(1).min_by_key(|(_, c)| c.0)?;
        if edits > k || start >= end {
            return None;
        }
        Some((hay[start].1, hay[end - 1].2, edits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asr() -> Tolerance {
        Tolerance {
            fillers: ["嗯", "呃", "啊", "那个"].map(String::from).to_vec(),
            alike: vec!["你您".to_string()],
        }
    }

    #[test]
    fn fillers_dropped_characters_and_homophones() {
        let t = asr();
        let text = "嗯您好很高兴您服务";
        let (s, e, edits) = t
            .find(text, "很高兴为您服务")
            .expect("one dropped character");
        assert_eq!(&text[s..e], "很高兴您服务");
        assert_eq!(edits, 1);
        assert!(t.find("呃你好那个请问有什么可以帮您", "您好").is_some());
        // 为 and 位 are one syllable.
        assert_eq!(
            t.find("很高兴位您服务", "很高兴为您服务").map(|m| m.2),
            Some(0)
        );
        assert!(t.find("好的我看一下", "很高兴为您服务").is_none());
        // Short phrases must match exactly (up to alike characters).
        assert!(t.find("你号", "您好").is_some());
        assert!(t.find("你们", "您好").is_none());
    }
}
