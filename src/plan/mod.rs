//! Planning a check, before any request: citations grouped into distinct targets (a URL, or a
//! symbol with the URL that resolves it), targets excluded by `--include`/`--exclude`, and
//! targets whose last result in the history is a fresh `ok` (`--cache-ttl`). Pure.

mod targets;

use crate::types::{Outcome, Status, Target};
use regex::Regex;
use std::time::{Duration, SystemTime};
pub(crate) use targets::{Gather, Targets};

/// Include and exclude rules (an include match wins; with includes, everything else is out).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules<'a> {
    /// `--include` patterns.
    pub include: &'a [Regex],
    /// `--exclude` patterns.
    pub exclude: &'a [Regex],
}

/// Which results of earlier runs a run takes instead of fetching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Reuse {
    /// None: every target is fetched.
    #[default]
    Never,
    /// `ok` results younger than this (`--cache-ttl`).
    FreshOk(Duration),
    /// The latest result of every target, whatever it was (`citecheck repair`: what the
    /// history knows is used; only what it lacks is fetched).
    Latest,
}

/// Plans a check of `targets`: each target decided without fetching (excluded by a rule,
/// or served from the history) goes to `decided` with its outcome, in target order (one at a
/// time: a run whose targets are all cached does not hold their outcomes). `last` gives a
/// target's last result from the history (if any), used as `reuse` says.
///
/// # Errors
/// What `last` or `decided` return.
pub(crate) fn plan(
    targets: &Targets,
    rules: Rules<'_>,
    reuse: Reuse,
    mut last: impl FnMut(&Target) -> crate::Result<Option<Outcome>>,
    mut decided: impl FnMut(usize, Outcome) -> crate::Result<()>,
) -> crate::Result<()> {
    for (i, t) in targets.iter().enumerate() {
        let t = &t;
        let outcome = match excluded_by_rule(rules, t) {
            Some(o) => Some(o),
            None => match reuse {
                Reuse::FreshOk(ttl) => last(t)?.and_then(|past| cached(past, ttl, SystemTime::now())),
                Reuse::Latest => last(t)?.map(reused),
                Reuse::Never => None,
            },
        };
        if let Some(o) = outcome {
            decided(i, o)?;
        }
    }
    Ok(())
}

/// The ODS file API URL that resolves `symbol` in `lang`: it answers with the document itself,
/// or with nothing when no such document exists.
pub(crate) fn symbol_url(symbol: &str, lang: &str) -> String {
    let enc = percent_encoding::utf8_percent_encode(symbol, percent_encoding::NON_ALPHANUMERIC);
    format!("https://documents.un.org/api/symbol/access?s={enc}&l={lang}&t=pdf")
}

/// The link a reader opens for a symbol: `https://undocs.org/<lang>/<symbol>`.
pub(crate) fn human_url(symbol: &str, lang: &str) -> String {
    format!("https://undocs.org/{lang}/{symbol}")
}

/// `excluded` when the rules say so, with the rule in the error column.
pub(crate) fn excluded_by_rule(rules: Rules<'_>, t: &Target) -> Option<Outcome> {
    fn hit<'r>(rules: &'r [Regex], t: &Target) -> Option<&'r Regex> {
        rules.iter().find(|r| r.is_match(&t.value) || r.is_match(&t.url))
    }
    let included = hit(rules.include, t);
    let reason = if let (Some(ex), None) = (hit(rules.exclude, t), included) {
        format!("excluded by --exclude {}", ex.as_str())
    } else if !rules.include.is_empty() && included.is_none() {
        "matches no --include rule".to_string()
    } else {
        return None;
    };
    Some(Outcome::decided(Status::Excluded, reason))
}

/// A past result reused as this run's: only an `ok` younger than `ttl` (failures are always
/// checked again).
pub(crate) fn cached(past: Outcome, ttl: Duration, now: SystemTime) -> Option<Outcome> {
    if past.status != Status::Ok {
        return None;
    }
    let age = humantime::parse_rfc3339(&past.checked_at).ok().and_then(|at| now.duration_since(at).ok())?;
    (age <= ttl).then(|| reused(past))
}

/// A past result as this run's, marked as served from the history.
fn reused(past: Outcome) -> Outcome {
    Outcome { cached: true, attempts: 0, elapsed_ms: 0, hops: Vec::new(), capture: None, ..past }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{CitationIds, Kind};

    #[test]
    fn symbols_resolve_through_ods_and_read_on_undocs() {
        let ods = "https://documents.un.org/api/symbol/access?s=A%2FRES%2F75%2F202&l=fr&t=pdf";
        assert_eq!(symbol_url("A/RES/75/202", "fr"), ods);
        assert_eq!(human_url("A/RES/75/202", "fr"), "https://undocs.org/fr/A/RES/75/202");
    }

    #[test]
    fn include_and_exclude_rules() {
        let re = |s: &str| Regex::new(s).unwrap_or_else(|_| unreachable!());
        let t = |v: &str| Target {
            kind: Kind::Url,
            value: v.into(),
            url: v.into(),
            citations: CitationIds::default(),
        };
        let exclude = [re("example\\.com")];
        let include = [re("keep")];
        let only_ex = Rules { include: &[], exclude: &exclude };
        assert!(excluded_by_rule(only_ex, &t("https://example.com/x")).is_some());
        assert!(excluded_by_rule(only_ex, &t("https://un.org/x")).is_none());
        let both = Rules { include: &include, exclude: &exclude };
        assert!(excluded_by_rule(both, &t("https://example.com/keep")).is_none(), "an include wins");
        let reason = excluded_by_rule(both, &t("https://un.org/x")).map(|o| o.error);
        assert_eq!(reason.as_deref(), Some("matches no --include rule"));
    }

    #[test]
    fn only_fresh_ok_results_are_reused() {
        let now = SystemTime::now();
        let at = |secs: u64| humantime::format_rfc3339_seconds(now - Duration::from_secs(secs)).to_string();
        let past = |status: Status, secs: u64| Outcome {
            checked_at: at(secs).into(),
            ..Outcome::decided(status, "")
        };
        let day = Duration::from_secs(86_400);
        assert!(cached(past(Status::Ok, 3600), day, now).is_some_and(|o| o.cached));
        assert!(cached(past(Status::Ok, 2 * 86_400), day, now).is_none());
        assert!(cached(past(Status::Broken, 60), day, now).is_none(), "failures are checked again");
    }
}
