//! The flags. Options of `check` are `Option`s (absent: the file or the default decides);
//! booleans come in pairs (`--insecure`/`--no-insecure`) so a flag always wins over the file.
//! Defaults shown in `--help` are read from the library's constants.

use citecheck::{DEFAULT_HOST_CONCURRENCY, DEFAULT_MAX_CONCURRENCY, DEFAULT_RETRIES};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

/// Extract, check and archive the citations of official documents.
#[derive(Debug, Parser)]
#[command(name = "citecheck", version, about, long_about = None, propagate_version = true, args_override_self = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every citation (footnote URLs, document symbols, body links and resolution
    /// references) of the inputs, one row per occurrence, in document order.
    Extract(ExtractArgs),
    /// Extract, then check every distinct URL and document symbol, write the status tables and
    /// record the run in the history. Exit 0: nothing failing; 1: some target has a status in
    /// --fail-on; 2: input, configuration or I/O error.
    Check(Box<CheckArgs>),
    /// Shorthand for `check --archive archive/`: check, and keep what every target served as
    /// WARC 1.1 (give --archive DIR to choose the folder).
    Archive(Box<CheckArgs>),
    /// Check one Markdown or HTML document (reusing the history's latest results, fetching
    /// what it lacks), find the archived copy of each dead citation nearest the date it was
    /// cited (as `check --repair`, which also writes repairs.csv), and write a repaired copy:
    /// dead links point to their verified copies, nothing else changes.
    Repair(Box<RepairArgs>),
    /// Show the timeline of one URL or document symbol from the run history.
    History(HistoryArgs),
    /// Package an archive folder (WARC files and index.cdxj) as one WACZ file that
    /// ReplayWeb.page and pywb open.
    #[command(name = "export-wacz")]
    ExportWacz(ExportWaczArgs),
    /// Print a completion script for a shell, e.g.
    /// `citecheck completions bash > ~/.local/share/bash-completion/completions/citecheck`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `citecheck man > ~/.local/share/man/man1/citecheck.1`;
    /// `citecheck man check` prints the page of one command (`citecheck-check.1`).
    Man {
        /// A command whose page to print.
        command: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct ExportWaczArgs {
    /// The archive folder written by `check --archive` (or `archive`).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The WACZ file to write (atomically).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Title of the collection (default: from the folder's name).
    #[arg(long)]
    pub title: Option<String>,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// The URL or UN document symbol, as cited.
    #[arg(value_name = "URL-OR-SYMBOL")]
    pub target: String,
    /// The history database.
    #[arg(long, value_name = "PATH", default_value = citecheck::DEFAULT_DB)]
    pub db: PathBuf,
    /// Show at most this many runs, newest first.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    /// Documents to read: paths, globs (`reports/*.docx`), or `-` for standard input.
    #[arg(required_unless_present = "files_from", value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Also read the documents listed in FILE, one path or glob a line (`#` comments).
    #[arg(long, value_name = "FILE")]
    pub files_from: Option<PathBuf>,
    /// Write the table to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Table format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Read every input as this format instead of detecting it from the name and content.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormatArg>,
    #[arg(long, value_name = "SIZE", help = max_input_help())]
    pub max_input_size: Option<SizeArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum InputFormatArg {
    Md,
    Html,
    Text,
    Docx,
    Odt,
    Pdf,
}

impl InputFormatArg {
    pub fn into_format(self) -> citecheck::InputFormat {
        match self {
            InputFormatArg::Md => citecheck::InputFormat::Markdown,
            InputFormatArg::Html => citecheck::InputFormat::Html,
            InputFormatArg::Text => citecheck::InputFormat::Text,
            InputFormatArg::Docx => citecheck::InputFormat::Docx,
            InputFormatArg::Odt => citecheck::InputFormat::Odt,
            InputFormatArg::Pdf => citecheck::InputFormat::Pdf,
        }
    }
}

impl ExtractArgs {
    pub fn into_config(self) -> anyhow::Result<citecheck::ExtractConfig> {
        Ok(citecheck::ExtractConfig {
            inputs: super::layers::expand_inputs(self.inputs, self.files_from.as_deref())?,
            input_format: self.input_format.map(InputFormatArg::into_format),
            format: match self.format {
                Format::Csv => citecheck::OutputFormat::Csv,
                Format::Json => citecheck::OutputFormat::Json,
            },
            output: self.output,
            max_input_size: self.max_input_size.map_or(citecheck::DEFAULT_MAX_INPUT_SIZE, |s| s.0),
        })
    }
}

#[derive(Debug, clap::Args)]
pub struct RepairArgs {
    #[command(flatten)]
    pub check: CheckArgs,
    /// The repaired document to write (atomically).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// append: keep each dead link and add its archived copy (HTML: Robust Links
    /// data-versionurl/data-versiondate); replace: point the link to the copy.
    #[arg(long, value_enum, value_name = "STYLE", default_value = "append")]
    pub repair_style: RepairStyleArg,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RepairStyleArg {
    Append,
    Replace,
}

#[derive(Debug, Clone, Copy, ValueEnum, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MethodArg {
    Auto,
    Head,
    Get,
}

#[derive(Debug, Clone, Copy, ValueEnum, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SummaryArg {
    Text,
    Markdown,
    Json,
}

/// `text [default: value]`.
fn with_default(text: &str, default: impl std::fmt::Display) -> String {
    format!("{text} [default: {default}]")
}

fn out_help() -> String {
    let names: Vec<&str> = citecheck::tables().iter().map(|t| t.0).collect();
    with_default(
        &format!("Folder for the tables ({}) and report.html", names.join(", ")),
        citecheck::DEFAULT_OUT,
    )
}

fn max_input_help() -> String {
    with_default(
        "Refuse inputs larger than SIZE, e.g. 500MB (text takes ~10x its size in memory)",
        citecheck::DEFAULT_MAX_INPUT_SIZE,
    )
}

fn duration_help(text: &str, default: Duration) -> String {
    with_default(text, humantime::format_duration(default))
}

/// Options of `check`. Every option can also be set in `citecheck.toml` (or `--config FILE`)
/// under the same name; flags given on the command line win.
#[derive(Debug, Default, clap::Args)]
pub struct CheckArgs {
    /// Documents to check: paths, globs (`reports/*.docx`), or `-` for standard input.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Also check the documents listed in FILE, one path or glob a line (`#` comments).
    #[arg(long, value_name = "FILE")]
    pub files_from: Option<PathBuf>,
    /// Configuration file [default: ./citecheck.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[arg(long, value_name = "DIR", help = out_help())]
    pub out: Option<PathBuf>,
    /// Read every input as this format instead of detecting it.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormatArg>,
    #[arg(long, value_name = "N", help = with_default("Requests in flight at most, over all hosts", DEFAULT_MAX_CONCURRENCY))]
    pub max_concurrency: Option<usize>,
    #[arg(long, value_name = "N", help = with_default("Requests in flight at most to one host", DEFAULT_HOST_CONCURRENCY))]
    pub host_concurrency: Option<usize>,
    #[arg(long, value_name = "DURATION", help = duration_help("Minimum time between two request starts to one host", citecheck::DEFAULT_HOST_INTERVAL))]
    pub host_interval: Option<DurationArg>,
    /// Allow a --host-interval over an hour.
    #[arg(long)]
    pub allow_slow: bool,
    #[arg(long, value_name = "DURATION", help = duration_help("Total time allowed per request", citecheck::DEFAULT_TIMEOUT))]
    pub timeout: Option<DurationArg>,
    #[arg(long, value_name = "DURATION", help = duration_help("Total time allowed per target: every method, redirect, retry and wait", citecheck::DEFAULT_TARGET_TIMEOUT))]
    pub target_timeout: Option<DurationArg>,
    #[arg(long, value_name = "SIZE", help = max_input_help())]
    pub max_input_size: Option<SizeArg>,
    #[arg(long, visible_alias = "max-retries", value_name = "N", help = with_default("Retries of transient failures (timeouts, resets, 429, 5xx)", DEFAULT_RETRIES))]
    pub retries: Option<u32>,
    /// An extra request header, "Name: value" (repeatable; per-host headers go in
    /// citecheck.toml as [[headers]] host = "…", name = "…", value = "…").
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    #[arg(long, value_name = "N", help = with_default("Redirect hops followed at most", citecheck::DEFAULT_MAX_REDIRECTS))]
    pub max_redirects: Option<usize>,
    /// Send every request through this proxy (instead of HTTP_PROXY/HTTPS_PROXY/ALL_PROXY;
    /// NO_PROXY still applies). --deny-private still checks each target itself.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    #[arg(long, value_name = "DURATION", help = duration_help("Longest wait before one retry, Retry-After included", citecheck::DEFAULT_MAX_RETRY_WAIT))]
    pub max_retry_wait: Option<DurationArg>,
    /// auto: GET for pages (their first 64 KiB, so soft 404s show), HEAD for files known not to
    /// be HTML (GET when HEAD is rejected); or one method only [default: auto].
    #[arg(long, value_enum)]
    pub method: Option<MethodArg>,
    /// User-Agent header [default: citecheck/<version> (+<repository>)].
    #[arg(long, value_name = "TEXT")]
    pub user_agent: Option<String>,
    /// Send requests for HOST:PORT to ADDR, as curl does; ADDR may carry its own port
    /// (`www.un.org:443:127.0.0.1:8443`). Repeatable.
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<String>,
    /// Also trust the certificates in this PEM file. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub cacert: Vec<PathBuf>,
    /// Do not verify TLS certificates (reported loudly in the output).
    #[arg(long, overrides_with = "no_insecure")]
    pub insecure: bool,
    /// Verify TLS certificates (overrides `insecure = true` in the configuration file).
    #[arg(long, overrides_with = "insecure")]
    pub no_insecure: bool,
    /// Refuse targets on loopback, private, link-local and unique-local addresses and cloud
    /// metadata endpoints, also after redirects and DNS resolution (reported as excluded).
    #[arg(long, overrides_with = "no_deny_private")]
    pub deny_private: bool,
    /// Allow private addresses (overrides `deny-private = true` in the configuration file).
    #[arg(long, overrides_with = "deny_private")]
    pub no_deny_private: bool,
    /// Exclude targets whose value or URL matches REGEX (unless an --include matches). Repeatable.
    #[arg(long, value_name = "REGEX")]
    pub exclude: Vec<String>,
    /// Check only targets whose value or URL matches one of these. Repeatable.
    #[arg(long, value_name = "REGEX")]
    pub include: Vec<String>,
    #[arg(long, value_name = "LANG", help = with_default(&format!("Language of symbol look-ups and undocs.org links: {}", citecheck::SYMBOL_LANGS.join(", ")), citecheck::DEFAULT_SYMBOL_LANG))]
    pub symbol_lang: Option<String>,
    #[arg(long, value_name = "STATUSES", value_delimiter = ',', help = with_default("Statuses that fail the run (exit 1), comma-separated", citecheck::Failing::default_statuses().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")))]
    pub fail_on: Option<Vec<String>>,
    #[arg(long, value_name = "PATH", help = with_default("History database", citecheck::DEFAULT_DB))]
    pub db: Option<PathBuf>,
    /// Keep no history (no database is opened or written).
    #[arg(long)]
    pub no_db: bool,
    /// Do not fetch targets whose last result was ok within DURATION (e.g. 1d); they are
    /// reported with their last result and cached=true. Failures are never cached.
    #[arg(long, value_name = "DURATION")]
    pub cache_ttl: Option<DurationArg>,
    /// A failing target fails the run only after N consecutive failing runs [default: 1].
    #[arg(long, value_name = "N")]
    pub fail_after: Option<u32>,
    /// Summary on standard output: one paragraph, Markdown (CI job summary, PR comment) or JSON
    /// [default: text].
    #[arg(long, value_enum)]
    pub format: Option<SummaryArg>,
    /// Also write JUnit XML (one test case per citation) to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Archive what every target served as WARC 1.1 in DIR (GET only; request, response per
    /// redirect hop, revisits for unchanged payloads, metadata; DIR/index.cdxj).
    #[arg(long, value_name = "DIR")]
    pub archive: Option<PathBuf>,
    #[arg(long, value_name = "SIZE", help = with_default("Bytes of one body archived at most, e.g. 100MB", citecheck::DEFAULT_MAX_ARCHIVE_SIZE))]
    pub max_archive_size: Option<SizeArg>,
    #[arg(long, value_name = "SIZE", help = with_default("Start a new WARC file at this size, e.g. 1GB", citecheck::DEFAULT_WARC_SIZE))]
    pub warc_size: Option<SizeArg>,
    /// For every failing citation (and soft 404), find the archived copy nearest the date the
    /// document cited it (own captures, then the Wayback Machine; each memento verified) and
    /// write repairs.csv.
    #[arg(long)]
    pub repair: bool,
    /// The date the citations were made, when the document states none (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub cited_at: Option<String>,
    /// Base URL of the Wayback Machine (CDX server and mementos).
    #[arg(long, value_name = "URL", default_value = citecheck::DEFAULT_WAYBACK_URL)]
    pub wayback_url: String,
    /// URL prefix of a replay service for the archive's captures (pywb:
    /// http://localhost:8080/my-coll): report.html and repairs link PREFIX/TIMESTAMP/URL.
    #[arg(long, value_name = "PREFIX")]
    pub replay_url: Option<String>,
    /// Ask the Wayback Machine's Save Page Now to capture every live (ok) URL it has not
    /// captured within --push-max-age; writes pushes.csv. Keys of an archive.org account come
    /// from CITECHECK_SPN_ACCESS_KEY and CITECHECK_SPN_SECRET_KEY (never from the command line).
    #[arg(long)]
    pub push_archive: bool,
    #[arg(
        long,
        value_name = "DURATION",
        help = "Do not push a URL captured or pushed more recently than this [default: 30d]"
    )]
    pub push_max_age: Option<DurationArg>,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

