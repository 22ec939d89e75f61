//! The run's outcomes, kept on disk while the run goes: each outcome is appended to an
//! anonymous temporary file in the output folder as it comes (a result sink of the fetch
//! stage), and the run keeps only where each one is and its status — 10 bytes a target
//! instead of the outcome's 128 and its strings. The tables, the history's standings and the
//! archive's metadata read them back, in target order or one by one. The file is gone when
//! the run ends, however it ends.

use crate::error::{Error, Result};
use crate::sink::ResultSink;
use crate::types::{Outcome, Status};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Bits of a position that hold the record's length (the rest hold its offset).
const LEN_BITS: u32 = 24;
/// How much a reader in target order reads at once.
const WINDOW: usize = 256 * 1024;

/// Where outcome records are in the file: offset and length packed in one word (0: none).
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

/// Outcomes being written, one slot per target.
pub(crate) struct OutcomeLog {
    dir: PathBuf,
    file: BufWriter<File>,
    written: u64,
    at: Vec<At>,
    status: Vec<Option<Status>>,
    cached: Vec<bool>,
    scratch: Vec<u8>,
}

impl OutcomeLog {
    /// A log for `targets` outcomes, in a temporary file in `dir` (which must exist).
    ///
    /// # Errors
    /// The temporary file cannot be made there.
    pub(crate) fn new(dir: &Path, targets: usize) -> Result<OutcomeLog> {
        let file = tempfile::tempfile_in(dir).map_err(|source| spill(dir, source))?;
        Ok(OutcomeLog {
            dir: dir.to_path_buf(),
            file: BufWriter::with_capacity(WINDOW, file),
            written: 0,
            at: vec![At::default(); targets],
            status: vec![None; targets],
            cached: vec![false; targets],
            scratch: Vec::new(),
        })
    }

    /// Keeps target `i`'s outcome (a later one replaces it).
    ///
    /// # Errors
    /// The file cannot be written (disk full), or the outcome is over 16 MB encoded.
    pub(crate) fn put(&mut self, i: usize, o: &Outcome) -> Result<()> {
        let slot = self.at.get_mut(i).ok_or_else(|| Error::Config(format!("no target {i} in this run")))?;
        let encoded = postcard::to_extend(o, std::mem::take(&mut self.scratch))
            .map_err(|e| Error::Serialise(format!("outcome of target {i}: {e}")))?;
        let at = At::new(self.written, encoded.len())
            .ok_or_else(|| Error::Serialise(format!("outcome of target {i} is too large to keep")))?;
        self.file.write_all(&encoded).map_err(|source| spill(&self.dir, source))?;
        self.written += encoded.len() as u64;
        *slot = at;
        self.status[i] = Some(o.status);
        self.cached[i] = o.cached;
        self.scratch = encoded;
        self.scratch.clear();
        Ok(())
    }

    /// Whether target `i` has its outcome.
    pub(crate) fn has(&self, i: usize) -> bool {
        self.at.get(i).is_some_and(|a| a.is_some())
    }

    /// Gives every target still without an outcome `missing()`'s; returns how many.
    ///
    /// # Errors
    /// As for [`OutcomeLog::put`].
    pub(crate) fn fill(&mut self, missing: impl Fn() -> Outcome) -> Result<usize> {
        let left: Vec<usize> = (0..self.at.len()).filter(|&i| !self.has(i)).collect();
        for &i in &left {
            self.put(i, &missing())?;
        }
        Ok(left.len())
    }

    /// Every outcome written: the log, now read-only. Targets without one read as
    /// [`Status::Skipped`] by status and fail to read whole ([`OutcomeLog::fill`] first).
    ///
    /// # Errors
    /// The file cannot be written.
    pub(crate) fn finish(self) -> Result<RunOutcomes> {
        let dir = self.dir;
        let file = self.file.into_inner().map_err(|e| spill(&dir, e.into_error()))?;
        let status = self.status.into_iter().map(|s| s.unwrap_or(Status::Skipped)).collect();
        Ok(RunOutcomes { dir, file, at: self.at, status, cached: self.cached })
    }
}

