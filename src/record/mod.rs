//! Recording what a check found, as it is found: the run's citations and outcomes (on disk
//! until the run ends), the run history (results in batches, then each target's standing and what changed)
//! and the progress bar. All are result sinks of the fetch stage. The archive, the exchange
//! sink, lives in [`crate::archive`].

mod citations;
mod history;
mod outcomes;
mod progress;
mod spill;

pub(crate) use citations::{CitationLog, CitationReader, RunCitations};
pub(crate) use history::History;
pub(crate) use outcomes::{OutcomeLog, RunOutcomes};
pub(crate) use progress::Progress;
