//! The run history: an embedded SQLite database (WAL mode, schema migrations by
//! `PRAGMA user_version`, one transaction per batch of results), behind a narrow interface so
//! the backend can change. A killed run loses at most the batch in flight; two runs on one
//! database take turns (a writer waits up to [`BUSY_WAIT`], then fails with a clear message).

use crate::types::{Failing, Interner, Kind, Outcome, Standing, Status};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a writer waits for another run holding the database.
pub(crate) const BUSY_WAIT: Duration = Duration::from_secs(30);

/// The schema, one migration per version (`PRAGMA user_version` = number applied).
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: runs, targets, results.
    "CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        inputs TEXT NOT NULL,
        options TEXT NOT NULL,
        version TEXT NOT NULL
    );
    CREATE TABLE targets (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        UNIQUE (kind, value)
    );
    CREATE TABLE results (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        target_id INTEGER NOT NULL REFERENCES targets(id),
        status TEXT NOT NULL,
        http_status INTEGER,
        final_url TEXT NOT NULL,
        error TEXT NOT NULL,
        elapsed_ms INTEGER NOT NULL,
        checked_at TEXT NOT NULL,
        PRIMARY KEY (run_id, target_id)
    );
    CREATE INDEX results_by_target ON results (target_id, run_id);",
    // 2: cache flag, redirect count, content type, payload digests (filled when archiving).
    "ALTER TABLE results ADD COLUMN cached INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE results ADD COLUMN redirects INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE results ADD COLUMN content_type TEXT NOT NULL DEFAULT '';
    ALTER TABLE results ADD COLUMN payload_sha1 TEXT;
    ALTER TABLE results ADD COLUMN payload_sha256 TEXT;",
    // 3: how a run ended (complete, interrupted, offline).
    "ALTER TABLE runs ADD COLUMN outcome TEXT NOT NULL DEFAULT 'complete';",
    // 4: Save Page Now pushes (`--push-archive`): what was captured, when.
    "CREATE TABLE pushes (
        url TEXT NOT NULL,
        pushed_at TEXT NOT NULL,
        result TEXT NOT NULL,
        timestamp TEXT NOT NULL
    );
    CREATE INDEX pushes_by_url ON pushes (url, pushed_at);",
];

/// How a run ended, as the history keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunEnd {
    /// Every target was checked.
    Complete,
    /// Stopped by Ctrl-C: the results of the targets checked are kept.
    Interrupted,
    /// No host could be reached: the network was down, so the run's results say nothing about
    /// the citations and are not kept (no failure streak grows on an offline night).
    Offline,
}

impl RunEnd {
    fn as_str(self) -> &'static str {
        match self {
            RunEnd::Complete => "complete",
            RunEnd::Interrupted => "interrupted",
            RunEnd::Offline => "offline",
        }
    }
}

/// Errors of the history store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum StoreError {
    /// The database could not be opened, migrated or written.
    #[error("history database {path}: {message}")]
    Db {
        /// The database file.
        path: PathBuf,
        /// What went wrong and what to do.
        message: String,
    },
}

/// An open history database.
#[derive(Debug)]
pub(crate) struct Store {
    conn: Connection,
    path: PathBuf,
}

/// A run being recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RunId(pub i64);

/// One past result of a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PastResult {
    /// The run it belongs to.
    pub run: i64,
    /// Status class.
    pub status: Status,
    /// HTTP status, if any.
    pub http_status: Option<u16>,
    /// Final URL.
    pub final_url: String,
    /// Error text.
    pub error: String,
    /// When it was checked (RFC 3339).
    pub checked_at: String,
    /// Whether it was served from the cache.
    pub cached: bool,
}

