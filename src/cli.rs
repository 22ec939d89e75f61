//! Command-line arguments (clap derive) and their translation into library configuration.

use citecheck::fetch;
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
    /// Extract, then check every distinct URL and document symbol and write the status tables
    /// (links.csv, citations.csv, summary.csv, hosts.csv, changes.csv) and record the run in the history. Exit 0: nothing failing; 1: some
    /// target has a status in --fail-on; 2: input, configuration or I/O error.
    Check(Box<CheckArgs>),
    /// Shorthand for `check --archive archive/`: check, and keep what every target served as
    /// WARC 1.1 (give --archive DIR to choose the folder).
    Archive(Box<CheckArgs>),
    /// Show the timeline of one URL or document symbol from the run history.
    History(HistoryArgs),
    /// Package an archive folder (WARC files and index.cdxj) as one WACZ file that
    /// ReplayWeb.page and pywb open.
    #[command(name = "export-wacz")]
    ExportWacz(ExportWaczArgs),
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
    #[arg(long, value_name = "PATH", default_value = ".citecheck/history.sqlite")]
    pub db: PathBuf,
    /// Show at most this many runs, newest first.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    /// Documents to read: paths, or `-` for standard input.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Write the table to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Table format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Read every input as this format instead of detecting it from the name and content.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormatArg>,
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
    fn into_format(self) -> citecheck::InputFormat {
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
    pub fn into_config(self) -> citecheck::ExtractConfig {
        citecheck::ExtractConfig {
            inputs: self.inputs,
            input_format: self.input_format.map(InputFormatArg::into_format),
            format: match self.format {
                Format::Csv => citecheck::OutputFormat::Csv,
                Format::Json => citecheck::OutputFormat::Json,
            },
            output: self.output,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn durations() {
        let d = |s: &str| s.parse::<DurationArg>().map(|d| d.0);
        assert_eq!(d("5"), Ok(Duration::from_secs(5)));
        assert_eq!(d("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(d("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(d("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(d("1d"), Ok(Duration::from_secs(86_400)));
        assert!(d("soon").is_err());
    }

    #[test]
    fn resolve_specs() {
        let r = |s: &str| parse_resolve(s).map(|(h, a)| format!("{h} {a}")).map_err(|e| e.to_string());
        assert_eq!(r("www.un.org:443:127.0.0.1"), Ok("www.un.org 127.0.0.1:443".into()));
        assert_eq!(r("www.un.org:443:127.0.0.1:8443"), Ok("www.un.org 127.0.0.1:8443".into()));
        assert_eq!(r("h:80:[::1]"), Ok("h [::1]:80".into()));
        assert!(r("h:x:1.2.3.4").is_err());
        assert!(r("h:80").is_err());
    }

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
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

#[derive(Debug, Clone, Copy, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MethodArg {
    Auto,
    Head,
    Get,
}

/// Options of `check`. Every option can also be set in `citecheck.toml` (or `--config FILE`)
/// under the same name; flags given on the command line win.
#[derive(Debug, Default, clap::Args, serde::Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CheckArgs {
    /// Documents to check: paths, or `-` for standard input.
    #[arg(value_name = "INPUT")]
    #[serde(default)]
    pub inputs: Vec<String>,
    /// Configuration file [default: ./citecheck.toml when it exists].
    #[arg(long, value_name = "FILE")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Folder for the tables (links, citations, summary, hosts, changes) [default: reports].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Read every input as this format instead of detecting it.
    #[arg(long, value_enum, value_name = "FORMAT")]
    #[serde(skip)]
    pub input_format: Option<InputFormatArg>,
    /// Requests in flight at most, over all hosts [default: 64].
    #[arg(long, value_name = "N")]
    pub max_concurrency: Option<usize>,
    /// Requests in flight at most to one host [default: 4].
    #[arg(long, value_name = "N")]
    pub host_concurrency: Option<usize>,
    /// Minimum time between two request starts to one host [default: 100ms].
    #[arg(long, value_name = "DURATION")]
    pub host_interval: Option<DurationArg>,
    /// Total time allowed per request [default: 20s].
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<DurationArg>,
    /// Retries of transient failures (timeouts, resets, 429, 5xx) [default: 2].
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// Longest wait before one retry, Retry-After included [default: 60s].
    #[arg(long, value_name = "DURATION")]
    pub max_retry_wait: Option<DurationArg>,
    /// HEAD first with GET fallback, or one method only [default: auto].
    #[arg(long, value_enum)]
    pub method: Option<MethodArg>,
    /// User-Agent header [default: citecheck/<version> (+<repository>)].
    #[arg(long, value_name = "TEXT")]
    pub user_agent: Option<String>,
    /// Send requests for HOST:PORT to ADDR, as curl does; ADDR may carry its own port
    /// (`www.un.org:443:127.0.0.1:8443`). Repeatable.
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    #[serde(default)]
    pub resolve: Vec<String>,
    /// Also trust the certificates in this PEM file. Repeatable.
    #[arg(long, value_name = "FILE")]
    #[serde(default)]
    pub cacert: Vec<PathBuf>,
    /// Do not verify TLS certificates (reported loudly in the output).
    #[arg(long)]
    #[serde(default)]
    pub insecure: bool,
    /// Refuse targets on loopback, private, link-local and unique-local addresses and cloud
    /// metadata endpoints, also after redirects and DNS resolution (reported as excluded).
    #[arg(long)]
    #[serde(default)]
    pub deny_private: bool,
    /// Exclude targets whose value or URL matches REGEX (unless an --include matches). Repeatable.
    #[arg(long, value_name = "REGEX")]
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Check only targets whose value or URL matches one of these. Repeatable.
    #[arg(long, value_name = "REGEX")]
    #[serde(default)]
    pub include: Vec<String>,
    /// Language of symbol look-ups and undocs.org links: ar, zh, en, fr, ru, es [default: en].
    #[arg(long, value_name = "LANG")]
    pub symbol_lang: Option<String>,
    /// Statuses that fail the run (exit 1), comma-separated
    /// [default: broken,unreachable,tls_error,invalid,timeout,server_error].
    #[arg(long, value_name = "STATUSES", value_delimiter = ',')]
    pub fail_on: Option<Vec<String>>,
    /// History database [default: .citecheck/history.sqlite].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Keep no history (no database is opened or written).
    #[arg(long)]
    #[serde(default)]
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
    /// Bytes of one body archived at most, e.g. 100MB [default: 100MB].
    #[arg(long, value_name = "SIZE")]
    pub max_archive_size: Option<SizeArg>,
    /// Start a new WARC file at this size, e.g. 1GB [default: 1GB].
    #[arg(long, value_name = "SIZE")]
    pub warc_size: Option<SizeArg>,
    /// No progress bar.
    #[arg(short, long)]
    #[serde(default)]
    pub quiet: bool,
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

#[derive(Debug, Clone, Copy, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SummaryArg {
    Text,
    Markdown,
    Json,
}

const DEFAULT_FAIL_ON: &str = "broken,unreachable,tls_error,invalid,timeout,server_error";

impl CheckArgs {
    /// Merges the configuration file under the flags and validates everything.
    pub fn into_config(self) -> anyhow::Result<citecheck::CheckConfig> {
        use anyhow::{bail, Context};
        let file = match &self.config {
            Some(p) => Some(p.clone()),
            None => Some(PathBuf::from("citecheck.toml")).filter(|p| p.is_file()),
        };
        let base: CheckArgs = match &file {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read config file {}", p.display()))?;
                toml::from_str(&text).with_context(|| format!("config file {} is not valid", p.display()))?
            }
            None => CheckArgs::default(),
        };
        let cli = self;
        let inputs = if cli.inputs.is_empty() { base.inputs } else { cli.inputs };
        if inputs.is_empty() {
            bail!("no INPUT given: name the documents to check (or list them as `inputs` in citecheck.toml)");
        }
        let pick_vec = |a: Vec<String>, b: Vec<String>| if a.is_empty() { b } else { a };
        let regexes = |list: Vec<String>, flag: &str| -> anyhow::Result<Vec<regex::Regex>> {
            list.iter()
                .map(|r| {
                    regex::Regex::new(r)
                        .with_context(|| format!("--{flag} '{r}' is not a valid regular expression"))
                })
                .collect()
        };
        let fail_on_names = cli
            .fail_on
            .or(base.fail_on)
            .unwrap_or_else(|| DEFAULT_FAIL_ON.split(',').map(String::from).collect());
        let mut fail_on = Vec::new();
        for name in fail_on_names.iter().filter(|n| !n.trim().is_empty()) {
            match citecheck::Status::parse(name) {
                Some(s) => fail_on.push(s),
                None => bail!(
                    "--fail-on: unknown status '{name}'; use any of {}",
                    citecheck::Status::ALL.map(|s| s.as_str()).join(", ")
                ),
            }
        }
        let symbol_lang = cli.symbol_lang.or(base.symbol_lang).unwrap_or_else(|| "en".to_string());
        if !["ar", "zh", "en", "fr", "ru", "es"].contains(&symbol_lang.as_str()) {
            bail!("--symbol-lang '{symbol_lang}': use one of ar, zh, en, fr, ru, es");
        }
        let mut resolve = Vec::new();
        for r in pick_vec(cli.resolve, base.resolve) {
            resolve.push(parse_resolve(&r)?);
        }
        let d = |a: Option<DurationArg>, b: Option<DurationArg>, default: Duration| {
            a.or(b).map_or(default, |x| x.0)
        };
        let max_concurrency =
            cli.max_concurrency.or(base.max_concurrency).unwrap_or(fetch::DEFAULT_MAX_CONCURRENCY);
        let host_concurrency =
            cli.host_concurrency.or(base.host_concurrency).unwrap_or(fetch::DEFAULT_HOST_CONCURRENCY);
        if max_concurrency == 0 || host_concurrency == 0 {
            bail!("--max-concurrency and --host-concurrency must be at least 1");
        }
        let timeout = d(cli.timeout, base.timeout, fetch::DEFAULT_TIMEOUT);
        if timeout.is_zero() {
            bail!("--timeout must be more than 0");
        }
        Ok(citecheck::CheckConfig {
            inputs,
            input_format: cli.input_format.map(InputFormatArg::into_format),
            out: cli.out.or(base.out).unwrap_or_else(|| PathBuf::from("reports")),
            fetch: fetch::FetchConfig {
                max_concurrency,
                host_concurrency,
                host_interval: d(cli.host_interval, base.host_interval, fetch::DEFAULT_HOST_INTERVAL),
                timeout,
                retries: cli.retries.or(base.retries).unwrap_or(fetch::DEFAULT_RETRIES),
                max_retry_wait: d(cli.max_retry_wait, base.max_retry_wait, fetch::DEFAULT_MAX_RETRY_WAIT),
                method: match cli.method.or(base.method).unwrap_or(MethodArg::Auto) {
                    MethodArg::Auto => fetch::Method::Auto,
                    MethodArg::Head => fetch::Method::Head,
                    MethodArg::Get => fetch::Method::Get,
                },
                user_agent: cli.user_agent.or(base.user_agent).unwrap_or_else(fetch::default_user_agent),
                resolve,
                cacerts: if cli.cacert.is_empty() { base.cacert } else { cli.cacert },
                insecure: cli.insecure || base.insecure,
                deny_private: cli.deny_private || base.deny_private,
                archive: None,
            },
            symbol_lang,
            include: regexes(pick_vec(cli.include, base.include), "include")?,
            exclude: regexes(pick_vec(cli.exclude, base.exclude), "exclude")?,
            fail_on,
            fail_after: match cli.fail_after.or(base.fail_after).unwrap_or(1) {
                0 => bail!("--fail-after must be at least 1"),
                n => n,
            },
            db: if cli.no_db || base.no_db {
                None
            } else {
                Some(cli.db.or(base.db).unwrap_or_else(|| PathBuf::from(".citecheck/history.sqlite")))
            },
            cache_ttl: cli.cache_ttl.or(base.cache_ttl).map(|d| d.0),
            summary: match cli.format.or(base.format).unwrap_or(SummaryArg::Text) {
                SummaryArg::Text => citecheck::SummaryFormat::Text,
                SummaryArg::Markdown => citecheck::SummaryFormat::Markdown,
                SummaryArg::Json => citecheck::SummaryFormat::Json,
            },
            junit: cli.junit.or(base.junit),
            archive: cli.archive.or(base.archive).map(|dir| citecheck::ArchiveConfig {
                dir,
                max_resource_size: cli
                    .max_archive_size
                    .or(base.max_archive_size)
                    .map_or(100_000_000, |s| s.0),
                warc_size: cli.warc_size.or(base.warc_size).map_or(1_000_000_000, |s| s.0),
            }),
            progress: !(cli.quiet || base.quiet),
        })
    }
}

/// `HOST:PORT:ADDR` (curl) or `HOST:PORT:ADDR:PORT2` / `HOST:PORT:[v6]:PORT2` (connect elsewhere).
fn parse_resolve(spec: &str) -> anyhow::Result<(String, std::net::SocketAddr)> {
    let mut parts = spec.splitn(3, ':');
    let (Some(host), Some(port), Some(addr)) = (parts.next(), parts.next(), parts.next()) else {
        anyhow::bail!("--resolve '{spec}': write HOST:PORT:ADDR, e.g. www.un.org:443:127.0.0.1");
    };
    let port: u16 = port.parse().map_err(|_| anyhow::anyhow!("--resolve '{spec}': PORT must be a number"))?;
    let sock = if let Ok(ip) = addr.trim_matches(['[', ']']).parse::<std::net::IpAddr>() {
        std::net::SocketAddr::new(ip, port)
    } else if let Ok(sa) = addr.parse::<std::net::SocketAddr>() {
        sa
    } else {
        anyhow::bail!("--resolve '{spec}': ADDR must be an IP address (optionally IP:PORT)");
    };
    Ok((host.to_string(), sock))
}
