//! The end-of-run summary (text, Markdown for CI job summaries, JSON) and JUnit XML.

use super::{footnote_labels, status_counts, CheckRun, StatusCount};
use crate::error::{Error, Result};
use crate::types::{Citation, Status};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Failing citations listed at most in the Markdown summary (a PR comment must stay readable).
pub(crate) const MARKDOWN_ROWS: usize = 200;

/// The statuses that occur in the run.
fn counts(run: &CheckRun<'_>) -> Vec<StatusCount> {
    status_counts(run.targets, run.outcomes.statuses()).into_iter().filter(|c| c.targets > 0).collect()
}

/// Citation occurrences whose target fails the run, in document order: (citation, target).
fn failing_citations(run: &CheckRun<'_>) -> Vec<(usize, usize)> {
    let mut rows: Vec<(usize, usize)> = Vec::new();
    for ti in 0..run.targets.len() {
        if run.fails(ti) {
            rows.extend(run.targets.citations(ti).map(|ci| (ci, ti)));
        }
    }
    rows.sort_unstable();
    rows
}

/// One paragraph.
///
/// # Errors
/// An outcome cannot be read back.
pub(crate) fn summary_text(
    run: &CheckRun<'_>,
    elapsed: Duration,
    out: &Path,
    insecure: bool,
) -> Result<String> {
    let counts: Vec<String> = counts(run).iter().map(|c| format!("{} {}", c.targets, c.status)).collect();
    let cached = (0..run.targets.len()).filter(|&i| run.outcomes.cached(i)).count();
    let mut text = format!(
        "citecheck: checked {} targets ({} citations) in {:.1}s: {}.",
        run.targets.len(),
        run.citations.len(),
        elapsed.as_secs_f64(),
        if counts.is_empty() { "nothing to check".to_string() } else { counts.join(", ") }
    );
    if cached > 0 {
        let _ = write!(text, " {cached} served from the history (--cache-ttl).");
    }
    if run.standings.is_some() {
        let _ = write!(text, " {} changed since the previous run.", run.changes.len());
    }
    let _ = write!(text, " {} failing.", run.failing_count());
    let waiting = (0..run.targets.len())
        .filter(|&i| run.failing.is_failure(run.outcomes.status(i)) && !run.fails(i))
        .count();
    if waiting > 0 {
        let _ = write!(text, " {waiting} failing but tolerated until --fail-after {}.", run.failing.after);
    }
    let skipped = run.outcomes.statuses().iter().filter(|&&s| s == Status::Skipped).count();
    if skipped > 0 {
        let _ = write!(text, " INTERRUPTED: {skipped} targets were not checked (status skipped).");
    }
    let _ = write!(text, " Tables in {}.", out.display());
    if let Some((found, all)) = repaired(run) {
        let _ =
            write!(text, " Repair: {found} of {all} failing citations have an archived copy (repairs.csv).");
    }
    if insecure {
        text.push_str(" TLS certificates were NOT verified (--insecure).");
    }
    text.push('\n');
    failing_lines(run, out, &mut text)?;
    Ok(text)
}

/// With `--repair`: how many failing citations have an archived copy, of how many.
fn repaired(run: &CheckRun<'_>) -> Option<(usize, usize)> {
    run.repairs.map(|r| (r.iter().filter(|r| r.memento.is_some()).count(), r.len()))
}

/// Failing citations shown in the text summary at most.
const TEXT_ROWS: usize = 10;