impl ResultSink for OutcomeLog {
    fn accept(&mut self, index: usize, outcome: &Outcome) -> Result<()> {
        self.put(index, outcome)
    }
}

/// A run's outcomes, one per target, read back from the log.
#[derive(Debug)]
pub(crate) struct RunOutcomes {
    dir: PathBuf,
    file: File,
    at: Vec<At>,
    status: Vec<Status>,
    cached: Vec<bool>,
}

impl RunOutcomes {
    /// Outcomes held in a log of their own.
    #[cfg(test)]
    pub(crate) fn of(dir: &Path, outcomes: &[Outcome]) -> Result<RunOutcomes> {
        let mut log = OutcomeLog::new(dir, outcomes.len())?;
        for (i, o) in outcomes.iter().enumerate() {
            log.put(i, o)?;
        }
        log.finish()
    }

    /// How many targets.
    pub(crate) fn len(&self) -> usize {
        self.at.len()
    }

    /// Target `i`'s status (held, not read).
    pub(crate) fn status(&self, i: usize) -> Status {
        self.status.get(i).copied().unwrap_or(Status::Skipped)
    }

    /// Every status, in target order.
    pub(crate) fn statuses(&self) -> &[Status] {
        &self.status
    }

    /// Whether target `i`'s outcome came from the history (held, not read).
    pub(crate) fn cached(&self, i: usize) -> bool {
        self.cached.get(i).copied().unwrap_or(false)
    }

    /// Target `i`'s outcome.
    ///
    /// # Errors
    /// It cannot be read back (the file was damaged, or `i` has none).
    pub(crate) fn get(&self, i: usize) -> Result<Outcome> {
        let at = self.at.get(i).copied().filter(|a| a.is_some()).ok_or_else(|| self.missing(i))?;
        let mut buf = vec![0; at.len()];
        read_at(&self.file, &mut buf, at.offset()).map_err(|source| spill(&self.dir, source))?;
        self.decode(i, &buf)
    }

    /// Every outcome, in target order (read ahead in large blocks: outcomes are written
    /// roughly in that order).
    pub(crate) fn iter(&self) -> Outcomes<'_> {
        Outcomes { reader: self.reader(), next: 0 }
    }

    /// A reader for outcomes wanted one by one in about target order (a citation's, say):
    /// it reads ahead like [`RunOutcomes::iter`].
    pub(crate) fn reader(&self) -> Reader<'_> {
        Reader { run: self, window: Vec::new(), start: 0 }
    }

    fn decode(&self, i: usize, bytes: &[u8]) -> Result<Outcome> {
        postcard::from_bytes(bytes).map_err(|e| {
            let why = format!("the outcome of target {i} does not read back ({e})");
            spill(&self.dir, std::io::Error::new(std::io::ErrorKind::InvalidData, why))
        })
    }

    fn missing(&self, i: usize) -> Error {
        let why = format!("target {i} has no outcome");
        spill(&self.dir, std::io::Error::new(std::io::ErrorKind::NotFound, why))
    }
}

/// Reads outcomes in about target order, a window at a time.
pub(crate) struct Reader<'a> {
    run: &'a RunOutcomes,
    window: Vec<u8>,
    start: u64,
}

impl Reader<'_> {
    /// Target `i`'s outcome.
    ///
    /// # Errors
    /// As for [`RunOutcomes::get`].
    pub(crate) fn get(&mut self, i: usize) -> Result<Outcome> {
        let run = self.run;
        let at = run.at.get(i).copied().filter(|a| a.is_some()).ok_or_else(|| run.missing(i))?;
        let (from, to) = (at.offset(), at.offset() + at.len() as u64);
        let end = self.start + self.window.len() as u64;
        if from < self.start || to > end {
            self.window.resize(WINDOW.max(at.len()), 0);
            let got =
                read_some_at(&run.file, &mut self.window, from).map_err(|source| spill(&run.dir, source))?;
            self.window.truncate(got);
            self.start = from;
        }
        let lo = usize::try_from(from - self.start).unwrap_or(usize::MAX);
        match self.window.get(lo..lo.saturating_add(at.len())) {
            Some(bytes) => run.decode(i, bytes),
            None => Err(run.missing(i)),
        }
    }
}

