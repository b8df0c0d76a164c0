//! The exit codes of every command, as `huashu --help` documents them.

/// Everything passed: every transcript (`check`), no finding at the failing severity
/// (`lint`), every example or audit check (`rules`).
pub(crate) const OK: u8 = 0;
/// At least one transcript, reply finding or rule failed.
pub(crate) const FAILED: u8 = 1;
/// Usage, rule-pack, I/O or input-record error.
pub(crate) const ERROR: u8 = 2;
