//! Writes that lose nothing: a temporary file in the same directory, renamed over the original,
//! with the original's permissions; never through a symlink; never over a file that changed
//! since it was read.

use std::io::Write as _;
use std::path::Path;

/// Why a fixed file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("it changed on disk since iacfix read it; not overwritten (run iacfix again)")]
    ChangedOnDisk,
    #[error("it is a symbolic link; iacfix does not write through links")]
    Symlink,
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Replaces `path`'s content, which must still be `expected`, by `new`, atomically.
pub fn write_atomic(path: &Path, expected: &[u8], new: &[u8]) -> Result<(), WriteError> {
    let metadata = std::fs::symlink_metadata(path)?;
    if metadata.file_type().is_symlink() {
        return Err(WriteError::Symlink);
    }
    if std::fs::read(path)? != expected {
        return Err(WriteError::ChangedOnDisk);
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".iacfix-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(new)?;
    temp.as_file().sync_all()?;
    std::fs::set_permissions(temp.path(), metadata.permissions())?;
    temp.persist(path)
        .map_err(|error| WriteError::Io(error.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_keeps_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("index.ts");
        std::fs::write(&file, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o751)).unwrap();
        }
        write_atomic(&file, b"old", b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o751);
        }
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn refuses_a_file_changed_since_it_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.py");
        std::fs::write(&file, "edited by the user").unwrap();
        assert!(matches!(
            write_atomic(&file, b"what iacfix read", b"fixed"),
            Err(WriteError::ChangedOnDisk)
        ));
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "edited by the user"
        );
    }

    #[cfg(unix)]
    #[test]
    fn refuses_to_write_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.ts");
        std::fs::write(&target, "x").unwrap();
        let link = dir.path().join("link.ts");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(matches!(
            write_atomic(&link, b"x", b"y"),
            Err(WriteError::Symlink)
        ));
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "x");
    }
}
