//! Writes a small sample WARC (a request/response pair, a redirect hop and a PDF) into the
//! folder given as the first argument, for checking the writer with external tools:
//! `cargo run --example warc_sample -- /tmp/w && warcio check -v /tmp/w/*.warc.gz`.

use citecheck::warc::{Spool, SpooledBlock, WarcWriter, WriterOptions};
use std::path::PathBuf;

fn block(dir: &std::path::Path, head: &str, body: &[u8]) -> std::io::Result<SpooledBlock> {
    let mut s = Spool::new(dir, None);
    s.write_all(body)?;
    s.finish(head.as_bytes())
}

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "warc-sample".to_string()));
    let opts = WriterOptions {
        max_file_size: 1 << 30,
        software: format!("citecheck/{}", env!("CARGO_PKG_VERSION")),
        info: vec![("http-header-user-agent".into(), citecheck::default_user_agent())],
        stamp: "20240501120000".into(),
    };
    let mut w = WarcWriter::new(&dir, opts)?;
    let date = "2024-05-01T12:00:00Z".to_string();
    let pages: [(&str, &str, &[u8]); 2] = [
        ("https://example.org/old", "HTTP/1.1 301 Moved Permanently\r\nLocation: https://example.org/doc\r\nContent-Length: 0\r\n\r\n", b""),
        (
            "https://example.org/doc",
            "HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: 22\r\n\r\n",
            b"%PDF-1.7\n%sample pdf\n\n",
        ),
    ];
    for (uri, head, body) in pages {
        let response_id = citecheck::warc::record_id();
        let request_id = citecheck::warc::record_id();
        let host = uri.trim_start_matches("https://").split('/').next().unwrap_or("");
        let path = &uri[uri.find(host).map_or(0, |i| i + host.len())..];
        let req =
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: citecheck\r\nAccept: */*\r\n\r\n");
        let resp = block(&dir, head, body)?;
        let common = |t: &str, id: &str, other: &str, ct: &str| {
            vec![
                ("WARC-Type".to_string(), t.to_string()),
                ("WARC-Record-ID".to_string(), id.to_string()),
                ("WARC-Date".to_string(), date.clone()),
                ("WARC-Target-URI".to_string(), uri.to_string()),
                ("WARC-IP-Address".to_string(), "192.0.2.10".to_string()),
                ("WARC-Concurrent-To".to_string(), other.to_string()),
                ("Content-Type".to_string(), ct.to_string()),
            ]
        };
        w.write(
            common("response", &response_id, &request_id, "application/http;msgtype=response"),
            resp,
            true,
        )?;
        let request = SpooledBlock::from_bytes(req.into_bytes());
        w.write(
            common("request", &request_id, &response_id, "application/http;msgtype=request"),
            request,
            false,
        )?;
    }
    w.finish()
}
