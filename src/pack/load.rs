//! Loading packs: reading the files of a pack (one file, a directory, or a pack embedded in
//! the library), following `extends` down to the base, then layering each pack on its base.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::{PackError, Problem};
use super::layer::apply;
use super::parse::{self, Layer, Loc};
use super::{RulePack, builtin};

/// Loading: the public ways to make a pack, each a loader run over one layer.
impl RulePack {
    /// The built-in pack `zh-CN`, embedded in the library.
    pub fn builtin() -> Result<RulePack, PackError> {
        RulePack::builtin_named(RulePack::DEFAULT)
    }

    /// A built-in pack by name. See [`RulePack::builtin_names`].
    pub fn builtin_named(name: &str) -> Result<RulePack, PackError> {
        let mut loader = Loader::default();
        let layer = loader.builtin_layer(name, None);
        loader.finish(layer)
    }

    /// The names of the built-in packs.
    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        builtin::PACKS.iter().map(|(name, _)| *name)
    }

    /// Loads a pack from a TOML file or a directory of TOML files, with the packs it extends.
    pub fn from_path(path: impl AsRef<Path>) -> Result<RulePack, PackError> {
        let mut loader = Loader::default();
        let layer = loader.path_layer(path.as_ref(), None);
        loader.finish(layer)
    }

    /// Loads a pack from TOML text. `file` names it in error messages; a relative `extends`
    /// path is resolved against the current directory.
    pub fn from_toml(file: &str, text: &str) -> Result<RulePack, PackError> {
        let mut loader = Loader::default();
        let layer = loader.text_layer(file, text, Path::new("."), None);
        loader.finish(layer)
    }

    /// Applies the pack at `path` on top of this one, as if it extended this pack: it may
    /// disable and override this pack's rules and add its own. It must not declare `extends`.
    pub fn layer_path(self, path: impl AsRef<Path>) -> Result<RulePack, PackError> {
        let mut loader = Loader::default();
        let layer = loader.path_layer(path.as_ref(), Some(self));
        loader.finish(layer)
    }

    /// Applies a pack given as TOML text on top of this one. See [`RulePack::layer_path`].
    pub fn layer_toml(self, file: &str, text: &str) -> Result<RulePack, PackError> {
        let mut loader = Loader::default();
        let layer = loader.text_layer(file, text, Path::new("."), Some(self));
        loader.finish(layer)
    }
}

/// How many packs may extend one another in a chain.
const MAX_DEPTH: usize = 8;

/// A layer read from files, with the base pack it applies to.
struct PendingLayer {
    layer: Layer,
    base: Option<RulePack>,
    /// Where the layer came from, to resolve a relative `extends`.
    dir: PathBuf,
}

/// Loads a pack and the packs it extends, collecting the problems of them all.
#[derive(Default)]
struct Loader {
    problems: Vec<Problem>,
    depth: usize,
    /// The chain of packs being loaded, to catch a pack that extends itself.
    chain: Vec<String>,
    /// The directory of the pack first loaded: what it extends must lie inside it.
    root: Option<PathBuf>,
}

impl Loader {
    fn finish(mut self, pending: Option<PendingLayer>) -> Result<RulePack, PackError> {
        let pack = pending.and_then(|p| self.resolve(p));
        match pack {
            Some(pack) if self.problems.is_empty() => Ok(pack),
            _ => {
                if self.problems.is_empty() {
                    self.problems.push(Problem::whole(
                        "<pack>",
                        None,
                        "the rule pack could not be loaded",
                    ));
                }
                Err(PackError::new(self.problems))
            }
        }
    }

