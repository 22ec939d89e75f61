//! The validated configuration of `check`, made by a builder that starts from the defaults
//! (defined here, once) and refuses nonsense before any work starts.

use crate::error::{Error, Result};
use crate::extract::InputFormat;
use crate::fetch::{FetchOptions, Method};
use crate::types::{Failing, Status};
use regex::Regex;
use std::path::PathBuf;
use std::time::Duration;

pub use crate::extract::DEFAULT_MAX_INPUT_SIZE;
pub use crate::fetch::{
    DEFAULT_HOST_CONCURRENCY, DEFAULT_HOST_INTERVAL, DEFAULT_MAX_CONCURRENCY, DEFAULT_MAX_RETRY_WAIT,
    DEFAULT_RETRIES, DEFAULT_TARGET_TIMEOUT, DEFAULT_TIMEOUT,
};
/// Default folder of the tables.
pub const DEFAULT_OUT: &str = "reports";
/// Default history database.
pub const DEFAULT_DB: &str = ".citecheck/history.sqlite";
/// Default archive folder of `citecheck archive`.
pub const DEFAULT_ARCHIVE: &str = "archive";
/// Default bytes of one body archived.
pub const DEFAULT_MAX_ARCHIVE_SIZE: u64 = 100_000_000;
/// Default WARC file size before rotation.
pub const DEFAULT_WARC_SIZE: u64 = 1_000_000_000;
/// Default language of symbol look-ups.
pub const DEFAULT_SYMBOL_LANG: &str = "en";
/// A host interval longer than this needs [`CheckConfigBuilder::allow_slow`].
pub const SLOW_INTERVAL: Duration = Duration::from_secs(3600);
/// The languages of UN documents.
pub const SYMBOL_LANGS: [&str; 6] = ["ar", "zh", "en", "fr", "ru", "es"];

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

/// Where and how to archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveConfig {
    /// The archive folder (WARC files, `index.cdxj`).
    pub dir: PathBuf,
    /// Bytes of one body kept at most (`WARC-Truncated: length` beyond).
    pub max_resource_size: u64,
    /// Rotate WARC files at this size.
    pub warc_size: u64,
}

/// The validated configuration of `citecheck check`; make one with [`CheckConfig::builder`].
#[derive(Debug, Clone)]
pub struct CheckConfig {
    pub(crate) inputs: Vec<String>,
    pub(crate) input_format: Option<InputFormat>,
    pub(crate) max_input_size: u64,
    pub(crate) out: PathBuf,
    pub(crate) fetch: FetchOptions,
    pub(crate) symbol_lang: String,
    pub(crate) include: Vec<Regex>,
    pub(crate) exclude: Vec<Regex>,
    pub(crate) failing: Failing,
    pub(crate) db: Option<PathBuf>,
    pub(crate) reuse: crate::plan::Reuse,
    pub(crate) summary: SummaryFormat,
    pub(crate) junit: Option<PathBuf>,
    pub(crate) progress: bool,
    pub(crate) archive: Option<ArchiveConfig>,
    pub(crate) repair: Option<crate::repair::RepairOptions>,
    pub(crate) push: Option<crate::repair::PushOptions>,
    pub(crate) replay_url: Option<String>,
}

impl CheckConfig {
    /// A builder for checking `inputs` (paths, or `-` for standard input), with every other
    /// setting at its default.
    pub fn builder(inputs: Vec<String>) -> CheckConfigBuilder {
        CheckConfigBuilder {
            cfg: CheckConfig {
                inputs,
                input_format: None,
                max_input_size: DEFAULT_MAX_INPUT_SIZE,
                out: PathBuf::from(DEFAULT_OUT),
                fetch: FetchOptions::default(),
                symbol_lang: DEFAULT_SYMBOL_LANG.to_string(),
                include: Vec::new(),
                exclude: Vec::new(),
                failing: Failing::default(),
                db: Some(PathBuf::from(DEFAULT_DB)),
                reuse: crate::plan::Reuse::Never,
                summary: SummaryFormat::Text,
                junit: None,
                progress: true,
                archive: None,
                repair: None,
                push: None,
                replay_url: None,
            },
            include: Vec::new(),
            exclude: Vec::new(),
            allow_slow: false,
        }
    }
}

/// Builds a [`CheckConfig`]. Every setter takes an `Option`: `None` keeps what is there (the
/// default, or an earlier layer), so command line, file and defaults layer simply.
#[derive(Debug, Clone)]
pub struct CheckConfigBuilder {
    cfg: CheckConfig,
    include: Vec<String>,
    exclude: Vec<String>,
    allow_slow: bool,
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty => |$c:ident, $v:ident| $apply:expr;)*) => {
        $(
            $(#[$doc])*
            #[must_use]
            pub fn $name(mut self, value: Option<$ty>) -> Self {
                if let Some($v) = value {
                    let $c = &mut self.cfg;
                    $apply;
                }
                self
            }
        )*
    };
}

