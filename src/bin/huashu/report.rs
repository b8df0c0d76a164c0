//! `huashu report`: reads the JSON Lines of `huashu check` and writes the HTML QA report
//! (`huashu::html`). The page is written to a temporary file beside the output and renamed
//! into place, so a run that fails never leaves half a page behind.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use huashu::html::{HtmlReport, Options};
use huashu::read::{RecordRead, read_record};

use crate::cli::ReportArgs;
use crate::render::printable;
use crate::walk::{self, Scope};
use crate::{exit, pack};

pub(crate) fn run(args: &ReportArgs) -> u8 {
    let mut options = Options {
        title: args
            .title
            .clone()
            .unwrap_or_else(|| Options::default().title),
        max_transcripts: args.max_transcripts,
        timezone: args.timezone,
        generated: Some(jiff::Timestamp::now()),
        ..Options::default()
    };
    match pack::load(&args.rules) {
        Ok(pack) => options.describe_rules(&pack),
        Err(e) => {
            let color = crate::cli::Color::Auto.enabled(&io::stderr());
            let _ = writeln!(io::stderr(), "{}", crate::render::pack_error(&e, color));
            return exit::ERROR;
        }
    }
    let mut report = HtmlReport::new(options);
    // Lines that are not results are listed on the page; an input that cannot be read at
    // all would leave a hole in it that nobody sees, so then nothing is written.
    let mut failed = false;
    let mut unreadable = false;
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut stderr = io::stderr().lock();
    for path in &args.files {
        let files = match inputs(path) {
            Ok(files) => files,
            Err(message) => {
                let _ = writeln!(stderr, "error: {}", printable(&message));
                unreadable = true;
                continue;
            }
        };
        for file in files {
            let name = if file == Path::new("-") {
                "stdin".to_string()
            } else {
                file.display().to_string()
            };
            let same = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if file != Path::new("-") && seen.contains(&same) {
                let _ = writeln!(
                    stderr,
                    "warning: {} is named twice; it is read once",
                    printable(&name)
                );
                continue;
            }
            seen.push(same);
            let reader: Box<dyn BufRead> = if file == Path::new("-") {
                Box::new(io::stdin().lock())
            } else {
                match File::open(&file) {
                    Ok(f) => Box::new(BufReader::with_capacity(1 << 16, f)),
                    Err(e) => {
                        let _ = writeln!(stderr, "error: cannot read {}: {e}", printable(&name));
                        unreadable = true;
                        continue;
                    }
                }
            };
            match read(
                &mut report,
                &name,
                reader,
                args.max_record_size,
                &mut stderr,
            ) {
                Ok(0) => {}
                Ok(_) => failed = true,
                Err(message) => {
                    let _ = writeln!(stderr, "error: {}", printable(&message));
                    unreadable = true;
                }
            }
        }
    }
    let output = printable(&args.output.display().to_string());
    if unreadable {
        let _ = writeln!(
            stderr,
            "error: {output} was not written, as not every input could be read"
        );
        return exit::ERROR;
    }
    if report.records() == 0 {
        let _ = writeln!(
            stderr,
            "error: {output} was not written: the input holds no results of `huashu check \
             --format json`"
        );
        return exit::ERROR;
    }
    if let Err(e) = write(&report, &args.output) {
        let _ = writeln!(stderr, "error: cannot write {output}: {e}");
        return exit::ERROR;
    }
    if args.output != Path::new("-") {
        let _ = writeln!(
            stderr,
            "wrote {output}: {} transcript{}",
            report.transcripts(),
            if report.transcripts() == 1 { "" } else { "s" },
        );
    }
    let undescribed = report.undescribed_rules();
    if !undescribed.is_empty() {
        let _ = writeln!(
            stderr,
            "warning: the pack does not have {} (found in compact results), so the page names \
             {} by id only; give the pack the results were checked with as `--rules`",
            printable(&undescribed.join(", ")),
            if undescribed.len() == 1 { "it" } else { "them" },
        );
    }
    if report.transcripts() > 0 && report.with_turns() == 0 {
        let _ = writeln!(
            stderr,
            "note: the records carry no turns, so the page shows each finding's words without \
             its sentence; run `huashu check --format json --turns` to include them"
        );
    }
    if failed { exit::ERROR } else { exit::OK }
}

/// The files `path` names: itself, or a directory's *.jsonl and *.ndjson files.
fn inputs(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path == Path::new("-") || !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let (found, errors) = walk::files(path, Scope::Everything, |p| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"))
    });
    if let Some(e) = errors.first() {
        return Err(format!("cannot read the directory {}: {e}", path.display()));
    }
    if found.is_empty() {
        return Err(format!(
            "{} holds no *.jsonl or *.ndjson file of `huashu check` results",
            path.display()
        ));
    }
    Ok(found)
}

/// Adds every line of one input; a line that is not a record is reported, listed on the
/// page, and skipped. Returns how many were.
fn read(
    report: &mut HtmlReport,
    name: &str,
    mut reader: impl BufRead,
    limit: usize,
    stderr: &mut impl Write,
) -> Result<usize, String> {
    let mut buf = Vec::new();
    let mut line = 0usize;
    let mut problems = 0;
    loop {
        let read = read_record(&mut reader, &mut buf, limit)
            .map_err(|e| format!("cannot read {name}: {e}"))?;
        line += 1;
        let problem = match read {
            RecordRead::End => return Ok(problems),
            RecordRead::Binary => {
                return Err(format!(
                    "{name}:{line}: binary data, not the JSON Lines of `huashu check`"
                ));
            }
            RecordRead::TooLong { len } => {
                let message = format!(
                    "the line is {} long, more than --max-record-size ({})",
                    huashu::text::human_bytes(len),
                    huashu::text::human_bytes(limit)
                );
                report.add_unreadable(name, line, &message);
                Some(format!("{name}:{line}: {message}"))
            }
            RecordRead::Line => match std::str::from_utf8(&buf) {
                Err(e) => {
                    let message = format!("not UTF-8 (at byte {})", e.valid_up_to() + 1);
                    report.add_unreadable(name, line, &message);
                    Some(format!("{name}:{line}: {message}"))
                }
                Ok(text) => report
                    .add_json(name, line, text)
                    .err()
                    .map(|e| e.to_string()),
            },
        };
        if let Some(problem) = problem {
            problems += 1;
            let _ = writeln!(stderr, "error: {}; skipped", printable(&problem));
        }
    }
}

fn write(report: &HtmlReport, output: &Path) -> io::Result<()> {
    if output == Path::new("-") {
        let mut out = BufWriter::new(io::stdout().lock());
        report.write(&mut out)?;
        return out.flush();
    }
    // A device or a pipe (`/dev/null`, `>(gzip > r.html.gz)`) is written as it is.
    if std::fs::metadata(output).is_ok_and(|m| !m.is_file()) {
        let mut out = BufWriter::new(File::create(output)?);
        report.write(&mut out)?;
        return out.flush();
    }
    let dir = match output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report.html".to_string());
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut out = BufWriter::new(File::create(&temporary)?);
        report.write(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&temporary, output)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}
