//! The security audit's findings, one named test each (issue 12): `--deny-private` cannot be
//! bypassed through a proxy, `--resolve` or IPv6 forms; the archive folder is not followed
//! through links, is locked, stays indexed after a kill and survives a full disk; files follow
//! the umask; every cell from a document or a server is guarded.

mod common;

use common::run::{check_doc, check_doc_env, check_doc_with};
use common::server::{Reply, Server};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Item 2: with a proxy in the environment, names go to the proxy only after they were
/// looked up here and found public; otherwise they are refused and the proxy sees nothing.
#[test]
fn deny_private_is_not_bypassed_through_a_proxy() {
    let proxy = Server::start(|_, _| Reply::html(200, "proxied"));
    let proxy_url = format!("http://{}", proxy.addr);
    let doc =
        "1. <http://rebind.test:28080/a>, <https://rebind.test:28443/b>, <http://localhost.:28080/c>.\n";
    let env = [("HTTP_PROXY", proxy_url.as_str()), ("HTTPS_PROXY", proxy_url.as_str())];
    let denied = check_doc_env(doc, &[], &env, &["--deny-private", "--retries", "0"]);
    assert_eq!(proxy.seen.total.load(Ordering::SeqCst), 0, "the proxy saw requests: {}", denied.stderr);
    for url in ["http://rebind.test:28080/a", "https://rebind.test:28443/b", "http://localhost.:28080/c"] {
        let row = denied.links.row("value", url);
        assert_eq!(&row["status"], "excluded", "{url}: {row:?}");
        assert!(row["error"].starts_with("refused by --deny-private"), "{url}: {row:?}");
    }
    // The same run without --deny-private does go through the proxy (the test can fail).
    let open = check_doc_env(doc, &[], &env, &["--retries", "0"]);
    assert!(proxy.seen.total.load(Ordering::SeqCst) >= 1, "{}", open.stderr);
}

/// Item 3: `--resolve` overrides are checked too, also when a checked repository's own
/// `citecheck.toml` names them.
#[test]
fn deny_private_checks_resolve_overrides_from_the_config_file() {
    let server = Server::start(|_, _| Reply::html(200, "inside"));
    let config = format!("resolve = [\"docs.example.org:80:{}\"]\n", server.addr);
    let doc = "1. See <http://docs.example.org/x>.\n";
    let files = [("citecheck.toml", config.as_str())];
    let denied = check_doc_with(doc, &files, &["--deny-private"]);
    let row = denied.links.row("value", "http://docs.example.org/x");
    assert_eq!(&row["status"], "excluded", "{row:?}");
    assert!(row["error"].contains("--resolve sends docs.example.org"), "{row:?}");
    assert_eq!(server.seen.total.load(Ordering::SeqCst), 0);
    let allowed = check_doc_with(doc, &files, &[] as &[&str]);
    assert_eq!(&allowed.links.row("value", "http://docs.example.org/x")["status"], "ok");
}

/// Item 3: IPv6 forms carrying a private IPv4, multicast, site-local and local names are
/// refused (at every redirect hop too: `fetch::check` unit test
/// `redirect_hops_into_private_addresses_are_refused`).
#[test]
fn deny_private_refuses_ipv6_forms_multicast_and_local_names() {
    let urls = [
        "http://[::127.0.0.1]/",
        "http://[64:ff9b::7f00:1]/",
        "http://[2002:7f00:1::]/",
        "http://224.0.0.1/",
        "http://[ff02::1]/",
        "http://[fec0::1]/",
        "http://localhost./",
        "http://localhost.localdomain/",
    ];
    let doc = format!("1. {}\n", urls.map(|u| format!("<{u}>")).join(" "));
    let denied = check_doc(&doc, &["--deny-private"]);
    assert_eq!(denied.links.len(), urls.len(), "{}", denied.stderr);
    for row in denied.links.rows() {
        assert_eq!(&row["status"], "excluded", "{row:?}");
        assert!(row["error"].starts_with("refused by --deny-private"), "{row:?}");
    }
}

