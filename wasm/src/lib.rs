//! gongwen's core for a web page: the data file, the files it names
//! (template directory, pictures, previous year's file) and the fonts are
//! all given by the page, and the PDF, OFD and DOCX come back with the
//! same Chinese diagnostics the command line prints. Nothing is read from
//! or written to any disk, so no data leaves the machine.
//!
//! Built for wasm32 by `scripts/build-wasm.sh`; `wasm/gongwen.mjs` is the
//! page's side. The exports are a plain C ABI over the module's memory:
//! the page asks [`gw_alloc`] for a buffer, writes a request into it,
//! calls [`gw_render`] and reads the reply, then frees both with
//! [`gw_free`]. Requests and replies are lists of records (kind, name,
//! bytes), each part prefixed by its length as a little-endian `u32`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gongwen::compile::{compile, Failure, Job, Made, Warned};
use gongwen::diag::{Diagnostic, Diagnostics};
use gongwen::exit::Exit;
use gongwen::export::{docx, Outputs, PdfOptions};
use gongwen::files::Memory;
use gongwen::font::Given;
use gongwen::template::Template;

/// One record of a request or a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Record {
    pub fn new(kind: &str, name: &str, bytes: impl Into<Vec<u8>>) -> Record {
        Record {
            kind: kind.into(),
            name: name.into(),
            bytes: bytes.into(),
        }
    }
}

/// Records as bytes: for each, the kind, the name and the bytes, each
/// after its length as a little-endian `u32`.
pub fn encode(records: &[Record]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in records {
        for part in [r.kind.as_bytes(), r.name.as_bytes(), &r.bytes] {
            out.extend((part.len() as u32).to_le_bytes());
            out.extend(part);
        }
    }
    out
}

/// The records of [`encode`]; an error says where the bytes stop making
/// sense.
pub fn decode(mut bytes: &[u8]) -> Result<Vec<Record>, String> {
    let part = |bytes: &mut &[u8]| -> Result<Vec<u8>, String> {
        let (len, rest) = bytes
            .split_first_chunk::<4>()
            .ok_or("请求不完整：缺少长度")?;
        let len = u32::from_le_bytes(*len) as usize;
        if rest.len() < len {
            return Err("请求不完整：内容短于所写长度".into());
        }
        let (part, rest) = rest.split_at(len);
        *bytes = rest;
        Ok(part.to_vec())
    };
    let text = |b: Vec<u8>| String::from_utf8(b).map_err(|_| "请求中的名称不是 UTF-8".to_string());
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let kind = text(part(&mut bytes)?)?;
        let name = text(part(&mut bytes)?)?;
        let bytes = part(&mut bytes)?;
        out.push(Record { kind, name, bytes });
    }
    Ok(out)
}

/// What a page asks for.
#[derive(Default)]
pub struct Request {
    /// The data file's path, as messages name it.
    pub data: PathBuf,
    /// Every file the data may name, the data file among them.
    pub files: Memory,
    /// Font files by the names the style sheets give them.
    pub fonts: Given,
    /// `--template`: this template whatever the data file names.
    pub template: Option<PathBuf>,
    pub outputs: Outputs,
}

impl Request {
    /// The request the records make:
    /// `data`/`file` (name: path, bytes: contents), `font` (name: file
    /// name as the style sheet gives it), `template` (name), `pdf`,
    /// `pdfa`, `ofd`, `docx` (name: `official` or `embedded`) and `epoch`
    /// (name: seconds since 1970, as `SOURCE_DATE_EPOCH`).
    pub fn from_records(records: Vec<Record>) -> Result<Request, String> {
        let mut r = Request::default();
        let mut fonts = BTreeMap::new();
        for Record { kind, name, bytes } in records {
            match kind.as_str() {
                "data" => {
                    r.data = PathBuf::from(&name);
                    r.files.insert(name, bytes);
                }
                "file" => r.files.insert(name, bytes),
                "font" => {
                    fonts.insert(name, bytes);
                }
                "template" => r.template = Some(PathBuf::from(name)),
                "pdf" | "pdfa" => {
                    r.outputs.pdf = Some(PdfOptions {
                        pdfa: kind == "pdfa",
                    })
                }
                "ofd" => r.outputs.ofd = Some(Default::default()),
                "docx" => {
                    r.outputs.docx = Some(match name.as_str() {
                        "embedded" => docx::Fonts::Embedded,
                        _ => docx::Fonts::Official,
                    })
                }
                "epoch" => {
                    r.outputs.epoch = Some(
                        name.parse()
                            .map_err(|_| format!("epoch 应为整数秒，而不是 {name}"))?,
                    )
                }
                _ => return Err(format!("请求中有不认识的记录「{kind}」")),
            }
        }
        if r.data.as_os_str().is_empty() {
            return Err("请求中没有数据文件（data 记录）".into());
        }
        r.fonts = Given::new(fonts);
        Ok(r)
    }
}

/// What came of a request: the exit code the command line would give, the
/// text it would print for the file, and the files made.
pub struct Reply {
    pub exit: Exit,
    pub diagnostics: String,
    pub pdf: Option<Vec<u8>>,
    pub ofd: Option<Vec<u8>>,
    pub docx: Option<Vec<u8>>,
}

