//! Reading our WARC files back, record by record (one gzip member each): where each record
//! is, its WARC header fields and, for HTTP records, the status and content type. Recovery
//! uses it to index the captures of a run that was killed before it wrote `index.cdxj`.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::Path;

/// Most bytes of a record's heads (WARC, then HTTP) read; the rest of the record is skipped.
const MAX_HEADS: u64 = 256 * 1024;

/// One record as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordInfo {
    /// Offset of its gzip member in the file.
    pub offset: u64,
    /// Length of the gzip member.
    pub length: u64,
    /// WARC header fields, in order.
    pub fields: Vec<(String, String)>,
    /// The HTTP status, for `application/http` records of responses.
    pub http_status: Option<u16>,
    /// The HTTP `Content-Type`, for responses (empty when absent).
    pub http_content_type: String,
}

impl RecordInfo {
    /// The first value of a WARC field (names compared case-insensitively).
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The complete records of a WARC file, in order; reading stops at the first member that does
/// not decompress to its end (what a killed writer leaves is cut off by recovery anyway).
///
/// # Errors
/// The file cannot be opened or read.
pub(crate) fn records(path: &Path) -> std::io::Result<Vec<RecordInfo>> {
    let mut reader = BufReader::new(File::open(path)?);
    let total = reader.seek(std::io::SeekFrom::End(0))?;
    let mut out = Vec::new();
    let mut offset = 0u64;
    while offset < total {
        reader.seek(std::io::SeekFrom::Start(offset))?;
        let Some(mut record) = one_record(&mut reader) else { break };
        let end = reader.stream_position()?;
        if end <= offset {
            break;
        }
        record.offset = offset;
        record.length = end - offset;
        out.push(record);
        offset = end;
    }
    Ok(out)
}

/// Reads one gzip member from `reader` (leaving it at the member's end): its heads parsed, the
/// rest drained. `None` when the member is damaged or cut short.
fn one_record(reader: &mut BufReader<File>) -> Option<RecordInfo> {
    let decoder = flate2::bufread::GzDecoder::new(reader);
    let mut member = BufReader::new(decoder);
    let mut record = RecordInfo {
        offset: 0,
        length: 0,
        fields: Vec::new(),
        http_status: None,
        http_content_type: String::new(),
    };
    {
        let mut heads = (&mut member).take(MAX_HEADS);
        let version = read_line(&mut heads)?;
        if !version.starts_with("WARC/") {
            return None;
        }
        record.fields = read_fields(&mut heads)?;
        let http = record.field("Content-Type").is_some_and(|t| t.starts_with("application/http"));
        if http && record.field("WARC-Type").is_some_and(|t| t == "response" || t == "revisit") {
            let status_line = read_line(&mut heads)?;
            record.http_status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok());
            let headers = read_fields(&mut heads)?;
            let content_type = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-type"));
            record.http_content_type = content_type.map(|(_, v)| v.clone()).unwrap_or_default();
        }
    }
    std::io::copy(&mut member, &mut std::io::sink()).ok()?;
    Some(record)
}

fn read_line(r: &mut impl BufRead) -> Option<String> {
    let mut line = Vec::new();
    let n = r.read_until(b'\n', &mut line).ok()?;
    (n > 0).then(|| String::from_utf8_lossy(&line).trim_end_matches(['\r', '\n']).to_string())
}

/// `Name: value` lines up to a blank line.
fn read_fields(r: &mut impl BufRead) -> Option<Vec<(String, String)>> {
    let mut fields = Vec::new();
    loop {
        let line = read_line(r)?;
        if line.is_empty() {
            return Some(fields);
        }
        if let Some((k, v)) = line.split_once(':') {
            fields.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
}
