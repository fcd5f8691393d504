//! How gongwen starts on a clerk's Windows PC.
//!
//! `gongwen.exe` opened from Explorer (a console window of its own, no
//! arguments, or a folder dropped on it) is the desk: it serves the folder
//! the program stands in, opens the default browser on it and keeps its
//! window saying what it does. Started from cmd.exe or PowerShell it is the
//! command line, as everywhere else.
//!
//! Messages (standard error) go to a console as UTF-16, which the standard
//! library writes, so any console shows them; redirected to a file or a
//! pipe from a Chinese console (code page 936, GBK) they are written in
//! that code page, which cmd's `type`, Notepad and PowerShell 5.1 (it
//! decodes a program's output by the console's code page) all read. Data
//! on standard output (`new`, `schema`, `--dump-*`) stays UTF-8, as the
//! data files are.

use std::path::{Path, PathBuf};

use crate::exit::Exit;

/// The port the desk is first offered; another free one when it is taken
/// (a second desk already open).
pub const DESK_PORT: u16 = 8410;

/// Started from Explorer: the desk, run to its end. None when started from
/// a command line, which then runs as usual.
pub fn double_click() -> Option<Exit> {
    #[cfg(windows)]
    if win::own_console() {
        let mut args = std::env::args_os().skip(1);
        let dropped = match (args.next(), args.next()) {
            (None, _) => None,
            (Some(a), None) if Path::new(&a).is_dir() => Some(PathBuf::from(a)),
            _ => return None,
        };
        win::set_title("gongwen 公文台");
        let exit = desk(dropped);
        if exit != Exit::Ok {
            // The window closes with the process: leave the message on it.
            println!("\n按回车键关闭本窗口。");
            let _ = std::io::stdin().read_line(&mut String::new());
        }
        return Some(exit);
    }
    None
}

/// The desk on `dropped`, or on the folder the program stands in.
pub fn desk(dropped: Option<PathBuf>) -> Exit {
    let chosen = match dropped {
        Some(d) => Ok((d, None)),
        None => home(),
    };
    let (dir, note) = match chosen {
        Ok(c) => c,
        Err(e) => {
            eprintln!("错误: {e}");
            return Exit::Io;
        }
    };
    let dir = long(dir);
    let port = free_port();
    println!("gongwen 公文台 {}", env!("CARGO_PKG_VERSION"));
    if let Some(note) = note {
        println!("{note}");
    }
    println!("数据文件放在：{}", dir.display());
    println!("正在打开浏览器；如果没有自动打开，请在浏览器地址栏输入下面的地址（含令牌）。");
    println!("使用期间请不要关闭本窗口；用完后关闭本窗口，公文台即结束。\n");
    // The desk prints its link with the access token once it listens, and
    // opens that link: the token is what lets this browser in.
    crate::serve::run(&crate::serve::ServeOptions {
        dir,
        port,
        open: Some(open_browser),
        ..Default::default()
    })
}

/// The folder the desk serves when none is given: the program's own, where
/// the clerk unpacked it, unless files cannot be kept there — it cannot be
/// written, or it is a temporary folder (Explorer runs a program opened
/// inside a zip archive from one) — then `gongwen` in the documents
/// folder. Returns the folder and, if it is not the program's, why.
pub fn folder(
    program: &Path,
    temp: &Path,
    documents: Option<&Path>,
) -> Result<(PathBuf, Option<String>), String> {
    let unpacked = program.starts_with(temp);
    if !unpacked && tempfile::tempfile_in(program).is_ok() {
        return Ok((program.to_path_buf(), None));
    }
    let docs = documents
        .map(|d| d.join("gongwen"))
        .ok_or("找不到“文档”文件夹，请把 gongwen.exe 解压到一个可以写入的文件夹后再打开")?;
    std::fs::create_dir_all(&docs)
        .map_err(|e| format!("无法建立文件夹 {}（{e}）", docs.display()))?;
    let why = if unpacked {
        "gongwen.exe 是在压缩包里直接打开的，文件不能保存在压缩包里。\n\
         请先把压缩包全部解压到一个文件夹（例如 D:\\gongwen），再打开那里的 gongwen.exe。"
            .to_string()
    } else {
        format!(
            "程序所在的文件夹 {} 不能写入，数据文件改放在“文档”中。",
            program.display()
        )
    };
    Ok((docs, Some(why)))
}

