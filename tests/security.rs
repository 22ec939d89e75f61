//! The security audit's findings, one named test each (issue 12): `--deny-private` cannot be
//! bypassed through a proxy, `--resolve` or IPv6 forms; the archive folder is not followed
//! through links, is locked, stays indexed after a kill and survives a full disk; files follow
//! the umask; every cell from a document or a server is guarded.

mod common;

use common::run::{check_doc, check_doc_env, check_doc_with};
use common::server::{Reply, Server};
use std::sync::atomic::Ordering;

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
