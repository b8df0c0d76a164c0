//! The built-in packs, embedded in the library so that no files are needed beside the binary.

/// Each built-in pack: its name and its files (`pack.toml` first).
pub(crate) const PACKS: &[(&str, &[(&str, &str)])] = &[(
    "zh-CN",
    &[
        (
            "zh-CN/pack.toml",
            include_str!("../../rules/zh-CN/pack.toml"),
        ),
        (
            "zh-CN/opening.toml",
            include_str!("../../rules/zh-CN/opening.toml"),
        ),
        (
            "zh-CN/closing.toml",
            include_str!("../../rules/zh-CN/closing.toml"),
        ),
        (
            "zh-CN/courtesy.toml",
            include_str!("../../rules/zh-CN/courtesy.toml"),
        ),
        (
            "zh-CN/forbidden.toml",
            include_str!("../../rules/zh-CN/forbidden.toml"),
        ),
        (
            "zh-CN/privacy.toml",
            include_str!("../../rules/zh-CN/privacy.toml"),
        ),
    ],
)];

#[cfg(test)]
mod tests {
    use super::PACKS;

    #[test]
    fn every_file_of_a_builtin_pack_is_embedded() {
        for (name, files) in PACKS {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("rules")
                .join(name);
            let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
                .expect("the pack directory exists")
                .map(|e| {
                    e.expect("readable")
                        .file_name()
                        .to_string_lossy()
                        .into_owned()
                })
                .filter(|f| f.ends_with(".toml"))
                .map(|f| format!("{name}/{f}"))
                .collect();
            on_disk.sort();
            let mut embedded: Vec<String> = files.iter().map(|(f, _)| f.to_string()).collect();
            embedded.sort();
            assert_eq!(
                embedded, on_disk,
                "rules/{name} and the embedded list differ"
            );
        }
    }
}
