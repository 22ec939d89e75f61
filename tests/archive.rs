//! `check --archive`: what the WARC files hold, record by record, across two runs.

mod common;

use common::citecheck;
use common::server::{Reply, Server};
use common::warc::{records, warcs, Record};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

#[test]
fn archive_records_hops_encodings_revisits_and_index() {
    use std::io::Write as _;
    let html = b"<html><title>A cited page</title><body>cited text</body></html>".to_vec();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&html).expect("gz");
    let gzipped = gz.finish().expect("gz");
    let pdf = b"%PDF-1.7\n% a cited report\n".to_vec();
    let g = gzipped.clone();
    let p = pdf.clone();
    let s = Server::start(move |req, _| match req.path.as_str() {
        "/old" => Reply::redirect(301, "/page"),
        "/page" => Reply::html(200, "").with_header("Content-Encoding", "gzip").with_body(g.clone()),
        "/chunked" => Reply::Chunked(b"a body sent in chunks of seven bytes".to_vec()),
        "/report.pdf" => {
            Reply::status(200).with_header("Content-Type", "application/pdf").with_body(p.clone())
        }
        _ => Reply::status(404),
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = format!(
        "1. See <sup>1</sup>.\n\n<sup>1</sup> <{}>; <{}>; <{}>.\n",
        s.url("/old"),
        s.url("/chunked"),
        s.url("/report.pdf")
    );
    std::fs::write(dir.path().join("doc.md"), doc).expect("doc");
    let arc = dir.path().join("warc");
    let run = || {
        let out = citecheck()
            .current_dir(dir.path())
            .args([
                "check",
                "doc.md",
                "--archive",
                "warc",
                "--db",
                "h.sqlite",
                "--host-interval",
                "0",
                "--quiet",
            ])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    };

    let summary = run();
    assert!(summary.contains("archived 3 responses and 0 revisits"), "{summary}");
    let files = warcs(&arc);
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
    assert!(name.starts_with("citecheck-") && name.ends_with("-00001.warc.gz"), "{name}");
    let recs = records(&files[0]);
    assert_eq!(recs[0].get("WARC-Type"), "warcinfo");
    assert_eq!(recs[0].get("WARC-Filename"), name);
    let info_id = recs[0].get("WARC-Record-ID").to_string();
    for r in &recs[1..] {
        assert_eq!(r.get("WARC-Warcinfo-ID"), info_id);
        assert!(r.get("WARC-Date").ends_with('Z'));
        assert!(r.get("WARC-Record-ID").starts_with("<urn:uuid:"));
        assert!(!r.get("WARC-Target-URI").starts_with('<'));
    }
    let of = |t: &str, uri: &str| -> Vec<&Record> {
        recs.iter().filter(|r| r.get("WARC-Type") == t && r.get("WARC-Target-URI") == uri).collect()
    };
    // The redirect hop and its target are separate exchanges, request linked to response.
    let hop = of("response", &s.url("/old"));
    assert_eq!(hop.len(), 1);
    assert!(hop[0].block.starts_with(b"HTTP/1.1 301 Moved Permanently\r\n"));
    let hop_req = of("request", &s.url("/old"));
    assert_eq!(hop_req[0].get("WARC-Concurrent-To"), hop[0].get("WARC-Record-ID"));
    assert_eq!(hop[0].get("WARC-Concurrent-To"), hop_req[0].get("WARC-Record-ID"));
    assert!(hop_req[0].block.starts_with(b"GET /old HTTP/1.1\r\n"));
    // Content-Encoding kept as received: the payload is the gzip bytes the server sent.
    let page = of("response", &s.url("/page"));
    let text = String::from_utf8_lossy(&page[0].block).to_string();
    assert!(text.contains("content-encoding: gzip\r\n"), "{text}");
    assert!(page[0].block.ends_with(&gzipped));
    // Chunked framing removed, the original header kept under another name.
    let chunked = of("response", &s.url("/chunked"));
    let head = String::from_utf8_lossy(&chunked[0].block).to_string();
    assert!(head.contains("x-orig-transfer-encoding: chunked\r\n"), "{head}");
    assert!(head.contains("content-length: 36\r\n"), "{head}");
    assert!(chunked[0].block.ends_with(b"a body sent in chunks of seven bytes"));
    // Audit facts refer to the response.
    let pdf_resp = of("response", &s.url("/report.pdf"));
    let meta = of("metadata", &s.url("/report.pdf"));
    assert_eq!(meta[0].get("WARC-Refers-To"), pdf_resp[0].get("WARC-Record-ID"));
    assert!(String::from_utf8_lossy(&meta[0].block).contains("citecheck-status: ok\r\n"));
    // links.csv points at the record.
    let links = common::table::Table::read(&dir.path().join("reports/links.csv"));
    let row = links.row("value", &s.url("/report.pdf"));
    assert_eq!(&row["warc_file"], name);
    assert_eq!(row["warc_offset"].parse::<u64>().ok(), Some(pdf_resp[0].offset));
    assert_eq!(row["payload_sha256"].len(), 64);
    // The index: one sorted CDXJ line per response, pointing at its member.
    let index = std::fs::read_to_string(arc.join("index.cdxj")).expect("index.cdxj");
    let lines: Vec<&str> = index.lines().collect();
    assert_eq!(lines.len(), 4, "{index}");
    let mut sorted = lines.clone();
    sorted.sort_unstable();
    assert_eq!(lines, sorted);
    let pdf_line = lines.iter().find(|l| l.contains("/report.pdf ")).expect("pdf line");
    assert!(pdf_line.contains(&format!("\"offset\":\"{}\"", pdf_resp[0].offset)), "{pdf_line}");
    assert!(pdf_line.contains(&format!("\"digest\":\"{}\"", pdf_resp[0].get("WARC-Payload-Digest"))));
    assert!(pdf_line.contains("\"mime\":\"application/pdf\""));
    let first_bytes = std::fs::metadata(&files[0]).expect("size").len();

    // Second run (a later second, so its captures have their own timestamps): unchanged
    // payloads become revisits referring to the first captures.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let summary = run();
    assert!(summary.contains("archived 0 responses and 3 revisits"), "{summary}");
    let files = warcs(&arc);
    assert_eq!(files.len(), 2, "a new file per run");
    let second = records(&files[1]);
    let revisit = second
        .iter()
        .find(|r| r.get("WARC-Type") == "revisit" && r.get("WARC-Target-URI") == s.url("/report.pdf"))
        .expect("revisit of the PDF");
    assert_eq!(
        revisit.get("WARC-Profile"),
        "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    );
    assert_eq!(revisit.get("WARC-Refers-To"), pdf_resp[0].get("WARC-Record-ID"));
    assert_eq!(revisit.get("WARC-Refers-To-Target-URI"), s.url("/report.pdf"));
    assert_eq!(revisit.get("WARC-Refers-To-Date"), pdf_resp[0].get("WARC-Date"));
    assert_eq!(revisit.get("WARC-Payload-Digest"), pdf_resp[0].get("WARC-Payload-Digest"));
    assert_eq!(revisit.get("WARC-Truncated"), "length");
    assert!(!revisit.block.ends_with(&pdf), "no payload in a revisit");
    let second_bytes = std::fs::metadata(&files[1]).expect("size").len();
    eprintln!("first run wrote {first_bytes} bytes, second {second_bytes}");
    let lines = std::fs::read_to_string(arc.join("index.cdxj")).expect("index");
    assert!(lines.contains("\"mime\":\"warc/revisit\""));

    // Both runs packaged as one WACZ.
    let wacz = dir.path().join("cites.wacz");
    let out = citecheck().arg("export-wacz").arg(&arc).arg("-o").arg(&wacz).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("packed 2 WARC files, 8 index lines and 6 pages"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_wacz(&wacz, &arc, &files, &[s.url("/report.pdf"), s.url("/page"), s.url("/chunked")]);

    // External verification when the WARC tools are installed (.ci/run installs them).
    if let Some(bin) = common::warc_tools::tools() {
        common::warc_tools::check_files(&bin, &files, &arc);
        let pages: [(String, &[u8]); 2] = [(s.url("/report.pdf"), &pdf), (s.url("/page"), &gzipped)];
        common::warc_tools::replay_with_pywb(&bin, &files, &arc, &pages, 2);
        common::warc_tools::validate_wacz(&bin, &wacz);
        common::warc_tools::replay_with_pywb(&bin, &[wacz], &arc, &pages, 2);
    }
}

/// The WACZ holds the WARC files byte for byte (ZIP STORE), the index, a page per 2xx
/// capture, and a manifest whose sizes and SHA-256 match every file.
fn check_wacz(wacz: &Path, arc: &Path, files: &[std::path::PathBuf], page_urls: &[String]) {
    use sha2::Digest as _;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(wacz).expect("wacz")).expect("a ZIP file");
    let mut entries: HashMap<String, (zip::CompressionMethod, Vec<u8>)> = HashMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("entry");
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).expect("entry bytes");
        entries.insert(f.name().to_string(), (f.compression(), bytes));
    }
    let mut names: Vec<&String> = entries.keys().collect();
    names.sort();
    let mut expected: Vec<String> = files
        .iter()
        .map(|f| format!("archive/{}", f.file_name().and_then(|n| n.to_str()).unwrap_or("")))
        .collect();
    expected.extend(
        ["datapackage-digest.json", "datapackage.json", "indexes/index.cdx", "pages/pages.jsonl"]
            .map(String::from),
    );
    expected.sort();
    assert_eq!(names, expected.iter().collect::<Vec<_>>());
    for f in files {
        let name = format!("archive/{}", f.file_name().and_then(|n| n.to_str()).unwrap_or(""));
        let (method, bytes) = &entries[&name];
        assert_eq!(*method, zip::CompressionMethod::Stored, "{name}: WARCs are stored, not deflated");
        assert_eq!(bytes, &std::fs::read(f).expect("warc"), "{name}");
    }
    let index = std::fs::read(arc.join("index.cdxj")).expect("index");
    assert_eq!(entries["indexes/index.cdx"].1, index);
    let manifest: serde_json::Value = serde_json::from_slice(&entries["datapackage.json"].1).expect("json");
    let resources = manifest["resources"].as_array().expect("resources");
    assert_eq!(resources.len(), files.len() + 2, "every file but the manifests is listed");
    for r in resources {
        let path = r["path"].as_str().expect("path");
        let bytes = &entries[path].1;
        assert_eq!(r["bytes"].as_u64(), Some(bytes.len() as u64), "{path}");
        assert_eq!(
            r["hash"].as_str(),
            Some(format!("sha256:{:x}", sha2::Sha256::digest(bytes)).as_str()),
            "{path}"
        );
    }
    let digest: serde_json::Value =
        serde_json::from_slice(&entries["datapackage-digest.json"].1).expect("json");
    assert_eq!(
        digest["hash"].as_str(),
        Some(format!("sha256:{:x}", sha2::Sha256::digest(&entries["datapackage.json"].1)).as_str())
    );
    let pages = String::from_utf8_lossy(&entries["pages/pages.jsonl"].1).to_string();
    let mut lines = pages.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().expect("header")).expect("json");
    assert_eq!(header["format"], "json-pages-1.0");
    let pages: Vec<serde_json::Value> = lines.map(|l| serde_json::from_str(l).expect("page json")).collect();
    for url in page_urls {
        let ts: Vec<&str> =
            pages.iter().filter(|p| p["url"] == url.as_str()).filter_map(|p| p["ts"].as_str()).collect();
        assert_eq!(ts.len(), 2, "{url}: one page per capture: {pages:?}");
        assert!(ts.iter().all(|t| t.len() == 20 && t.ends_with('Z')), "{ts:?}");
    }
    assert!(
        pages.iter().all(|p| !p["url"].as_str().unwrap_or("").ends_with("/old")),
        "redirect hops are not pages"
    );
}

