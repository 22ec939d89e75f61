//! Reading the WARC files of an archive folder in tests: member by member, each checked to
//! hold exactly one record.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// One WARC record: its header fields and block.
#[derive(Debug, Clone)]
pub struct Record {
    pub fields: HashMap<String, String>,
    pub block: Vec<u8>,
    pub offset: u64,
}

impl Record {
    pub fn get(&self, k: &str) -> &str {
        self.fields.get(&k.to_ascii_lowercase()).map_or("", String::as_str)
    }
}

/// Reads a .warc.gz member by member (and checks each member holds exactly one record).
pub fn records(path: &Path) -> Vec<Record> {
    let bytes = std::fs::read(path).expect("read warc");
    let mut out = Vec::new();
    let mut rest: &[u8] = &bytes;
    while !rest.is_empty() {
        let offset = (bytes.len() - rest.len()) as u64;
        let mut d = flate2::bufread::GzDecoder::new(rest);
        let mut raw = Vec::new();
        d.read_to_end(&mut raw).expect("complete gzip member");
        rest = d.into_inner();
        let end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("header end");
        let head = String::from_utf8_lossy(&raw[..end]).to_string();
        let mut lines = head.split("\r\n");
        assert_eq!(lines.next(), Some("WARC/1.1"));
        let fields: HashMap<String, String> = lines
            .filter_map(|l| l.split_once(": ").map(|(k, v)| (k.to_ascii_lowercase(), v.to_string())))
            .collect();
        let len: usize = fields.get("content-length").and_then(|v| v.parse().ok()).expect("content-length");
        let block = raw[end + 4..end + 4 + len].to_vec();
        assert_eq!(&raw[end + 4 + len..], b"\r\n\r\n", "one record per member, CRLF CRLF after the block");
        out.push(Record { fields, block, offset });
    }
    out
}

/// The closed `.warc.gz` files of a folder, sorted.
pub fn warcs(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .expect("archive dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".warc.gz"))
        .collect();
    v.sort();
    v
}
