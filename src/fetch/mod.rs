//! Fetching: checks every target concurrently and politely, and turns what the servers
//! answered into [`Outcome`]s. The only async part of the crate.

mod guard;
pub mod retry;
mod scheduler;

use crate::error::{Error, Result};
use crate::types::{Hop, Kind, Outcome, Status, Target};
use futures::stream::{FuturesUnordered, StreamExt};
use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use scheduler::HostPool;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

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
/// Redirect hops followed at most.
pub const MAX_REDIRECTS: usize = 10;
/// Bytes of a body read at most when classifying.
pub const BODY_PREFIX: usize = 64 * 1024;

/// Which method to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// HEAD first, GET when the server rejects or mishandles HEAD.
    Auto,
    /// HEAD only.
    Head,
    /// GET only.
    Get,
}

/// Validated fetch settings.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// Global bound on requests in flight.
    pub max_concurrency: usize,
    /// Requests in flight per host.
    pub host_concurrency: usize,
    /// Minimum spacing between request starts to one host.
    pub host_interval: Duration,
    /// Total time per request.
    pub timeout: Duration,
    /// Retries of transient failures.
    pub retries: u32,
    /// Cap on one wait before a retry (Retry-After included).
    pub max_retry_wait: Duration,
    /// Method policy.
    pub method: Method,
    /// User-Agent header.
    pub user_agent: String,
    /// Host name overrides, as curl's `--resolve HOST:PORT:ADDR`.
    pub resolve: Vec<(String, SocketAddr)>,
    /// Extra trusted root certificates (PEM files).
    pub cacerts: Vec<PathBuf>,
    /// Accept invalid certificates.
    pub insecure: bool,
    /// Refuse non-public addresses (also after redirects and DNS resolution).
    pub deny_private: bool,
    /// Archive every exchange here (`--archive`): GET only, bodies kept as received.
    pub archive: Option<ArchiveHandle>,
}

/// The archive a run writes to, shared by the fetch tasks.
pub type ArchiveHandle = Arc<crate::archive::Recorder>;

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            host_concurrency: DEFAULT_HOST_CONCURRENCY,
            host_interval: DEFAULT_HOST_INTERVAL,
            timeout: DEFAULT_TIMEOUT,
            retries: DEFAULT_RETRIES,
            max_retry_wait: DEFAULT_MAX_RETRY_WAIT,
            method: Method::Auto,
            user_agent: default_user_agent(),
            resolve: Vec::new(),
            cacerts: Vec::new(),
            insecure: false,
            deny_private: false,
            archive: None,
        }
    }
}

/// `citecheck/<version> (+<repository>)`.
pub fn default_user_agent() -> String {
    format!("citecheck/{} (+{})", env!("CARGO_PKG_VERSION"), env!("CARGO_PKG_REPOSITORY"))
}

/// The ODS file API URL that resolves `symbol` in `lang`.
pub fn symbol_url(symbol: &str, lang: &str) -> String {
    let enc = percent_encoding::utf8_percent_encode(symbol, percent_encoding::NON_ALPHANUMERIC);
    format!("https://documents.un.org/api/symbol/access?s={enc}&l={lang}&t=pdf")
}

/// What [`check_all`] reports while it runs.
#[derive(Debug)]
pub enum Progress<'a> {
    /// Target `index` has its outcome.
    Done(usize, &'a Outcome),
    /// Half a second passed (a moment to flush batched work).
    Tick,
}

