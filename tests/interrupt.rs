//! Ctrl-C (issue 13, "Ctrl-C loses the run"): the first SIGINT stops admitting work, gives the
//! requests in flight a short grace, writes every table (unchecked targets `skipped`), closes
//! the WARC cleanly, marks the run interrupted in the history and exits 130; a second SIGINT
//! quits at once, still leaving valid files.

mod common;

use common::server::{Reply, Server};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts a check of 20 slow pages (1 s each, two at a time: ~10 s in all) with a history
/// and an archive, and waits until the first requests are in flight.
fn start_slow_run(dir: &Path, server: &Server) -> Child {
    let doc: String = (0..20).map(|i| format!("1. <{}>\n", server.url(&format!("/slow{i}")))).collect();
    std::fs::write(dir.join("doc.md"), doc).expect("doc");
    let child = Command::new(env!("CARGO_BIN_EXE_citecheck"))
        .current_dir(dir)
        .args(["check", "doc.md", "--quiet", "--host-interval", "0", "--host-concurrency", "2"])
        .args(["--out", "reports", "--db", "h.sqlite", "--archive", "archive"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    while server.seen.total.load(std::sync::atomic::Ordering::SeqCst) < 3
        && started.elapsed() < Duration::from_secs(20)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

fn interrupt(child: &Child) {
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
}

/// Waits for the child (a hang guard of 30 s, not a timing assertion) and returns its exit
/// code, stderr and how long it took after the signal.
fn finish(mut child: Child, signalled: Instant) -> (Option<i32>, String, Duration) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let took = signalled.elapsed();
            let mut stderr = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
            }
            return (status.code(), stderr, took);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the run did not stop within 30 s of SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn integrity_ok(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).expect("open db");
    conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0)).expect("integrity_check")
}

#[test]
fn ctrl_c_keeps_the_run() {
    let server = Server::start(|_, _| Reply::html(200, "<title>fine</title>").after(Duration::from_secs(1)));
    let dir = tempfile::tempdir().expect("tempdir");
    let child = start_slow_run(dir.path(), &server);
    let signalled = Instant::now();
    interrupt(&child);
    let (code, stderr, took) = finish(child, signalled);
    assert_eq!(code, Some(130), "{stderr}");
    eprintln!("measured: exit 130 {:.2} s after SIGINT", took.as_secs_f64());
    assert!(stderr.contains("interrupted"), "{stderr}");
    // Every target is in the table: the ones checked, and the rest as skipped.
    let links = common::table::Table::read(&dir.path().join("reports/links.csv"));
    let statuses: Vec<String> = links.rows().map(|r| r["status"].to_string()).collect();
    assert_eq!(statuses.len(), 20, "{statuses:?}");
    let ok = statuses.iter().filter(|s| *s == "ok").count();
    let skipped = statuses.iter().filter(|s| *s == "skipped").count();
    assert!(ok >= 1 && skipped >= 1 && ok + skipped == 20, "{statuses:?}");
    for table in ["citations.csv", "summary.csv", "hosts.csv"] {
        assert!(dir.path().join("reports").join(table).is_file(), "{table}");
    }
    // The WARC was closed cleanly (no .open file) and is valid; the index holds its captures.
    let archive = dir.path().join("archive");
    let warcs = common::warc::warcs(&archive);
    assert!(!warcs.is_empty());
    assert!(warcs.iter().all(|w| !w.to_string_lossy().ends_with(".open")), "{warcs:?}");
    let captures: usize = warcs
        .iter()
        .map(|w| {
            common::warc::records(w)
                .iter()
                .filter(|r| matches!(r.get("WARC-Type"), "response" | "revisit"))
                .count()
        })
        .sum();
    assert_eq!(captures, ok, "one capture (response or revisit) per page checked");
    if let Some(bin) = common::warc_tools::tools() {
        common::warc_tools::check_files(&bin, &warcs, &archive);
    }
    // The history: intact, the run marked interrupted, only the checked targets recorded.
    assert_eq!(integrity_ok(&dir.path().join("h.sqlite")), "ok");
    let conn = rusqlite::Connection::open(dir.path().join("h.sqlite")).expect("db");
    let outcome: String = conn.query_row("SELECT outcome FROM runs", [], |r| r.get(0)).expect("run");
    assert_eq!(outcome, "interrupted");
    let results: usize = conn.query_row("SELECT COUNT(*) FROM results", [], |r| r.get(0)).expect("count");
    assert_eq!(results, ok);
}

#[test]
fn a_second_ctrl_c_quits_at_once_and_leaves_valid_files() {
    let server = Server::start(|_, _| Reply::html(200, "<title>fine</title>").after(Duration::from_secs(1)));
    let dir = tempfile::tempdir().expect("tempdir");
    let child = start_slow_run(dir.path(), &server);
    let signalled = Instant::now();
    interrupt(&child);
    std::thread::sleep(Duration::from_millis(200));
    interrupt(&child);
    let (code, stderr, took) = finish(child, signalled);
    assert_eq!(code, Some(130), "{stderr}");
    eprintln!("measured: exit 130 {:.2} s after the first SIGINT", took.as_secs_f64());
    assert!(stderr.contains("quit at once"), "{stderr}");
    assert_eq!(integrity_ok(&dir.path().join("h.sqlite")), "ok");
    // The next run recovers whatever WARC was left open and finds a valid archive.
    let out = Command::new(env!("CARGO_BIN_EXE_citecheck"))
        .current_dir(dir.path())
        .args(["check", "doc.md", "--quiet", "--host-interval", "0", "--host-concurrency", "20"])
        .args(["--out", "reports", "--db", "h.sqlite", "--archive", "archive"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let warcs = common::warc::warcs(&dir.path().join("archive"));
    assert!(warcs.iter().all(|w| !w.to_string_lossy().ends_with(".open")), "{warcs:?}");
    if let Some(bin) = common::warc_tools::tools() {
        common::warc_tools::check_files(&bin, &warcs, &dir.path().join("archive"));
    }
}
