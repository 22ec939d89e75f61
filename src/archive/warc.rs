//! WARC 1.1 records: a spool that hashes a block while it is received (block SHA-1, payload
//! SHA-1 and SHA-256), kept in memory up to [`MEMORY_SPOOL`] and in a temporary file beyond;
//! records compressed as their own gzip member (in memory, outside any lock, when the block is
//! small); and a writer that appends the members to `citecheck-YYYYMMDDhhmmss-NNNNN.warc.gz.open`,
//! starting every file with a `warcinfo` record, rotating at a size limit and renaming a file
//! to `.warc.gz` when it is closed. A run that is killed leaves an `.open` file; [`recover`]
//! cuts it back to its last complete record. Reference: `shared/reference/warc.md`.

use flate2::write::GzEncoder;
use flate2::Compression;
use sha1::{Digest, Sha1};
use sha2::Sha256;
use std::fs::File;
use std::io::{BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use tempfile::{SpooledData, SpooledTempFile};

/// The WARC 1.1 specification, for `conformsTo`.
pub const WARC_1_1: &str = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/";

/// Payload bytes a spool keeps in memory before it moves them to a temporary file (the bound
/// on memory per exchange being archived; typical HTML pages stay in memory).
pub const MEMORY_SPOOL: usize = 256 * 1024;

/// `sha1:` + 32 characters of RFC 4648 base32 (upper case, no padding), as CDX indexes use.
pub fn base32_sha1(digest: &[u8; 20]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(37);
    out.push_str("sha1:");
    // 20 bytes = 160 bits = 32 groups of 5 bits.
    let mut buffer: u64 = 0;
    let mut bits = 0;
    for &b in digest {
        buffer = (buffer << 8) | u64::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A record's payload being received and hashed (SHA-1 and SHA-256), in memory up to
/// [`MEMORY_SPOOL`] bytes and in an unnamed temporary file beyond, so large bodies are never
/// held whole in memory. [`Spool::finish`] adds the part before the payload (HTTP headers) and
/// the block digest.
#[derive(Debug)]
pub struct Spool {
    data: SpooledTempFile,
    payload_len: u64,
    payload_sha1: Sha1,
    payload_sha256: Sha256,
    /// The head given in advance and the block digest so far (head, then the payload).
    block: Option<(Vec<u8>, Sha1)>,
    limit: Option<u64>,
    truncated: bool,
}

#[derive(Debug)]
enum Payload {
    Memory(Vec<u8>),
    File(File),
}

/// A finished spool: the block (head in memory, payload in memory or on disk) and its digests.
#[derive(Debug)]
pub struct SpooledBlock {
    head: Vec<u8>,
    payload: Payload,
    /// Block length in bytes (head and payload).
    pub len: u64,
    /// Payload length in bytes.
    pub payload_len: u64,
    /// `sha1:` base32 digest of the whole block.
    pub block_digest: String,
    /// `sha1:` base32 digest of the payload.
    pub payload_digest: String,
    /// Lower-case hex SHA-256 of the payload.
    pub payload_sha256: String,
    /// The payload was cut at the size limit.
    pub truncated: bool,
}

impl SpooledBlock {
    /// A block that is all head, no payload (a request, `warc-fields`, a revisit's headers).
    pub fn from_bytes(bytes: Vec<u8>) -> SpooledBlock {
        let block: [u8; 20] = Sha1::digest(&bytes).into();
        let empty: [u8; 20] = Sha1::digest(b"").into();
        SpooledBlock {
            len: bytes.len() as u64,
            head: bytes,
            payload: Payload::Memory(Vec::new()),
            payload_len: 0,
            block_digest: base32_sha1(&block),
            payload_digest: base32_sha1(&empty),
            payload_sha256: hex(&Sha256::digest(b"")),
            truncated: false,
        }
    }

    /// The head of the block (what precedes the payload).
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    fn in_memory(&self) -> bool {
        matches!(self.payload, Payload::Memory(_))
    }

    /// Writes the whole block (head, then payload) to `out`.
    fn copy_to(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        out.write_all(&self.head)?;
        match &mut self.payload {
            Payload::Memory(bytes) => out.write_all(bytes),
            Payload::File(file) => {
                file.seek(SeekFrom::Start(0))?;
                std::io::copy(&mut BufReader::new(&mut *file), out).map(drop)
            }
        }
    }
}

impl Spool {
    /// A new spool; when it outgrows memory, its file is created in `dir`. Payload bytes
    /// beyond `limit` are dropped (and the block marked truncated).
    pub fn new(dir: &Path, limit: Option<u64>) -> Spool {
        Spool {
            data: tempfile::spooled_tempfile_in(MEMORY_SPOOL, dir),
            payload_len: 0,
            payload_sha1: Sha1::new(),
            payload_sha256: Sha256::new(),
            block: None,
            limit,
            truncated: false,
        }
    }

    /// Declares the head in advance (when it does not depend on the payload), so the block
    /// digest is computed while the payload streams in instead of by reading it back.
    #[must_use]
    pub fn with_head(mut self, head: Vec<u8>) -> Spool {
        let mut hasher = Sha1::new();
        hasher.update(&head);
        self.block = Some((head, hasher));
        self
    }

    /// Appends payload bytes.
    ///
    /// # Errors
    /// The temporary file cannot be written.
    pub fn write_all(&mut self, mut bytes: &[u8]) -> std::io::Result<()> {
        if let Some(limit) = self.limit {
            let room = limit.saturating_sub(self.payload_len);
            if (bytes.len() as u64) > room {
                bytes = &bytes[..usize::try_from(room).unwrap_or(usize::MAX)];
                self.truncated = true;
            }
        }
        self.payload_sha1.update(bytes);
        self.payload_sha256.update(bytes);
        if let Some((_, block)) = &mut self.block {
            block.update(bytes);
        }
        self.payload_len += bytes.len() as u64;
        self.data.write_all(bytes)
    }

    /// Bytes of payload so far.
    pub fn payload_len(&self) -> u64 {
        self.payload_len
    }

    /// Whether bytes were dropped at the size limit.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Finishes the block with `head` (what precedes the payload, e.g. the HTTP status line and
    /// headers). The block digest was computed while streaming when `head` is the one given to
    /// [`Spool::with_head`]; otherwise the payload is hashed again after `head`.
    ///
    /// # Errors
    /// The temporary file cannot be flushed or read back.
    pub fn finish(self, head: &[u8]) -> std::io::Result<SpooledBlock> {
        let mut payload = match self.data.into_inner() {
            SpooledData::InMemory(cursor) => Payload::Memory(cursor.into_inner()),
            SpooledData::OnDisk(file) => Payload::File(file),
        };
        let block: [u8; 20] = match self.block {
            Some((given, hasher)) if given == head => hasher.finalize().into(),
            _ => {
                let mut hasher = Sha1::new();
                hasher.update(head);
                match &mut payload {
                    Payload::Memory(bytes) => hasher.update(bytes),
                    Payload::File(file) => {
                        file.flush()?;
                        file.seek(SeekFrom::Start(0))?;
                        std::io::copy(&mut BufReader::new(&mut *file), &mut hasher)?;
                    }
                }
                hasher.finalize().into()
            }
        };
        let payload_sha1: [u8; 20] = self.payload_sha1.finalize().into();
        Ok(SpooledBlock {
            len: head.len() as u64 + self.payload_len,
            head: head.to_vec(),
            payload,
            payload_len: self.payload_len,
            block_digest: base32_sha1(&block),
            payload_digest: base32_sha1(&payload_sha1),
            payload_sha256: hex(&self.payload_sha256.finalize()),
            truncated: self.truncated,
        })
    }
}

/// One record to write: its WARC header fields (without `WARC-Warcinfo-ID`, `Content-Length`
/// and the digests, which are added from the block) and its block.
#[derive(Debug)]
pub struct Record {
    fields: Vec<(String, String)>,
    block: SpooledBlock,
    payload_digest: bool,
    level: Compression,
    /// The record compressed for the file whose warcinfo record has this id.
    member: Option<(String, Vec<u8>)>,
}

impl Record {
    /// A record of `fields` and `block`; `payload_digest` adds `WARC-Payload-Digest`.
    pub fn new(fields: Vec<(String, String)>, block: SpooledBlock, payload_digest: bool) -> Record {
        Record { fields, block, payload_digest, level: Compression::fast(), member: None }
    }

    /// Keeps the block uncompressed inside its gzip member (deflate's stored blocks): for
    /// payloads that are compressed already, where deflating again costs CPU and saves nothing.
    #[must_use]
    pub fn stored(mut self) -> Record {
        self.level = Compression::none();
        self
    }

    /// Compresses the record now, for the file whose warcinfo record is `warcinfo_id`, when its
    /// block is in memory — so the work happens outside the writer's lock. A record whose
    /// block is on disk, or that lands in another file after a rotation, is compressed when
    /// it is written.
    ///
    /// # Errors
    /// Compression fails.
    pub fn prepare(mut self, warcinfo_id: &str) -> std::io::Result<Record> {
        if self.block.in_memory() {
            let member =
                self.encode(Some(warcinfo_id), Vec::with_capacity(self.block.len as usize / 2 + 512))?;
            self.member = Some((warcinfo_id.to_string(), member));
        }
        Ok(self)
    }

    fn id(&self) -> String {
        self.field("WARC-Record-ID")
    }

    fn field(&self, name: &str) -> String {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// The WARC header: the fields, then what the writer derives.
    fn header(&self, warcinfo_id: Option<&str>) -> String {
        let mut head = String::with_capacity(1024);
        head.push_str("WARC/1.1\r\n");
        let mut field = |k: &str, v: &str| {
            head.push_str(k);
            head.push_str(": ");
            head.push_str(&v.replace(['\r', '\n'], " "));
            head.push_str("\r\n");
        };
        for (k, v) in &self.fields {
            field(k, v);
        }
        if let Some(id) = warcinfo_id {
            field("WARC-Warcinfo-ID", id);
        }
        if self.payload_digest {
            field("WARC-Payload-Digest", &self.block.payload_digest);
        }
        if self.block.truncated {
            field("WARC-Truncated", "length");
        }
        field("WARC-Block-Digest", &self.block.block_digest);
        field("Content-Length", &self.block.len.to_string());
        head.push_str("\r\n");
        head
    }

    /// The record as one gzip member written to `out`.
    fn encode<W: Write>(&mut self, warcinfo_id: Option<&str>, out: W) -> std::io::Result<W> {
        let mut member = GzEncoder::new(out, self.level);
        member.write_all(self.header(warcinfo_id).as_bytes())?;
        self.block.copy_to(&mut member)?;
        member.write_all(b"\r\n\r\n")?;
        member.finish()
    }
}

/// Settings of a [`WarcWriter`].
#[derive(Debug, Clone)]
pub struct WriterOptions {
    /// Rotate to a new file once a file reaches this many bytes.
    pub max_file_size: u64,
    /// `software` in warcinfo.
    pub software: String,
    /// More warc-fields for warcinfo (user agent, the run's options, …).
    pub info: Vec<(String, String)>,
    /// The run's start, `YYYYMMDDhhmmss`, used in file names.
    pub stamp: String,
}

/// Where a record went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// File name (the final `.warc.gz` name, also while the file is still open).
    pub filename: String,
    /// Offset of the record's gzip member in the file.
    pub offset: u64,
    /// Length of the gzip member.
    pub length: u64,
    /// `<urn:uuid:…>` of the record.
    pub record_id: String,
}

#[derive(Debug)]
struct OpenFile {
    name: String,
    open_path: PathBuf,
    file: File,
    offset: u64,
    warcinfo_id: String,
}

/// Appends records to rotating `.warc.gz` files in one folder; one writer per folder at a time.
#[derive(Debug)]
pub struct WarcWriter {
    dir: PathBuf,
    opts: WriterOptions,
    serial: u32,
    current: Option<OpenFile>,
    /// The id the next file's warcinfo record will have (known before the file is opened, so
    /// records can be compressed for it in advance).
    next_warcinfo_id: String,
}

/// A fresh `<urn:uuid:…>` record id.
pub fn record_id() -> String {
    format!("<urn:uuid:{}>", uuid::Uuid::new_v4())
}

impl WarcWriter {
    /// A writer for `dir` (created if needed). Files left `.open` by a killed run are recovered
    /// first (see [`recover`]); numbering continues after the files already there.
    ///
    /// # Errors
    /// The folder cannot be created or read.
    pub fn new(dir: &Path, opts: WriterOptions) -> std::io::Result<WarcWriter> {
        std::fs::create_dir_all(dir)?;
        recover(dir)?;
        let serial = std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let rest = name
                    .strip_prefix(&format!("citecheck-{}-", opts.stamp))?
                    .strip_suffix(".warc.gz")?
                    .to_string();
                rest.parse::<u32>().ok()
            })
            .max()
            .unwrap_or(0);
        Ok(WarcWriter { dir: dir.to_path_buf(), opts, serial, current: None, next_warcinfo_id: record_id() })
    }

    /// Whether the open file has reached the rotation size: the next write starts a new
    /// file (closing this one first). Until then the caller can still act — index what the
    /// file holds — while it is open, so a kill never leaves a closed file unindexed.
    pub fn is_full(&self) -> bool {
        self.current.as_ref().is_some_and(|c| c.offset >= self.opts.max_file_size)
    }

    /// The id of the warcinfo record the next record written will refer to (that of the open
    /// file, or of the next one).
    pub fn warcinfo_id(&self) -> &str {
        match &self.current {
            Some(c) if c.offset < self.opts.max_file_size => &c.warcinfo_id,
            _ => &self.next_warcinfo_id,
        }
    }

    fn open_next(&mut self, date: &str) -> std::io::Result<()> {
        self.serial += 1;
        let name = format!("citecheck-{}-{:05}.warc.gz", self.opts.stamp, self.serial);
        let open_path = self.dir.join(format!("{name}.open"));
        let file = std::fs::OpenOptions::new().create_new(true).write(true).open(&open_path)?;
        let warcinfo_id = self.next_warcinfo_id.clone();
        let mut fields = format!(
            "software: {}\r\nformat: WARC File Format 1.1\r\nconformsTo: {WARC_1_1}\r\n",
            self.opts.software
        );
        for (k, v) in &self.opts.info {
            fields.push_str(&format!("{k}: {}\r\n", v.replace(['\r', '\n'], " ")));
        }
        let header = vec![
            ("WARC-Type".to_string(), "warcinfo".to_string()),
            ("WARC-Record-ID".to_string(), warcinfo_id.clone()),
            ("WARC-Date".to_string(), date.to_string()),
            ("WARC-Filename".to_string(), name.clone()),
            ("Content-Type".to_string(), "application/warc-fields".to_string()),
        ];
        let mut cur = OpenFile { name, open_path, file, offset: 0, warcinfo_id };
        let info = Record::new(header, SpooledBlock::from_bytes(fields.into_bytes()), false);
        if let Err(e) = append(&mut cur, info, false) {
            // Not even the warcinfo fits (a full disk): leave no empty file behind.
            drop(cur.file);
            let _ = std::fs::remove_file(&cur.open_path);
            return Err(e);
        }
        self.next_warcinfo_id = record_id();
        self.current = Some(cur);
        Ok(())
    }

    /// Appends one record: `fields` (without `WARC-Warcinfo-ID`, `Content-Length` and the
    /// digests, which the writer adds) and its spooled block. Returns where it went.
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn write(
        &mut self,
        fields: Vec<(String, String)>,
        block: SpooledBlock,
        with_payload_digest: bool,
    ) -> std::io::Result<Written> {
        let mut written = self.write_all(vec![Record::new(fields, block, with_payload_digest)])?;
        written.pop().ok_or_else(|| std::io::Error::other("no record written"))
    }

    /// Appends records together (they land in the same file), compressing those not
    /// [prepared](Record::prepare) for the open file. Returns where each went.
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn write_all(&mut self, records: Vec<Record>) -> std::io::Result<Vec<Written>> {
        if self.is_full() {
            self.close_current()?;
        }
        if self.current.is_none() {
            let date = records.first().map(|r| r.field("WARC-Date")).unwrap_or_default();
            self.open_next(&date)?;
        }
        let Some(cur) = self.current.as_mut() else {
            return Err(std::io::Error::other("no open WARC file"));
        };
        let mut out = Vec::with_capacity(records.len());
        for record in records {
            match append(cur, record, true) {
                Ok(w) => out.push(w),
                Err(e) => {
                    // Cut what was written of the group (a full disk): the file ends with
                    // whole records, and the group lands whole or not at all.
                    let keep = out.first().map_or(cur.offset, |w: &Written| w.offset);
                    let _ = cur.file.set_len(keep).and_then(|()| cur.file.seek(SeekFrom::Start(keep)));
                    cur.offset = keep;
                    return Err(e);
                }
            }
        }
        Ok(out)
    }

    fn close_current(&mut self) -> std::io::Result<()> {
        if let Some(cur) = self.current.take() {
            cur.file.sync_all()?;
            std::fs::rename(&cur.open_path, self.dir.join(&cur.name))?;
        }
        Ok(())
    }

    /// Closes the open file (synced, renamed to `.warc.gz`).
    ///
    /// # Errors
    /// The file cannot be synced or renamed.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.close_current()
    }
}

