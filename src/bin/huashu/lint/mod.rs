//! `huashu lint`: canned-reply libraries checked for CI, with baselines and fixes.

mod files;
pub(crate) mod results;

use std::io::{self, Write};
use std::path::PathBuf;

use huashu::Checker;
use huashu::lint::{Baseline, LintFinding, LintOptions, finish_lint, fix, lint_replies};
use huashu::replies::{LibraryFormat, ReplyLibrary};
use rayon::prelude::*;

use crate::cli::{LintArgs, LintFormat};
use crate::render::plural;
use crate::text_file::{TextError, read_text};
use crate::{exit, pack, render};
use files::{display, library_files};
use results::{LintResults, LintedFile};

/// Lints every library file under the paths; returns the exit code.
pub(crate) fn run(args: &LintArgs) -> u8 {
    let stderr_color = args.color.enabled(&io::stderr());
    let checker = match pack::load(&args.rules).and_then(|pack| pack::compile(&pack)) {
        Ok(checker) => checker,
        Err(e) => {
            let _ = writeln!(io::stderr(), "{}", render::pack_error(&e, stderr_color));
            return exit::ERROR;
        }
    };
    let baseline = match &args.baseline {
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| Baseline::from_json(&text))
        {
            Ok(b) => Some(b),
            Err(e) => {
                let _ = writeln!(
                    io::stderr(),
                    "error: cannot read the baseline {}: {e}",
                    path.display()
                );
                return exit::ERROR;
            }
        },
        None => None,
    };
    let options = LintOptions::for_channel(args.channel.channel());
    let skip: Vec<PathBuf> = [&args.baseline, &args.write_baseline]
        .into_iter()
        .flatten()
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    if args.paths.is_empty() {
        let _ = writeln!(
            io::stderr(),
            "error: no paths to lint: name files or directories (`-` for standard input), or \
             set `paths` under [lint] in huashu.toml"
        );
        return exit::ERROR;
    }
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && args.fix && !args.dry_run {
        let _ = writeln!(
            io::stderr(),
            "error: --fix cannot write back to standard input; add --dry-run to see the fixes \
             as a diff"
        );
        return exit::ERROR;
    }
    let named: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    let (mut paths, mut errors) =
        library_files(&named, args.input_format.is_some(), &skip, &args.exclude);
    if stdin {
        paths.insert(0, PathBuf::from("-"));
    }

    // Files are read, parsed, linted and fixed side by side; what each gave is taken in the
    // order of the paths, so the output does not depend on which finished first.
    let mut files = Vec::new();
    let mut diffs = String::new();
    let outcomes: Vec<FileOutcome> = paths
        .into_par_iter()
        .map(|path| {
            let (mut warnings, mut diff) = (Vec::new(), String::new());
            let result = lint_file(path, args, &checker, &options, &mut warnings, &mut diff);
            FileOutcome {
                result,
                diff,
                warnings,
            }
        })
        .collect();
    for outcome in outcomes {
        for warning in &outcome.warnings {
            let _ = writeln!(io::stderr(), "{warning}");
        }
        diffs.push_str(&outcome.diff);
        match outcome.result {
            Ok(file) => files.push(file),
            Err(error) => errors.push(error),
        }
    }

    let mut stale = Vec::new();
    if let Some(path) = &args.write_baseline {
        let baseline = Baseline::of(files.iter().flat_map(|f| f.findings.iter()));
        if let Err(e) = std::fs::write(path, baseline.to_json()) {
            let _ = writeln!(
                io::stderr(),
                "error: cannot write the baseline {}: {e}",
                path.display()
            );
            return exit::ERROR;
        }
        stale = baseline.apply(files.iter_mut().flat_map(|f| f.findings.iter_mut()));
    } else if let Some(baseline) = &baseline {
        stale = baseline.apply(files.iter_mut().flat_map(|f| f.findings.iter_mut()));
    }

    let results = LintResults {
        checker: &checker,
        files,
        errors,
        stale,
        baseline_used: baseline.is_some() || args.write_baseline.is_some(),
        fail_on: args.fail_on.severity(),
    };
    if args.format == LintFormat::Human {
        let _ = render::lint_human::errors(&mut io::stderr().lock(), &results, stderr_color);
    }
    let stdout = io::stdout();
    let color = args.color.enabled(&stdout);
    let mut out = io::BufWriter::new(stdout.lock());
    let written = (|| -> io::Result<()> {
        if !diffs.is_empty() {
            out.write_all(diffs.as_bytes())?;
        }
        match args.format {
            LintFormat::Human => render::lint_human::write(&mut out, &results, args, color)?,
            LintFormat::Json => render::lint_json::write(&mut out, &results)?,
            LintFormat::Sarif => render::lint_sarif::write(&mut out, &results)?,
            LintFormat::Github => render::lint_github::write(&mut out, &results)?,
        }
        if let Some(path) = &args.write_baseline {
            if args.format == LintFormat::Human {
                let n: usize = results
                    .files
                    .iter()
                    .flat_map(|f| &f.findings)
                    .filter(|f| f.baselined)
                    .count();
                writeln!(
                    out,
                    "wrote {n} finding{} to the baseline {}",
                    plural(n),
                    path.display()
                )?;
            }
        }
        out.flush()
    })();
    if let Err(e) = written {
        if e.kind() != io::ErrorKind::BrokenPipe {
            let _ = writeln!(io::stderr(), "error: cannot write the output: {e}");
        }
        return exit::ERROR;
    }
    let unreadable =
        !results.errors.is_empty() || results.files.iter().any(|f| !f.library.problems.is_empty());
    if unreadable {
        exit::ERROR
    } else if results.active().any(|(_, f)| results.fails(f)) {
        exit::FAILED
    } else {
        exit::OK
    }
}

