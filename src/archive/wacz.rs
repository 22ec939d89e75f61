//! `citecheck export-wacz`: an archive folder packaged as one WACZ file (Web Archive Collection
//! Zipped) that ReplayWeb.page and pywb open: `archive/*.warc.gz` (ZIP STORE, so replay can
//! read records by range), `indexes/index.cdx` (the folder's CDXJ index), `pages/pages.jsonl`
//! (every capture that answered 2xx, as entry points), `datapackage.json` (SHA-256 and size of
//! every file) and `datapackage-digest.json` (the manifest's own SHA-256).
//!
//! The package has everything WACZ 1.2.0 requires, but declares itself as py-wacz writes it
//! (`"profile": "data-package"`, `"wacz_version": "1.1.1"`): 1.2.0's `"profile": "wacz"` makes
//! py-wacz's validator fail (frictionless tries to open a profile file named `wacz`), and
//! replay tools read both.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

/// What an export packed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WaczSummary {
    /// WARC files packed.
    pub warcs: usize,
    /// Lines of the index packed.
    pub index_lines: usize,
    /// Entries of `pages/pages.jsonl` (header excluded).
    pub pages: usize,
    /// Size of the WACZ file in bytes.
    pub bytes: u64,
    /// Files left out, with the reason (e.g. a WARC still being written).
    pub skipped: Vec<String>,
}

/// Options of an export.
#[derive(Debug, Clone, Default)]
pub struct WaczOptions {
    /// `title` in datapackage.json (default: the folder's name).
    pub title: Option<String>,
}

/// A file in the package and what the manifest says of it.
struct Resource {
    path: String,
    hash: String,
    bytes: u64,
}

/// Writes through to `inner` while counting and hashing.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Packs the archive folder `dir` into the WACZ file `out` (written beside it and renamed into
/// place when complete).
///
/// # Errors
/// `dir` holds no closed WARC file or no `index.cdxj`, or a file cannot be read or written.
pub fn export_wacz(dir: &Path, out: &Path, opts: &WaczOptions) -> Result<WaczSummary> {
    let mut summary = WaczSummary::default();
    let warcs = warc_files(dir, &mut summary)?;
    let (cdx, pages) = index_and_pages(dir, &warcs, &mut summary)?;
    let title = opts.title.clone().unwrap_or_else(|| {
        let folder = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let name = folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        format!("citecheck archive {name}")
    });
    summary.bytes = crate::output::replace_with(out, |file| {
        let write_err = |source| Error::WriteOutput { path: out.to_path_buf(), source };
        let zerr = |e: zip::result::ZipError| write_err(std::io::Error::other(e.to_string()));
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
        let mut resources = pack_warcs(&mut zip, &warcs, out)?;
        let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        for (entry, text) in [("indexes/index.cdx", &cdx), ("pages/pages.jsonl", &pages)] {
            zip.start_file(entry, deflated).map_err(zerr)?;
            zip.write_all(text.as_bytes()).map_err(write_err)?;
            resources.push(Resource {
                path: entry.to_string(),
                hash: format!("sha256:{:x}", Sha256::digest(text.as_bytes())),
                bytes: text.len() as u64,
            });
        }
        let manifest = manifest(&resources, &title)?;
        let digest = serde_json::json!({
            "path": "datapackage.json",
            "hash": format!("sha256:{:x}", Sha256::digest(&manifest)),
        });
        zip.start_file("datapackage.json", deflated).map_err(zerr)?;
        zip.write_all(&manifest).map_err(write_err)?;
        zip.start_file("datapackage-digest.json", deflated).map_err(zerr)?;
        zip.write_all(digest.to_string().as_bytes()).map_err(write_err)?;
        zip.finish().map_err(zerr)?.flush().map_err(write_err)
    })?;
    Ok(summary)
}

/// The closed WARC files of the folder, by name; files still open are noted as left out.
fn warc_files(dir: &Path, summary: &mut WaczSummary) -> Result<Vec<(String, PathBuf)>> {
    let read_err = |source| Error::ReadInput { input: dir.display().to_string(), source };
    let mut warcs: Vec<(String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let path = entry.map_err(read_err)?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_string) else { continue };
        if name.ends_with(".warc.gz.open") {
            summary.skipped.push(format!(
                "{name}: still being written, or left by a killed run (the next `check --archive` on this folder closes it)"
            ));
        } else if name.ends_with(".warc.gz") || name.ends_with(".warc") {
            if crate::output::refuse_link(&path).is_err() {
                summary.skipped.push(format!("{name}: a symbolic link (not followed)"));
            } else {
                warcs.push((name, path));
            }
        }
    }
    warcs.sort();
    if warcs.is_empty() {
        return Err(Error::Config(format!(
            "no WARC files in '{}': archive citations there first with `citecheck check --archive {}`",
            dir.display(),
            dir.display()
        )));
    }
    Ok(warcs)
}