/// The first failing citations, one line each (`  fn 59 ¶69  broken 404  https://…`), then how
/// many more the table holds.
fn failing_lines(run: &CheckRun<'_>, out: &Path, text: &mut String) -> Result<()> {
    let rows = failing_citations(run);
    let several_sources = run.citations.sources().len() > 1;
    let mut cites = run.citations.reader();
    for &(ci, ti) in rows.iter().take(TEXT_ROWS) {
        let (c, o) = (cites.get(ci)?, run.outcomes.get(ti)?);
        let mut line = String::from("  ");
        if several_sources {
            let _ = write!(line, "{}:{}  ", c.source, c.line);
        }
        let _ = write!(line, "fn {}", if c.footnote.is_empty() { "-" } else { &c.footnote });
        if !c.paragraph.is_empty() {
            let _ = write!(line, " ¶{}", c.paragraph);
        }
        let _ = write!(line, "  {}", o.status);
        if let Some(h) = o.http_status {
            let _ = write!(line, " {h}");
        }
        let _ = writeln!(line, "  {}", shown(&c.value));
        text.push_str(&line);
    }
    if rows.len() > TEXT_ROWS {
        let _ = writeln!(
            text,
            "  … and {} more in {}",
            rows.len() - TEXT_ROWS,
            out.join("citations.csv").display()
        );
    }
    Ok(())
}

/// Bytes of a failing citation's value shown in the text summary at most.
const SHOWN_BYTES: usize = 300;

/// A value as the text summary shows it: whole when short, else its start and its length (a
/// document can cite a URL of megabytes; the tables hold it whole).
fn shown(value: &str) -> std::borrow::Cow<'_, str> {
    if value.len() <= SHOWN_BYTES {
        return value.into();
    }
    let cut = value.char_indices().map(|(i, _)| i).take_while(|&i| i <= SHOWN_BYTES).last().unwrap_or(0);
    format!("{}… ({} bytes)", &value[..cut], value.len()).into()
}

