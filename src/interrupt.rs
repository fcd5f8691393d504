//! Ctrl-C, SIGTERM and SIGHUP (and Ctrl-C or closing the console on
//! Windows): the first lets the files being written finish or be discarded
//! and stops starting new ones, so no output is left half written and no
//! earlier output is replaced by an incomplete one; a second ends the
//! process at once, removing the temporary files it was writing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

static REQUESTED: AtomicBool = AtomicBool::new(false);
static INSTALLED: AtomicBool = AtomicBool::new(false);
/// What must be undone before the process ends at once: the writer of
/// outputs gives its removal of the temporary files it is writing.
static BEFORE_EXIT: OnceLock<fn()> = OnceLock::new();

/// Exit status of a process ended by SIGINT, by shell convention.
pub const EXIT_STATUS: u8 = 130;

/// How long the reports under way may take to finish after a signal.
const GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Catches the signals for the rest of the process (once; later calls do
/// nothing).
pub fn install() {
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    // The handler runs on a thread of its own, not in signal context, so
    // it may remove files.
    #[cfg(not(target_arch = "wasm32"))]
    let _ = ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            if let Some(undo) = BEFORE_EXIT.get() {
                undo();
            }
            std::process::exit(EXIT_STATUS as i32);
        }
        // A report being drawn (a costly seal, a long table) does not look
        // at the flag: after a grace period the process ends as on a second
        // signal, so SIGTERM from a service manager is never ignored.
        std::thread::spawn(|| {
            std::thread::sleep(GRACE);
            if let Some(undo) = BEFORE_EXIT.get() {
                undo();
            }
            std::process::exit(EXIT_STATUS as i32);
        });
    });
}

/// Has `undo` run when a second signal ends the process (the first given
/// is kept).
pub fn before_exit(undo: fn()) {
    let _ = BEFORE_EXIT.set(undo);
}

pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}