/// Checks every target (the ones already decided, like `excluded` or cached, are passed in
/// `preset`) and returns one outcome per target, in target order.
///
/// # Errors
/// Only when the HTTP client cannot be built (an unreadable `--cacert`).
pub async fn check_all(
    targets: &[Target],
    preset: Vec<Option<Outcome>>,
    cfg: &FetchConfig,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<Vec<Outcome>> {
    let client = Arc::new(build_client(cfg)?);
    let pool = Arc::new(HostPool::new(cfg.max_concurrency, cfg.host_concurrency, cfg.host_interval));
    let shared_cfg = Arc::new(cfg.clone());
    let mut results: Vec<Option<Outcome>> = preset;
    results.resize(targets.len(), None);
    // One queue per host, in document order; hosts numbered by first appearance.
    let mut host_ids: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut items = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        if results[i].is_some() {
            continue;
        }
        let key = reqwest::Url::parse(&t.url).map(|u| host_key(&u)).unwrap_or_default();
        let next = host_ids.len();
        items.push((i, *host_ids.entry(key).or_insert(next)));
    }
    // Live futures are bounded: per host by its concurrency, in all by a multiple of the
    // global bound (so waiting for one host's spacing never starves the others).
    let max_live = (cfg.max_concurrency * 4).max(cfg.host_concurrency * host_ids.len().min(1024)).max(1);
    let mut queues = scheduler::Queues::new(items, cfg.host_concurrency, max_live);
    let mut running = FuturesUnordered::new();
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        while let Some((i, host)) = queues.admit() {
            let (client, pool, cfg) = (client.clone(), pool.clone(), shared_cfg.clone());
            let (kind, url) = (targets[i].kind, targets[i].url.clone());
            // A task of its own, so reading, hashing and archiving bodies spread over the
            // runtime's worker threads instead of all running where this loop is polled.
            let task = tokio::spawn(async move { check_one(&client, &pool, &cfg, kind, &url).await });
            running.push(async move { (i, host, task.await) });
        }
        if running.is_empty() {
            break;
        }
        tokio::select! {
            next = running.next() => {
                let Some((i, host, joined)) = next else { break };
                let outcome = match joined {
                    Ok(outcome) => outcome,
                    // A panic in a check is a bug: surface it as one, not as a link status.
                    Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                    Err(e) => return Err(Error::Config(format!("a check task was cancelled: {e}"))),
                };
                queues.done(host);
                progress(Progress::Done(i, &outcome));
                results[i] = Some(outcome);
            }
            _ = tick.tick() => progress(Progress::Tick),
        }
    }
    if let Some(message) = client.archive_error.lock().ok().and_then(|mut e| e.take()) {
        return Err(Error::WriteOutput { path: "archive".into(), source: std::io::Error::other(message) });
    }
    Ok(results.into_iter().map(|o| o.unwrap_or_else(|| unreachable!("every target was checked"))).collect())
}

/// The HTTP client of a run, its cookie jar, and the archive (if any).
struct Http {
    client: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
    archive: Option<ArchiveHandle>,
    user_agent: String,
    /// The first archive write error; it ends the run as an I/O failure.
    archive_error: std::sync::Mutex<Option<String>>,
}

fn build_client(cfg: &FetchConfig) -> Result<Http> {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    // When archiving, bodies are kept exactly as sent: no automatic decompression, HTTP/1.1.
    let decompress = cfg.archive.is_none();
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(cfg.user_agent.clone())
        .timeout(cfg.timeout)
        .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
        .cookie_provider(jar.clone())
        .gzip(decompress)
        .brotli(decompress)
        .deflate(decompress)
        .danger_accept_invalid_certs(cfg.insecure);
    if !decompress {
        b = b.http1_only();
    }
    if cfg.deny_private {
        b = b.dns_resolver(Arc::new(guard::PublicOnly));
    }
    for (host, addr) in &cfg.resolve {
        b = b.resolve(host, *addr);
    }
    for path in &cfg.cacerts {
        let pem = std::fs::read(path)
            .map_err(|source| Error::ReadInput { input: path.display().to_string(), source })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            Error::Config(format!("--cacert {}: not a PEM certificate ({e})", path.display()))
        })?;
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    let client = b.build().map_err(|e| Error::Config(format!("cannot set up the HTTP client: {e}")))?;
    Ok(Http {
        client,
        jar,
        archive: cfg.archive.clone(),
        user_agent: cfg.user_agent.clone(),
        archive_error: std::sync::Mutex::new(None),
    })
}

