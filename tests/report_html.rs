//! `report.html` (issue 15): the editor's page. Escaping is checked on the file itself (and in
//! a browser when there is one); the seed's report is opened in headless Chromium (Debian
//! package `chromium`) and its DOM checked against the tables: counts, every failing citation,
//! the status filter and the search. Without Chromium the browser parts are skipped with a note.

mod common;

use common::server::{Reply, Server};
use common::table::Table;
use std::path::Path;
use std::process::Command;

/// Chromium, when installed.
fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok_and(|o| o.status.success()))
}

/// The DOM of `page` (with `fragment`) after its script ran, as headless Chromium sees it.
fn dom(browser: &str, page: &Path, fragment: &str) -> scraper::Html {
    let url = format!("file://{}{fragment}", page.display());
    let out = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--dump-dom"])
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    scraper::Html::parse_document(&String::from_utf8_lossy(&out.stdout))
}

fn select<'a>(doc: &'a scraper::Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    let sel = scraper::Selector::parse(css).expect("selector");
    doc.select(&sel).collect()
}

#[test]
fn what_documents_and_servers_say_shows_as_text() {
    let title =
        "Not found <script>alert(1)</script> \"><img src=x onerror=alert(2)> [x](javascript:alert(3))";
    let page = format!("<html><head><title>{title}</title></head></html>");
    let s = Server::start(move |_, _| Reply::html(200, &page));
    let doc = format!(
        "1. Text.<sup>1</sup>\n\n<sup>1</sup> <a href=\"{}\">\"><img src=x onerror=alert(4)></a> and [x]({}).\n",
        s.url("/a?x=\"><script>alert(5)</script>"),
        s.url("/b")
    );
    let run = common::run::check_doc(&doc, &["--method", "get"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(run.dir.path().join("reports/report.html")).expect("report.html");
    assert_eq!(html.matches("<script").count(), 2, "only the report's own two scripts");
    assert!(!html.contains("<img"), "no markup from the page or the document");
    assert_eq!(html.matches("</script>").count(), 2, "the data cannot close its script element early");
    if let Some(browser) = chromium() {
        let page = run.dir.path().join("reports/report.html");
        let d = dom(browser, &page, "");
        assert!(select(&d, "#rows img, #rows script").is_empty(), "nothing became an element");
        let reasons: Vec<String> =
            select(&d, "#rows td:nth-child(6)").iter().map(|e| e.text().collect()).collect();
        assert!(reasons.iter().any(|r| r.contains("<script>alert(1)</script>")), "{reasons:?}");
        assert!(
            select(&d, "#rows a[href]")
                .iter()
                .all(|a| a.value().attr("href").is_some_and(|h| h.starts_with("http"))),
            "no javascript: link"
        );
    } else {
        eprintln!("note: Chromium is not installed; the browser half of this test is skipped");
    }
}

/// The seed's run against the simulated web, opened in Chromium.
#[test]
fn the_seed_report_shows_every_failing_citation_and_filters() {
    let Some(seed) =
        common::shared().map(|s| s.join("seed/000_df883177e5fcaef3.txt")).filter(|p| p.is_file())
    else {
        eprintln!("note: ../shared/seed is not here; skipped");
        return;
    };
    let Some(browser) = chromium() else {
        eprintln!("note: Chromium is not installed (apt-get install chromium); the browser test is skipped");
        return;
    };
    let web = common::web::SimWeb::start(&common::web::hosts(&common::web::cited(&seed)));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = common::citecheck()
        .current_dir(dir.path())
        .arg("check")
        .arg(&seed)
        .args(["--out", "reports", "--db", "h.sqlite", "--quiet"])
        .args(["--timeout", "1s", "--retries", "1", "--max-retry-wait", "1s", "--host-interval", "10ms"])
        .args(&web.args)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let page = dir.path().join("reports/report.html");
    let summary = Table::read(&dir.path().join("reports/summary.csv"));
    let citations = Table::read(&dir.path().join("reports/citations.csv"));
    if let Some(shot) = std::env::var_os("CITECHECK_SCREENSHOT") {
        // `CITECHECK_SCREENSHOT=$PWD/docs/report.png cargo test --test report_html`: the picture in docs/.
        let url = format!("file://{}", page.display());
        let status = Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--window-size=1280,1500",
            ])
            .arg(format!("--screenshot={}", Path::new(&shot).display()))
            .arg(&url)
            .status()
            .expect("chromium runs");
        assert!(status.success());
    }
    let d = dom(browser, &page, "");
    // The counts shown are summary.csv's.
    for r in summary.rows().filter(|r| &r["targets"] != "0") {
        let row = select(&d, &format!("#counts tr[data-status=\"{}\"] td", &r["status"]));
        let cells: Vec<String> = row.iter().map(|c| c.text().collect::<String>()).collect();
        assert_eq!(cells[1..], [r["targets"].to_string(), r["citations"].to_string()], "{}", &r["status"]);
    }
    // At first the failing citations, every one of them, and only those.
    let failing = ["broken", "unreachable", "tls_error", "invalid", "timeout", "server_error", "soft_404"];
    let want: Vec<String> = citations
        .rows()
        .filter(|r| failing.contains(&&r["status"]))
        .map(|r| format!("line {}", &r["line"]))
        .collect();
    let rows = select(&d, "#rows tbody tr");
    assert_eq!(rows.len(), want.len());
    assert_eq!(select(&d, "#rows tbody tr.failing").len(), want.len());
    let lines: Vec<String> =
        select(&d, "#rows tbody td:first-child").iter().map(|e| e.text().collect()).collect();
    assert_eq!(lines, want, "every failing citation, in document order");
    // All statuses: every citation is a row (191 fit the first page).
    let all = "#status=ok,redirected,broken,blocked,server_error,timeout,unreachable,tls_error,invalid,excluded,soft_404";
    assert_eq!(select(&dom(browser, &page, all), "#rows tbody tr").len(), citations.len());
    // The status filter and the search, as a shared link sets them.
    let broken = citations.rows().filter(|r| &r["status"] == "broken").count();
    let d = dom(browser, &page, "#status=broken");
    let shown = select(&d, "#rows tbody tr");
    assert_eq!(shown.len(), broken);
    assert!(shown.iter().all(|r| r.value().attr("data-status") == Some("broken")));
    let itu = citations.rows().filter(|r| r["value"].contains("itu.int")).count();
    let d = dom(browser, &page, &format!("{all}&q=itu.int"));
    assert_eq!(select(&d, "#rows tbody tr").len(), itu, "search");
    let said: String = select(&d, "#shown").iter().map(|e| e.text().collect::<String>()).collect();
    assert!(said.contains(&format!("Showing {itu} of {itu}")), "{said}");
}
