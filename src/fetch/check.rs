//! Checking one target: requests with the method policy (HEAD, then GET when HEAD is
//! rejected or hangs) and the retry rules, redirects followed and recorded hop by hop, bodies
//! read as far as classification needs (or whole, into the exchange sink), and the outcome.

use super::classify::{classify, decoded_prefix, header, Answer};
use super::client::Http;
use super::failure::Failure;
use super::reach::Reach;
use super::scheduler::HostPool;
use super::{guard, retry, FetchOptions, Method, BODY_PREFIX};
use crate::sink::{BodySink, RequestHead, ResponseHead};
use crate::types::{host_key, now, rfc3339, Hop, Interner, Kind, Outcome, Status};
use reqwest::header::{ACCEPT, ACCEPT_ENCODING, CONTENT_TYPE, LOCATION};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

const ACCEPT_VALUE: &str = "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8";
const ACCEPT_ENCODING_VALUE: &str = "gzip, deflate";

/// What every check of a run shares: the client, the host pool and the options.
pub(crate) struct Checker {
    pub http: Http,
    pub guard: guard::Guard,
    pub pool: HostPool,
    pub opts: FetchOptions,
    pub reach: Reach,
    pub strings: Shared,
}

/// Strings that many outcomes carry alike, made once: the second each answer came in, and
/// the content types (a million outcomes held ~64 MB of copies of them).
pub(crate) struct Shared {
    stamp: Mutex<Option<(u64, Arc<str>)>>,
    content_types: Mutex<Interner>,
}

impl Default for Shared {
    fn default() -> Shared {
        Shared { stamp: Mutex::default(), content_types: Mutex::new(Interner::new(MAX_SHARED_TYPES)) }
    }
}

/// Distinct content types kept for sharing at most (a server can make up any number).
const MAX_SHARED_TYPES: usize = 256;

impl Shared {
    /// The current time as [`now`] writes it.
    fn now(&self) -> Arc<str> {
        let at = SystemTime::now();
        let second = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let Ok(mut last) = self.stamp.lock() else { return rfc3339(at).into() };
        match &*last {
            Some((s, text)) if *s == second => text.clone(),
            _ => {
                let text: Arc<str> = rfc3339(at).into();
                *last = Some((second, text.clone()));
                text
            }
        }
    }

    /// `value`, as the string shared by every outcome of that content type.
    fn content_type(&self, value: &str) -> Arc<str> {
        match self.content_types.lock() {
            Ok(mut seen) => seen.get(value),
            Err(_) => value.into(),
        }
    }
}

impl Checker {
    /// The checker of a run: its client, guard, host pool and options.
    ///
    /// # Errors
    /// The HTTP client cannot be built (an unreadable `--cacert`).
    pub(crate) fn new(
        opts: &FetchOptions,
        exchanges: Option<std::sync::Arc<dyn crate::sink::ExchangeSink>>,
    ) -> crate::error::Result<Checker> {
        Ok(Checker {
            http: super::client::build(opts, exchanges)?,
            guard: guard::Guard::new(
                opts.deny_private,
                &opts.resolve,
                opts.proxy.is_some() || guard::proxy_in_environment(),
            ),
            pool: HostPool::new(opts.max_concurrency, opts.host_concurrency, opts.host_interval),
            opts: opts.clone(),
            reach: Reach::default(),
            strings: Shared::default(),
        })
    }