#[test]
fn export_wacz_explains_what_it_cannot_pack() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        let out = citecheck().current_dir(dir.path()).args(args).output().expect("runs");
        (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (code, err) = run(&["export-wacz", "missing", "-o", "x.wacz"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("cannot read input 'missing'"), "{err}");
    std::fs::create_dir(dir.path().join("empty")).expect("dir");
    let (code, err) = run(&["export-wacz", "empty", "-o", "x.wacz"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no WARC files in 'empty'") && err.contains("check --archive empty"), "{err}");
    // A folder with a WARC but no index.
    std::fs::create_dir(dir.path().join("noindex")).expect("dir");
    std::fs::write(dir.path().join("noindex/a.warc.gz"), b"").expect("warc");
    let (code, err) = run(&["export-wacz", "noindex", "-o", "x.wacz"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("index.cdxj") && err.contains("citecheck archive folder"), "{err}");
    assert!(!dir.path().join("x.wacz").exists(), "nothing written on failure");
    // A file still open is left out, with a warning; the closed ones are packed.
    std::fs::write(dir.path().join("noindex/index.cdxj"), "").expect("index");
    std::fs::write(dir.path().join("noindex/b.warc.gz.open"), b"").expect("open file");
    let (code, err) = run(&["export-wacz", "noindex", "-o", "x.wacz"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("warning: left out b.warc.gz.open: still being written"), "{err}");
    assert!(err.contains("packed 1 WARC file, 0 index lines and 0 pages"), "{err}");
    let zip =
        zip::ZipArchive::new(std::fs::File::open(dir.path().join("x.wacz")).expect("wacz")).expect("zip");
    assert!(zip.file_names().any(|n| n == "archive/a.warc.gz"));
    assert!(!zip.file_names().any(|n| n.contains(".open")));
}

/// Bodies larger than the in-memory spool go through a temporary file: with and without a
/// `Content-Length` (the block digest streamed, or computed again from the file), whole or cut
/// at `--max-archive-size`, their records keep exact lengths and digests.
#[test]
fn large_bodies_keep_their_bytes_and_digests() {
    use sha1::Digest as _;
    let body: Vec<u8> = (0..700_000u32).map(|i| b"0123456789abcdef <p>\n"[(i % 21) as usize]).collect();
    // Different bytes for the chunked one, or it would be a revisit of the first.
    let chunked: Vec<u8> = body.iter().rev().copied().collect();
    let (b1, b2) = (body.clone(), chunked.clone());
    let s = Server::start(move |req, _| match req.path.as_str() {
        "/big.html" => Reply::html(200, "").with_body(b1.clone()),
        "/big-chunked.html" => Reply::Chunked(b2.clone()),
        _ => Reply::status(404),
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = format!(
        "1. See <sup>1</sup>.\n\n<sup>1</sup> <{}>; <{}>.\n",
        s.url("/big.html"),
        s.url("/big-chunked.html")
    );
    std::fs::write(dir.path().join("doc.md"), doc).expect("doc");
    let digest = |bytes: &[u8]| citecheck::warc::base32_sha1(&sha1::Sha1::digest(bytes).into());
    for (folder, limit) in [("whole", "100MB"), ("cut", "300KB")] {
        let out = citecheck()
            .current_dir(dir.path())
            .args(["check", "doc.md", "--no-db", "--quiet", "--host-interval", "0"])
            .args(["--archive", folder, "--max-archive-size", limit])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let files = warcs(&dir.path().join(folder));
        let recs = records(&files[0]);
        let kept = if folder == "whole" { body.len() } else { 300_000 };
        for (path, served) in [("/big.html", &body), ("/big-chunked.html", &chunked)] {
            let r = recs
                .iter()
                .find(|r| r.get("WARC-Type") == "response" && r.get("WARC-Target-URI") == s.url(path))
                .unwrap_or_else(|| panic!("{folder}: response for {path}"));
            let split = r.block.windows(4).position(|w| w == b"\r\n\r\n").expect("http head") + 4;
            let payload = &r.block[split..];
            assert_eq!(payload, &served[..kept], "{folder} {path}: the payload as served");
            assert_eq!(r.get("WARC-Block-Digest"), digest(&r.block), "{folder} {path}");
            assert_eq!(r.get("WARC-Payload-Digest"), digest(payload), "{folder} {path}");
            assert_eq!(
                r.get("WARC-Truncated"),
                if folder == "cut" { "length" } else { "" },
                "{folder} {path}"
            );
        }
        if let Some(bin) = common::warc_tools::tools() {
            common::warc_tools::check_files(&bin, &files, &dir.path().join(folder));
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join(folder))
            .expect("dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.') && n != ".citecheck.lock")
            .collect();
        assert!(leftovers.is_empty(), "no spool files left: {leftovers:?}");
    }
}