impl CheckConfigBuilder {
    setters! {
        /// Read every input as this format.
        input_format: InputFormat => |c, v| c.input_format = Some(v);
        /// Inputs larger than this many bytes are refused.
        max_input_size: u64 => |c, v| c.max_input_size = v;
        /// Folder for the tables.
        out: PathBuf => |c, v| c.out = v;
        /// Requests in flight at most, over all hosts.
        max_concurrency: usize => |c, v| c.fetch.max_concurrency = v;
        /// Requests in flight at most to one host.
        host_concurrency: usize => |c, v| c.fetch.host_concurrency = v;
        /// Minimum time between two request starts to one host.
        host_interval: Duration => |c, v| c.fetch.host_interval = v;
        /// Total time allowed per request.
        timeout: Duration => |c, v| c.fetch.timeout = v;
        /// Total time allowed per target (all requests, redirects, retries and waits).
        target_timeout: Duration => |c, v| c.fetch.target_timeout = v;
        /// Retries of transient failures.
        retries: u32 => |c, v| c.fetch.retries = v;
        /// Longest wait before one retry.
        max_retry_wait: Duration => |c, v| c.fetch.max_retry_wait = v;
        /// `auto` (GET for pages, HEAD for known non-HTML files), or one method only.
        method: Method => |c, v| c.fetch.method = v;
        /// The User-Agent header.
        user_agent: String => |c, v| c.fetch.user_agent = v;
        /// Host name overrides, as curl's `--resolve`.
        resolve: Vec<crate::fetch::Override> => |c, v| c.fetch.resolve = v;
        /// Extra trusted root certificates (PEM files).
        cacerts: Vec<PathBuf> => |c, v| c.fetch.cacerts = v;
        /// Do not verify certificates.
        insecure: bool => |c, v| c.fetch.insecure = v;
        /// Refuse non-public addresses.
        deny_private: bool => |c, v| c.fetch.deny_private = v;
        /// Extra request headers (`-H`, `[[headers]]`).
        headers: Vec<crate::fetch::Header> => |c, v| c.fetch.headers = v;
        /// Redirect hops followed at most.
        max_redirects: usize => |c, v| c.fetch.max_redirects = v;
        /// A proxy for every request.
        proxy: String => |c, v| c.fetch.proxy = Some(v);
        /// Language of symbol look-ups and human links.
        symbol_lang: String => |c, v| c.symbol_lang = v;
        /// Statuses that fail the run.
        fail_on: Vec<Status> => |c, v| c.failing.statuses = v;
        /// Consecutive failing runs before a failure fails the run.
        fail_after: u32 => |c, v| c.failing.after = v;
        /// The history database; `Some(None)` keeps no history.
        db: Option<PathBuf> => |c, v| c.db = v;
        /// Reuse `ok` results younger than this.
        cache_ttl: Duration => |c, v| c.reuse = crate::plan::Reuse::FreshOk(v);
        /// Reuse the latest result of every target the history knows (`citecheck repair`).
        reuse_latest: bool => |c, v| if v { c.reuse = crate::plan::Reuse::Latest };
        /// Summary format on standard output.
        summary: SummaryFormat => |c, v| c.summary = v;
        /// Also write JUnit XML here.
        junit: PathBuf => |c, v| c.junit = Some(v);
        /// Show a progress bar on a terminal.
        progress: bool => |c, v| c.progress = v;
        /// Archive every exchange.
        archive: ArchiveConfig => |c, v| c.archive = Some(v);
        /// Look up archived copies of failing citations (`--repair`).
        repair: crate::repair::RepairOptions => |c, v| c.repair = Some(v);
        /// Prefix of a replay service for the archive's captures (`--replay-url`).
        replay_url: String => |c, v| c.replay_url = Some(v);
        /// Push live citations to Save Page Now (`--push-archive`).
        push: crate::repair::PushOptions => |c, v| c.push = Some(v);
    }

    /// `--include` patterns (regular expressions).
    #[must_use]
    pub fn include(mut self, patterns: Option<Vec<String>>) -> Self {
        if let Some(p) = patterns {
            self.include = p;
        }
        self
    }

    /// `--exclude` patterns (regular expressions).
    #[must_use]
    pub fn exclude(mut self, patterns: Option<Vec<String>>) -> Self {
        if let Some(p) = patterns {
            self.exclude = p;
        }
        self
    }

    /// Allow a host interval over an hour (`--allow-slow`).
    #[must_use]
    pub fn allow_slow(mut self, allow: Option<bool>) -> Self {
        self.allow_slow = allow.unwrap_or(self.allow_slow);
        self
    }

