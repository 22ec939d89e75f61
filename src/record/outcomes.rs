//! The run's outcomes, kept on disk while the run goes ([`super::spill`]): each is written
//! as it comes (a result sink of the fetch stage), and the run keeps only where each one is,
//! its status and whether it came from the history — 10 bytes a target instead of the
//! outcome's 128 and its strings. The tables, the history's standings and the archive's
//! metadata read them back, in target order or one by one.

use super::spill::{Iter, Reader, Spill, Spilled};
use crate::error::Result;
use crate::sink::ResultSink;
use crate::types::{Outcome, Status};
use std::path::Path;

/// Outcomes being written, one slot per target.
pub(crate) struct OutcomeLog {
    spill: Spill<Outcome>,
    status: Vec<Option<Status>>,
    cached: Vec<bool>,
}

impl OutcomeLog {
    /// A log for `targets` outcomes, in a temporary file in `dir` (which must exist).
    ///
    /// # Errors
    /// The temporary file cannot be made there.
    pub(crate) fn new(dir: &Path, targets: usize) -> Result<OutcomeLog> {
        Ok(OutcomeLog {
            spill: Spill::new("the outcome of target", dir, targets)?,
            status: vec![None; targets],
            cached: vec![false; targets],
        })
    }

    /// Keeps target `i`'s outcome (a later one replaces it).
    ///
    /// # Errors
    /// The file cannot be written (disk full), or the outcome is over 16 MB encoded.
    pub(crate) fn put(&mut self, i: usize, o: &Outcome) -> Result<()> {
        self.spill.put(i, o)?;
        self.status[i] = Some(o.status);
        self.cached[i] = o.cached;
        Ok(())
    }

    /// Whether target `i` has its outcome.
    pub(crate) fn has(&self, i: usize) -> bool {
        self.spill.has(i)
    }

    /// The targets whose outcome so far is `ok` served from the history.
    pub(crate) fn cached_ok(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.status.len()).filter(|&i| self.cached[i] && self.status[i] == Some(Status::Ok))
    }

    /// Gives every target still without an outcome `missing()`'s; returns how many.
    ///
    /// # Errors
    /// As for [`OutcomeLog::put`].
    pub(crate) fn fill(&mut self, missing: impl Fn() -> Outcome) -> Result<usize> {
        let left: Vec<usize> = (0..self.spill.len()).filter(|&i| !self.spill.has(i)).collect();
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
        let status = self.status.into_iter().map(|s| s.unwrap_or(Status::Skipped)).collect();
        Ok(RunOutcomes { spilled: self.spill.finish()?, status, cached: self.cached })
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
    spilled: Spilled<Outcome>,
    status: Vec<Status>,
    cached: Vec<bool>,
}

impl RunOutcomes {
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
        self.spilled.get(i)
    }

    /// Every outcome, in target order (outcomes are written roughly in that order).
    pub(crate) fn iter(&self) -> Iter<'_, Outcome> {
        self.spilled.iter()
    }

    /// A reader for outcomes wanted one by one in about target order (a citation's, say).
    pub(crate) fn reader(&self) -> Reader<'_, Outcome> {
        self.spilled.reader()
    }
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
        o.checked_at = format!("2026-01-01T00:00:{:02}Z", n % 60).into();
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
    fn a_target_without_an_outcome_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let run = OutcomeLog::new(dir.path(), 2).unwrap().finish().unwrap();
        assert_eq!(run.status(1), Status::Skipped);
        let err = run.get(1).unwrap_err().to_string();
        assert!(err.contains("the outcome of target 1 was not kept"), "{err}");
        assert!(run.iter().next().unwrap().is_err());
        assert!(run.get(5).is_err());
    }
}
