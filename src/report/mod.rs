//! Reports: pure functions from results to bytes. Only [`crate::output`] writes files.

use crate::error::{Error, Result};
use crate::store::Standing;
use crate::types::{Citation, Kind, Outcome, Status, Target};

mod ci;
pub use ci::{junit, summary_json, summary_markdown, summary_text};

/// The columns of `citecheck extract`, in order.
pub const CITATION_COLUMNS: [&str; 8] =
    ["source", "line", "column", "footnote", "paragraph", "kind", "value", "raw"];

/// Citations as CSV with the header [`CITATION_COLUMNS`].
///
/// # Errors
/// Only if serialisation fails (it does not for these types).
pub fn citations_csv(rows: &[Citation]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CITATION_COLUMNS).map_err(ser)?;
    for c in rows {
        w.write_record(citation_cells(c, false)).map_err(ser)?;
    }
    w.into_inner().map_err(|e| Error::Serialise(e.to_string()))
}

/// Citations as a pretty-printed JSON array of objects with the CSV's fields.
///
/// # Errors
/// Only if serialisation fails (it does not for these types).
pub fn citations_json(rows: &[Citation]) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(rows).map_err(|e| Error::Serialise(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The cells of one citation, in [`CITATION_COLUMNS`] order; `guard` applies [`safe_cell`]
/// to the document's text (the `check` tables do, the `extract` listing keeps it as written).
fn citation_cells(c: &Citation, guard: bool) -> [String; 8] {
    let text = |s: &str| if guard { safe_cell(s) } else { s.to_string() };
    [
        text(&c.source),
        c.line.to_string(),
        c.column.to_string(),
        text(&c.footnote),
        c.paragraph.clone(),
        c.kind.as_str().to_string(),
        text(&c.value),
        text(&c.raw),
    ]
}

fn ser(e: csv::Error) -> Error {
    Error::Serialise(e.to_string())
}

/// A cell that holds remote text (titles, errors, Location values) is prefixed with `'` when it
/// starts with `=`, `+`, `-`, `@`, tab or CR, so spreadsheets never read it as a formula.
pub fn safe_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// A target whose status class changed since the previous run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Index of the target.
    pub target: usize,
    /// Its status in the previous run that checked it.
    pub previous: Status,
    /// When that was.
    pub previous_at: String,
}

/// Everything the check tables are made from.
#[derive(Debug)]
pub struct CheckRun<'a> {
    /// Every citation occurrence.
    pub citations: &'a [Citation],
    /// Distinct targets (each lists the citations pointing at it).
    pub targets: &'a [Target],
    /// One outcome per target.
    pub outcomes: &'a [Outcome],
    /// Language of the human links for symbols.
    pub symbol_lang: &'a str,
    /// The history of each target, when a history is kept.
    pub standings: Option<&'a [Standing]>,
    /// Status changes since the previous run.
    pub changes: &'a [Change],
    /// Statuses that count as failures.
    pub fail_on: &'a [Status],
    /// Consecutive failing runs before a failure fails the run.
    pub fail_after: u32,
}

impl CheckRun<'_> {
    /// Consecutive failing runs of target `i` up to this one (1 or 0 without a history).
    pub fn consecutive_failures(&self, i: usize) -> u32 {
        match self.standings {
            Some(s) => s.get(i).map_or(0, |s| s.consecutive_failures),
            None => u32::from(self.fail_on.contains(&self.outcomes[i].status)),
        }
    }

    /// Whether target `i` fails the run: a failing status for `fail_after` runs in a row.
    pub fn fails(&self, i: usize) -> bool {
        self.fail_on.contains(&self.outcomes[i].status)
            && self.consecutive_failures(i) >= self.fail_after.max(1)
    }
}

/// The columns of `links.csv`.
pub const LINK_COLUMNS: [&str; 25] = [
    "kind",
    "value",
    "url",
    "status",
    "http_status",
    "final_url",
    "redirects",
    "attempts",
    "error",
    "checked_at",
    "footnotes",
    "citations",
    "elapsed_ms",
    "content_type",
    "human_url",
    "redirect_chain",
    "sources",
    "cached",
    "first_seen",
    "last_ok",
    "failing_since",
    "consecutive_failures",
    "warc_file",
    "warc_offset",
    "payload_sha256",
];

