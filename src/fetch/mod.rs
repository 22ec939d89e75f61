//! Fetching: checks every target concurrently and politely, and turns what the servers
//! answered into [`Outcome`](crate::types::Outcome)s. The only async part of the crate.
//!
//! - `scheduler`: per-host queues, concurrency, spacing and backoff under a global bound;
//! - `client`: the HTTP client (resolver, certificates, overrides);
//! - `check`: one target — method policy, retries, redirects, bodies;
//! - `classify`: what an answer means; `failure`: what a failed request means (by type);
//! - `retry`: what is worth asking again and how long to wait; `guard`: `--deny-private`;
//! - `reach`: whether any host answered at all (an offline machine is not a broken document);
//! - `memento`: archived copies of failing citations (`--repair`), verified;
//! - `push`: Save Page Now for live citations (`--push-archive`).
//!
//! Results go to a [`ResultSink`] as they come; whole exchanges (when kept) to an
//! [`ExchangeSink`]. Fetch knows nothing of WARC or SQLite.

mod check;
pub(crate) use memento::find_archived;
pub(crate) use push::{push_all, Pushed};
mod classify;
mod client;
mod cookies;
mod failure;
mod guard;
mod memento;
mod push;
mod reach;
mod retry;
mod scheduler;

use crate::error::{Error, Result};
use crate::plan::Targets;
use crate::sink::{ExchangeSink, ResultSink};
use crate::types::host_key;
use futures::stream::{FuturesUnordered, StreamExt};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Default bound on requests in flight.
pub const DEFAULT_MAX_CONCURRENCY: usize = 64;
/// Default requests in flight per host.
pub const DEFAULT_HOST_CONCURRENCY: usize = 4;
/// Default spacing between request starts to one host.
pub const DEFAULT_HOST_INTERVAL: Duration = Duration::from_millis(100);
/// Default total time per request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
/// Default retries of transient failures.
pub const DEFAULT_RETRIES: u32 = 2;
/// Default cap on one wait before a retry.
pub const DEFAULT_MAX_RETRY_WAIT: Duration = Duration::from_secs(60);
/// Default bound on the total time one target may take (all requests and waits).
pub const DEFAULT_TARGET_TIMEOUT: Duration = Duration::from_secs(60);
/// Default redirect hops followed at most (`--max-redirects`).
pub const DEFAULT_MAX_REDIRECTS: usize = 10;
/// Bytes of a body read at most when classifying.
pub(crate) const BODY_PREFIX: usize = 64 * 1024;

/// Which method to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET for pages (their first 64 KiB: soft 404s show); HEAD for files known not to be HTML,
    /// then GET when the server rejects or mishandles HEAD or says the file is HTML.
    Auto,
    /// HEAD only.
    Head,
    /// GET only.
    Get,
}

/// One `--resolve HOST:PORT:ADDR` override: requests to `host` on `port` (the URL's port, or
/// its scheme's) connect to `addr` instead of what `host` resolves to. As in curl, the key is
/// the host *and* the port: `h:80:…` and `h:443:…` are two overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// The host name, lower case, without a final dot.
    pub host: String,
    /// The port the override applies to.
    pub port: u16,
    /// Where to connect (its port is `port` unless ADDR named one).
    pub addr: SocketAddr,
}

impl Override {
    /// The override of `host` on `port`, connecting to `addr`.
    #[must_use]
    pub fn new(host: &str, port: u16, addr: SocketAddr) -> Override {
        Override { host: host.trim_end_matches('.').to_ascii_lowercase(), port, addr }
    }
}

