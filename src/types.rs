//! Shared data types of the pipeline: what every stage produces and consumes.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// What a citation points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A web address.
    Url,
    /// A UN document symbol such as `A/RES/75/202`.
    Symbol,
}

impl Kind {
    /// The name used in tables (`url`, `symbol`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Url => "url",
            Kind::Symbol => "symbol",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One occurrence of a citation in a document, as `citecheck extract` reports it.
///
/// Produced by extraction and never changed afterwards. Field order is the
/// column order of the `extract` CSV. The document's name and the footnote and paragraph
/// labels are shared by the rows that carry them (a million rows do not hold a million copies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    /// The input as given on the command line (`-` for standard input).
    pub source: Arc<str>,
    /// 1-based line of the citation's raw text.
    pub line: usize,
    /// 1-based column (in characters) of the citation's raw text.
    pub column: usize,
    /// Label of the footnote the citation sits in (`1`, `*`, `13a`); empty in body text.
    pub footnote: Arc<str>,
    /// Number of the numbered paragraph that carries the citation or its footnote marker.
    pub paragraph: Arc<str>,
    /// `url` or `symbol`.
    pub kind: Kind,
    /// The normalised citation: an absolute URL, or a canonical document symbol (a target's
    /// value is its first citation's string, shared).
    pub value: Arc<str>,
    /// The text as written in the document (the same string as `value` when they are equal).
    pub raw: Arc<str>,
}

/// The status class of a checked target (the `status` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 2xx without a redirect.
    Ok,
    /// 2xx after one or more redirects to a different URL: the citation should be updated.
    Redirected,
    /// 404, 410, another definitive 4xx, a redirect loop or too many redirects, a missing symbol.
    Broken,
    /// 401, 403, 407, 429 after retries, or a bot challenge: alive perhaps, not verified.
    Blocked,
    /// 5xx after retries.
    ServerError,
    /// No complete answer within the timeout.
    Timeout,
    /// DNS failure, connection refused, reset or closed without a response.
    Unreachable,
    /// Certificate or handshake failure.
    TlsError,
    /// Not a valid URL.
    Invalid,
    /// Excluded by a rule or by its scheme; never fetched.
    Excluded,
    /// 2xx whose page says it is not found, or a deep link redirected to the home page.
    Soft404,
    /// Not checked: the run was interrupted (Ctrl-C) before its turn. Never kept in the history.
    Skipped,
}

impl Status {
    /// Every status, in table order.
    pub const ALL: [Status; 12] = [
        Status::Ok,
        Status::Redirected,
        Status::Broken,
        Status::Blocked,
        Status::ServerError,
        Status::Timeout,
        Status::Unreachable,
        Status::TlsError,
        Status::Invalid,
        Status::Excluded,
        Status::Soft404,
        Status::Skipped,
    ];

    /// The name used in tables and in `--fail-on`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Redirected => "redirected",
            Status::Broken => "broken",
            Status::Blocked => "blocked",
            Status::ServerError => "server_error",
            Status::Timeout => "timeout",
            Status::Unreachable => "unreachable",
            Status::TlsError => "tls_error",
            Status::Invalid => "invalid",
            Status::Excluded => "excluded",
            Status::Soft404 => "soft_404",
            Status::Skipped => "skipped",
        }
    }

    /// Parses a table name (`ok`, `server_error`, …).
    pub fn parse(name: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == name.trim())
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One distinct thing to check: a URL, or a symbol with the URL that resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// URL or symbol.
    pub kind: Kind,
    /// The normalised citation value.
    pub value: Arc<str>,
    /// What is requested: the URL itself (the same string as `value`, shared), or the
    /// symbol's resolution URL.
    pub url: Arc<str>,
    /// Indices of the citations that point at this target.
    pub citations: CitationIds,
}

/// The indices of a target's citations, in document order: one is held in place (most
/// targets are cited once: a list of its own cost 56 bytes a target), more in a list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CitationIds(Ids);

