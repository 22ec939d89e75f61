//! The commands as library calls: configuration in, summary out. The binary only parses
//! arguments and maps the summary to an exit code.

use crate::error::{Error, Result};
use crate::extract::dates::DocumentDates;
use crate::extract::{self, InputFormat};
use crate::types::Citation;
use crate::{output, report};
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

/// Table format of `extract`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// CSV with a header row.
    Csv,
    /// A JSON array of objects.
    Json,
}

/// Validated configuration of `citecheck extract`.
#[derive(Debug, Clone)]
pub struct ExtractConfig {
    /// Inputs: paths, or `-` for standard input.
    pub inputs: Vec<String>,
    /// Read every input as this format instead of detecting it.
    pub input_format: Option<InputFormat>,
    /// Table format.
    pub format: OutputFormat,
    /// Output file; standard output when `None`.
    pub output: Option<PathBuf>,
    /// Inputs larger than this many bytes are refused (see [`crate::DEFAULT_MAX_INPUT_SIZE`]).
    pub max_input_size: u64,
}

/// What an extract run did.
#[derive(Debug, Default)]
pub struct ExtractSummary {
    /// Rows written.
    pub citations: usize,
    /// Inputs that could not be read, with the reason (already said on stderr).
    pub failed_inputs: Vec<String>,
}

/// Runs `citecheck extract`: reads every input (reporting and skipping the ones that fail),
/// extracts, and writes one table.
///
/// # Errors
/// Only when the output cannot be written; input problems are reported and counted.
pub fn run_extract(cfg: &ExtractConfig, diag: &mut dyn Write) -> Result<ExtractSummary> {
    let mut summary = ExtractSummary::default();
    let (rows, _) =
        read_all(&cfg.inputs, cfg.input_format, cfg.max_input_size, false, diag, &mut summary.failed_inputs);
    let parts = match cfg.format {
        OutputFormat::Csv => report::citations_csv(&rows)?,
        OutputFormat::Json => vec![report::citations_json(&rows)?],
    };
    match &cfg.output {
        Some(path) => output::write_atomic_with(path, |w| {
            parts
                .iter()
                .try_for_each(|p| w.write_all(p))
                .map_err(|source| Error::WriteOutput { path: path.clone(), source })
        })?,
        None => {
            let mut out = std::io::stdout().lock();
            parts
                .iter()
                .try_for_each(|p| out.write_all(p))
                .and_then(|()| out.flush())
                .map_err(|source| Error::WriteOutput { path: PathBuf::from("<stdout>"), source })?;
        }
    }
    summary.citations = rows.len();
    crate::memory::free_aside((rows, parts));
    Ok(summary)
}

/// Reads and extracts every input, reporting (and skipping) the ones that fail; with
/// `dates`, also the dates each input states (by source), for repair. Inputs are read on all
/// cores at once (one worker per core takes the next input); rows, warnings and errors come
/// out in input order, as if read one after the other.
pub(crate) fn read_all(
    inputs: &[String],
    format: Option<InputFormat>,
    max_bytes: u64,
    dates: bool,
    diag: &mut dyn Write,
    failed: &mut Vec<String>,
) -> (Vec<Citation>, HashMap<String, DocumentDates>) {
    let read = |input: &String| -> Result<Read, Error> {
        let doc = extract::read_input(input, format, max_bytes)?;
        let stated = dates.then(|| doc.dates());
        Ok(Read { rows: extract::extract(&doc), warnings: doc.warnings, source: doc.source, stated })
    };
    let results = crate::parallel::map(inputs.iter().collect(), read);
    let mut rows = Vec::new();
    let mut stated = HashMap::new();
    for (input, result) in inputs.iter().zip(results) {
        match result {
            Ok(r) => {
                for w in &r.warnings {
                    let _ = writeln!(diag, "citecheck: warning: {w}");
                }
                if rows.is_empty() {
                    rows = r.rows; // moved, not copied: a large input's rows are not held twice
                } else {
                    rows.extend(r.rows);
                }
                if let Some(d) = r.stated {
                    stated.insert(r.source, d);
                }
            }
            Err(e) => {
                let _ = writeln!(diag, "citecheck: error: {e}");
                failed.push(input.clone());
            }
        }
    }
    (rows, stated)
}

/// [`read_all`], handing the rows on as they are made (`each`, inputs in order) instead of
/// returning them: a check keeps them on disk. Inputs are read a core's worth at a time; a
/// large text (over 1 MB) is then read by itself, its rows handed on a few pieces at a time,
/// so a document of a million citations never has all its rows in memory.
///
/// # Errors
/// What `each` returns (an unreadable input is said on `diag` and put in `failed`).
pub(crate) fn read_each(
    inputs: &[String],
    format: Option<InputFormat>,
    max_bytes: u64,
    dates: bool,
    diag: &mut dyn Write,
    failed: &mut Vec<String>,
    mut each: impl FnMut(Vec<Citation>) -> Result<()>,
) -> Result<HashMap<String, DocumentDates>> {
    let load = |input: &String| -> Result<Loaded, Error> {
        let doc = extract::read_input(input, format, max_bytes)?;
        let stated = dates.then(|| doc.dates());
        let rows = (!doc.is_large()).then(|| extract::extract(&doc));
        Ok(Loaded { doc, rows, stated })
    };
    let mut stated = HashMap::new();
    for group in inputs.chunks(crate::parallel::workers(usize::MAX).max(1)) {
        let results = crate::parallel::map(group.iter().collect(), load);
        for (input, result) in group.iter().zip(results) {
            match result {
                Ok(l) => {
                    for w in &l.doc.warnings {
                        let _ = writeln!(diag, "citecheck: warning: {w}");
                    }
                    let Loaded { doc, rows, stated: dates } = l;
                    if let Some(d) = dates {
                        stated.insert(doc.source.clone(), d);
                    }
                    match rows {
                        Some(rows) => each(rows)?,
                        None => extract::extract_each(doc, &mut each)?,
                    }
                }
                Err(e) => {
                    let _ = writeln!(diag, "citecheck: error: {e}");
                    failed.push(input.clone());
                }
            }
        }
    }
    Ok(stated)
}

/// One input, loaded: a small one with its rows.
struct Loaded {
    doc: extract::Document,
    rows: Option<Vec<Citation>>,
    stated: Option<DocumentDates>,
}

/// One input, read.
struct Read {
    rows: Vec<Citation>,
    warnings: Vec<String>,
    source: String,
    stated: Option<DocumentDates>,
}
