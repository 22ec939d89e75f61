//! Writing files atomically: a temporary file beside the target, then a rename, so a failed
//! or killed run never leaves a half-written table behind.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically (temporary file in the same folder, fsync, rename).
///
/// # Errors
/// The folder does not exist or is not writable, or the disk is full.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |w| {
        w.write_all(bytes).map_err(|source| Error::WriteOutput { path: path.to_path_buf(), source })
    })
}

/// Streams a file into place atomically: `write` fills a buffered temporary file beside
/// `path`, which is synced and renamed over `path` only when `write` succeeds.
///
/// # Errors
/// The folder is not writable, the disk is full, or `write` fails (the error names `path`).
pub(crate) fn write_atomic_with(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    replace_with(path, |file| {
        let mut buf = std::io::BufWriter::new(file);
        write(&mut buf)?;
        buf.flush().map_err(|source| Error::WriteOutput { path: path.to_path_buf(), source })
    })
    .map(|_| ())
}

/// The one temporary-file-and-rename of the crate: `fill` writes (and may seek in) a new
/// file beside `path`; when it succeeds the file is synced and renamed over `path`. Returns
/// the size written.
///
/// # Errors
/// The folder is not writable, the disk is full, or `fill` fails (the error names `path`).
pub(crate) fn replace_with(path: &Path, fill: impl FnOnce(&mut std::fs::File) -> Result<()>) -> Result<u64> {
    let err = |source| Error::WriteOutput { path: path.to_path_buf(), source };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp =
        tempfile::Builder::new().prefix(".citecheck-").suffix(".tmp").tempfile_in(dir).map_err(err)?;
    fill(tmp.as_file_mut()).map_err(|e| match e {
        Error::WriteOutput { .. } => e,
        other => err(std::io::Error::other(other.to_string())),
    })?;
    tmp.as_file().sync_all().map_err(err)?;
    let len = tmp.as_file().metadata().map_err(err)?.len();
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(len)
}
