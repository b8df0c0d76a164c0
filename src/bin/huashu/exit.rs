//! The exit codes of every command, as `huashu --help` documents them.

/// Every transcript passed.
pub(crate) const OK: u8 = 0;
/// At least one transcript failed.
pub(crate) const FAILED: u8 = 1;
/// Usage, rule-pack, I/O or input-record error.
pub(crate) const ERROR: u8 = 2;
