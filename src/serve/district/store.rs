//! The district desk's records: accounts, sessions, each unit's state and
//! every save, in one SQLite file under the district's folder (WAL, so a
//! copy of the folder taken between writes is a sound back-up and
//! `gongwen backup` can take one while the desk runs).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rusqlite::{params, Connection, OptionalExtension};

/// The folder inside the district's folder that holds the records.
pub const FOLDER: &str = ".gongwen";
const FILE: &str = "desk.sqlite";

/// How long a login lasts without being used.
pub const SESSION_SECS: i64 = 8 * 3600;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    unit TEXT,
    hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    csrf TEXT NOT NULL,
    viewing TEXT,
    expires INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS states (
    unit TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    by TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS saves (
    id INTEGER PRIMARY KEY,
    unit TEXT NOT NULL,
    file TEXT NOT NULL,
    user TEXT NOT NULL,
    at INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    changed TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS saves_by_file ON saves(unit, file, id);
CREATE TABLE IF NOT EXISTS unlocks (
    name TEXT PRIMARY KEY,
    at INTEGER NOT NULL
);
";

pub struct Store {
    db: Mutex<Connection>,
}

/// Who is logged in: an account, its unit (`None`: the 公开办), the token
/// its pages carry, and the unit the 公开办 is looking at.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: String,
    pub unit: Option<String>,
    pub csrf: String,
    pub viewing: Option<String>,
}

/// A unit's state as the 公开办 set it; a unit never set is being filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handed {
    Submitted,
    Returned,
    Passed,
}

