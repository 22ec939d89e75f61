//! Scheduling benchmark for `citecheck check`: a simulated web of many virtual hosts (each on
//! its own loopback address, answering after a fixed latency, with an optional failure mix)
//! and a generator of citing documents. It runs the release binary on 5,000 URLs over 50 hosts
//! in two document orders (interleaved and grouped by host) and reports wall time as a ratio
//! of the theoretical bound under the limits, and peak RSS; then 50,000 URLs for memory (with
//! the history database and with `--no-db`).
//! When `lychee` is on PATH, the same documents are checked by it with equivalent limits.
//!
//! `cargo bench --bench check` (writes `reports/bench/check.csv`). Knobs (environment):
//! `BENCH_HOSTS` (50), `BENCH_URLS` (5000), `BENCH_LATENCY_MS` (50), `BENCH_FAIL_PERMILLE`
//! (0: share of URLs answering 404), `BENCH_BIG` (50000; 0 skips the memory run), `BENCH_LYCHEE`
//! (1; 0 skips lychee even when installed), `BENCH_PAGE_BYTES` (200: page size of the scheduling
//! runs), `BENCH_ARCHIVE_PAGES` (`20000,200000`), `BENCH_ONLY=store|archive|many` (only those rows),
//! `BENCH_REPORT` (a path: keep the big run's report.html there), `BENCH_MANY_HOSTS` (0: URLs
//! each on a host of its own, a row of memory across hosts; keep it under the open-files limit
//! divided by two) with `BENCH_MANY_LATENCY_MS` (500).
//! The `store` row compares the same run with and without the history database, and each
//! `archive-<size>B` row the same GET run with and without `--archive` (pages of that size):
//! there `bound_s` holds the wall time without and `ratio_to_bound` the with/without ratio.
//! Pages are slices of one pseudo-random hex text made at start (it compresses like dense
//! text, about 0.56 at gzip level 1), so serving them costs the simulator almost nothing.

mod common;

use common::timed;
use std::io::Write;
use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Starts one keep-alive HTTP/1.1 server per virtual host on 127.0.1.N (ports chosen by the OS).
fn start_web(hosts: usize, latency: Duration, fail_permille: u64, page_bytes: usize) -> Vec<SocketAddr> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let mut addrs = Vec::new();
            for h in 0..hosts {
                let ip = format!("127.0.{}.{}", 1 + h / 250, 1 + h % 250);
                let listener =
                    tokio::net::TcpListener::bind(format!("{ip}:0")).await.expect("bind loopback address");
                addrs.push(listener.local_addr().expect("addr"));
                tokio::spawn(async move {
                    loop {
                        let Ok((sock, _)) = listener.accept().await else { continue };
                        tokio::spawn(serve(sock, latency, fail_permille, page_bytes));
                    }
                });
            }
            tx.send(addrs).expect("send");
            std::future::pending::<()>().await;
        });
    });
    rx.recv().expect("web started")
}

/// Text that compresses like real pages (hex of a xorshift sequence), made once: pages are
/// slices of it, so serving them costs the simulator almost nothing next to the checker.
fn corpus_text() -> &'static [u8] {
    static TEXT: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        let mut text = Vec::with_capacity(8 << 20);
        let mut h: u64 = 0x9e3779b97f4a7c15;
        while text.len() < 8 << 20 {
            h ^= h << 13;
            h ^= h >> 7;
            h ^= h << 17;
            text.extend_from_slice(format!("{h:016x} ").as_bytes());
        }
        text
    })
}

/// A page of about `size` bytes (at most 4 MB) whose content depends on its number.
fn page(n: u64, size: usize) -> Vec<u8> {
    let text = corpus_text();
    let size = size.min(4 << 20);
    let start = (n.wrapping_mul(7919) as usize * 17) % (text.len() - size);
    let mut body = format!("<html><title>page {n}</title><body><p>").into_bytes();
    body.extend_from_slice(&text[start..start + size.saturating_sub(body.len() + 18)]);
    body.extend_from_slice(b"</p></body></html>");
    body
}

async fn serve(mut sock: tokio::net::TcpStream, latency: Duration, fail_permille: u64, page_bytes: usize) {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let end = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p;
            }
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        buf.drain(..end + 4);
        let mut first = head.split(' ');
        let method = first.next().unwrap_or("").to_string();
        let path = first.next().unwrap_or("").to_string();
        // `/p<n>`, optionally `?size=<bytes>` (else the default page size).
        let (path, query) = path.split_once('?').unwrap_or((path.as_str(), ""));
        let n: u64 = path.trim_start_matches("/p").parse().unwrap_or(0);
        let size = query.strip_prefix("size=").and_then(|v| v.parse().ok()).unwrap_or(page_bytes);
        let fail = fail_permille > 0 && (n.wrapping_mul(2654435761) % 1000) < fail_permille;
        tokio::time::sleep(latency).await;
        let body = page(n, size);
        let status = if fail { "404 Not Found" } else { "200 OK" };
        let mut out =
            format!("HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n", body.len())
                .into_bytes();
        if method != "HEAD" {
            out.extend_from_slice(&body);
        }
        if sock.write_all(&out).await.is_err() {
            return;
        }
    }
}

