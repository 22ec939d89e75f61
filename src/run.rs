//! The commands as library calls: configuration in, summary out. The binary only parses
//! arguments and maps the summary to an exit code.

use crate::error::{Error, Result};
use crate::extract::{self, InputFormat};
use crate::fetch::{self, FetchConfig};
use crate::types::{Citation, Kind, Outcome, Status, Target};
use crate::{output, report};
use regex::Regex;
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
    let rows = read_all(&cfg.inputs, cfg.input_format, diag, &mut summary.failed_inputs);
    let bytes = match cfg.format {
        OutputFormat::Csv => report::citations_csv(&rows)?,
        OutputFormat::Json => report::citations_json(&rows)?,
    };
    match &cfg.output {
        Some(path) => output::write_atomic(path, &bytes)?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|()| out.flush())
                .map_err(|source| Error::WriteOutput { path: PathBuf::from("<stdout>"), source })?;
        }
    }
    summary.citations = rows.len();
    Ok(summary)
}

/// Reads and extracts every input, reporting (and skipping) the ones that fail.
fn read_all(
    inputs: &[String],
    format: Option<InputFormat>,
    diag: &mut dyn Write,
    failed: &mut Vec<String>,
) -> Vec<Citation> {
    let mut rows = Vec::new();
    for input in inputs {
        match extract::read_input(input, format) {
            Ok(doc) => {
                for w in &doc.warnings {
                    let _ = writeln!(diag, "citecheck: warning: {w}");
                }
                rows.extend(extract::extract(&doc));
            }
            Err(e) => {
                let _ = writeln!(diag, "citecheck: error: {e}");
                failed.push(input.clone());
            }
        }
    }
    rows
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
    /// Statuses that make the run fail (exit 1).
    pub fail_on: Vec<Status>,
    /// Show a progress bar on a terminal.
    pub progress: bool,
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
    /// Targets whose status is in `fail_on`.
    pub failing: usize,
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

/// Runs `citecheck check`: extract, de-duplicate, check, write `links.csv`, `citations.csv`,
/// `summary.csv` and `hosts.csv` atomically into `cfg.out`.
///
/// # Errors
/// Setup failures (the HTTP client, the output folder); broken links are results.
pub fn run_check(cfg: &CheckConfig, diag: &mut dyn Write) -> Result<CheckSummary> {
    let started = std::time::Instant::now();
    let mut summary = CheckSummary::default();
    let citations = read_all(&cfg.inputs, cfg.input_format, diag, &mut summary.failed_inputs);
    let targets = targets_of(&citations, &cfg.symbol_lang);
    if cfg.fetch.insecure {
        let _ =
            writeln!(diag, "citecheck: WARNING: --insecure: TLS certificates are NOT verified in this run");
    }
    let preset: Vec<Option<Outcome>> = targets.iter().map(|t| excluded_by_rule(cfg, t)).collect();
    let bar = progress_bar(cfg.progress, targets.len());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Config(format!("cannot start the async runtime: {e}")))?;
    let mut counts: HashMap<Status, usize> = HashMap::new();
    let outcomes = runtime.block_on(fetch::check_all(&targets, preset, &cfg.fetch, |o| {
        *counts.entry(o.status).or_default() += 1;
        if let Some(bar) = &bar {
            bar.inc(1);
            let so_far: Vec<String> =
                Status::ALL.iter().filter_map(|s| counts.get(s).map(|n| format!("{n} {s}"))).collect();
            bar.set_message(so_far.join(" · "));
        }
    }))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let run = report::CheckRun {
        citations: &citations,
        targets: &targets,
        outcomes: &outcomes,
        symbol_lang: &cfg.symbol_lang,
    };
    std::fs::create_dir_all(&cfg.out)
        .map_err(|source| Error::WriteOutput { path: cfg.out.clone(), source })?;
    // Streamed straight into each table's temporary file.
    type Table = fn(&report::CheckRun<'_>, &mut dyn Write) -> Result<()>;
    let tables: [(&str, Table); 4] = [
        ("links.csv", report::links_csv),
        ("citations.csv", report::citations_status_csv),
        ("summary.csv", report::summary_csv),
        ("hosts.csv", report::hosts_csv),
    ];
    for (name, make) in tables {
        output::write_atomic_with(&cfg.out.join(name), |w| make(&run, w))?;
    }
    summary.citations = citations.len();
    summary.targets = targets.len();
    summary.counts = Status::ALL
        .into_iter()
        .map(|s| (s, outcomes.iter().filter(|o| o.status == s).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    summary.failing = outcomes.iter().filter(|o| cfg.fail_on.contains(&o.status)).count();
    let counts: Vec<String> = summary.counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
    let _ = writeln!(
        diag,
        "citecheck: checked {} targets ({} citations) in {:.1}s: {}. {} failing (--fail-on). Tables in {}.{}",
        summary.targets,
        summary.citations,
        started.elapsed().as_secs_f64(),
        if counts.is_empty() { "nothing to check".to_string() } else { counts.join(", ") },
        summary.failing,
        cfg.out.display(),
        if cfg.fetch.insecure { " TLS certificates were NOT verified (--insecure)." } else { "" }
    );
    Ok(summary)
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
        checked_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
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
