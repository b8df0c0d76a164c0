//! CSV and TSV: a header row naming the columns, then one row per reply or more.

use std::ops::Range;

use crate::replies::Builder;
use crate::replies::escape::Style;
use crate::replies::labels::{ALLOW_KEY, is_kind_key, is_metadata_key, is_reply_key};

/// Reads the replies of a CSV file whose fields are split by `delimiter`.
pub(super) fn read(b: &mut Builder<'_>, delimiter: u8) {
    let rows = csv_rows(b.source, delimiter);
    let rows = match rows {
        Ok(rows) => rows,
        Err((message, at)) => {
            b.problem(message, at..at);
            return;
        }
    };
    let mut rows = rows.into_iter();
    let Some(header) = rows.next() else {
        return;
    };
    let names: Vec<String> = header.iter().map(|f| f.text.trim().to_string()).collect();
    let has_reply_column = names.iter().any(|n| is_reply_key(n));
    let reply_columns: Vec<usize> = (0..names.len())
        .filter(|&i| {
            let n = &names[i];
            if has_reply_column {
                is_reply_key(n)
            } else {
                !is_metadata_key(n) && n != ALLOW_KEY
            }
        })
        .collect();
    let kind_columns: Vec<usize> = (0..names.len())
        .filter(|&i| is_kind_key(&names[i]))
        .collect();
    let allow_column = names.iter().position(|n| n == ALLOW_KEY);
    // A field past the header's columns has no name, and a row short of a reply column keeps
    // its text in another column: either would go unread, so each such row is an error, and
    // the file is not read.
    let rows: Vec<Vec<CsvField>> = rows.collect();
    let mut misaligned = false;
    for (r, row) in rows.iter().enumerate() {
        if let Some(extra) = row[names.len().min(row.len())..]
            .iter()
            .find(|f| !f.text.trim().is_empty())
        {
            b.problem(
                format!(
                    "row {} has {} fields but the header names {} columns, so this field \
                     would not be checked: quote a field that holds the delimiter, or name \
                     the column in the header",
                    r + 2,
                    row.len(),
                    names.len()
                ),
                extra.region.clone(),
            );
            misaligned = true;
        } else if let Some(&missing) = reply_columns.iter().find(|&&c| c >= row.len()) {
            // A row short of a reply column has lost a delimiter: its text sits in another
            // column, where it would not be checked.
            let end = row.last().map_or(0, |f| f.region.end);
            b.problem(
                format!(
                    "row {} has {} fields but the header names {} columns, so it has no `{}` \
                     field and its text would not be checked: look for a missing delimiter",
                    r + 2,
                    row.len(),
                    names.len(),
                    names[missing]
                ),
                end..end,
            );
            misaligned = true;
        }
    }
    if misaligned {
        return;
    }
    for (r, row) in rows.iter().enumerate() {
        let first = b.replies.len();
        let mut labels: Vec<String> = Vec::new();
        for &k in &kind_columns {
            if let Some(f) = row.get(k) {
                labels.push(f.text.clone());
            }
        }
        for &c in &reply_columns {
            let Some(field) = row.get(c) else {
                continue;
            };
            let mut l = vec![names[c].clone()];
            l.extend(labels.iter().cloned());
            let style = if field.quoted {
                Style::CsvQuoted
            } else {
                Style::Verbatim
            };
            b.reply(
                field.text.clone(),
                field.region.clone(),
                style,
                &l,
                format!("row {}, {}", r + 2, names[c]),
            );
        }
        if let Some(field) = allow_column.and_then(|a| row.get(a)) {
            for value in field
                .text
                .split(';')
                .map(str::trim)
                .filter(|v| !v.is_empty())
            {
                b.fields.push((
                    value.to_string(),
                    field.region.clone(),
                    first..b.replies.len(),
                ));
            }
        }
    }
}

struct CsvField {
    text: String,
    /// The content, without the quotes.
    region: Range<usize>,
    quoted: bool,
}