/// A Markdown document citing `urls` URLs spread over `hosts` hosts, one footnote each.
fn document(urls: usize, hosts: usize, grouped: bool) -> String {
    document_of_pages(urls, hosts, grouped, "")
}

/// The same, every URL ending in `query` (e.g. `?size=20000`).
fn document_of_pages(urls: usize, hosts: usize, grouped: bool, query: &str) -> String {
    let mut doc = String::with_capacity(urls * 60);
    doc.push_str("1. A paragraph citing many pages.<sup>1</sup>\n\n");
    let per_host = urls.div_ceil(hosts);
    for i in 0..urls {
        let h = if grouped { i / per_host } else { i % hosts };
        doc.push_str(&format!("<sup>{}</sup> <http://h{h}.bench.test/p{i}{query}>.\n\n", i + 1));
    }
    doc
}

struct Limits {
    max_concurrency: usize,
    host_concurrency: usize,
    interval: Duration,
}

/// Perfect scheduling under the limits: every host needs ceil(n/c) rounds of the latency and
/// (n-1) intervals plus one latency; all hosts together need ceil(R/G) rounds.
fn bound(urls: usize, hosts: usize, latency: Duration, requests_per_url: f64, l: &Limits) -> f64 {
    let per_host = urls.div_ceil(hosts) as f64 * requests_per_url;
    let lat = latency.as_secs_f64();
    let host = ((per_host / l.host_concurrency as f64).ceil() * lat)
        .max((per_host - 1.0) * l.interval.as_secs_f64() + lat);
    let global = (urls as f64 * requests_per_url / l.max_concurrency as f64).ceil() * lat;
    host.max(global)
}

