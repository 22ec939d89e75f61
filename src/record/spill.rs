//! Records of a run kept on disk while the run goes: each is encoded (postcard) and appended
//! to an anonymous temporary file in the output folder; memory keeps only where each one is
//! (8 bytes). They are read back one by one, or in order a large block at a time. The file is
//! gone when the run ends, however it ends.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

/// Bits of a position that hold the record's length (the rest hold its offset).
const LEN_BITS: u32 = 24;
/// The length of a record this long or longer is written before it (8 bytes, little endian),
/// and its position holds this instead.
const LARGE: usize = (1 << LEN_BITS) - 1;
/// How much a reader in order reads at once.
pub(crate) const WINDOW: usize = 256 * 1024;

/// Where a record is in the file: offset and length packed in one word (0: none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct At(u64);

impl At {
    fn new(offset: u64, len: usize) -> Option<At> {
        let len = u64::try_from(len).ok().filter(|&l| l > 0 && l < 1 << LEN_BITS)?;
        (offset < 1 << (64 - LEN_BITS)).then_some(At(offset << LEN_BITS | len))
    }

    fn offset(self) -> u64 {
        self.0 >> LEN_BITS
    }

    fn len(self) -> usize {
        (self.0 & ((1 << LEN_BITS) - 1)) as usize
    }

    fn is_some(self) -> bool {
        self.0 != 0
    }
}

/// Records being written, one slot each (`what` names them in messages: `outcome`).
pub(crate) struct Spill<T> {
    what: &'static str,
    dir: PathBuf,
    file: BufWriter<File>,
    written: u64,
    at: Vec<At>,
    scratch: Vec<u8>,
    kind: PhantomData<fn(&T)>,
}

impl<T: Serialize + DeserializeOwned> Spill<T> {
    /// A spill of `slots` records (more can be pushed), in a temporary file in `dir` (which
    /// must exist).
    ///
    /// # Errors
    /// The temporary file cannot be made there.
    pub(crate) fn new(what: &'static str, dir: &Path, slots: usize) -> Result<Spill<T>> {
        let file = tempfile::tempfile_in(dir).map_err(|source| spill(dir, source))?;
        Ok(Spill {
            what,
            dir: dir.to_path_buf(),
            file: BufWriter::with_capacity(WINDOW, file),
            written: 0,
            at: vec![At::default(); slots],
            scratch: Vec::new(),
            kind: PhantomData,
        })
    }

    /// Keeps record `i` (a later one replaces it).
    ///
    /// # Errors
    /// The file cannot be written (disk full), or is over a terabyte.
    pub(crate) fn put(&mut self, i: usize, record: &T) -> Result<()> {
        if i >= self.at.len() {
            return Err(Error::Config(format!("no {} {i} in this run", self.what)));
        }
        let encoded = postcard::to_extend(record, std::mem::take(&mut self.scratch))
            .map_err(|e| Error::Serialise(format!("{} {i}: {e}", self.what)))?;
        let at = At::new(self.written, encoded.len().min(LARGE)).ok_or_else(|| {
            let why = std::io::Error::other("the run's temporary file is over a terabyte");
            spill(&self.dir, why)
        })?;
        let mut write = |bytes: &[u8]| {
            self.written += bytes.len() as u64;
            self.file.write_all(bytes).map_err(|source| spill(&self.dir, source))
        };
        if encoded.len() >= LARGE {
            write(&(encoded.len() as u64).to_le_bytes())?;
        }
        write(&encoded)?;
        self.at[i] = at;
        self.scratch = encoded;
        self.scratch.clear();
        Ok(())
    }

    /// Keeps the next record; returns its index.
    ///
    /// # Errors
    /// As for [`Spill::put`].
    pub(crate) fn push(&mut self, record: &T) -> Result<usize> {
        let i = self.at.len();
        self.at.push(At::default());
        self.put(i, record)?;
        Ok(i)
    }

