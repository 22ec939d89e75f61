//! `citecheck check`: the stages composed — read the inputs, plan the targets, fetch them
//! (the archive takes the exchanges, the history and the progress bar take the results),
//! record, report.

use crate::archive::{Archive, ArchiveStats, Facts};
use crate::config::{CheckConfig, SummaryFormat};
use crate::error::{Error, Result};
use crate::extract::dates::DocumentDates;
use crate::plan::{self, Rules, Targets};
use crate::record::{CitationLog, History, OutcomeLog, Progress, RunCitations, RunOutcomes};
use crate::repair::{self, RepairOptions};
use crate::report::{self, footnote_labels, status_counts, CheckRun, StatusCount};
use crate::sink::Fanout;
use crate::store::RunEnd;
use crate::types::{now, Citation, Kind, Outcome, Push, Repair, Status};
use crate::{fetch, output, run};
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The editor's report in the output folder.
pub(crate) const REPORT: &str = "report.html";

/// What a check run found.
#[derive(Debug, Default)]
pub struct CheckSummary {
    /// Inputs that could not be read (already said on stderr).
    pub failed_inputs: Vec<String>,
    /// Citation occurrences.
    pub citations: usize,
    /// Distinct targets checked.
    pub targets: usize,
    /// Targets and citations per status (statuses that occur).
    pub counts: Vec<StatusCount>,
    /// Targets that fail the run (status in `--fail-on`, failing for `--fail-after` runs).
    pub failing: usize,
    /// What archiving wrote, when enabled.
    pub archive: Option<ArchiveStats>,
    /// Ctrl-C stopped the run: targets not checked are `skipped` in the tables.
    pub interrupted: bool,
}

/// Runs `citecheck check`: extract, plan, check (or reuse fresh `ok` results), record the run
/// in the history, write the tables atomically into the output folder, and the summary to
/// `out`.
///
/// # Errors
/// Setup failures (the HTTP client, the history database, the output folder); broken links
/// are results.
pub fn run_check(cfg: &CheckConfig, out: &mut dyn Write, diag: &mut dyn Write) -> Result<CheckSummary> {
    run(cfg, out, diag).map(|r| r.summary)
}

/// A check run: its summary, and what `repair` rewrites documents from.
#[derive(Debug, Default)]
pub(crate) struct Ran {
    /// What the run found.
    pub summary: CheckSummary,
    /// Every citation read (none when no input could be read).
    pub citations: Option<RunCitations>,
    /// The archived copies found (`--repair`).
    pub repairs: Vec<Repair>,
}