/// What one request brought back.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
    capture: Option<crate::types::Capture>,
}

/// Why a request brought nothing back.
struct Failure {
    status: Status,
    error: String,
}

fn host_key(url: &reqwest::Url) -> String {
    format!("{}:{}", url.host_str().unwrap_or(""), url.port_or_known_default().unwrap_or(0))
}

async fn check_one(client: &Http, pool: &HostPool, cfg: &FetchConfig, kind: Kind, start: &str) -> Outcome {
    let began = Instant::now();
    let mut outcome = Outcome {
        status: Status::Invalid,
        http_status: None,
        final_url: String::new(),
        hops: Vec::new(),
        attempts: 0,
        error: String::new(),
        elapsed_ms: 0,
        content_type: String::new(),
        checked_at: String::new(),
        cached: false,
        capture: None,
    };
    let finish = |mut o: Outcome| {
        o.elapsed_ms = u64::try_from(began.elapsed().as_millis()).unwrap_or(u64::MAX);
        o.checked_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
        o
    };
    let mut url = match reqwest::Url::parse(start) {
        Ok(u) if u.scheme() == "http" || u.scheme() == "https" => u,
        Ok(u) => {
            outcome.status = Status::Excluded;
            outcome.error = format!("{}: scheme is not checked", u.scheme());
            return finish(outcome);
        }
        Err(e) => {
            outcome.error = format!("not a valid URL: {e}");
            return finish(outcome);
        }
    };
    // Symbols are checked by the document served, which needs the body.
    let method = if kind == Kind::Symbol || cfg.archive.is_some() { Method::Get } else { cfg.method };
    loop {
        if let Some(why) = cfg.deny_private.then(|| guard::refuse_literal(&url)).flatten() {
            outcome.status = Status::Excluded;
            outcome.error = why;
            outcome.final_url = url.to_string();
            return finish(outcome);
        }
        let answer = request(client, pool, cfg, &url, method, &mut outcome.attempts).await;
        let answer = match answer {
            Ok(a) => a,
            Err(f) => {
                outcome.status = f.status;
                outcome.error = f.error;
                outcome.final_url = url.to_string();
                return finish(outcome);
            }
        };
        outcome.http_status = Some(answer.status);
        outcome.final_url = url.to_string();
        outcome.content_type = header(&answer.headers, CONTENT_TYPE);
        if (300..400).contains(&answer.status) && answer.headers.contains_key(LOCATION) {
            let location = header(&answer.headers, LOCATION);
            let next = match url.join(&location) {
                Ok(n) => n,
                Err(e) => {
                    outcome.status = Status::Broken;
                    outcome.error =
                        format!("redirect {} to an invalid Location '{location}': {e}", answer.status);
                    return finish(outcome);
                }
            };
            outcome.hops.push(Hop {
                url: url.to_string(),
                status: answer.status,
                location: next.to_string(),
            });
            if next.scheme() != "http" && next.scheme() != "https" {
                outcome.status = Status::Broken;
                outcome.error = format!("redirect to a non-HTTP scheme ({}) not followed", next.scheme());
                return finish(outcome);
            }
            if outcome.hops.iter().any(|h| h.url == next.as_str()) {
                outcome.status = Status::Broken;
                outcome.error = format!("redirect loop after {} hops (back to {next})", outcome.hops.len());
                return finish(outcome);
            }
            if outcome.hops.len() >= MAX_REDIRECTS {
                outcome.status = Status::Broken;
                outcome.error = format!("more than {MAX_REDIRECTS} redirects");
                return finish(outcome);
            }
            url = next;
            continue;
        }
        let (status, error) = classify(kind, start, &url, &outcome.hops, &answer);
        outcome.status = status;
        outcome.error = error;
        outcome.capture = answer.capture;
        return finish(outcome);
    }
}

