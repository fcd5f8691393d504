//! Writing outputs without losing or mixing files.
//!
//! A report's PDF and DOCX are a pair. They are written to temporary files
//! created exclusively beside their targets (never through a planted link),
//! and renamed into place only when both are complete and both targets can
//! be replaced; a rename that fails anyway puts the earlier file back. The
//! whole replacement runs under a lock on the output directory, so two
//! processes writing the same names cannot interleave into a mixed pair,
//! and temporary files that a killed process left behind are removed then.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::diag::{io_message, Diagnostic};

/// Ending of every temporary file gongwen makes, so stale ones are known.
const TEMP_SUFFIX: &str = ".gongwen-tmp";

/// Temporary files being written, removed by [`discard_all`] when the
/// process is ended before it could clean up.
static OPEN: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Held while a pair of files is renamed into place.
static PLACING: Mutex<()> = Mutex::new(());

/// Removes every temporary file still being written: the second Ctrl-C
/// ends the process without unwinding.
pub fn discard_all() {
    // Files being renamed into place finish first: a pair is never left
    // half replaced.
    let _placing = PLACING.lock();
    if let Ok(open) = OPEN.lock() {
        for p in open.iter() {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn track(path: &Path, on: bool) {
    crate::interrupt::before_exit(discard_all);
    if let Ok(mut open) = OPEN.lock() {
        if on {
            open.push(path.to_path_buf());
        } else {
            open.retain(|p| p != path);
        }
    }
}

/// Inputs whose outputs would land on the same files (`A/r.toml` and
/// `B/r.toml` with `-o out`, or `r.toml` beside `r.json`): an error for
/// each such group, naming every input of it, and the inputs to skip.
pub fn collisions(inputs: &[&PathBuf], out_dir: Option<&Path>) -> (Vec<Diagnostic>, Vec<PathBuf>) {
    let mut by_target: BTreeMap<PathBuf, (PathBuf, Vec<&PathBuf>)> = BTreeMap::new();
    for file in inputs {
        let shown = shown_stem(file, out_dir);
        let canonical = shown
            .parent()
            .and_then(|d| d.canonicalize().ok())
            .zip(shown.file_name())
            .map_or_else(|| shown.clone(), |(d, n)| d.join(n));
        by_target
            .entry(canonical)
            .or_insert((shown, Vec::new()))
            .1
            .push(file);
    }
    let mut errors = Vec::new();
    let mut skip = Vec::new();
    for (_, (stem, files)) in by_target {
        if files.len() < 2 {
            continue;
        }
        let names: Vec<String> = files
            .iter()
            .map(|f| format!("「{}」", f.display()))
            .collect();
        errors.push(
            Diagnostic::error(format!(
                "{}都会写出 {}.pdf 和 {}.docx，会互相覆盖；这几个文件都未生成",
                names.join("和"),
                stem.display(),
                stem.display()
            ))
            .hint("给其中一个文件改名，或分几次用不同的 -o 输出目录生成"),
        );
        skip.extend(files.into_iter().cloned());
    }
    (errors, skip)
}

/// The output directory and stem of an input, as a path without extension,
/// as the user wrote it.
fn shown_stem(file: &Path, out_dir: Option<&Path>) -> PathBuf {
    let dir = out_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| file.parent().map(Path::to_path_buf).unwrap_or_default());
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    dir.join(stem)
}

/// Writes one file like [`write_pair`].
pub fn write_atomic(target: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    write_pair(&[(target.to_path_buf(), bytes)])
}

/// As [`write_atomic`], the new file made with the permissions the file
/// it replaces has: a data file kept private (0600) stays private, from
/// the temporary file on.
pub fn rewrite_atomic(target: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let kept = std::fs::symlink_metadata(target)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.permissions());
    write_files(&[(target.to_path_buf(), bytes)], kept)
}

/// Writes files that belong together (a report's PDF and DOCX) into one
/// directory: all of them or none replace the earlier ones.
pub fn write_pair(files: &[(PathBuf, &[u8])]) -> Result<(), Diagnostic> {
    write_files(files, None)
}

fn write_files(
    files: &[(PathBuf, &[u8])],
    permissions: Option<std::fs::Permissions>,
) -> Result<(), Diagnostic> {
    let Some((first, _)) = files.first() else {
        return Ok(());
    };
    let dir = parent(first);
    let _lock = lock(&dir)?;
    for (target, _) in files {
        remove_stale(&dir, target);
        check_replaceable(target)?;
    }
    let mut temps = Vec::new();
    let mut open = Vec::new();
    for (target, bytes) in files {
        match write_temp(&dir, target, bytes, permissions.clone()) {
            Ok((t, file)) => {
                temps.push(t);
                open.push(file);
            }
            Err(e) => {
                drop_temps(temps);
                return Err(failure(target, "无法写出文件", &e));
            }
        }
    }
    // The files' data goes out together and is on the disk before any is
    // synced: on ext4 their new sizes then join the one journal
    // transaction the first sync commits, and the later syncs find nothing
    // to commit; synced one after the other, each took a commit and a
    // flush of the disk's cache. A head start only: the syncs below are
    // what makes the files durable.
    #[cfg(target_os = "linux")]
    for flags in [
        libc::SYNC_FILE_RANGE_WRITE,
        libc::SYNC_FILE_RANGE_WAIT_BEFORE
            | libc::SYNC_FILE_RANGE_WRITE
            | libc::SYNC_FILE_RANGE_WAIT_AFTER,
    ] {
        use std::os::fd::AsRawFd;
        for file in &open {
            unsafe { libc::sync_file_range(file.as_raw_fd(), 0, 0, flags) };
        }
    }
    for (file, (target, _)) in open.iter().zip(files) {
        if let Err(e) = file.sync_all() {
            drop_temps(temps);
            return Err(failure(target, "无法写出文件", &e));
        }
    }
    drop(open);
    if crate::interrupt::requested() {
        drop_temps(temps);
        return Err(Diagnostic::io("已中断，未写出").in_file(first));
    }
    // Hard links keep the earlier files, so a rename failing half-way can
    // put back the one already replaced.
    let _placing = PLACING.lock();
    let mut backups: Vec<Option<PathBuf>> = Vec::new();
    for (target, _) in files {
        backups.push(backup(&dir, target));
    }
    let mut placed = 0;
    let mut result = Ok(());
    for (tmp, (target, _)) in temps.iter().zip(files) {
        if let Err(e) = std::fs::rename(tmp, target) {
            result = Err(failure(target, "无法替换文件", &e));
            break;
        }
        track(tmp, false);
        placed += 1;
    }
    if result.is_err() {
        for ((target, _), b) in files.iter().zip(&backups).take(placed) {
            match b {
                Some(b) => {
                    let _ = std::fs::rename(b, target);
                }
                None => {
                    let _ = std::fs::remove_file(target);
                }
            }
        }
        drop_temps(temps.split_off(placed));
    }
    for b in backups.into_iter().flatten() {
        let _ = std::fs::remove_file(&b);
        track(&b, false);
    }
    result
}

fn parent(target: &Path) -> PathBuf {
    match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn failure(path: &Path, what: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::io(format!("{what}：{}", io_message(e))).in_file(path)
}

fn temp_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.")
}

/// A new file that did not exist before (`O_EXCL`: a link planted under
/// its name makes creation fail rather than write through it).
fn new_temp(
    dir: &Path,
    target: &Path,
    permissions: Option<std::fs::Permissions>,
) -> std::io::Result<tempfile::NamedTempFile> {
    let prefix = temp_prefix(target);
    let mut b = tempfile::Builder::new();
    b.prefix(&prefix).suffix(TEMP_SUFFIX);
    if let Some(p) = permissions {
        b.permissions(p);
    } else {
        // An output is an ordinary file (0666 less the umask), not a
        // private temporary one: the published PDF must stay readable by
        // others.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            b.permissions(std::fs::Permissions::from_mode(0o666));
        }
    }
    b.tempfile_in(dir)
}

