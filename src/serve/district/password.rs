//! A password typed at the terminal, not shown while typed, asked twice.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

/// Reads one line from the terminal with its echo off (where the terminal
/// lets it be turned off).
fn hidden_line(prompt: &str) -> Result<String, String> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let _quiet = Quiet::new();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("无法读取密码：{e}"))?;
    eprintln!();
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub fn ask() -> Result<String, String> {
    if !std::io::stdin().is_terminal() {
        return Err("没有终端可输入密码：脚本中用 --password-stdin 从标准输入给出".into());
    }
    let first = hidden_line("新密码：")?;
    let again = hidden_line("再输入一次：")?;
    if first != again {
        return Err("两次输入的密码不同，未改动".into());
    }
    Ok(first)
}

/// The terminal's echo, off while this lives.
struct Quiet {
    #[cfg(unix)]
    saved: Option<libc::termios>,
}

impl Quiet {
    #[cfg(unix)]
    fn new() -> Quiet {
        // SAFETY: tcgetattr/tcsetattr on standard input with a termios
        // the call itself fills in.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut t) != 0 {
                return Quiet { saved: None };
            }
            let saved = t;
            t.c_lflag &= !libc::ECHO;
            libc::tcsetattr(0, libc::TCSANOW, &t);
            Quiet { saved: Some(saved) }
        }
    }

    #[cfg(not(unix))]
    fn new() -> Quiet {
        Quiet {}
    }
}

impl Drop for Quiet {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(t) = self.saved {
            // SAFETY: restores the settings read in `new`.
            unsafe {
                libc::tcsetattr(0, libc::TCSANOW, &t);
            }
        }
    }
}