/// Item 1: a relative link or a glued URL in a CJK document is read, not a panic, and
/// `check` writes its tables (nothing is fetched here: every target is excluded).
#[test]
fn cjk_relative_links_do_not_stop_check() {
    let doc = "1. 见[报告](报告.pdf)。See https://a.org/x,报告 和 <a href=\"报告.pdf\">报告</a>\n";
    let run = check_doc(doc, &["--exclude", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(run.links.find("value", "https://a.org/x").is_some(), "{:?}", run.links);
}

/// A `check` run in `dir` on `doc.md` with the proxy variables removed; `limit` caps the size
/// of every file the run writes (`RLIMIT_FSIZE`, with `SIGXFSZ` ignored so a write past it
/// fails with EFBIG as a full disk fails a write), `umask` sets the file creation mask.
#[cfg(unix)]
fn run_check_in(dir: &Path, args: &[&str], limit: Option<u64>, umask: Option<u32>) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_citecheck"));
    cmd.current_dir(dir)
        .args(["check", "doc.md", "--quiet", "--host-interval", "0", "--timeout", "5s"])
        .args(args);
    for v in common::PROXY_VARIABLES {
        cmd.env_remove(v);
    }
    // SAFETY: only async-signal-safe calls (signal, setrlimit, umask) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if let Some(bytes) = limit {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let lim = libc::rlimit { rlim_cur: bytes as libc::rlim_t, rlim_max: bytes as libc::rlim_t };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            if let Some(mask) = umask {
                libc::umask(mask as libc::mode_t);
            }
            Ok(())
        });
    }
    cmd.output().expect("runs")
}

/// Records by (WARC file, offset).
type Places = BTreeSet<(String, u64)>;

/// Every record of the folder's WARC files that a reader replays (responses, revisits),
/// as (file, offset), and the same pairs read from `index.cdxj`.
fn captures_and_index(archive: &Path) -> (Places, Places) {
    let mut captures = BTreeSet::new();
    for file in common::warc::warcs(archive) {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        for r in common::warc::records(&file) {
            if matches!(r.get("WARC-Type"), "response" | "revisit") {
                captures.insert((name.clone(), r.offset));
            }
        }
    }
    let index = std::fs::read_to_string(archive.join("index.cdxj")).unwrap_or_default();
    let indexed = index
        .lines()
        .filter_map(|l| l.split_once(" {").map(|(_, json)| format!("{{{json}")))
        .filter_map(|json| serde_json::from_str::<serde_json::Value>(&json).ok())
        .filter_map(|v| Some((v["filename"].as_str()?.to_string(), v["offset"].as_str()?.parse().ok()?)))
        .collect();
    (captures, indexed)
}

/// A document citing `n` pages of `server`, one per line.
fn doc_of(dir: &Path, server: &Server, n: usize, path: &str) {
    let doc: String = (0..n).map(|i| format!("1. <{}>\n", server.url(&format!("{path}{i}")))).collect();
    std::fs::write(dir.join("doc.md"), doc).expect("doc");
}

/// Item 4: links in the archive folder are refused, never followed: a linked `.open` file
/// is not truncated, a linked digest file not appended to, a linked index not read.
#[cfg(unix)]
#[test]
fn links_in_the_archive_folder_are_refused_not_followed() {
    let server = Server::start(|_, _| Reply::html(200, "page"));
    for name in ["citecheck-20240101000000-00001.warc.gz.open", "citecheck-digests.tsv", "index.cdxj"] {
        let dir = tempfile::tempdir().expect("tempdir");
        doc_of(dir.path(), &server, 2, "/p");
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "precious, not an archive file\n").expect("victim");
        let archive = dir.path().join("archive");
        std::fs::create_dir(&archive).expect("archive dir");
        std::os::unix::fs::symlink(&victim, archive.join(name)).expect("symlink");
        let out = run_check_in(dir.path(), &["--archive", "archive"], None, None);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains("is a symbolic link"), "{name}: {stderr}");
        assert_eq!(
            std::fs::read_to_string(&victim).expect("victim"),
            "precious, not an archive file\n",
            "{name}"
        );
    }
}