/// [`run_check`], keeping the citations and repairs.
pub(crate) fn run(cfg: &CheckConfig, out: &mut dyn Write, diag: &mut dyn Write) -> Result<Ran> {
    let started = Instant::now();
    let mut failed_inputs = Vec::new();
    let _locks = lock_folders(cfg)?;
    let Some(Inputs { citations, targets, dates }) = read_inputs(cfg, diag, &mut failed_inputs)? else {
        return Ok(Ran {
            summary: CheckSummary { failed_inputs, ..CheckSummary::default() },
            ..Ran::default()
        });
    };
    let started_at = now();
    let mut history = History::open(cfg.db.as_deref(), &started_at, &cfg.inputs, &options_json(cfg))?;
    let rules = Rules { include: &cfg.include, exclude: &cfg.exclude };
    // The outcomes decided before fetching (excluded, cached) start the log.
    let mut log = OutcomeLog::new(&cfg.out, targets.len())?;
    plan::plan(&targets, rules, cfg.reuse, |t| history.last(t), |i, o| log.put(i, &o))?;
    // Extraction's memory is freed: give it back before the fetch's threads start.
    crate::memory::give_back();
    let archive = open_archive(cfg, &started_at)?;
    let runtime = runtime()?;
    let stop = Arc::new(fetch::Stop::default());
    runtime.spawn(stop_on_ctrl_c(stop.clone()));
    let (fetched, outcomes) = fetch_all(cfg, &targets, log, archive.as_ref(), &mut history, &runtime, &stop)?;
    let archived = close_archive(archive, &targets, &outcomes, &citations)?;
    if let Some(hosts) = fetched.offline {
        history.end_offline()?;
        return Err(Error::NetworkDown { hosts, out: cfg.out.clone() });
    }
    crate::memory::give_back();
    let end = if fetched.interrupted { RunEnd::Interrupted } else { RunEnd::Complete };
    let (standings, changes) = history.finish(&targets, outcomes.statuses(), &cfg.failing, end)?;
    // Archived copies and Save Page Now, after a complete fetch only.
    let complete = !fetched.interrupted;
    let facts = RepairFacts {
        citations: &citations,
        targets: &targets,
        outcomes: &outcomes,
        dates: &dates,
        standings: standings.as_ref(),
        started_at: &started_at,
    };
    let repairs = cfg
        .repair
        .as_ref()
        .filter(|_| complete)
        .map(|o| look_up_repairs(cfg, o, &facts, &runtime, &stop))
        .transpose()?;
    let pushes = cfg
        .push
        .as_ref()
        .filter(|_| complete)
        .map(|p| push_live(cfg, p, &targets, &outcomes, &mut history, &runtime, &stop))
        .transpose()?;
    // Interrupted: targets left unchecked, or look-ups and pushes cut short.
    let interrupted = fetched.interrupted || (stop.asked() && (repairs.is_some() || pushes.is_some()));
    let run = CheckRun {
        citations: &citations,
        targets: &targets,
        outcomes: &outcomes,
        symbol_lang: &cfg.symbol_lang,
        standings: standings.as_ref(),
        changes: &changes,
        failing: &cfg.failing,
        repairs: repairs.as_deref(),
        pushes: pushes.as_deref(),
    };
    write_tables(&run, cfg)?;
    warn_if_archiving_stopped(archived.as_ref(), diag);
    write_summary(&run, cfg, archived.as_ref(), started.elapsed(), out)?;
    let summary = CheckSummary {
        failed_inputs,
        citations: citations.len(),
        targets: targets.len(),
        counts: status_counts(&targets, outcomes.statuses()).into_iter().filter(|c| c.targets > 0).collect(),
        failing: run.failing_count(),
        archive: archived,
        interrupted,
    };
    Ok(Ran { summary, repairs: repairs.unwrap_or_default(), citations: Some(citations) })
}

/// The async runtime of a run (fetching, look-ups, pushes and the Ctrl-C listener).
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Config(format!("cannot start the async runtime: {e}")))
}

/// What repair needs to know of the run.
struct RepairFacts<'a> {
    citations: &'a RunCitations,
    targets: &'a Targets,
    outcomes: &'a RunOutcomes,
    dates: &'a HashMap<String, DocumentDates>,
    standings: Option<&'a crate::types::Standings>,
    started_at: &'a str,
}

/// Looks up an archived copy for every failing citation (`--repair`).
fn look_up_repairs(
    cfg: &CheckConfig,
    opts: &RepairOptions,
    f: &RepairFacts<'_>,
    runtime: &tokio::runtime::Runtime,
    stop: &fetch::Stop,
) -> Result<Vec<Repair>> {
    // This run's own captures of a failing target are the failure itself: only earlier ones.
    let stamp: String = f.started_at.chars().filter(char::is_ascii_digit).take(14).collect();
    let index =
        cfg.archive.as_ref().and_then(|a| std::fs::read_to_string(a.dir.join("index.cdxj")).ok()).map(|i| {
            i.lines()
                .filter(|l| l.split(' ').nth(1).is_some_and(|ts| ts < stamp.as_str()))
                .collect::<Vec<_>>()
                .join("\n")
        });
    let facts = repair::Facts {
        citations: f.citations,
        targets: f.targets,
        statuses: f.outcomes.statuses(),
        failing: &cfg.failing,
        dates: f.dates,
        standings: f.standings,
        own_index: index.as_deref(),
    };
    let plan = repair::plan(&facts, opts)?;
    let found = if plan.lookups.is_empty() {
        Vec::new()
    } else {
        runtime.block_on(fetch::find_archived(&plan.lookups, &cfg.fetch, opts, stop))?
    };
    Ok(repair::rows(plan, &found))
}