    /// Checks one target from its start URL to a final answer.
    pub(crate) async fn check_one(&self, kind: Kind, start: &Arc<str>) -> Outcome {
        let (http, opts) = (&self.http, &self.opts);
        let began = Instant::now();
        // One bound on everything a target may cost: methods, redirects, retries and waits.
        let deadline = tokio::time::Instant::now() + opts.target_timeout;
        let mut outcome = Outcome::decided(Status::Invalid, "");
        let finish = |mut o: Outcome| {
            o.elapsed_ms = u64::try_from(began.elapsed().as_millis()).unwrap_or(u64::MAX);
            o.checked_at = self.strings.now();
            o
        };
        let mut url = match reqwest::Url::parse(start) {
            Ok(u) if u.scheme() == "http" || u.scheme() == "https" => u,
            Ok(u) => {
                return finish(Outcome::decided(
                    Status::Excluded,
                    format!("{}: scheme is not checked", u.scheme()),
                ))
            }
            Err(e) => return finish(Outcome::decided(Status::Invalid, format!("not a valid URL: {e}"))),
        };
        let method = method_for(kind, &url, opts.method, http.exchanges.is_some());
        loop {
            // The target's own string when nothing redirected (a million outcomes: 48 MB).
            outcome.final_url = if url.as_str() == &**start { start.clone() } else { url.as_str().into() };
            if let Some(why) = self.guard.refusal(&url).await {
                outcome.status = Status::Excluded;
                outcome.error = why.to_string();
                return finish(outcome);
            }
            let answer = match self.request(&url, method, &mut outcome.attempts, deadline).await {
                Ok(a) => a,
                Err(f) => {
                    outcome.status = f.status();
                    outcome.error = f.message();
                    if matches!(f, Failure::Timeout | Failure::ConnectTimeout)
                        && tokio::time::Instant::now() >= deadline
                    {
                        outcome.error = format!(
                            "no answer within --target-timeout {}s ({} requests)",
                            opts.target_timeout.as_secs_f64(),
                            outcome.attempts
                        );
                    }
                    return finish(outcome);
                }
            };
            outcome.http_status = Some(answer.status);
            outcome.content_type = self.strings.content_type(&header(&answer.headers, CONTENT_TYPE));
            if (300..400).contains(&answer.status) && answer.headers.contains_key(LOCATION) {
                match follow(&url, &answer, &mut outcome.hops, opts.max_redirects) {
                    Ok(next) => {
                        url = next;
                        continue;
                    }
                    Err(why) => {
                        outcome.status = Status::Broken;
                        outcome.error = why;
                        return finish(outcome);
                    }
                }
            }
            (outcome.status, outcome.error) = classify(kind, start, &url, &outcome.hops, &answer);
            outcome.capture = answer.capture;
            return finish(outcome);
        }
    }

    /// One request with the method policy and the retry rules applied.
    pub(crate) async fn request(
        &self,
        url: &reqwest::Url,
        method: Method,
        attempts: &mut u32,
        deadline: tokio::time::Instant,
    ) -> Result<Answer, Failure> {
        let host = host_key(url);
        let mut tries = 0u32;
        // After a HEAD that was rejected or hung, retries go straight to GET.
        let mut use_head = method == Method::Head || method == Method::Auto;
        loop {
            let mut result = self.send(&host, url, use_head, attempts, deadline).await;
            let time_left = || tokio::time::Instant::now() < deadline;
            if method == Method::Auto && use_head && head_needs_get(&result) && time_left() {
                use_head = false;
                result = self.send(&host, url, false, attempts, deadline).await;
            }
            let Some(again) =
                retry::after(&result, url.as_str(), tries, self.opts.retries, self.opts.max_retry_wait)
            else {
                return result;
            };
            if tokio::time::Instant::now() + again.wait >= deadline {
                // No time left for another try within --target-timeout.
                return result;
            }
            tries += 1;
            if again.slow_host {
                self.pool.back_off(&host, tokio::time::Instant::now() + again.wait);
            }
            tokio::time::sleep(again.wait).await;
        }
    }

