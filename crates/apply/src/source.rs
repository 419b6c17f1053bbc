//! Reading a source file: size limit, binary detection, UTF-8 with positions, BOM.

use iacfix_core::Point;
use std::path::Path;

/// A file's text as the engine sees it, and what is needed to write it back byte for byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceText {
    /// The text without a UTF-8 byte-order mark.
    pub text: String,
    /// Whether the file starts with a UTF-8 byte-order mark (kept on write).
    pub bom: bool,
}

impl SourceText {
    /// The file's bytes for `text` (the BOM restored).
    pub fn to_bytes(&self, text: &str) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(text.len() + 3);
        if self.bom {
            bytes.extend_from_slice(BOM);
        }
        bytes.extend_from_slice(text.as_bytes());
        bytes
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a file was not read as source.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Skipped, not an error: a NUL byte in the first 8 KiB, as ripgrep decides.
    #[error("binary file")]
    Binary,
    /// Skipped, not an error: over `--max-filesize`.
    #[error("larger than {limit} bytes ({size} bytes)")]
    TooLarge { size: u64, limit: u64 },
    #[error("not valid UTF-8 at {at}")]
    InvalidUtf8 { at: Point },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Reads `path` as UTF-8 source of at most `limit` bytes.
pub fn read_source(path: &Path, limit: u64) -> Result<(SourceText, Vec<u8>), ReadError> {
    let size = std::fs::symlink_metadata(path)?.len();
    if size > limit {
        return Err(ReadError::TooLarge { size, limit });
    }
    let bytes = std::fs::read(path)?;
    let source = decode(&bytes)?;
    Ok((source, bytes))
}

/// Decodes file bytes as source text.
pub fn decode(bytes: &[u8]) -> Result<SourceText, ReadError> {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err(ReadError::Binary);
    }
    let (bom, body) = match bytes.strip_prefix(BOM) {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    match std::str::from_utf8(body) {
        Ok(text) => Ok(SourceText {
            text: text.to_owned(),
            bom,
        }),
        Err(error) => {
            let valid = &body[..error.valid_up_to()];
            // The valid prefix is UTF-8, so its point is well defined.
            let prefix = std::str::from_utf8(valid).expect("valid_up_to is a UTF-8 prefix");
            Err(ReadError::InvalidUtf8 {
                at: Point::of_offset(prefix, prefix.len()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_text_and_keeps_the_bom() {
        let source = decode(b"\xEF\xBB\xBFconst a = 1;\r\n").unwrap();
        assert!(source.bom);
        assert_eq!(source.text, "const a = 1;\r\n");
        assert_eq!(source.to_bytes("x"), b"\xEF\xBB\xBFx");
        assert!(!decode(b"").unwrap().bom);
    }

    #[test]
    fn binary_and_invalid_utf8() {
        assert!(matches!(decode(b"ab\0cd"), Err(ReadError::Binary)));
        match decode(b"ok\nab\xFFcd") {
            Err(ReadError::InvalidUtf8 { at }) => assert_eq!(at, Point { line: 2, column: 3 }),
            other => panic!("unexpected {other:?}"),
        }
    }
}
