//! Reading a source file: size limit, regular files only, binary detection, UTF-8 with
//! positions, BOM; UTF-16 with a BOM is read (transcoded, as ripgrep does) but never written.

use iacfix_core::Point;
use std::path::Path;

/// How a file's text is stored on disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark: what iacfix reads and writes.
    #[default]
    Utf8,
    /// UTF-16 little-endian with its byte-order mark (read for checking; iacfix does not write
    /// it).
    Utf16Le,
    /// UTF-16 big-endian with its byte-order mark (as `Utf16Le`).
    Utf16Be,
}

impl std::fmt::Display for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
        })
    }
}

/// A file's text as the engine sees it, and what is needed to write it back byte for byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceText {
    /// The text without a byte-order mark.
    pub text: String,
    /// Whether the file starts with a byte-order mark (kept on write).
    pub bom: bool,
    /// The file's encoding: only UTF-8 files are written (see [`SourceText::is_writable`]).
    pub encoding: Encoding,
}

impl SourceText {
    /// The file's bytes for `text` (the BOM restored, in the file's encoding).
    pub fn to_bytes(&self, text: &str) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(text.len() + 3);
        match self.encoding {
            Encoding::Utf8 => {
                if self.bom {
                    bytes.extend_from_slice(BOM);
                }
                bytes.extend_from_slice(text.as_bytes());
            }
            Encoding::Utf16Le => {
                bytes.extend_from_slice(UTF16_LE_BOM);
                bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            }
            Encoding::Utf16Be => {
                bytes.extend_from_slice(UTF16_BE_BOM);
                bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
            }
        }
        bytes
    }

    /// Whether iacfix writes this file (diffs, patches and commits are UTF-8 text).
    pub fn is_writable(&self) -> bool {
        self.encoding == Encoding::Utf8
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16_LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16_BE_BOM: &[u8] = b"\xFE\xFF";

/// How much of a file is looked at for a NUL byte (as ripgrep).
const BINARY_HEAD: usize = 8192;

/// Why a file was not read as source.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Skipped, not an error: a NUL byte in the first 8 KiB, as ripgrep decides.
    #[error("binary file")]
    /// A NUL byte (at `at`) in the first 8 KiB.
    Binary { at: Point },
    /// Skipped, not an error: over `--max-filesize`.
    #[error("larger than {limit} bytes ({size} bytes)")]
    TooLarge { size: u64, limit: u64 },
    #[error("not valid UTF-8 at {at}")]
    InvalidUtf8 { at: Point },
    #[error("not valid {encoding} at {at}")]
    InvalidUtf16 { at: Point, encoding: Encoding },
    /// From [`decode`], which only accepts what iacfix can write back.
    #[error("encoded in {0}; iacfix only writes UTF-8 files")]
    NotUtf8(Encoding),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Reads `path` as source of at most `limit` bytes: UTF-8, or UTF-16 with a byte-order mark
/// (transcoded; [`SourceText::is_writable`] is false).
pub fn read_source(path: &Path, limit: u64) -> Result<(SourceText, Vec<u8>), ReadError> {
    let metadata = std::fs::symlink_metadata(path)?;
    // A FIFO would block the run forever, a device could be endless.
    if !metadata.is_file() {
        return Err(ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        )));
    }
    let size = metadata.len();
    if size > limit {
        return Err(ReadError::TooLarge { size, limit });
    }
    // Read at most one byte over the limit: the file may have grown since its size was taken.
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    std::io::Read::read_to_end(
        &mut std::io::Read::take(&file, limit.saturating_add(1)),
        &mut bytes,
    )?;
    if bytes.len() as u64 > limit {
        let size = file.metadata().map_or(bytes.len() as u64, |m| m.len());
        return Err(ReadError::TooLarge { size, limit });
    }
    let source = decode_text(&bytes)?;
    Ok((source, bytes))
}

/// Decodes file bytes as UTF-8 source text (BOM kept aside): what iacfix can write back. UTF-16
/// with a byte-order mark is [`ReadError::NotUtf8`].
pub fn decode(bytes: &[u8]) -> Result<SourceText, ReadError> {
    let source = decode_text(bytes)?;
    if !source.is_writable() {
        return Err(ReadError::NotUtf8(source.encoding));
    }
    Ok(source)
}

