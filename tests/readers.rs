//! Reply readers account for every byte. Each format is fed truncated and garbled copies of a
//! small library; a reader either reports a problem with the file (so the run fails and says
//! where) or returns every reply still in the text, each found whole in some reply's text, or
//! in the key or heading that a reply is shown under (damage can make a key of a reply, and
//! keys and headings name replies; they are not sent). What a reader may never do is drop a
//! reply in silence.

use huashu::replies::{LibraryFormat, ReplyLibrary};
use proptest::prelude::*;

/// Words that stand for one reply each: none is a key, a label or a comment. The libraries hold
/// no comments, and no damage writes a comment mark: a reply commented out is the file's
/// choice, not a reader's loss.
const MARKERS: [&str; 4] = ["甲乙丙", "丁戊己", "庚辛壬", "子丑寅"];

fn library(format: LibraryFormat) -> String {
    let [a, b, c, d] = MARKERS;
    match format {
        LibraryFormat::Toml => format!(
            "[[opening]]\nid = \"o1\"\ntext = \"您好，{a}。\"\n\n[faq]\nq1 = \"好的，{b}\"\n\
             q2 = '''\n多行 {c}\n第二行'''\nlist = [\"{d}\", \"再见\"]\n"
        ),
        LibraryFormat::Json => format!(
            "{{\n  \"opening\": \"您好，{a}。\",\n  \"faq\": {{\"q1\": \"好的，{b}\", \
             \"q2\": \"多行\\n{c}\"}},\n  \"list\": [\"{d}\", \"再见\",],\n}}\n"
        ),
        LibraryFormat::Yaml => format!(
            "opening: \"您好，{a}。\"\nfaq:\n  q1: 好的，{b}\n  q2: |\n    多行\n    {c}\n\
             list:\n  - '{d}'\n  - 再见\n"
        ),
        LibraryFormat::Csv => format!(
            "id,类型,回复\no1,开场白,\"您好，{a}。\"\nq1,常用,好的，{b}\nq2,常用,\"多行\n{c}\"\n\
             q3,常用,\"他说\"\"{d}\"\"\"\n"
        ),
        LibraryFormat::Tsv => format!(
            "id\t类型\t回复\no1\t开场白\t您好，{a}。\nq1\t常用\t好的，{b}\nq2\t常用\t\"多行\n{c}\"\n\
             q3\t常用\t{d}\n"
        ),
        LibraryFormat::Markdown => {
            format!("# 常用回复\n\n- 您好，{a}。\n- 好的，**{b}**\n\n多行\n{c}\n\n> {d}\n")
        }
        LibraryFormat::Text => format!("您好，{a}。\n好的，{b}\n\n{c}\n{d}\n"),
    }
}