/// [`folder`] for this program.
fn home() -> Result<(PathBuf, Option<String>), String> {
    let exe = std::env::current_exe().map_err(|e| format!("找不到程序所在的文件夹（{e}）"))?;
    let program = long(exe)
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    // The temporary folder as the program's path spells it (TEMP often
    // holds 8.3 short names such as ADMINI~1).
    folder(
        &program,
        &long(std::env::temp_dir()),
        documents().as_deref(),
    )
}

/// The path with long names, in the case the disk has, without `\\?\`.
fn long(p: PathBuf) -> PathBuf {
    dunce::canonicalize(&p).unwrap_or(p)
}

/// The desk's usual port if it is free, else any free one.
fn free_port() -> u16 {
    let bind = |port| std::net::TcpListener::bind(("127.0.0.1", port));
    match bind(DESK_PORT) {
        Ok(_) => DESK_PORT,
        Err(_) => bind(0)
            .and_then(|l| l.local_addr())
            .map_or(DESK_PORT, |a| a.port()),
    }
}

/// Opens `url` in the default browser.
pub fn open_browser(url: &str) -> bool {
    #[cfg(windows)]
    return win::open(url);
    #[cfg(not(windows))]
    std::process::Command::new(if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    })
    .arg(url)
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .is_ok()
}

/// The user's documents folder (文档), wherever it was moved.
fn documents() -> Option<PathBuf> {
    #[cfg(windows)]
    return win::documents();
    #[cfg(not(windows))]
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join("Documents"))
}

/// Standard error in the console's Chinese code page while it is
/// redirected (see the module's comment); does nothing elsewhere. Kept
/// for the whole of `main`: dropping it writes out what is left.
pub struct Messages {
    #[cfg(windows)]
    _relay: Option<win::Relay>,
}

impl Messages {
    pub fn start() -> Messages {
        Messages {
            #[cfg(windows)]
            _relay: win::Relay::start(),
        }
    }
}

/// Code pages whose text is re-encoded: GBK and GB 18030, which hold every
/// character gongwen writes. Any other (437, 65001 …) gets UTF-8, which
/// loses nothing.
pub fn chinese_code_page(cp: u32) -> bool {
    matches!(cp, 936 | 54936)
}

#[cfg(windows)]
mod win {
    use std::fs::File;
    use std::io::{Read, Write};
    use std::mem::ManuallyDrop;
    use std::os::windows::io::FromRawHandle;
    use std::path::PathBuf;
    use std::ptr::{null, null_mut};

    use windows_sys::Win32::Foundation::{HANDLE, INVALID_HANDLE_VALUE};
    use windows_sys::Win32::Globalization::WideCharToMultiByte;
    use windows_sys::Win32::System::Console::{
        GetConsoleMode, GetConsoleOutputCP, GetConsoleProcessList, GetStdHandle, SetConsoleTitleW,
        SetStdHandle, STD_ERROR_HANDLE,
    };
    use windows_sys::Win32::System::Pipes::CreatePipe;
    use windows_sys::Win32::UI::Shell::{FOLDERID_Documents, SHGetKnownFolderPath, ShellExecuteW};

    fn wide(s: &str) -> Vec<u16> {
        s.encode_utf16().chain([0]).collect()
    }

    /// This process alone on its console: Windows made the console for it
    /// (Explorer, a shortcut), so it closes when the process ends.
    pub fn own_console() -> bool {
        let mut ids = [0u32; 2];
        unsafe { GetConsoleProcessList(ids.as_mut_ptr(), 2) == 1 }
    }

    pub fn set_title(title: &str) {
        unsafe { SetConsoleTitleW(wide(title).as_ptr()) };
    }

    pub fn open(url: &str) -> bool {
        let (verb, url) = (wide("open"), wide(url));
        let r =
            unsafe { ShellExecuteW(null_mut(), verb.as_ptr(), url.as_ptr(), null(), null(), 1) };
        r as usize > 32
    }

    pub fn documents() -> Option<PathBuf> {
        let mut p = null_mut();
        let ok = unsafe { SHGetKnownFolderPath(&FOLDERID_Documents, 0, null_mut(), &mut p) } == 0;
        let path = ok.then(|| {
            let len = (0..).take_while(|&i| unsafe { *p.add(i) } != 0).count();
            let s = unsafe { std::slice::from_raw_parts(p, len) };
            PathBuf::from(String::from_utf16_lossy(s))
        });
        unsafe { windows_sys::Win32::System::Com::CoTaskMemFree(p as _) };
        path.or_else(|| std::env::var_os("USERPROFILE").map(|h| PathBuf::from(h).join("Documents")))
    }