#[derive(Debug, Clone, PartialEq, Eq, Default)]
enum Ids {
    #[default]
    None,
    One(usize),
    Many(Vec<usize>),
}

impl CitationIds {
    /// Adds the next citation.
    pub fn push(&mut self, citation: usize) {
        self.0 = match std::mem::take(&mut self.0) {
            Ids::None => Ids::One(citation),
            Ids::One(first) => Ids::Many(vec![first, citation]),
            Ids::Many(mut all) => {
                all.push(citation);
                Ids::Many(all)
            }
        };
    }

    /// How many citations point at the target.
    pub fn len(&self) -> usize {
        match &self.0 {
            Ids::None => 0,
            Ids::One(_) => 1,
            Ids::Many(all) => all.len(),
        }
    }

    /// True when none does.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The indices, in order.
    pub fn iter(&self) -> CitationIdsIter<'_> {
        let (one, many) = match &self.0 {
            Ids::None => (None, &[][..]),
            Ids::One(i) => (Some(*i), &[][..]),
            Ids::Many(all) => (None, all.as_slice()),
        };
        one.into_iter().chain(many.iter().copied())
    }
}

/// The indices of a target's citations, in order.
pub type CitationIdsIter<'a> =
    std::iter::Chain<std::option::IntoIter<usize>, std::iter::Copied<std::slice::Iter<'a, usize>>>;

impl<'a> IntoIterator for &'a CitationIds {
    type Item = usize;
    type IntoIter = CitationIdsIter<'a>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// One redirect hop: the status answered and where it pointed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    /// The URL requested.
    pub url: String,
    /// HTTP status of the redirect.
    pub status: u16,
    /// The `Location` it pointed to (absolute).
    pub location: String,
}

/// What checking one target found. Statuses are data, never errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Status class.
    pub status: Status,
    /// Final HTTP status, when a response arrived.
    pub http_status: Option<u16>,
    /// The URL of the final response (shared with the target's URL when nothing redirected).
    pub final_url: Arc<str>,
    /// Redirect hops followed.
    pub hops: Vec<Hop>,
    /// Requests made (all methods, hops and retries).
    pub attempts: u32,
    /// What went wrong, in one line; empty when fine.
    pub error: String,
    /// Wall time from the first request to the final answer, in milliseconds.
    pub elapsed_ms: u64,
    /// Content type of the final response (one string shared by the outcomes that carry it).
    pub content_type: Arc<str>,
    /// When the final answer arrived (RFC 3339, UTC; one string shared by the outcomes of
    /// the same second).
    pub checked_at: Arc<str>,
    /// Served from the history (`--cache-ttl`) instead of fetched in this run.
    pub cached: bool,
    /// Where the final response was archived (`--archive`).
    pub capture: Option<Box<Capture>>,
}

impl Outcome {
    /// An outcome decided without a request (excluded by a rule, not a valid URL, …), stamped
    /// now.
    pub fn decided(status: Status, error: impl Into<String>) -> Outcome {
        Outcome {
            status,
            http_status: None,
            final_url: "".into(),
            hops: Vec::new(),
            attempts: 0,
            error: error.into(),
            elapsed_ms: 0,
            content_type: "".into(),
            checked_at: now().into(),
            cached: false,
            capture: None,
        }
    }
}

/// The current time as RFC 3339 (UTC, seconds), as every table and record writes it.
pub(crate) fn now() -> String {
    rfc3339(std::time::SystemTime::now())
}

/// `at` as RFC 3339 (UTC, seconds).
pub(crate) fn rfc3339(at: std::time::SystemTime) -> String {
    humantime::format_rfc3339_seconds(at).to_string()
}

/// What counts as failing: the statuses of `--fail-on`, for `--fail-after` runs in a row. The
/// exit code, the history's streaks, JUnit and the summaries all ask this one policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failing {
    /// Statuses that count as failures.
    pub statuses: Vec<Status>,
    /// Consecutive failing runs before a failing target fails the run (at least 1).
    pub after: u32,
}