impl Reply {
    /// As the command line says it: the problems, then the file and why
    /// nothing was written.
    fn failed(
        exit: Exit,
        d: impl Into<Diagnostics>,
        before: String,
        why: &str,
        file: &Path,
    ) -> Reply {
        let diagnostics = format!("{before}{}{}: {why}\n", d.into(), file.display());
        Reply {
            exit,
            diagnostics,
            pdf: None,
            ofd: None,
            docx: None,
        }
    }

    pub fn records(&self) -> Vec<Record> {
        let mut out = vec![
            Record::new("exit", &(self.exit as i32).to_string(), []),
            Record::new("diagnostics", "", self.diagnostics.as_bytes()),
        ];
        for (kind, bytes) in [("pdf", &self.pdf), ("ofd", &self.ofd), ("docx", &self.docx)] {
            if let Some(b) = bytes {
                out.push(Record::new(kind, "", b.as_slice()));
            }
        }
        out
    }
}

/// Compiles the data and writes the outputs asked for, as `gongwen render`
/// does for one file.
pub fn render(request: &Request) -> Reply {
    let file = request.data.as_path();
    let template = match request
        .template
        .as_deref()
        .map(|t| Template::by_name_or_dir(t, &request.files))
        .transpose()
    {
        Ok(t) => t,
        Err(d) => {
            return Reply::failed(
                Exit::of(&d).max(Exit::Input),
                d,
                String::new(),
                "未生成文件",
                file,
            )
        }
    };
    let job = Job::new(file).template(template.as_ref());
    let Warned { value, diagnostics } = compile(&job, &request.files, &request.fonts);
    let text = diagnostics.to_string();
    let compiled = match value {
        Ok(c) => c,
        Err(f) => {
            let code = f.exit();
            return match f {
                Failure::Data(d) => Reply::failed(code, d, text, "数据有错误，未生成文件", file),
                Failure::Typeset(_, d) => Reply::failed(code, d, text, "未生成文件", file),
            };
        }
    };
    let Made::Pages(t) = &compiled.made else {
        let d = Diagnostic::error("没有排版结果");
        return Reply::failed(Exit::Input, d, text, "未生成文件", file);
    };
    match gongwen::export::write(&t.document, &t.laid, &t.book, &request.outputs) {
        Ok(w) => Reply {
            exit: Exit::Ok,
            diagnostics: text,
            pdf: w.pdf,
            ofd: w.ofd,
            docx: w.docx,
        },
        Err(d) => {
            let d = gongwen::compile::locate(d, &compiled.input);
            Reply::failed(Exit::of(&d), d, text, "未生成文件", file)
        }
    }
}

/// A request's bytes to a reply's bytes; a request that cannot be read is
/// answered with exit code 2 and why.
pub fn render_bytes(request: &[u8]) -> Vec<u8> {
    let reply = decode(request)
        .and_then(Request::from_records)
        .map(|r| render(&r).records());
    encode(&reply.unwrap_or_else(|why| {
        vec![
            Record::new("exit", &(Exit::Usage as i32).to_string(), []),
            Record::new("diagnostics", "", format!("错误: {why}\n")),
        ]
    }))
}

/// A buffer of `len` bytes for the page to write a request into.
#[no_mangle]
pub extern "C" fn gw_alloc(len: usize) -> *mut u8 {
    let mut v = std::mem::ManuallyDrop::new(Vec::<u8>::with_capacity(len));
    v.as_mut_ptr()
}

/// Frees a buffer from [`gw_alloc`] or [`gw_render`].
///
/// # Safety
/// `ptr` and `len` are those of a buffer this module handed out, not yet
/// freed.
#[no_mangle]
pub unsafe extern "C" fn gw_free(ptr: *mut u8, len: usize) {
    drop(Vec::from_raw_parts(ptr, 0, len));
}

/// Renders the request in `ptr[..len]` (which stays the caller's to free):
/// a buffer whose first four bytes are the reply's length, the reply
/// after them; free it with `gw_free(ptr, 4 + length)`.
///
/// # Safety
/// `ptr[..len]` is memory this module handed out, holding the request.
#[no_mangle]
pub unsafe extern "C" fn gw_render(ptr: *const u8, len: usize) -> *mut u8 {
    let request = std::slice::from_raw_parts(ptr, len);
    let reply = render_bytes(request);
    let mut out = Vec::with_capacity(4 + reply.len());
    out.extend((reply.len() as u32).to_le_bytes());
    out.extend(reply);
    let mut out = std::mem::ManuallyDrop::new(out.into_boxed_slice());
    out.as_mut_ptr()
}

/// Random bytes for the hash tables' seeds, from the page's
/// `crypto.getRandomValues` (getrandom's custom backend: wasm32 has no
/// source of its own).
#[cfg(target_arch = "wasm32")]
mod random {
    #[link(wasm_import_module = "gongwen")]
    extern "C" {
        fn random(ptr: *mut u8, len: usize);
    }

    /// # Safety
    /// `dest[..len]` is writable memory.
    #[no_mangle]
    unsafe extern "Rust" fn __getrandom_v03_custom(
        dest: *mut u8,
        len: usize,
    ) -> Result<(), getrandom::Error> {
        random(dest, len);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        let r = vec![
            Record::new("data", "a.toml", "标题 = 1"),
            Record::new("pdf", "", []),
        ];
        assert_eq!(decode(&encode(&r)).unwrap(), r);
        let cut = encode(&r);
        assert!(decode(&cut[..cut.len() - 1]).is_err());
    }
}