/// Splits CSV into rows of fields (RFC 4180: quoted fields may hold the delimiter, line
/// breaks and doubled quotes), keeping each field's place. Blank lines are skipped.
fn csv_rows(source: &str, delimiter: u8) -> Result<Vec<Vec<CsvField>>, (String, usize)> {
    let bytes = source.as_bytes();
    let delimiter = delimiter as char;
    let mut rows = Vec::new();
    let mut row: Vec<CsvField> = Vec::new();
    let mut i = 0;
    // Skip a byte-order mark.
    if source.starts_with('\u{feff}') {
        i = 3;
    }
    let mut at_row_start = true;
    while i <= bytes.len() {
        if at_row_start {
            // A blank line is no row.
            let rest = &source[i..];
            let line_end = rest.find('\n').map_or(rest.len(), |e| e + 1);
            if rest[..line_end].trim().is_empty() {
                if line_end == 0 {
                    break;
                }
                i += line_end;
                continue;
            }
            at_row_start = false;
        }
        let field = if bytes.get(i) == Some(&b'"') {
            let start = i + 1;
            let mut j = start;
            let mut text = String::new();
            loop {
                match source[j..].find('"') {
                    Some(q) => {
                        text.push_str(&source[j..j + q]);
                        j += q;
                        if bytes.get(j + 1) == Some(&b'"') {
                            text.push('"');
                            j += 2;
                        } else {
                            break;
                        }
                    }
                    None => {
                        return Err((
                            "the quoted field that opens here never closes: a field that starts \
                             with `\"` ends with a `\"` before the delimiter or the line break, and \
                             a `\"` inside it is written twice (`\"\"`)"
                                .to_string(),
                            i,
                        ));
                    }
                }
            }
            let field = CsvField {
                text,
                region: start..j,
                quoted: true,
            };
            i = j + 1;
            if bytes.get(i) == Some(&b'\r') {
                i += 1;
            }
            // Text after the closing quote would belong to no field: an error, never dropped.
            if !matches!(bytes.get(i), None | Some(b'\n')) && bytes[i] != delimiter as u8 {
                let (line, column) = crate::text::position(source, start - 1);
                return Err((
                    format!(
                        "text after the closing quote of the field that opens at line {line}, \
                         column {column}: quote the whole field, and write a `\"` inside it twice \
                         (`\"\"`)"
                    ),
                    i,
                ));
            }
            field
        } else {
            let start = i;
            while i < bytes.len() && bytes[i] != delimiter as u8 && bytes[i] != b'\n' {
                i += 1;
            }
            let end = if i > start && bytes[i - 1] == b'\r' {
                i - 1
            } else {
                i
            };
            // A quote inside an unquoted field is how a field's quoting goes wrong (a quote
            // lost at its start, or one too many at its end): an error, not a guess.
            if let Some(q) = source[start..end].find('"') {
                return Err((
                    "a `\"` inside a field that does not start with one: quote the whole field, \
                     and write a `\"` inside it twice (`\"\"`)"
                        .to_string(),
                    start + q,
                ));
            }
            CsvField {
                text: source[start..end].to_string(),
                region: start..end,
                quoted: false,
            }
        };
        row.push(field);
        match bytes.get(i) {
            Some(&c) if c == delimiter as u8 => i += 1,
            Some(b'\n') => {
                i += 1;
                rows.push(std::mem::take(&mut row));
                at_row_start = true;
            }
            _ => {
                rows.push(std::mem::take(&mut row));
                break;
            }
        }
    }
    if !row.is_empty() {
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use crate::replies::tests::{place_of, read, texts};
    use crate::replies::{LibraryFormat, ReplyKind};

    #[test]
    fn malformed_csv_is_an_error_at_its_place_and_loses_nothing() {
        // Text after a closing quote.
        let lib = read(
            "r.csv",
            LibraryFormat::Csv,
            "id,text\nq1,\"好的\"你找领导去\nq2,好\n",
        );
        assert_eq!(lib.problems.len(), 1, "{:?}", lib.problems);
        assert!(lib.problems[0].message.contains("line 2, column 4"));
        assert_eq!(lib.position(lib.problems[0].span.start), (2, 8));
        // A quote that never closes, or closes rows later, swallows no row in silence.
        for src in [
            "id,text\nq1,\"这个我不知道\"\"\nq2,您好\nq3,再见\n",
            "id,text\nq1,\"这个我不知道\"\"\nq2,您好\nq3,\"再见\"\n",
        ] {
            let lib = read("r.csv", LibraryFormat::Csv, src);
            assert_eq!(lib.problems.len(), 1, "{src:?}: {:?}", lib.problems);
        }
        // A field past the header's columns.
        let lib = read(
            "r.csv",
            LibraryFormat::Csv,
            "id,text\nq1,好的,你找领导去\nq2,好,\n",
        );
        assert_eq!(lib.problems.len(), 1, "{:?}", lib.problems);
        assert_eq!(lib.position(lib.problems[0].span.start), (2, 7));
        assert!(texts(&lib).is_empty(), "the file is not read");
        // CRLF line ends after a closing quote are fine.
        let lib = read(
            "r.csv",
            LibraryFormat::Csv,
            "id,text\r\nq1,\"好的\"\r\nq2,\"好\"\r\n",
        );
        assert!(lib.problems.is_empty(), "{:?}", lib.problems);
        assert_eq!(texts(&lib), vec!["好的", "好"]);
    }

    #[test]
    fn csv_quoted_fields_and_columns() {
        let src = "id,类型,回复,huashu-allow\n1,开场白,\"您好，\"\"请\"\"讲\",\n2,faq,\"第一行\n第二行不知道\",forbidden.dont-know -- test\n";
        let lib = read("r.csv", LibraryFormat::Csv, src);
        assert_eq!(texts(&lib), vec!["您好，\"请\"讲", "第一行\n第二行不知道"]);
        assert_eq!(lib.replies[0].kind, ReplyKind::Opening);
        assert_eq!(place_of(&lib, "讲"), (2, 16, 2, 17));
        assert_eq!(place_of(&lib, "不知道"), (4, 4, 4, 7));
        assert_eq!(lib.suppressions.len(), 1);
        assert_eq!(lib.suppressions[0].replies, vec![1]);
    }
}