    /// Checks every setting and returns the configuration.
    ///
    /// # Errors
    /// [`Error::Config`] saying which setting is wrong and what to write instead.
    pub fn build(self) -> Result<CheckConfig> {
        let mut cfg = self.cfg;
        let bad = |m: String| Err(Error::Config(m));
        if cfg.inputs.is_empty() {
            return bad(
                "no INPUT given: name the documents to check (or list them as `inputs` in citecheck.toml)"
                    .into(),
            );
        }
        if cfg.fetch.max_concurrency == 0 || cfg.fetch.host_concurrency == 0 {
            return bad("--max-concurrency and --host-concurrency must be at least 1".into());
        }
        if cfg.fetch.timeout.is_zero() || cfg.fetch.target_timeout.is_zero() {
            return bad("--timeout and --target-timeout must be more than 0".into());
        }
        if cfg.max_input_size == 0 {
            return bad("--max-input-size must be more than 0".into());
        }
        if cfg.fetch.host_interval > SLOW_INTERVAL && !self.allow_slow {
            return bad(format!(
                "--host-interval {} is over an hour between two requests to one host: is that meant? Add --allow-slow if it is",
                humantime::format_duration(cfg.fetch.host_interval)
            ));
        }
        if cfg.failing.after == 0 {
            return bad("--fail-after must be at least 1 (1: a failing target fails the run at once)".into());
        }
        if cfg.failing.statuses.is_empty() {
            return bad(format!(
                "--fail-on names no status, so nothing could ever fail the run; name at least one of {}",
                Status::ALL.map(|s| s.as_str()).join(", ")
            ));
        }
        if !SYMBOL_LANGS.contains(&cfg.symbol_lang.as_str()) {
            return bad(format!(
                "--symbol-lang '{}': use one of {}",
                cfg.symbol_lang,
                SYMBOL_LANGS.join(", ")
            ));
        }
        cfg.include = regexes(&self.include, "include")?;
        cfg.exclude = regexes(&self.exclude, "exclude")?;
        Ok(cfg)
    }
}

fn regexes(list: &[String], flag: &str) -> Result<Vec<Regex>> {
    list.iter()
        .map(|r| {
            Regex::new(r)
                .map_err(|e| Error::Config(format!("--{flag} '{r}' is not a valid regular expression: {e}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(
        f: impl FnOnce(CheckConfigBuilder) -> CheckConfigBuilder,
    ) -> std::result::Result<CheckConfig, String> {
        f(CheckConfig::builder(vec!["r.md".into()])).build().map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_and_layers() {
        let cfg = build(|b| b).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.fetch.max_concurrency, DEFAULT_MAX_CONCURRENCY);
        assert_eq!(cfg.failing, Failing::default());
        assert_eq!(cfg.db.as_deref(), Some(std::path::Path::new(DEFAULT_DB)));
        // A later layer's None keeps the earlier value.
        let cfg = build(|b| b.insecure(Some(true)).insecure(None)).unwrap_or_else(|e| panic!("{e}"));
        assert!(cfg.fetch.insecure);
        let cfg = build(|b| b.insecure(Some(true)).insecure(Some(false))).unwrap_or_else(|e| panic!("{e}"));
        assert!(!cfg.fetch.insecure);
    }

    #[test]
    fn nonsense_is_refused() {
        type Tweak = fn(CheckConfigBuilder) -> CheckConfigBuilder;
        let cases: Vec<(&str, Tweak)> = vec![
            ("--fail-after must be at least 1", |b| b.fail_after(Some(0))),
            ("--fail-on names no status", |b| b.fail_on(Some(vec![]))),
            ("over an hour", |b| b.host_interval(Some(Duration::from_secs(7200)))),
            ("--target-timeout must be more than 0", |b| b.timeout(Some(Duration::ZERO))),
            ("--target-timeout must be more than 0", |b| b.target_timeout(Some(Duration::ZERO))),
            ("--max-input-size must be more than 0", |b| b.max_input_size(Some(0))),
            ("at least 1", |b| b.max_concurrency(Some(0))),
            ("--symbol-lang 'de'", |b| b.symbol_lang(Some("de".into()))),
            ("not a valid regular expression", |b| b.exclude(Some(vec!["(".into()]))),
        ];
        for (want, f) in cases {
            let err = build(f).err().unwrap_or_default();
            assert!(err.contains(want), "{want}: {err}");
        }
        let slow = build(|b| b.host_interval(Some(Duration::from_secs(7200))).allow_slow(Some(true)));
        assert!(slow.is_ok());
        let no_inputs = CheckConfig::builder(vec![]).build().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(no_inputs.contains("no INPUT given"));
    }
}
