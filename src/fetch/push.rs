//! Save Page Now 2 (`--push-archive`): asks the Wayback Machine to capture live citations
//! that it has not captured within `--push-max-age`, and follows each job to its end. The
//! keys only ever go into the `Authorization` header; the archive host gets the same per-host
//! limits, spacing and `Retry-After` as any other host.

use super::check::Checker;
use super::failure::Failure;
use super::{retry, FetchOptions, Method};
use crate::error::Result;
use crate::repair::choose;
use crate::types::{host_key, SpnKeys, Ymd};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use std::sync::Arc;
use std::time::Duration;

/// How long one capture job is followed at most.
const JOB_TIMEOUT: Duration = Duration::from_secs(180);

/// What a push came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pushed {
    /// A new capture, at this timestamp.
    Saved(String),
    /// The archive had a capture since the cut-off date, at this timestamp.
    Recent(String),
    /// The archive refused or failed the job (its message).
    Failed(String),
}

/// Pushes each URL not captured since `since`, all at once under the host pool's limits.
///
/// # Errors
/// The HTTP client cannot be built.
pub(crate) async fn push_all(
    urls: &[String],
    opts: &FetchOptions,
    wayback: &str,
    keys: &SpnKeys,
    since: Ymd,
    stop: &super::Stop,
) -> Result<Vec<Pushed>> {
    let checker = Arc::new(Checker::new(opts, None)?);
    // As many capture jobs at once as requests to one host: the archive limits jobs per user.
    let jobs = Arc::new(tokio::sync::Semaphore::new(opts.host_concurrency.max(1)));
    let tasks: Vec<_> = urls
        .iter()
        .cloned()
        .map(|u| {
            let (c, base, keys) = (checker.clone(), wayback.trim_end_matches('/').to_string(), keys.clone());
            let jobs = jobs.clone();
            tokio::spawn(async move {
                let Ok(_job) = jobs.acquire_owned().await else {
                    return Pushed::Failed("not pushed: the job queue closed".into());
                };
                push(&c, &u, &base, &keys, since).await
            })
        })
        .collect();
    let pushed = super::join_in_order(tasks, "push", stop).await?;
    Ok(pushed
        .into_iter()
        .map(|p| p.unwrap_or_else(|| Pushed::Failed("not pushed: the run was interrupted".into())))
        .collect())
}

async fn push(c: &Checker, url: &str, base: &str, keys: &SpnKeys, since: Ymd) -> Pushed {
    if let Some(ts) = recent_capture(c, url, base, since).await {
        return Pushed::Recent(ts);
    }
    let enc: String = url::form_urlencoded::byte_serialize(url.as_bytes()).collect();
    let form = format!("url={enc}&skip_first_archive=1");
    let answer = match call(c, &format!("{base}/save"), Some(form), keys).await {
        Ok(a) => a,
        Err(why) => return Pushed::Failed(why),
    };
    let job = answer.get("job_id").and_then(|j| j.as_str()).map(str::to_string);
    let Some(job) = job else {
        return Pushed::Failed(message(&answer).unwrap_or_else(|| "no job id in the answer".to_string()));
    };
    let status_url = format!("{base}/save/status/{job}");
    let started = tokio::time::Instant::now();
    let mut wait = Duration::from_secs(1);
    loop {
        tokio::time::sleep(wait).await;
        let status = match call(c, &status_url, None, keys).await {
            Ok(s) => s,
            Err(why) => return Pushed::Failed(why),
        };
        match status.get("status").and_then(|s| s.as_str()) {
            Some("success") => {
                let ts = status.get("timestamp").and_then(|t| t.as_str()).unwrap_or("").to_string();
                return Pushed::Saved(ts);
            }
            Some("pending") | None if started.elapsed() < JOB_TIMEOUT => {
                wait = (wait * 2).min(Duration::from_secs(10))
            }
            Some("pending") | None => {
                return Pushed::Failed(format!("job {job} still pending after {}s", JOB_TIMEOUT.as_secs()))
            }
            Some(_) => {
                return Pushed::Failed(message(&status).unwrap_or_else(|| "the job failed".to_string()))
            }
        }
    }
}