/// The folder's index lines for the packed WARCs, and a page per capture that answered 2xx.
fn index_and_pages(
    dir: &Path,
    warcs: &[(String, PathBuf)],
    summary: &mut WaczSummary,
) -> Result<(String, String)> {
    let index_path = dir.join("index.cdxj");
    let read = |path: &Path| -> std::io::Result<String> {
        let mut f = crate::output::open_no_follow(path, std::fs::OpenOptions::new().read(true))?;
        let mut text = String::new();
        std::io::Read::read_to_string(&mut f, &mut text).map(|_| text)
    };
    let index = read(&index_path).map_err(|e| {
        Error::Config(format!(
            "cannot read '{}' ({e}): is '{}' a citecheck archive folder? `citecheck check --archive` writes it",
            index_path.display(),
            dir.display()
        ))
    })?;
    let names: std::collections::HashSet<&str> = warcs.iter().map(|(n, _)| n.as_str()).collect();
    let mut cdx = String::new();
    let mut pages =
        String::from("{\"format\": \"json-pages-1.0\", \"id\": \"pages\", \"title\": \"Cited pages\"}\n");
    let mut seen_pages = std::collections::HashSet::new();
    for line in index.lines() {
        let Some(entry) = IndexLine::parse(line) else { continue };
        if !names.contains(entry.filename.as_str()) {
            continue;
        }
        cdx.push_str(line);
        cdx.push('\n');
        summary.index_lines += 1;
        if entry.status.starts_with('2') && seen_pages.insert((entry.url.clone(), entry.ts.clone())) {
            let mut page = serde_json::json!({
                "id": format!("{:x}", Sha256::digest(format!("{} {}", entry.ts, entry.url)))[..16].to_string(),
                "url": entry.url,
                "ts": rfc3339(&entry.ts),
            });
            if !entry.mime.is_empty() && entry.mime != "warc/revisit" {
                page["mime"] = serde_json::Value::String(entry.mime.clone());
            }
            pages.push_str(&page.to_string());
            pages.push('\n');
            summary.pages += 1;
        }
    }
    summary.warcs = warcs.len();
    Ok((cdx, pages))
}

/// The WARC files, stored (replay reads records by range), each hashed as it is copied.
fn pack_warcs<W: Write + std::io::Seek>(
    zip: &mut zip::ZipWriter<W>,
    warcs: &[(String, PathBuf)],
    out: &Path,
) -> Result<Vec<Resource>> {
    let zerr = |e: zip::result::ZipError| Error::WriteOutput {
        path: out.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    };
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let mut resources = Vec::new();
    for (name, path) in warcs {
        let read_err = |source| Error::ReadInput { input: path.display().to_string(), source };
        let mut file = std::fs::File::open(path).map_err(read_err)?;
        let len = file.metadata().map_err(read_err)?.len();
        let entry = format!("archive/{name}");
        zip.start_file(entry.as_str(), stored.large_file(len >= u64::from(u32::MAX))).map_err(zerr)?;
        let mut sink = Hashing { inner: &mut *zip, hasher: Sha256::new(), bytes: 0 };
        copy(&mut file, &mut sink).map_err(read_err)?;
        resources.push(Resource {
            path: entry,
            hash: format!("sha256:{:x}", sink.hasher.finalize()),
            bytes: sink.bytes,
        });
    }
    Ok(resources)
}

/// `datapackage.json`: as py-wacz writes it (see the module docs), with every file's size and hash.
fn manifest(resources: &[Resource], title: &str) -> Result<Vec<u8>> {
    let now = crate::types::now();
    let manifest = serde_json::json!({
        "profile": "data-package",
        "wacz_version": "1.1.1",
        "title": title,
        "description": "What every cited URL and UN document symbol served when citecheck checked it: \
                        HTTP exchanges as WARC 1.1 records, with revisits for unchanged payloads.",
        "created": now,
        "modified": now,
        "software": format!("citecheck {}", env!("CARGO_PKG_VERSION")),
        "resources": resources.iter().map(|r| serde_json::json!({
            "name": resource_name(&r.path),
            "path": r.path,
            "hash": r.hash,
            "bytes": r.bytes,
        })).collect::<Vec<_>>(),
    });
    serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Serialise(e.to_string()))
}

fn copy(from: &mut impl Read, to: &mut impl Write) -> std::io::Result<u64> {
    std::io::copy(&mut std::io::BufReader::with_capacity(256 * 1024, from), to)
}

/// A data-package resource name: lower case letters, digits and `-._/` only, as the
/// frictionless specification requires.
fn resource_name(path: &str) -> String {
    let base = path.rsplit('/').next().unwrap_or(path);
    base.chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// `YYYYMMDDhhmmss` → `YYYY-MM-DDThh:mm:ssZ`.
fn rfc3339(ts: &str) -> String {
    if ts.len() == 14 && ts.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}-{}T{}:{}:{}Z", &ts[..4], &ts[4..6], &ts[6..8], &ts[8..10], &ts[10..12], &ts[12..14])
    } else {
        ts.to_string()
    }
}

/// The fields of an index line the package needs.
struct IndexLine {
    ts: String,
    url: String,
    status: String,
    mime: String,
    filename: String,
}

impl IndexLine {
    fn parse(line: &str) -> Option<IndexLine> {
        let mut parts = line.splitn(3, ' ');
        let (_key, ts, json) = (parts.next()?, parts.next()?, parts.next()?);
        let v: serde_json::Value = serde_json::from_str(json).ok()?;
        let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        Some(IndexLine {
            ts: ts.to_string(),
            url: field("url"),
            status: field("status"),
            mime: field("mime"),
            filename: field("filename"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_timestamps() {
        assert_eq!(resource_name("archive/Citecheck 1.warc.gz"), "citecheck-1.warc.gz");
        assert_eq!(resource_name("pages/pages.jsonl"), "pages.jsonl");
        assert_eq!(rfc3339("20240501120304"), "2024-05-01T12:03:04Z");
        assert_eq!(rfc3339("2024"), "2024");
    }
}
