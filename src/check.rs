//! `citecheck check` as a library call: extract, de-duplicate, consult the history, check,
//! record, and write the tables and the summary.

use crate::error::{Error, Result};
use crate::extract::InputFormat;
use crate::fetch::{self, FetchConfig, Progress};
use crate::report::{self, Change, CheckRun};
use crate::store::{RunId, Standing, Store};
use crate::types::{Citation, Kind, Outcome, Status, Target};
use crate::{output, run};
use regex::Regex;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// How the end-of-run summary is written to standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryFormat {
    /// One paragraph.
    Text,
    /// A Markdown summary for CI job summaries and pull-request comments.
    Markdown,
    /// A JSON object.
    Json,
}

/// Validated configuration of `citecheck check`.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// Inputs: paths, or `-` for standard input.
    pub inputs: Vec<String>,
    /// Read every input as this format instead of detecting it.
    pub input_format: Option<InputFormat>,
    /// Folder for the tables.
    pub out: PathBuf,
    /// How to fetch.
    pub fetch: FetchConfig,
    /// Language of symbol look-ups and human links (ar, zh, en, fr, ru, es).
    pub symbol_lang: String,
    /// Targets matching none of these are excluded (when any are given).
    pub include: Vec<Regex>,
    /// Targets matching any of these are excluded (unless an include matches).
    pub exclude: Vec<Regex>,
    /// Statuses that count as failures.
    pub fail_on: Vec<Status>,
    /// A failing target fails the run only after this many consecutive failing runs.
    pub fail_after: u32,
    /// The history database; `None` keeps no history.
    pub db: Option<PathBuf>,
    /// Reuse `ok` results younger than this instead of fetching again.
    pub cache_ttl: Option<Duration>,
    /// Summary format on standard output.
    pub summary: SummaryFormat,
    /// Also write JUnit XML here.
    pub junit: Option<PathBuf>,
    /// Show a progress bar on a terminal.
    pub progress: bool,
    /// Archive every exchange as WARC (`--archive`).
    pub archive: Option<ArchiveConfig>,
}

/// Where and how to archive.
#[derive(Debug, Clone)]
pub struct ArchiveConfig {
    /// The archive folder (WARC files, `index.cdxj`).
    pub dir: PathBuf,
    /// Bytes of one body kept at most (`WARC-Truncated: length` beyond).
    pub max_resource_size: u64,
    /// Rotate WARC files at this size.
    pub warc_size: u64,
}

/// Bytes written to the archive by the last run (reported in the summary).
#[derive(Debug, Default, Clone, Copy)]
pub struct ArchiveStats {
    /// Compressed bytes appended to WARC files.
    pub bytes: u64,
    /// Responses archived in full.
    pub responses: usize,
    /// Revisit records (identical payload already archived).
    pub revisits: usize,
}

/// What a check run found.
#[derive(Debug, Default)]
pub struct CheckSummary {
    /// Inputs that could not be read (already said on stderr).
    pub failed_inputs: Vec<String>,
    /// Citation occurrences.
    pub citations: usize,
    /// Distinct targets checked.
    pub targets: usize,
    /// Targets per status.
    pub counts: Vec<(Status, usize)>,
    /// Targets that fail the run (status in `fail_on`, failing for `fail_after` runs).
    pub failing: usize,
    /// What archiving wrote, when enabled.
    pub archive: Option<ArchiveStats>,
}

/// Groups citations into distinct targets (one per URL or symbol, however often cited).
pub fn targets_of(citations: &[Citation], symbol_lang: &str) -> Vec<Target> {
    let mut index: HashMap<(Kind, &str), usize> = HashMap::new();
    let mut targets: Vec<Target> = Vec::new();
    for (i, c) in citations.iter().enumerate() {
        let next = targets.len();
        let t = *index.entry((c.kind, c.value.as_str())).or_insert(next);
        if t == next {
            let url = match c.kind {
                Kind::Url => c.value.clone(),
                Kind::Symbol => fetch::symbol_url(&c.value, symbol_lang),
            };
            targets.push(Target { kind: c.kind, value: c.value.clone(), url, citations: Vec::new() });
        }
        targets[t].citations.push(i);
    }
    targets
}

fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

fn store_err(e: crate::store::StoreError) -> Error {
    Error::Config(e.to_string())
}

/// Results are written to the history in batches: this many, or every half second.
const BATCH: usize = 256;

/// Runs `citecheck check`: extract, de-duplicate, check (or reuse fresh `ok` results), record
/// the run in the history, write `links.csv`, `citations.csv`, `summary.csv`, `hosts.csv` and
/// `changes.csv` atomically into `cfg.out`, and the summary to `out`.
///
/// # Errors
/// Setup failures (the HTTP client, the history database, the output folder); broken links
/// are results.
pub fn run_check(cfg: &CheckConfig, out: &mut dyn Write, diag: &mut dyn Write) -> Result<CheckSummary> {
    let started = std::time::Instant::now();
    let started_at = now();
    let mut summary = CheckSummary::default();
    let citations = run::read_all(&cfg.inputs, cfg.input_format, diag, &mut summary.failed_inputs);
    if summary.failed_inputs.len() == cfg.inputs.len() {
        // Nothing was read: keep the previous tables and history as they are.
        let _ = writeln!(
            diag,
            "citecheck: no input could be read; the tables in {} were left unchanged",
            cfg.out.display()
        );
        return Ok(summary);
    }
    let targets = targets_of(&citations, &cfg.symbol_lang);
    if cfg.fetch.insecure {
        let _ =
            writeln!(diag, "citecheck: WARNING: --insecure: TLS certificates are NOT verified in this run");
    }
    let mut store = match &cfg.db {
        Some(path) => Some(Store::open(path).map_err(store_err)?),
        None => None,
    };
    let run_id = match store.as_mut() {
        Some(s) => Some(s.begin_run(&started_at, &cfg.inputs, &options_json(cfg)).map_err(store_err)?),
        None => None,
    };
    let mut preset: Vec<Option<Outcome>> = Vec::with_capacity(targets.len());
    for t in &targets {
        let cached = match (&store, cfg.cache_ttl) {
            (Some(s), Some(ttl)) => fresh_ok(s, t, ttl)?,
            _ => None,
        };
        preset.push(excluded_by_rule(cfg, t).or(cached));
    }
    let recorder = match &cfg.archive {
        Some(a) => Some(open_archive(a, cfg, &started_at)?),
        None => None,
    };
    let mut fetch_cfg = cfg.fetch.clone();
    fetch_cfg.archive = recorder.clone();
    let bar = progress_bar(cfg.progress, targets.len());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Config(format!("cannot start the async runtime: {e}")))?;
    let mut counts: HashMap<Status, usize> = HashMap::new();
    let mut pending: Vec<(usize, Outcome)> = Vec::new();
    let mut store_failure: Option<Error> = None;
    let mut flush = |pending: &mut Vec<(usize, Outcome)>, store: &mut Option<Store>| {
        if let (Some(s), Some(run)) = (store.as_mut(), run_id) {
            if !pending.is_empty() && store_failure.is_none() {
                let batch: Vec<(Kind, &str, &Outcome)> =
                    pending.iter().map(|(i, o)| (targets[*i].kind, targets[*i].value.as_str(), o)).collect();
                if let Err(e) = s.record(run, &batch) {
                    store_failure = Some(store_err(e));
                }
            }
        }
        pending.clear();
    };
    let outcomes =
        runtime.block_on(fetch::check_all(&targets, preset.clone(), &fetch_cfg, |event| match event {
            Progress::Done(i, o) => {
                *counts.entry(o.status).or_default() += 1;
                if let Some(bar) = &bar {
                    bar.inc(1);
                    let so_far: Vec<String> = Status::ALL
                        .iter()
                        .filter_map(|s| counts.get(s).map(|n| format!("{n} {s}")))
                        .collect();
                    bar.set_message(so_far.join(" · "));
                }
                pending.push((i, o.clone()));
                if pending.len() >= BATCH {
                    flush(&mut pending, &mut store);
                }
            }
            Progress::Tick => flush(&mut pending, &mut store),
        }))?;
    // The preset outcomes (excluded, cached) are results of this run too.
    pending.extend(preset.into_iter().enumerate().filter_map(|(i, p)| p.map(|o| (i, o))));
    flush(&mut pending, &mut store);
    if let Some(e) = store_failure {
        return Err(e);
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    drop(fetch_cfg);
    if let Some(rec) = recorder {
        summary.archive = Some(close_archive(rec, &targets, &outcomes, &citations)?);
    }
    let failing_status = |s: Status| cfg.fail_on.contains(&s);
    let (standings, changes) = match (&mut store, run_id) {
        (Some(s), Some(run)) => {
            s.finish_run(run, &now()).map_err(store_err)?;
            history_of(s, run, &targets, &outcomes, &failing_status)?
        }
        _ => (None, Vec::new()),
    };
    let run = CheckRun {
        citations: &citations,
        targets: &targets,
        outcomes: &outcomes,
        symbol_lang: &cfg.symbol_lang,
        standings: standings.as_deref(),
        changes: &changes,
        fail_on: &cfg.fail_on,
        fail_after: cfg.fail_after,
    };
    std::fs::create_dir_all(&cfg.out)
        .map_err(|source| Error::WriteOutput { path: cfg.out.clone(), source })?;
    // Streamed straight into each table's temporary file.
    type Table = fn(&CheckRun<'_>, &mut dyn Write) -> Result<()>;
    let tables: [(&str, Table); 5] = [
        ("links.csv", report::links_csv),
        ("citations.csv", report::citations_status_csv),
        ("summary.csv", report::summary_csv),
        ("hosts.csv", report::hosts_csv),
        ("changes.csv", report::changes_csv),
    ];
    for (name, make) in tables {
        output::write_atomic_with(&cfg.out.join(name), |w| make(&run, w))?;
    }
    if let Some(path) = &cfg.junit {
        output::write_atomic_with(path, |w| report::junit(&run, w))?;
    }
    summary.citations = citations.len();
    summary.targets = targets.len();
    summary.counts = Status::ALL
        .into_iter()
        .map(|s| (s, outcomes.iter().filter(|o| o.status == s).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    summary.failing = (0..targets.len()).filter(|&i| run.fails(i)).count();
    let text = match cfg.summary {
        SummaryFormat::Text => {
            let mut t = report::summary_text(&run, started.elapsed(), &cfg.out, cfg.fetch.insecure);
            if let (Some(a), Some(dir)) = (summary.archive, cfg.archive.as_ref()) {
                t.push_str(&format!(
                    "citecheck: archived {} responses and {} revisits ({} bytes) in {}.\n",
                    a.responses,
                    a.revisits,
                    a.bytes,
                    dir.dir.display()
                ));
            }
            t
        }
        SummaryFormat::Markdown => report::summary_markdown(&run),
        SummaryFormat::Json => report::summary_json(&run),
    };
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|source| Error::WriteOutput { path: PathBuf::from("<stdout>"), source })?;
    Ok(summary)
}

/// The last result of `t` if it is `ok` and younger than `ttl`, as a cached outcome.
fn fresh_ok(store: &Store, t: &Target, ttl: Duration) -> Result<Option<Outcome>> {
    let Some(last) = store.last_result(t.kind, &t.value, None).map_err(store_err)? else { return Ok(None) };
    if last.status != Status::Ok {
        return Ok(None); // failures are never served from the cache
    }
    let fresh = humantime::parse_rfc3339(&last.checked_at)
        .ok()
        .and_then(|at| SystemTime::now().duration_since(at).ok())
        .is_some_and(|age| age <= ttl);
    Ok(fresh.then(|| Outcome {
        status: last.status,
        http_status: last.http_status,
        final_url: last.final_url,
        hops: Vec::new(),
        attempts: 0,
        error: String::new(),
        elapsed_ms: 0,
        content_type: String::new(),
        checked_at: last.checked_at,
        cached: true,
        capture: None,
    }))
}

/// Standing of every target after this run, and what changed since the previous one.
fn history_of(
    store: &Store,
    run: RunId,
    targets: &[Target],
    outcomes: &[Outcome],
    failing: &dyn Fn(Status) -> bool,
) -> Result<(Option<Vec<Standing>>, Vec<Change>)> {
    let mut standings = Vec::with_capacity(targets.len());
    let mut changes = Vec::new();
    for (i, (t, o)) in targets.iter().zip(outcomes).enumerate() {
        let (standing, previous) = store.timeline(t.kind, &t.value, failing).map_err(store_err)?;
        standings.push(standing);
        if let Some(prev) = previous.filter(|p| p.run < run.0) {
            if prev.status != o.status {
                changes.push(Change { target: i, previous: prev.status, previous_at: prev.checked_at });
            }
        }
    }
    Ok((Some(standings), changes))
}

fn options_json(cfg: &CheckConfig) -> String {
    let f = &cfg.fetch;
    serde_json::json!({
        "max_concurrency": f.max_concurrency,
        "host_concurrency": f.host_concurrency,
        "host_interval_ms": f.host_interval.as_millis() as u64,
        "timeout_ms": f.timeout.as_millis() as u64,
        "retries": f.retries,
        "method": format!("{:?}", f.method).to_lowercase(),
        "user_agent": f.user_agent,
        "insecure": f.insecure,
        "deny_private": f.deny_private,
        "symbol_lang": cfg.symbol_lang,
        "include": cfg.include.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "exclude": cfg.exclude.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "fail_on": cfg.fail_on.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "fail_after": cfg.fail_after,
        "cache_ttl_s": cfg.cache_ttl.map(|d| d.as_secs()),
    })
    .to_string()
}

fn excluded_by_rule(cfg: &CheckConfig, t: &Target) -> Option<Outcome> {
    fn hit<'r>(rules: &'r [Regex], t: &Target) -> Option<&'r Regex> {
        rules.iter().find(|r| r.is_match(&t.value) || r.is_match(&t.url))
    }
    let included = hit(&cfg.include, t);
    let reason = if let (Some(ex), None) = (hit(&cfg.exclude, t), included) {
        format!("excluded by --exclude {}", ex.as_str())
    } else if !cfg.include.is_empty() && included.is_none() {
        "matches no --include rule".to_string()
    } else {
        return None;
    };
    Some(Outcome {
        status: Status::Excluded,
        http_status: None,
        final_url: String::new(),
        hops: Vec::new(),
        attempts: 0,
        error: reason,
        elapsed_ms: 0,
        content_type: String::new(),
        checked_at: now(),
        cached: false,
        capture: None,
    })
}

