//! Ctrl-C: the first interrupt lets the files being written finish or be
//! discarded and stops starting new ones, so no output is left half
//! written and no earlier output is replaced by an incomplete one; a second
//! interrupt ends the process at once.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Exit status of a process ended by SIGINT, by shell convention.
pub const EXIT_STATUS: u8 = 130;

#[cfg(unix)]
extern "C" fn on_signal(_: libc::c_int) {
    // Only async-signal-safe work here: an atomic swap and _exit.
    if REQUESTED.swap(true, Ordering::SeqCst) {
        unsafe { libc::_exit(EXIT_STATUS as libc::c_int) };
    }
}

/// Catches SIGINT and SIGTERM for the rest of the process.
pub fn install() {
    #[cfg(unix)]
    unsafe {
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}
