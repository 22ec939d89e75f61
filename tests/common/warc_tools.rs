//! The real WARC tools (warcio, cdxj-indexer, pywb), when `.ci/run` installed them and named
//! their folder in `CITECHECK_WARC_TOOLS`.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The folder holding `warcio`, `cdxj-indexer`, `wb-manager` and `wayback`, if configured.
pub fn tools() -> Option<PathBuf> {
    std::env::var_os("CITECHECK_WARC_TOOLS").map(PathBuf::from)
}

/// `warcio check -v` passes on every file with nothing on stderr, and `cdxj-indexer` lists the
/// same records as our `index.cdxj` (keys, timestamps, digests, offsets, lengths, statuses).
pub fn check_files(bin: &Path, files: &[PathBuf], arc: &Path) {
    for f in files {
        let out = std::process::Command::new(bin.join("warcio"))
            .arg("check")
            .arg("-v")
            .arg(f)
            .output()
            .expect("warcio runs");
        assert!(out.status.success(), "warcio check failed: {}", String::from_utf8_lossy(&out.stdout));
        assert!(out.stderr.is_empty(), "warcio warned: {}", String::from_utf8_lossy(&out.stderr));
        let listing = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(!listing.contains("fail"), "{listing}");
    }
    let out =
        std::process::Command::new(bin.join("cdxj-indexer")).args(files).output().expect("cdxj-indexer runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let fields = |line: &str| -> Option<(String, String, String, String, String, String)> {
        let mut parts = line.splitn(3, ' ');
        let (key, ts, json) = (parts.next()?, parts.next()?, parts.next()?);
        let v: serde_json::Value = serde_json::from_str(json).ok()?;
        let f = |k: &str| v[k].as_str().unwrap_or("").to_string();
        Some((key.to_string(), ts.to_string(), f("digest"), f("offset"), f("length"), f("status")))
    };
    let mut theirs: Vec<_> = String::from_utf8_lossy(&out.stdout).lines().filter_map(fields).collect();
    let mut ours: Vec<_> =
        std::fs::read_to_string(arc.join("index.cdxj")).expect("index").lines().filter_map(fields).collect();
    theirs.sort();
    ours.sort();
    let only_ours: Vec<_> = ours.iter().filter(|x| !theirs.contains(x)).take(5).collect();
    let only_theirs: Vec<_> = theirs.iter().filter(|x| !ours.contains(x)).take(5).collect();
    assert!(
        only_ours.is_empty() && only_theirs.is_empty(),
        "index.cdxj differs from cdxj-indexer ({} vs {} lines)\nonly ours: {only_ours:#?}\nonly cdxj-indexer: {only_theirs:#?}",
        ours.len(),
        theirs.len()
    );
}

/// The 14-digit timestamps of a URL's lines in index.cdxj, oldest first.
pub fn index_ts(arc: &Path, url: &str) -> Vec<String> {
    let index = std::fs::read_to_string(arc.join("index.cdxj")).expect("index");
    let mut ts: Vec<String> = index
        .lines()
        .filter(|l| l.contains(&format!("\"url\":\"{url}\"")))
        .filter_map(|l| l.split(' ').nth(1).map(str::to_string))
        .collect();
    ts.sort();
    ts
}

/// pywb (`wb-manager add`, `wayback`) replays the archived PDF with `id_` byte for byte, from
/// the first capture and through the second run's revisit. `files` are WARC files, or WACZ
/// packages (added with `--unpack-wacz`).
pub fn replay_with_pywb(
    bin: &Path,
    files: &[PathBuf],
    arc: &Path,
    pages: &[(String, &[u8])],
    captures: usize,
) {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(bin.join("wb-manager"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("wb-manager");
        assert!(out.status.success(), "wb-manager {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    run(&["init", "cites"]);
    for f in files {
        let path = f.to_str().unwrap_or("");
        if path.ends_with(".wacz") {
            run(&["add", "--unpack-wacz", "cites", path]);
        } else {
            run(&["add", "cites", path]);
        }
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let mut server = std::process::Command::new(bin.join("wayback"))
        .args(["-b", "127.0.0.1", "-p", &port.to_string()])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("wayback starts");
    let get = |path: &str| -> Option<(String, Vec<u8>)> {
        use std::io::Write as _;
        let mut sock = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        write!(sock, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: gzip\r\n\r\n")
            .ok()?;
        let mut raw = Vec::new();
        sock.read_to_end(&mut raw).ok()?;
        let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
        Some((String::from_utf8_lossy(&raw[..end]).to_string(), raw[end + 4..].to_vec()))
    };
    let mut ready = false;
    for _ in 0..100 {
        if get("/").is_some() {
            ready = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let mut results = Vec::new();
    for (url, expected) in pages {
        let ts = index_ts(arc, url);
        for t in &ts {
            results.push((url.clone(), t.clone(), ts.len(), *expected, get(&format!("/cites/{t}id_/{url}"))));
        }
    }
    let _ = server.kill();
    let _ = server.wait();
    assert!(ready, "pywb did not start");
    for (url, t, n, expected, r) in results {
        assert_eq!(n, captures, "{url}: captures in the index");
        let (head, body) = r.unwrap_or_else(|| panic!("no answer for {url} at {t}"));
        assert!(head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"), "{url} at {t}: {head}");
        assert_eq!(body, expected, "replay of {url} at {t} gives the archived bytes");
    }
}

/// `wacz validate` (py-wacz) accepts the package.
pub fn validate_wacz(bin: &Path, wacz: &Path) {
    let out = std::process::Command::new(bin.join("wacz"))
        .args(["validate", "-f"])
        .arg(wacz)
        .output()
        .expect("wacz runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("Validation succeeded"),
        "wacz validate: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
