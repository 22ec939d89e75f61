//! The history of a run: opened before planning (it knows which results are fresh enough to
//! reuse), fed results in batches while the run goes (a killed run loses at most one batch),
//! and asked at the end for each target's standing and what changed since the previous run.

use crate::error::{Error, Result};
use crate::plan::Targets;
use crate::sink::ResultSink;
use crate::store::{PastResult, RunEnd, RunId, Store};
use crate::types::{now, Change, Failing, Interner, Outcome, Standings, Status, Target};
use std::path::Path;

/// Results are written in batches: this many, or every half second.
const BATCH: usize = 256;
/// The outcomes decided before fetching are written in batches of this many (one transaction
/// each: in batches of [`BATCH`], a million cached targets took 10 s more).
const DECIDED_BATCH: usize = 1 << 14;

/// The history of one run (or none, with `--no-db`).
pub(crate) struct History {
    open: Option<(Store, RunId)>,
}

/// A run's standings and changes.
pub(crate) type Timeline = (Option<Standings>, Vec<Change>);

fn store_err(e: crate::store::StoreError) -> Error {
    Error::Config(e.to_string())
}

impl History {
    /// Opens the database at `db` (when given) and starts recording a run.
    ///
    /// # Errors
    /// The database cannot be opened, migrated or written.
    pub(crate) fn open(
        db: Option<&Path>,
        started_at: &str,
        inputs: &[String],
        options: &str,
    ) -> Result<History> {
        let Some(path) = db else { return Ok(History { open: None }) };
        let mut store = Store::open(path).map_err(store_err)?;
        let run = store.begin_run(started_at, inputs, options).map_err(store_err)?;
        Ok(History { open: Some((store, run)) })
    }

    /// The last result of a target from earlier runs, as an outcome.
    ///
    /// # Errors
    /// The database cannot be read.
    pub(crate) fn last(&self, t: &Target) -> Result<Option<Outcome>> {
        let Some((store, run)) = &self.open else { return Ok(None) };
        let past = store.last_result(t.kind, &t.value, Some(*run)).map_err(store_err)?;
        Ok(past.map(outcome_of))
    }

    /// A result sink writing this run's results in batches.
    pub(crate) fn sink<'a>(&'a mut self, targets: &'a Targets) -> Batches<'a> {
        Batches { history: self, targets, pending: Vec::new() }
    }

    /// When `url` was last pushed to Save Page Now (or found captured), per the history.
    ///
    /// # Errors
    /// The database cannot be read.
    pub(crate) fn last_push(&self, url: &str) -> Result<Option<String>> {
        let Some((store, _)) = &self.open else { return Ok(None) };
        store.last_push(url).map_err(store_err)
    }

    /// Records a push.
    ///
    /// # Errors
    /// The database cannot be written.
    pub(crate) fn record_push(&mut self, url: &str, result: &str, timestamp: &str) -> Result<()> {
        let Some((store, _)) = self.open.as_mut() else { return Ok(()) };
        store.record_push(url, &now(), result, timestamp).map_err(store_err)
    }

    /// Marks the run ended offline: its results are dropped (see [`RunEnd::Offline`]).
    ///
    /// # Errors
    /// The database cannot be written.
    pub(crate) fn end_offline(&mut self) -> Result<()> {
        let Some((store, run)) = self.open.as_mut() else { return Ok(()) };
        store.finish_run(*run, &now(), RunEnd::Offline).map_err(store_err)
    }

    /// Marks the run finished (completely, or interrupted) and reads each target's standing
    /// and change.
    ///
    /// # Errors
    /// The database cannot be written or read.
    pub(crate) fn finish(
        &mut self,
        targets: &Targets,
        statuses: &[Status],
        failing: &Failing,
        end: RunEnd,
    ) -> Result<Timeline> {
        let Some((store, run)) = self.open.as_mut() else { return Ok((None, Vec::new())) };
        store.finish_run(*run, &now(), end).map_err(store_err)?;
        let mut standings = Standings::with_capacity(targets.len());
        let mut changes = Vec::new();
        // A run's targets share a few times (this run's start, the seconds answers came in).
        let mut times = Interner::new(1 << 16);
        for (i, &status) in statuses.iter().enumerate().take(targets.len()) {
            let (standing, previous) =
                store.timeline(targets.kind(i), targets.value(i), failing, &mut times).map_err(store_err)?;
            standings.push(&standing);
            // A target an interrupted run skipped has not changed: it was not looked at.
            let looked_at = status != Status::Skipped;
            if let Some(prev) = previous.filter(|p| looked_at && p.run < run.0 && p.status != status) {
                changes.push(Change { target: i, previous: prev.status, previous_at: prev.checked_at });
            }
        }
        Ok((Some(standings), changes))
    }

    fn record(&mut self, targets: &Targets, batch: &[(usize, Outcome)]) -> Result<()> {
        let Some((store, run)) = self.open.as_mut() else { return Ok(()) };
        if batch.is_empty() {
            return Ok(());
        }
        let rows: Vec<_> = batch.iter().map(|(i, o)| (targets.kind(*i), targets.value(*i), o)).collect();
        store.record(*run, &rows).map_err(store_err)
    }
}

/// A past result as an outcome (what the cache serves).
fn outcome_of(p: PastResult) -> Outcome {
    Outcome {
        http_status: p.http_status,
        final_url: p.final_url.into(),
        checked_at: p.checked_at.into(),
        ..Outcome::decided(p.status, p.error)
    }
}

/// Results on their way into the history.
pub(crate) struct Batches<'a> {
    history: &'a mut History,
    targets: &'a Targets,
    pending: Vec<(usize, Outcome)>,
}

impl Batches<'_> {
    /// Records what is pending and the outcomes decided before fetching (excluded, cached),
    /// in batches (`decided` is not read when no history is kept).
    ///
    /// # Errors
    /// The database cannot be written, or an outcome read.
    pub(crate) fn finish(mut self, decided: impl Iterator<Item = Result<(usize, Outcome)>>) -> Result<()> {
        if self.history.open.is_some() {
            for d in decided {
                self.pending.push(d?);
                if self.pending.len() >= DECIDED_BATCH {
                    self.flush()?;
                }
            }
        }
        self.flush()
    }

    fn flush(&mut self) -> Result<()> {
        let batch = std::mem::take(&mut self.pending);
        self.history.record(self.targets, &batch)
    }
}

impl ResultSink for Batches<'_> {
    fn accept(&mut self, index: usize, outcome: &Outcome) -> Result<()> {
        self.pending.push((index, outcome.clone()));
        if self.pending.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn tick(&mut self) -> Result<()> {
        self.flush()
    }
}
