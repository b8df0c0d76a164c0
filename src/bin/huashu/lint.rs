//! `huashu lint`: canned-reply libraries checked for CI, with baselines and fixes.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use huashu::lint::{Baseline, BaselineEntry, LintFinding, LintOptions, apply_edits, lint};
use huashu::replies::{LibraryFormat, ReplyLibrary};
use huashu::{Checker, Severity};

use crate::cli::{LintArgs, LintFormat};
use crate::render;
use crate::{EXIT_ERROR, EXIT_FAILED, EXIT_OK, load_pack};

/// One linted file.
pub(crate) struct Linted {
    pub(crate) library: ReplyLibrary,
    pub(crate) findings: Vec<LintFinding>,
    /// How many fixes were applied (or would be, with `--dry-run`).
    pub(crate) fixed: usize,
}

/// Everything a run found, for the renderers.
pub(crate) struct Outcome<'a> {
    pub(crate) checker: &'a Checker,
    pub(crate) files: Vec<Linted>,
    /// Files or paths that could not be read at all: (path, message).
    pub(crate) errors: Vec<(String, String)>,
    /// Baseline entries that no longer occur.
    pub(crate) stale: Vec<BaselineEntry>,
    pub(crate) baseline_used: bool,
    pub(crate) fail_on: Severity,
}

impl Outcome<'_> {
    pub(crate) fn active(&self) -> impl Iterator<Item = (&Linted, &LintFinding)> {
        self.files
            .iter()
            .flat_map(|f| f.findings.iter().map(move |x| (f, x)))
            .filter(|(_, x)| x.is_active())
    }

    /// Whether a finding fails the run.
    pub(crate) fn fails(&self, f: &LintFinding) -> bool {
        f.is_active() && f.severity >= self.fail_on
    }
}

