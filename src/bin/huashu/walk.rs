//! Walking a directory for the files a command reads, shared by `check` and `lint`: in path
//! order, and never round a loop of symbolic links.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use ignore::overrides::Override;
use ignore::{Error, WalkBuilder};

/// Which entries of a directory a walk takes.
pub(crate) enum Scope {
    /// Every file, hidden or ignored by git alike, symbolic links followed: what `check`
    /// reads. A link back to a directory being walked is not followed (its files are reached
    /// without it), and a file reached through two links is taken once.
    Everything,
    /// What a repository would track: .gitignore honoured (in a repository or not), hidden
    /// files and the globs of the override skipped, symbolic links not followed: what `lint`
    /// reads.
    Tracked(Override),
}

/// The files under the directory `dir` that `wanted` takes, sorted by path, and the errors
/// met on the way.
pub(crate) fn files(
    dir: &Path,
    scope: Scope,
    wanted: impl Fn(&Path) -> bool,
) -> (Vec<PathBuf>, Vec<Error>) {
    let follow = matches!(scope, Scope::Everything);
    let mut builder = WalkBuilder::new(dir);
    builder.sort_by_file_path(|a, b| a.cmp(b));
    match scope {
        Scope::Everything => builder.standard_filters(false).follow_links(true),
        Scope::Tracked(overrides) => builder.require_git(false).overrides(overrides),
    };
    let mut files = Vec::new();
    let mut errors = Vec::new();
    // The real path of every file taken, when links can lead to one file twice.
    let mut seen = HashSet::new();
    for entry in builder.build() {
        let path = match entry {
            Ok(e) => {
                // `check` has always taken whatever is not a directory; `lint` regular files.
                let taken = e
                    .file_type()
                    .is_some_and(|t| if follow { !t.is_dir() } else { t.is_file() });
                if !taken {
                    continue;
                }
                e.into_path()
            }
            Err(e) if is_loop(&e) => continue,
            Err(e) => match error_path(&e) {
                // A link that leads nowhere is a file that cannot be opened: the reader says so.
                Some(p) if follow && !p.is_dir() => p.to_path_buf(),
                _ => {
                    errors.push(e);
                    continue;
                }
            },
        };
        if !wanted(&path) {
            continue;
        }
        if follow && !seen.insert(path.canonicalize().unwrap_or_else(|_| path.clone())) {
            continue;
        }
        files.push(path);
    }
    (files, errors)
}

/// The path an error of the walk is about, if it names one.
pub(crate) fn error_path(e: &Error) -> Option<&Path> {
    match e {
        Error::WithPath { path, .. } => Some(path),
        Error::WithDepth { err, .. } | Error::WithLineNumber { err, .. } => error_path(err),
        _ => None,
    }
}

/// Whether the error is a symbolic link to a directory being walked.
fn is_loop(e: &Error) -> bool {
    match e {
        Error::Loop { .. } => true,
        Error::WithPath { err, .. }
        | Error::WithDepth { err, .. }
        | Error::WithLineNumber { err, .. } => is_loop(err),
        _ => false,
    }
}