fn header(h: &HeaderMap, name: reqwest::header::HeaderName) -> String {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

/// One request with the method policy and the retry rules applied.
async fn request(
    client: &Http,
    pool: &HostPool,
    cfg: &FetchConfig,
    url: &reqwest::Url,
    method: Method,
    attempts: &mut u32,
) -> Result<Answer, Failure> {
    let host = host_key(url);
    let mut tries = 0u32;
    // After a HEAD that was rejected or hung, retries go straight to GET.
    let mut use_head = method == Method::Head || method == Method::Auto;
    loop {
        let mut result = send(client, pool, &host, url, use_head, attempts).await;
        if method == Method::Auto && use_head && head_needs_get(&result) {
            use_head = false;
            result = send(client, pool, &host, url, false, attempts).await;
        }
        let transient = match &result {
            Ok(a) => retry::status_is_transient(a.status),
            Err(f) => matches!(f.status, Status::Timeout | Status::Unreachable) && !f.error.contains("DNS"),
        };
        if !transient || tries >= cfg.retries {
            return result;
        }
        tries += 1;
        let seed =
            url.as_str().bytes().fold(u64::from(tries), |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        let mut wait = retry::backoff(tries, cfg.max_retry_wait, seed);
        if let Ok(a) = &result {
            if let Some(ra) = a.headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok()) {
                wait = retry::retry_after(ra, cfg.max_retry_wait).unwrap_or(wait);
            }
            if a.status == 429 || a.status == 503 {
                // The whole host slows down, not just this request.
                pool.back_off(&host, tokio::time::Instant::now() + wait);
            }
        }
        tokio::time::sleep(wait).await;
    }
}

/// A HEAD answer that does not settle the question: rejected, mishandled or hung.
fn head_needs_get(r: &Result<Answer, Failure>) -> bool {
    match r {
        Ok(a) => a.status >= 400,
        Err(f) => f.status == Status::Timeout,
    }
}

async fn send(
    client: &Http,
    pool: &HostPool,
    host: &str,
    url: &reqwest::Url,
    head: bool,
    attempts: &mut u32,
) -> Result<Answer, Failure> {
    const ACCEPT_VALUE: &str = "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8";
    const ACCEPT_ENCODING_VALUE: &str = "gzip, deflate";
    let _slot = pool.slot(host).await;
    *attempts += 1;
    let archive = client.archive.as_ref().filter(|_| !head);
    let req = if head { client.client.head(url.clone()) } else { client.client.get(url.clone()) };
    let mut req = req.header(ACCEPT, ACCEPT_VALUE);
    // The request as it goes out, for the archive (cookies as the jar holds them now).
    let mut request_head = None;
    if archive.is_some() {
        req = req.header(reqwest::header::ACCEPT_ENCODING, ACCEPT_ENCODING_VALUE);
        request_head = Some(request_bytes(client, url, ACCEPT_VALUE, ACCEPT_ENCODING_VALUE));
    }
    let date = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let mut resp = req.send().await.map_err(failure)?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let mut body = Vec::new();
    let (Some(archive), Some(request)) = (archive, request_head) else {
        if !head {
            // A bounded prefix: enough to classify, never the whole of a huge body.
            while body.len() < BODY_PREFIX {
                match resp.chunk().await {
                    Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                    Ok(None) => break,
                    Err(e) => return Err(failure(e)),
                }
            }
            body.truncate(BODY_PREFIX);
        }
        return Ok(Answer { status, headers, body, capture: None });
    };
    // Archiving: the whole body (up to the size limit) goes to a spool while it is hashed.
    let ip = resp.remote_addr().map(|a| a.ip().to_string());
    let version = if resp.version() == reqwest::Version::HTTP_10 { "HTTP/1.0" } else { "HTTP/1.1" };
    let mut spool = archive.spool();
    if headers.contains_key(reqwest::header::CONTENT_LENGTH) {
        // The head does not depend on the body: the block digest is computed as it streams.
        spool = spool.with_head(response_bytes(version, status, &headers, 0));
    }
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() < BODY_PREFIX {
                    body.extend_from_slice(&chunk[..chunk.len().min(BODY_PREFIX - body.len())]);
                }
                if let Err(e) = spool.write_all(&chunk) {
                    note_archive_error(client, &format!("cannot write a spool file: {e}"));
                    break;
                }
                if spool.truncated() {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => return Err(failure(e)),
        }
    }
    let mime = header(&headers, CONTENT_TYPE);
    let response_head = response_bytes(version, status, &headers, spool.payload_len());
    let captured = tokio::task::block_in_place(|| -> std::io::Result<crate::types::Capture> {
        let block = spool.finish(&response_head)?;
        let exchange = crate::archive::Exchange {
            target_uri: url.to_string(),
            ip,
            date,
            request,
            response: block,
            status,
            mime,
            content_encoding: header(&headers, reqwest::header::CONTENT_ENCODING),
        };
        archive.exchange(exchange)
    });
    let capture = match captured {
        Ok(c) => Some(c),
        Err(e) => {
            note_archive_error(client, &e.to_string());
            None
        }
    };
    let body = decoded_prefix(&headers, body);
    Ok(Answer { status, headers, body, capture })
}

