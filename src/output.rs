//! Writing files safely: atomically (a temporary file beside the target, then a rename, so a
//! failed or killed run never leaves a half-written table behind), with the permissions the
//! umask gives (or those of the file replaced), never through a symbolic link in a folder
//! citecheck owns, and with one run at a time per folder (an advisory lock).

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

/// The lock file in every folder a run writes (`--out`, `--archive`).
pub(crate) const LOCK_FILE: &str = ".citecheck.lock";

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
    let mut builder = tempfile::Builder::new();
    builder.prefix(".citecheck-").suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(new_file_permissions(path));
    let mut tmp = builder.tempfile_in(dir).map_err(|e| err(without_temp_path(e)))?;
    fill(tmp.as_file_mut()).map_err(|e| match e {
        Error::WriteOutput { .. } => e,
        other => err(std::io::Error::other(other.to_string())),
    })?;
    tmp.as_file().sync_all().map_err(err)?;
    let len = tmp.as_file().metadata().map_err(err)?.len();
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(len)
}

/// The error without the name of the temporary file that tempfile adds to it: messages name
/// the file the user asked for.
fn without_temp_path(e: std::io::Error) -> std::io::Error {
    let message = e.to_string();
    match message.rfind(" at path ") {
        Some(cut) => std::io::Error::new(e.kind(), &message[..cut]),
        None => e,
    }
}

/// Checks, before any work, that a file can be created at `path`: its folder exists and takes
/// a new file (one is created and removed at once). A run whose outputs cannot be written
/// fails in its first second, not after fetching everything.
///
/// # Errors
/// The folder is missing or not writable (the error names `path`).
pub(crate) fn check_writable(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let probe = tempfile::Builder::new().prefix(".citecheck-").suffix(".tmp").tempfile_in(dir);
    probe.map(drop).map_err(|e| Error::WriteOutput { path: path.to_path_buf(), source: without_temp_path(e) })
}

/// The mode of a replaced file, or what the umask gives a new one (tempfile alone would make
/// every file 0600).
#[cfg(unix)]
fn new_file_permissions(path: &Path) -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m.permissions(),
        // Created with 0666; the kernel applies the umask, as for any new file.
        _ => std::fs::Permissions::from_mode(0o666),
    }
}

/// Opens `path` with `opts`, refusing a symbolic link (`O_NOFOLLOW`): files in the folders
/// citecheck owns are its own, and a link there could make it truncate or leak another file.
///
/// # Errors
/// The file is a symbolic link (the error says so and what to do), or cannot be opened.
pub(crate) fn open_no_follow(path: &Path, opts: &mut OpenOptions) -> std::io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW);
    }
    #[cfg(not(unix))]
    refuse_link(path)?;
    opts.open(path).map_err(|e| {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            link_error(path)
        } else {
            e
        }
    })
}

/// An error when `path` is a symbolic link.
///
/// # Errors
/// `path` is a symbolic link.
pub(crate) fn refuse_link(path: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(link_error(path)),
        _ => Ok(()),
    }
}

fn link_error(path: &Path) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!(
            "{} is a symbolic link; citecheck does not follow links in the folders it writes: remove it (or move the real file there)",
            path.display()
        ),
    )
}

/// An advisory lock on a folder a run writes, held until dropped.
#[derive(Debug)]
pub(crate) struct FolderLock {
    _file: File,
}

/// Takes the lock of `dir` (created if needed), or says which run holds it. `flag` names the
/// option that chose the folder, for the message.
///
/// # Errors
/// Another run holds the lock ([`Error::Locked`]), or the lock file cannot be written.
pub(crate) fn lock_folder(dir: &Path, flag: &'static str) -> Result<FolderLock> {
    let path = dir.join(LOCK_FILE);
    let err = |source| Error::WriteOutput { path: path.clone(), source };
    std::fs::create_dir_all(dir).map_err(|source| Error::WriteOutput { path: dir.to_path_buf(), source })?;
    let mut file =
        open_no_follow(&path, OpenOptions::new().read(true).write(true).create(true)).map_err(err)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(&path).unwrap_or_default().trim().to_string();
            return Err(Error::Locked { dir: dir.to_path_buf(), holder, flag });
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(err(e)),
    }
    file.set_len(0).and_then(|()| write!(file, "{}", std::process::id())).map_err(err)?;
    Ok(FolderLock { _file: file })
}