/// Appends `record` to the open file as one gzip member (a record cut short by a crash is
/// removed by `recover` on the next open).
fn append(cur: &mut OpenFile, mut record: Record, refer_to_warcinfo: bool) -> std::io::Result<Written> {
    let start = cur.offset;
    let length = match record.member.take() {
        Some((id, bytes)) if refer_to_warcinfo && id == cur.warcinfo_id => {
            cur.file.write_all(&bytes)?;
            bytes.len() as u64
        }
        _ => {
            let info = refer_to_warcinfo.then_some(cur.warcinfo_id.as_str());
            let mut out = std::io::BufWriter::with_capacity(64 * 1024, &mut cur.file);
            record.encode(info, &mut out)?;
            out.flush()?;
            drop(out);
            cur.file.stream_position()? - start
        }
    };
    cur.offset = start + length;
    Ok(Written { filename: cur.name.clone(), offset: start, length, record_id: record.id() })
}

/// Makes every `*.warc.gz.open` file in `dir` a valid `.warc.gz`: cuts it back to the end of its
/// last complete gzip member (a record being written when a run was killed is dropped) and
/// renames it; one with no complete member is removed. A symbolic link is refused, not
/// followed. Returns the files recovered.
///
/// # Errors
/// The folder or a file cannot be read or written.
pub fn recover(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    recover_with(dir, |_, _| Ok(()))
}