/// Item 5: a second run on a folder in use waits for nothing and corrupts nothing: it exits 2
/// naming the folder, and the first run finishes whole.
#[cfg(unix)]
#[test]
fn a_second_run_on_a_folder_in_use_is_refused() {
    let server = Server::start(|_, _| Reply::html(200, "slow page").after(Duration::from_millis(60)));
    let dir = tempfile::tempdir().expect("tempdir");
    doc_of(dir.path(), &server, 30, "/slow");
    let first = std::process::Command::new(env!("CARGO_BIN_EXE_citecheck"))
        .current_dir(dir.path())
        .args(["check", "doc.md", "--quiet", "--host-interval", "0", "--host-concurrency", "1"])
        .args(["--archive", "archive", "--out", "out-a", "--db", "a.sqlite"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let lock = dir.path().join("archive/.citecheck.lock");
    let pid = first.id().to_string();
    for _ in 0..100 {
        if std::fs::read_to_string(&lock).is_ok_and(|t| t.trim() == pid) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    for (args, flag) in [
        (["--archive", "archive", "--out", "out-b"], "--archive"),
        (["--archive", "archive-b", "--out", "out-a"], "--out"),
    ] {
        let second =
            run_check_in(dir.path(), &[args[0], args[1], args[2], args[3], "--db", "b.sqlite"], None, None);
        let stderr = String::from_utf8_lossy(&second.stderr);
        assert_eq!(second.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(&format!("another citecheck run (pid {pid})")), "{stderr}");
        assert!(stderr.contains(flag), "{stderr}");
    }
    let first = first.wait_with_output().expect("first run");
    assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stderr));
    let (captures, indexed) = captures_and_index(&dir.path().join("archive"));
    assert_eq!(captures.len(), 30);
    assert_eq!(captures, indexed);
}

/// Item 6: after kill -9 (several times), the next run indexes every capture the killed runs
/// wrote: the index and the WARC files agree record for record.
#[cfg(unix)]
#[test]
fn after_kill_9_the_index_holds_every_capture() {
    let server = Server::start(|_, _| Reply::html(200, &"k".repeat(2_000)).after(Duration::from_millis(30)));
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = dir.path().join("archive");
    for round in 0..3 {
        doc_of(dir.path(), &server, 80, &format!("/r{round}-"));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_citecheck"))
            .current_dir(dir.path())
            .args(["check", "doc.md", "--quiet", "--host-interval", "0", "--host-concurrency", "2"])
            .args(["--archive", "archive", "--warc-size", "20000"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        // Let it write some files (rotating every ~20 kB), then kill it mid-run.
        for _ in 0..200 {
            std::thread::sleep(Duration::from_millis(20));
            if common::warc::warcs(&archive).len() >= 2 * (round + 1) {
                break;
            }
        }
        child.kill().expect("kill -9");
        let _ = child.wait();
    }
    doc_of(dir.path(), &server, 3, "/last-");
    let last = run_check_in(dir.path(), &["--archive", "archive", "--warc-size", "20000"], None, None);
    assert_eq!(last.status.code(), Some(0), "{}", String::from_utf8_lossy(&last.stderr));
    let leftovers: Vec<_> = std::fs::read_dir(&archive)
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".open"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let (captures, indexed) = captures_and_index(&archive);
    assert!(captures.len() > 10, "the killed runs wrote captures: {}", captures.len());
    assert_eq!(captures, indexed, "every capture is indexed, and nothing else");
}

/// Item 7: a full disk (here: a file-size limit, which fails writes the same way) stops
/// archiving at the first failed write; the check goes on, the tables are written, the run
/// says why and exits 2; no empty WARC file is left, then or on the next run.
#[cfg(unix)]
#[test]
fn a_full_disk_stops_archiving_not_the_check() {
    // Pages of pseudo-random letters (xorshift), which gzip cannot shrink much.
    let noise = |seed: u64| -> String {
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..40_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from(b'a' + (x % 26) as u8)
            })
            .collect()
    };
    let server = Server::start(move |r, _| {
        Reply::html(200, &noise(r.path.bytes().map(u64::from).sum::<u64>() * 31 + r.path.len() as u64))
    });
    let dir = tempfile::tempdir().expect("tempdir");
    doc_of(dir.path(), &server, 20, "/page");
    for run in 0..2 {
        let out = run_check_in(dir.path(), &["--archive", "archive", "--no-db"], Some(120_000), None);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "run {run}: {stderr}");
        assert!(stderr.contains("archiving stopped"), "run {run}: {stderr}");
        let links = common::table::Table::read(&dir.path().join("reports/links.csv"));
        assert_eq!(links.len(), 20, "run {run}: every target checked");
        assert!(links.rows().all(|r| &r["status"] == "ok"), "run {run}: {links:?}");
        let (captures, indexed) = captures_and_index(&dir.path().join("archive"));
        assert!(!captures.is_empty() && captures.len() < 20, "run {run}: {}", captures.len());
        assert_eq!(captures, indexed, "run {run}");
        for e in std::fs::read_dir(dir.path().join("archive")).expect("dir").filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            let len = e.metadata().map(|m| m.len()).unwrap_or(0);
            assert!(!name.contains(".warc") || len > 0, "run {run}: empty {name}");
            assert!(!name.ends_with(".open"), "run {run}: {name} left open");
        }
    }
}

