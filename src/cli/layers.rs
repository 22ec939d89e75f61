//! The layers merged: a flag given on the command line wins, then the configuration file,
//! then the library's default; the library's builder validates the result.

use super::args::{CheckArgs, InputFormatArg, MethodArg, SummaryArg};
use super::file::FileConfig;
use anyhow::{bail, Context};
use citecheck::{ArchiveConfig, CheckConfig, Method, Status, SummaryFormat, DEFAULT_ARCHIVE};
use std::path::{Path, PathBuf};

/// Which command the check options belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `citecheck check`.
    Check,
    /// `citecheck archive`: archiving on, into `archive/` unless told otherwise.
    Archive,
    /// `citecheck repair`: repair on, the history's latest results reused.
    Repair,
}

/// The validated configuration of `check`, `archive` or `repair`.
pub fn check_config(mut cli: CheckArgs, mode: Mode) -> anyhow::Result<CheckConfig> {
    let archive_command = mode == Mode::Archive;
    cli.repair |= mode == Mode::Repair;
    if !cli.repair && cli.cited_at.is_some() {
        bail!("--cited-at is for repair: add --repair (or run `citecheck repair`)");
    }
    let (mut file, file_path) = FileConfig::load(cli.config.as_deref())?;
    let archive =
        archive_dir(cli.archive.clone(), archive_command, file.archive.clone(), file_path.as_deref())?;
    let list =
        |flags: Vec<String>, file: Option<Vec<String>>| if flags.is_empty() { file } else { Some(flags) };
    let switch = |yes: bool, no: bool, file: Option<bool>| {
        if yes {
            Some(true)
        } else if no {
            Some(false)
        } else {
            file
        }
    };
    let repair = repair_options(&cli)?;
    let push = push_options(&cli)?;
    let headers = headers(&cli.headers, file.headers.take().unwrap_or_default())?;
    let fail_on = cli.fail_on.or(file.fail_on).map(|names| statuses(&names)).transpose()?;
    let resolve = list(cli.resolve, file.resolve)
        .map(|specs| specs.iter().map(|s| parse_resolve(s)).collect::<anyhow::Result<Vec<_>>>())
        .transpose()?;
    let db = if cli.no_db || file.no_db == Some(true) { Some(None) } else { cli.db.or(file.db).map(Some) };
    let archive = archive.map(|dir| ArchiveConfig {
        dir,
        max_resource_size: cli
            .max_archive_size
            .or(file.max_archive_size)
            .map_or(citecheck::DEFAULT_MAX_ARCHIVE_SIZE, |s| s.0),
        warc_size: cli.warc_size.or(file.warc_size).map_or(citecheck::DEFAULT_WARC_SIZE, |s| s.0),
    });
    let inputs = expand_inputs(list(cli.inputs, file.inputs).unwrap_or_default(), cli.files_from.as_deref())?;
    let builder = CheckConfig::builder(inputs)
        .input_format(cli.input_format.map(InputFormatArg::into_format))
        .out(cli.out.or(file.out))
        .max_concurrency(cli.max_concurrency.or(file.max_concurrency))
        .host_concurrency(cli.host_concurrency.or(file.host_concurrency))
        .host_interval(cli.host_interval.or(file.host_interval).map(|d| d.0))
        .allow_slow(switch(cli.allow_slow, false, file.allow_slow))
        .timeout(cli.timeout.or(file.timeout).map(|d| d.0))
        .target_timeout(cli.target_timeout.or(file.target_timeout).map(|d| d.0))
        .max_input_size(cli.max_input_size.or(file.max_input_size).map(|s| s.0))
        .retries(cli.retries.or(file.retries))
        .max_retry_wait(cli.max_retry_wait.or(file.max_retry_wait).map(|d| d.0))
        .method(cli.method.or(file.method).map(method))
        .user_agent(cli.user_agent.or(file.user_agent))
        .resolve(resolve)
        .cacerts(if cli.cacert.is_empty() { file.cacert } else { Some(cli.cacert) })
        .insecure(switch(cli.insecure, cli.no_insecure, file.insecure))
        .deny_private(switch(cli.deny_private, cli.no_deny_private, file.deny_private))
        .include(list(cli.include, file.include))
        .exclude(list(cli.exclude, file.exclude))
        .symbol_lang(cli.symbol_lang.or(file.symbol_lang))
        .fail_on(fail_on)
        .fail_after(cli.fail_after.or(file.fail_after))
        .db(db)
        .cache_ttl(cli.cache_ttl.or(file.cache_ttl).map(|d| d.0))
        .summary(cli.format.or(file.format).map(summary))
        .junit(cli.junit.or(file.junit))
        .archive(archive)
        .repair(repair)
        .push(push)
        .replay_url(cli.replay_url.clone())
        .headers(Some(headers))
        .max_redirects(cli.max_redirects.or(file.max_redirects))
        .proxy(cli.proxy.or(file.proxy))
        .reuse_latest(Some(mode == Mode::Repair))
        .progress(switch(cli.quiet, false, file.quiet).map(|quiet| !quiet));
    builder.build().context("invalid configuration").map_err(|e| anyhow::anyhow!("{}", e.root_cause()))
}