    fn builtin_layer(&mut self, name: &str, base: Option<RulePack>) -> Option<PendingLayer> {
        let Some((_, files)) = builtin::PACKS.iter().find(|(n, _)| *n == name) else {
            let names: Vec<&str> = RulePack::builtin_names().collect();
            self.problems.push(Problem::whole(
                &format!("builtin:{name}"),
                None,
                format!(
                    "no built-in pack `{name}`; the built-in packs are {}",
                    names.join(", ")
                ),
            ));
            return None;
        };
        let mut layer = Layer::default();
        for (file, text) in files.iter() {
            let file: Arc<str> = format!("builtin:{file}").into();
            parse::parse_file(&file, &Arc::from(*text), &mut layer, &mut self.problems);
        }
        Some(PendingLayer {
            layer,
            base,
            dir: PathBuf::from("."),
        })
    }

    fn path_layer(&mut self, path: &Path, base: Option<RulePack>) -> Option<PendingLayer> {
        let display = path.display().to_string();
        if self.root.is_none() {
            let dir = if path.is_dir() {
                path
            } else {
                path.parent().unwrap_or(Path::new("."))
            };
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            self.root = std::fs::canonicalize(dir).ok();
        }
        let files = if path.is_dir() {
            let mut files = match std::fs::read_dir(path) {
                Ok(entries) => entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
                    .collect::<Vec<_>>(),
                Err(e) => {
                    self.problems.push(Problem::whole(
                        &display,
                        None,
                        format!("cannot read the directory: {e}"),
                    ));
                    return None;
                }
            };
            // pack.toml first, then the rest in name order.
            files.sort_by_key(|p| (p.file_name().is_none_or(|n| n != "pack.toml"), p.clone()));
            if files.is_empty() {
                self.problems.push(Problem::whole(
                    &display,
                    None,
                    "the directory holds no `.toml` files",
                ));
                return None;
            }
            files
        } else {
            vec![path.to_path_buf()]
        };
        let mut layer = Layer::default();
        let mut unread = false;
        for file in &files {
            let name: Arc<str> = file.display().to_string().into();
            match std::fs::read(file) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => {
                        parse::parse_file(&name, &Arc::from(text), &mut layer, &mut self.problems)
                    }
                    Err(e) => {
                        unread = true;
                        self.problems.push(Problem::whole(
                            &name,
                            None,
                            format!(
                                "the file is not valid UTF-8 (at byte {})",
                                e.utf8_error().valid_up_to()
                            ),
                        ));
                    }
                },
                Err(e) => {
                    unread = true;
                    self.problems.push(Problem::whole(
                        &name,
                        None,
                        format!("cannot read the rule pack: {e}"),
                    ));
                }
            }
        }
        // A file that could not be read says so, and nothing else: what it lacks is unknown.
        if unread {
            return None;
        }
        let dir = if path.is_dir() {
            path.to_path_buf()
        } else {
            path.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        Some(PendingLayer { layer, base, dir })
    }

    fn text_layer(
        &mut self,
        file: &str,
        text: &str,
        dir: &Path,
        base: Option<RulePack>,
    ) -> Option<PendingLayer> {
        if self.root.is_none() {
            self.root = std::fs::canonicalize(dir).ok();
        }
        let mut layer = Layer::default();
        parse::parse_file(
            &Arc::from(file),
            &Arc::from(text),
            &mut layer,
            &mut self.problems,
        );
        Some(PendingLayer {
            layer,
            base,
            dir: dir.to_path_buf(),
        })
    }

    /// Loads what the layer extends, then applies the layer on top.
    fn resolve(&mut self, pending: PendingLayer) -> Option<RulePack> {
        let PendingLayer {
            mut layer,
            base,
            dir,
        } = pending;
        if layer.invalid_toml {
            // The syntax errors are reported; nothing more can be said about this layer.
            return None;
        }
        let extends = layer.meta.extends.take();
        let base = match (base, extends) {
            (Some(_), Some((_, loc))) => {
                self.problems.push(loc.problem(
                    None,
                    "this pack declares `extends`, but it is also layered on top of another pack; \
                     drop one of the two",
                ));
                return None;
            }
            (Some(base), None) => Some(base),
            (None, None) => None,
            (None, Some((target, loc))) => Some(self.load_base(&target, &loc, &dir)?),
        };
        let before = self.problems.len();
        let pack = apply(base, layer, &mut self.problems);
        (self.problems.len() == before).then_some(pack)
    }

    fn load_base(&mut self, target: &str, loc: &Loc, dir: &Path) -> Option<RulePack> {
        if self.depth >= MAX_DEPTH {
            self.problems.push(loc.problem(
                None,
                format!("packs extend one another more than {MAX_DEPTH} deep"),
            ));
            return None;
        }
        let builtin_name = target.strip_prefix("builtin:").or_else(|| {
            builtin::PACKS
                .iter()
                .any(|(n, _)| *n == target)
                .then_some(target)
        });
        let key = match builtin_name {
            Some(name) => format!("builtin:{name}"),
            None => {
                let path = dir.join(target);
                std::fs::canonicalize(&path)
                    .unwrap_or(path)
                    .display()
                    .to_string()
            }
        };
        if self.chain.contains(&key) {
            self.problems
                .push(loc.problem(None, format!("`{target}` extends itself through its bases")));
            return None;
        }
        let before = self.problems.len();
        let pending = match builtin_name {
            Some(name) => self.builtin_layer(name, None),
            None => {
                let path = dir.join(target);
                if !path.exists() {
                    let names: Vec<&str> = RulePack::builtin_names().collect();
                    self.problems.push(loc.problem(
                        None,
                        format!(
                            "cannot extend `{target}`: no such file or directory (looked for {}); \
                             the built-in packs are {}",
                            path.display(),
                            names.join(", ")
                        ),
                    ));
                    return None;
                }
                let inside = match (&self.root, std::fs::canonicalize(&path)) {
                    (Some(root), Ok(real)) => real.starts_with(root),
                    _ => false,
                };
                if !inside {
                    let root = self
                        .root
                        .as_ref()
                        .map_or_else(|| ".".to_string(), |r| r.display().to_string());
                    self.problems.push(loc.problem(
                        None,
                        format!(
                            "cannot extend `{target}`: it is outside the pack's directory \
                             ({root}); a pack extends built-in packs and packs in its own \
                             directory tree. To build on a pack elsewhere, drop `extends` and layer the two \
                             explicitly: `--rules BASE --rules THIS`"
                        ),
                    ));
                    return None;
                }
                let before = self.problems.len();
                let pending = self.path_layer(&path, None);
                // A base that is not TOML may be any file: its text is never shown.
                if pending.as_ref().is_some_and(|p| p.layer.invalid_toml) {
                    self.problems.truncate(before);
                    self.problems.push(loc.problem(
                        None,
                        format!(
                            "cannot extend `{target}`: it is not valid TOML, so not a rule \
                             pack (`huashu rules lint {}` shows where)",
                            path.display()
                        ),
                    ));
                    return None;
                }
                pending
            }
        };
        if self.problems.len() > before {
            return None;
        }
        self.chain.push(key);
        self.depth += 1;
        let pack = pending.and_then(|p| self.resolve(p));
        self.depth -= 1;
        self.chain.pop();
        pack
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extends_a_builtin_and_a_missing_path() {
        let pack = RulePack::from_toml(
            "acme.toml",
            "[pack]\nname = \"acme\"\nextends = \"zh-CN\"\n",
        )
        .expect("extends the built-in pack");
        assert!(pack.rules().len() > 30);
        let err = RulePack::from_toml(
            "acme.toml",
            "[pack]\nname = \"acme\"\nextends = \"no/such/pack.toml\"\n",
        )
        .expect_err("missing base");
        assert!(
            err.to_string().starts_with("invalid rule pack: acme.toml:3:11: cannot extend `no/such/pack.toml`: no such file or directory"),
            "{err}"
        );
    }
}
