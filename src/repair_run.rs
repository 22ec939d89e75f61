//! `citecheck repair`: check a Markdown or HTML document (taking what the history already
//! knows, fetching what it lacks), find archived copies of its dead citations, and write a
//! repaired copy of it.

use crate::check::{run, CheckSummary};
use crate::config::CheckConfig;
use crate::error::{Error, Result};
use crate::extract::{self, InputFormat};
use crate::output;
use crate::repair::document::{repair_text, Fix, RepairStyle};
use crate::types::{Citation, Memento, Repair};
use std::io::Write;
use std::path::Path;

/// What `repair` did.
#[derive(Debug, Default)]
pub struct RepairSummary {
    /// The check underneath.
    pub check: CheckSummary,
    /// Citations pointed to an archived copy.
    pub applied: usize,
    /// Failing citations left as they were: no verified copy, or not found in the text.
    pub left: usize,
}

/// Runs `citecheck repair`: `cfg` checks one document with `--repair` (the history's latest
/// results reused); the repaired copy goes to `dest`, atomically.
///
/// # Errors
/// The input is not one Markdown or HTML document, or a check error (see
/// [`crate::run_check`]), or the repaired copy cannot be written.
pub fn run_repair(
    cfg: &CheckConfig,
    dest: &Path,
    style: RepairStyle,
    out: &mut dyn Write,
    diag: &mut dyn Write,
) -> Result<RepairSummary> {
    let [input] = cfg.inputs.as_slice() else {
        return Err(Error::Config(
            "repair takes one document: name it once (run it again for each document)".into(),
        ));
    };
    let doc = extract::read_input(input, cfg.input_format, cfg.max_input_size)?;
    let Some(text) = doc.text().filter(|_| matches!(doc.format, InputFormat::Markdown | InputFormat::Html))
    else {
        return Err(Error::Config(format!(
            "repair rewrites Markdown and HTML documents; {input} is read as {:?}: run `citecheck check --repair` for its repairs.csv",
            doc.format
        )));
    };
    output::check_writable(dest)?;
    let ran = run(cfg, out, diag)?;
    let verified: Vec<(&Repair, &Memento)> = ran
        .repairs
        .iter()
        .filter_map(|r| Some((r, r.memento.as_ref().filter(|m| m.verified && !m.url.is_empty())?)))
        .collect();
    let cited: Vec<Citation> = match &ran.citations {
        Some(all) => verified.iter().map(|(r, _)| all.get(r.citation)).collect::<Result<_>>()?,
        None => Vec::new(),
    };
    let fixes: Vec<Fix<'_>> = verified
        .iter()
        .zip(&cited)
        .map(|((r, m), c)| Fix { citation: c, memento: m, cited_at: r.cited_at })
        .collect();
    let repaired = repair_text(text, doc.format, &fixes, style);
    for s in &repaired.skipped {
        let _ = writeln!(diag, "citecheck: warning: {input}: {s}; left as it was");
    }
    output::write_atomic(dest, repaired.text.as_bytes())?;
    let summary = RepairSummary {
        applied: repaired.applied,
        left: ran.repairs.len().saturating_sub(repaired.applied),
        check: ran.summary,
    };
    let _ = writeln!(
        diag,
        "citecheck: repaired {} of {} failing citations in {} (the others have no verified archived copy: see repairs.csv)",
        summary.applied,
        ran.repairs.len(),
        dest.display()
    );
    Ok(summary)
}