/// What linting one file gave: the file, or why it could not be read or written; the diff of
/// its fixes with `--dry-run`; and warnings about fixes that were not applied.
struct FileOutcome {
    result: Result<LintedFile, (String, String)>,
    diff: String,
    warnings: Vec<String>,
}

/// Reads, lints and (with `--fix`) fixes one library file: the file, or its name and why it
/// could not be read or written.
fn lint_file(
    path: PathBuf,
    args: &LintArgs,
    checker: &Checker,
    options: &LintOptions,
    warnings: &mut Vec<String>,
    diff_out: &mut String,
) -> Result<LintedFile, (String, String)> {
    let from_stdin = path.as_os_str() == "-";
    // Standard input is shown, and its format told, by --stdin-filename.
    let shown = match (&args.stdin_filename, from_stdin) {
        (Some(name), true) => name.clone(),
        _ => path.clone(),
    };
    let name = display(&shown);
    let source = match read_text(&path) {
        Ok(text) => text,
        Err(TextError::NotUtf8 { line, column }) => {
            return Err((
                name,
                format!("line {line}, column {column}: the file is not valid UTF-8"),
            ));
        }
        Err(TextError::Read(e)) => return Err((name, format!("cannot read: {e}"))),
    };
    let format = match args.input_format {
        Some(f) => f.format(),
        None => LibraryFormat::from_path(&shown).unwrap_or(LibraryFormat::Text),
    };
    let library = ReplyLibrary::parse(&name, source, format);
    let findings = lint_on_every_core(checker, &library, options);
    if args.fix {
        let fixes = fix(checker, &library, &findings, options, |f| {
            f.fix.as_ref().is_some_and(|e| e.safe || args.unsafe_fixes)
        });
        for &i in &fixes.refused {
            let f = &findings[i];
            warnings.push(format!(
                "warning: {name}:{}:{}: the fix for {} was not applied: it overlaps another fix \
                 or would leave a finding; run again, or fix the reply by hand",
                f.line, f.column, f.rule
            ));
        }
        let (text, applied) = (fixes.source, fixes.applied);
        if applied > 0 {
            if args.dry_run {
                *diff_out = diff(&name, &library.source, &text);
                return Ok(LintedFile {
                    library,
                    findings,
                    fixed: applied,
                });
            }
            if let Err(e) = std::fs::write(&path, &text) {
                return Err((name, format!("cannot write the fixes: {e}")));
            }
            // What is left after the fixes.
            let library = ReplyLibrary::parse(&display(&path), text, format);
            let findings = lint_on_every_core(checker, &library, options);
            return Ok(LintedFile {
                library,
                findings,
                fixed: applied,
            });
        }
    }
    Ok(LintedFile {
        library,
        findings,
        fixed: 0,
    })
}

/// How many replies a thread lints at a time.
const REPLIES_PER_TASK: usize = 256;

/// [`huashu::lint::lint`], with the replies shared out among every core in ranges.
fn lint_on_every_core(
    checker: &Checker,
    library: &ReplyLibrary,
    options: &LintOptions,
) -> Vec<LintFinding> {
    let replies = library.replies.len();
    let found: Vec<Vec<LintFinding>> = (0..replies.div_ceil(REPLIES_PER_TASK))
        .into_par_iter()
        .map(|task| {
            let start = task * REPLIES_PER_TASK;
            lint_replies(checker, library, start..start + REPLIES_PER_TASK, options)
        })
        .collect();
    finish_lint(checker, library, found.into_iter().flatten().collect())
}

/// A unified diff of one file's fixes.
fn diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}
