//! The configuration file (`citecheck.toml`, or `--config FILE`): every option of `check`
//! under its long name. A separate schema from the flags (unknown keys are refused, so a
//! misspelt option never goes unnoticed).

use super::args::{DurationArg, MethodArg, SizeArg, SummaryArg};
use anyhow::Context;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Options of `check` as a file sets them.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FileConfig {
    pub inputs: Option<Vec<String>>,
    pub out: Option<PathBuf>,
    pub max_concurrency: Option<usize>,
    pub host_concurrency: Option<usize>,
    pub host_interval: Option<DurationArg>,
    pub allow_slow: Option<bool>,
    pub timeout: Option<DurationArg>,
    pub target_timeout: Option<DurationArg>,
    pub max_input_size: Option<SizeArg>,
    pub retries: Option<u32>,
    pub max_retry_wait: Option<DurationArg>,
    pub method: Option<MethodArg>,
    pub user_agent: Option<String>,
    pub resolve: Option<Vec<String>>,
    pub cacert: Option<Vec<PathBuf>>,
    pub insecure: Option<bool>,
    pub deny_private: Option<bool>,
    pub exclude: Option<Vec<String>>,
    pub include: Option<Vec<String>>,
    pub symbol_lang: Option<String>,
    pub fail_on: Option<Vec<String>>,
    pub db: Option<PathBuf>,
    pub no_db: Option<bool>,
    pub cache_ttl: Option<DurationArg>,
    pub fail_after: Option<u32>,
    pub format: Option<SummaryArg>,
    pub junit: Option<PathBuf>,
    pub archive: Option<PathBuf>,
    pub max_archive_size: Option<SizeArg>,
    pub warc_size: Option<SizeArg>,
    pub quiet: Option<bool>,
    pub headers: Option<Vec<FileHeader>>,
    pub max_redirects: Option<usize>,
    pub proxy: Option<String>,
}

/// `[[headers]]`: a request header, for one host or (without `host`) for every host.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileHeader {
    pub host: Option<String>,
    pub name: String,
    pub value: String,
}

impl FileConfig {
    /// The file named by `--config`, else `./citecheck.toml` when it exists, else nothing.
    pub fn load(named: Option<&Path>) -> anyhow::Result<(FileConfig, Option<PathBuf>)> {
        let path = match named {
            Some(p) => p.to_path_buf(),
            None => match Path::new("citecheck.toml") {
                p if p.is_file() => p.to_path_buf(),
                _ => return Ok((FileConfig::default(), None)),
            },
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        let file =
            toml::from_str(&text).with_context(|| format!("config file {} is not valid", path.display()))?;
        Ok((file, Some(path)))
    }
}
