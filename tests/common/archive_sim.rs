//! A simulated Wayback Machine for repair tests: the CDX server (`from`, `to`, `limit`,
//! `filter=statuscode:…`, JSON with a header row), the availability API, and mementos in raw
//! (`id_`) and replay form — some of them captured errors, redirects to the home page or "not
//! found" pages. It answers for `web.archive.org` and `archive.org` over TLS on one local port.

use super::server::{Reply, Request, Server};
use super::tls::TestCa;
use std::sync::{Arc, Mutex};

/// What a capture replays as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replays {
    /// The page (200, a title naming the URL).
    Page,
    /// A captured 404.
    NotFound,
    /// A captured redirect to the site's home page.
    RedirectHome,
    /// A 200 page titled "Page not found".
    SoftNotFound,
}

/// One capture: when, of what, the status the CDX server lists, and what it replays as.
#[derive(Debug, Clone)]
pub struct Capture {
    pub timestamp: String,
    pub url: String,
    pub status: u16,
    pub replays: Replays,
}

/// The running simulated archive.
pub struct SimArchive {
    pub server: Server,
    pub ca: TestCa,
    /// `--resolve` and `--cacert` arguments pointing the archive hosts at the server.
    pub args: Vec<String>,
    /// URLs whose CDX look-ups answer 503 (the availability API still answers for them).
    pub cdx_down: Arc<Mutex<Vec<String>>>,
    /// Save Page Now: what it was asked, and how it answers.
    pub spn: Arc<Mutex<Spn>>,
}

/// The state of the simulated Save Page Now.
#[derive(Debug, Default)]
pub struct Spn {
    /// Every `POST /save`: (url, Authorization header).
    pub saves: Vec<(String, String)>,
    /// Every status poll: (job, Authorization header).
    pub polls: Vec<(String, String)>,
    /// URLs whose first save answers 429 with `Retry-After: 1`.
    pub busy_once: Vec<String>,
    /// URLs whose job ends in an error.
    pub failing: Vec<String>,
    /// Jobs: "id|url" → polls so far.
    jobs: Vec<(String, usize)>,
}

/// `http://a.org/x` → `a.org/x` (as the archive matches URLs).
fn key(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.strip_prefix("www.").unwrap_or(rest).trim_end_matches('/').to_string()
}

