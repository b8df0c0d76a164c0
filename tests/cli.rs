//! Command-line cases, as data: each `tests/cmd/*.toml` gives the arguments (and standard
//! input), and the `.stdout` / `.stderr` files beside it hold the exact expected output and the
//! exit code is in the case. Regenerate after a deliberate change with
//! `TRYCMD=overwrite cargo test --test cli`, then review the diff.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .default_bin_name("huashu")
        .env("NO_COLOR", "1")
        .case("tests/cmd/*.toml");
}
