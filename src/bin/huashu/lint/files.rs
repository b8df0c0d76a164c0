//! Which files `huashu lint` reads, and how their paths are shown.

use std::path::{Path, PathBuf};

use huashu::replies::LibraryFormat;

use crate::walk::{self, Scope};

/// A path as shown: relative, with `/` separators, without a leading `./`.
pub(super) fn display(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// The library files under `paths`, sorted, and the paths that could not be used. Directories
/// are walked honouring .gitignore (in a repository or not) and `exclude`, and hidden files
/// are skipped; a file named on the command line is linted whatever its extension when
/// `any_extension`.
pub(super) fn library_files(
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
        let (found, walk_errors) = walk::files(path, Scope::Tracked(overrides), |p| {
            LibraryFormat::from_path(p).is_some() && !skipped(p)
        });
        files.extend(found);
        for e in walk_errors {
            errors.push((display(path), e.to_string()));
        }
        if files.len() == before {
            errors.push((
                display(path),
                "the directory holds no reply library files".to_string(),
            ));
        }
    }
    // A file named twice (`dir` and `dir/a.txt`, or `a.txt` and `./a.txt`) is linted once:
    // files are linted side by side, and two fixes of one file at once could read it half
    // written.
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.canonicalize().unwrap_or_else(|_| f.clone())));
    (files, errors)
}