/// A duration: plain seconds (`5`, `0.5`) or with a unit (`500ms`, `2s`, `1m`, `1d`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationArg(pub Duration);

impl std::str::FromStr for DurationArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if let Ok(secs) = s.parse::<f64>() {
            if secs.is_finite() && secs >= 0.0 {
                return Ok(DurationArg(Duration::from_secs_f64(secs)));
            }
        }
        humantime::parse_duration(s).map(DurationArg).map_err(|e| {
            format!("'{s}' is not a duration ({e}); write seconds (5) or a unit (500ms, 2s, 1m, 1d)")
        })
    }
}

impl<'de> serde::Deserialize<'de> for DurationArg {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Secs(f64),
            Text(String),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Secs(n) => n.to_string(),
            Raw::Text(t) => t,
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A size in bytes: `5000`, `100MB`, `1GB`, `64KiB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeArg(pub u64);

impl std::str::FromStr for SizeArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let n: u64 = num
            .parse()
            .map_err(|_| format!("'{s}' is not a size: write bytes (5000) or a unit (100MB, 1GB)"))?;
        let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1,
            "kb" | "k" => 1_000,
            "mb" | "m" => 1_000_000,
            "gb" | "g" => 1_000_000_000,
            "kib" => 1 << 10,
            "mib" => 1 << 20,
            "gib" => 1 << 30,
            _ => return Err(format!("'{s}': unknown unit; use B, KB, MB, GB, KiB, MiB or GiB")),
        };
        n.checked_mul(mult).map(SizeArg).ok_or_else(|| format!("'{s}' is too large"))
    }
}

impl<'de> serde::Deserialize<'de> for SizeArg {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bytes(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Bytes(n) => Ok(SizeArg(n)),
            Raw::Text(t) => t.parse().map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn durations_and_sizes() {
        let d = |s: &str| s.parse::<DurationArg>().map(|d| d.0);
        assert_eq!(d("5"), Ok(Duration::from_secs(5)));
        assert_eq!(d("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(d("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(d("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(d("1d"), Ok(Duration::from_secs(86_400)));
        assert!(d("soon").is_err());
        let s = |v: &str| v.parse::<SizeArg>().map(|s| s.0);
        assert_eq!(s("100MB"), Ok(100_000_000));
        assert_eq!(s("64KiB"), Ok(65_536));
        assert!(s("3 parsecs").is_err());
    }

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn help_shows_the_library_defaults_and_tables() {
        let help = Cli::command()
            .find_subcommand_mut("check")
            .map(|c| c.render_help().to_string())
            .unwrap_or_default();
        assert!(help.contains(&format!("[default: {DEFAULT_MAX_CONCURRENCY}]")), "{help}");
        assert!(help.contains("links.csv, citations.csv, summary.csv, hosts.csv, changes.csv"), "{help}");
        assert!(help.contains("[default: 100ms]"), "{help}");
    }
}