/// How to fetch: politeness, patience, and the client's settings. Plain data, built and
/// checked by [`crate::CheckConfig`]'s builder.
#[derive(Debug, Clone)]
pub(crate) struct FetchOptions {
    /// Global bound on requests in flight.
    pub max_concurrency: usize,
    /// Requests in flight per host.
    pub host_concurrency: usize,
    /// Minimum spacing between request starts to one host.
    pub host_interval: Duration,
    /// Total time per request.
    pub timeout: Duration,
    /// Total time per target: every method, redirect, retry and wait.
    pub target_timeout: Duration,
    /// Retries of transient failures.
    pub retries: u32,
    /// Cap on one wait before a retry (Retry-After included).
    pub max_retry_wait: Duration,
    /// Method policy.
    pub method: Method,
    /// User-Agent header.
    pub user_agent: String,
    /// Host name overrides, as curl's `--resolve HOST:PORT:ADDR`.
    pub resolve: Vec<Override>,
    /// Extra trusted root certificates (PEM files).
    pub cacerts: Vec<PathBuf>,
    /// Accept invalid certificates.
    pub insecure: bool,
    /// Refuse non-public addresses (also after redirects and DNS resolution).
    pub deny_private: bool,
    /// Extra request headers (`-H`), each for every host or for one.
    pub headers: Vec<Header>,
    /// Redirect hops followed at most.
    pub max_redirects: usize,
    /// A proxy for every request (`--proxy`); `HTTP(S)_PROXY`/`ALL_PROXY` otherwise.
    pub proxy: Option<String>,
}

/// An extra request header (`-H "Name: value"`, or `[[headers]]` in `citecheck.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Only requests to this host carry it (lower case); every request when `None`.
    pub host: Option<String>,
    /// The header name.
    pub name: String,
    /// Its value.
    pub value: String,
}

impl Header {
    /// Parses `Name: value` (for `host`, or every host).
    ///
    /// # Errors
    /// Not `Name: value`, or a name or value HTTP does not allow; the message says which.
    pub fn parse(spec: &str, host: Option<&str>) -> std::result::Result<Header, String> {
        let Some((name, value)) = spec.split_once(':') else {
            return Err(format!("header '{spec}': write \"Name: value\", e.g. \"Accept-Language: fr\""));
        };
        let (name, value) = (name.trim(), value.trim());
        reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("header '{spec}': '{name}' is not a header name"))?;
        reqwest::header::HeaderValue::from_str(value)
            .map_err(|_| format!("header '{spec}': the value has characters a header cannot carry"))?;
        let host = host.map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase());
        Ok(Header { host, name: name.to_string(), value: value.to_string() })
    }

    /// Whether a request to `host` carries it.
    pub(crate) fn applies_to(&self, host: &str) -> bool {
        self.host.as_deref().is_none_or(|h| h.eq_ignore_ascii_case(host.trim_end_matches('.')))
    }
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            host_concurrency: DEFAULT_HOST_CONCURRENCY,
            host_interval: DEFAULT_HOST_INTERVAL,
            timeout: DEFAULT_TIMEOUT,
            retries: DEFAULT_RETRIES,
            max_retry_wait: DEFAULT_MAX_RETRY_WAIT,
            target_timeout: DEFAULT_TARGET_TIMEOUT,
            method: Method::Auto,
            user_agent: default_user_agent(),
            resolve: Vec::new(),
            cacerts: Vec::new(),
            insecure: false,
            deny_private: false,
            headers: Vec::new(),
            max_redirects: DEFAULT_MAX_REDIRECTS,
            proxy: None,
        }
    }
}

/// `citecheck/<version> (+<repository>)`.
pub(crate) fn default_user_agent() -> String {
    format!("citecheck/{} (+{})", env!("CARGO_PKG_VERSION"), env!("CARGO_PKG_REPOSITORY"))
}

/// What was decided before the fetch stage (excluded, served from the history).
#[derive(Debug, Default)]
pub(crate) struct Decided {
    /// Per target: true when it is not fetched.
    pub done: Vec<bool>,
    /// Targets served from the history as `ok`: when no host answers, they are tried to tell
    /// a network that is down from hosts that are gone.
    pub known_good: Vec<usize>,
}