    /// Sends one request when the host's turn comes, and reads the body: a bounded prefix for
    /// classification, or all of it (to the sink's limit) when the exchange is kept.
    async fn send(
        &self,
        host: &str,
        url: &reqwest::Url,
        head: bool,
        attempts: &mut u32,
        deadline: tokio::time::Instant,
    ) -> Result<Answer, Failure> {
        let http = &self.http;
        let _slot = self.pool.slot(host).await;
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            return Err(Failure::Timeout);
        }
        *attempts += 1;
        let keep = http.exchanges.as_ref().filter(|_| !head);
        let client = http.client(url);
        let req = if head { client.head(url.clone()) } else { client.get(url.clone()) };
        let mut req = req.header(ACCEPT, ACCEPT_VALUE).timeout(left.min(self.opts.timeout));
        let extra: Vec<&super::Header> =
            self.opts.headers.iter().filter(|h| h.applies_to(url.host_str().unwrap_or(""))).collect();
        for h in &extra {
            req = req.header(h.name.as_str(), h.value.as_str());
        }
        let sent = keep.map(|_| request_head(http, url, &extra));
        if keep.is_some() {
            req = req.header(ACCEPT_ENCODING, ACCEPT_ENCODING_VALUE);
        }
        let mut resp = match req.send().await {
            Ok(resp) => resp,
            Err(e) => {
                let f = Failure::of(&e);
                self.reach.failed(host, &f);
                return Err(f);
            }
        };
        self.reach.answered(host);
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let mut sink: Option<Box<dyn BodySink>> = match (keep, sent) {
            (Some(k), Some(request)) => k.begin(request, response_head(&resp)),
            _ => None,
        };
        let mut body = Vec::new();
        if !head {
            loop {
                let wanted = body.len() < BODY_PREFIX;
                if !wanted && sink.as_ref().is_none_or(|s| s.is_full()) {
                    break;
                }
                match resp.chunk().await {
                    Ok(Some(chunk)) => {
                        if wanted {
                            body.extend_from_slice(&chunk[..chunk.len().min(BODY_PREFIX - body.len())]);
                        }
                        if let Some(s) = sink.as_mut() {
                            s.write(&chunk);
                        }
                    }
                    Ok(None) => break,
                    Err(e) => return Err(Failure::of(&e)),
                }
            }
        }
        let kept = sink.is_some();
        let capture = sink.and_then(|s| tokio::task::block_in_place(|| s.finish()));
        // Kept bodies are the encoded bytes; classification reads them decoded.
        let body = if kept { decoded_prefix(&headers, body) } else { body };
        Ok(Answer { status, headers, body, capture: capture.map(Box::new) })
    }
}

/// The method policy of one target. Symbols are checked by the document served and kept
/// exchanges need the body: GET. Under `auto`, a page that may be HTML is fetched with GET
/// (its first 64 KiB read, then the connection dropped) so a "Page not found" page served
/// with 200 is found; HEAD is kept for files whose type is known not to be HTML.
fn method_for(kind: Kind, url: &reqwest::Url, asked: Method, kept: bool) -> Method {
    if kind == Kind::Symbol || kept || asked == Method::Auto && !known_not_html(url) {
        Method::Get
    } else {
        asked
    }
}

/// File endings of documents that are not HTML pages (what reports cite besides pages).
const NOT_HTML: [&str; 22] = [
    "pdf", "doc", "docx", "xls", "xlsx", "xlsm", "ppt", "pptx", "odt", "ods", "odp", "rtf", "csv", "zip",
    "gz", "epub", "jpg", "jpeg", "png", "gif", "mp3", "mp4",
];

/// Whether the URL's path names a file type that is not HTML (`…/report.pdf`).
fn known_not_html(url: &reqwest::Url) -> bool {
    let last = url.path().rsplit('/').next().unwrap_or("");
    last.rsplit_once('.').is_some_and(|(_, ext)| NOT_HTML.iter().any(|e| ext.eq_ignore_ascii_case(e)))
}

/// A HEAD answer that does not settle the question: rejected, mishandled or hung — or an
/// HTML page where a file was expected (its body may say "not found").
fn head_needs_get(r: &Result<Answer, Failure>) -> bool {
    match r {
        Ok(a) if (200..300).contains(&a.status) => {
            header(&a.headers, CONTENT_TYPE).to_ascii_lowercase().contains("html")
        }
        Ok(a) => a.status >= 400,
        Err(f) => *f == Failure::Timeout,
    }
}

/// The next URL of a redirect, recorded as a hop; `Err` with the reason when it cannot be
/// followed (invalid Location, a non-HTTP scheme, a loop, too many hops).
fn follow(
    url: &reqwest::Url,
    answer: &Answer,
    hops: &mut Vec<Hop>,
    max: usize,
) -> Result<reqwest::Url, String> {
    let location = header(&answer.headers, LOCATION);
    let next = url
        .join(&location)
        .map_err(|e| format!("redirect {} to an invalid Location '{location}': {e}", answer.status))?;
    hops.push(Hop { url: url.to_string(), status: answer.status, location: next.to_string() });
    if next.scheme() != "http" && next.scheme() != "https" {
        return Err(format!("redirect to a non-HTTP scheme ({}) not followed", next.scheme()));
    }
    if hops.iter().any(|h| h.url == next.as_str()) {
        return Err(format!("redirect loop after {} hops (back to {next})", hops.len()));
    }
    if hops.len() > max {
        return Err(format!("more than {max} redirects (--max-redirects)"));
    }
    Ok(next)
}