fn note_archive_error(client: &Http, message: &str) {
    if let Ok(mut slot) = client.archive_error.lock() {
        slot.get_or_insert_with(|| message.to_string());
    }
}

/// The request line and headers as sent (HTTP/1.1; reqwest writes these headers, plus the
/// cookie header when the jar has cookies for the URL).
fn request_bytes(client: &Http, url: &reqwest::Url, accept: &str, accept_encoding: &str) -> Vec<u8> {
    use reqwest::cookie::CookieStore;
    let path = &url[url::Position::BeforePath..url::Position::AfterQuery];
    let mut host = url.host_str().unwrap_or("").to_string();
    if let Some(port) = url.port() {
        host.push_str(&format!(":{port}"));
    }
    let mut head = format!(
        "GET {path} HTTP/1.1\r\nhost: {host}\r\nuser-agent: {}\r\naccept: {accept}\r\naccept-encoding: {accept_encoding}\r\n",
        client.user_agent
    );
    if let Some(cookie) = client.jar.cookies(url).and_then(|v| v.to_str().ok().map(str::to_string)) {
        head.push_str(&format!("cookie: {cookie}\r\n"));
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// The status line and headers as received, with transfer framing removed: a
/// `Transfer-Encoding` header is kept as `X-Orig-Transfer-Encoding` and `Content-Length` is
/// set to the body stored when the server sent none.
fn response_bytes(version: &str, status: u16, headers: &HeaderMap, body_len: u64) -> Vec<u8> {
    let reason = reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
    let mut head = format!("{version} {status} {reason}\r\n").into_bytes();
    for (name, value) in headers {
        let name = if name == reqwest::header::TRANSFER_ENCODING {
            "x-orig-transfer-encoding"
        } else {
            name.as_str()
        };
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    if !headers.contains_key(reqwest::header::CONTENT_LENGTH) {
        head.extend_from_slice(format!("content-length: {body_len}\r\n").as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// The start of a body as text for classification, decompressed when it was sent gzip- or
/// deflate-encoded (archiving keeps the encoded bytes).
fn decoded_prefix(headers: &HeaderMap, body: Vec<u8>) -> Vec<u8> {
    use std::io::Read;
    let encoding = header(headers, reqwest::header::CONTENT_ENCODING).to_ascii_lowercase();
    let mut out = Vec::new();
    let limit = BODY_PREFIX as u64;
    let result = match encoding.as_str() {
        "gzip" | "x-gzip" => flate2::read::GzDecoder::new(body.as_slice()).take(limit).read_to_end(&mut out),
        "deflate" => flate2::read::ZlibDecoder::new(body.as_slice()).take(limit).read_to_end(&mut out),
        _ => return body,
    };
    // A prefix of a compressed stream ends early: what was decoded so far is enough.
    let _ = result;
    out
}

fn failure(e: reqwest::Error) -> Failure {
    let chain = error_chain(&e);
    if let Some(p) = chain.find(guard::REFUSED) {
        return Failure { status: Status::Excluded, error: chain[p..].to_string() };
    }
    let lower = chain.to_ascii_lowercase();
    let tls = ["certificate", "handshake", "alert", "unknownissuer", "notvalidforname", "badsignature"];
    let (status, error) = if e.is_timeout() {
        (Status::Timeout, "timed out".to_string())
    } else if lower.contains("dns error") || lower.contains("failed to lookup") {
        (Status::Unreachable, "host name not found (DNS)".to_string())
    } else if lower.contains("connection refused") {
        (Status::Unreachable, "connection refused".to_string())
    } else if lower.contains("connection reset") {
        (Status::Unreachable, "connection reset by the server".to_string())
    } else if lower.contains("close_notify")
        || lower.contains("connection closed before message completed")
        || lower.contains("incompletemessage")
        || lower.contains("unexpected eof")
    {
        (Status::Unreachable, "connection closed without a response".to_string())
    } else if tls.iter().any(|w| lower.contains(w)) {
        (Status::TlsError, format!("TLS: {}", innermost(&e)))
    } else {
        (Status::Unreachable, innermost(&e))
    };
    Failure { status, error }
}

/// The most specific cause of an error, in one line.
fn innermost(e: &dyn std::error::Error) -> String {
    let mut last = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        last = s.to_string();
        src = s.source();
    }
    last.replace(['\n', '\r'], " ")
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut src = e.source();
    while let Some(s) = src {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        src = s.source();
    }
    parts.join(": ").replace(['\n', '\r'], " ")
}

/// The status class of a final (non-redirect) answer.
fn classify(kind: Kind, start: &str, url: &reqwest::Url, hops: &[Hop], a: &Answer) -> (Status, String) {
    let s = a.status;
    if kind == Kind::Symbol {
        let ct = header(&a.headers, CONTENT_TYPE).to_ascii_lowercase();
        let doc_type = ct.contains("pdf") || ct.contains("msword") || ct.contains("officedocument");
        let doc_body =
            a.body.starts_with(b"%PDF-") || a.body.starts_with(b"PK") || a.body.starts_with(&[0xD0, 0xCF]);
        return if (200..300).contains(&s) && doc_type && doc_body {
            (Status::Ok, String::new())
        } else if (200..300).contains(&s) {
            (Status::Broken, "no such document: the ODS API answered without a PDF or Word file".to_string())
        } else {
            classify(Kind::Url, start, url, &[], a)
        };
    }
    let challenge =
        a.headers.get("cf-mitigated").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"challenge"));
    if a.headers.contains_key("x-amzn-waf-action") || challenge {
        return (Status::Blocked, format!("HTTP {s}: bot challenge page"));
    }
    match s {
        200..=299 => {
            if !hops.is_empty()
                && url.path() == "/"
                && reqwest::Url::parse(start).is_ok_and(|u| u.path() != "/")
            {
                return (Status::Soft404, format!("deep link redirected to the site's home page {url}"));
            }
            if let Some(title) = not_found_title(&a.body) {
                return (Status::Soft404, format!("HTTP {s} but the page title says \"{title}\""));
            }
            if hops.is_empty() || url.as_str() == start {
                (Status::Ok, String::new())
            } else {
                (Status::Redirected, String::new())
            }
        }
        401 | 403 | 407 | 429 => {
            (Status::Blocked, format!("HTTP {s}: access refused; the page may be alive"))
        }
        500..=599 => (Status::ServerError, format!("HTTP {s}")),
        _ => (Status::Broken, format!("HTTP {s}")),
    }
}

fn not_found_title(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let lower = text.to_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let title = text.get(start..end)?.trim();
    let t = title.to_lowercase();
    let says = [
        "not found",
        "404",
        "page introuvable",
        "no encontrada",
        "no se encontró",
        "не найдена",
        "找不到",
        "页面不存在",
    ];
    says.iter().any(|w| t.contains(w)).then(|| title.chars().take(80).collect())
}
