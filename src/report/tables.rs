//! The tables of `check`, each streamed straight into its file.

use super::{citation_cells, footnote_labels, status_counts, CheckRun, GuardedCsv, CITATION_COLUMNS};
use crate::error::Result;
use crate::plan::human_url;
use crate::types::{host_key, Kind, Status};
use std::sync::Arc;

/// The columns of `citations.csv`: the `extract` columns, then the target's result.
pub(crate) const CITATION_STATUS_COLUMNS: [&str; 16] = [
    CITATION_COLUMNS[0],
    CITATION_COLUMNS[1],
    CITATION_COLUMNS[2],
    CITATION_COLUMNS[3],
    CITATION_COLUMNS[4],
    CITATION_COLUMNS[5],
    CITATION_COLUMNS[6],
    CITATION_COLUMNS[7],
    "status",
    "http_status",
    "final_url",
    "error",
    "human_url",
    "archived_url",
    "first_seen",
    "failing_since",
];
/// The columns of `summary.csv`.
pub(crate) const SUMMARY_COLUMNS: [&str; 3] = ["status", "targets", "citations"];
/// The columns of `hosts.csv`.
pub(crate) const HOST_COLUMNS: [&str; 5] = ["host", "targets", "requests", "mean_latency_ms", "statuses"];
/// The columns of `changes.csv`.
pub(crate) const CHANGE_COLUMNS: [&str; 9] = [
    "kind",
    "value",
    "change",
    "previous_status",
    "previous_checked_at",
    "status",
    "checked_at",
    "final_url",
    "footnotes",
];

