//! The rule pack a command runs with.

use std::path::PathBuf;

use huashu::{Checker, PackError, RulePack};

/// The packs at `paths`, each layered on the one before; the built-in pack without any.
///
/// The rules compile side by side on the current rayon pool (rayon's global pool, or the
/// pool `check` installs): every command loads its pack before it queues any other work.
pub(crate) fn load(paths: &[PathBuf]) -> Result<RulePack, PackError> {
    RulePack::compile_in_parallel(|| {
        let mut packs = paths.iter();
        let mut pack = match packs.next() {
            Some(path) => RulePack::from_path(path)?,
            None => RulePack::builtin()?,
        };
        for path in packs {
            pack = pack.layer_path(path)?;
        }
        Ok(pack)
    })
}

/// The checker of `pack`, compiled inside `compile_in_parallel` as `load` reads the pack: its
/// two sets of matchers (every rule's, and the single-turn rules' for live messages) are built
/// side by side on the current rayon pool.
pub(crate) fn compile(pack: &RulePack) -> Result<Checker, PackError> {
    RulePack::compile_in_parallel(|| Checker::new(pack))
}
