//! Planning a check, before any request: citations grouped into distinct targets (a URL, or a
//! symbol with the URL that resolves it), targets excluded by `--include`/`--exclude`, and
//! targets whose last result in the history is a fresh `ok` (`--cache-ttl`). Pure.

use crate::types::{Citation, CitationIds, Kind, Outcome, Status, Target};
use regex::Regex;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// What to check, and what is decided already.
#[derive(Debug)]
pub(crate) struct Plan {
    /// Distinct targets, in order of first citation.
    pub targets: Vec<Target>,
    /// The targets decided without fetching (excluded, cached), with their outcomes, in
    /// target order.
    pub preset: Vec<(usize, Outcome)>,
}

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

/// Plans a check of `targets`: `last` gives a target's last result from the history (if
/// any), used as `reuse` says.
pub(crate) fn plan(
    targets: Vec<Target>,
    rules: Rules<'_>,
    reuse: Reuse,
    mut last: impl FnMut(&Target) -> crate::Result<Option<Outcome>>,
) -> crate::Result<Plan> {
    let mut preset = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let decided = match excluded_by_rule(rules, t) {
            Some(o) => Some(o),
            None => match reuse {
                Reuse::FreshOk(ttl) => last(t)?.and_then(|past| cached(past, ttl, SystemTime::now())),
                Reuse::Latest => last(t)?.map(reused),
                Reuse::Never => None,
            },
        };
        preset.extend(decided.map(|o| (i, o)));
    }
    Ok(Plan { targets, preset })
}

/// Groups citations into distinct targets (one per URL or symbol, however often cited).
#[cfg(test)]
pub(crate) fn targets_of(citations: &[Citation], symbol_lang: &str) -> Vec<Target> {
    let mut gather = Gather::new(symbol_lang);
    for (i, c) in citations.iter().enumerate() {
        gather.add(c, i);
    }
    gather.finish()
}

/// Distinct targets gathered from citations as they are read (one per URL or symbol, however
/// often cited), in order of first citation.
#[derive(Debug)]
pub(crate) struct Gather {
    index: HashMap<(Kind, Arc<str>), usize>,
    targets: Vec<Target>,
    symbol_lang: String,
}

impl Gather {
    /// Nothing gathered yet; symbols resolve in `symbol_lang`.
    pub(crate) fn new(symbol_lang: &str) -> Gather {
        Gather { index: HashMap::new(), targets: Vec::new(), symbol_lang: symbol_lang.to_string() }
    }

    /// Counts citation number `i` towards its target.
    pub(crate) fn add(&mut self, c: &Citation, i: usize) {
        let next = self.targets.len();
        let t = *self.index.entry((c.kind, c.value.clone())).or_insert(next);
        if t == next {
            let value = c.value.clone();
            let url = match c.kind {
                Kind::Url => value.clone(),
                Kind::Symbol => symbol_url(&c.value, &self.symbol_lang).into(),
            };
            self.targets.push(Target { kind: c.kind, value, url, citations: CitationIds::default() });
        }
        self.targets[t].citations.push(i);
    }

    /// The targets.
    pub(crate) fn finish(self) -> Vec<Target> {
        self.targets
    }
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

    fn citation(kind: Kind, value: &str) -> Citation {
        Citation {
            source: "r.md".into(),
            line: 1,
            column: 1,
            footnote: "".into(),
            paragraph: "".into(),
            kind,
            value: value.into(),
            raw: value.into(),
        }
    }

    #[test]
    fn targets_are_distinct_and_symbols_resolve_through_ods() {
        let cs = vec![
            citation(Kind::Url, "https://a.org/"),
            citation(Kind::Symbol, "A/RES/75/202"),
            citation(Kind::Url, "https://a.org/"),
        ];
        let ts = targets_of(&cs, "fr");
        assert_eq!(ts.len(), 2);
        assert_eq!(ts[0].citations.iter().collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(&*ts[1].url, "https://documents.un.org/api/symbol/access?s=A%2FRES%2F75%2F202&l=fr&t=pdf");
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