/// What the fetch stage brought back (the outcomes went to the result sink).
#[derive(Debug)]
pub(crate) struct Fetched {
    /// When no host answered and several could not be reached: how many were tried (the
    /// network looks down; the outcomes say nothing about the citations).
    pub offline: Option<usize>,
    /// The stage was asked to stop before every target was checked.
    pub interrupted: bool,
}

/// How long requests in flight may take to finish once a stop is asked.
pub(crate) const STOP_GRACE: Duration = Duration::from_secs(2);
/// Every this many half-second ticks, the memory the fetch freed is given back (2 s).
const GIVE_BACK_TICKS: u32 = 4;

/// A request to stop a running fetch stage early (Ctrl-C): no new target starts, requests in
/// flight get [`STOP_GRACE`] to finish, the others are left unchecked.
#[derive(Debug, Default)]
pub(crate) struct Stop {
    asked: AtomicBool,
    notify: tokio::sync::Notify,
}

impl Stop {
    /// Asks the stage to stop.
    pub(crate) fn ask(&self) {
        self.asked.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    /// Whether a stop was asked.
    pub(crate) fn asked(&self) -> bool {
        self.asked.load(Ordering::SeqCst)
    }

    async fn wait(&self) {
        let notified = self.notify.notified();
        if !self.asked() {
            notified.await;
        }
    }
}

/// Checks every target not already `decided` (excluded, cached); each outcome goes to
/// `results` as it comes, and each GET exchange to `exchanges` when given. Stops early when
/// `stop` is asked (the targets left have no outcome), and when every host has been tried and
/// none could be reached (the network is down).
///
/// # Errors
/// The HTTP client cannot be built (an unreadable `--cacert`), or a result sink fails.
pub(crate) async fn check_all(
    targets: &Targets,
    decided: Decided,
    opts: &FetchOptions,
    exchanges: Option<Arc<dyn ExchangeSink>>,
    results: &mut dyn ResultSink,
    stop: &Stop,
) -> Result<Fetched> {
    let checker = Arc::new(check::Checker::new(opts, exchanges)?);
    let Decided { mut done, known_good } = decided;
    done.resize(targets.len(), false);
    let (mut queues, hosts) = queues_of(targets, &done, opts);
    let mut running = FuturesUnordered::new();
    let mut aborts: HashMap<usize, tokio::task::AbortHandle> = HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut grace: Option<tokio::time::Instant> = None;
    let mut ticks = 0u32;
    loop {
        // After Ctrl-C nothing new starts.
        while !stop.asked() {
            let Some((i, host)) = queues.admit() else { break };
            let i = i as usize;
            let checker = checker.clone();
            let (kind, url): (_, Arc<str>) = (targets.kind(i), targets.url(i).into());
            // A task of its own, so reading, hashing and archiving bodies spread over the
            // runtime's worker threads instead of all running where this loop is polled.
            let task = tokio::spawn(async move { checker.check_one(kind, &url).await });
            aborts.insert(i, task.abort_handle());
            running.push(async move { (i, host, task.await) });
        }
        if running.is_empty() || checker.reach.every_host_unreachable(hosts) {
            break;
        }
        let until = grace.unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            next = running.next() => {
                let Some((i, host, joined)) = next else { break };
                aborts.remove(&i);
                let outcome = match joined {
                    Ok(outcome) => outcome,
                    // A panic in a check is a bug: surface it as one, not as a link status.
                    Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                    Err(e) => return Err(Error::Config(format!("a check task was cancelled: {e}"))),
                };
                queues.done(host);
                results.accept(i, &outcome)?;
                done[i] = true;
            }
            _ = tick.tick() => {
                results.tick()?;
                // Buffers freed by the workers go back to the system every few seconds.
                ticks = ticks.wrapping_add(1);
                if ticks.is_multiple_of(GIVE_BACK_TICKS) {
                    crate::memory::give_back();
                }
            }
            () = stop.wait(), if grace.is_none() => grace = Some(tokio::time::Instant::now() + STOP_GRACE),
            () = tokio::time::sleep_until(until), if grace.is_some() => break,
        }
    }
    for handle in aborts.values() {
        handle.abort();
    }
    // Collect what finished meanwhile. An aborted task ends at its next await (one writing a
    // body into the archive finishes that write first), so afterwards nothing holds the archive.
    while let Some((i, _, joined)) = running.next().await {
        match joined {
            Ok(outcome) => {
                results.accept(i, &outcome)?;
                done[i] = true;
            }
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => {} // cancelled: left unchecked
        }
    }
    let offline = confirm_offline(&checker, targets, &known_good).await;
    let interrupted = stop.asked() && done.contains(&false);
    Ok(Fetched { offline, interrupted })
}