/// How a copy is damaged.
#[derive(Clone, Debug)]
enum Damage {
    /// Cut off after this many characters.
    Truncate(usize),
    /// A character put in before the character at this index.
    Insert(usize, char),
    /// The character at this index taken out.
    Delete(usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    // Characters that mean something to some format; `#` is left out, since commenting a
    // reply out is a choice a file may make.
    let specials = prop::sample::select(vec![
        '"', '\'', '\\', ',', '\t', '\n', '\r', '{', '}', '[', ']', ':', '-', '*', '`', '>', '|',
        '=', ' ', '\u{feff}', '\0',
    ]);
    prop_oneof![
        (0usize..400).prop_map(Damage::Truncate),
        ((0usize..400), specials).prop_map(|(i, c)| Damage::Insert(i, c)),
        (0usize..400).prop_map(Damage::Delete),
    ]
}

fn apply(source: &str, damage: &Damage) -> String {
    let chars: Vec<char> = source.chars().collect();
    let at = |i: usize| i % (chars.len() + 1);
    let mut out = chars.clone();
    match *damage {
        Damage::Truncate(i) => out.truncate(at(i)),
        Damage::Insert(i, c) => out.insert(at(i), c),
        Damage::Delete(i) => {
            if !out.is_empty() {
                out.remove(i % chars.len());
            }
        }
    }
    out.into_iter().collect()
}

/// Whether `marker` is in a Markdown heading: the title of a section, which no agent sends.
/// Damage makes one of a paragraph when it puts a line of `=` or `-` under it.
fn in_heading(source: &str, marker: &str) -> bool {
    let lines: Vec<&str> = source.lines().collect();
    lines.iter().enumerate().any(|(i, line)| {
        line.contains(marker)
            && (line.trim_start().starts_with('#')
                || lines[i + 1..]
                    .iter()
                    .find(|l| !l.contains(['甲', '丁', '庚', '子']) || l.trim().is_empty())
                    .is_some_and(|l| {
                        let t = l.trim();
                        !t.is_empty()
                            && (t.chars().all(|c| c == '=') || t.chars().all(|c| c == '-'))
                    }))
    })
}

/// Asserts that `source` is either reported as a problem or read with every marker it holds.
fn accounts_for_every_reply(format: LibraryFormat, source: &str) -> Result<(), TestCaseError> {
    let library = ReplyLibrary::parse("replies", source.to_string(), format);
    for problem in &library.problems {
        prop_assert!(
            problem.span.start <= source.len() && problem.span.end <= source.len(),
            "a problem out of the file: {:?}",
            problem
        );
    }
    if !library.problems.is_empty() {
        return Ok(());
    }
    // The first row of CSV and TSV names the columns: a reply joined to it by a lost line
    // break is a column name.
    let body = match format {
        LibraryFormat::Csv | LibraryFormat::Tsv => source.split_once('\n').map_or("", |(_, b)| b),
        _ => source,
    };
    for marker in MARKERS {
        if body.contains(marker) {
            prop_assert!(
                library
                    .replies
                    .iter()
                    .any(|r| r.text.contains(marker) || r.place.contains(marker))
                    || (format == LibraryFormat::Markdown && in_heading(source, marker)),
                "{:?}: {} is in the file, in no reply, and no problem was reported:\n{}\n{:?}",
                format,
                marker,
                source,
                library
                    .replies
                    .iter()
                    .map(|r| r.text.as_str())
                    .collect::<Vec<_>>()
            );
        }
    }
    Ok(())
}

#[test]
fn every_library_is_read_whole() {
    for format in LibraryFormat::ALL {
        let source = library(format);
        let library = ReplyLibrary::parse("replies", source.clone(), format);
        assert!(
            library.problems.is_empty(),
            "{format:?}: {:?}",
            library.problems
        );
        for marker in MARKERS {
            assert!(
                library.replies.iter().any(|r| r.text.contains(marker)),
                "{format:?}: {marker}"
            );
        }
    }
}

fn formats() -> impl Strategy<Value = LibraryFormat> {
    prop::sample::select(LibraryFormat::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn damaged_libraries_are_read_whole_or_reported(
        format in formats(),
        damages in prop::collection::vec(damage(), 1..2),
    ) {
        let mut source = library(format);
        for d in &damages {
            source = apply(&source, d);
        }
        accounts_for_every_reply(format, &source)?;
    }
}

#[test]
fn a_reply_that_became_a_key_is_an_error() {
    for (format, source) in [
        (LibraryFormat::Yaml, "faq:\n  - 我不知道:\n"),
        (LibraryFormat::Yaml, "opening \"您好\"faq:\n  q1: 好的\n"),
    ] {
        let library = ReplyLibrary::parse("replies", source.to_string(), format);
        assert_eq!(
            library.problems.len(),
            1,
            "{source:?}: {:?}",
            library.problems
        );
    }
    // Names with no value, and text keys with a value, are fine.
    let library = ReplyLibrary::parse(
        "replies",
        "faq:\nrefund-late:\n常用回复:\n  - 您好\n".to_string(),
        LibraryFormat::Yaml,
    );
    assert!(library.problems.is_empty(), "{:?}", library.problems);
}
