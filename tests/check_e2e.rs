//! End to end: whole documents checked against a simulated copy of the hosts they cite, with
//! the links table pinned (times stripped) and every row's status checked against the
//! behaviour the simulated host was given.

mod common;

use common::web::{cited, hosts, symbol_exists, Behaviour, SimWeb};
use common::{assert_pinned, citecheck, fixture, shared};
use std::path::Path;

/// Checks `doc` against the simulated web; returns the exit code and links.csv without the
/// time columns (`checked_at`, `elapsed_ms`).
fn run(doc: &Path) -> (i32, String, Vec<csv::StringRecord>, usize) {
    let rows = cited(doc);
    let distinct = rows.iter().collect::<std::collections::BTreeSet<_>>().len();
    let web = SimWeb::start(&hosts(&rows));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = citecheck()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .arg(doc)
        .arg("--out")
        .arg(dir.path())
        .arg("--db")
        .arg(dir.path().join("history.sqlite"))
        .args([
            "--timeout",
            "1s",
            "--retries",
            "1",
            "--max-retry-wait",
            "1s",
            "--host-interval",
            "10ms",
            "--quiet",
        ])
        .args(&web.args)
        .output()
        .expect("check runs");
    let code = out.status.code().unwrap_or(-1);
    let mut r = csv::Reader::from_path(dir.path().join("links.csv")).expect("links.csv written");
    let header = r.headers().expect("header").clone();
    let records: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
    let keep: Vec<usize> = (0..header.len())
        .filter(|&i| {
            !matches!(&header[i], "checked_at" | "elapsed_ms" | "first_seen" | "last_ok" | "failing_since")
        })
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(keep.iter().map(|&i| &header[i])).expect("write");
    for rec in &records {
        w.write_record(keep.iter().map(|&i| &rec[i])).expect("write");
    }
    let pinned = String::from_utf8(w.into_inner().expect("csv")).expect("utf-8");
    for name in ["citations.csv", "summary.csv", "hosts.csv"] {
        assert!(dir.path().join(name).is_file(), "{name} written");
    }
    (code, pinned, records, distinct)
}

/// Every row's status must be what the simulated host was told to do.
fn assert_statuses_follow_the_simulation(records: &[csv::StringRecord]) {
    let mut seen = std::collections::BTreeMap::new();
    for r in records {
        let (kind, value, status) = (&r[0], &r[1], &r[3]);
        let expected = if kind == "symbol" {
            if symbol_exists(value) {
                "ok"
            } else {
                "broken"
            }
        } else {
            let u = url::Url::parse(value).expect("url");
            let path = match u.query() {
                Some(q) => format!("{}?{q}", u.path()),
                None => u.path().to_string(),
            };
            Behaviour::of(u.host_str().unwrap_or(""), &path).expected()
        };
        assert_eq!(status, expected, "{kind} {value}: {r:?}");
        *seen.entry(expected).or_insert(0) += 1;
    }
    eprintln!("statuses: {seen:?}");
}

#[test]
fn fixture_report_checks_end_to_end() {
    let (code, pinned, records, distinct) = run(Path::new("tests/fixtures/report_zh.md"));
    assert_eq!(code, 1, "some citations fail");
    assert_eq!(records.len(), distinct, "one row per distinct target");
    assert_statuses_follow_the_simulation(&records);
    assert_pinned(&fixture("report_zh.links.expected.csv"), &pinned);
}

#[test]
fn seed_document_checks_end_to_end_when_present() {
    if shared().is_none() {
        eprintln!("../shared not present: seed end-to-end check skipped");
        return;
    }
    let (code, pinned, records, distinct) = run(Path::new("../shared/seed/000_df883177e5fcaef3.txt"));
    assert_eq!(code, 1);
    assert_eq!(records.len(), distinct, "one row per distinct target");
    assert_statuses_follow_the_simulation(&records);
    let classes: std::collections::BTreeSet<&str> = records.iter().map(|r| r.get(3).unwrap_or("")).collect();
    for class in
        ["ok", "redirected", "broken", "blocked", "server_error", "timeout", "unreachable", "soft_404"]
    {
        assert!(classes.contains(class), "the simulation exercises {class}: {classes:?}");
    }
    assert_pinned(&fixture("seed.links.expected.csv"), &pinned);
}