    /// How many slots.
    pub(crate) fn len(&self) -> usize {
        self.at.len()
    }

    /// Whether record `i` was written.
    pub(crate) fn has(&self, i: usize) -> bool {
        self.at.get(i).is_some_and(|a| a.is_some())
    }

    /// Every record written: the spill, now read-only.
    ///
    /// # Errors
    /// The file cannot be written.
    pub(crate) fn finish(self) -> Result<Spilled<T>> {
        let dir = self.dir;
        let file = self.file.into_inner().map_err(|e| spill(&dir, e.into_error()))?;
        Ok(Spilled { what: self.what, dir, file, at: self.at, kind: PhantomData })
    }
}

/// Records read back.
#[derive(Debug)]
pub(crate) struct Spilled<T> {
    what: &'static str,
    dir: PathBuf,
    file: File,
    at: Vec<At>,
    kind: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Spilled<T> {
    /// How many slots.
    pub(crate) fn len(&self) -> usize {
        self.at.len()
    }

    /// Record `i`.
    ///
    /// # Errors
    /// It cannot be read back (the file was damaged, or slot `i` is empty).
    pub(crate) fn get(&self, i: usize) -> Result<T> {
        let (offset, len) = self.locate(i)?;
        let mut buf = vec![0; len];
        let got = read_at(&self.file, &mut buf, offset).map_err(|source| spill(&self.dir, source))?;
        if got < buf.len() {
            return Err(self.missing(i));
        }
        self.decode(i, &buf)
    }

    /// Where record `i`'s bytes are, and how many.
    fn locate(&self, i: usize) -> Result<(u64, usize)> {
        let at = self.at.get(i).copied().filter(|a| a.is_some()).ok_or_else(|| self.missing(i))?;
        if at.len() < LARGE {
            return Ok((at.offset(), at.len()));
        }
        let mut len = [0; 8];
        let got = read_at(&self.file, &mut len, at.offset()).map_err(|source| spill(&self.dir, source))?;
        let len = usize::try_from(u64::from_le_bytes(len))
            .ok()
            .filter(|_| got == 8)
            .ok_or_else(|| self.missing(i))?;
        Ok((at.offset() + 8, len))
    }

    /// Every record, in order (read ahead in large blocks).
    pub(crate) fn iter(&self) -> Iter<'_, T> {
        Iter { reader: self.reader(), next: 0 }
    }

    /// A reader for records wanted one by one in about the order they were written: it reads
    /// ahead like [`Spilled::iter`].
    pub(crate) fn reader(&self) -> Reader<'_, T> {
        Reader { spilled: self, window: Vec::new(), start: 0 }
    }

    fn decode(&self, i: usize, bytes: &[u8]) -> Result<T> {
        postcard::from_bytes(bytes).map_err(|e| {
            let why = format!("{} {i} does not read back ({e})", self.what);
            spill(&self.dir, std::io::Error::new(std::io::ErrorKind::InvalidData, why))
        })
    }

    fn missing(&self, i: usize) -> Error {
        let why = format!("{} {i} was not kept", self.what);
        spill(&self.dir, std::io::Error::new(std::io::ErrorKind::NotFound, why))
    }
}

/// Reads records in about the order they were written, a window at a time.
pub(crate) struct Reader<'a, T> {
    spilled: &'a Spilled<T>,
    window: Vec<u8>,
    start: u64,
}

impl<T: DeserializeOwned> Reader<'_, T> {
    /// Record `i`.
    ///
    /// # Errors
    /// As for [`Spilled::get`].
    pub(crate) fn get(&mut self, i: usize) -> Result<T> {
        let s = self.spilled;
        let (from, len) = s.locate(i)?;
        let to = from + len as u64;
        if from < self.start || to > self.start + self.window.len() as u64 {
            self.window.resize(WINDOW.max(len), 0);
            let got = read_at(&s.file, &mut self.window, from).map_err(|source| spill(&s.dir, source))?;
            self.window.truncate(got);
            self.start = from;
        }
        let lo = usize::try_from(from - self.start).unwrap_or(usize::MAX);
        match self.window.get(lo..lo.saturating_add(len)) {
            Some(bytes) => s.decode(i, bytes),
            None => Err(s.missing(i)),
        }
    }
}