pub(crate) fn run(args: &LintArgs) -> u8 {
    let stderr_color = args.color.enabled(&io::stderr());
    let checker = match load_pack(&args.rules).and_then(|pack| Checker::new(&pack)) {
        Ok(checker) => checker,
        Err(e) => {
            let _ = writeln!(
                io::stderr(),
                "{}",
                render::human::pack_error(&e, stderr_color)
            );
            return EXIT_ERROR;
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
                return EXIT_ERROR;
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
    let (paths, mut errors) = library_files(
        &args.paths,
        args.input_format.is_some(),
        &skip,
        &args.exclude,
    );

    let mut files = Vec::new();
    let mut diffs = String::new();
    for path in paths {
        let name = display(&path);
        let source = match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => {
                    let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                    let valid = String::from_utf8_lossy(valid);
                    let line = valid.matches('\n').count() + 1;
                    let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                    errors.push((
                        name,
                        format!("line {line}, column {column}: the file is not valid UTF-8"),
                    ));
                    continue;
                }
            },
            Err(e) => {
                errors.push((name, format!("cannot read: {e}")));
                continue;
            }
        };
        let format = match args.input_format {
            Some(f) => f.format(),
            None => LibraryFormat::from_path(&path).unwrap_or(LibraryFormat::Text),
        };
        let library = ReplyLibrary::parse(&name, source, format);
        let mut findings = lint(&checker, &library, &options);
        let mut fixed = 0;
        if args.fix {
            let edits = findings
                .iter()
                .filter(|f| f.suppressed.is_none())
                .filter_map(|f| f.fix.as_ref())
                .filter(|e| e.safe || args.unsafe_fixes);
            let (text, applied) = apply_edits(&library.source, edits);
            if applied > 0 {
                fixed = applied;
                if args.dry_run {
                    diffs.push_str(&diff(&name, &library.source, &text));
                    files.push(Linted {
                        library,
                        findings,
                        fixed,
                    });
                    continue;
                }
                if let Err(e) = std::fs::write(&path, &text) {
                    errors.push((name, format!("cannot write the fixes: {e}")));
                    continue;
                }
                // What is left after the fixes.
                let library = ReplyLibrary::parse(&display(&path), text, format);
                findings = lint(&checker, &library, &options);
                files.push(Linted {
                    library,
                    findings,
                    fixed,
                });
                continue;
            }
        }
        files.push(Linted {
            library,
            findings,
            fixed,
        });
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
            return EXIT_ERROR;
        }
        stale = baseline.apply(files.iter_mut().flat_map(|f| f.findings.iter_mut()));
    } else if let Some(baseline) = &baseline {
        stale = baseline.apply(files.iter_mut().flat_map(|f| f.findings.iter_mut()));
    }

    let outcome = Outcome {
        checker: &checker,
        files,
        errors,
        stale,
        baseline_used: baseline.is_some() || args.write_baseline.is_some(),
        fail_on: args.fail_on.severity(),
    };
    let stdout = io::stdout();
    let color = args.color.enabled(&stdout);
    let mut out = io::BufWriter::new(stdout.lock());
    let written = (|| -> io::Result<()> {
        if !diffs.is_empty() {
            out.write_all(diffs.as_bytes())?;
        }
        match args.format {
            LintFormat::Human => render::lint::human(&mut out, &outcome, args, color)?,
            LintFormat::Json => render::lint::json(&mut out, &outcome)?,
            LintFormat::Sarif => render::lint::sarif(&mut out, &outcome)?,
            LintFormat::Github => render::lint::github(&mut out, &outcome)?,
        }
        if let Some(path) = &args.write_baseline {
            if args.format == LintFormat::Human {
                let n: usize = outcome
                    .files
                    .iter()
                    .flat_map(|f| &f.findings)
                    .filter(|f| f.baselined)
                    .count();
                writeln!(
                    out,
                    "wrote {n} finding{} to the baseline {}",
                    if n == 1 { "" } else { "s" },
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
        return EXIT_ERROR;
    }
    let unreadable =
        !outcome.errors.is_empty() || outcome.files.iter().any(|f| !f.library.problems.is_empty());
    if unreadable {
        EXIT_ERROR
    } else if outcome.active().any(|(_, f)| outcome.fails(f)) {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

/// A path as shown: relative, with `/` separators, without a leading `./`.
pub(crate) fn display(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// The library files under `paths`, sorted, and the paths that could not be used. Directories
/// are walked honouring .gitignore (in a repository or not) and `exclude`, and hidden files
/// are skipped; a file named on the command line is linted whatever its extension when
/// `any_extension`.
fn library_files(
    paths: &[PathBuf],
    any_extension: bool,
    skip: &[PathBuf],
    exclude: &[String],
) -> (Vec<PathBuf>, Vec<(String, String)>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let skipped = |p: &Path| p.canonicalize().is_ok_and(|c| skip.contains(&c));
    for path in paths {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                errors.push((display(path), format!("cannot open: {e}")));
                continue;
            }
        };
        if meta.is_file() {
            if any_extension || LibraryFormat::from_path(path).is_some() {
                files.push(path.clone());
            } else {
                errors.push((
                    display(path),
                    "not a reply library format (toml, json, jsonc, yaml, yml, csv, tsv, md, \
                     txt); use --input-format to read it anyway"
                        .to_string(),
                ));
            }
            continue;
        }
        let before = files.len();
        let mut overrides = ignore::overrides::OverrideBuilder::new(path);
        for glob in exclude {
            if let Err(e) = overrides.add(&format!("!{glob}")) {
                errors.push((display(path), format!("--exclude {glob}: {e}")));
            }
        }
        let overrides = match overrides.build() {
            Ok(o) => o,
            Err(e) => {
                errors.push((display(path), format!("--exclude: {e}")));
                continue;
            }
        };
        let walker = ignore::WalkBuilder::new(path)
            .require_git(false)
            .overrides(overrides)
            .sort_by_file_path(|a, b| a.cmp(b))
            .build();
        for entry in walker {
            match entry {
                Ok(e) => {
                    let p = e.path();
                    if e.file_type().is_some_and(|t| t.is_file())
                        && LibraryFormat::from_path(p).is_some()
                        && !skipped(p)
                    {
                        files.push(p.to_path_buf());
                    }
                }
                Err(e) => errors.push((display(path), e.to_string())),
            }
        }
        if files.len() == before {
            errors.push((
                display(path),
                "the directory holds no reply library files".to_string(),
            ));
        }
    }
    files.dedup();
    (files, errors)
}

/// A unified diff of one file's fixes.
fn diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}