/// The request as it goes out (reqwest writes these headers, and the cookie header when the
/// jar has cookies for the URL).
fn request_head(http: &Http, url: &reqwest::Url, extra: &[&super::Header]) -> RequestHead {
    use reqwest::cookie::CookieStore;
    let mut host = url.host_str().unwrap_or("").to_string();
    if let Some(port) = url.port() {
        host.push_str(&format!(":{port}"));
    }
    let mut headers = vec![
        ("host".to_string(), host),
        ("user-agent".to_string(), http.user_agent.clone()),
        ("accept".to_string(), ACCEPT_VALUE.to_string()),
        ("accept-encoding".to_string(), ACCEPT_ENCODING_VALUE.to_string()),
    ];
    if let Some(cookie) = http.jar.cookies(url).and_then(|v| v.to_str().ok().map(str::to_string)) {
        headers.push(("cookie".to_string(), cookie));
    }
    headers.extend(extra.iter().map(|h| (h.name.to_ascii_lowercase(), h.value.clone())));
    RequestHead { url: url.to_string(), method: "GET", headers, date: now() }
}

/// The status line and headers as received.
fn response_head(resp: &reqwest::Response) -> ResponseHead {
    let version = if resp.version() == reqwest::Version::HTTP_10 { "HTTP/1.0" } else { "HTTP/1.1" };
    let headers =
        resp.headers().iter().map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec())).collect();
    ResponseHead {
        version,
        status: resp.status().as_u16(),
        headers,
        ip: resp.remote_addr().map(|a| a.ip().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::guard::Guard;
    use std::net::SocketAddr;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn outcomes_share_their_time_and_content_type_strings() {
        let s = Shared::default();
        let (a, b) = (s.now(), s.now());
        // Within one second the string is shared; across a second boundary it is a new one.
        assert!(Arc::ptr_eq(&a, &b) || a != b, "{a} {b}");
        assert!(humantime::parse_rfc3339(&a).is_ok(), "{a}");
        let html = s.content_type("text/html; charset=utf-8");
        assert!(Arc::ptr_eq(&html, &s.content_type("text/html; charset=utf-8")));
        assert_eq!(&*s.content_type("application/pdf"), "application/pdf");
        // Past the limit, types are still given right, only no longer kept.
        for i in 0..MAX_SHARED_TYPES + 10 {
            assert_eq!(&*s.content_type(&format!("x/{i}")), format!("x/{i}"));
        }
        assert!(s.content_types.lock().is_ok_and(|t| t.len() == MAX_SHARED_TYPES));
        assert!(Arc::ptr_eq(&html, &s.content_type("text/html; charset=utf-8")));
    }

    /// A server on 127.0.0.1 that answers every request with `response`; counts requests.
    async fn answering(
        response: &'static str,
    ) -> (SocketAddr, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = count.clone();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let _ = sock.write_all(response.as_bytes()).await;
            }
        });
        (addr, count)
    }

    #[test]
    fn redirect_hops_into_private_addresses_are_refused() {
        let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
        rt.block_on(async {
            let hop =
                "HTTP/1.1 302 Found\r\nLocation: http://[::127.0.0.1]/inside\r\nContent-Length: 0\r\n\r\n";
            let (addr, count) = answering(hop).await;
            // The first hop is reached through an override the guard was not told about, as
            // if public.test resolved to a public address; the redirect leads inside.
            let opts = FetchOptions {
                deny_private: true,
                resolve: vec![crate::fetch::Override::new("public.test", addr.port(), addr)],
                retries: 0,
                ..FetchOptions::default()
            };
            let checker = Checker {
                http: super::super::client::build(&opts, None).expect("client"),
                guard: Guard::new(true, &[], false),
                pool: HostPool::new(4, 4, std::time::Duration::ZERO),
                opts,
                reach: Reach::default(),
                strings: super::Shared::default(),
            };
            let outcome =
                checker.check_one(Kind::Url, &format!("http://public.test:{}/hop", addr.port()).into()).await;
            assert_eq!(outcome.status, Status::Excluded, "{outcome:?}");
            assert_eq!(&*outcome.final_url, "http://[::7f00:1]/inside");
            assert!(outcome.error.starts_with("refused by --deny-private"), "{outcome:?}");
            assert_eq!(outcome.hops.len(), 1);
            assert_eq!(
                count.load(std::sync::atomic::Ordering::SeqCst),
                1,
                "only the first hop was requested"
            );
        });
    }
}
