//! Recording what a check found, as it is found: the run history (results in batches, then
//! each target's standing and what changed) and the progress bar. Both are result sinks of the
//! fetch stage. The archive, the exchange sink, lives in [`crate::archive`].

mod history;
mod progress;

pub(crate) use history::History;
pub(crate) use progress::Progress;
