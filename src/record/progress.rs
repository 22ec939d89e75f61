//! The progress bar on a terminal: targets done, the rate, and the statuses so far.

use crate::error::Result;
use crate::sink::ResultSink;
use crate::types::{Outcome, Status};
use std::collections::HashMap;

/// A progress bar fed by results (nothing at all when stderr is not a terminal).
pub(crate) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    counts: HashMap<Status, usize>,
}

impl Progress {
    /// A bar for `total` targets, shown only when `enabled` and stderr is a terminal.
    pub(crate) fn new(enabled: bool, total: usize) -> Progress {
        use std::io::IsTerminal;
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            let style = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {per_sec} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Progress { bar, counts: HashMap::new() }
    }

    /// Clears the bar.
    pub(crate) fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

impl ResultSink for Progress {
    fn accept(&mut self, _index: usize, outcome: &Outcome) -> Result<()> {
        *self.counts.entry(outcome.status).or_default() += 1;
        if let Some(bar) = &self.bar {
            bar.inc(1);
            let so_far: Vec<String> =
                Status::ALL.iter().filter_map(|s| self.counts.get(s).map(|n| format!("{n} {s}"))).collect();
            bar.set_message(so_far.join(" · "));
        }
        Ok(())
    }
}