/// Item 10: under umask 022 every file a run creates is 0644 (tables, JUnit, WARC, index,
/// digests, history, lock); an existing table keeps its own mode.
#[cfg(unix)]
#[test]
fn files_follow_the_umask_and_keep_their_mode() {
    use std::os::unix::fs::PermissionsExt;
    let server = Server::start(|_, _| Reply::html(200, "page"));
    let dir = tempfile::tempdir().expect("tempdir");
    doc_of(dir.path(), &server, 3, "/p");
    let args = ["--archive", "archive", "--junit", "junit.xml", "--db", "h.sqlite"];
    let out = run_check_in(dir.path(), &args, None, Some(0o022));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let mut seen = 0;
    for sub in [".", "reports", "archive"] {
        for e in std::fs::read_dir(dir.path().join(sub)).expect("dir").filter_map(Result::ok) {
            let meta = e.metadata().expect("meta");
            let name = e.file_name().to_string_lossy().into_owned();
            if meta.is_file() && name != "doc.md" {
                assert_eq!(meta.permissions().mode() & 0o777, 0o644, "{sub}/{name}");
                seen += 1;
            }
        }
    }
    assert!(seen >= 11, "tables, junit, WARC, index, digests, history, locks: {seen}");
    let links = dir.path().join("reports/links.csv");
    std::fs::set_permissions(&links, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let again = run_check_in(dir.path(), &args, None, Some(0o022));
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(std::fs::metadata(&links).expect("meta").permissions().mode() & 0o777, 0o640);
}

/// Item 10: every cell of the `check` tables that could come from a document or a server is
/// guarded against formulas, the footnote labels included.
#[test]
fn footnote_labels_and_every_other_cell_are_guarded() {
    let server = Server::start(|_, _| Reply::html(404, "<title>=HYPERLINK(\"x\")</title>"));
    let url = server.url("/-gone");
    let doc = format!("1. Text.[^-A1]\n\n[^-A1]: <{url}>\n");
    let run = check_doc(&doc, &[] as &[&str]);
    let row = run.links.row("value", &url);
    assert_eq!(&row["footnotes"], "'-A1", "{row:?}");
    let citations = common::table::Table::read(&run.dir.path().join("reports/citations.csv"));
    assert_eq!(&citations.row("value", &url)["footnote"], "'-A1");
    let changes_and_all = std::fs::read_dir(run.dir.path().join("reports")).expect("dir");
    let csv = |e: &std::fs::DirEntry| e.path().extension().is_some_and(|x| x == "csv");
    for table in changes_and_all.filter_map(Result::ok).filter(csv) {
        let t = common::table::Table::read(&table.path());
        for r in t.rows() {
            for col in t.header() {
                assert!(
                    !r[col].starts_with(['=', '+', '-', '@']),
                    "{:?} {col}: {}",
                    table.file_name(),
                    &r[col]
                );
            }
        }
    }
}

/// Item 9: an input over `--max-input-size` is refused with a message naming it and the
/// limit; the other inputs are read.
#[test]
fn inputs_over_the_size_limit_are_refused_and_the_others_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("big.txt"), "see https://a.org/x ".repeat(100_000)).expect("big");
    std::fs::write(dir.path().join("small.md"), "1. See <https://b.org/y>.\n").expect("small");
    let out = common::citecheck()
        .current_dir(dir.path())
        .args(["extract", "big.txt", "small.md", "--max-input-size", "1MB"])
        .output()
        .expect("runs");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("'big.txt'") && stderr.contains("--max-input-size"), "{stderr}");
    assert!(stdout.contains("https://b.org/y") && !stdout.contains("https://a.org/x"), "{stdout}");
    let piped = common::citecheck()
        .args(["extract", "-", "--max-input-size", "1MB"])
        .write_stdin("see https://a.org/x ".repeat(100_000))
        .output()
        .expect("runs");
    assert_eq!(piped.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&piped.stderr).contains("--max-input-size"));
}

