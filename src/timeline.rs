//! `citecheck history`: the timeline of one URL or symbol from the run history.

use crate::error::{Error, Result};
use crate::store::Store;
use crate::types::{Failing, Kind};
use std::io::Write;
use std::path::PathBuf;

fn store_err(e: crate::store::StoreError) -> Error {
    Error::Config(e.to_string())
}

/// Prints the timeline of one URL or symbol from the history at `db`, newest first.
/// Returns the exit code: 0 when found, 1 when the history has no such target.
///
/// # Errors
/// The database cannot be opened or read, or standard output cannot be written.
pub fn print_history(db: &std::path::Path, target: &str, limit: usize, out: &mut dyn Write) -> Result<u8> {
    if !db.is_file() {
        return Err(Error::Config(format!(
            "no history database at {}: run `citecheck check` first (or pass --db)",
            db.display()
        )));
    }
    let store = Store::open(db).map_err(store_err)?;
    let (kind, value) = match crate::extract::symbols::exact_symbol(target) {
        Some(sym) => (Kind::Symbol, sym),
        None => (Kind::Url, crate::extract::url::normalise(target)),
    };
    let past = store.history(kind, &value, limit).map_err(store_err)?;
    let mut text = String::new();
    if past.is_empty() {
        text.push_str(&format!("citecheck: {} is not in the history at {}\n", value, db.display()));
    } else {
        let standing = store.standing(kind, &value, &Failing::default()).map_err(store_err)?;
        text.push_str(&format!("{kind} {value}\nfirst seen {}", standing.first_seen));
        if !standing.last_ok.is_empty() {
            text.push_str(&format!(", last ok {}", standing.last_ok));
        }
        text.push('\n');
        for p in &past {
            let http = p.http_status.map(|s| s.to_string()).unwrap_or_else(|| "-".to_string());
            let mut line =
                format!("{}  run {:>4}  {:<12} {:>3}", p.checked_at, p.run, p.status.as_str(), http);
            if p.cached {
                line.push_str("  (cached)");
            }
            if !p.final_url.is_empty() && p.final_url != value {
                line.push_str(&format!("  -> {}", p.final_url));
            }
            if !p.error.is_empty() {
                line.push_str(&format!("  {}", p.error));
            }
            text.push_str(line.trim_end());
            text.push('\n');
        }
    }
    out.write_all(text.as_bytes())
        .map_err(|source| Error::WriteOutput { path: PathBuf::from("<stdout>"), source })?;
    Ok(if past.is_empty() { 1 } else { 0 })
}