/// The columns of `links.csv`.
pub(crate) const LINK_COLUMNS: [&str; 25] = [
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
pub(crate) fn links_csv(run: &CheckRun<'_>, out: &mut dyn std::io::Write) -> Result<()> {
    let mut w = GuardedCsv::new(out, &LINK_COLUMNS)?;
    let mut cites = run.citations.reader();
    for (i, (t, o)) in run.targets.iter().zip(run.outcomes.iter()).enumerate() {
        let o = o?;
        let st = run.standings.and_then(|s| s.get(i)).unwrap_or_default();
        let mut footnotes: Vec<Arc<str>> = Vec::new();
        let mut sources: Vec<Arc<str>> = Vec::new();
        for i in &t.citations {
            let c = cites.get(i)?;
            if !c.footnote.is_empty() && !footnotes.contains(&c.footnote) {
                footnotes.push(c.footnote);
            }
            if !sources.contains(&c.source) {
                sources.push(c.source);
            }
        }
        let human = match t.kind {
            Kind::Symbol => human_url(&t.value, run.symbol_lang),
            Kind::Url => String::new(),
        };
        let chain: Vec<String> = o.hops.iter().map(|h| format!("{} {}", h.status, h.location)).collect();
        w.row([
            t.kind.as_str(),
            &t.value,
            &t.url,
            o.status.as_str(),
            &o.http_status.map(|s| s.to_string()).unwrap_or_default(),
            &o.final_url,
            &o.hops.len().to_string(),
            &o.attempts.to_string(),
            &o.error,
            &o.checked_at,
            &footnotes.join(";"),
            &t.citations.len().to_string(),
            &o.elapsed_ms.to_string(),
            &o.content_type,
            &human,
            &chain.join(" -> "),
            &sources.join(";"),
            if o.cached { "true" } else { "false" },
            &st.first_seen,
            &st.last_ok,
            &st.failing_since,
            &run.consecutive_failures(i).to_string(),
            o.capture.as_ref().map_or("", |c| c.filename.as_str()),
            &o.capture.as_ref().map(|c| c.offset.to_string()).unwrap_or_default(),
            o.capture.as_ref().map_or("", |c| c.payload_sha256.as_str()),
        ])?;
    }
    w.finish()
}

/// `citations.csv`: the `extract` columns plus `status,http_status,final_url`.
///
/// # Errors
/// When writing to `out` fails.
pub(crate) fn citations_status_csv(run: &CheckRun<'_>, out: &mut dyn std::io::Write) -> Result<()> {
    let of_citation = run.targets.by_citation(run.citations.len());
    // Only failing citations have copies: a map, not a slot for every citation.
    let mut archived: std::collections::HashMap<usize, &str> = std::collections::HashMap::new();
    for r in run.repairs.unwrap_or(&[]) {
        match r.memento.as_ref().map(|m| m.url.as_str()).filter(|u| !u.is_empty()) {
            Some(url) => archived.insert(r.citation, url),
            None => archived.remove(&r.citation),
        };
    }
    let mut w = GuardedCsv::new(out, &CITATION_STATUS_COLUMNS)?;
    let mut outcomes = run.outcomes.reader();
    for (ci, (c, t)) in run.citations.iter().zip(of_citation).enumerate() {
        let c = &c?;
        let t = t.map(|t| t as usize);
        let o = t.map(|i| outcomes.get(i)).transpose()?;
        let o = o.as_ref();
        let mut cells: Vec<String> =
            citation_cells(c).into_iter().map(std::borrow::Cow::into_owned).collect();
        cells.push(o.map_or("", |o| o.status.as_str()).to_string());
        cells.push(o.and_then(|o| o.http_status).map(|s| s.to_string()).unwrap_or_default());
        cells.push(o.map_or("", |o| &*o.final_url).to_string());
        cells.push(o.map_or("", |o| o.error.as_str()).to_string());
        cells.push(if c.kind == Kind::Symbol { human_url(&c.value, run.symbol_lang) } else { String::new() });
        cells.push(archived.get(&ci).copied().unwrap_or("").to_string());
        let st = t.and_then(|i| run.standings.and_then(|s| s.get(i)));
        cells.push(st.as_ref().map_or("", |s| &s.first_seen).to_string());
        cells.push(st.as_ref().map_or("", |s| &s.failing_since).to_string());
        w.row(&cells)?;
    }
    w.finish()
}

/// The columns of `repairs.csv` (`--repair`).
pub(crate) const REPAIR_COLUMNS: [&str; 16] = [
    "source",
    "line",
    "footnote",
    "paragraph",
    "kind",
    "value",
    "status",
    "cited_at",
    "cited_at_source",
    "memento_url",
    "memento_datetime",
    "days_from_cited",
    "archive",
    "verified",
    "warc",
    "note",
];

/// `repairs.csv`: one row per failing citation, with the archived copy chosen (if any).
///
/// # Errors
/// When writing to `out` fails.
pub(crate) fn repairs_csv(run: &CheckRun<'_>, out: &mut dyn std::io::Write) -> Result<()> {
    let target_of = run.targets.by_citation(run.citations.len());
    let status_of = |ci: usize| {
        target_of.get(ci).copied().flatten().map_or("", |t| run.outcomes.status(t as usize).as_str())
    };
    let mut w = GuardedCsv::new(out, &REPAIR_COLUMNS)?;
    let mut cites = run.citations.reader();
    for r in run.repairs.unwrap_or(&[]) {
        let c = &cites.get(r.citation)?;
        let m = r.memento.as_ref();
        let days = r
            .cited_at
            .zip(m)
            .and_then(|(d, m)| crate::repair::choose::days_from(d, &m.datetime))
            .map(|n| n.to_string())
            .unwrap_or_default();
        w.row([
            c.source.to_string(),
            c.line.to_string(),
            c.footnote.to_string(),
            c.paragraph.to_string(),
            c.kind.as_str().to_string(),
            c.value.to_string(),
            status_of(r.citation).to_string(),
            r.cited_at.map(|d| d.to_string()).unwrap_or_default(),
            r.cited_at_source.to_string(),
            m.map(|m| m.url.clone()).unwrap_or_default(),
            m.map(|m| m.datetime.clone()).unwrap_or_default(),
            days,
            m.map(|m| m.archive.to_string()).unwrap_or_default(),
            m.map(|m| m.verified.to_string()).unwrap_or_default(),
            m.and_then(|m| m.warc.as_ref()).map(|(f, o)| format!("{f}#{o}")).unwrap_or_default(),
            r.note.clone(),
        ])?;
    }
    w.finish()
}

/// `summary.csv`: targets and citations per status class (every class listed, zeros included).
///
/// # Errors
/// When writing to `out` fails.
pub(crate) fn summary_csv(run: &CheckRun<'_>, out: &mut dyn std::io::Write) -> Result<()> {
    let mut w = GuardedCsv::new(out, &SUMMARY_COLUMNS)?;
    for c in status_counts(run.targets, run.outcomes.statuses()) {
        w.row([c.status.as_str(), &c.targets.to_string(), &c.citations.to_string()])?;
    }
    w.finish()
}

/// `hosts.csv`: per host, requests made, targets per status and mean latency.
///
/// # Errors
/// When writing to `out` fails.
pub(crate) fn hosts_csv(run: &CheckRun<'_>, out: &mut dyn std::io::Write) -> Result<()> {
    use std::collections::BTreeMap;
    #[derive(Default)]
    struct Row {
        targets: usize,
        requests: u64,
        answered: u64,
        elapsed: u64,
        statuses: BTreeMap<&'static str, usize>,
    }
    let mut hosts: BTreeMap<String, Row> = BTreeMap::new();
    for (t, o) in run.targets.iter().zip(run.outcomes.iter()) {
        let o = o?;
        let host = url::Url::parse(&t.url).map(|u| host_key(&u)).unwrap_or_default();
        let row = hosts.entry(host).or_default();
        row.targets += 1;
        row.requests += u64::from(o.attempts);
        // Latency of answers only: a host that never answered has none (not its timeouts).
        if o.http_status.is_some() && !o.cached {
            row.answered += 1;
            row.elapsed += o.elapsed_ms;
        }
        *row.statuses.entry(o.status.as_str()).or_default() += 1;
    }
    let mut w = GuardedCsv::new(out, &HOST_COLUMNS)?;
    for (host, r) in hosts {
        let mean = r.elapsed.checked_div(r.answered).map(|m| m.to_string()).unwrap_or_default();
        let statuses: Vec<String> = r.statuses.iter().map(|(s, n)| format!("{s}={n}")).collect();
        w.row([host, r.targets.to_string(), r.requests.to_string(), mean, statuses.join(";")])?;
    }
    w.finish()
}

/// `changes.csv`: targets whose status class changed since the previous run.
///
/// # Errors
/// When writing to `out` fails.
pub(crate) fn changes_csv(run: &CheckRun<'_>, out: &mut dyn std::io::Write) -> Result<()> {
    let mut w = GuardedCsv::new(out, &CHANGE_COLUMNS)?;
    let mut cites = run.citations.reader();
    for c in run.changes {
        let (t, o) = (run.targets.get(c.target), run.outcomes.get(c.target)?);
        let failing = |s: Status| run.failing.is_failure(s);
        let change = match (failing(c.previous), failing(o.status)) {
            (false, true) => "newly_failing",
            (true, false) if o.status == Status::Redirected => "recovered_redirected",
            (true, false) => "recovered",
            _ if o.status == Status::Redirected => "newly_redirected",
            _ => "changed",
        };
        w.row([
            t.kind.as_str(),
            &t.value,
            change,
            c.previous.as_str(),
            &c.previous_at,
            o.status.as_str(),
            &o.checked_at,
            &o.final_url,
            &footnote_labels(&mut cites, &t)?.join(";"),
        ])?;
    }
    w.finish()
}

/// The columns of `pushes.csv` (`--push-archive`).
pub(crate) const PUSH_COLUMNS: [&str; 5] = ["value", "result", "timestamp", "memento_url", "note"];

/// `pushes.csv`: one row per live URL, with what Save Page Now did.
///
/// # Errors
/// When writing to `out` fails.
pub(crate) fn pushes_csv(run: &CheckRun<'_>, out: &mut dyn std::io::Write) -> Result<()> {
    let mut w = GuardedCsv::new(out, &PUSH_COLUMNS)?;
    for p in run.pushes.unwrap_or(&[]) {
        let value = run.targets.value(p.target);
        let memento = if p.timestamp.is_empty() {
            String::new()
        } else {
            format!("https://web.archive.org/web/{}/{value}", p.timestamp)
        };
        w.row([value, p.result, &p.timestamp, &memento, &p.note])?;
    }
    w.finish()
}