impl Handed {
    fn key(self) -> &'static str {
        match self {
            Handed::Submitted => "submitted",
            Handed::Returned => "returned",
            Handed::Passed => "passed",
        }
    }

    fn from_key(k: &str) -> Option<Handed> {
        match k {
            "submitted" => Some(Handed::Submitted),
            "returned" => Some(Handed::Returned),
            "passed" => Some(Handed::Passed),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct State {
    pub handed: Handed,
    pub comment: String,
    pub by: String,
    pub at: i64,
}

/// One recorded save of a file.
#[derive(Debug, Clone)]
pub struct Version {
    pub id: i64,
    pub file: String,
    pub user: String,
    pub at: i64,
    pub changed: Vec<String>,
}

pub fn now() -> i64 {
    now_ms() / 1000
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn failed(e: rusqlite::Error) -> String {
    if busy(&e) {
        return format!(
            "记录库（{FOLDER}/{FILE}）正被另一个程序占用，等了 10 秒仍未释放：稍后再试；\
             若公文台或另一个 gongwen user 命令正在运行，等它完成"
        );
    }
    format!("记录库（{FOLDER}/{FILE}）读写失败：{e}")
}

/// SQLite's "busy" and "locked": another connection holds the file.
fn busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Random hex from the system's generator.
pub fn random() -> Result<String, String> {
    let mut bytes = [0u8; 24];
    fill_random(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn fill_random(bytes: &mut [u8]) -> Result<(), String> {
    // argon2's salts come from the same generator.
    ::getrandom::fill(bytes).map_err(|e| format!("无法取得随机数：{e}"))
}

/// A session id as stored: its digest, so a copy of the records holds no
/// live login.
fn digest(id: &str) -> String {
    use sm3::Digest as _;
    sm3::Sm3::digest(id.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn path(district: &Path) -> PathBuf {
    district.join(FOLDER).join(FILE)
}

impl Store {
    pub fn open(district: &Path) -> Result<Store, String> {
        let folder = district.join(FOLDER);
        std::fs::create_dir_all(&folder).map_err(|e| {
            format!(
                "无法建立记录文件夹 {}：{}",
                folder.display(),
                crate::diag::io_message(&e)
            )
        })?;
        // Password hashes and logins: for the desk's own account only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let _ = std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700));
        }
        let db = Connection::open(path(district)).map_err(failed)?;
        let wait = std::time::Duration::from_secs(10);
        db.busy_timeout(wait).map_err(failed)?;
        // Several `gongwen user add` run at once (a script adding a
        // district's units) or beside the desk can meet while the file is
        // new: switching it to WAL and creating the tables can find it
        // busy where SQLite does not wait, so the setting up is retried.
        let started = std::time::Instant::now();
        loop {
            let set_up = db
                .pragma_update(None, "journal_mode", "WAL")
                .and_then(|()| db.pragma_update(None, "synchronous", "NORMAL"))
                .and_then(|()| db.execute_batch(&format!("BEGIN IMMEDIATE;{SCHEMA}COMMIT;")));
            match set_up {
                Ok(()) => break,
                Err(e) if busy(&e) && started.elapsed() < wait => {
                    let _ = db.execute_batch("ROLLBACK");
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => return Err(failed(e)),
            }
        }
        Ok(Store { db: Mutex::new(db) })
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds an account, or with `reset` sets a new password (and enables
    /// it again).
    pub fn set_user(
        &self,
        name: &str,
        unit: Option<&str>,
        password: &str,
        reset: bool,
    ) -> Result<(), String> {
        let hash = argon2::Argon2::default()
            .hash_password(password.as_bytes())
            .map_err(|e| format!("无法计算密码的散列：{e}"))?
            .to_string();
        let db = self.db();
        let exists: Option<Option<String>> = db
            .query_row("SELECT unit FROM users WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(failed)?;
        match (exists, reset) {
            (Some(_), false) => Err(format!("已有账号「{name}」：改密码用 gongwen user reset")),
            (None, true) => Err(format!("没有账号「{name}」：新建用 gongwen user add")),
            (Some(_), true) => {
                db.execute(
                    "UPDATE users SET hash = ?2, disabled = 0 WHERE name = ?1",
                    params![name, hash],
                )
                .map_err(failed)?;
                db.execute("DELETE FROM sessions WHERE user = ?1", [name])
                    .map_err(failed)?;
                // The running desk keeps its failed-login counts in
                // memory: this tells it the account's lock is over.
                db.execute(
                    "INSERT INTO unlocks (name, at) VALUES (?1, ?2) \
                     ON CONFLICT(name) DO UPDATE SET at = ?2",
                    params![name, now_ms()],
                )
                .map_err(failed)?;
                Ok(())
            }
            (None, false) => db
                .execute(
                    "INSERT INTO users (name, unit, hash, created) VALUES (?1, ?2, ?3, ?4)",
                    params![name, unit, hash, now()],
                )
                .map(drop)
                .map_err(failed),
        }
    }

    /// Disables an account and ends its sessions.
    pub fn disable(&self, name: &str) -> Result<(), String> {
        let db = self.db();
        let n = db
            .execute("UPDATE users SET disabled = 1 WHERE name = ?1", [name])
            .map_err(failed)?;
        if n == 0 {
            return Err(format!("没有账号「{name}」"));
        }
        db.execute("DELETE FROM sessions WHERE user = ?1", [name])
            .map_err(failed)?;
        Ok(())
    }

    /// A new session for the account if the password is its own; `None`
    /// for a wrong name, password or a disabled account alike.
    pub fn login(&self, name: &str, password: &str) -> Result<Option<String>, String> {
        let row: Option<(String, bool)> = self
            .db()
            .query_row(
                "SELECT hash, disabled FROM users WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(failed)?;
        // The hash is computed (and slow) whether or not the name exists.
        let (hash, disabled) = row.unwrap_or_else(|| (DUMMY.to_string(), true));
        let good = argon2::Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok();
        if !good || disabled {
            return Ok(None);
        }
        let id = random()?;
        let csrf = random()?;
        let db = self.db();
        db.execute("DELETE FROM sessions WHERE expires < ?1", [now()])
            .map_err(failed)?;
        db.execute(
            "INSERT INTO sessions (id, user, csrf, expires) VALUES (?1, ?2, ?3, ?4)",
            params![digest(&id), name, csrf, now() + SESSION_SECS],
        )
        .map_err(failed)?;
        Ok(Some(id))
    }

    /// When the account's password was last reset (ms since the epoch).
    pub fn unlocked(&self, name: &str) -> Result<Option<i64>, String> {
        self.db()
            .query_row("SELECT at FROM unlocks WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(failed)
    }

    /// The live session a cookie names (its expiry moved on), with its
    /// account's unit.
    pub fn session(&self, id: &str) -> Result<Option<Session>, String> {
        let db = self.db();
        let key = digest(id);
        let s = db
            .query_row(
                "SELECT s.user, u.unit, s.csrf, s.viewing FROM sessions s JOIN users u ON u.name = s.user \
                 WHERE s.id = ?1 AND s.expires >= ?2 AND u.disabled = 0",
                params![key, now()],
                |r| {
                    Ok(Session {
                        user: r.get(0)?,
                        unit: r.get(1)?,
                        csrf: r.get(2)?,
                        viewing: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(failed)?;
        if s.is_some() {
            db.execute(
                "UPDATE sessions SET expires = ?2 WHERE id = ?1",
                params![key, now() + SESSION_SECS],
            )
            .map_err(failed)?;
        }
        Ok(s)
    }

    pub fn view(&self, id: &str, unit: Option<&str>) -> Result<(), String> {
        self.db()
            .execute(
                "UPDATE sessions SET viewing = ?2 WHERE id = ?1",
                params![digest(id), unit],
            )
            .map(drop)
            .map_err(failed)
    }

    pub fn logout(&self, id: &str) -> Result<(), String> {
        self.db()
            .execute("DELETE FROM sessions WHERE id = ?1", [digest(id)])
            .map(drop)
            .map_err(failed)
    }

    pub fn state(&self, unit: &str) -> Result<Option<State>, String> {
        self.db()
            .query_row(
                "SELECT state, comment, by, at FROM states WHERE unit = ?1",
                [unit],
                |r| {
                    let k: String = r.get(0)?;
                    Ok((k, r.get(1)?, r.get(2)?, r.get(3)?))
                },
            )
            .optional()
            .map_err(failed)
            .map(|row| {
                row.and_then(|(k, comment, by, at)| {
                    Some(State {
                        handed: Handed::from_key(&k)?,
                        comment,
                        by,
                        at,
                    })
                })
            })
    }

    pub fn set_state(
        &self,
        unit: &str,
        handed: Handed,
        comment: &str,
        by: &str,
    ) -> Result<(), String> {
        self.db()
            .execute(
                "INSERT INTO states (unit, state, comment, by, at) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT(unit) DO UPDATE SET state = ?2, comment = ?3, by = ?4, at = ?5",
                params![unit, handed.key(), comment, by, now()],
            )
            .map(drop)
            .map_err(failed)
    }

    pub fn record(
        &self,
        unit: &str,
        file: &str,
        user: &str,
        bytes: &[u8],
        changed: &[String],
    ) -> Result<(), String> {
        self.db()
            .execute(
                "INSERT INTO saves (unit, file, user, at, bytes, changed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![unit, file, user, now(), bytes, changed.join("\n")],
            )
            .map(drop)
            .map_err(failed)
    }

    /// Who saved last in a unit, and when.
    pub fn last_save(&self, unit: &str) -> Result<Option<(String, i64)>, String> {
        self.db()
            .query_row(
                "SELECT user, at FROM saves WHERE unit = ?1 ORDER BY id DESC LIMIT 1",
                [unit],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(failed)
    }

    /// A unit's saves, the latest first.
    pub fn versions(&self, unit: &str) -> Result<Vec<Version>, String> {
        let db = self.db();
        let mut q = db
            .prepare(
                "SELECT id, file, user, at, changed FROM saves WHERE unit = ?1 ORDER BY id DESC",
            )
            .map_err(failed)?;
        let rows = q
            .query_map([unit], |r| {
                let changed: String = r.get(4)?;
                Ok(Version {
                    id: r.get(0)?,
                    file: r.get(1)?,
                    user: r.get(2)?,
                    at: r.get(3)?,
                    changed: changed
                        .lines()
                        .filter(|l| !l.is_empty())
                        .map(str::to_string)
                        .collect(),
                })
            })
            .map_err(failed)?;
        rows.collect::<Result<_, _>>().map_err(failed)
    }

    /// One save of a unit's: the file's name and the bytes saved.
    pub fn version(&self, unit: &str, id: i64) -> Result<Option<(String, Vec<u8>)>, String> {
        self.db()
            .query_row(
                "SELECT file, bytes FROM saves WHERE unit = ?1 AND id = ?2",
                params![unit, id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(failed)
    }

    /// How many saves are recorded (the load test counts them).
    pub fn count(&self) -> Result<i64, String> {
        self.db()
            .query_row("SELECT count(*) FROM saves", [], |r| r.get(0))
            .map_err(failed)
    }

    /// A copy of the records while the desk may be running (SQLite's
    /// own back-up, consistent with the WAL).
    pub fn backup(&self, to: &Path) -> Result<(), String> {
        self.db()
            .execute("VACUUM INTO ?1", [to.to_string_lossy()])
            .map(drop)
            .map_err(failed)
    }
}

/// An argon2id hash no password matches, verified for an unknown name so
/// that a wrong name takes as long as a wrong password.
const DUMMY: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ZmFrZWhhc2hmYWtlaGFzaGZha2VoYXNoZmFrZWg";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_check_the_password_and_end_when_expired_or_disabled() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.set_user("a", Some("甲"), "password1", false).unwrap();
        let hash: String = store
            .db()
            .query_row("SELECT hash FROM users", [], |r| r.get(0))
            .unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(store.login("a", "password2").unwrap().is_none());
        assert!(store.login("b", "password1").unwrap().is_none());
        let id = store.login("a", "password1").unwrap().unwrap();
        let s = store.session(&id).unwrap().unwrap();
        assert_eq!((s.user.as_str(), s.unit.as_deref()), ("a", Some("甲")));
        // Kept as a digest: the id itself is not in the records.
        let kept: i64 = store
            .db()
            .query_row("SELECT count(*) FROM sessions WHERE id = ?1", [&id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(kept, 0);
        store
            .db()
            .execute("UPDATE sessions SET expires = ?1", [now() - 1])
            .unwrap();
        assert!(store.session(&id).unwrap().is_none());
        let id = store.login("a", "password1").unwrap().unwrap();
        store.disable("a").unwrap();
        assert!(store.session(&id).unwrap().is_none());
        assert!(store.login("a", "password1").unwrap().is_none());
        assert_eq!(store.unlocked("a").unwrap(), None);
        let before = now_ms();
        store.set_user("a", None, "password3", true).unwrap();
        assert!(store.login("a", "password3").unwrap().is_some());
        assert!(store.unlocked("a").unwrap().is_some_and(|at| at >= before));
    }
}