/// A table cell holding text that came from a document or a server, as a code span: no
/// Markdown or HTML in it is interpreted (a page title `<img onerror=…> [x](https://…)` shows
/// as written), and nothing breaks out of the span or the cell.
fn md_code(s: &str) -> String {
    let s: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if s.trim().is_empty() {
        return String::new();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // A code span drops one space at each end, so the padding never changes the text.
    let pad = if s.starts_with(['`', ' ']) || s.ends_with(['`', ' ']) { " " } else { "" };
    // In a table, `|` ends the cell even inside a code span unless escaped.
    format!("{fence}{pad}{}{pad}{fence}", s.replace('|', "\\|"))
}

/// Appends a Markdown table (`rule` is the line under the header); cells given as
/// [`Cell::Text`] are put in code spans.
fn md_table(md: &mut String, header: &[&str], rule: &str, rows: impl Iterator<Item = Vec<Cell>>) {
    let _ = writeln!(md, "| {} |\n{rule}", header.join(" | "));
    for row in rows {
        let cells: Vec<String> = row
            .into_iter()
            .map(|c| match c {
                Cell::Ours(s) => s,
                Cell::Text(s) => md_code(&s),
            })
            .collect();
        let _ = writeln!(md, "| {} |", cells.join(" | "));
    }
}

/// A cell of a Markdown table.
enum Cell {
    /// Written by citecheck (counts, statuses): safe as it is.
    Ours(String),
    /// From a document or a server: shown as a code span.
    Text(String),
}

/// A Markdown summary: the status table, the failing citations (footnote, paragraph, status,
/// final URL) and the changes since the previous run.
///
/// # Errors
/// An outcome cannot be read back.
pub(crate) fn summary_markdown(run: &CheckRun<'_>) -> Result<String> {
    let failing = run.failing_count();
    let mut md = format!(
        "### citecheck: {} targets from {} citations — {}\n\n",
        run.targets.len(),
        run.citations.len(),
        if failing == 0 { "all fine".to_string() } else { format!("{failing} failing") }
    );
    let counts = counts(run).into_iter().map(|c| {
        vec![
            Cell::Ours(c.status.to_string()),
            Cell::Ours(c.targets.to_string()),
            Cell::Ours(c.citations.to_string()),
        ]
    });
    md_table(&mut md, &["status", "targets", "citations"], "|---|---:|---:|", counts);
    let rows = failing_citations(run);
    if !rows.is_empty() {
        md.push_str("\n#### Failing citations\n\n");
        let header = ["source", "footnote", "paragraph", "status", "citation", "final URL or error"];
        let shown = outcomes_of(run, rows.iter().take(MARKDOWN_ROWS).map(|&(_, ti)| ti))?;
        let cited = citations_of(run, rows.iter().take(MARKDOWN_ROWS).map(|&(ci, _)| ci))?;
        let cells = cited.into_iter().zip(shown).map(|(c, o)| {
            let detail: &str = if o.error.is_empty() { &o.final_url } else { &o.error };
            let at = format!("{}:{}", c.source, c.line);
            vec![
                Cell::Text(at),
                Cell::Text(c.footnote.to_string()),
                Cell::Text(c.paragraph.to_string()),
                Cell::Ours(o.status.to_string()),
                Cell::Text(c.value.to_string()),
                Cell::Text(detail.to_string()),
            ]
        });
        md_table(&mut md, &header, "|---|---|---|---|---|---|", cells);
        if rows.len() > MARKDOWN_ROWS {
            let _ = writeln!(md, "\n… and {} more in `citations.csv`.", rows.len() - MARKDOWN_ROWS);
        }
    }
    if let Some((found, all)) = repaired(run) {
        let _ =
            writeln!(md, "\nArchived copies: {found} of {all} failing citations have one (`repairs.csv`).");
    }
    if !run.changes.is_empty() {
        md.push_str("\n#### Changes since the previous run\n\n");
        let now = outcomes_of(run, run.changes.iter().map(|ch| ch.target))?;
        let mut cites = run.citations.reader();
        let labels: Vec<Vec<Arc<str>>> = run
            .changes
            .iter()
            .map(|ch| footnote_labels(&mut cites, &run.targets.get(ch.target)))
            .collect::<Result<_>>()?;
        let cells = run.changes.iter().zip(now).zip(labels).map(|((ch, o), labels)| {
            let t = run.targets.get(ch.target);
            let before = format!("{} ({})", ch.previous, ch.previous_at);
            vec![
                Cell::Text(t.value.to_string()),
                Cell::Ours(before),
                Cell::Ours(o.status.to_string()),
                Cell::Text(labels.join(", ")),
            ]
        });
        md_table(&mut md, &["citation", "before", "now", "footnotes"], "|---|---|---|---|", cells);
    }
    Ok(md)
}

/// The citations `which`, in that order.
fn citations_of(run: &CheckRun<'_>, which: impl Iterator<Item = usize>) -> Result<Vec<Citation>> {
    let mut reader = run.citations.reader();
    which.map(|i| reader.get(i)).collect()
}

/// The outcomes of targets `which`, in that order.
fn outcomes_of(run: &CheckRun<'_>, which: impl Iterator<Item = usize>) -> Result<Vec<crate::types::Outcome>> {
    let mut reader = run.outcomes.reader();
    which.map(|i| reader.get(i)).collect()
}

/// A JSON object: counts, failing citations and changes.
///
/// # Errors
/// An outcome cannot be read back.
pub(crate) fn summary_json(run: &CheckRun<'_>) -> Result<String> {
    let counts: serde_json::Map<String, serde_json::Value> =
        counts(run).into_iter().map(|c| (c.status.as_str().to_string(), c.targets.into())).collect();
    let rows = failing_citations(run);
    let outcomes = outcomes_of(run, rows.iter().map(|&(_, ti)| ti))?;
    let cited = citations_of(run, rows.iter().map(|&(ci, _)| ci))?;
    let failing: Vec<serde_json::Value> = rows
        .into_iter()
        .zip(outcomes)
        .zip(cited)
        .map(|(((_, ti), o), c)| {
            serde_json::json!({
                "source": c.source, "line": c.line, "footnote": c.footnote, "paragraph": c.paragraph,
                "kind": c.kind, "value": c.value, "status": o.status, "http_status": o.http_status,
                "final_url": o.final_url, "error": o.error,
                "consecutive_failures": run.consecutive_failures(ti),
            })
        })
        .collect();
    let now = outcomes_of(run, run.changes.iter().map(|ch| ch.target))?;
    let changes: Vec<serde_json::Value> = run
        .changes
        .iter()
        .zip(now)
        .map(|(ch, o)| {
            let t = run.targets.get(ch.target);
            serde_json::json!({"kind": t.kind, "value": t.value, "previous_status": ch.previous,
                "previous_checked_at": ch.previous_at, "status": o.status, "checked_at": o.checked_at})
        })
        .collect();
    let v = serde_json::json!({
        "targets": run.targets.len(),
        "citations": run.citations.len(),
        "failing": run.failing_count(),
        "counts": counts,
        "failing_citations": failing,
        "changes": changes,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    Ok(s)
}

/// JUnit XML: one test suite per input, one test case per citation, a failure for each citation
/// whose target fails the run.
///
/// # Errors
/// When writing to `out` fails.
pub(crate) fn junit(run: &CheckRun<'_>, out: &mut dyn std::io::Write) -> Result<()> {
    let of_citation = run.targets.by_citation(run.citations.len());
    // quick-junit writes the XML, leaving out characters XML 1.0 forbids (a `\x01` in a URL).
    let mut report = quick_junit::Report::new("citecheck");
    let mut outcomes = run.outcomes.reader();
    for src in run.citations.sources() {
        let mut suite = quick_junit::TestSuite::new(&**src);
        for (ci, c) in run.citations.iter().enumerate() {
            let c = c?;
            if c.source != *src {
                continue;
            }
            let Some(ti) = of_citation[ci].map(|t| t as usize) else { continue };
            let o = outcomes.get(ti)?;
            let place = match (c.footnote.is_empty(), c.paragraph.is_empty()) {
                (false, false) => format!("footnote {} (paragraph {})", c.footnote, c.paragraph),
                (false, true) => format!("footnote {}", c.footnote),
                (true, false) => format!("paragraph {}", c.paragraph),
                (true, true) => format!("line {}", c.line),
            };
            let status = if run.fails(ti) {
                let detail = format!(
                    "{} {} at line {}, column {}\nstatus: {}\nHTTP status: {}\nfinal URL: {}\nerror: {}",
                    c.kind,
                    c.value,
                    c.line,
                    c.column,
                    o.status,
                    o.http_status.map(|s| s.to_string()).unwrap_or_default(),
                    o.final_url,
                    o.error
                );
                let message = if o.error.is_empty() {
                    o.status.to_string()
                } else {
                    format!("{}: {}", o.status, o.error)
                };
                let mut s = quick_junit::TestCaseStatus::non_success(quick_junit::NonSuccessKind::Failure);
                s.set_type(o.status.as_str()).set_message(message).set_description(detail);
                s
            } else {
                quick_junit::TestCaseStatus::success()
            };
            let mut case = quick_junit::TestCase::new(format!("{place}: {}", c.value), status);
            case.set_classname(&**src).set_time(Duration::from_millis(o.elapsed_ms));
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report.serialize(out).map_err(|e| Error::Serialise(format!("JUnit XML: {e}")))
}

#[cfg(test)]
mod tests {
    use super::{shown, SHOWN_BYTES};

    #[test]
    fn a_long_value_is_shown_by_its_start_and_length() {
        let short = "https://example.org/a";
        assert_eq!(shown(short), short);
        let exact = "a".repeat(SHOWN_BYTES);
        assert_eq!(shown(&exact), exact);
        let long = format!("https://example.org/{}", "x".repeat(5_000));
        let s = shown(&long);
        assert!(s.starts_with("https://example.org/xxx"), "{s}");
        assert!(s.ends_with("… (5020 bytes)"), "{s}");
        assert!(s.len() < SHOWN_BYTES + 30, "{}", s.len());
        // Cut on a character boundary: three-byte characters around the limit.
        let wide = "文".repeat(200);
        let s = shown(&wide);
        assert!(s.starts_with(&"文".repeat(100)) && s.ends_with("… (600 bytes)"), "{s}");
    }
}
