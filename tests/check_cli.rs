//! `citecheck check` against local servers: status classes, redirects, retries, methods,
//! politeness limits, tables and exit codes.

mod common;

use common::citecheck;
use common::run::{check_doc, check_doc_with, doc_citing, Checked};
use common::server::{Reply, Server};
use predicates::prelude::*;
use std::time::Duration;

/// Runs `check` on a document citing `urls` (one footnote each).
fn check(urls: &[String], extra: &[&str]) -> Checked {
    check_doc(&doc_citing(urls), extra)
}

#[test]
fn status_classes_redirects_and_exit_code() {
    let s = Server::start(|req, n| match req.path.as_str() {
        "/ok" => Reply::html(200, "<title>Fine</title>"),
        "/gone" => Reply::status(404),
        "/old" => Reply::redirect(301, "/mid"),
        "/mid" => Reply::redirect(308, "/new"),
        "/new" => Reply::html(200, "new"),
        "/loop-a" => Reply::redirect(302, "/loop-b"),
        "/loop-b" => Reply::redirect(302, "/loop-a"),
        "/forbidden" => Reply::status(403),
        "/flaky" if n == 0 => Reply::status(503),
        "/flaky" => Reply::html(200, "ok now"),
        "/deep/page" => Reply::redirect(302, "/"),
        "/" => Reply::html(200, "home"),
        "/soft" => Reply::html(200, "<html><title>Page not found</title></html>"),
        "/down" => Reply::status(500),
        _ => Reply::status(404),
    });
    let urls: Vec<String> =
        ["/ok", "/gone", "/old", "/loop-a", "/forbidden", "/flaky", "/deep/page", "/soft", "/down"]
            .iter()
            .map(|p| s.url(p))
            .collect();
    let Checked { code, stderr, links: rows, dir: _dir, .. } =
        check(&urls, &["--retries", "1", "--method", "get"]);
    assert_eq!(code, 1, "broken links fail the run: {stderr}");
    let status = |p: &str| rows.row("value", &s.url(p))["status"].to_string();
    assert_eq!(status("/ok"), "ok");
    assert_eq!(status("/gone"), "broken");
    assert_eq!(status("/old"), "redirected");
    assert_eq!(&rows.row("value", &s.url("/old"))["final_url"], s.url("/new"));
    assert_eq!(&rows.row("value", &s.url("/old"))["redirects"], "2");
    assert_eq!(status("/loop-a"), "broken");
    assert!(rows.row("value", &s.url("/loop-a"))["error"].contains("redirect loop"));
    assert_eq!(status("/forbidden"), "blocked");
    assert_eq!(status("/flaky"), "ok");
    assert_eq!(&rows.row("value", &s.url("/flaky"))["attempts"], "2", "one retry");
    assert_eq!(status("/deep/page"), "soft_404");
    assert_eq!(status("/soft"), "soft_404");
    assert_eq!(status("/down"), "server_error");
    assert_eq!(s.hits("GET", "/gone"), 1, "a 404 is never retried");
    assert_eq!(s.hits("GET", "/down"), 2, "a 5xx is retried --retries times");
}

/// Files known not to be HTML are asked with HEAD first; GET when HEAD is rejected.
#[test]
fn head_rejected_falls_back_to_get() {
    let pdf =
        || Reply::status(200).with_header("Content-Type", "application/pdf").with_body(b"%PDF-1.7".to_vec());
    let s = Server::start(move |req, _| match (req.method.as_str(), req.path.as_str()) {
        ("HEAD", "/no-head.pdf") => Reply::status(405),
        ("HEAD", "/head-403.pdf") => Reply::status(403),
        (_, _) => pdf(),
    });
    let urls = vec![s.url("/no-head.pdf"), s.url("/head-403.pdf"), s.url("/plain.pdf")];
    let Checked { code, stderr, links: rows, dir: _dir, .. } = check(&urls, &[]);
    assert_eq!(code, 0, "{stderr}");
    for r in rows.rows() {
        assert_eq!(&r["status"], "ok", "{r:?}");
    }
    assert_eq!(s.hits("GET", "/no-head.pdf"), 1);
    assert_eq!(s.hits("HEAD", "/plain.pdf"), 1);
    assert_eq!(s.hits("GET", "/plain.pdf"), 0, "HEAD was enough");
}