/// Decodes file bytes as source text: UTF-8 (BOM kept aside), or UTF-16 with a byte-order mark.
fn decode_text(bytes: &[u8]) -> Result<SourceText, ReadError> {
    if let Some(body) = bytes.strip_prefix(UTF16_LE_BOM) {
        return decode_utf16(body, Encoding::Utf16Le);
    }
    if let Some(body) = bytes.strip_prefix(UTF16_BE_BOM) {
        return decode_utf16(body, Encoding::Utf16Be);
    }
    let head = &bytes[..bytes.len().min(BINARY_HEAD)];
    if let Some(nul) = head.iter().position(|&b| b == 0) {
        // The position among what is text before it.
        let before = String::from_utf8_lossy(&head[..nul]);
        return Err(ReadError::Binary {
            at: Point::of_offset(&before, before.len()),
        });
    }
    let (bom, body) = match bytes.strip_prefix(BOM) {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    match std::str::from_utf8(body) {
        Ok(text) => Ok(SourceText {
            text: text.to_owned(),
            bom,
            encoding: Encoding::Utf8,
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

/// Decodes UTF-16 (after its BOM); the first unpaired surrogate or odd trailing byte is reported
/// with its position, and a NUL character in the first 8 KiB makes it binary (UTF-32 starts
/// like UTF-16LE).
fn decode_utf16(body: &[u8], encoding: Encoding) -> Result<SourceText, ReadError> {
    let units = body.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        match encoding {
            Encoding::Utf16Be => u16::from_be_bytes(pair),
            _ => u16::from_le_bytes(pair),
        }
    });
    let mut text = String::with_capacity(body.len() / 2);
    for unit in char::decode_utf16(units) {
        match unit {
            Ok(c) => text.push(c),
            Err(_) => {
                return Err(ReadError::InvalidUtf16 {
                    at: Point::of_offset(&text, text.len()),
                    encoding,
                });
            }
        }
    }
    let head_end = text.len().min(BINARY_HEAD);
    if let Some(nul) = text.as_bytes()[..head_end].iter().position(|&b| b == 0) {
        return Err(ReadError::Binary {
            at: Point::of_offset(&text, nul),
        });
    }
    if body.len() % 2 == 1 {
        return Err(ReadError::InvalidUtf16 {
            at: Point::of_offset(&text, text.len()),
            encoding,
        });
    }
    Ok(SourceText {
        text,
        bom: true,
        encoding,
    })
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
        assert!(source.is_writable());
        assert!(!decode(b"").unwrap().bom);
    }

    #[test]
    fn binary_and_invalid_utf8() {
        assert!(matches!(
            decode(b"a\nb\0cd"),
            Err(ReadError::Binary {
                at: Point { line: 2, column: 2 }
            })
        ));
        match decode(b"ok\nab\xFFcd") {
            Err(ReadError::InvalidUtf8 { at }) => assert_eq!(at, Point { line: 2, column: 3 }),
            other => panic!("unexpected {other:?}"),
        }
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut bytes = if big_endian {
            UTF16_BE_BOM.to_vec()
        } else {
            UTF16_LE_BOM.to_vec()
        };
        for unit in text.encode_utf16() {
            if big_endian {
                bytes.extend(unit.to_be_bytes());
            } else {
                bytes.extend(unit.to_le_bytes());
            }
        }
        bytes
    }

    #[test]
    fn utf16_with_a_bom_is_read_and_round_trips_but_is_not_writable() {
        for (big_endian, encoding) in [(false, Encoding::Utf16Le), (true, Encoding::Utf16Be)] {
            let text = "x = 'é 😀'\r\n";
            let bytes = utf16(text, big_endian);
            let source = decode_text(&bytes).unwrap();
            assert_eq!(source.text, text);
            assert_eq!(source.encoding, encoding);
            assert!(!source.is_writable());
            // Never corrupted: the bytes for the same text are the file's bytes.
            assert_eq!(source.to_bytes(&source.text), bytes);
            // `decode` only takes what can be written back.
            match decode(&bytes) {
                Err(error @ ReadError::NotUtf8(e)) => {
                    assert_eq!(e, encoding);
                    assert_eq!(
                        error.to_string(),
                        format!("encoded in {encoding}; iacfix only writes UTF-8 files")
                    );
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn bad_utf16_is_reported_with_its_position() {
        // An unpaired high surrogate on line 2, column 2.
        let mut bytes = utf16("a\nb", false);
        bytes.extend(0xD800u16.to_le_bytes());
        bytes.extend(utf16("c", false)[2..].iter());
        match decode_text(&bytes) {
            Err(error @ ReadError::InvalidUtf16 { at, .. }) => {
                assert_eq!(at, Point { line: 2, column: 2 });
                assert_eq!(error.to_string(), "not valid UTF-16LE at 2:2");
            }
            other => panic!("unexpected {other:?}"),
        }
        // An odd number of bytes.
        let mut bytes = utf16("ab", true);
        bytes.push(b'c');
        match decode_text(&bytes) {
            Err(ReadError::InvalidUtf16 { at, encoding }) => {
                assert_eq!(at, Point { line: 1, column: 3 });
                assert_eq!(encoding, Encoding::Utf16Be);
            }
            other => panic!("unexpected {other:?}"),
        }
        // UTF-32LE starts with the UTF-16LE BOM: its NULs make it binary.
        let utf32: Vec<u8> = "\u{FEFF}ab"
            .chars()
            .flat_map(|c| u32::from(c).to_le_bytes())
            .collect();
        assert!(matches!(decode_text(&utf32), Err(ReadError::Binary { .. })));
    }

    #[test]
    fn a_missing_file_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("gone.ts");
        match read_source(&gone, 1024) {
            Err(ReadError::Io(error)) => assert_eq!(error.kind(), std::io::ErrorKind::NotFound),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        match read_source(dir.path(), 1024) {
            Err(ReadError::Io(error)) => assert_eq!(error.to_string(), "not a regular file"),
            other => panic!("unexpected {other:?}"),
        }
        #[cfg(unix)]
        {
            // A FIFO would block a read until something writes to it.
            let fifo = dir.path().join("pipe.ts");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|status| status.success()) {
                match read_source(&fifo, 1024) {
                    Err(ReadError::Io(error)) => {
                        assert_eq!(error.to_string(), "not a regular file");
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
        }
    }

    #[test]
    fn the_size_limit_is_checked_on_what_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.ts");
        std::fs::write(&file, "0123456789").unwrap();
        assert!(matches!(
            read_source(&file, 9),
            Err(ReadError::TooLarge { size: 10, limit: 9 })
        ));
        let (source, bytes) = read_source(&file, 10).unwrap();
        assert_eq!(source.text, "0123456789");
        assert_eq!(bytes, b"0123456789");
    }
}
