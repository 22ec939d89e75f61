//! Library errors: setup, configuration and I/O failures. A broken link is never an error.

use std::path::PathBuf;

/// Errors the library returns. Each message says what went wrong and what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input could not be read.
    #[error("cannot read input '{input}': {source}. Check the path and its permissions")]
    ReadInput {
        /// The input as given.
        input: String,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An input is a directory.
    #[error("input '{0}' is a directory: pass the document files inside it (e.g. '{0}/*.md')")]
    InputIsDirectory(String),
    /// An input looks like a binary file of a format citecheck does not read.
    #[error("input '{0}' looks like a binary file citecheck cannot read: pass a PDF, DOCX, ODT, Markdown, HTML or plain-text document")]
    BinaryInput(String),
    /// An input of a known format is damaged, encrypted, too large or incomplete.
    #[error("input '{input}' {reason}")]
    Unreadable {
        /// The input as given.
        input: String,
        /// What is wrong and what to do, completing the sentence.
        reason: String,
    },
    /// An input is empty.
    #[error("input '{0}' is empty: there is nothing to extract (was the conversion to text successful?)")]
    EmptyInput(String),
    /// An output file could not be written.
    #[error("cannot write '{path}': {source}. Check that the folder exists and is writable")]
    WriteOutput {
        /// The file that was being written.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The run's results could not be kept on disk while the run goes.
    #[error("cannot keep this run's results in a temporary file in '{dir}': {source}. Free space there (a run keeps about 200 bytes per citation there until it ends), or give another --out folder")]
    Spill {
        /// The folder of the temporary file (the output folder).
        dir: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Another citecheck run holds the folder.
    #[error("another citecheck run (pid {holder}) is using '{dir}': wait for it to finish, or give this run another {flag} folder")]
    Locked {
        /// The folder.
        dir: PathBuf,
        /// The process id written by the run that holds it, as read (may be empty).
        holder: String,
        /// The option naming the folder (`--archive`, `--out`).
        flag: &'static str,
    },
    /// No host could be reached: the machine looks offline.
    #[error("the network looks down: none of the {hosts} hosts tried could be reached (names do not resolve, connections fail). Nothing was recorded as failing and the tables in '{}' were left unchanged; check the connection (or the proxy) and run again", out.display())]
    NetworkDown {
        /// Distinct hosts tried.
        hosts: usize,
        /// The output folder, left as it was.
        out: PathBuf,
    },
    /// A configuration value is wrong.
    #[error("{0}")]
    Config(String),
    /// Serialising a table failed.
    #[error("cannot serialise the output: {0}")]
    Serialise(String),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