/// `links.csv`: one row per distinct target, streamed to `out`.
///
/// # Errors
/// When writing to `out` fails.
pub fn links_csv(run: &CheckRun<'_>, out: &mut dyn std::io::Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(LINK_COLUMNS).map_err(ser)?;
    let no_history = Standing::default();
    for (i, (t, o)) in run.targets.iter().zip(run.outcomes).enumerate() {
        let st = run.standings.and_then(|s| s.get(i)).unwrap_or(&no_history);
        let footnotes = footnotes_of(run, t);
        let mut sources: Vec<&str> = Vec::new();
        for &i in &t.citations {
            let c = &run.citations[i];
            if !sources.contains(&c.source.as_str()) {
                sources.push(&c.source);
            }
        }
        let human = match t.kind {
            Kind::Symbol => format!("https://undocs.org/{}/{}", run.symbol_lang, t.value),
            Kind::Url => String::new(),
        };
        let chain: Vec<String> = o.hops.iter().map(|h| format!("{} {}", h.status, h.location)).collect();
        w.write_record([
            t.kind.as_str(),
            &safe_cell(&t.value),
            &safe_cell(&t.url),
            o.status.as_str(),
            &o.http_status.map(|s| s.to_string()).unwrap_or_default(),
            &safe_cell(&o.final_url),
            &o.hops.len().to_string(),
            &o.attempts.to_string(),
            &safe_cell(&o.error),
            &o.checked_at,
            &footnotes.join(";"),
            &t.citations.len().to_string(),
            &o.elapsed_ms.to_string(),
            &safe_cell(&o.content_type),
            &human,
            &safe_cell(&chain.join(" -> ")),
            &safe_cell(&sources.join(";")),
            if o.cached { "true" } else { "false" },
            &st.first_seen,
            &st.last_ok,
            &st.failing_since,
            &run.consecutive_failures(i).to_string(),
            o.capture.as_ref().map_or("", |c| c.filename.as_str()),
            &o.capture.as_ref().map(|c| c.offset.to_string()).unwrap_or_default(),
            o.capture.as_ref().map_or("", |c| c.payload_sha256.as_str()),
        ])
        .map_err(ser)?;
    }
    w.flush().map_err(|e| Error::Serialise(e.to_string()))
}

/// `citations.csv`: the `extract` columns plus `status,http_status,final_url`.
///
/// # Errors
/// When writing to `out` fails.
pub fn citations_status_csv(run: &CheckRun<'_>, out: &mut dyn std::io::Write) -> Result<()> {
    let mut of_citation: Vec<Option<usize>> = vec![None; run.citations.len()];
    for (ti, t) in run.targets.iter().enumerate() {
        for &ci in &t.citations {
            of_citation[ci] = Some(ti);
        }
    }
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<&str> = CITATION_COLUMNS.to_vec();
    header.extend(["status", "http_status", "final_url"]);
    w.write_record(&header).map_err(ser)?;
    for (c, t) in run.citations.iter().zip(of_citation) {
        let o = t.map(|i| &run.outcomes[i]);
        let mut cells = citation_cells(c, true).to_vec();
        cells.push(o.map_or("", |o| o.status.as_str()).to_string());
        cells.push(o.and_then(|o| o.http_status).map(|s| s.to_string()).unwrap_or_default());
        cells.push(safe_cell(o.map_or("", |o| o.final_url.as_str())));
        w.write_record(&cells).map_err(ser)?;
    }
    w.flush().map_err(|e| Error::Serialise(e.to_string()))
}

