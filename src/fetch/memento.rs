//! Archived-copy look-ups (`--repair`): citecheck's own captures first, then the Wayback
//! CDX server (the availability API when the CDX server does not answer). Every Wayback
//! memento offered has been fetched raw (`id_`) and answered 2xx with the page itself — not a
//! captured error, not a redirect to the home page. Archive hosts get the same per-host
//! politeness, retries and `Retry-After` as every other host.

use super::check::Checker;
use super::{FetchOptions, Method};
use crate::error::Result;
use crate::repair::choose::{self, Capture};
use crate::repair::{own_choice, Found, Lookup, RepairOptions};
use crate::types::{Kind, Memento, Outcome, Status};
use std::sync::Arc;

/// Captures verified at most per look-up (the archive is asked politely, not exhaustively).
const MAX_VERIFY: usize = 4;
/// Captures listed per side of the cited date.
const LISTED: usize = 5;

/// Looks up an archived copy for each of `lookups`, all at once under the host pool's limits;
/// one answer per look-up, in order.
///
/// # Errors
/// The HTTP client cannot be built.
pub(crate) async fn find_archived(
    lookups: &[Lookup],
    opts: &FetchOptions,
    repair: &RepairOptions,
    stop: &super::Stop,
) -> Result<Vec<Found>> {
    let checker = Arc::new(Checker::new(opts, None)?);
    let tasks: Vec<_> = lookups
        .iter()
        .cloned()
        .map(|l| {
            let (checker, repair) = (checker.clone(), repair.clone());
            tokio::spawn(async move { look_up(&checker, &l, &repair).await })
        })
        .collect();
    let found = super::join_in_order(tasks, "look-up", stop).await?;
    let interrupted = || Found { memento: None, note: "not looked up: the run was interrupted".into() };
    Ok(found.into_iter().map(|f| f.unwrap_or_else(interrupted)).collect())
}

async fn look_up(c: &Checker, l: &Lookup, r: &RepairOptions) -> Found {
    if let Some(m) = own_choice(l, r.replay_url.as_deref()) {
        return Found { memento: Some(m), note: "captured by citecheck".to_string() };
    }
    let mut notes: Vec<String> = Vec::new();
    let (captures, archive) = match cdx(c, l, r).await {
        Ok(caps) => (caps, "wayback"),
        Err(why) => {
            notes.push(format!("CDX server: {why}; asked the availability API"));
            match available(c, l, r).await {
                Ok(cap) => (cap.into_iter().collect(), "wayback-available"),
                Err(why) => {
                    notes.push(format!("availability API: {why}"));
                    return Found { memento: None, note: notes.join("; ") };
                }
            }
        }
    };
    let errors = captures.iter().filter(|c| !c.is_page()).count();
    if errors > 0 {
        notes.push(format!("{errors} captured error(s) or redirect(s) passed over"));
    }
    let candidates = choose::order(captures, l.cited);
    if candidates.is_empty() {
        notes.push("no capture of the page in the Wayback Machine".to_string());
    }
    for cap in candidates.into_iter().take(MAX_VERIFY) {
        let (_, raw) = choose::wayback_urls(&r.wayback, &cap.timestamp, &cap.original);
        let outcome = c.check_one(Kind::Url, &raw.into()).await;
        match verdict(&outcome, &l.url) {
            Ok(timestamp) => {
                let (shown, _) = choose::wayback_urls(&r.wayback, &timestamp, &cap.original);
                notes.push("memento fetched raw and verified".to_string());
                let memento =
                    Memento { url: shown, datetime: timestamp, archive, verified: true, warc: None };
                return Found { memento: Some(memento), note: notes.join("; ") };
            }
            Err(why) => notes.push(format!("{}: {why}", cap.timestamp)),
        }
    }
    Found { memento: None, note: notes.join("; ") }
}

/// The page a URL names, without its fragment (archives capture pages, not places in them).
fn page_of(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}

/// Whether a raw memento is the page: its capture timestamp when it is.
fn verdict(o: &Outcome, cited: &str) -> std::result::Result<String, String> {
    let parts = choose::memento_parts(&o.final_url);
    match o.status {
        Status::Ok | Status::Redirected => match parts {
            Some((ts, original)) if choose::same_page(&original, cited) => Ok(ts),
            Some((_, original)) => Err(format!("the capture redirects to {original}")),
            None => Err(format!("the memento redirects out of the archive to {}", o.final_url)),
        },
        Status::Soft404 => Err(format!("the capture is not the page ({})", o.error)),
        _ => Err(format!("the memento answered {} {}", o.status, o.error).trim_end().to_string()),
    }
}

/// The captures the CDX server lists of the page: the last few up to the cited date and the
/// first few after it (or the last few, without a date), 2xx only.
async fn cdx(c: &Checker, l: &Lookup, r: &RepairOptions) -> std::result::Result<Vec<Capture>, String> {
    let url: String = url::form_urlencoded::byte_serialize(page_of(&l.url).as_bytes()).collect();
    let base = format!(
        "{}/cdx/search/cdx?url={url}&output=json&fl=timestamp,original,statuscode,mimetype,digest&filter=statuscode:2..",
        r.wayback.trim_end_matches('/')
    );
    let queries = match l.cited {
        Some(d) => vec![
            format!("{base}&to={}&limit=-{LISTED}", d.compact()),
            format!("{base}&from={}&limit={LISTED}", d.compact()),
        ],
        None => vec![format!("{base}&limit=-{LISTED}")],
    };
    let mut all = Vec::new();
    for q in queries {
        let body = get(c, &q).await?;
        all.extend(
            choose::parse_cdx(&body).ok_or_else(|| "the answer is not a CDX JSON listing".to_string())?,
        );
    }
    Ok(all)
}

/// The availability API's closest snapshot to the cited date.
async fn available(
    c: &Checker,
    l: &Lookup,
    r: &RepairOptions,
) -> std::result::Result<Option<Capture>, String> {
    let url: String = url::form_urlencoded::byte_serialize(l.url.as_bytes()).collect();
    let mut q = format!("{}?url={url}", r.availability);
    if let Some(d) = l.cited {
        q.push_str(&format!("&timestamp={}", d.compact()));
    }
    Ok(choose::parse_available(&get(c, &q).await?))
}

/// GET with the retry rules and politeness; the body when the answer is 200.
async fn get(c: &Checker, url: &str) -> std::result::Result<Vec<u8>, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("invalid URL {url}: {e}"))?;
    if let Some(why) = c.guard.refusal(&parsed).await {
        return Err(why.to_string());
    }
    let deadline = tokio::time::Instant::now() + c.opts.target_timeout;
    let mut attempts = 0;
    match c.request(&parsed, Method::Get, &mut attempts, deadline).await {
        Ok(a) if a.status == 200 => Ok(a.body),
        Ok(a) => Err(format!("HTTP {}", a.status)),
        Err(f) => Err(f.message()),
    }
}
