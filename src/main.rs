//! The `gongwen` command line.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use gongwen::cli::{self, Exit};

const USAGE: &str = "\
gongwen — 政府信息公开工作年度报告等公文的生成工具（PDF + Word）

用法:
  gongwen new [--format 2019|2021] [--agency 名称] [--year 年份]   输出一个完整的数据文件
  gongwen check 文件...                                          核对数据（勾稽关系等）
  gongwen render 文件或目录... [-o 目录] [选项]                    生成 PDF 和 DOCX
  gongwen watch 文件或目录... [-o 目录] [选项]                     修改后自动重新核对、生成
  gongwen templates                                              列出内置模板
  gongwen templates export 名称 目录                               导出内置模板以便修改

render/watch 选项:
  -o, --out-dir 目录     输出目录（默认与数据文件同目录）
  --template 目录        使用导出后修改过的模板
  --font-dir 目录        使用该目录中的字体（如 仿宋_GB2312 等正式字体）
  --pdf-only / --docx-only
  --embed-fonts          在 DOCX 中嵌入所用字体的子集（没有正式字体的电脑上也与 PDF 一致）
  --dump-model           把文档模型以文本形式输出到标准输出（不写文件）
  --dump-markup          把模板生成的标记文本输出到标准输出（调试模板用，不写文件）

退出码: 0 成功; 1 数据或模板有错误; 2 用法错误; 3 读写文件失败; 130 被 Ctrl-C 中断
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match run(&args) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("用法错误: {msg}");
            eprintln!("用 gongwen --help 查看用法");
            Exit::Usage
        }
    };
    let _ = std::io::stdout().flush();
    ExitCode::from(code as u8)
}

fn run(args: &[String]) -> Result<Exit, String> {
    let Some((cmd, rest)) = args.split_first() else {
        print!("{USAGE}");
        return Ok(Exit::Usage);
    };
    match cmd.as_str() {
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(Exit::Ok)
        }
        "-V" | "--version" => {
            println!("gongwen {}", env!("CARGO_PKG_VERSION"));
            Ok(Exit::Ok)
        }
        "new" => {
            let mut format = None;
            let mut agency = None;
            let mut year = None;
            let mut it = rest.iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--format" => format = Some(value(&mut it, a)?),
                    "--agency" => agency = Some(value(&mut it, a)?),
                    "--year" => year = Some(value(&mut it, a)?),
                    _ => return Err(format!("new 不认识参数 {a}")),
                }
            }
            cli::new(format.as_deref(), agency.as_deref(), year.as_deref())
        }
        "check" => {
            let files = files(rest)?;
            Ok(cli::check(&files))
        }
        "render" => {
            let (inputs, opts) = render_options(rest)?;
            Ok(cli::render(&inputs, &opts))
        }
        "watch" => {
            let (inputs, opts) = render_options(rest)?;
            if opts.dump_model || opts.dump_markup {
                return Err("watch 不能与 --dump-model/--dump-markup 一起使用".into());
            }
            Ok(gongwen::watch::run(&inputs, &opts))
        }
        "templates" => match rest {
            [] => Ok(cli::list_templates()),
            [sub, name, dir] if sub == "export" => {
                Ok(cli::export_template(name, &PathBuf::from(dir)))
            }
            _ => Err("templates 的用法: gongwen templates [export 名称 目录]".into()),
        },
        other => Err(format!("未知命令 {other}")),
    }
}

fn render_options(rest: &[String]) -> Result<(Vec<PathBuf>, cli::RenderOptions), String> {
    let mut opts = cli::RenderOptions::default();
    let mut inputs = Vec::new();
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-o" | "--out-dir" => opts.out_dir = Some(PathBuf::from(value(&mut it, a)?)),
            "--template" => opts.template_dir = Some(PathBuf::from(value(&mut it, a)?)),
            "--font-dir" => opts.font_dirs.push(PathBuf::from(value(&mut it, a)?)),
            "--pdf-only" => opts.docx = false,
            "--docx-only" => opts.pdf = false,
            "--dump-model" => opts.dump_model = true,
            "--dump-markup" => opts.dump_markup = true,
            "--embed-fonts" => opts.embed_fonts = true,
            s if s.starts_with('-') => return Err(format!("不认识参数 {s}")),
            _ => inputs.push(PathBuf::from(a)),
        }
    }
    if inputs.is_empty() {
        return Err("需要至少一个数据文件或目录".into());
    }
    if !opts.pdf && !opts.docx {
        return Err("--pdf-only 和 --docx-only 不能同时使用".into());
    }
    Ok((inputs, opts))
}

fn value<'a>(it: &mut impl Iterator<Item = &'a String>, flag: &str) -> Result<String, String> {
    it.next()
        .cloned()
        .ok_or_else(|| format!("{flag} 后面需要一个值"))
}

fn files(rest: &[String]) -> Result<Vec<PathBuf>, String> {
    if rest.is_empty() {
        return Err("需要至少一个数据文件".into());
    }
    if let Some(flag) = rest.iter().find(|a| a.starts_with('-')) {
        return Err(format!("不认识参数 {flag}"));
    }
    Ok(rest.iter().map(PathBuf::from).collect())
}
