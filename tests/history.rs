//! The run history: scenarios over several runs (changes.csv, history columns, --fail-after,
//! --cache-ttl), the store's migrations, crash safety and concurrent runs, and the CI outputs.

mod common;

use common::server::{Reply, Server};
use common::table::Table;
use common::{assert_pinned, citecheck, fixture};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The value in column `name` of the links.csv row of `url`.
fn link(dir: &Path, url: &str, name: &str) -> String {
    Table::read(&dir.join("reports/links.csv")).row("value", url)[name].to_string()
}

#[test]
fn three_runs_report_changes_history_and_fail_after() {
    let phase = Arc::new(AtomicUsize::new(0));
    let p = phase.clone();
    let s = Server::start(move |req, _| {
        let run = p.load(Ordering::SeqCst);
        match (req.path.as_str(), run) {
            ("/flaky", 1) => Reply::status(503),
            ("/dies", r) if r >= 1 => Reply::status(404),
            ("/moves", r) if r >= 1 => Reply::redirect(301, "/moved"),
            ("/recovers", 0) => Reply::status(404),
            _ => Reply::html(200, "fine"),
        }
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = ["/stable", "/flaky", "/dies", "/moves", "/recovers"];
    let mut doc = String::from("1. Text.<sup>1</sup><sup>2</sup><sup>3</sup><sup>4</sup><sup>5</sup>\n\n");
    for (i, p) in paths.iter().enumerate() {
        doc.push_str(&format!("<sup>{}</sup> <{}>.\n\n", i + 1, s.url(p)));
    }
    std::fs::write(dir.path().join("doc.md"), doc).expect("doc");
    let run = |extra: &[&str]| {
        citecheck()
            .current_dir(dir.path())
            .args([
                "check",
                "doc.md",
                "--retries",
                "0",
                "--host-interval",
                "0",
                "--fail-after",
                "2",
                "--quiet",
            ])
            .args(extra)
            .output()
            .expect("runs")
    };
    let changes = |d: &Path| -> Vec<(String, String, String, String)> {
        Table::read(&d.join("reports/changes.csv"))
            .rows()
            .map(|r| {
                (
                    r["value"].to_string(),
                    r["change"].to_string(),
                    r["previous_status"].to_string(),
                    r["status"].to_string(),
                )
            })
            .collect()
    };
    let u = |p: &str| s.url(p);

    // Run 1: /recovers is broken for the first time: tolerated (exit 0); nothing to compare.
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(changes(dir.path()).is_empty());
    assert_eq!(link(dir.path(), &u("/recovers"), "consecutive_failures"), "1");
    let first_seen = link(dir.path(), &u("/dies"), "first_seen");
    assert!(!first_seen.is_empty());
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 failing but tolerated until --fail-after 2"));

    // Run 2: three changes and a recovery; every failure is new, so still exit 0.
    phase.store(1, Ordering::SeqCst);
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let mut got = changes(dir.path());
    got.sort();
    let mut want = vec![
        (u("/flaky"), "newly_failing".to_string(), "ok".to_string(), "server_error".to_string()),
        (u("/dies"), "newly_failing".to_string(), "ok".to_string(), "broken".to_string()),
        (u("/moves"), "newly_redirected".to_string(), "ok".to_string(), "redirected".to_string()),
        (u("/recovers"), "recovered".to_string(), "broken".to_string(), "ok".to_string()),
    ];
    want.sort();
    assert_eq!(got, want);
    let run2_dies = link(dir.path(), &u("/dies"), "checked_at");
    assert_eq!(link(dir.path(), &u("/dies"), "failing_since"), run2_dies);
    assert_eq!(link(dir.path(), &u("/dies"), "last_ok"), first_seen, "last ok in run 1");
    assert_eq!(link(dir.path(), &u("/recovers"), "consecutive_failures"), "0");

    // Run 3: /dies is broken twice in a row (fails the run); /flaky recovered.
    phase.store(2, Ordering::SeqCst);
    let out = run(&["--junit", "junit.xml"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(
        changes(dir.path()),
        vec![(u("/flaky"), "recovered".to_string(), "server_error".to_string(), "ok".to_string())]
    );
    assert_eq!(link(dir.path(), &u("/dies"), "consecutive_failures"), "2");
    assert_eq!(link(dir.path(), &u("/dies"), "failing_since"), run2_dies);
    let xml = std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit written");
    let doc = roxmltree::Document::parse(&xml).expect("JUnit XML parses");
    let failures: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("failure")).collect();
    assert_eq!(failures.len(), 1, "only /dies fails the run");
    assert_eq!(failures[0].attribute("type"), Some("broken"));

    // Run 4 with a cache: /stable is not fetched again; the failing /dies is.
    let (stable, dies) = (s.hits("GET", "/stable"), s.hits("GET", "/dies"));
    let out = run(&["--cache-ttl", "1d"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(s.hits("GET", "/stable"), stable, "served from the history");
    assert!(s.hits("GET", "/dies") > dies, "failures are never cached");
    assert_eq!(link(dir.path(), &u("/stable"), "cached"), "true");
    assert_eq!(link(dir.path(), &u("/dies"), "cached"), "false");

    // The timeline of one target.
    let out =
        citecheck().current_dir(dir.path()).args(["history", &u("/dies")]).output().expect("history runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let runs: Vec<&str> = text.lines().filter(|l| l.contains("  run ")).collect();
    assert_eq!(runs.len(), 4, "{text}");
    assert_eq!(runs.iter().filter(|l| l.contains(" broken ")).count(), 3, "{text}");
    assert!(runs[3].contains(" ok "), "oldest run was ok: {text}");
    citecheck().current_dir(dir.path()).args(["history", "https://never.cited/x"]).assert().code(1);
}

/// The schema version and the `cached` value of the first result of a database.
fn version_and_cached(db: &Path) -> (i64, i64) {
    let conn = rusqlite::Connection::open(db).expect("open");
    let version = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    let cached = conn.query_row("SELECT cached FROM results LIMIT 1", [], |r| r.get(0)).unwrap_or(-1);
    (version, cached)
}

#[test]
fn migrations_from_an_empty_file_and_from_version_1() {
    let s = Server::start(|_, _| Reply::html(200, "ok"));
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("doc.md"), format!("1. See <{}>.\n", s.url("/a"))).expect("doc");
    let fresh = dir.path().join("fresh.sqlite");
    citecheck()
        .current_dir(dir.path())
        .args(["check", "doc.md", "--quiet", "--db"])
        .arg(&fresh)
        .assert()
        .success();
    assert_eq!(version_and_cached(&fresh), (4, 0), "created at the latest version");

    let old = dir.path().join("v1.sqlite");
    {
        let conn = rusqlite::Connection::open(&old).expect("create v1");
        let v1 = std::fs::read_to_string(fixture("history-v1.sql")).expect("v1 schema");
        conn.execute_batch(&v1).expect("v1 schema");
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO runs (id, started_at, inputs, options, version) VALUES (1, '2026-01-01T00:00:00Z', '[]', '{}', '0.0.1');
             INSERT INTO targets (id, kind, value, first_seen) VALUES (1, 'url', 'https://a.org/', '2026-01-01T00:00:00Z');
             INSERT INTO results (run_id, target_id, status, http_status, final_url, error, elapsed_ms, checked_at)
               VALUES (1, 1, 'ok', 200, 'https://a.org/', '', 5, '2026-01-01T00:00:00Z');",
        )
        .expect("v1 data");
    }
    let out = citecheck().args(["history", "https://a.org/", "--db"]).arg(&old).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("run    1  ok"), "data kept");
    assert_eq!(version_and_cached(&old), (4, 0), "migrated; the new columns have their defaults");
    let conn = rusqlite::Connection::open(&old).expect("open");
    let outcome: String =
        conn.query_row("SELECT outcome FROM runs WHERE id = 1", [], |r| r.get(0)).expect("run");
    assert_eq!(outcome, "complete", "runs before version 3 count as complete");
}

fn integrity(db: &Path) -> (String, i64, i64) {
    let conn = rusqlite::Connection::open(db).expect("open");
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("check");
    let runs: i64 = conn.query_row("SELECT count(*) FROM runs", [], |r| r.get(0)).expect("runs");
    let results: i64 = conn.query_row("SELECT count(*) FROM results", [], |r| r.get(0)).expect("results");
    (ok, runs, results)
}

fn slow_doc(dir: &Path, s: &Server, n: usize) -> std::path::PathBuf {
    let mut doc = String::from("1. Many citations.\n\n");
    for i in 0..n {
        doc.push_str(&format!("<{}>\n", s.url(&format!("/p{i}"))));
    }
    let path = dir.join("doc.md");
    std::fs::write(&path, doc).expect("doc");
    path
}

#[test]
fn a_killed_run_leaves_a_database_that_opens_with_its_committed_results() {
    let s = Server::start(|_, _| Reply::html(200, "slow").after(std::time::Duration::from_millis(100)));
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = slow_doc(dir.path(), &s, 400);
    let db = dir.path().join("h.sqlite");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_citecheck"))
        .arg("check")
        .arg(&doc)
        .arg("--db")
        .arg(&db)
        .args([
            "--out",
            dir.path().join("out").to_str().unwrap_or("out"),
            "--host-interval",
            "0",
            "--host-concurrency",
            "2",
            "--quiet",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    // Wait until some results are committed (batches are flushed every half second).
    let mut committed = 0;
    for _ in 0..200 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        if db.is_file() {
            if let Ok(conn) = rusqlite::Connection::open(&db) {
                committed =
                    conn.query_row("SELECT count(*) FROM results", [], |r| r.get::<_, i64>(0)).unwrap_or(0);
            }
        }
        if committed > 0 {
            break;
        }
    }
    assert!(committed > 0, "results were committed while running");
    child.kill().expect("kill");
    let _ = child.wait();
    assert!(!dir.path().join("out/links.csv").exists(), "no table from the killed run");
    let (ok, runs, results) = integrity(&db);
    assert_eq!(ok, "ok");
    assert_eq!(runs, 1);
    assert!(results >= committed && results < 400, "committed batches kept ({results})");
    // The next run works on the same file.
    let out = citecheck().args(["history", "https://never.cited/x", "--db"]).arg(&db).output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "opens, and has no such target: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn two_runs_at_once_on_one_database() {
    let s = Server::start(|_, _| Reply::html(200, "ok").after(std::time::Duration::from_millis(20)));
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = slow_doc(dir.path(), &s, 120);
    let db = dir.path().join("h.sqlite");
    let spawn = |out: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_citecheck"))
            .arg("check")
            .arg(&doc)
            .arg("--db")
            .arg(&db)
            .args(["--out", dir.path().join(out).to_str().unwrap_or(out), "--host-interval", "0", "--quiet"])
            .output()
    };
    let (a, b) = std::thread::scope(|sc| {
        let a = sc.spawn(|| spawn("a"));
        let b = sc.spawn(|| spawn("b"));
        (a.join().expect("thread a"), b.join().expect("thread b"))
    });
    let (a, b) = (a.expect("run a"), b.expect("run b"));
    assert_eq!(a.status.code(), Some(0), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(b.status.code(), Some(0), "{}", String::from_utf8_lossy(&b.stderr));
    let (ok, runs, results) = integrity(&db);
    assert_eq!((ok.as_str(), runs, results), ("ok", 2, 240));
}

#[test]
fn markdown_summary_and_junit_are_pinned() {
    let s = Server::start(|req, _| match req.path.as_str() {
        "/gone" => Reply::status(404),
        "/old" => Reply::redirect(301, "/new"),
        _ => Reply::html(200, "ok"),
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = format!(
        "3. See <sup>1</sup> and <sup>2</sup>.\n\n<sup>1</sup> <{}>; <{}>.\n\n<sup>2</sup> <{}>; A/RES/75/202.\n",
        s.url("/fine"),
        s.url("/gone"),
        s.url("/old")
    );
    std::fs::write(dir.path().join("report.md"), doc).expect("doc");
    let out = citecheck()
        .current_dir(dir.path())
        .args([
            "check",
            "report.md",
            "--no-db",
            "--format",
            "markdown",
            "--junit",
            "junit.xml",
            "--quiet",
            "--host-interval",
            "0",
        ])
        .args(["--exclude", "documents\\.un\\.org"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let port = s.addr.port().to_string();
    let normal = |t: &str| {
        let t = t.replace(&port, "PORT");
        regex::Regex::new(r#"time="[0-9.]+""#)
            .map(|re| re.replace_all(&t, "time=\"T\"").into_owned())
            .unwrap_or(t)
    };
    let md = normal(&String::from_utf8_lossy(&out.stdout));
    assert_pinned(&fixture("summary.expected.md"), &md);
    let xml = normal(&std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit"));
    let parsed = roxmltree::Document::parse(&xml).expect("JUnit parses");
    let suites = parsed.root_element();
    assert_eq!(suites.attribute("tests"), Some("4"));
    assert_eq!(suites.attribute("failures"), Some("1"));
    assert_pinned(&fixture("junit.expected.xml"), &xml);
    // JSON summary: the same facts for scripts.
    let out = citecheck()
        .current_dir(dir.path())
        .args([
            "check",
            "report.md",
            "--no-db",
            "--format",
            "json",
            "--quiet",
            "--host-interval",
            "0",
            "--exclude",
            "documents",
        ])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON summary");
    assert_eq!(v["failing"], 1);
    assert_eq!(v["failing_citations"][0]["footnote"], "1");
    assert_eq!(v["failing_citations"][0]["paragraph"], "3");
}