fn progress_bar(enabled: bool, total: usize) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !enabled || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    let style = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {per_sec} {msg}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

/// Prints the timeline of one URL or symbol from the history at `db`, newest first.
/// Returns the exit code: 0 when found, 1 when the history has no such target.
///
/// # Errors
/// The database cannot be opened or read, or standard output cannot be written.
pub fn print_history(db: &std::path::Path, target: &str, limit: usize, out: &mut dyn Write) -> Result<u8> {
    if !db.is_file() {
        return Err(Error::Config(format!(
            "no history database at {}: run `citecheck check` first (or pass --db)",
            db.display()
        )));
    }
    let store = Store::open(db).map_err(store_err)?;
    let (kind, value) = match crate::extract::symbols::exact_symbol(target) {
        Some(sym) => (Kind::Symbol, sym),
        None => (Kind::Url, crate::extract::url::normalise(target)),
    };
    let past = store.history(kind, &value, limit).map_err(store_err)?;
    let mut text = String::new();
    if past.is_empty() {
        text.push_str(&format!("citecheck: {} is not in the history at {}\n", value, db.display()));
    } else {
        let standing = store
            .standing(kind, &value, &|s| !matches!(s, Status::Ok | Status::Redirected | Status::Excluded))
            .map_err(store_err)?;
        text.push_str(&format!("{kind} {value}\nfirst seen {}", standing.first_seen));
        if !standing.last_ok.is_empty() {
            text.push_str(&format!(", last ok {}", standing.last_ok));
        }
        text.push('\n');
        for p in &past {
            let http = p.http_status.map(|s| s.to_string()).unwrap_or_else(|| "-".to_string());
            let mut line =
                format!("{}  run {:>4}  {:<12} {:>3}", p.checked_at, p.run, p.status.as_str(), http);
            if p.cached {
                line.push_str("  (cached)");
            }
            if !p.final_url.is_empty() && p.final_url != value {
                line.push_str(&format!("  -> {}", p.final_url));
            }
            if !p.error.is_empty() {
                line.push_str(&format!("  {}", p.error));
            }
            text.push_str(line.trim_end());
            text.push('\n');
        }
    }
    out.write_all(text.as_bytes())
        .map_err(|source| Error::WriteOutput { path: PathBuf::from("<stdout>"), source })?;
    Ok(if past.is_empty() { 1 } else { 0 })
}

