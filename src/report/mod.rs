//! Reports: pure functions from results to bytes. Only [`crate::output`] writes files.

use crate::error::{Error, Result};
use crate::types::Citation;

/// The columns of `citecheck extract`, in order.
pub const CITATION_COLUMNS: [&str; 8] =
    ["source", "line", "column", "footnote", "paragraph", "kind", "value", "raw"];

/// Citations as CSV with the header [`CITATION_COLUMNS`].
///
/// # Errors
/// Only if serialisation fails (it does not for these types).
pub fn citations_csv(rows: &[Citation]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CITATION_COLUMNS).map_err(ser)?;
    for c in rows {
        let (line, column) = (c.line.to_string(), c.column.to_string());
        w.write_record([
            c.source.as_str(),
            &line,
            &column,
            &c.footnote,
            &c.paragraph,
            c.kind.as_str(),
            &c.value,
            &c.raw,
        ])
        .map_err(ser)?;
    }
    w.into_inner().map_err(|e| Error::Serialise(e.to_string()))
}

/// Citations as a pretty-printed JSON array of objects with the CSV's fields.
///
/// # Errors
/// Only if serialisation fails (it does not for these types).
pub fn citations_json(rows: &[Citation]) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(rows).map_err(|e| Error::Serialise(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn ser(e: csv::Error) -> Error {
    Error::Serialise(e.to_string())
}
