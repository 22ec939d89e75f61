//! The run's citations, kept on disk as they are read ([`super::spill`]): a document's rows
//! go there run by run as extraction makes them, so a check never holds them all (a million
//! citations took 130 MB). The tables read them back in document order, or one by one.

use super::spill::{Iter, Reader, Spill, Spilled};
use crate::error::Result;
use crate::types::Citation;
use std::path::Path;
use std::sync::Arc;

/// Reads a run's citations one by one (see [`RunCitations::reader`]).
pub(crate) type CitationReader<'a> = Reader<'a, Citation>;

/// Citations being written, in document order (inputs in the order given).
pub(crate) struct CitationLog {
    spill: Spill<Citation>,
    sources: Vec<Arc<str>>,
}

impl CitationLog {
    /// An empty log in a temporary file in `dir` (which must exist).
    ///
    /// # Errors
    /// The temporary file cannot be made there.
    pub(crate) fn new(dir: &Path) -> Result<CitationLog> {
        Ok(CitationLog { spill: Spill::new("citation", dir, 0)?, sources: Vec::new() })
    }

    /// Keeps the next citation; returns its number.
    ///
    /// # Errors
    /// The file cannot be written (disk full).
    pub(crate) fn push(&mut self, c: &Citation) -> Result<usize> {
        if self.sources.last() != Some(&c.source) && !self.sources.contains(&c.source) {
            self.sources.push(c.source.clone());
        }
        self.spill.push(c)
    }

    /// Every citation written: the log, now read-only.
    ///
    /// # Errors
    /// The file cannot be written.
    pub(crate) fn finish(self) -> Result<RunCitations> {
        Ok(RunCitations { spilled: self.spill.finish()?, sources: self.sources })
    }
}

/// A run's citations read back from the log.
#[derive(Debug)]
pub(crate) struct RunCitations {
    spilled: Spilled<Citation>,
    sources: Vec<Arc<str>>,
}

impl RunCitations {
    /// How many.
    pub(crate) fn len(&self) -> usize {
        self.spilled.len()
    }

    /// The inputs the citations come from, in order, each once.
    pub(crate) fn sources(&self) -> &[Arc<str>] {
        &self.sources
    }

    /// Citation `i`.
    ///
    /// # Errors
    /// It cannot be read back (the file was damaged, or there is no citation `i`).
    pub(crate) fn get(&self, i: usize) -> Result<Citation> {
        self.spilled.get(i)
    }

    /// Every citation, in document order.
    pub(crate) fn iter(&self) -> Iter<'_, Citation> {
        self.spilled.iter()
    }

    /// A reader for citations wanted one by one in about document order (a target's, say).
    pub(crate) fn reader(&self) -> CitationReader<'_> {
        self.spilled.reader()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Kind;

    #[test]
    fn citations_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let (name, other): (Arc<str>, Arc<str>) = ("doc.md".into(), "other.md".into());
        let rows: Vec<Citation> = (0..500)
            .map(|i| Citation {
                source: if (100..200).contains(&i) || i > 400 { other.clone() } else { name.clone() },
                line: i + 1,
                column: i % 80,
                footnote: i.to_string().into(),
                paragraph: if i % 3 == 0 { "".into() } else { (i / 3).to_string().into() },
                kind: if i % 7 == 0 { Kind::Symbol } else { Kind::Url },
                value: format!("https://h{}.test/p{i}", i % 13).into(),
                raw: format!("h{}.test/p{i}", i % 13).into(),
            })
            .collect();
        let mut log = CitationLog::new(dir.path()).unwrap();
        for (i, c) in rows.iter().enumerate() {
            assert_eq!(log.push(c).unwrap(), i);
        }
        let run = log.finish().unwrap();
        assert_eq!(run.len(), rows.len());
        assert_eq!(run.sources(), [name, other]);
        assert_eq!(run.iter().collect::<Result<Vec<_>>>().unwrap(), rows);
        assert_eq!(run.get(321).unwrap(), rows[321]);
        let mut r = run.reader();
        assert_eq!(r.get(7).unwrap(), rows[7]);
        assert!(run.get(500).is_err());
    }
}
