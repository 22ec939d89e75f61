//! Repair: for every failing citation (and every soft 404), the archived copy nearest the date
//! the document cited it — citecheck's own captures first, then the Wayback Machine — and a
//! repaired copy of the document. The rules and the document rewriting are here; the look-ups
//! are requests, made by the fetch stage ([`crate::fetch`]) like every other request.

pub(crate) mod choose;
pub(crate) mod document;

use crate::extract::dates::DocumentDates;
use crate::plan::Targets;
use crate::record::RunCitations;
use crate::types::{Failing, Kind, Memento, Repair, Standings, Status, Ymd};
use choose::OwnCapture;
use std::collections::HashMap;

/// The Wayback Machine: CDX server and mementos.
pub const DEFAULT_WAYBACK_URL: &str = "https://web.archive.org";
/// The Wayback availability API (the fallback when the CDX server does not answer).
pub const DEFAULT_AVAILABILITY_URL: &str = "https://archive.org/wayback/available";

/// Where to look for archived copies, and the date to use when a document states none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairOptions {
    /// Base of the CDX server and the mementos (`--wayback-url`).
    pub wayback: String,
    /// The availability API.
    pub availability: String,
    /// The date the citations were made, when the document does not say (`--cited-at`).
    pub cited_at: Option<Ymd>,
    /// Prefix of a replay service for citecheck's own captures (`--replay-url`), which then get
    /// `<prefix>/<timestamp>/<url>` addresses.
    pub replay_url: Option<String>,
}

impl Default for RepairOptions {
    fn default() -> Self {
        RepairOptions {
            wayback: DEFAULT_WAYBACK_URL.to_string(),
            availability: DEFAULT_AVAILABILITY_URL.to_string(),
            cited_at: None,
            replay_url: None,
        }
    }
}

/// Save Page Now for live citations (`--push-archive`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushOptions {
    /// The archive.org keys.
    pub keys: crate::types::SpnKeys,
    /// A URL captured (or pushed) more recently than this is not pushed again.
    pub max_age: std::time::Duration,
    /// Base of Save Page Now and the CDX server (`--wayback-url`).
    pub wayback: String,
}

/// Default of `--push-max-age`: 30 days.
pub const DEFAULT_PUSH_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);

/// One archived-copy look-up: a URL and the date it was cited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lookup {
    /// The URL cited.
    pub url: String,
    /// When it was cited.
    pub cited: Option<Ymd>,
    /// Its 2xx captures in citecheck's own archive.
    pub own: Vec<OwnCapture>,
}

/// What a look-up found: a copy, and what was passed over (in words).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Found {
    /// The copy chosen.
    pub memento: Option<Memento>,
    /// What was tried and why copies were passed over.
    pub note: String,
}

/// The look-ups a run needs and, for each failing citation, which look-up answers it.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Distinct (URL, date) look-ups.
    pub lookups: Vec<Lookup>,
    /// One row per failing citation.
    pub rows: Vec<PlannedRow>,
}

/// A failing citation in the plan.
#[derive(Debug)]
pub(crate) struct PlannedRow {
    /// Index of the citation.
    pub citation: usize,
    /// When it was cited, and where that date comes from.
    pub cited: Option<(Ymd, &'static str)>,
    /// Its look-up (none for a symbol).
    pub lookup: Option<usize>,
    /// A note set by the plan (symbols).
    pub note: String,
}

/// What a run knows that decides the look-ups.
pub(crate) struct Facts<'a> {
    /// Every citation.
    pub citations: &'a RunCitations,
    /// The targets.
    pub targets: &'a Targets,
    /// Their statuses.
    pub statuses: &'a [Status],
    /// What counts as failing.
    pub failing: &'a Failing,
    /// The dates each input states, by source.
    pub dates: &'a HashMap<String, DocumentDates>,
    /// Each target's history, when kept.
    pub standings: Option<&'a Standings>,
    /// Citecheck's own archive index (`index.cdxj`), when archiving.
    pub own_index: Option<&'a str>,
}

/// Whether a target's citations need an archived copy: it fails, or is a soft 404 (a page
/// that says it is gone, or a deep link sent to the home page).
pub(crate) fn needs_repair(failing: &Failing, status: Status) -> bool {
    status != Status::Skipped && (failing.is_failure(status) || status == Status::Soft404)
}