impl Failing {
    /// `broken,unreachable,tls_error,invalid,timeout,server_error`, at once.
    pub fn default_statuses() -> Vec<Status> {
        vec![
            Status::Broken,
            Status::Unreachable,
            Status::TlsError,
            Status::Invalid,
            Status::Timeout,
            Status::ServerError,
        ]
    }

    /// Whether a status is a failure.
    pub fn is_failure(&self, status: Status) -> bool {
        self.statuses.contains(&status)
    }

    /// Whether a target with this status, failing `streak` runs in a row (this one included),
    /// fails the run.
    pub fn fails_run(&self, status: Status, streak: u32) -> bool {
        self.is_failure(status) && streak >= self.after.max(1)
    }
}

impl Default for Failing {
    fn default() -> Self {
        Failing { statuses: Failing::default_statuses(), after: 1 }
    }
}

/// The host a URL is checked on, for politeness and for `hosts.csv`: the host name, with the
/// port when it is not the scheme's default (`example.org`, `127.0.0.1:8080`). `http://` and
/// `https://` of one site are one host.
pub(crate) fn host_key(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

/// Strings that many records carry alike (times, content types), each kept once: asked for
/// a string it has seen, it gives the same shared one. It keeps `limit` strings at most (past
/// that, strings are given unshared), so odd input cannot grow it without bound.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    seen: std::collections::HashSet<Arc<str>>,
    limit: usize,
}

impl Interner {
    /// An interner keeping `limit` strings at most.
    pub(crate) fn new(limit: usize) -> Interner {
        Interner { seen: std::collections::HashSet::new(), limit }
    }

    /// `s`, as the string shared by everything that carries it.
    pub(crate) fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(t) = self.seen.get(s) {
            return t.clone();
        }
        let t: Arc<str> = s.into();
        if self.seen.len() < self.limit {
            self.seen.insert(t.clone());
        }
        t
    }

    /// How many strings it keeps.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.seen.len()
    }
}

/// What the history says about one target, including the current run (its times shared with
/// the other targets': a million standings held three copies of a few timestamps each).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Standing {
    /// When the target was first seen.
    pub first_seen: Arc<str>,
    /// When it was last `ok`.
    pub last_ok: Arc<str>,
    /// Since when it has been failing (start of the current failing streak).
    pub failing_since: Arc<str>,
    /// Consecutive failing runs up to and including the latest.
    pub consecutive_failures: u32,
}

/// Every target's standing, four numbers a target: each time is kept once (a run's targets
/// share a few), so a million standings take 16 MB rather than 56.
#[derive(Debug, Default)]
pub(crate) struct Standings {
    times: Vec<Arc<str>>,
    ids: std::collections::HashMap<Arc<str>, u32>,
    rows: Vec<[u32; 4]>,
}

impl Standings {
    /// Standings for about `n` targets.
    pub(crate) fn with_capacity(n: usize) -> Standings {
        Standings { rows: Vec::with_capacity(n), ..Standings::default() }
    }

    fn id(&mut self, time: &Arc<str>) -> u32 {
        if let Some(&id) = self.ids.get(time) {
            return id;
        }
        // More than 4 billion distinct times cannot occur (one per target at most).
        let id = u32::try_from(self.times.len()).unwrap_or(u32::MAX);
        self.times.push(time.clone());
        self.ids.insert(time.clone(), id);
        id
    }

    /// Adds the next target's standing.
    pub(crate) fn push(&mut self, s: &Standing) {
        let row =
            [self.id(&s.first_seen), self.id(&s.last_ok), self.id(&s.failing_since), s.consecutive_failures];
        self.rows.push(row);
    }