/// `--repair`'s options, when it is on.
fn repair_options(cli: &CheckArgs) -> anyhow::Result<Option<citecheck::RepairOptions>> {
    if !cli.repair {
        return Ok(None);
    }
    let cited_at = match &cli.cited_at {
        Some(d) => Some(
            citecheck::Ymd::parse(d)
                .with_context(|| format!("--cited-at '{d}': write a date as YYYY-MM-DD, e.g. 2021-02-24"))?,
        ),
        None => None,
    };
    Ok(Some(citecheck::RepairOptions {
        wayback: cli.wayback_url.trim_end_matches('/').to_string(),
        cited_at,
        replay_url: cli.replay_url.clone(),
        ..citecheck::RepairOptions::default()
    }))
}

/// `--push-archive`'s options, with the keys from the environment (never from a flag).
fn push_options(cli: &CheckArgs) -> anyhow::Result<Option<citecheck::PushOptions>> {
    if !cli.push_archive {
        return Ok(None);
    }
    let key = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let (Some(access), Some(secret)) = (key("CITECHECK_SPN_ACCESS_KEY"), key("CITECHECK_SPN_SECRET_KEY"))
    else {
        bail!(
            "--push-archive needs the keys of an archive.org account (https://archive.org/account/s3.php) in CITECHECK_SPN_ACCESS_KEY and CITECHECK_SPN_SECRET_KEY (set them as CI secrets; never on the command line)"
        );
    };
    Ok(Some(citecheck::PushOptions {
        keys: citecheck::SpnKeys::new(access, secret),
        max_age: cli.push_max_age.map_or(citecheck::DEFAULT_PUSH_MAX_AGE, |d| d.0),
        wayback: cli.wayback_url.trim_end_matches('/').to_string(),
    }))
}

/// The `-H` headers (every host), then the file's `[[headers]]` (each for its host, if named).
fn headers(flags: &[String], file: Vec<super::file::FileHeader>) -> anyhow::Result<Vec<citecheck::Header>> {
    let mut all = Vec::new();
    for spec in flags {
        all.push(citecheck::Header::parse(spec, None).map_err(|e| anyhow::anyhow!("-H {e}"))?);
    }
    for h in file {
        let spec = format!("{}: {}", h.name, h.value);
        all.push(
            citecheck::Header::parse(&spec, h.host.as_deref())
                .map_err(|e| anyhow::anyhow!("[[headers]] {e}"))?,
        );
    }
    Ok(all)
}