fn open_archive(a: &ArchiveConfig, cfg: &CheckConfig, started_at: &str) -> Result<fetch::ArchiveHandle> {
    let stamp: String = started_at.chars().filter(char::is_ascii_digit).take(14).collect();
    let opts = crate::archive::WriterOptions {
        max_file_size: a.warc_size,
        software: format!("citecheck/{} ({})", env!("CARGO_PKG_VERSION"), env!("CARGO_PKG_REPOSITORY")),
        info: vec![
            ("http-header-user-agent".to_string(), cfg.fetch.user_agent.clone()),
            ("description".to_string(), format!("citations of {}", cfg.inputs.join(", "))),
            ("citecheck-options".to_string(), options_json(cfg)),
        ],
        stamp,
    };
    let rec = crate::archive::Recorder::open(&a.dir, opts, a.max_resource_size)
        .map_err(|source| Error::WriteOutput { path: a.dir.clone(), source })?;
    Ok(std::sync::Arc::new(rec))
}

/// Writes a metadata record per archived target (its audit facts), then closes the archive.
fn close_archive(
    rec: fetch::ArchiveHandle,
    targets: &[Target],
    outcomes: &[Outcome],
    citations: &[Citation],
) -> Result<ArchiveStats> {
    let io = |e: std::io::Error| Error::WriteOutput { path: PathBuf::from("archive"), source: e };
    let rec = std::sync::Arc::try_unwrap(rec)
        .map_err(|_| io(std::io::Error::other("the archive is still in use")))?;
    let mut stats = ArchiveStats::default();
    for (t, o) in targets.iter().zip(outcomes) {
        let Some(c) = &o.capture else { continue };
        if c.revisit {
            stats.revisits += 1;
        } else {
            stats.responses += 1;
        }
        let labels = report::footnote_labels(citations, t);
        let mut facts = vec![
            ("citecheck-kind".to_string(), t.kind.as_str().to_string()),
            ("citecheck-value".to_string(), t.value.clone()),
            ("citecheck-status".to_string(), o.status.as_str().to_string()),
            ("citecheck-http-status".to_string(), o.http_status.map(|s| s.to_string()).unwrap_or_default()),
            ("citecheck-final-url".to_string(), o.final_url.clone()),
            ("citecheck-checked-at".to_string(), o.checked_at.clone()),
            ("citecheck-footnotes".to_string(), labels.join(";")),
            ("citecheck-payload-sha256".to_string(), c.payload_sha256.clone()),
        ];
        if !o.error.is_empty() {
            facts.push(("citecheck-error".to_string(), o.error.clone()));
        }
        rec.metadata(c, &facts, &c.date).map_err(io)?;
    }
    stats.bytes = rec.bytes_written();
    rec.finish().map_err(io)?;
    Ok(stats)
}