fn main() {
    let hosts = env_num("BENCH_HOSTS", 50) as usize;
    let urls = env_num("BENCH_URLS", 5000) as usize;
    let latency = Duration::from_millis(env_num("BENCH_LATENCY_MS", 50));
    let fail = env_num("BENCH_FAIL_PERMILLE", 0);
    let big = env_num("BENCH_BIG", 50_000) as usize;
    let page_bytes = env_num("BENCH_PAGE_BYTES", 200) as usize;
    let web = start_web(hosts, latency, fail, page_bytes);
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = env!("CARGO_BIN_EXE_citecheck");
    let lychee = env_num("BENCH_LYCHEE", 1) == 1 && Command::new("lychee").arg("--version").output().is_ok();
    let mut rows = vec![
        "tool,urls,hosts,order,latency_ms,host_concurrency,host_interval_ms,max_concurrency,wall_s,bound_s,ratio_to_bound,peak_rss_mb,exit".to_string(),
    ];
    // A 404 under `--method auto` costs HEAD and the GET that confirms it.
    let requests_per_url = 1.0 + fail as f64 / 1000.0;
    // Every run reaches the virtual hosts by name, through --resolve.
    let resolve = |cmd: &mut Command| {
        for (h, addr) in web.iter().enumerate() {
            cmd.args(["--resolve", &format!("h{h}.bench.test:80:{addr}")]);
        }
    };
    // (URLs, grouped by host, limits, with the history database)
    let mut runs: Vec<(usize, bool, Limits, bool)> = Vec::new();
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let only_store = only == "store" || only == "archive" || only == "many";
    for interval_ms in if only_store { vec![] } else { vec![100u64, 0] } {
        for grouped in [false, true] {
            runs.push((
                urls,
                grouped,
                Limits {
                    max_concurrency: 64,
                    host_concurrency: 4,
                    interval: Duration::from_millis(interval_ms),
                },
                true,
            ));
        }
    }
    if big > 0 && !only_store {
        // Memory at scale, with the history database and without it.
        for db in [true, false] {
            runs.push((
                big,
                false,
                Limits { max_concurrency: 64, host_concurrency: 4, interval: Duration::ZERO },
                db,
            ));
        }
    }
    for (n, grouped, limits, db) in runs {
        let doc = dir.path().join(format!("doc-{n}-{grouped}.md"));
        std::fs::write(&doc, document(n, hosts, grouped)).expect("write doc");
        let order = if grouped { "grouped" } else { "interleaved" };
        let b = bound(n, hosts, latency, requests_per_url, &limits);
        let interval_ms = limits.interval.as_millis();
        let mut cmd = Command::new(bin);
        cmd.arg("check").arg(&doc).arg("--out").arg(dir.path().join("out")).arg("--quiet");
        if db {
            cmd.arg("--db")
                .arg(dir.path().join(format!("history-{n}-{order}-{}.sqlite", limits.interval.as_millis())));
        } else {
            cmd.arg("--no-db");
        }
        cmd.args(["--max-concurrency", &limits.max_concurrency.to_string()]);
        cmd.args(["--host-concurrency", &limits.host_concurrency.to_string()]);
        cmd.args(["--host-interval", &format!("{interval_ms}ms"), "--retries", "2", "--timeout", "20s"]);
        resolve(&mut cmd);
        let (wall, rss, code) = timed(&mut cmd);
        if let (Some(keep), true) = (std::env::var_os("BENCH_REPORT"), n == big) {
            // The editor's report of the big run, kept to measure its size and first paint.
            let _ = std::fs::copy(dir.path().join("out/report.html"), &keep);
        }
        let tool = if db { "citecheck" } else { "citecheck --no-db" };
        let row = format!(
            "{tool},{n},{hosts},{order},{},{},{interval_ms},{},{wall:.2},{b:.2},{:.2},{rss:.1},{code}",
            latency.as_millis(),
            limits.host_concurrency,
            limits.max_concurrency,
            wall / b
        );
        println!("{row}");
        rows.push(row);
        if lychee && n == urls {
            let mut l = Command::new("lychee");
            l.arg("--no-progress").args(["--max-concurrency", &limits.max_concurrency.to_string()]);
            l.args(["--host-concurrency", &limits.host_concurrency.to_string()]);
            l.args([
                "--host-request-interval",
                &format!("{interval_ms}ms"),
                "--max-retries",
                "2",
                "--timeout",
                "20",
            ]);
            // lychee has no --resolve: point the names at the virtual hosts through /etc/hosts-free URLs.
            let ip_doc = dir.path().join(format!("doc-ip-{n}-{grouped}.md"));
            let mut text = std::fs::read_to_string(&doc).expect("read doc");
            for (h, addr) in web.iter().enumerate().rev() {
                text = text.replace(&format!("h{h}.bench.test"), &addr.to_string());
            }
            std::fs::write(&ip_doc, text).expect("write");
            l.arg(&ip_doc);
            let (lw, lrss, lcode) = timed(&mut l);
            let row = format!(
                "lychee,{n},{hosts},{order},{},{},{interval_ms},{},{lw:.2},{b:.2},{:.2},{lrss:.1},{lcode}",
                latency.as_millis(),
                limits.host_concurrency,
                limits.max_concurrency,
                lw / b
            );
            println!("{row}  (citecheck/lychee wall ratio {:.2})", wall / lw);
            rows.push(row);
        }
    }
    if !lychee {
        println!("lychee comparison skipped (BENCH_LYCHEE=0, or lychee not on PATH: cargo install lychee --locked)");
    }
    let median = |v: &mut Vec<(f64, f64)>| {
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        v[v.len() / 2]
    };
    if only != "archive" && only != "many" {
        // The history store's cost: the same run with and without the SQLite database,
        // alternated three times each; the medians are compared.
        let doc = dir.path().join("doc-store.md");
        std::fs::write(&doc, document(urls, hosts, false)).expect("write doc");
        let mut with_db = Vec::new();
        let mut without = Vec::new();
        for round in 0..3 {
            for db in [true, false] {
                let mut cmd = Command::new(bin);
                cmd.arg("check").arg(&doc).arg("--out").arg(dir.path().join("out-store")).arg("--quiet");
                cmd.args(["--host-interval", "0", "--max-concurrency", "64", "--host-concurrency", "4"]);
                if db {
                    cmd.arg("--db").arg(dir.path().join(format!("store-{round}.sqlite")));
                } else {
                    cmd.arg("--no-db");
                }
                resolve(&mut cmd);
                let (wall, rss, _) = timed(&mut cmd);
                if db {
                    with_db.push((wall, rss))
                } else {
                    without.push((wall, rss))
                }
            }
        }
        let (w, wr) = median(&mut with_db);
        let (n, nr) = median(&mut without);
        let line = format!(
            "store,{urls},{hosts},interleaved,{},4,0,64,{w:.2},{n:.2},{:.3},{wr:.1},0",
            latency.as_millis(),
            w / n
        );
        println!(
            "{line}  (with --db vs --no-db: wall {w:.2}s vs {n:.2}s, ratio {:.3}; RSS {wr:.1} vs {nr:.1} MB)",
            w / n
        );
        rows.push(line);
    }
    if only != "store" && only != "many" {
        // Archiving's cost: the same GET run with and without --archive (medians of 3), for
        // each page size in BENCH_ARCHIVE_PAGES.
        let sizes = std::env::var("BENCH_ARCHIVE_PAGES").unwrap_or_else(|_| "20000,200000".to_string());
        for size in sizes.split(',').filter_map(|v| v.trim().parse::<usize>().ok()) {
            let doc = dir.path().join(format!("doc-archive-{size}.md"));
            std::fs::write(&doc, document_of_pages(urls, hosts, false, &format!("?size={size}")))
                .expect("write doc");
            let mut with_archive = Vec::new();
            let mut plain = Vec::new();
            let mut written = 0u64;
            for round in 0..3 {
                for archive in [true, false] {
                    let mut cmd = Command::new(bin);
                    cmd.arg("check")
                        .arg(&doc)
                        .arg("--out")
                        .arg(dir.path().join("out-archive"))
                        .arg("--quiet")
                        .arg("--no-db");
                    cmd.args([
                        "--host-interval",
                        "0",
                        "--max-concurrency",
                        "64",
                        "--host-concurrency",
                        "4",
                        "--method",
                        "get",
                    ]);
                    let arc = dir.path().join(format!("warc-{size}-{round}"));
                    if archive {
                        cmd.arg("--archive").arg(&arc);
                    }
                    resolve(&mut cmd);
                    let (wall, rss, _) = timed(&mut cmd);
                    if archive {
                        written = std::fs::read_dir(&arc)
                            .map(|d| {
                                d.filter_map(Result::ok)
                                    .filter_map(|e| e.metadata().ok())
                                    .map(|m| m.len())
                                    .sum()
                            })
                            .unwrap_or(0);
                        let _ = std::fs::remove_dir_all(&arc);
                        with_archive.push((wall, rss));
                    } else {
                        plain.push((wall, rss));
                    }
                }
            }
            let (a, ar) = median(&mut with_archive);
            let (p, pr) = median(&mut plain);
            let (mb, payload_mb) = (written as f64 / 1e6, (urls * size) as f64 / 1e6);
            let line = format!(
                "archive-{size}B,{urls},{hosts},interleaved,{},4,0,64,{a:.2},{p:.2},{:.3},{ar:.1},0",
                latency.as_millis(),
                a / p
            );
            println!(
                "{line}  (GET with --archive vs without: {a:.2}s vs {p:.2}s, ratio {:.3}; RSS {ar:.1} vs {pr:.1} MB; \
                 {payload_mb:.0} MB of pages archived at {:.1} MB/s into {mb:.1} MB of WARC)",
                a / p,
                payload_mb / a
            );
            rows.push(line);
        }
    }
    let many = env_num("BENCH_MANY_HOSTS", 0) as usize;
    if many > 0 {
        rows.push(many_hosts(many, Duration::from_millis(env_num("BENCH_MANY_LATENCY_MS", 500)), bin));
    }
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/bench");
    if std::fs::create_dir_all(&out).is_ok() {
        let mut f = std::fs::File::create(out.join("check.csv")).expect("create csv");
        let _ = writeln!(f, "{}", rows.join("\n"));
        println!("written {}", out.join("check.csv").display());
    }
}