/// Pushes every live URL to Save Page Now unless the history pushed it, or the archive
/// captured it, within `--push-max-age` (`--push-archive`). Never a failing URL.
fn push_live(
    cfg: &CheckConfig,
    p: &repair::PushOptions,
    targets: &Targets,
    outcomes: &RunOutcomes,
    history: &mut History,
    runtime: &tokio::runtime::Runtime,
    stop: &fetch::Stop,
) -> Result<Vec<Push>> {
    let cutoff_at = std::time::SystemTime::now().checked_sub(p.max_age).unwrap_or(std::time::UNIX_EPOCH);
    let cutoff = humantime::format_rfc3339_seconds(cutoff_at).to_string();
    let since = crate::types::Ymd::parse(&cutoff).unwrap_or(crate::types::Ymd { y: 1996, m: 1, d: 1 });
    let mut rows = Vec::new();
    let mut to_push = Vec::new();
    for (i, &status) in outcomes.statuses().iter().enumerate().take(targets.len()) {
        if targets.kind(i) != Kind::Url || status != Status::Ok {
            continue;
        }
        match history.last_push(targets.value(i))? {
            Some(at) if at >= cutoff => {
                let note = format!("pushed or found captured on {at}");
                rows.push(Push { target: i, result: "pushed-before", timestamp: String::new(), note });
            }
            _ => to_push.push(i),
        }
    }
    let urls: Vec<String> = to_push.iter().map(|&i| targets.value(i).to_string()).collect();
    let results = if urls.is_empty() {
        Vec::new()
    } else {
        runtime.block_on(fetch::push_all(&urls, &cfg.fetch, &p.wayback, &p.keys, since, stop))?
    };
    for (i, r) in to_push.into_iter().zip(results) {
        let row = match r {
            fetch::Pushed::Saved(ts) => {
                Push { target: i, result: "saved", timestamp: ts, note: String::new() }
            }
            fetch::Pushed::Recent(ts) => Push {
                target: i,
                result: "recent",
                timestamp: ts,
                note: "captured within --push-max-age".into(),
            },
            fetch::Pushed::Failed(why) => {
                Push { target: i, result: "error", timestamp: String::new(), note: why }
            }
        };
        if row.result != "error" {
            history.record_push(targets.value(i), row.result, &row.timestamp)?;
        }
        rows.push(row);
    }
    rows.sort_by_key(|r| r.target);
    Ok(rows)
}

/// The first Ctrl-C asks the fetch stage to stop (requests in flight get a short grace, the
/// tables and the archive are still written); the second quits at once. Files stay valid
/// either way: tables are replaced atomically, an open WARC is recovered by the next run, the
/// history commits whole batches.
async fn stop_on_ctrl_c(stop: Arc<fetch::Stop>) {
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    eprintln!(
        "\ncitecheck: interrupted: finishing the requests in flight (at most {}s), then writing the tables; Ctrl-C again to quit at once",
        fetch::STOP_GRACE.as_secs()
    );
    stop.ask();
    if tokio::signal::ctrl_c().await.is_ok() {
        eprintln!("citecheck: quit at once: the tables were not written");
        std::process::exit(130);
    }
}

/// What the inputs hold.
struct Inputs {
    /// Every citation, on disk in the output folder.
    citations: RunCitations,
    /// The distinct targets, in order of first citation.
    targets: Targets,
    /// The dates each input states (with `--repair`).
    dates: HashMap<String, DocumentDates>,
}

/// The plan's input: the citations of every readable input, kept on disk as they are read,
/// and their targets (`None` when no input could be read, and the tables are left as they
/// were).
fn read_inputs(cfg: &CheckConfig, diag: &mut dyn Write, failed: &mut Vec<String>) -> Result<Option<Inputs>> {
    let mut log = CitationLog::new(&cfg.out)?;
    let mut targets = plan::Gather::new(&cfg.symbol_lang);
    let keep = |rows: Vec<Citation>| {
        for c in &rows {
            targets.add(c, log.push(c)?)?;
        }
        Ok(())
    };
    let (inputs, format, max) = (&cfg.inputs, cfg.input_format, cfg.max_input_size);
    let dates = run::read_each(inputs, format, max, cfg.repair.is_some(), diag, failed, keep)?;
    if failed.len() == cfg.inputs.len() {
        let out = cfg.out.display();
        let _ = writeln!(diag, "citecheck: no input could be read; the tables in {out} were left unchanged");
        return Ok(None);
    }
    if cfg.fetch.insecure {
        let _ =
            writeln!(diag, "citecheck: WARNING: --insecure: TLS certificates are NOT verified in this run");
    }
    Ok(Some(Inputs { citations: log.finish()?, targets: targets.finish(), dates }))
}