/// The inputs with globs expanded (sorted; a pattern that matches nothing is an error), and
/// the lines of `--files-from FILE` (paths or globs; blank lines and `#` comments skipped).
/// A name that exists as a file is never read as a pattern.
pub fn expand_inputs(given: Vec<String>, files_from: Option<&Path>) -> anyhow::Result<Vec<String>> {
    let mut all = given;
    if let Some(list) = files_from {
        let text = std::fs::read_to_string(list)
            .with_context(|| format!("--files-from {}: cannot read it", list.display()))?;
        all.extend(
            text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string),
        );
    }
    let mut out = Vec::new();
    for input in all {
        let pattern = input.contains(['*', '?', '[']) && !Path::new(&input).exists();
        if !pattern {
            out.push(input);
            continue;
        }
        let paths = glob::glob(&input).with_context(|| format!("'{input}' is not a valid glob pattern"))?;
        let mut found: Vec<String> =
            paths.filter_map(Result::ok).filter(|p| p.is_file()).map(|p| p.display().to_string()).collect();
        if found.is_empty() {
            bail!("no file matches '{input}': check the pattern (quote it so the shell does not expand it)");
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

/// The archive folder: `--archive`, else `archive/` for `citecheck archive`, else the file's.
fn archive_dir(
    flag: Option<PathBuf>,
    command: bool,
    file: Option<PathBuf>,
    file_path: Option<&Path>,
) -> anyhow::Result<Option<PathBuf>> {
    match (flag, command, file) {
        (Some(dir), _, _) => Ok(Some(dir)),
        (None, true, Some(other)) if other != Path::new(DEFAULT_ARCHIVE) => bail!(
            "`citecheck archive` writes to {DEFAULT_ARCHIVE}/, but {} sets archive = \"{}\": pass --archive {} to archive there, or run `citecheck check`",
            file_path.map_or_else(|| "the configuration file".to_string(), |p| p.display().to_string()),
            other.display(),
            other.display()
        ),
        (None, true, _) => Ok(Some(PathBuf::from(DEFAULT_ARCHIVE))),
        (None, false, file) => Ok(file),
    }
}

fn statuses(names: &[String]) -> anyhow::Result<Vec<Status>> {
    names
        .iter()
        .filter(|n| !n.trim().is_empty())
        .map(|name| {
            Status::parse(name).with_context(|| {
                format!(
                    "--fail-on: unknown status '{name}'; use any of {}",
                    Status::ALL.map(|s| s.as_str()).join(", ")
                )
            })
        })
        .collect()
}

fn method(m: MethodArg) -> Method {
    match m {
        MethodArg::Auto => Method::Auto,
        MethodArg::Head => Method::Head,
        MethodArg::Get => Method::Get,
    }
}

fn summary(s: SummaryArg) -> SummaryFormat {
    match s {
        SummaryArg::Text => SummaryFormat::Text,
        SummaryArg::Markdown => SummaryFormat::Markdown,
        SummaryArg::Json => SummaryFormat::Json,
    }
}

/// `HOST:PORT:ADDR` (curl) or `HOST:PORT:ADDR:PORT2` / `HOST:PORT:[v6]:PORT2` (connect elsewhere).
fn parse_resolve(spec: &str) -> anyhow::Result<citecheck::Override> {
    let mut parts = spec.splitn(3, ':');
    let (Some(host), Some(port), Some(addr)) = (parts.next(), parts.next(), parts.next()) else {
        bail!("--resolve '{spec}': write HOST:PORT:ADDR, e.g. www.un.org:443:127.0.0.1");
    };
    let port: u16 = port.parse().map_err(|_| anyhow::anyhow!("--resolve '{spec}': PORT must be a number"))?;
    let sock = if let Ok(ip) = addr.trim_matches(['[', ']']).parse::<std::net::IpAddr>() {
        std::net::SocketAddr::new(ip, port)
    } else if let Ok(sa) = addr.parse::<std::net::SocketAddr>() {
        sa
    } else {
        bail!("--resolve '{spec}': ADDR must be an IP address (optionally IP:PORT)");
    };
    Ok(citecheck::Override::new(host, port, sock))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_specs() {
        let r = |s: &str| {
            parse_resolve(s).map(|o| format!("{} {} {}", o.host, o.port, o.addr)).map_err(|e| e.to_string())
        };
        assert_eq!(r("www.un.org:443:127.0.0.1"), Ok("www.un.org 443 127.0.0.1:443".into()));
        assert_eq!(r("WWW.UN.org.:443:127.0.0.1:8443"), Ok("www.un.org 443 127.0.0.1:8443".into()));
        assert_eq!(r("h:80:[::1]"), Ok("h 80 [::1]:80".into()));
        assert!(r("h:x:1.2.3.4").is_err());
        assert!(r("h:80").is_err());
    }

    #[test]
    fn archive_folder_layers() {
        let p = |s: &str| Some(PathBuf::from(s));
        assert_eq!(archive_dir(p("x"), true, p("y"), None).ok().flatten(), p("x"));
        assert_eq!(archive_dir(None, true, None, None).ok().flatten(), p("archive"));
        assert_eq!(archive_dir(None, false, p("y"), None).ok().flatten(), p("y"));
        let err = archive_dir(None, true, p("elsewhere"), Some(Path::new("citecheck.toml")))
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("pass --archive elsewhere")));
    }
}