/// A temporary file beside `target` with `bytes` written, not yet synced.
fn write_temp(
    dir: &Path,
    target: &Path,
    bytes: &[u8],
    permissions: Option<std::fs::Permissions>,
) -> std::io::Result<(PathBuf, std::fs::File)> {
    let mut tmp = new_temp(dir, target, permissions)?;
    track(tmp.path(), true);
    let written = tmp.write_all(bytes);
    // Kept on disk until renamed; the registry removes it if the process
    // is stopped first.
    let (file, path) = tmp.keep().map_err(|e| e.error)?;
    if let Err(e) = written {
        let _ = std::fs::remove_file(&path);
        track(&path, false);
        return Err(e);
    }
    Ok((path, file))
}

fn drop_temps(temps: Vec<PathBuf>) {
    for t in temps {
        let _ = std::fs::remove_file(&t);
        track(&t, false);
    }
}

fn backup(dir: &Path, target: &Path) -> Option<PathBuf> {
    if !target.is_file() {
        return None;
    }
    let path = new_temp(dir, target, None)
        .ok()?
        .into_temp_path()
        .keep()
        .ok()?;
    let _ = std::fs::remove_file(&path);
    track(&path, true);
    std::fs::hard_link(target, &path).ok().map(|()| path)
}

/// The earlier file must be replaceable before anything is renamed: a
/// target that cannot be opened for writing is read-only, immutable or
/// (on Windows) open in Word or WPS.
fn check_replaceable(target: &Path) -> Result<(), Diagnostic> {
    if target.is_dir() {
        return Err(Diagnostic::io("无法写出文件：同名的目录已存在").in_file(target));
    }
    match std::fs::symlink_metadata(target) {
        // A rename replaces the link itself, never the file it points to.
        Ok(m) if m.file_type().is_symlink() => Ok(()),
        // Opening a FIFO for writing would wait for a reader for ever.
        Ok(m) if !m.is_file() => Err(Diagnostic::io(
            "无法写出文件：同名的管道、设备或套接字已存在，不是普通文件，未写出",
        )
        .in_file(target)
        .hint("删去或改名这个同名的特殊文件，或用 -o 换一个输出目录")),
        Ok(_) => match append_nonblocking(target) {
            Ok(_) => Ok(()),
            Err(e) => Err(failure(target, "文件无法替换，原有文件保持不变", &e)
                .hint("请先在 Word、WPS 或其他程序中关闭该文件，并确认它不是只读的")),
        },
        Err(_) => Ok(()),
    }
}

