//! Reading a whole file, or standard input, as UTF-8 text, for the commands that need all of
//! it at once (reply libraries, evaluation corpora).

use std::io::{self, Read};
use std::path::Path;

/// Why a file could not be read as text.
pub(crate) enum TextError {
    /// Reading failed.
    Read(io::Error),
    /// The bytes are not UTF-8: the 1-based line and column of the first bad byte.
    NotUtf8 { line: usize, column: usize },
}

/// The whole of `path` (standard input when it is `-`) as UTF-8 text.
pub(crate) fn read_text(path: &Path) -> Result<String, TextError> {
    let bytes = if path == Path::new("-") {
        let mut bytes = Vec::new();
        io::stdin().lock().read_to_end(&mut bytes).map(|_| bytes)
    } else {
        std::fs::read(path)
    }
    .map_err(TextError::Read)?;
    String::from_utf8(bytes).map_err(|e| {
        let (line, column) =
            huashu::text::invalid_utf8_position(e.as_bytes(), e.utf8_error().valid_up_to());
        TextError::NotUtf8 { line, column }
    })
}