/// Memory across hosts: `n` URLs on `n` hosts (one each, as a large corpus cites), answering
/// after `latency`, so the run lasts long enough for finished hosts' idle connections to close.
fn many_hosts(n: usize, latency: Duration, bin: &str) -> String {
    let web = start_web(n, latency, 0, 200);
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = dir.path().join("doc-many-hosts.md");
    std::fs::write(&doc, document(n, n, false)).expect("write doc");
    let mut cmd = Command::new(bin);
    cmd.arg("check").arg(&doc).arg("--out").arg(dir.path().join("out")).args(["--quiet", "--no-db"]);
    cmd.args(["--host-interval", "0", "--max-concurrency", "64", "--host-concurrency", "4"]);
    for (h, addr) in web.iter().enumerate() {
        cmd.args(["--resolve", &format!("h{h}.bench.test:80:{addr}")]);
    }
    let (wall, rss, code) = timed(&mut cmd);
    let limits = Limits { max_concurrency: 64, host_concurrency: 4, interval: Duration::ZERO };
    let b = bound(n, n, latency, 1.0, &limits);
    let row = format!(
        "many-hosts --no-db,{n},{n},interleaved,{},4,0,64,{wall:.2},{b:.2},{:.2},{rss:.1},{code}",
        latency.as_millis(),
        wall / b
    );
    println!("{row}");
    row
}
