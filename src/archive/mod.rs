//! Archiving what each citation served as standard WARC 1.1 (ISO 28500):
//! - [`warc`]: spools with streamed digests, records as one gzip member each, the rotating
//!   writer and crash recovery;
//! - [`recorder`]: exchanges as request/response (or revisit) records, metadata records, the
//!   payload-digest sidecar and `index.cdxj`, shared by the fetch tasks;
//! - [`wacz`]: an archive folder packaged as one WACZ file.

pub mod recorder;
pub mod wacz;
pub mod warc;

pub use recorder::{Captured, Exchange, Recorder};
pub use wacz::{export_wacz, WaczOptions, WaczSummary};
pub use warc::{base32_sha1, recover, Record, Spool, SpooledBlock, WarcWriter, WriterOptions, Written};
