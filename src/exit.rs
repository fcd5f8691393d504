//! The exit codes of the command line, one per kind of failure.

/// Process exit codes, documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    Ok = 0,
    /// Data or template errors.
    Input = 1,
    Usage = 2,
    /// Reading or writing files failed.
    Io = 3,
    /// Stopped by Ctrl-C before every file was written.
    Interrupted = crate::interrupt::EXIT_STATUS as isize,
}

impl Exit {
    /// The exit code for a failure of this kind.
    pub fn of(d: &crate::diag::Diagnostic) -> Exit {
        match d.kind {
            crate::diag::Kind::Io => Exit::Io,
            crate::diag::Kind::Usage => Exit::Usage,
            crate::diag::Kind::Input
            | crate::diag::Kind::MissingGlyph(_)
            | crate::diag::Kind::Picture => Exit::Input,
        }
    }
}