    /// Standard error through a pipe to a thread that re-encodes it into
    /// the console's code page and writes it where standard error went.
    /// The standard library looks the handle up at every write, so setting
    /// it is enough.
    pub struct Relay {
        original: HANDLE,
        pipe: Option<File>,
        thread: Option<std::thread::JoinHandle<()>>,
    }

    impl Relay {
        pub fn start() -> Option<Relay> {
            let cp = unsafe { GetConsoleOutputCP() };
            if !super::chinese_code_page(cp) {
                return None;
            }
            let original = unsafe { GetStdHandle(STD_ERROR_HANDLE) };
            let mut mode = 0;
            if original.is_null()
                || original == INVALID_HANDLE_VALUE
                || unsafe { GetConsoleMode(original, &mut mode) } != 0
            {
                return None;
            }
            let (mut read, mut write) = (null_mut(), null_mut());
            if unsafe { CreatePipe(&mut read, &mut write, null(), 0) } == 0 {
                return None;
            }
            let (reader, pipe) =
                unsafe { (File::from_raw_handle(read), File::from_raw_handle(write)) };
            let target = original as usize;
            let thread = std::thread::spawn(move || relay(reader, target, cp));
            unsafe { SetStdHandle(STD_ERROR_HANDLE, write) };
            Some(Relay {
                original,
                pipe: Some(pipe),
                thread: Some(thread),
            })
        }
    }

    impl Drop for Relay {
        fn drop(&mut self) {
            unsafe { SetStdHandle(STD_ERROR_HANDLE, self.original) };
            // Closing the pipe ends the thread once it has written the rest.
            drop(self.pipe.take());
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
    }

    fn relay(mut reader: File, target: usize, cp: u32) {
        let mut out = ManuallyDrop::new(unsafe { File::from_raw_handle(target as HANDLE) });
        let mut pending: Vec<u8> = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = reader.read(&mut buf).unwrap_or(0);
            pending.extend_from_slice(&buf[..n]);
            // Whole characters only; a character split between two reads
            // waits for its end, unless the pipe has closed.
            let upto = match std::str::from_utf8(&pending) {
                Ok(_) => pending.len(),
                Err(e) if n > 0 && e.error_len().is_none() => e.valid_up_to(),
                Err(_) => pending.len(),
            };
            let text = String::from_utf8_lossy(&pending[..upto]).into_owned();
            pending.drain(..upto);
            if !text.is_empty() {
                let _ = out.write_all(&encode(&text, cp));
            }
            if n == 0 {
                return;
            }
        }
    }

    fn encode(text: &str, cp: u32) -> Vec<u8> {
        let w: Vec<u16> = text.encode_utf16().collect();
        let len = w.len() as i32;
        let size = unsafe {
            WideCharToMultiByte(cp, 0, w.as_ptr(), len, null_mut(), 0, null(), null_mut())
        };
        let mut out = vec![0u8; size.max(0) as usize];
        let written = unsafe {
            WideCharToMultiByte(
                cp,
                0,
                w.as_ptr(),
                len,
                out.as_mut_ptr(),
                size,
                null(),
                null_mut(),
            )
        };
        if written <= 0 {
            return text.as_bytes().to_vec();
        }
        out.truncate(written as usize);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_program_folder_unless_it_is_temporary() {
        let root = tempfile::tempdir().unwrap();
        let (program, temp, docs) = (
            root.path().join("gongwen"),
            root.path().join("Temp"),
            root.path().join("文档"),
        );
        std::fs::create_dir_all(&program).unwrap();
        let (dir, why) = folder(&program, &temp, Some(&docs)).unwrap();
        assert_eq!((dir, why), (program.clone(), None));

        // Opened inside a zip archive: Explorer runs it from the temporary
        // folder, so the files go to 文档\gongwen, which is made.
        let unpacked = temp.join("Temp1_gongwen-windows-x64.zip");
        std::fs::create_dir_all(&unpacked).unwrap();
        let (dir, why) = folder(&unpacked, &temp, Some(&docs)).unwrap();
        assert_eq!(dir, docs.join("gongwen"));
        assert!(dir.is_dir());
        assert!(why.unwrap().contains("请先把压缩包全部解压"));

        // A folder that does not exist (cannot be written) does the same.
        let (dir, why) = folder(&root.path().join("无"), &temp, Some(&docs)).unwrap();
        assert_eq!(dir, docs.join("gongwen"));
        assert!(why.unwrap().contains("不能写入"), "{dir:?}");

        let e = folder(&unpacked, &temp, None).unwrap_err();
        assert!(e.contains("找不到“文档”文件夹"), "{e}");
    }
}