/// The archive's own words for an error: `status_ext` and `message`.
fn message(v: &serde_json::Value) -> Option<String> {
    let parts: Vec<&str> =
        ["status_ext", "message"].iter().filter_map(|k| v.get(*k).and_then(|m| m.as_str())).collect();
    (!parts.is_empty()).then(|| parts.join(": "))
}

/// The latest 2xx capture since `since`, per the CDX server (none when it cannot say).
async fn recent_capture(c: &Checker, url: &str, base: &str, since: Ymd) -> Option<String> {
    let enc: String = url::form_urlencoded::byte_serialize(url.as_bytes()).collect();
    let q = format!(
        "{base}/cdx/search/cdx?url={enc}&output=json&fl=timestamp,original,statuscode&filter=statuscode:2..&from={}&limit=-1",
        since.compact()
    );
    let parsed = reqwest::Url::parse(&q).ok()?;
    let deadline = tokio::time::Instant::now() + c.opts.target_timeout;
    let mut attempts = 0;
    let answer = c.request(&parsed, Method::Get, &mut attempts, deadline).await.ok()?;
    let caps = choose::parse_cdx(&answer.body).filter(|_| answer.status == 200)?;
    caps.into_iter().filter(choose::Capture::is_page).map(|c| c.timestamp).max()
}

/// One Save Page Now call (POST with a form, or GET), with the keys, the host's turn, and the
/// retry rules (429 and 5xx with `Retry-After`); the JSON answer of a 2xx.
async fn call(
    c: &Checker,
    url: &str,
    form: Option<String>,
    keys: &SpnKeys,
) -> std::result::Result<serde_json::Value, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("invalid URL {url}: {e}"))?;
    let host = host_key(&parsed);
    let mut tries = 0u32;
    loop {
        let result = {
            let _slot = c.pool.slot(&host).await;
            let client = c.http.client(&parsed);
            let req = match &form {
                Some(body) => client
                    .post(parsed.clone())
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(body.clone()),
                None => client.get(parsed.clone()),
            };
            let sent =
                req.header(AUTHORIZATION, keys.header()).header(ACCEPT, "application/json").send().await;
            match sent {
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    // Answers are small JSON objects: read a bounded prefix.
                    let mut body = Vec::new();
                    while let Ok(Some(chunk)) = resp.chunk().await {
                        body.extend_from_slice(&chunk);
                        if body.len() > super::BODY_PREFIX {
                            break;
                        }
                    }
                    Ok(super::classify::Answer { status, headers, body, capture: None })
                }
                Err(e) => Err(Failure::of(&e)),
            }
        };
        // A POST that timed out may have created its job: asking again would create another.
        let unsure = form.is_some() && matches!(result, Err(Failure::Timeout));
        if let Some(again) = retry::after(&result, url, tries, c.opts.retries.max(2), c.opts.max_retry_wait)
            .filter(|_| !unsure)
        {
            tries += 1;
            if again.slow_host {
                c.pool.back_off(&host, tokio::time::Instant::now() + again.wait);
            }
            tokio::time::sleep(again.wait).await;
            continue;
        }
        return match result {
            Ok(a) if (200..300).contains(&a.status) => serde_json::from_slice(&a.body)
                .map_err(|_| format!("HTTP {}: the answer is not JSON", a.status)),
            Ok(a) => {
                let said =
                    serde_json::from_slice::<serde_json::Value>(&a.body).ok().and_then(|v| message(&v));
                Err(format!("HTTP {}{}", a.status, said.map(|m| format!(": {m}")).unwrap_or_default()))
            }
            Err(f) => Err(f.message()),
        };
    }
}