/// Item 9: a server that sets forty 4 KB cookies on every response cannot grow the requests:
/// the jar keeps 50 per host and sends at most 8 KB.
#[test]
fn a_cookie_flood_does_not_grow_the_requests() {
    let largest = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = largest.clone();
    let server = Server::start(move |r, _| {
        let cookie = r.header("cookie").map_or(0, str::len);
        seen.fetch_max(cookie, Ordering::SeqCst);
        let n: usize = r.path.trim_start_matches("/c").parse().unwrap_or(0);
        let mut reply =
            if n < 9 { Reply::redirect(302, &format!("/c{}", n + 1)) } else { Reply::html(200, "end") };
        for i in 0..40 {
            reply = reply.with_header("Set-Cookie", &format!("k{n}_{i}={}; Path=/", "v".repeat(4000)));
        }
        reply
    });
    let url = server.url("/c0");
    let run = check_doc(&format!("1. <{url}>\n"), &["--method", "get"]);
    assert_eq!(&run.links.row("value", &url)["status"], "redirected", "{}", run.stderr);
    let largest = largest.load(Ordering::SeqCst);
    assert!(largest > 0 && largest <= 8192, "Cookie header of {largest} bytes");
}

/// Item 11: a server that never answers costs a target at most `--target-timeout`, however
/// many methods and retries there are.
#[test]
fn a_hanging_server_costs_at_most_the_target_timeout() {
    let server = Server::start(|_, _| Reply::Hang);
    let url = server.url("/hang");
    let run =
        check_doc(&format!("1. <{url}>\n"), &["--timeout", "1s", "--target-timeout", "2s", "--retries", "5"]);
    let row = run.links.row("value", &url);
    assert_eq!(&row["status"], "timeout", "{row:?}");
    assert!(row["error"].contains("--target-timeout 2s"), "{row:?}");
    let elapsed: u64 = row["elapsed_ms"].parse().unwrap_or(u64::MAX);
    assert!(elapsed < 4_000, "one target took {elapsed} ms");
}