/// [`recover`], calling `before_close(open_path, final_name)` on each file once it is cut back
/// and before it is renamed (to index it: a kill before the rename leaves it `.open`, so the
/// next run recovers, and indexes, it again).
///
/// # Errors
/// The folder or a file cannot be read or written, or `before_close` fails.
pub fn recover_with(
    dir: &Path,
    mut before_close: impl FnMut(&Path, &str) -> std::io::Result<()>,
) -> std::io::Result<Vec<PathBuf>> {
    let mut done = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        let Some(final_name) = name.strip_suffix(".open") else { continue };
        if !final_name.ends_with(".warc.gz") {
            continue;
        }
        crate::output::refuse_link(&path)?;
        let good = complete_members_len(&path)?;
        if good == 0 {
            // Nothing whole in it (a run stopped by a full disk): no empty WARC file.
            std::fs::remove_file(&path)?;
            continue;
        }
        let file = crate::output::open_no_follow(&path, std::fs::OpenOptions::new().write(true))?;
        file.set_len(good)?;
        file.sync_all()?;
        before_close(&path, final_name)?;
        let target = dir.join(final_name);
        std::fs::rename(&path, &target)?;
        done.push(target);
    }
    Ok(done)
}

/// Length of the run of complete gzip members at the start of a file.
fn complete_members_len(path: &Path) -> std::io::Result<u64> {
    let mut reader = BufReader::new(File::open(path)?);
    let total = reader.seek(SeekFrom::End(0))?;
    let mut good = 0u64;
    while good < total {
        reader.seek(SeekFrom::Start(good))?;
        // The bufread decoder consumes exactly one member from the reader.
        let mut decoder = flate2::bufread::GzDecoder::new(&mut reader);
        if std::io::copy(&mut decoder, &mut std::io::sink()).is_err() {
            break;
        }
        let end = reader.stream_position()?;
        if end <= good {
            break;
        }
        good = end;
    }
    Ok(good)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    /// The response block of the hand-checked example in `shared/reference/warc.md`.
    fn example_block(dir: &Path) -> SpooledBlock {
        let mut spool = Spool::new(dir, None);
        spool.write_all(b"<html><body>Report A/78/1</body></html>\n").expect("write");
        spool
            .finish(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 40\r\n\r\n",
            )
            .expect("finish")
    }

    #[test]
    fn digests_match_the_hand_checked_example() {
        let dir = tempfile::tempdir().expect("tempdir");
        let b = example_block(dir.path());
        assert_eq!(b.len, 119);
        assert_eq!(b.payload_len, 40);
        assert_eq!(b.block_digest, "sha1:LXPHOYJWHW6BAPV3X3MVTKLHJPK22WBD");
        assert_eq!(b.payload_digest, "sha1:4D4B5J4EDPEY7YLXBEIIRS5MH2LGTAFJ");
        assert_eq!(b.payload_sha256.len(), 64);
    }

    fn members(bytes: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = bytes;
        while !rest.is_empty() {
            let mut d = flate2::bufread::GzDecoder::new(rest);
            let mut s = String::new();
            d.read_to_string(&mut s).expect("a complete member");
            rest = d.into_inner();
            out.push(s);
        }
        out
    }

    fn writer(dir: &Path, max: u64) -> WarcWriter {
        let opts = WriterOptions {
            max_file_size: max,
            software: "citecheck/test".into(),
            info: vec![("http-header-user-agent".into(), "citecheck/test (+x)".into())],
            stamp: "20240501120000".into(),
        };
        WarcWriter::new(dir, opts).expect("writer")
    }

    fn response_fields() -> Vec<(String, String)> {
        vec![
            ("WARC-Type".into(), "response".into()),
            ("WARC-Record-ID".into(), "<urn:uuid:6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f>".into()),
            ("WARC-Date".into(), "2024-05-01T12:00:00Z".into()),
            ("WARC-Target-URI".into(), "https://example.org/doc".into()),
            ("WARC-IP-Address".into(), "192.0.2.10".into()),
            ("WARC-Concurrent-To".into(), "<urn:uuid:0b7d9a34-5e6f-4a1b-9c2d-3e4f5a6b7c8d>".into()),
            ("Content-Type".into(), "application/http;msgtype=response".into()),
        ]
    }

    #[test]
    fn record_layout_byte_for_byte_one_member_each() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut w = writer(dir.path(), 1 << 30);
        let block = example_block(dir.path());
        let written = w.write(response_fields(), block, true).expect("write");
        w.finish().expect("finish");
        let path = dir.path().join("citecheck-20240501120000-00001.warc.gz");
        let bytes = std::fs::read(&path).expect("closed file renamed");
        let records = members(&bytes);
        assert_eq!(records.len(), 2, "warcinfo + response, one gzip member each");
        assert!(records[0].starts_with("WARC/1.1\r\nWARC-Type: warcinfo\r\n"));
        assert!(records[0].contains("WARC-Filename: citecheck-20240501120000-00001.warc.gz\r\n"));
        assert!(records[0]
            .contains("\r\n\r\nsoftware: citecheck/test\r\nformat: WARC File Format 1.1\r\nconformsTo: "));
        let info_id =
            records[0].lines().find_map(|l| l.strip_prefix("WARC-Record-ID: ")).unwrap_or("").to_string();
        let expected = format!(
            "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f>\r\n\
             WARC-Date: 2024-05-01T12:00:00Z\r\nWARC-Target-URI: https://example.org/doc\r\nWARC-IP-Address: 192.0.2.10\r\n\
             WARC-Concurrent-To: <urn:uuid:0b7d9a34-5e6f-4a1b-9c2d-3e4f5a6b7c8d>\r\n\
             Content-Type: application/http;msgtype=response\r\nWARC-Warcinfo-ID: {info_id}\r\n\
             WARC-Payload-Digest: sha1:4D4B5J4EDPEY7YLXBEIIRS5MH2LGTAFJ\r\nWARC-Block-Digest: sha1:LXPHOYJWHW6BAPV3X3MVTKLHJPK22WBD\r\n\
             Content-Length: 119\r\n\r\n\
             HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 40\r\n\r\n\
             <html><body>Report A/78/1</body></html>\n\r\n\r\n"
        );
        assert_eq!(records[1], expected);
        // The index entry points at exactly that member.
        let member = &bytes[written.offset as usize..(written.offset + written.length) as usize];
        assert_eq!(members(member), vec![expected]);
    }

    #[test]
    fn truncation_beyond_the_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut spool = Spool::new(dir.path(), Some(10));
        spool.write_all(b"0123456789abcdef").expect("write");
        let b = spool.finish(b"HTTP/1.1 200 OK\r\n\r\n").expect("finish");
        assert!(b.truncated);
        assert_eq!(b.payload_len, 10);
        let mut w = writer(dir.path(), 1 << 30);
        w.write(response_fields(), b, true).expect("write");
        w.finish().expect("finish");
        let bytes = std::fs::read(dir.path().join("citecheck-20240501120000-00001.warc.gz")).expect("file");
        let recs = members(&bytes);
        assert!(recs[1].contains("WARC-Truncated: length\r\n"));
        assert!(recs[1].contains("Content-Length: 29\r\n"));
        assert!(recs[1].ends_with("0123456789\r\n\r\n"));
    }

    #[test]
    fn rotation_starts_each_file_with_warcinfo() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut w = writer(dir.path(), 1); // every record fills a file
        for _ in 0..3 {
            let b = example_block(dir.path());
            w.write(response_fields(), b, true).expect("write");
        }
        w.finish().expect("finish");
        for n in 1..=3 {
            let bytes = std::fs::read(dir.path().join(format!("citecheck-20240501120000-{n:05}.warc.gz")))
                .expect("file");
            let recs = members(&bytes);
            assert_eq!(recs.len(), 2);
            assert!(recs[0].contains("WARC-Type: warcinfo"));
        }
    }

    #[test]
    fn a_killed_writer_leaves_only_complete_records() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut w = writer(dir.path(), 1 << 30);
        w.write(response_fields(), example_block(dir.path()), true).expect("write");
        // Kill mid-record: the writer is dropped without finish, and half a member follows.
        drop(w);
        let open = dir.path().join("citecheck-20240501120000-00001.warc.gz.open");
        let whole = std::fs::read(&open).expect("open file");
        let mut member = GzEncoder::new(Vec::new(), Compression::fast());
        member.write_all(b"WARC/1.1\r\nWARC-Type: response\r\n...a long record...").expect("gz");
        let partial = member.finish().expect("gz");
        let mut f = std::fs::OpenOptions::new().append(true).open(&open).expect("append");
        f.write_all(&partial[..partial.len() / 2]).expect("write");
        drop(f);
        // The next writer recovers it and continues in a new file.
        let mut w = writer(dir.path(), 1 << 30);
        w.write(response_fields(), example_block(dir.path()), true).expect("write");
        w.finish().expect("finish");
        let recovered =
            std::fs::read(dir.path().join("citecheck-20240501120000-00001.warc.gz")).expect("recovered");
        assert_eq!(recovered, whole, "cut back to the last complete record");
        assert_eq!(members(&recovered).len(), 2);
        assert!(dir.path().join("citecheck-20240501120000-00002.warc.gz").is_file(), "numbering continues");
        assert!(!open.exists());
    }

    fn block_of(dir: &Path, head: &[u8], body: &[u8], known_head: Option<&[u8]>) -> SpooledBlock {
        let mut spool = Spool::new(dir, None);
        if let Some(h) = known_head {
            spool = spool.with_head(h.to_vec());
        }
        for chunk in body.chunks(7_000) {
            spool.write_all(chunk).expect("write");
        }
        spool.finish(head).expect("finish")
    }

    #[test]
    fn digests_do_not_depend_on_where_the_payload_is_kept_or_when_the_head_is_known() {
        let dir = tempfile::tempdir().expect("tempdir");
        let head = b"HTTP/1.1 200 OK\r\nContent-Length: 600000\r\n\r\n";
        let big: Vec<u8> = (0..600_000u32).map(|i| (i % 251) as u8).collect();
        let mut whole = head.to_vec();
        whole.extend_from_slice(&big);
        let expected_block = base32_sha1(&Sha1::digest(&whole).into());
        let expected_payload = base32_sha1(&Sha1::digest(&big).into());
        for known in [None, Some(&head[..]), Some(&b"HTTP/1.1 200 OK\r\n\r\n"[..])] {
            let mut b = block_of(dir.path(), head, &big, known);
            assert!(!b.in_memory(), "600 KB is beyond the memory spool");
            assert_eq!(b.block_digest, expected_block, "head given in advance: {known:?}");
            assert_eq!(b.payload_digest, expected_payload);
            assert_eq!(b.payload_sha256, hex(&Sha256::digest(&big)));
            let mut copy = Vec::new();
            b.copy_to(&mut copy).expect("copy");
            assert_eq!(copy, whole, "the block read back from disk is the block");
        }
        let small = block_of(dir.path(), head, &big[..1000], Some(&head[..]));
        assert!(small.in_memory());
        let mut whole = head.to_vec();
        whole.extend_from_slice(&big[..1000]);
        assert_eq!(small.block_digest, base32_sha1(&Sha1::digest(&whole).into()));
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            0,
            "spool files are unnamed: nothing is left in the archive folder"
        );
    }

    fn warcinfo_of(member: &str) -> Option<String> {
        member.lines().find_map(|l| l.strip_prefix("WARC-Warcinfo-ID: ")).map(str::to_string)
    }

    #[test]
    fn records_prepared_before_a_rotation_refer_to_the_warcinfo_of_the_file_they_land_in() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut w = writer(dir.path(), 1); // every write fills a file
                                           // Both records are compressed for the first file, but the second lands in the next one.
        let first_id = w.warcinfo_id().to_string();
        let a =
            Record::new(response_fields(), example_block(dir.path()), true).prepare(&first_id).expect("a");
        let b =
            Record::new(response_fields(), example_block(dir.path()), true).prepare(&first_id).expect("b");
        assert!(a.member.is_some() && b.member.is_some());
        let wa = w.write_all(vec![a]).expect("write a");
        assert_ne!(w.warcinfo_id(), first_id, "the writer rotated");
        let wb = w.write_all(vec![b]).expect("write b");
        w.finish().expect("finish");
        for (n, written) in [(1, &wa[0]), (2, &wb[0])] {
            let bytes = std::fs::read(dir.path().join(format!("citecheck-20240501120000-{n:05}.warc.gz")))
                .expect("file");
            let recs = members(&bytes);
            let info_id =
                recs[0].lines().find_map(|l| l.strip_prefix("WARC-Record-ID: ")).map(str::to_string);
            assert_eq!(warcinfo_of(&recs[1]), info_id, "file {n}");
            let member = &bytes[written.offset as usize..(written.offset + written.length) as usize];
            assert_eq!(members(member), vec![recs[1].clone()]);
        }
    }

    #[test]
    fn a_record_on_disk_is_compressed_into_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n\r\n";
        let pdf: Vec<u8> = b"%PDF-1.7\n".iter().copied().cycle().take(9 * 44_000).collect();
        let block = block_of(dir.path(), head, &pdf, None);
        let mut w = writer(dir.path(), 1 << 30);
        let id = w.warcinfo_id().to_string();
        let record = Record::new(response_fields(), block, true).prepare(&id).expect("prepare");
        assert!(record.member.is_none(), "large blocks are not held compressed in memory");
        let written = w.write_all(vec![record]).expect("write");
        w.finish().expect("finish");
        let bytes = std::fs::read(dir.path().join("citecheck-20240501120000-00001.warc.gz")).expect("file");
        let member = &bytes[written[0].offset as usize..(written[0].offset + written[0].length) as usize];
        let text = members(member).remove(0);
        assert!(text.contains(&format!("Content-Length: {}\r\n", head.len() + pdf.len())));
        assert!(text.ends_with("%PDF-1.7\n\r\n\r\n"));
        assert_eq!(warcinfo_of(&text), Some(id));
    }

    #[test]
    fn a_stored_record_is_a_gzip_member_holding_the_block_as_is() {
        let dir = tempfile::tempdir().expect("tempdir");
        // Bytes deflate cannot shrink (as a gzip-encoded body would be).
        let mut noise = Vec::with_capacity(100_000);
        let mut h: u64 = 7;
        while noise.len() < 100_000 {
            h ^= h << 13;
            h ^= h >> 7;
            h ^= h << 17;
            noise.extend_from_slice(&h.to_le_bytes());
        }
        let head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n";
        let mut w = writer(dir.path(), 1 << 30);
        let fast = w.write(response_fields(), block_of(dir.path(), head, &noise, None), true).expect("fast");
        let id = w.warcinfo_id().to_string();
        let record = Record::new(response_fields(), block_of(dir.path(), head, &noise, None), true).stored();
        let stored = w.write_all(vec![record.prepare(&id).expect("prepare")]).expect("stored").remove(0);
        w.finish().expect("finish");
        let bytes = std::fs::read(dir.path().join("citecheck-20240501120000-00001.warc.gz")).expect("file");
        let member = |w: &Written| {
            let mut d =
                flate2::bufread::GzDecoder::new(&bytes[w.offset as usize..(w.offset + w.length) as usize]);
            let mut out = Vec::new();
            d.read_to_end(&mut out).expect("one complete member");
            out
        };
        assert_eq!(member(&stored), member(&fast), "same record either way");
        let block_len = (head.len() + noise.len()) as u64;
        assert!(stored.length > block_len && stored.length < block_len + 1024, "{}", stored.length);
    }

    #[test]
    fn base32_of_known_digests() {
        let empty: [u8; 20] = Sha1::digest(b"").into();
        assert_eq!(base32_sha1(&empty), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
    }
}