#[test]
fn retry_after_is_honoured_and_429_recovers() {
    let s = Server::start(|req, n| match req.path.as_str() {
        "/busy" if n == 0 => Reply::status(429).with_header("Retry-After", "1"),
        _ => Reply::html(200, "ok"),
    });
    let started = std::time::Instant::now();
    let Checked { code, stderr, links: rows, dir: _dir, .. } = check(&[s.url("/busy")], &["--method", "get"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(&rows.rows().next().expect("a row")["status"], "ok");
    assert_eq!(&rows.rows().next().expect("a row")["attempts"], "2");
    assert!(started.elapsed() >= Duration::from_millis(900), "waited for Retry-After");
}

#[test]
fn timeouts_closed_connections_and_unresolvable_hosts() {
    let s = Server::start(|req, _| match req.path.as_str() {
        "/hang" => Reply::Hang,
        "/close" => Reply::Close,
        "/trickle" => Reply::Trickle,
        _ => Reply::html(200, "ok"),
    });
    let urls =
        vec![s.url("/hang"), s.url("/close"), "http://no-such-host.invalid/x".to_string(), s.url("/trickle")];
    let Checked { code, stderr, links: rows, dir: _dir, .. } =
        check(&urls, &["--timeout", "1s", "--retries", "0", "--method", "get"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(&rows.row("value", &s.url("/hang"))["status"], "timeout");
    assert_eq!(&rows.row("value", &s.url("/close"))["status"], "unreachable");
    assert_eq!(&rows.row("value", "http://no-such-host.invalid/x")["status"], "unreachable");
    assert_eq!(
        &rows.row("value", &s.url("/trickle"))["status"],
        "timeout",
        "a trickling body still ends at --timeout"
    );
}

#[test]
fn duplicates_are_fetched_once_and_host_concurrency_is_respected() {
    let s = Server::start(|_, _| Reply::html(200, "ok").after(Duration::from_millis(50)));
    let mut urls: Vec<String> = (0..24).map(|i| s.url(&format!("/p{i}"))).collect();
    urls.push(s.url("/p0"));
    urls.push(s.url("/p0"));
    let Checked { code, stderr, links: rows, dir: _dir, .. } =
        check(&urls, &["--host-concurrency", "3", "--method", "get"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rows.len(), 24, "one row per distinct target");
    assert_eq!(s.hits("GET", "/p0"), 1);
    assert_eq!(&rows.row("value", &s.url("/p0"))["footnotes"], "1;25;26", "every footnote citing it");
    let host = s.addr.to_string();
    let max = s.max_in_flight(&host);
    assert!(max <= 3, "server saw {max} requests at once");
    assert!(max >= 2, "requests to one host did run concurrently ({max})");
}

/// A document over 1 MB is read in pieces and its citations and outcomes kept on disk while
/// the run goes: the tables hold every citation in document order, every footnote of a
/// target cited many times, and nothing is left behind in the output folder.
#[test]
fn a_large_document_is_checked_through_files_on_disk_and_leaves_none() {
    let s = Server::start(|req, _| match req.path.as_str() {
        "/gone" => Reply::status(404),
        _ => Reply::html(200, "ok"),
    });
    // 40,000 footnotes (1.9 MB) citing 400 pages, every hundredth the same broken one.
    let n = 40_000;
    let url =
        |i: usize| if i.is_multiple_of(100) { s.url("/gone") } else { s.url(&format!("/p{}", i % 400)) };
    let urls: Vec<String> = (0..n).map(url).collect();
    let doc = doc_citing(&urls);
    assert!(doc.len() > 1 << 20);
    let checked = check_doc(&doc, &["--no-db", "--method", "get"]);
    assert_eq!(checked.code, 1, "{}", checked.stderr);
    let reports = checked.dir.path().join("reports");
    let citations = common::table::Table::read(&reports.join("citations.csv"));
    assert_eq!(citations.len(), n);
    let footnotes: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
    assert_eq!(citations.column("footnote"), footnotes);
    assert_eq!(citations.column("value"), urls);
    let broken = citations.rows().filter(|r| &r["status"] == "broken").count();
    assert_eq!(broken, n / 100);
    // The extract columns are extract's rows.
    let extracted = common::table::Table::parse(&common::run::extract(&checked.dir.path().join("doc.md")));
    for column in ["line", "column", "footnote", "paragraph", "value"] {
        assert_eq!(citations.column(column), extracted.column(column), "{column}");
    }
    assert_eq!(checked.links.len(), 397);
    let gone: Vec<String> = (0..n).step_by(100).map(|i| (i + 1).to_string()).collect();
    assert_eq!(&checked.links.row("value", &s.url("/gone"))["footnotes"], &gone.join(";"));
    assert_eq!(s.hits("GET", "/gone"), 1);
    let mut left: Vec<String> = std::fs::read_dir(&reports)
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    let want = [
        ".citecheck.lock",
        "changes.csv",
        "citations.csv",
        "hosts.csv",
        "links.csv",
        "report.html",
        "summary.csv",
    ];
    assert_eq!(left, want);
}

#[test]
fn excluded_schemes_and_rules_are_never_fetched() {
    let s = Server::start(|_, _| Reply::html(200, "ok"));
    let urls = vec!["mailto:someone@example.org".to_string(), s.url("/skip-me"), s.url("/keep")];
    let Checked { code, stderr, links: rows, dir: _dir, .. } = check(&urls, &["--exclude", "skip-me"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(&rows.row("value", "mailto:someone@example.org")["status"], "excluded");
    assert_eq!(&rows.row("value", &s.url("/skip-me"))["status"], "excluded");
    assert_eq!(s.hits("HEAD", "/skip-me") + s.hits("GET", "/skip-me"), 0);
    assert_eq!(&rows.row("value", &s.url("/keep"))["status"], "ok");
}

#[test]
fn bad_configuration_is_exit_2_with_a_clear_message() {
    citecheck()
        .args(["check", "--timeout", "soon", "x.md"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a duration"));
    citecheck()
        .args(["check", "--fail-on", "brokn", "tests/fixtures/notes.txt"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown status 'brokn'"));
}

#[test]
fn https_with_a_test_ca_untrusted_certificates_and_insecure() {
    let ca = common::tls::TestCa::new();
    let other = common::tls::TestCa::new();
    let good = Server::start_tls(ca.server_config(&["secure.test"]), |_, _| Reply::html(200, "secure"));
    let bad = Server::start_tls(other.server_config(&["untrusted.test"]), |_, _| Reply::html(200, "x"));
    let doc = "1. See <https://secure.test/a> and <https://untrusted.test/b>.\n";
    let args = |insecure: bool| {
        let mut a = vec![
            "--resolve".to_string(),
            format!("secure.test:443:{}", good.addr),
            "--resolve".to_string(),
            format!("untrusted.test:443:{}", bad.addr),
            "--cacert".to_string(),
            ca.ca_file.display().to_string(),
        ];
        if insecure {
            a.push("--insecure".into());
        }
        a
    };
    let Checked { code, stderr, links: rows, dir: _d, .. } = check_doc(doc, &args(false));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(&rows.row("value", "https://secure.test/a")["status"], "ok");
    assert_eq!(&rows.row("value", "https://untrusted.test/b")["status"], "tls_error");
    assert!(rows.row("value", "https://untrusted.test/b")["error"].contains("certificate"), "{:?}", &rows);
    let Checked { code, stderr, links: rows, dir: _d, .. } = check_doc(doc, &args(true));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(&rows.row("value", "https://untrusted.test/b")["status"], "ok");
    assert!(stderr.contains("NOT verified"), "--insecure is reported: {stderr}");
}

/// Issue 13, "`--resolve` keeps one address per host, not per port": curl keys overrides by
/// host and port, so `h:80:A --resolve h:443:B` sends `http://h/` to A and `https://h/` to B.
#[test]
fn resolve_is_keyed_by_host_and_port() {
    let ca = common::tls::TestCa::new();
    let plain = Server::start(|_, _| Reply::html(200, "plain"));
    let secure = Server::start_tls(ca.server_config(&["mirror.test"]), |_, _| Reply::html(200, "tls"));
    let doc = "1. See <http://mirror.test/a> and <https://mirror.test/b>.\n";
    let args = [
        "--resolve".to_string(),
        format!("mirror.test:80:{}", plain.addr),
        "--resolve".to_string(),
        format!("mirror.test:443:{}", secure.addr),
        "--cacert".to_string(),
        ca.ca_file.display().to_string(),
    ];
    let Checked { code, stderr, links, dir: _d, .. } = check_doc(doc, &args);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(&links.row("value", "http://mirror.test/a")["status"], "ok", "{links:?}");
    assert_eq!(&links.row("value", "https://mirror.test/b")["status"], "ok", "{links:?}");
    let paths = |s: &Server| -> std::collections::BTreeSet<String> {
        let hits = s.seen.hits.lock().expect("hits");
        hits.keys().filter_map(|k| k.split_once(' ').map(|(_, p)| p.to_string())).collect()
    };
    assert_eq!(paths(&plain), ["/a".to_string()].into());
    assert_eq!(paths(&secure), ["/b".to_string()].into());
}

#[test]
fn no_insecure_on_the_command_line_overrides_the_config_file() {
    let other = common::tls::TestCa::new();
    let bad = Server::start_tls(other.server_config(&["untrusted.test"]), |_, _| Reply::html(200, "x"));
    let doc = "1. See <https://untrusted.test/b>.\n";
    let resolve = format!("untrusted.test:443:{}", bad.addr);
    let config = [("citecheck.toml", "insecure = true\n")];
    let from_file = check_doc_with(doc, &config, &["--resolve", &resolve]);
    assert_eq!(
        &from_file.links.row("value", "https://untrusted.test/b")["status"],
        "ok",
        "{}",
        from_file.stderr
    );
    assert!(from_file.stderr.contains("NOT verified"), "{}", from_file.stderr);
    let overridden = check_doc_with(doc, &config, &["--resolve", &resolve, "--no-insecure"]);
    assert_eq!(overridden.code, 1, "{}", overridden.stderr);
    assert_eq!(&overridden.links.row("value", "https://untrusted.test/b")["status"], "tls_error");
    assert!(!overridden.stderr.contains("NOT verified"), "{}", overridden.stderr);
}

#[test]
fn symbols_are_checked_by_the_document_the_ods_api_serves() {
    let ca = common::tls::TestCa::new();
    let ods = Server::start_tls(ca.server_config(&["documents.un.org"]), |req, _| {
        if req.path.starts_with("/api/symbol/access?s=A%2FRES%2F75%2F202&l=fr&t=pdf") {
            Reply::redirect(302, "/doc/undoc/gen/n20/381/45/pdf/n2038145.pdf")
        } else if req.path.starts_with("/doc/") {
            Reply::status(200)
                .with_header("Content-Type", "application/pdf")
                .with_body(b"%PDF-1.7\n...".to_vec())
        } else {
            // Unknown or unpublished symbol: 200 with an empty body.
            Reply::html(200, "")
        }
    });
    let doc = "1. As decided in A/RES/75/202 and A/RES/99/999.\n";
    let args = vec![
        "--resolve".to_string(),
        format!("documents.un.org:443:{}", ods.addr),
        "--cacert".to_string(),
        ca.ca_file.display().to_string(),
        "--symbol-lang".to_string(),
        "fr".to_string(),
    ];
    let Checked { code, stderr, links: rows, dir: _d, .. } = check_doc(doc, &args);
    assert_eq!(code, 1, "{stderr}");
    let found = rows.row("value", "A/RES/75/202");
    assert_eq!(&found["kind"], "symbol");
    assert_eq!(&found["url"], "https://documents.un.org/api/symbol/access?s=A%2FRES%2F75%2F202&l=fr&t=pdf");
    assert_eq!(&found["status"], "ok", "the API's own redirect is not a citation redirect");
    assert_eq!(&found["human_url"], "https://undocs.org/fr/A/RES/75/202");
    let missing = rows.row("value", "A/RES/99/999");
    assert_eq!(&missing["status"], "broken");
    assert!(missing["error"].contains("no such document"));
}

#[test]
fn redirect_kinds_cookies_huge_bodies_and_gzip_bombs() {
    use std::io::Write as _;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..200 {
        gz.write_all(&zeros).expect("compress");
    }
    let bomb = gz.finish().expect("gzip");
    let s = Server::start(move |req, _| match req.path.as_str() {
        "/r302" => Reply::redirect(302, "/r303"),
        "/r303" => Reply::redirect(303, "/r307"),
        "/r307" => Reply::redirect(307, "/final"),
        "/final" => Reply::html(200, "final"),
        "/login" => Reply::redirect(302, "/members").with_header("Set-Cookie", "session=abc; Path=/"),
        "/members" if req.header("cookie").is_some_and(|c| c.contains("session=abc")) => {
            Reply::html(200, "welcome")
        }
        "/members" => Reply::status(403),
        "/huge" => Reply::html(200, "x").with_body(vec![b'x'; 50 << 20]),
        "/bomb" => Reply::status(200)
            .with_header("Content-Type", "text/html")
            .with_header("Content-Encoding", "gzip")
            .with_body(bomb.clone()),
        "/to-ftp" => Reply::redirect(301, "ftp://files.example.org/x"),
        _ => Reply::status(404),
    });
    let urls: Vec<String> =
        ["/r302", "/login", "/huge", "/bomb", "/to-ftp"].iter().map(|p| s.url(p)).collect();
    let Checked { code, stderr, links: rows, dir: _d, .. } = check(&urls, &["--method", "get"]);
    assert_eq!(code, 1, "{stderr}");
    let r = rows.row("value", &s.url("/r302"));
    assert_eq!((&r["status"], &r["redirects"]), ("redirected", "3"));
    assert_eq!(
        &r["redirect_chain"],
        format!("302 {} -> 303 {} -> 307 {}", s.url("/r303"), s.url("/r307"), s.url("/final"))
    );
    assert_eq!(
        &rows.row("value", &s.url("/login"))["status"],
        "redirected",
        "the cookie set on the redirect was sent"
    );
    assert_eq!(&rows.row("value", &s.url("/huge"))["status"], "ok");
    assert_eq!(&rows.row("value", &s.url("/bomb"))["status"], "ok");
    let ftp = rows.row("value", &s.url("/to-ftp"));
    assert_eq!(&ftp["status"], "broken");
    assert!(ftp["error"].contains("non-HTTP scheme"));
}

#[test]
fn deny_private_refuses_loopback_literals_names_and_redirect_targets() {
    let s = Server::start(|req, _| match req.path.as_str() {
        "/hop" => Reply::redirect(302, "http://127.0.0.1/secret"),
        _ => Reply::html(200, "ok"),
    });
    let port = s.addr.port();
    let doc = format!(
        "1. <http://127.0.0.1:{port}/a> <http://localhost:{port}/b> <http://public.test/hop> <http://[::1]:{port}/c>\n"
    );
    let Checked { code, stderr, links: rows, dir: _d, .. } =
        check_doc(&doc, &["--deny-private".into(), "--resolve".into(), format!("public.test:80:{}", s.addr)]);
    assert_eq!(code, 0, "{stderr}");
    for v in [
        format!("http://127.0.0.1:{port}/a"),
        format!("http://localhost:{port}/b"),
        format!("http://[::1]:{port}/c"),
    ] {
        let r = rows.row("value", &v);
        assert_eq!(&r["status"], "excluded", "{r:?}");
        assert!(r["error"].contains("--deny-private"), "{r:?}");
    }
    // An override into loopback is refused itself (redirect hops: fetch::check unit tests).
    let hop = rows.row("value", "http://public.test/hop");
    assert_eq!(&hop["status"], "excluded", "{hop:?}");
    assert!(hop["error"].contains("--resolve sends public.test"), "{hop:?}");
    assert_eq!(s.hits("GET", "/hop") + s.hits("HEAD", "/hop"), 0);
    assert_eq!(s.hits("GET", "/a") + s.hits("HEAD", "/a"), 0);
}

#[test]
fn invalid_urls_are_reported_not_fetched() {
    let Checked { code, stderr, links: rows, dir: _d, .. } =
        check_doc("1. See <https://example]org/x> and <http://>.\n", &[] as &[&str]);
    assert_eq!(code, 1, "{stderr}");
    let r = rows.row("value", "https://example]org/x");
    assert_eq!(&r["status"], "invalid");
    assert!(r["error"].contains("not a valid URL"), "{r:?}");
    assert_eq!(&r["attempts"], "0");
}

#[test]
fn configuration_file_is_merged_under_the_flags() {
    let s = Server::start(|req, _| match req.path.as_str() {
        "/gone" => Reply::status(404),
        _ => Reply::html(200, "ok"),
    });
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("doc.md"),
        format!("1. <{}> <{}> <{}>\n", s.url("/a"), s.url("/gone"), s.url("/skip")),
    )
    .expect("doc");
    let config = "inputs = [\"doc.md\"]\nout = \"tables\"\nhost-interval = 0\ntimeout = \"3s\"\nexclude = [\"skip\"]\nfail-on = [\"timeout\"]\nquiet = true\n";
    std::fs::write(dir.path().join("citecheck.toml"), config).expect("config");
    // The file's fail-on lets the 404 pass; its exclude keeps /skip from being fetched.
    citecheck().current_dir(dir.path()).arg("check").assert().code(0);
    let rows = common::table::Table::read(&dir.path().join("tables/links.csv"));
    assert_eq!(&rows.row("value", &s.url("/gone"))["status"], "broken");
    assert_eq!(&rows.row("value", &s.url("/skip"))["status"], "excluded");
    // Flags win over the file.
    citecheck()
        .current_dir(dir.path())
        .args(["check", "--fail-on", "broken", "--out", "other"])
        .assert()
        .code(1);
    assert!(dir.path().join("other/links.csv").is_file());
    // A mistake in the file names the file.
    std::fs::write(dir.path().join("bad.toml"), "host-intervall = 1\n").expect("bad config");
    citecheck()
        .current_dir(dir.path())
        .args(["check", "--config", "bad.toml"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad.toml").and(predicates::str::contains("host-intervall")));
}

#[test]
fn bot_challenges_are_blocked_not_ok() {
    let s = Server::start(|req, _| match req.path.as_str() {
        "/waf" => Reply::status(202).with_header("x-amzn-waf-action", "challenge"),
        "/cf" => Reply::html(403, "Just a moment...").with_header("cf-mitigated", "challenge"),
        _ => Reply::html(200, "ok"),
    });
    let Checked { code, stderr, links: rows, dir: _d, .. } =
        check(&[s.url("/waf"), s.url("/cf")], &["--method", "get"]);
    assert_eq!(code, 0, "blocked does not fail the run by default: {stderr}");
    for p in ["/waf", "/cf"] {
        let r = rows.row("value", &s.url(p));
        assert_eq!(&r["status"], "blocked", "{r:?}");
        assert!(r["error"].contains("bot challenge"), "{r:?}");
    }
}

#[test]
fn when_no_input_can_be_read_the_previous_tables_are_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("reports");
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::write(out.join("links.csv"), "previous table").expect("write");
    citecheck()
        .arg("check")
        .arg(dir.path().join("missing.md"))
        .arg("--out")
        .arg(&out)
        .arg("--no-db")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.md").and(predicate::str::contains("left unchanged")));
    assert_eq!(std::fs::read_to_string(out.join("links.csv")).expect("read"), "previous table");
}

#[test]
fn archive_is_check_with_an_archive_folder() {
    let s = Server::start(|_, _| Reply::html(200, "<title>kept</title>"));
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("doc.md"), format!("1. <{}>\n", s.url("/kept"))).expect("doc");
    citecheck()
        .current_dir(dir.path())
        .args(["archive", "doc.md", "--no-db", "--quiet", "--host-interval", "0"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("archived 1 responses"));
    let warcs: Vec<_> = std::fs::read_dir(dir.path().join("archive"))
        .expect("archive/ created")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".warc.gz"))
        .collect();
    assert_eq!(warcs.len(), 1);
    assert_eq!(s.hits("GET", "/kept"), 1, "archiving fetches with GET only");
    assert_eq!(s.hits("HEAD", "/kept"), 0);
}

/// Issue 13, "Markdown summary injection": what a server or a document says (a soft-404 page
/// title with an image and a link, a citation with HTML) shows as text in `--format markdown`.
#[test]
fn markdown_summary_injection_is_escaped() {
    let title = "Not found [js](javascript:alert(9)) <img src=x onerror=alert(1)> [click](https://evil.example/) `x` | y";
    let page = format!("<html><head><title>{title}</title></head><body>gone</body></html>");
    let s = Server::start(move |_, _| Reply::html(200, &page));
    let doc = format!(
        "1. Text.<sup>1</sup>\n\n<sup>1</sup> <{}>; and <a href=\"{}\">\"><img src=x onerror=alert(2)></a>.\n",
        s.url("/missing"),
        s.url("/x?q=<script>alert(3)</script>")
    );
    let run = check_doc(&doc, &["--format", "markdown", "--method", "get", "--fail-on", "soft_404"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stderr, run.stdout);
    assert!(run.stdout.contains("soft_404"), "{}", run.stdout);
    let opts = pulldown_cmark::Options::ENABLE_TABLES;
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new_ext(&run.stdout, opts));
    assert!(!html.contains("<img"), "an image got through:\n{html}");
    assert!(!html.contains("<a href"), "a link got through:\n{html}");
    assert!(!html.contains("<script"), "a script got through:\n{html}");
    assert!(!html.contains("javascript:alert(9)\""), "a javascript: link got through:\n{html}");
    // The title is there, as text, whole.
    assert!(
        html.contains(
            "Not found [js](javascript:alert(9)) &lt;img src=x onerror=alert(1)&gt; [click](https:/"
        ),
        "{html}"
    );
    // Every row keeps its six cells (the `|` in the title did not split one).
    for line in run.stdout.lines().filter(|l| l.contains("soft_404") && l.starts_with("| `")) {
        let cells = line.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 7, "{line}");
    }
}

/// Issue 13, "Soft 404s are never found by default": under the default `--method auto` a page
/// that may be HTML is read with GET (its first 64 KiB), so a 200 page titled "Page not found"
/// is a `soft_404`; a file known not to be HTML is asked with HEAD only, unless HEAD says it
/// is HTML after all.
#[test]
fn soft_404s_are_found_by_default() {
    let s = Server::start(|req, _| match req.path.as_str() {
        "/missing" | "/moved.pdf" => {
            Reply::html(200, "<html><head><title>Page not found</title></head><body>Sorry</body></html>")
        }
        "/report.pdf" => {
            Reply::status(200).with_header("Content-Type", "application/pdf").with_body(b"%PDF-1.7".to_vec())
        }
        _ => Reply::html(200, "<html><head><title>Annual report</title></head><body>ok</body></html>"),
    });
    let urls = [s.url("/missing"), s.url("/fine"), s.url("/report.pdf"), s.url("/moved.pdf")];
    let run = check_doc(&common::run::doc_citing(&urls), &["--fail-on", "soft_404"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let status = |u: &String| run.links.row("value", u)["status"].to_string();
    assert_eq!(status(&urls[0]), "soft_404", "{:?}", run.links);
    assert_eq!(status(&urls[1]), "ok");
    assert_eq!(status(&urls[2]), "ok");
    assert_eq!(status(&urls[3]), "soft_404");
    let hits = s.seen.hits.lock().expect("hits").clone();
    let asked = |k: &str| hits.get(k).copied().unwrap_or(0);
    assert_eq!((asked("GET /missing"), asked("HEAD /missing")), (1, 0), "{hits:?}");
    assert_eq!((asked("HEAD /report.pdf"), asked("GET /report.pdf")), (1, 0), "{hits:?}");
    assert_eq!((asked("HEAD /moved.pdf"), asked("GET /moved.pdf")), (1, 1), "{hits:?}");
    // `--method head` stays HEAD only (and cannot see the page).
    let head = check_doc(&common::run::doc_citing(&urls[..1]), &["--method", "head"]);
    assert_eq!(&head.links.row("value", &urls[0])["status"], "ok", "{:?}", head.links);
}

/// Issue 13, "Outputs validated after the work": `--out`, `--junit`, `--archive` and `--db`
/// that cannot be written stop the run with exit 2 before any request, naming the path the
/// user gave (not a temporary file), and leave no run in the history.
#[test]
fn outputs_are_validated_before_any_request() {
    let s = Server::start(|_, _| Reply::html(200, "ok"));
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("doc.md"), common::run::doc_citing(&[s.url("/a")])).expect("doc");
    std::fs::write(dir.path().join("a-file"), "x").expect("file");
    let cases: [(&[&str], &str); 5] = [
        (&["--out", "/proc/nope"], "/proc/nope"),
        (&["--junit", "/proc/nope/junit.xml"], "/proc/nope/junit.xml"),
        (&["--junit", "missing-folder/junit.xml"], "missing-folder/junit.xml"),
        (&["--archive", "a-file/archive"], "a-file/archive"),
        (&["--db", "/proc/nope/history.sqlite"], "/proc/nope/history.sqlite"),
    ];
    for (args, named) in cases {
        let out = citecheck()
            .current_dir(dir.path())
            .args(["check", "doc.md", "--db", "history.sqlite", "--quiet"])
            .args(args)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(named), "{args:?}: the message names {named}: {stderr}");
        assert!(!stderr.contains(".citecheck-"), "{args:?}: no temporary file named: {stderr}");
        assert_eq!(
            s.seen.total.load(std::sync::atomic::Ordering::SeqCst),
            0,
            "{args:?}: no request was sent"
        );
    }
    // Every check came before the history was opened: no run was recorded.
    assert!(!dir.path().join("history.sqlite").exists());
}

/// Issue 13, "No network, no hint": when no host at all can be reached (here: every name
/// fails DNS), the run says the network looks down in one line, exits 2, leaves the tables
/// as they were and records nothing as failing; a run where one host answers is a normal run.
#[test]
fn no_network_no_hint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dead: Vec<String> =
        (1..=4).map(|i| format!("https://host{i}.citecheck-offline.invalid/page")).collect();
    std::fs::write(dir.path().join("doc.md"), common::run::doc_citing(&dead)).expect("doc");
    std::fs::create_dir_all(dir.path().join("reports")).expect("reports");
    std::fs::write(dir.path().join("reports/links.csv"), "earlier tables\n").expect("table");
    let run = || {
        citecheck()
            .current_dir(dir.path())
            .args(["check", "doc.md", "--out", "reports", "--db", "h.sqlite", "--quiet"])
            .output()
            .expect("runs")
    };
    let out = run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("network looks down"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("reports/links.csv")).ok().as_deref(),
        Some("earlier tables\n")
    );
    let history = citecheck()
        .current_dir(dir.path())
        .args(["history", "--db", "h.sqlite", &dead[0]])
        .output()
        .expect("history runs");
    assert_eq!(
        history.status.code(),
        Some(1),
        "nothing recorded: {}",
        String::from_utf8_lossy(&history.stdout)
    );
    // One host answering makes it an ordinary run with unreachable citations.
    let s = Server::start(|_, _| Reply::html(200, "ok"));
    let mut urls = dead.clone();
    urls.push(s.url("/fine"));
    std::fs::write(dir.path().join("doc.md"), common::run::doc_citing(&urls)).expect("doc");
    let out = run();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let links = common::table::Table::read(&dir.path().join("reports/links.csv"));
    assert_eq!(&links.row("value", &dead[0])["status"], "unreachable");
    // hosts.csv: a latency only for the host that answered (issue 15).
    let hosts = common::table::Table::read(&dir.path().join("reports/hosts.csv"));
    assert_eq!(&hosts.row("host", "host1.citecheck-offline.invalid")["mean_latency_ms"], "");
    assert!(hosts
        .rows()
        .any(|r| r["host"].starts_with("127.0.0.1") && r["mean_latency_ms"].parse::<u64>().is_ok()));
    assert_eq!(
        &links.row("value", &dead[0])["attempts"],
        "1",
        "a name that does not resolve is not asked again"
    );
    // A nightly run that re-checks only dead domains (the live page comes from the cache) is
    // not "offline": the cached page still answers, so the dead hosts are just gone.
    std::fs::write(dir.path().join("doc.md"), common::run::doc_citing(&urls)).expect("doc");
    let cached = citecheck()
        .current_dir(dir.path())
        .args(["check", "doc.md", "--out", "reports", "--db", "h.sqlite", "--quiet", "--cache-ttl", "1d"])
        .output()
        .expect("runs");
    assert_eq!(cached.status.code(), Some(1), "{}", String::from_utf8_lossy(&cached.stderr));
    assert!(!String::from_utf8_lossy(&cached.stderr).contains("network looks down"));
}

/// The same on a machine with no network at all (a network namespace with only a loopback
/// that is down), on the seed document: exit 2, one line, history without failures. Skipped,
/// with a note, where unprivileged namespaces are not allowed.
#[test]
fn no_network_on_the_seed_in_an_offline_namespace() {
    let Some(seed) =
        common::shared().map(|s| s.join("seed/000_df883177e5fcaef3.txt")).filter(|p| p.is_file())
    else {
        eprintln!("note: ../shared/seed is not here; skipped");
        return;
    };
    if !std::process::Command::new("unshare").args(["-rn", "true"]).status().is_ok_and(|s| s.success()) {
        eprintln!("note: `unshare -rn` is not allowed here; the offline namespace test is skipped");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new("unshare")
        .current_dir(dir.path())
        .arg("-rn")
        .arg(env!("CARGO_BIN_EXE_citecheck"))
        .args(["check", "--out", "reports", "--db", "h.sqlite", "--quiet"])
        .arg(&seed)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("network looks down"), "{stderr}");
    assert!(!dir.path().join("reports/links.csv").exists());
    let history = citecheck()
        .current_dir(dir.path())
        .args([
            "history",
            "--db",
            "h.sqlite",
            "https://www.itu.int/en/council/planning/Documents/Annual-report-2019-E.pdf",
        ])
        .output()
        .expect("history runs");
    assert_eq!(history.status.code(), Some(1), "{}", String::from_utf8_lossy(&history.stdout));
}

/// Issue 15: the text summary names the failing citations (footnote, paragraph, status, URL),
/// ten at most, then says where the rest are.
#[test]
fn the_text_summary_names_what_failed() {
    let s = Server::start(|_, _| Reply::status(404));
    let urls: Vec<String> = (1..=12).map(|i| s.url(&format!("/gone{i}"))).collect();
    let run = check_doc(&common::run::doc_citing(&urls), &[] as &[&str]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let listed: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("  fn ")).collect();
    assert_eq!(listed.len(), 10, "{}", run.stdout);
    assert_eq!(listed[0], format!("  fn 1 ¶1  broken 404  {}", urls[0]));
    assert!(run.stdout.contains("  … and 2 more in reports/citations.csv"), "{}", run.stdout);
}

/// Issue 17: JUnit XML is written by quick-junit, which leaves out characters XML forbids: a
/// `\x01` in an invalid URL and in a page title still gives a document a strict parser reads.
#[test]
fn junit_with_control_characters_parses_strictly() {
    let s = Server::start(|_, _| Reply::html(200, "<title>Not found \u{1} here</title>"));
    let dir = tempfile::tempdir().expect("tempdir");
    let html =
        format!("<p>1. <a href=\"http://[&#1;]/x\">bad</a> and <a href=\"{}\">soft</a></p>", s.url("/soft"));
    std::fs::write(dir.path().join("doc.html"), html).expect("doc");
    let out = citecheck()
        .current_dir(dir.path())
        .args(["check", "doc.html", "--no-db", "--quiet", "--junit", "junit.xml", "--method", "get"])
        .args(["--fail-on", "invalid,soft_404"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let xml = std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit");
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("strict XML: {e}\n{xml}"));
    let failures = doc.descendants().filter(|n| n.has_tag_name("failure")).count();
    assert_eq!(failures, 2, "{xml}");
    assert!(!xml.contains('\u{1}'));
}