    /// The standing of target `i`.
    pub(crate) fn get(&self, i: usize) -> Option<Standing> {
        let [first_seen, last_ok, failing_since, consecutive_failures] = *self.rows.get(i)?;
        let time = |id: u32| self.times.get(id as usize).cloned().unwrap_or_else(|| "".into());
        Some(Standing {
            first_seen: time(first_seen),
            last_ok: time(last_ok),
            failing_since: time(failing_since),
            consecutive_failures,
        })
    }

    /// How many distinct times it keeps.
    #[cfg(test)]
    fn times(&self) -> usize {
        self.times.len()
    }
}

/// A target whose status class changed since the previous run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    /// Index of the target.
    pub target: usize,
    /// Its status in the previous run that checked it.
    pub previous: Status,
    /// When that was.
    pub previous_at: String,
}

/// Where an archived response (or revisit) record went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capture {
    /// WARC file name.
    pub filename: String,
    /// Offset of the record's gzip member.
    pub offset: u64,
    /// Length of the member.
    pub length: u64,
    /// Record id of the response or revisit record.
    pub record_id: String,
    /// `sha1:` base32 payload digest.
    pub payload_digest: String,
    /// Hex SHA-256 of the payload.
    pub payload_sha256: String,
    /// Written as a revisit of an identical earlier payload.
    pub revisit: bool,
    /// The URL the record is about.
    pub target_uri: String,
    /// Capture time (`WARC-Date`).
    pub date: String,
}

/// A calendar date (proleptic Gregorian), as documents state them and `repairs.csv` writes
/// them (`YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ymd {
    /// Year.
    pub y: i32,
    /// Month, 1–12.
    pub m: u32,
    /// Day, 1–31.
    pub d: u32,
}

impl Ymd {
    /// The date, when it exists (`2021-02-30` does not).
    pub fn new(y: i32, m: u32, d: u32) -> Option<Ymd> {
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
        let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        ((1..=12).contains(&m) && d >= 1 && d <= days[(m - 1) as usize]).then_some(Ymd { y, m, d })
    }

    /// Days since 1970-01-01 (negative before), by the civil-from-days arithmetic.
    pub fn days(self) -> i64 {
        let (m, d) = (i64::from(self.m), i64::from(self.d));
        let y = i64::from(self.y) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Parses `YYYY-MM-DD` (also the first 8 digits of a 14-digit archive timestamp when
    /// `compact`).
    pub fn parse(s: &str) -> Option<Ymd> {
        let s = s.trim();
        let (y, m, d) = if s.len() >= 8 && s.bytes().take(8).all(|b| b.is_ascii_digit()) {
            (s.get(..4)?, s.get(4..6)?, s.get(6..8)?)
        } else {
            let mut parts = s.splitn(3, '-');
            (parts.next()?, parts.next()?, parts.next()?.get(..2)?)
        };
        Ymd::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// `YYYYMMDD`, as archive APIs take dates.
    pub fn compact(self) -> String {
        format!("{:04}{:02}{:02}", self.y, self.m, self.d)
    }
}

impl fmt::Display for Ymd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }
}

/// An archived copy of a page (a memento, RFC 7089).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Memento {
    /// Where a reader opens it (the archive's replay page, or `--replay-url` for citecheck's own
    /// captures; empty when an own capture has no replay address).
    pub url: String,
    /// When it was captured: 14 digits, `YYYYMMDDhhmmss`.
    pub datetime: String,
    /// Which archive holds it: `citecheck` (own WARCs), `wayback` (CDX), `wayback-available`.
    pub archive: &'static str,
    /// Its raw memento was fetched and answered 2xx with the page (own captures are by
    /// construction).
    pub verified: bool,
    /// For own captures: the WARC file and offset that hold it.
    pub warc: Option<(String, u64)>,
}

/// What repair found for one failing citation (`--repair`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// Index of the citation.
    pub citation: usize,
    /// The date the document cited it, when known.
    pub cited_at: Option<Ymd>,
    /// Where that date comes from (`accessed (document)`, `document date`, `--cited-at`,
    /// `first seen by citecheck`).
    pub cited_at_source: &'static str,
    /// The archived copy chosen, if any.
    pub memento: Option<Memento>,
    /// What was tried and why copies were passed over, in words.
    pub note: String,
}