fn query(req: &Request) -> Vec<(String, String)> {
    let q = req.path.split_once('?').map_or("", |(_, q)| q);
    url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

impl SimArchive {
    pub fn start(captures: Vec<Capture>) -> SimArchive {
        let ca = TestCa::new();
        let captures = Arc::new(captures);
        let cdx_down = Arc::new(Mutex::new(Vec::new()));
        let spn = Arc::new(Mutex::new(Spn::default()));
        let (down, state) = (cdx_down.clone(), spn.clone());
        let server =
            Server::start_tls(ca.server_config(&["web.archive.org", "archive.org"]), move |req, _| {
                if req.path.starts_with("/save") {
                    return save_page_now(req, &mut state.lock().expect("lock"));
                }
                // A few milliseconds per answer, so requests that overlapped would be seen
                // overlapping (`max_in_flight`): the archive is a host like any other.
                answer(req, &captures, &down.lock().expect("lock")).after(std::time::Duration::from_millis(5))
            });
        let mut args = vec!["--cacert".to_string(), ca.ca_file.display().to_string()];
        for h in ["web.archive.org", "archive.org"] {
            args.push("--resolve".into());
            args.push(format!("{h}:443:{}", server.addr));
        }
        SimArchive { server, ca, args, cdx_down, spn }
    }

    /// Requests the archive saw whose path starts with `prefix`.
    pub fn hits_starting(&self, prefix: &str) -> usize {
        let hits = self.server.seen.hits.lock().expect("hits");
        hits.iter()
            .filter(|(k, _)| k.split_once(' ').is_some_and(|(_, p)| p.starts_with(prefix)))
            .map(|(_, n)| n)
            .sum()
    }
}

fn answer(req: &Request, captures: &[Capture], cdx_down: &[String]) -> Reply {
    let path = req.path.split('?').next().unwrap_or("");
    if path == "/cdx/search/cdx" {
        return cdx(&query(req), captures, cdx_down);
    }
    if path == "/wayback/available" {
        return available(&query(req), captures);
    }
    if let Some(rest) = req.path.strip_prefix("/web/") {
        return memento(rest, captures);
    }
    Reply::status(404)
}

fn cdx(q: &[(String, String)], captures: &[Capture], cdx_down: &[String]) -> Reply {
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let url = get("url").unwrap_or("");
    if cdx_down.iter().any(|d| key(d) == key(url)) {
        return Reply::status(503);
    }
    let pad = |v: &str, c: char| format!("{v}{}", c.to_string().repeat(14usize.saturating_sub(v.len())));
    let from = get("from").map(|f| pad(f, '0'));
    let to = get("to").map(|t| pad(t, '9'));
    let filter = get("filter")
        .and_then(|f| f.strip_prefix("statuscode:"))
        .map(|p| regex::Regex::new(&format!("^{p}$")).expect("filter"));
    let mut rows: Vec<&Capture> = captures
        .iter()
        .filter(|c| key(&c.url) == key(url))
        .filter(|c| from.as_ref().is_none_or(|f| c.timestamp >= *f))
        .filter(|c| to.as_ref().is_none_or(|t| c.timestamp <= *t))
        .filter(|c| filter.as_ref().is_none_or(|re| re.is_match(&c.status.to_string())))
        .collect();
    rows.sort_by(|a, b| a.timestamp.cmp(&b.timestamp));
    if let Some(limit) = get("limit").and_then(|l| l.parse::<i64>().ok()) {
        let n = usize::try_from(limit.unsigned_abs()).unwrap_or(usize::MAX);
        rows = if limit < 0 {
            rows.split_off(rows.len().saturating_sub(n))
        } else {
            rows.into_iter().take(n).collect()
        };
    }
    let mut out = vec![serde_json::json!(["timestamp", "original", "statuscode", "mimetype", "digest"])];
    out.extend(
        rows.iter()
            .map(|c| serde_json::json!([c.timestamp, c.url, c.status.to_string(), "text/html", "DIGEST"])),
    );
    let body = if rows.is_empty() { "[]".to_string() } else { serde_json::Value::Array(out).to_string() };
    Reply::status(200).with_header("Content-Type", "application/json").with_body(body.into_bytes())
}

fn available(q: &[(String, String)], captures: &[Capture]) -> Reply {
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let url = get("url").unwrap_or("");
    let wanted: i64 = get("timestamp").and_then(|t| format!("{t:0<14}").parse().ok()).unwrap_or(i64::MAX);
    let closest = captures
        .iter()
        .filter(|c| key(&c.url) == key(url))
        .min_by_key(|c| c.timestamp.parse::<i64>().map(|t| (t - wanted).abs()).unwrap_or(i64::MAX));
    let snapshots = match closest {
        Some(c) => serde_json::json!({"closest": {"status": c.status.to_string(), "available": true,
            "url": format!("http://web.archive.org/web/{}/{}", c.timestamp, c.url), "timestamp": c.timestamp}}),
        None => serde_json::json!({}),
    };
    let body = serde_json::json!({"url": url, "archived_snapshots": snapshots}).to_string();
    Reply::status(200).with_header("Content-Type", "application/json").with_body(body.into_bytes())
}

/// `<ts>[id_]/<url>`: the exact capture, or a redirect to the nearest one of that URL.
fn memento(rest: &str, captures: &[Capture]) -> Reply {
    let ts: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let after = &rest[ts.len()..];
    let raw = after.starts_with("id_/");
    let url = after.split_once('/').map_or("", |(_, u)| u);
    let of_url: Vec<&Capture> = captures.iter().filter(|c| key(&c.url) == key(url)).collect();
    let home = url.split_once("://").is_some_and(|(_, r)| !r.trim_end_matches('/').contains('/'));
    if of_url.is_empty() && home {
        return Reply::html(200, "<html><head><title>Home</title></head><body>welcome</body></html>");
    }
    let Some(exact) = of_url.iter().find(|c| c.timestamp == ts) else {
        let wanted: i64 = ts.parse().unwrap_or(0);
        return match of_url
            .iter()
            .min_by_key(|c| c.timestamp.parse::<i64>().map(|t| (t - wanted).abs()).unwrap_or(i64::MAX))
        {
            Some(c) => Reply::redirect(
                302,
                &format!("/web/{}{}/{}", c.timestamp, if raw { "id_" } else { "" }, c.url),
            ),
            None => Reply::status(404),
        };
    };
    match exact.replays {
        Replays::Page => Reply::html(
            200,
            &format!("<html><head><title>Archived {url}</title></head><body>as it was</body></html>"),
        ),
        Replays::NotFound => Reply::html(404, "<title>Not Found</title>"),
        Replays::SoftNotFound => Reply::html(200, "<html><head><title>Page not found</title></head></html>"),
        Replays::RedirectHome => {
            let home = url
                .split_once("://")
                .map(|(s, r)| format!("{s}://{}/", r.split('/').next().unwrap_or("")))
                .unwrap_or_default();
            Reply::redirect(302, &format!("/web/{}{}/{home}", exact.timestamp, if raw { "id_" } else { "" }))
        }
    }
}

/// `POST /save` (form `url=…`) and `GET /save/status/<job>`: a job is pending at its first
/// poll, then succeeds (or fails, for the URLs in `failing`). Without the keys: 401.
fn save_page_now(req: &Request, spn: &mut Spn) -> Reply {
    let auth = req.header("authorization").unwrap_or("").to_string();
    let json = |v: serde_json::Value| {
        Reply::status(200)
            .with_header("Content-Type", "application/json")
            .with_body(v.to_string().into_bytes())
    };
    if !auth.starts_with("LOW ") {
        return Reply::status(401);
    }
    if let Some(job) = req.path.strip_prefix("/save/status/") {
        spn.polls.push((job.to_string(), auth));
        let Some(entry) = spn.jobs.iter_mut().find(|(id, _)| id.starts_with(&format!("{job}|"))) else {
            return json(serde_json::json!({"status": "error", "status_ext": "error:unknown-job"}));
        };
        entry.1 += 1;
        let (polls, url) = (entry.1, entry.0.split_once('|').map(|(_, u)| u.to_string()).unwrap_or_default());
        if polls == 1 {
            return json(serde_json::json!({"status": "pending", "job_id": job}));
        }
        if spn.failing.contains(&url) {
            return json(
                serde_json::json!({"status": "error", "status_ext": "error:not-found", "message": "Live page is not available"}),
            );
        }
        return json(
            serde_json::json!({"status": "success", "timestamp": "20261130120000", "original_url": url}),
        );
    }
    let url = url::form_urlencoded::parse(&req.body)
        .find(|(k, _)| k == "url")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    spn.saves.push((url.clone(), auth));
    if let Some(i) = spn.busy_once.iter().position(|u| *u == url) {
        spn.busy_once.remove(i);
        return Reply::status(429).with_header("Retry-After", "1");
    }
    let id = format!("spn2-{}", spn.jobs.len() + 1);
    spn.jobs.push((format!("{id}|{url}"), 0));
    json(serde_json::json!({"url": url, "job_id": id}))
}
