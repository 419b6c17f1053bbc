//! Writes that lose nothing: a temporary file in the same directory, renamed over the original,
//! with the original's permissions; never through a symlink; never over a read-only file (the
//! rename would replace it, even for root); never over a file that changed since it was read.

use std::io::Write as _;
use std::path::Path;

/// Why a fixed file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("it changed on disk since iacfix read it; not overwritten (run iacfix again)")]
    ChangedOnDisk,
    #[error("it is a symbolic link; iacfix does not write through links")]
    Symlink,
    #[error("it is read-only; not overwritten")]
    ReadOnly,
    #[error("interrupted")]
    Interrupted,
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Replaces `path`'s content, which must still be `expected`, by `new`, atomically.
pub fn write_atomic(path: &Path, expected: &[u8], new: &[u8]) -> Result<(), WriteError> {
    let metadata = std::fs::symlink_metadata(path)?;
    if metadata.file_type().is_symlink() {
        return Err(WriteError::Symlink);
    }
    if metadata.permissions().readonly() {
        return Err(WriteError::ReadOnly);
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

/// One file of a changeset: its path, the bytes iacfix read, the bytes to write.
#[derive(Debug)]
pub struct Change<'a> {
    pub path: &'a Path,
    pub original: &'a [u8],
    pub new: Vec<u8>,
}

/// Writes every change or none: all files are checked first (not a symlink, unchanged since
/// read), then written one by one; if a write fails, the files already written get their
/// original bytes back. On error, returns the index of the change that failed.
pub fn write_changeset(changes: &[Change<'_>]) -> Result<(), (usize, WriteError)> {
    write_changeset_until(changes, &std::sync::atomic::AtomicBool::new(false))
}

/// [`write_changeset`], stopping when `stop` is set (Ctrl-C): the file being written is
/// finished, then every file written is restored, and the error is [`WriteError::Interrupted`].
pub fn write_changeset_until(
    changes: &[Change<'_>],
    stop: &std::sync::atomic::AtomicBool,
) -> Result<(), (usize, WriteError)> {
    for (index, change) in changes.iter().enumerate() {
        let metadata = std::fs::symlink_metadata(change.path).map_err(|e| (index, e.into()))?;
        if metadata.file_type().is_symlink() {
            return Err((index, WriteError::Symlink));
        }
        if metadata.permissions().readonly() {
            return Err((index, WriteError::ReadOnly));
        }
        if std::fs::read(change.path).map_err(|e| (index, e.into()))? != change.original {
            return Err((index, WriteError::ChangedOnDisk));
        }
    }
    for (index, change) in changes.iter().enumerate() {
        let result = if stop.load(std::sync::atomic::Ordering::SeqCst) {
            Err(WriteError::Interrupted)
        } else {
            write_atomic(change.path, change.original, &change.new)
        };
        if let Err(error) = result {
            for done in changes[..index].iter().rev() {
                // Best effort: the file is the one iacfix just wrote.
                let _ = write_atomic(done.path, &done.new, done.original);
            }
            return Err((index, error));
        }
    }
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

    #[test]
    fn a_changeset_is_written_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.ts");
        let b = dir.path().join("package.json");
        std::fs::write(&a, "a").unwrap();
        std::fs::write(&b, "edited meanwhile").unwrap();
        let changes = [
            Change {
                path: &a,
                original: b"a",
                new: b"A".to_vec(),
            },
            Change {
                path: &b,
                original: b"b",
                new: b"B".to_vec(),
            },
        ];
        let (index, error) = write_changeset(&changes).unwrap_err();
        assert_eq!(index, 1);
        assert!(matches!(error, WriteError::ChangedOnDisk));
        assert_eq!(
            std::fs::read_to_string(&a).unwrap(),
            "a",
            "nothing was written"
        );

        std::fs::write(&b, "b").unwrap();
        write_changeset(&changes).unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "A");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "B");

        // Interrupted before the second file: the first is restored.
        let changes = [
            Change {
                path: &a,
                original: b"A",
                new: b"AA".to_vec(),
            },
            Change {
                path: &b,
                original: b"B",
                new: b"BB".to_vec(),
            },
        ];
        let stop = std::sync::atomic::AtomicBool::new(true);
        let (index, error) = write_changeset_until(&changes, &stop).unwrap_err();
        assert_eq!(index, 0);
        assert!(matches!(error, WriteError::Interrupted));
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "A");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "B");
    }

    #[test]
    fn refuses_a_read_only_file() {
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("locked.ts");
        let open = dir.path().join("open.ts");
        std::fs::write(&locked, "x").unwrap();
        std::fs::write(&open, "o").unwrap();
        let mut permissions = std::fs::metadata(&locked).unwrap().permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(&locked, permissions).unwrap();
        assert!(matches!(
            write_atomic(&locked, b"x", b"y"),
            Err(WriteError::ReadOnly)
        ));
        // In a changeset it is found before anything is written.
        let changes = [
            Change {
                path: &open,
                original: b"o",
                new: b"O".to_vec(),
            },
            Change {
                path: &locked,
                original: b"x",
                new: b"y".to_vec(),
            },
        ];
        let (index, error) = write_changeset(&changes).unwrap_err();
        assert_eq!(index, 1);
        assert_eq!(error.to_string(), "it is read-only; not overwritten");
        assert_eq!(std::fs::read_to_string(&locked).unwrap(), "x");
        assert_eq!(std::fs::read_to_string(&open).unwrap(), "o");
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