/// What Save Page Now did for one live citation (`--push-archive`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    /// Index of the target.
    pub target: usize,
    /// `saved` (a new capture), `recent` (the archive already had one within
    /// `--push-max-age`), `pushed-before` (the history pushed it within that age), `error`.
    pub result: &'static str,
    /// The capture's timestamp (14 digits), when there is one.
    pub timestamp: String,
    /// The archive's message on an error, or what was found.
    pub note: String,
}

/// Keys of an archive.org account for Save Page Now. Never printed: `Debug` shows nothing
/// of them, and they are only ever put in the `Authorization` header.
#[derive(Clone, PartialEq, Eq)]
pub struct SpnKeys {
    access: String,
    secret: String,
}

impl SpnKeys {
    /// The keys (from the environment: `CITECHECK_SPN_ACCESS_KEY`, `CITECHECK_SPN_SECRET_KEY`).
    pub fn new(access: String, secret: String) -> SpnKeys {
        SpnKeys { access, secret }
    }

    /// The `Authorization` header value: `LOW access:secret`.
    pub(crate) fn header(&self) -> String {
        format!("LOW {}:{}", self.access, self.secret)
    }
}

impl fmt::Debug for SpnKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SpnKeys(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::{CitationIds, Interner, Standing, Standings};
    use std::sync::Arc;

    #[test]
    fn standings_give_back_what_was_pushed_keeping_each_time_once() {
        let st = |first: &str, ok: &str, since: &str, n: u32| Standing {
            first_seen: first.into(),
            last_ok: ok.into(),
            failing_since: since.into(),
            consecutive_failures: n,
        };
        let pushed = [
            st("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "", 0),
            st("2026-01-01T00:00:00Z", "", "2026-01-01T00:00:00Z", 3),
            st("", "", "", 0),
            st("2026-03-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", 1),
        ];
        let mut all = Standings::with_capacity(pushed.len());
        for s in &pushed {
            all.push(s);
        }
        for (i, s) in pushed.iter().enumerate() {
            assert_eq!(all.get(i).as_ref(), Some(s), "standing {i}");
        }
        assert_eq!(all.get(pushed.len()), None);
        assert_eq!(all.times(), 4, "three times and the empty one, each kept once");
    }

    #[test]
    fn an_interner_shares_what_it_keeps_and_keeps_no_more_than_its_limit() {
        let mut times = Interner::new(2);
        let a = times.get("2026-11-30T15:00:00Z");
        assert!(Arc::ptr_eq(&a, &times.get("2026-11-30T15:00:00Z")));
        times.get("b");
        let c = times.get("c"); // past the limit: given, not kept
        assert_eq!((times.len(), &*c), (2, "c"));
        assert!(!Arc::ptr_eq(&c, &times.get("c")));
        assert_eq!(Interner::new(0).get("x").as_ref(), "x");
    }

    #[test]
    fn citation_ids_keep_their_order_and_hold_one_in_place() {
        let mut ids = CitationIds::default();
        assert!(ids.is_empty());
        assert_eq!(ids.iter().count(), 0);
        for (i, n) in [7usize, 3, 9, 3].into_iter().enumerate() {
            ids.push(n);
            assert_eq!(ids.len(), i + 1);
        }
        assert_eq!(ids.iter().collect::<Vec<_>>(), [7, 3, 9, 3]);
        assert_eq!((&ids).into_iter().sum::<usize>(), 22);
        let mut one = CitationIds::default();
        one.push(5);
        assert_eq!((one.len(), one.iter().collect::<Vec<_>>()), (1, vec![5]));
        // No larger than the list it replaces, and one id needs no list.
        assert!(std::mem::size_of::<CitationIds>() <= std::mem::size_of::<Vec<usize>>());
    }
}
