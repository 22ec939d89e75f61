//! Archiving what each citation served as standard WARC 1.1 (ISO 28500): the record writer with
//! streamed digests, one gzip member per record, rotation and crash recovery. Wiring it to the
//! fetcher (`check --archive`), revisit records across runs, the CDXJ index and WACZ export
//! are the rest of the archive issue.

pub mod recorder;
pub mod warc;

pub use recorder::{Captured, Exchange, Recorder};
pub use warc::{base32_sha1, recover, Record, Spool, SpooledBlock, WarcWriter, WriterOptions, Written};
