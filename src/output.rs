//! Writing files atomically: a temporary file beside the target, then a rename, so a failed
//! or killed run never leaves a half-written table behind.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically (temporary file in the same folder, fsync, rename).
///
/// # Errors
/// The folder does not exist or is not writable, or the disk is full.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |w| {
        w.write_all(bytes).map_err(|source| Error::WriteOutput { path: path.to_path_buf(), source })
    })
}

/// Streams a file into place atomically: `write` fills a buffered temporary file beside
/// `path`, which is synced and renamed over `path` only when `write` succeeds.
///
/// # Errors
/// The folder is not writable, the disk is full, or `write` fails (the error names `path`).
pub fn write_atomic_with(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let err = |source| Error::WriteOutput { path: path.to_path_buf(), source };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new().prefix(".citecheck-").suffix(".tmp").tempfile_in(dir).map_err(err)?;
    let mut buf = std::io::BufWriter::new(tmp);
    write(&mut buf).map_err(|e| match e {
        Error::WriteOutput { .. } => e,
        other => err(std::io::Error::other(other.to_string())),
    })?;
    let tmp = buf.into_inner().map_err(|e| err(e.into_error()))?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}
