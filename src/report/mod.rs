//! Reports: functions from a run's results to bytes (tables, summaries, JUnit). Only
//! [`crate::output`] writes files.
//!
//! Every table of `check` is one entry of [`TABLES`] (name, columns, what it tells, writer):
//! `check` writes them all, `--help` and the docs list them. A new table is a writer in
//! `tables.rs` and one line in [`TABLES`].

use crate::error::{Error, Result};
use crate::plan::Targets;
use crate::record::{CitationReader, RunCitations, RunOutcomes};
use crate::types::{Change, Citation, Failing, Push, Repair, Standings, Status, Target};
use std::sync::Arc;

mod ci;
mod html;
mod tables;
pub(crate) use ci::{junit, summary_json, summary_markdown, summary_text};
pub(crate) use html::report_html;

/// The columns of `citecheck extract`, in order.
pub(crate) const CITATION_COLUMNS: [&str; 8] =
    ["source", "line", "column", "footnote", "paragraph", "kind", "value", "raw"];

/// Citations as CSV with the header [`CITATION_COLUMNS`], in parts to be written one after
/// the other (long listings are formatted in runs on all cores; joining them copied
/// megabytes).
///
/// # Errors
/// Only if serialisation fails (it does not for these types).
pub(crate) fn citations_csv(rows: &[Citation]) -> Result<Vec<Vec<u8>>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CITATION_COLUMNS).map_err(ser)?;
    let header = w.into_inner().map_err(|e| Error::Serialise(e.to_string()))?;
    let runs: Vec<&[Citation]> = rows.chunks(ROWS_PER_RUN).collect();
    std::iter::once(Ok(header)).chain(crate::parallel::map(runs, citation_records)).collect()
}

/// Rows formatted per run of [`citations_csv`].
const ROWS_PER_RUN: usize = 8192;

/// CSV records of citations, without the header.
fn citation_records(rows: &[Citation]) -> Result<Vec<u8>> {
    // The cells' length and a little for separators, quotes and numbers.
    let size: usize = rows
        .iter()
        .map(|c| c.source.len() + c.footnote.len() + c.paragraph.len() + c.value.len() + c.raw.len() + 32)
        .sum();
    let mut w = csv::Writer::from_writer(Vec::with_capacity(size));
    for c in rows {
        w.write_record(citation_cells(c).iter().map(|cell| cell.as_bytes())).map_err(ser)?;
    }
    w.into_inner().map_err(|e| Error::Serialise(e.to_string()))
}

