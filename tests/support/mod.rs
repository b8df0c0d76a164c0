//! Helpers shared by the integration tests.

use huashu::Checker;

/// The built-in pack, compiled.
pub(crate) fn checker() -> Checker {
    Checker::builtin().expect("the built-in pack compiles")
}

/// The string value of `key` in a TOML table of a test corpus.
pub(crate) fn string<'a>(table: &'a toml::de::DeTable<'_>, key: &str) -> &'a str {
    table
        .iter()
        .find(|(k, _)| k.get_ref() == key)
        .and_then(|(_, v)| v.get_ref().as_str())
        .unwrap_or_else(|| panic!("missing `{key}`"))
}
