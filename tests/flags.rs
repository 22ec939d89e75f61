//! Flags people bring from curl and lychee (issue 17): `-H`, `--max-redirects`, `--proxy`,
//! `--max-retries`, rate-limit headers, `--files-from` and globs.

mod common;

use common::run::{check_doc, check_doc_with, doc_citing, Checked};
use common::server::{Reply, Server};

#[test]
fn headers_go_to_every_host_or_only_where_configured() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, String, String)>::new()));
    let log = seen.clone();
    let s = Server::start(move |req, _| {
        let (a, b) = (
            req.header("x-team").unwrap_or("").to_string(),
            req.header("authorization").unwrap_or("").to_string(),
        );
        log.lock().expect("lock").push((req.host.clone(), a, b));
        Reply::html(200, "ok")
    });
    let port = s.addr.port();
    let urls = [format!("http://one.test:{port}/a"), format!("http://two.test:{port}/b")];
    let config = "[[headers]]\nhost = \"two.test\"\nname = \"Authorization\"\nvalue = \"Bearer only-two\"\n";
    let args = [
        "-H".to_string(),
        "X-Team: editors".to_string(),
        "--resolve".to_string(),
        format!("one.test:{port}:127.0.0.1"),
        "--resolve".to_string(),
        format!("two.test:{port}:127.0.0.1"),
    ];
    let run = check_doc_with(&doc_citing(&urls), &[("citecheck.toml", config)], &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let seen = seen.lock().expect("lock").clone();
    assert!(!seen.is_empty());
    for (host, team, auth) in &seen {
        assert_eq!(team, "editors", "{host}: -H goes to every host");
        let want = if host.starts_with("two.test") { "Bearer only-two" } else { "" };
        assert_eq!(auth, want, "{host}: a per-host header only where configured");
    }
    let bad = check_doc(&doc_citing(&urls[..1]), &["-H", "no colon here"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("Name: value"), "{}", bad.stderr);
}

#[test]
fn max_redirects_bounds_the_chain() {
    let s = Server::start(|req, _| {
        let n: usize = req.path.trim_start_matches("/r").parse().unwrap_or(0);
        if n < 4 {
            Reply::redirect(302, &format!("/r{}", n + 1))
        } else {
            Reply::html(200, "end")
        }
    });
    let url = s.url("/r0");
    let Checked { links, .. } = check_doc(&doc_citing(std::slice::from_ref(&url)), &["--max-redirects", "3"]);
    let row = links.row("value", &url);
    assert_eq!(&row["status"], "broken");
    assert!(row["error"].contains("more than 3 redirects"), "{}", &row["error"]);
    let Checked { links, .. } = check_doc(&doc_citing(std::slice::from_ref(&url)), &["--max-redirects", "4"]);
    assert_eq!(&links.row("value", &url)["status"], "redirected");
}

#[test]
fn a_proxy_sees_the_requests_and_deny_private_still_checks_targets() {
    let proxy = Server::start(|_, _| Reply::html(200, "via the proxy"));
    let proxy_url = format!("http://{}", proxy.addr);
    let public = "http://site.test/page".to_string();
    let run =
        check_doc(&doc_citing(std::slice::from_ref(&public)), &["--proxy", &proxy_url, "--max-retries", "0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(&run.links.row("value", &public)["status"], "ok");
    let paths: Vec<String> = proxy.seen.hits.lock().expect("hits").keys().cloned().collect();
    assert!(paths.iter().any(|p| p.ends_with("http://site.test/page")), "{paths:?}");
    // Under --deny-private a private target is refused before anything reaches the proxy.
    let before = proxy.seen.total.load(std::sync::atomic::Ordering::SeqCst);
    let private = "http://10.1.2.3/secret".to_string();
    let run =
        check_doc(&doc_citing(std::slice::from_ref(&private)), &["--proxy", &proxy_url, "--deny-private"]);
    assert_eq!(&run.links.row("value", &private)["status"], "excluded", "{}", run.stderr);
    assert_eq!(proxy.seen.total.load(std::sync::atomic::Ordering::SeqCst), before);
}

#[test]
fn rate_limit_reset_is_waited_out() {
    let s = Server::start(|_, n| {
        if n == 0 {
            Reply::status(429).with_header("RateLimit-Reset", "1")
        } else {
            Reply::html(200, "ok")
        }
    });
    let url = s.url("/limited");
    let started = std::time::Instant::now();
    let Checked { links, .. } = check_doc(&doc_citing(std::slice::from_ref(&url)), &["--method", "get"]);
    assert_eq!(&links.row("value", &url)["status"], "ok");
    assert_eq!(&links.row("value", &url)["attempts"], "2");
    assert!(started.elapsed() >= std::time::Duration::from_millis(900), "waited for RateLimit-Reset");
}

#[test]
fn files_from_and_globs_name_the_inputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("docs")).expect("dir");
    for (name, url) in [("b.md", "https://b.org/"), ("a.md", "https://a.org/"), ("c.txt", "https://c.org/")] {
        std::fs::write(dir.path().join("docs").join(name), format!("1. See <{url}>.\n")).expect("doc");
    }
    std::fs::write(dir.path().join("list.txt"), "# the text one\ndocs/c.txt\n\n").expect("list");
    let out = common::citecheck()
        .current_dir(dir.path())
        .args(["extract", "docs/*.md", "--files-from", "list.txt"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let sources: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(sources, ["docs/a.md", "docs/b.md", "docs/c.txt"]);
    let none =
        common::citecheck().current_dir(dir.path()).args(["extract", "docs/*.pdf"]).output().expect("runs");
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no file matches 'docs/*.pdf'"));
}