/// Citations as a pretty-printed JSON array of objects with the CSV's fields.
///
/// # Errors
/// Only if serialisation fails (it does not for these types).
pub(crate) fn citations_json(rows: &[Citation]) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(rows).map_err(|e| Error::Serialise(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The cells of one citation, in [`CITATION_COLUMNS`] order (the `check` tables guard them;
/// the `extract` listing keeps the document's text as written).
fn citation_cells(c: &Citation) -> [std::borrow::Cow<'_, str>; 8] {
    use std::borrow::Cow::{Borrowed, Owned};
    [
        Borrowed(&c.source),
        Owned(c.line.to_string()),
        Owned(c.column.to_string()),
        Borrowed(&c.footnote),
        Borrowed(&c.paragraph),
        Borrowed(c.kind.as_str()),
        Borrowed(&c.value),
        Borrowed(&c.raw),
    ]
}

fn ser(e: csv::Error) -> Error {
    Error::Serialise(e.to_string())
}

/// The CSV writer of the `check` tables: every cell goes through [`safe_cell`], whatever its
/// column, so no text from a document or a server (a footnote label `-A1`, a title, an error)
/// can reach a spreadsheet as a formula. Numbers, statuses and dates never start with a
/// guarded character, so they are unchanged.
pub(crate) struct GuardedCsv<'w> {
    w: csv::Writer<&'w mut dyn std::io::Write>,
}

impl<'w> GuardedCsv<'w> {
    /// A writer on `out`, the header written.
    pub(crate) fn new(out: &'w mut dyn std::io::Write, header: &[&str]) -> Result<GuardedCsv<'w>> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(header).map_err(ser)?;
        Ok(GuardedCsv { w })
    }

    /// One row.
    pub(crate) fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) -> Result<()> {
        self.w.write_record(cells.into_iter().map(|c| safe_cell(c.as_ref()))).map_err(ser)
    }

    /// Flushes the table.
    pub(crate) fn finish(mut self) -> Result<()> {
        self.w.flush().map_err(|e| Error::Serialise(e.to_string()))
    }
}

/// A cell that holds remote text (titles, errors, Location values) is prefixed with `'` when it
/// starts with `=`, `+`, `-`, `@`, tab or CR, so spreadsheets never read it as a formula.
pub(crate) fn safe_cell(s: &str) -> String {
    // A plain number (`-785` days) is a number to a spreadsheet, not a formula.
    let number = s.parse::<i64>().is_ok();
    if !number && s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// One table of `check`.
pub(crate) struct Table {
    /// File name in `--out`.
    pub name: &'static str,
    /// Its columns, in order.
    pub columns: &'static [&'static str],
    /// What a reader finds in it (for `--help` and the docs).
    pub about: &'static str,
    /// Streams the table (header included) into a writer.
    pub write: fn(&CheckRun<'_>, &mut dyn std::io::Write) -> Result<()>,
}

/// The tables `check` writes, in order.
pub(crate) const TABLES: &[Table] = &[
    Table::new("links.csv", &tables::LINK_COLUMNS, "one row per distinct URL or symbol", tables::links_csv),
    Table::new(
        "citations.csv",
        &tables::CITATION_STATUS_COLUMNS,
        "one row per citation, with its target's status",
        tables::citations_status_csv,
    ),
    Table::new(
        "summary.csv",
        &tables::SUMMARY_COLUMNS,
        "targets and citations per status",
        tables::summary_csv,
    ),
    Table::new(
        "hosts.csv",
        &tables::HOST_COLUMNS,
        "requests, statuses and latency per host",
        tables::hosts_csv,
    ),
    Table::new(
        "changes.csv",
        &tables::CHANGE_COLUMNS,
        "targets whose status changed since the previous run",
        tables::changes_csv,
    ),
];

/// `repairs.csv`, written when `--repair` is on.
pub(crate) const REPAIRS: Table = Table::new(
    "repairs.csv",
    &tables::REPAIR_COLUMNS,
    "with --repair: the archived copy nearest the date each failing citation was cited",
    tables::repairs_csv,
);

/// `pushes.csv`, written when `--push-archive` is on.
pub(crate) const PUSHES: Table = Table::new(
    "pushes.csv",
    &tables::PUSH_COLUMNS,
    "with --push-archive: what Save Page Now did for each live URL",
    tables::pushes_csv,
);

impl Table {
    const fn new(
        name: &'static str,
        columns: &'static [&'static str],
        about: &'static str,
        write: fn(&CheckRun<'_>, &mut dyn std::io::Write) -> Result<()>,
    ) -> Table {
        Table { name, columns, about, write }
    }
}

/// Everything the check tables are made from.
#[derive(Debug)]
pub(crate) struct CheckRun<'a> {
    /// Every citation occurrence (read back from the run's log).
    pub citations: &'a RunCitations,
    /// Distinct targets (each lists the citations pointing at it).
    pub targets: &'a Targets,
    /// One outcome per target (read back from the run's log).
    pub outcomes: &'a RunOutcomes,
    /// Language of the human links for symbols.
    pub symbol_lang: &'a str,
    /// The history of each target, when a history is kept.
    pub standings: Option<&'a Standings>,
    /// Status changes since the previous run.
    pub changes: &'a [Change],
    /// What fails the run.
    pub failing: &'a Failing,
    /// Archived copies of the failing citations (`--repair`).
    pub repairs: Option<&'a [Repair]>,
    /// Save Page Now pushes of live citations (`--push-archive`).
    pub pushes: Option<&'a [Push]>,
}

impl CheckRun<'_> {
    /// Consecutive failing runs of target `i` up to this one (1 or 0 without a history).
    pub(crate) fn consecutive_failures(&self, i: usize) -> u32 {
        match self.standings {
            Some(s) => s.get(i).map_or(0, |s| s.consecutive_failures),
            None => u32::from(self.failing.is_failure(self.outcomes.status(i))),
        }
    }

    /// Whether target `i` fails the run.
    pub(crate) fn fails(&self, i: usize) -> bool {
        self.failing.fails_run(self.outcomes.status(i), self.consecutive_failures(i))
    }

    /// How many targets fail the run.
    pub(crate) fn failing_count(&self) -> usize {
        (0..self.targets.len()).filter(|&i| self.fails(i)).count()
    }
}

/// Targets and citations with one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusCount {
    /// The status.
    pub status: Status,
    /// Distinct targets with it.
    pub targets: usize,
    /// Citations of those targets.
    pub citations: usize,
}

/// Targets and citations per status, every status in table order (zeros included).
pub(crate) fn status_counts(targets: &Targets, statuses: &[Status]) -> Vec<StatusCount> {
    Status::ALL
        .into_iter()
        .map(|status| {
            let (mut t, mut c) = (0, 0);
            for (i, &s) in statuses.iter().enumerate().take(targets.len()) {
                if s == status {
                    t += 1;
                    c += targets.cited(i);
                }
            }
            StatusCount { status, targets: t, citations: c }
        })
        .collect()
}

/// The footnote labels of `t`'s citations, in order, without repeats.
///
/// # Errors
/// A citation cannot be read back.
pub(crate) fn footnote_labels(citations: &mut CitationReader<'_>, t: &Target) -> Result<Vec<Arc<str>>> {
    let mut labels: Vec<Arc<str>> = Vec::new();
    for i in &t.citations {
        let l = citations.get(i)?.footnote;
        if !l.is_empty() && !labels.contains(&l) {
            labels.push(l);
        }
    }
    Ok(labels)
}