/// `summary.csv`: targets and citations per status class (every class listed, zeros included).
///
/// # Errors
/// When writing to `out` fails.
pub fn summary_csv(run: &CheckRun<'_>, out: &mut dyn std::io::Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["status", "targets", "citations"]).map_err(ser)?;
    for s in Status::ALL {
        let (mut targets, mut cites) = (0usize, 0usize);
        for (t, o) in run.targets.iter().zip(run.outcomes) {
            if o.status == s {
                targets += 1;
                cites += t.citations.len();
            }
        }
        w.write_record([s.as_str(), &targets.to_string(), &cites.to_string()]).map_err(ser)?;
    }
    w.flush().map_err(|e| Error::Serialise(e.to_string()))
}

/// `hosts.csv`: per host, requests made, targets per status and mean latency.
///
/// # Errors
/// When writing to `out` fails.
pub fn hosts_csv(run: &CheckRun<'_>, out: &mut dyn std::io::Write) -> Result<()> {
    use std::collections::BTreeMap;
    #[derive(Default)]
    struct Row {
        targets: usize,
        requests: u64,
        elapsed: u64,
        statuses: BTreeMap<&'static str, usize>,
    }
    let mut hosts: BTreeMap<String, Row> = BTreeMap::new();
    for (t, o) in run.targets.iter().zip(run.outcomes) {
        let host =
            url::Url::parse(&t.url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
        let row = hosts.entry(host).or_default();
        row.targets += 1;
        row.requests += u64::from(o.attempts);
        row.elapsed += o.elapsed_ms;
        *row.statuses.entry(o.status.as_str()).or_default() += 1;
    }
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["host", "targets", "requests", "mean_latency_ms", "statuses"]).map_err(ser)?;
    for (host, r) in hosts {
        let mean = if r.targets == 0 { 0 } else { r.elapsed / r.targets as u64 };
        let statuses: Vec<String> = r.statuses.iter().map(|(s, n)| format!("{s}={n}")).collect();
        w.write_record([
            safe_cell(&host),
            r.targets.to_string(),
            r.requests.to_string(),
            mean.to_string(),
            statuses.join(";"),
        ])
        .map_err(ser)?;
    }
    w.flush().map_err(|e| Error::Serialise(e.to_string()))
}

/// `changes.csv`: targets whose status class changed since the previous run.
///
/// # Errors
/// When writing to `out` fails.
pub fn changes_csv(run: &CheckRun<'_>, out: &mut dyn std::io::Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "kind",
        "value",
        "change",
        "previous_status",
        "previous_checked_at",
        "status",
        "checked_at",
        "final_url",
        "footnotes",
    ])
    .map_err(ser)?;
    for c in run.changes {
        let (t, o) = (&run.targets[c.target], &run.outcomes[c.target]);
        let failing = |s: Status| run.fail_on.contains(&s);
        let change = match (failing(c.previous), failing(o.status)) {
            (false, true) => "newly_failing",
            (true, false) if o.status == Status::Redirected => "recovered_redirected",
            (true, false) => "recovered",
            _ if o.status == Status::Redirected => "newly_redirected",
            _ => "changed",
        };
        w.write_record([
            t.kind.as_str(),
            &safe_cell(&t.value),
            change,
            c.previous.as_str(),
            &c.previous_at,
            o.status.as_str(),
            &o.checked_at,
            &safe_cell(&o.final_url),
            &footnotes_of(run, t).join(";"),
        ])
        .map_err(ser)?;
    }
    w.flush().map_err(|e| Error::Serialise(e.to_string()))
}

/// The footnote labels citing a target, in order, without repeats.
pub(crate) fn footnotes_of<'a>(run: &'a CheckRun<'_>, t: &Target) -> Vec<&'a str> {
    footnote_labels(run.citations, t)
}

/// The footnote labels of `t`'s citations, in order, without repeats.
pub(crate) fn footnote_labels<'a>(citations: &'a [Citation], t: &Target) -> Vec<&'a str> {
    let mut labels: Vec<&str> = Vec::new();
    for &i in &t.citations {
        let l = citations[i].footnote.as_str();
        if !l.is_empty() && !labels.contains(&l) {
            labels.push(l);
        }
    }
    labels
}