/// The outcomes of a run in target order.
pub(crate) struct Outcomes<'a> {
    reader: Reader<'a>,
    next: usize,
}

impl Iterator for Outcomes<'_> {
    type Item = Result<Outcome>;

    fn next(&mut self) -> Option<Result<Outcome>> {
        let i = self.next;
        (i < self.reader.run.len()).then(|| {
            self.next += 1;
            self.reader.get(i)
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.reader.run.len() - self.next;
        (left, Some(left))
    }
}

fn spill(dir: &Path, source: std::io::Error) -> Error {
    Error::Spill { dir: dir.to_path_buf(), source }
}

/// Reads `buf.len()` bytes at `offset`.
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    let got = read_some_at(file, buf, offset)?;
    if got < buf.len() {
        return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the file ends early"));
    }
    Ok(())
}

/// Reads up to `buf.len()` bytes at `offset`, fewer only at the end of the file.
fn read_some_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
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
    use crate::types::Hop;

    fn outcome(n: usize) -> Outcome {
        let mut o = Outcome::decided(
            if n.is_multiple_of(3) { Status::Broken } else { Status::Ok },
            "x".repeat(n % 7),
        );
        o.final_url = format!("http://h{n}.test/p{n}").into();
        o.http_status = Some(200 + (n % 5) as u16);
        o.cached = n.is_multiple_of(4);
        if n.is_multiple_of(5) {
            o.hops = vec![Hop { url: format!("http://a/{n}"), status: 301, location: "http://b/".into() }];
        }
        o
    }

    #[test]
    fn outcomes_read_back_as_written_in_any_order() {
        let dir = tempfile::tempdir().unwrap();
        let n = 3000;
        let mut log = OutcomeLog::new(dir.path(), n).unwrap();
        // Written out of order, some twice (the later one counts), a few never.
        let order: Vec<usize> = (0..n).map(|i| (i * 7919) % n).collect();
        for &i in &order {
            if !i.is_multiple_of(101) {
                log.put(i, &outcome(i + 1)).unwrap();
            }
        }
        for &i in order.iter().take(500) {
            if !i.is_multiple_of(101) {
                log.put(i, &outcome(i)).unwrap();
            }
        }
        assert!(!log.has(0) && log.has(1));
        let filled = log.fill(|| Outcome::decided(Status::Skipped, "not checked")).unwrap();
        assert_eq!(filled, (0..n).filter(|i| i.is_multiple_of(101)).count());
        let run = log.finish().unwrap();
        let twice: std::collections::HashSet<usize> = order.iter().take(500).copied().collect();
        let want = |i: usize| match i {
            _ if i.is_multiple_of(101) => Outcome {
                checked_at: run.get(i).unwrap().checked_at,
                ..Outcome::decided(Status::Skipped, "not checked")
            },
            _ if twice.contains(&i) => outcome(i),
            _ => outcome(i + 1),
        };
        let all: Vec<Outcome> = run.iter().collect::<Result<_>>().unwrap();
        assert_eq!(all.len(), n);
        for (i, o) in all.iter().enumerate() {
            assert_eq!(*o, want(i), "target {i}");
            assert_eq!(run.get(i).unwrap(), want(i));
            assert_eq!(run.status(i), o.status);
            assert_eq!(run.cached(i), o.cached);
        }
    }

    #[test]
    fn a_large_outcome_reads_back_through_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let mut big = outcome(1);
        big.error = "e".repeat(WINDOW * 2);
        let all = vec![outcome(0), big, outcome(2)];
        let run = RunOutcomes::of(dir.path(), &all).unwrap();
        assert_eq!(run.iter().collect::<Result<Vec<_>>>().unwrap(), all);
    }

    #[test]
    fn a_target_without_an_outcome_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let run = OutcomeLog::new(dir.path(), 2).unwrap().finish().unwrap();
        assert_eq!(run.status(1), Status::Skipped);
        let err = run.get(1).unwrap_err().to_string();
        assert!(err.contains("target 1 has no outcome"), "{err}");
        assert!(run.iter().next().unwrap().is_err());
        assert!(run.get(5).is_err());
    }
}