/// Records in order.
pub(crate) struct Iter<'a, T> {
    reader: Reader<'a, T>,
    next: usize,
}

impl<T: DeserializeOwned> Iterator for Iter<'_, T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        let i = self.next;
        (i < self.reader.spilled.len()).then(|| {
            self.next += 1;
            self.reader.get(i)
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.reader.spilled.len() - self.next;
        (left, Some(left))
    }
}

fn spill(dir: &Path, source: std::io::Error) -> Error {
    Error::Spill { dir: dir.to_path_buf(), source }
}

/// Reads up to `buf.len()` bytes at `offset`, fewer only at the end of the file.
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(file, &mut buf[got..], offset + got as u64);
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(file, &mut buf[got..], offset + got as u64);
        match n {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_as_written_in_any_order_the_later_of_two_counting() {
        let dir = tempfile::tempdir().unwrap();
        let n = 3000;
        let mut s: Spill<(usize, String)> = Spill::new("record", dir.path(), n).unwrap();
        let order: Vec<usize> = (0..n).map(|i| (i * 7919) % n).collect();
        for &i in order.iter().filter(|&&i| !i.is_multiple_of(101)) {
            s.put(i, &(i + 1, "x".repeat(i % 50))).unwrap();
        }
        for &i in order.iter().take(500).filter(|&&i| !i.is_multiple_of(101)) {
            s.put(i, &(i, "y".repeat(i % 50))).unwrap();
        }
        assert_eq!(s.push(&(7, "pushed".into())).unwrap(), n);
        assert!(!s.has(0) && s.has(1) && s.has(n));
        let twice: std::collections::HashSet<usize> = order.iter().take(500).copied().collect();
        let want = |i: usize| match i {
            _ if i == n => Some((7, "pushed".to_string())),
            _ if i.is_multiple_of(101) => None,
            _ if twice.contains(&i) => Some((i, "y".repeat(i % 50))),
            _ => Some((i + 1, "x".repeat(i % 50))),
        };
        let s = s.finish().unwrap();
        assert_eq!(s.len(), n + 1);
        for (i, got) in s.iter().enumerate() {
            assert_eq!(got.ok(), want(i), "record {i}");
            assert_eq!(s.get(i).ok(), want(i));
        }
        // Backwards, through one reader.
        let mut r = s.reader();
        for i in (0..=n).rev() {
            assert_eq!(r.get(i).ok(), want(i));
        }
    }

    #[test]
    fn records_larger_than_the_window_or_the_length_field_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut s: Spill<String> = Spill::new("record", dir.path(), 0).unwrap();
        let all =
            ["a".to_string(), "e".repeat(WINDOW * 2), "c".to_string(), "f".repeat(LARGE + 5), "g".into()];
        for r in &all {
            s.push(r).unwrap();
        }
        let s = s.finish().unwrap();
        assert_eq!(s.iter().collect::<Result<Vec<_>>>().unwrap(), all);
        assert_eq!(s.get(3).unwrap(), all[3]);
        assert_eq!(s.get(4).unwrap(), all[4]);
    }

    #[test]
    fn an_empty_slot_is_an_error_naming_it_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let s: Spilled<String> = Spill::new("outcome", dir.path(), 2).unwrap().finish().unwrap();
        let err = s.get(1).unwrap_err().to_string();
        assert!(err.contains("outcome 1 was not kept"), "{err}");
        assert!(s.iter().next().unwrap().is_err());
        assert!(s.get(5).is_err());
    }
}
