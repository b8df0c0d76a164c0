//! The built-in packs, embedded in the library so that no files are needed beside the binary.

/// A built-in pack: its name and its files, each as (`pack/file.toml`, text).
macro_rules! pack {
    ($name:literal: $($file:literal),+ $(,)?) => {
        (
            $name,
            &[$((
                concat!($name, "/", $file),
                include_str!(concat!("../../rules/", $name, "/", $file)),
            )),+],
        )
    };
}

/// Each built-in pack, with its files in the order a directory is read: `pack.toml` first,
/// then the others by name.
pub(crate) const PACKS: &[(&str, &[(&str, &str)])] = &[pack!(
    "zh-CN": "pack.toml",
    "attitude.toml",
    "closing.toml",
    "courtesy.toml",
    "email.toml",
    "forbidden.toml",
    "opening.toml",
    "privacy.toml",
    "refusal.toml",
    "situation.toml",
    "timing.toml",
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
            // The order a directory is read in: pack.toml first, then by name.
            on_disk.sort_by_key(|f| (!f.ends_with("/pack.toml"), f.clone()));
            let embedded: Vec<String> = files.iter().map(|(f, _)| f.to_string()).collect();
            assert_eq!(
                embedded, on_disk,
                "rules/{name} and the embedded list differ"
            );
        }
    }
}