fn append_nonblocking(target: &Path) -> std::io::Result<std::fs::File> {
    let mut open = std::fs::OpenOptions::new();
    open.append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.custom_flags(libc::O_NONBLOCK);
    }
    open.open(target)
}

/// Temporary files of `target` left by a process that was killed: the
/// directory lock is held, so none of them is being written now.
fn remove_stale(dir: &Path, target: &Path) {
    let prefix = temp_prefix(target);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&prefix) && name.ends_with(TEMP_SUFFIX) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(unix)]
struct DirLock(std::fs::File);

#[cfg(unix)]
impl Drop for DirLock {
    fn drop(&mut self) {
        use std::os::fd::AsRawFd;
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}

/// How long a render waits for another process to finish writing into
/// the same directory; anyone who can read the directory can hold its
/// lock, so the wait must end.
#[cfg(unix)]
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The output directories this process holds locked. A `flock` belongs to
/// one opening of the directory, so a second thread opening it again would
/// wait for the first as for another process: the threads of a batch share
/// one lock instead.
#[cfg(unix)]
static HELD: Mutex<Vec<(PathBuf, std::sync::Weak<DirLock>)>> = Mutex::new(Vec::new());

#[cfg(unix)]
fn lock(dir: &Path) -> Result<std::sync::Arc<DirLock>, Diagnostic> {
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    held.retain(|(_, l)| l.strong_count() > 0);
    if let Some(l) = held
        .iter()
        .filter(|(d, _)| d == dir)
        .find_map(|(_, l)| l.upgrade())
    {
        return Ok(l);
    }
    let l = std::sync::Arc::new(lock_alone(dir)?);
    held.push((dir.to_path_buf(), std::sync::Arc::downgrade(&l)));
    Ok(l)
}

#[cfg(unix)]
fn lock_alone(dir: &Path) -> Result<DirLock, Diagnostic> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::MetadataExt;
    let f = crate::data::open_nonblocking(dir).map_err(|e| failure(dir, "无法锁定输出目录", &e))?;
    let started = std::time::Instant::now();
    loop {
        if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            return Ok(DirLock(f));
        }
        let e = std::io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EWOULDBLOCK)
            && e.kind() != std::io::ErrorKind::Interrupted
        {
            return Err(failure(dir, "无法锁定输出目录", &e));
        }
        if crate::interrupt::requested() {
            return Err(Diagnostic::io("已中断，未写出").in_file(dir));
        }
        if started.elapsed() >= LOCK_WAIT {
            let holder = f
                .metadata()
                .ok()
                .and_then(|m| lock_holder(m.dev(), m.ino()));
            let who = match holder {
                Some((pid, name)) => format!("进程 {pid}（{name}）"),
                None => "另一个程序".to_string(),
            };
            return Err(Diagnostic::io(format!(
                "输出目录被{who}锁定，等了 {} 秒仍未释放，未写出",
                LOCK_WAIT.as_secs()
            ))
            .in_file(dir)
            .hint("等那个程序写完再试；它若已无响应，结束它，或用 -o 换一个输出目录"));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The process holding a `flock` on the file `dev`/`ino`, and its name,
/// as `/proc/locks` tells (Linux).
#[cfg(unix)]
fn lock_holder(dev: u64, ino: u64) -> Option<(u32, String)> {
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    let (major, minor) = (
        libc::major(dev as libc::dev_t),
        libc::minor(dev as libc::dev_t),
    );
    let wanted = format!("{major:02x}:{minor:02x}:{ino}");
    let pid: u32 = locks.lines().find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; a waiter's
        // line has "->" after its number.
        (f.get(1) == Some(&"FLOCK") && f.get(5) == Some(&wanted.as_str()))
            .then(|| f.get(4)?.parse().ok())
            .flatten()
    })?;
    let name = std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|n| n.trim().to_string())
        .unwrap_or_else(|_| "名称不详".into());
    Some((pid, name))
}

#[cfg(not(unix))]
fn lock(_: &Path) -> Result<(), Diagnostic> {
    Ok(())
}