/// A [`PastResult`] from the columns run_id, status, http_status, final_url, error,
/// checked_at, cached, starting at column `at`.
fn past_result(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<PastResult> {
    Ok(PastResult {
        run: r.get(at)?,
        status: Status::parse(&r.get::<_, String>(at + 1)?).unwrap_or(Status::Invalid),
        http_status: r.get(at + 2)?,
        final_url: r.get(at + 3)?,
        error: r.get(at + 4)?,
        checked_at: r.get(at + 5)?,
        cached: r.get(at + 6)?,
    })
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    ///
    /// # Errors
    /// The file cannot be created, is not a citecheck database, or is newer than this version.
    pub(crate) fn open(path: &Path) -> Result<Store, StoreError> {
        let db_err = |message: String| StoreError::Db { path: path.to_path_buf(), message };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| db_err(format!("cannot create its folder: {e}")))?;
        }
        let conn = Connection::open(path).map_err(|e| db_err(format!("cannot open: {e}")))?;
        conn.busy_timeout(BUSY_WAIT).map_err(|e| db_err(e.to_string()))?;
        let mut store = Store { conn, path: path.to_path_buf() };
        store.pragma("PRAGMA journal_mode = WAL")?;
        store.pragma("PRAGMA synchronous = NORMAL")?;
        store.pragma("PRAGMA foreign_keys = ON")?;
        store.migrate()?;
        Ok(store)
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        let message = match &e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DatabaseBusy => format!(
                "another citecheck run has held it for more than {}s: wait for that run, or give this one its own --db",
                BUSY_WAIT.as_secs()
            ),
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
                "is not an SQLite database: point --db at another file".to_string()
            }
            _ => e.to_string(),
        };
        StoreError::Db { path: self.path.clone(), message }
    }

    fn pragma(&mut self, sql: &str) -> Result<(), StoreError> {
        // Switching a new file to WAL while another run does the same can answer "busy" at once,
        // without waiting in the busy handler: retry for as long as a writer would wait.
        let deadline = std::time::Instant::now() + BUSY_WAIT;
        loop {
            match self.try_pragma(sql) {
                Err(rusqlite::Error::SqliteFailure(f, _))
                    if f.code == rusqlite::ErrorCode::DatabaseBusy
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(50));
                }
                other => return other.map_err(|e| self.err(e)),
            }
        }
    }

    fn try_pragma(&self, sql: &str) -> rusqlite::Result<()> {
        // journal_mode answers with a row; the others with none.
        let mut stmt = self.conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        while rows.next()?.is_some() {}
        Ok(())
    }

    /// Applies the migrations this file lacks, in one immediate transaction: two runs opening a
    /// new file at once take turns instead of both migrating it.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let fail = |message: String| StoreError::Db { path: path.clone(), message };
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| fail(format!("cannot lock it for migration: {e}")))?;
        let version = tx
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .map_err(|e| fail(e.to_string()))?;
        let version = usize::try_from(version).unwrap_or(usize::MAX);
        if version > MIGRATIONS.len() {
            return Err(fail(format!(
                "has schema version {version}, newer than this citecheck knows ({}): upgrade citecheck",
                MIGRATIONS.len()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            tx.execute_batch(sql).map_err(|e| fail(format!("migration {}: {e}", i + 1)))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64).map_err(|e| fail(e.to_string()))?;
        }
        tx.commit().map_err(|e| fail(e.to_string()))
    }

    /// Starts recording a run.
    ///
    /// # Errors
    /// The database cannot be written.
    pub(crate) fn begin_run(
        &mut self,
        started_at: &str,
        inputs: &[String],
        options: &str,
    ) -> Result<RunId, StoreError> {
        let inputs = serde_json::to_string(inputs).unwrap_or_default();
        self.conn
            .execute(
                "INSERT INTO runs (started_at, inputs, options, version) VALUES (?1, ?2, ?3, ?4)",
                params![started_at, inputs, options, env!("CARGO_PKG_VERSION")],
            )
            .map_err(|e| self.err(e))?;
        Ok(RunId(self.conn.last_insert_rowid()))
    }

    /// Records a batch of results of `run` in one transaction.
    ///
    /// # Errors
    /// The database cannot be written.
    pub(crate) fn record(&mut self, run: RunId, batch: &[(Kind, &str, &Outcome)]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let map = |e: rusqlite::Error| StoreError::Db { path: path.clone(), message: e.to_string() };
        // Immediate: the write lock is taken (waiting for another run) before anything is read.
        let tx =
            self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(&map)?;
        {
            let mut target = tx
                .prepare_cached(
                    "INSERT INTO targets (kind, value, first_seen) VALUES (?1, ?2, ?3)
                     ON CONFLICT (kind, value) DO UPDATE SET kind = kind RETURNING id",
                )
                .map_err(&map)?;
            let mut result = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO results (run_id, target_id, status, http_status, final_url, error,
                        elapsed_ms, checked_at, cached, redirects, content_type)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )
                .map_err(&map)?;
            for (kind, value, o) in batch {
                let id: i64 = target
                    .query_row(params![kind.as_str(), value, o.checked_at], |r| r.get(0))
                    .map_err(&map)?;
                result
                    .execute(params![
                        run.0,
                        id,
                        o.status.as_str(),
                        o.http_status,
                        o.final_url,
                        o.error,
                        o.elapsed_ms as i64,
                        o.checked_at,
                        o.cached,
                        o.hops.len() as i64,
                        o.content_type,
                    ])
                    .map_err(&map)?;
            }
        }
        tx.commit().map_err(&map)
    }

    /// Marks a run finished, and how; an offline run's results are dropped.
    ///
    /// # Errors
    /// The database cannot be written.
    pub(crate) fn finish_run(
        &mut self,
        run: RunId,
        finished_at: &str,
        end: RunEnd,
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let map = |e: rusqlite::Error| StoreError::Db { path: path.clone(), message: e.to_string() };
        let tx =
            self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(&map)?;
        if end == RunEnd::Offline {
            tx.execute("DELETE FROM results WHERE run_id = ?1", params![run.0]).map_err(&map)?;
        }
        tx.execute(
            "UPDATE runs SET finished_at = ?1, outcome = ?2 WHERE id = ?3",
            params![finished_at, end.as_str(), run.0],
        )
        .map_err(&map)?;
        tx.commit().map_err(&map)
    }

    /// Records a push (`saved` or `recent`, with the capture's timestamp).
    ///
    /// # Errors
    /// The database cannot be written.
    pub(crate) fn record_push(
        &mut self,
        url: &str,
        at: &str,
        result: &str,
        timestamp: &str,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO pushes (url, pushed_at, result, timestamp) VALUES (?1, ?2, ?3, ?4)",
                params![url, at, result, timestamp],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// When `url` was last pushed (or found captured), if ever.
    ///
    /// # Errors
    /// The database cannot be read.
    pub(crate) fn last_push(&self, url: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT MAX(pushed_at) FROM pushes WHERE url = ?1", params![url], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// The results of one target, newest first (at most `limit`).
    ///
    /// # Errors
    /// The database cannot be read.
    pub(crate) fn history(
        &self,
        kind: Kind,
        value: &str,
        limit: usize,
    ) -> Result<Vec<PastResult>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT r.run_id, r.status, r.http_status, r.final_url, r.error, r.checked_at, r.cached
                 FROM results r JOIN targets t ON t.id = r.target_id
                 WHERE t.kind = ?1 AND t.value = ?2 ORDER BY r.run_id DESC LIMIT ?3",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![kind.as_str(), value, limit as i64], |r| past_result(r, 0))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// The latest result of a target from runs before `before` (any run when `None`).
    ///
    /// # Errors
    /// The database cannot be read.
    pub(crate) fn last_result(
        &self,
        kind: Kind,
        value: &str,
        before: Option<RunId>,
    ) -> Result<Option<PastResult>, StoreError> {
        let before = before.map_or(i64::MAX, |r| r.0);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT r.run_id, r.status, r.http_status, r.final_url, r.error, r.checked_at, r.cached
                 FROM results r JOIN targets t ON t.id = r.target_id
                 WHERE t.kind = ?1 AND t.value = ?2 AND r.run_id < ?3 ORDER BY r.run_id DESC LIMIT 1",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_row(params![kind.as_str(), value, before], |r| past_result(r, 0))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// First seen, last ok, and the current failing streak of a target (`failing` decides
    /// which statuses count as failures), with its latest result before the latest run.
    ///
    /// # Errors
    /// The database cannot be read.
    pub(crate) fn standing(
        &self,
        kind: Kind,
        value: &str,
        failing: &Failing,
    ) -> Result<Standing, StoreError> {
        Ok(self.timeline(kind, value, failing, &mut Interner::new(0))?.0)
    }

    /// [`Store::standing`] and the result before the latest one, from one query; the
    /// standing's times are shared through `times`.
    ///
    /// # Errors
    /// The database cannot be read.
    pub(crate) fn timeline(
        &self,
        kind: Kind,
        value: &str,
        failing: &Failing,
        times: &mut Interner,
    ) -> Result<(Standing, Option<PastResult>), StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT t.first_seen, r.run_id, r.status, r.http_status, r.final_url, r.error, r.checked_at, r.cached
                 FROM targets t JOIN results r ON r.target_id = t.id
                 WHERE t.kind = ?1 AND t.value = ?2 ORDER BY r.run_id DESC",
            )
            .map_err(|e| self.err(e))?;
        let mut first_seen = String::new();
        let rows = stmt
            .query_map(params![kind.as_str(), value], |r| Ok((r.get::<_, String>(0)?, past_result(r, 1)?)))
            .map_err(|e| self.err(e))?;
        let mut past = Vec::new();
        for row in rows {
            let (seen, p) = row.map_err(|e| self.err(e))?;
            first_seen = seen;
            past.push(p);
        }
        let last_ok = past.iter().find(|p| p.status == Status::Ok).map_or("", |p| p.checked_at.as_str());
        let streak = past.iter().take_while(|p| failing.is_failure(p.status)).count();
        let failing_since =
            past.get(streak.wrapping_sub(1)).filter(|_| streak > 0).map_or("", |p| p.checked_at.as_str());
        let standing = Standing {
            first_seen: times.get(&first_seen),
            last_ok: times.get(last_ok),
            failing_since: times.get(failing_since),
            consecutive_failures: streak as u32,
        };
        Ok((standing, past.into_iter().nth(1)))
    }
}
