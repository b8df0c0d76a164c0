//! One reader per library format. Each reads the file into the [`Builder`]: its replies with
//! their places, and the comments and fields that may be suppressions.

mod csv;
mod json;
mod markdown;
mod text;
mod toml;
mod yaml;

use std::ops::Range;

use super::{Builder, LibraryFormat};

/// Reads `b`'s source as `format`.
pub(super) fn read(b: &mut Builder<'_>, format: LibraryFormat) {
    match format {
        LibraryFormat::Toml => toml::read(b),
        LibraryFormat::Json => json::read(b),
        LibraryFormat::Yaml => yaml::read(b),
        LibraryFormat::Csv => csv::read(b, b','),
        LibraryFormat::Tsv => csv::read(b, b'\t'),
        LibraryFormat::Markdown => markdown::read(b),
        LibraryFormat::Text => text::read(b),
    }
}

/// `#` comments of TOML and YAML: every `#` that starts a line (after blanks) or follows a
/// blank, outside quotes on its line.
fn hash_comments(source: &str) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in source.split_inclusive('\n') {
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for (i, c) in line.char_indices() {
            match quote {
                Some(q) if c == q && prev != '\\' => quote = None,
                Some(_) => {}
                None if c == '"' || c == '\'' => quote = Some(c),
                None if c == '#' && (prev == ' ' || prev == '\t' || i == 0) => {
                    let text = line[i + 1..].trim_end_matches(['\n', '\r']);
                    out.push((text.to_string(), at + i..at + i + 1 + text.len()));
                    break;
                }
                None => {}
            }
            prev = c;
        }
        at += line.len();
    }
    out
}