/// The hosts tried when the network looks down — unless a target the history found `ok`
/// recently (served from the cache this run) answers now: then the network is up and the
/// hosts tried are simply gone (a nightly run that re-checks only dead domains).
async fn confirm_offline(checker: &check::Checker, targets: &Targets, known_good: &[usize]) -> Option<usize> {
    let hosts = checker.reach.offline()?;
    for &i in known_good.iter().filter(|&&i| i < targets.len()).take(3) {
        let url: Arc<str> = targets.url(i).into();
        if checker.check_one(targets.kind(i), &url).await.http_status.is_some() {
            return None;
        }
    }
    Some(hosts)
}

/// Awaits spawned tasks in their order: their results; a panic in one is re-raised (a bug, not
/// a result); a cancelled one is an error naming `what`. When `stop` is asked (Ctrl-C), the
/// tasks not finished are aborted and their places are `None`.
pub(crate) async fn join_in_order<T>(
    tasks: Vec<tokio::task::JoinHandle<T>>,
    what: &str,
    stop: &Stop,
) -> Result<Vec<Option<T>>> {
    let mut out = Vec::with_capacity(tasks.len());
    for mut t in tasks {
        if stop.asked() {
            t.abort();
            out.push(None);
            continue;
        }
        let joined = tokio::select! {
            joined = &mut t => joined,
            () = stop.wait() => {
                t.abort();
                out.push(None);
                continue;
            }
        };
        match joined {
            Ok(v) => out.push(Some(v)),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => return Err(Error::Config(format!("a {what} task was cancelled: {e}"))),
        }
    }
    Ok(out)
}

/// One queue per host, in document order, hosts numbered by first appearance. Live futures
/// are bounded: per host by its concurrency, in all by a multiple of the global bound; with a
/// spacing between requests, by enough hosts' worth that waiting for one host's spacing never
/// starves the others.
fn queues_of(targets: &Targets, decided: &[bool], opts: &FetchOptions) -> (scheduler::Queues, usize) {
    let mut host_ids: HashMap<String, usize> = HashMap::new();
    // Queued as they are read (a list of them first took 16 bytes a target). Target numbers
    // fit in `u32` (the targets are counted so).
    let open = decided.iter().enumerate().take(targets.len()).filter(|(_, &d)| !d);
    let items = open.filter_map(|(i, _)| {
        let key = reqwest::Url::parse(&targets.url(i)).map(|u| host_key(&u)).unwrap_or_default();
        let next = host_ids.len();
        Some((u32::try_from(i).ok()?, *host_ids.entry(key).or_insert(next)))
    });
    let mut queues = scheduler::Queues::new(items, opts.host_concurrency, usize::MAX);
    let hosts = queues.hosts();
    let global = opts.max_concurrency * 4;
    queues.limit(if opts.host_interval.is_zero() {
        // No spacing to wait out: a few hosts at their limit keep every slot busy (and only
        // their connections open).
        global.max(opts.host_concurrency)
    } else {
        global.max(opts.host_concurrency * hosts.min(1024))
    });
    (queues, hosts)
}