/// Makes sure every output can be written before the first request, and locks the output
/// folder and the archive folder for this run (one run per folder at a time: two runs on
/// one archive would rename each other's open files). The history database is opened next,
/// also before any request.
fn lock_folders(cfg: &CheckConfig) -> Result<Vec<output::FolderLock>> {
    let mut locks = vec![output::lock_folder(&cfg.out, "--out")?];
    if let Some(path) = &cfg.junit {
        output::check_writable(path)?;
    }
    if let Some(a) = &cfg.archive {
        let same = |a: &std::path::Path, b: &std::path::Path| {
            std::fs::canonicalize(a).ok().is_some_and(|a| std::fs::canonicalize(b).ok() == Some(a))
        };
        std::fs::create_dir_all(&a.dir)
            .map_err(|source| Error::WriteOutput { path: a.dir.clone(), source })?;
        if !same(&a.dir, &cfg.out) {
            locks.push(output::lock_folder(&a.dir, "--archive")?);
        }
    }
    Ok(locks)
}

/// Says on standard error, whatever the summary format, that archiving stopped and why.
fn warn_if_archiving_stopped(archived: Option<&ArchiveStats>, diag: &mut dyn Write) {
    if let Some(why) = archived.and_then(|a| a.stopped.as_deref()) {
        let _ = writeln!(
            diag,
            "citecheck: error: archiving stopped: {why}. The tables are complete; the archive keeps what was written before (free space and run again to archive the rest)"
        );
    }
}

/// The fetch stage on the run's runtime, results going to the run's outcome log (on disk
/// in the output folder), the history and the progress bar.
fn fetch_all(
    cfg: &CheckConfig,
    targets: &Targets,
    mut log: OutcomeLog,
    archive: Option<&Archive>,
    history: &mut History,
    runtime: &tokio::runtime::Runtime,
    stop: &fetch::Stop,
) -> Result<(fetch::Fetched, RunOutcomes)> {
    let mut progress = Progress::new(cfg.progress, targets.len());
    let preset: Vec<bool> = (0..targets.len()).map(|i| log.has(i)).collect();
    let decided = fetch::Decided { done: preset.clone(), known_good: log.cached_ok().collect() };
    let mut batches = history.sink(targets);
    let exchanges = archive.map(Archive::sink);
    let fetched = {
        let mut sinks = Fanout(vec![&mut log, &mut batches, &mut progress]);
        runtime.block_on(fetch::check_all(targets, decided, &cfg.fetch, exchanges, &mut sinks, stop))?
    };
    progress.finish();
    log.fill(|| Outcome::decided(Status::Skipped, "not checked: the run was interrupted"))?;
    let outcomes = log.finish()?;
    // The outcomes decided before fetching are results of this run too.
    let mut reader = outcomes.reader();
    let decided = preset.iter().enumerate().filter(|(_, &d)| d).map(|(i, _)| Ok((i, reader.get(i)?)));
    batches.finish(decided)?;
    Ok((fetched, outcomes))
}

fn open_archive(cfg: &CheckConfig, started_at: &str) -> Result<Option<Archive>> {
    let Some(a) = &cfg.archive else { return Ok(None) };
    let opts = crate::archive::WriterOptions {
        max_file_size: a.warc_size,
        software: format!("citecheck/{} ({})", env!("CARGO_PKG_VERSION"), env!("CARGO_PKG_REPOSITORY")),
        info: vec![
            ("http-header-user-agent".to_string(), cfg.fetch.user_agent.clone()),
            ("description".to_string(), format!("citations of {}", cfg.inputs.join(", "))),
            ("citecheck-options".to_string(), options_json(cfg)),
        ],
        stamp: started_at.chars().filter(char::is_ascii_digit).take(14).collect(),
    };
    Archive::open(&a.dir, opts, a.max_resource_size)
        .map(Some)
        .map_err(|source| Error::WriteOutput { path: a.dir.clone(), source })
}