/// Plans the look-ups: the date of each failing citation (its own stated access date, the
/// document's, the masthead, `--cited-at`, the history's first sighting), one look-up per
/// distinct URL and date.
///
/// # Errors
/// A citation cannot be read back.
pub(crate) fn plan(facts: &Facts<'_>, opts: &RepairOptions) -> crate::Result<Plan> {
    let mut plan = Plan::default();
    let mut cites = facts.citations.reader();
    let mut index: HashMap<(std::sync::Arc<str>, Option<Ymd>), usize> = HashMap::new();
    for (ti, &status) in facts.statuses.iter().enumerate().take(facts.targets.len()) {
        if !needs_repair(facts.failing, status) {
            continue;
        }
        let t = facts.targets.get(ti);
        for ci in &t.citations {
            let c = &cites.get(ci)?;
            let first_seen = facts.standings.and_then(|s| s.get(ti)).and_then(|s| Ymd::parse(&s.first_seen));
            let cited = facts
                .dates
                .get(&*c.source)
                .and_then(|d| d.for_line(c.line))
                .or(opts.cited_at.map(|d| (d, "given with --cited-at")))
                .or(first_seen.map(|d| (d, "first seen by citecheck")));
            if t.kind == Kind::Symbol {
                let note = format!(
                    "a UN document symbol: the Official Document System is its archive, not the Wayback Machine; looked up as {}",
                    t.url
                );
                plan.rows.push(PlannedRow { citation: ci, cited, lookup: None, note });
                continue;
            }
            let key = (t.value.clone(), cited.map(|(d, _)| d));
            let next = plan.lookups.len();
            let li = *index.entry(key).or_insert(next);
            if li == next {
                // Own captures count only from runs that found the page ok (a 200 "not
                // found" page archived on an earlier night is not a copy of it): taken no
                // later than the history's last `ok` (a minute's slack for the capture time).
                let last_ok: Option<i64> = facts
                    .standings
                    .and_then(|s| s.get(ti))
                    .map(|s| s.last_ok.chars().filter(char::is_ascii_digit).take(14).collect::<String>())
                    .and_then(|d| d.parse().ok());
                let own = facts
                    .own_index
                    .map(|i| choose::own_captures(i, &t.value))
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|c| {
                        last_ok.is_some_and(|ok| c.timestamp.parse::<i64>().is_ok_and(|ts| ts <= ok + 100))
                    })
                    .collect();
                plan.lookups.push(Lookup { url: t.value.to_string(), cited: cited.map(|(d, _)| d), own });
            }
            plan.rows.push(PlannedRow { citation: ci, cited, lookup: Some(li), note: String::new() });
        }
    }
    Ok(plan)
}

/// The repair rows, in citation order, from the plan and what its look-ups found.
pub(crate) fn rows(plan: Plan, found: &[Found]) -> Vec<Repair> {
    let mut rows: Vec<Repair> = plan
        .rows
        .into_iter()
        .map(|p| {
            let f = p.lookup.and_then(|l| found.get(l)).cloned().unwrap_or_default();
            Repair {
                citation: p.citation,
                cited_at: p.cited.map(|(d, _)| d),
                cited_at_source: p.cited.map_or("", |(_, s)| s),
                memento: f.memento,
                note: if p.note.is_empty() { f.note } else { p.note },
            }
        })
        .collect();
    rows.sort_by_key(|r| r.citation);
    rows
}

/// The copy citecheck's own archive holds nearest the date (as the rule orders captures).
pub(crate) fn own_choice(lookup: &Lookup, replay: Option<&str>) -> Option<Memento> {
    let caps: Vec<choose::Capture> = lookup
        .own
        .iter()
        .map(|o| choose::Capture {
            timestamp: o.timestamp.clone(),
            original: lookup.url.clone(),
            status: "200".into(),
        })
        .collect();
    let best = choose::order(caps, lookup.cited).into_iter().next()?;
    let own = lookup.own.iter().find(|o| o.timestamp == best.timestamp)?;
    Some(Memento {
        url: replay
            .map(|p| format!("{}/{}/{}", p.trim_end_matches('/'), own.timestamp, lookup.url))
            .unwrap_or_default(),
        datetime: own.timestamp.clone(),
        archive: "citecheck",
        verified: true,
        warc: Some((own.filename.clone(), own.offset)),
    })
}
