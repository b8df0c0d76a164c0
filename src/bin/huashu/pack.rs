//! The rule pack a command runs with.

use std::path::PathBuf;

use huashu::{PackError, RulePack};

/// The packs at `paths`, each layered on the one before; the built-in pack without any.
pub(crate) fn load(paths: &[PathBuf]) -> Result<RulePack, PackError> {
    let mut packs = paths.iter();
    let mut pack = match packs.next() {
        Some(path) => RulePack::from_path(path)?,
        None => RulePack::builtin()?,
    };
    for path in packs {
        pack = pack.layer_path(path)?;
    }
    Ok(pack)
}
