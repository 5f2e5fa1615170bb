//! The journal: every event in SQLite (WAL mode), written by one thread
//! with group commit — whatever is queued goes in one transaction, then
//! every event of it is acknowledged. A reply leaves only after its event's
//! commit, so an acknowledged event survives a crash of the process
//! (`synchronous=NORMAL`) or of the machine (`synchronous=FULL`).

use crate::event::Event;
use crate::metrics::Metrics;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{path}: creating the state directory: {source}")]
    Dir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: event {seq} is unreadable: {reason}")]
    Corrupt { path: PathBuf, seq: i64, reason: String },
}

/// How hard a commit waits for the disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyncMode {
    /// Survives `kill -9` (the WAL is in the OS's hands); not a power cut.
    #[default]
    Normal,
    /// fsync at every commit: survives a power cut too.
    Full,
}

/// Called once its event is committed (`Ok`) or failed to commit.
pub type Ack = Box<dyn FnOnce(Result<(), String>) + Send>;

/// The sending end of the writer thread.
#[derive(Clone)]
pub struct JournalWriter {
    tx: Sender<(String, Ack)>,
}

impl JournalWriter {
    /// Queues an event; `ack` runs after its commit.
    pub fn append(&self, event: &Event, ack: Ack) {
        let body = serde_json::to_string(event).expect("events serialise");
        if let Err(e) = self.tx.send((body, ack)) {
            let (_, ack) = e.0;
            ack(Err("the journal writer has stopped".into()));
        }
    }
}

pub const FILE: &str = "journal.sqlite";

/// Opens (creating) the journal in `dir`; returns the events it holds, in
/// order, and a writer appending after them.
pub fn open(dir: &Path, sync: SyncMode, metrics: Arc<Metrics>) -> Result<(Vec<Event>, JournalWriter), JournalError> {
    std::fs::create_dir_all(dir).map_err(|source| JournalError::Dir {
        path: dir.to_path_buf(),
        source,
    })?;
    let path = dir.join(FILE);
    let sqlite = |source| JournalError::Sqlite {
        path: path.clone(),
        source,
    };
    let conn = Connection::open(&path).map_err(sqlite)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .map_err(sqlite)?;
    debug_assert_eq!(mode.to_lowercase(), "wal");
    let sync_sql = match sync {
        SyncMode::Normal => "PRAGMA synchronous=NORMAL",
        SyncMode::Full => "PRAGMA synchronous=FULL",
    };
    conn.execute_batch(sync_sql).map_err(sqlite)?;
    conn.execute_batch("CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .map_err(sqlite)?;
    let events = read_all(&conn, &path)?;
    let (tx, rx) = channel();
    std::thread::Builder::new()
        .name("journal".into())
        .spawn(move || write_loop(conn, rx, metrics))
        .map_err(|source| JournalError::Dir {
            path: dir.to_path_buf(),
            source,
        })?;
    Ok((events, JournalWriter { tx }))
}

fn read_all(conn: &Connection, path: &Path) -> Result<Vec<Event>, JournalError> {
    let sqlite = |source| JournalError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    let mut stmt = conn
        .prepare("SELECT seq, body FROM events ORDER BY seq")
        .map_err(sqlite)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .map_err(sqlite)?;
    let mut events = Vec::new();
    for row in rows {
        let (seq, body) = row.map_err(sqlite)?;
        let event = serde_json::from_str(&body).map_err(|e| JournalError::Corrupt {
            path: path.to_path_buf(),
            seq,
            reason: e.to_string(),
        })?;
        events.push(event);
    }
    Ok(events)
}

/// Most events in one transaction: bounds a commit's latency.
const MAX_BATCH: usize = 4096;

fn write_loop(mut conn: Connection, rx: Receiver<(String, Ack)>, metrics: Arc<Metrics>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let clock = Instant::now();
        let result = commit(&mut conn, &batch).map_err(|e| e.to_string());
        if let Err(e) = &result {
            tracing::error!(error = %e, events = batch.len(), "journal commit failed");
        }
        metrics.journal_commit_seconds.observe(clock.elapsed().as_secs_f64());
        metrics.journal_batch_events.observe(batch.len() as f64);
        metrics.journal_lag.dec_by(batch.len() as i64);
        for (_, ack) in batch {
            ack(result.clone());
        }
    }
}

fn commit(conn: &mut Connection, batch: &[(String, Ack)]) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare_cached("INSERT INTO events (body) VALUES (?1)")?;
        for (body, _) in batch {
            insert.execute([body])?;
        }
    }
    tx.commit()
}