/// Writes a metadata record per archived target (its audit facts), then closes the archive.
///
/// # Errors
/// An outcome cannot be read back (after the archive is closed: what was written stays).
fn close_archive(
    archive: Option<Archive>,
    targets: &Targets,
    outcomes: &RunOutcomes,
    citations: &RunCitations,
) -> Result<Option<ArchiveStats>> {
    let Some(archive) = archive else { return Ok(None) };
    let mut unread = None;
    let mut cites = citations.reader();
    let facts = targets.iter().zip(outcomes.iter()).filter_map(|(t, o)| {
        let read = o.and_then(|o| Ok((footnote_labels(&mut cites, &t)?, o)));
        let (labels, o) = match read {
            Ok(read) => read,
            Err(e) => {
                unread.get_or_insert(e);
                return None;
            }
        };
        let capture = *o.capture?;
        let mut fields = vec![
            ("citecheck-kind".to_string(), t.kind.as_str().to_string()),
            ("citecheck-value".to_string(), t.value.to_string()),
            ("citecheck-status".to_string(), o.status.as_str().to_string()),
            ("citecheck-http-status".to_string(), o.http_status.map(|s| s.to_string()).unwrap_or_default()),
            ("citecheck-final-url".to_string(), o.final_url.to_string()),
            ("citecheck-checked-at".to_string(), o.checked_at.to_string()),
            ("citecheck-footnotes".to_string(), labels.join(";")),
            ("citecheck-payload-sha256".to_string(), capture.payload_sha256.clone()),
        ];
        if !o.error.is_empty() {
            fields.push(("citecheck-error".to_string(), o.error));
        }
        Some(Facts { capture, fields })
    });
    let stats = archive.close(facts);
    unread.map_or(Ok(Some(stats)), Err)
}

fn write_tables(run: &CheckRun<'_>, cfg: &CheckConfig) -> Result<()> {
    std::fs::create_dir_all(&cfg.out)
        .map_err(|source| Error::WriteOutput { path: cfg.out.clone(), source })?;
    let repairs = run.repairs.map(|_| &report::REPAIRS);
    let pushes = run.pushes.map(|_| &report::PUSHES);
    for table in report::TABLES.iter().chain(repairs).chain(pushes) {
        output::write_atomic_with(&cfg.out.join(table.name), |w| (table.write)(run, w))?;
    }
    let replay = cfg.replay_url.as_deref();
    output::write_atomic_with(&cfg.out.join(REPORT), |w| report::report_html(run, replay, w))?;
    if let Some(path) = &cfg.junit {
        output::write_atomic_with(path, |w| report::junit(run, w))?;
    }
    Ok(())
}

fn write_summary(
    run: &CheckRun<'_>,
    cfg: &CheckConfig,
    archived: Option<&ArchiveStats>,
    elapsed: Duration,
    out: &mut dyn Write,
) -> Result<()> {
    let text = match cfg.summary {
        SummaryFormat::Text => {
            let mut t = report::summary_text(run, elapsed, &cfg.out, cfg.fetch.insecure)?;
            if let (Some(a), Some(dir)) = (archived, cfg.archive.as_ref()) {
                t.push_str(&format!(
                    "citecheck: archived {} responses and {} revisits ({} bytes) in {}.\n",
                    a.responses,
                    a.revisits,
                    a.bytes,
                    dir.dir.display()
                ));
                if a.stopped.is_some() {
                    t.push_str("citecheck: archiving STOPPED early (see the error above): the archive is incomplete.\n");
                }
            }
            t
        }
        SummaryFormat::Markdown => report::summary_markdown(run)?,
        SummaryFormat::Json => report::summary_json(run)?,
    };
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|source| Error::WriteOutput { path: PathBuf::from("<stdout>"), source })
}

/// The options of a run, as the history and the WARC `warcinfo` record keep them.
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
        "fail_on": cfg.failing.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "fail_after": cfg.failing.after,
        "cache_ttl_s": match cfg.reuse { plan::Reuse::FreshOk(d) => Some(d.as_secs()), _ => None },
        "reuse_latest": cfg.reuse == plan::Reuse::Latest,
    })
    .to_string()
}
