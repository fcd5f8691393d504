//! The `gongwen` command line: clap parses it, every text a user sees is
//! Chinese (help, and clap's errors translated with its suggestions).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgAction, Args, CommandFactory, Parser, Subcommand};
use gongwen::cmd::{self, Exit};

const TEMPLATE: &str = "\
{about}

用法: {usage}

{all-args}{after-help}";

const AFTER: &str = "\
示例:
  gongwen new --format 2021 --agency 某某区某某局 --year 2025 -o 2025.toml
  gongwen check 2025.toml
  gongwen render 2025.toml
  gongwen new --template notice -o 通知.toml     （公文：notice 通知等、minutes 纪要）
  gongwen help render

退出码: 0 成功; 1 数据或模板有错误; 2 用法错误; 3 读写文件失败; 130 被中断（Ctrl-C 等）";

#[derive(Parser)]
#[command(
    name = "gongwen",
    override_usage = "gongwen <命令> [选项]",
    version,
    about = "gongwen — 政府信息公开工作年度报告等公文的生成工具（PDF + Word）",
    help_template = TEMPLATE,
    after_help = AFTER,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    subcommand_help_heading = "命令",
    subcommand_value_name = "命令",
    next_help_heading = "选项"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// 显示帮助
    #[arg(short = 'h', long, action = ArgAction::Help, global = true, display_order = 1000)]
    help: Option<bool>,
    /// 显示版本
    #[arg(short = 'V', long, action = ArgAction::Version)]
    version: Option<bool>,
}

#[derive(Subcommand)]
enum Command {
    /// 写出一个完整的数据文件（各行已填 0，注释说明对应表中哪一行、哪一列）
    #[command(help_template = TEMPLATE, next_help_heading = "选项", override_usage = "gongwen new [选项]")]
    New {
        /// 格式：2019（试行格式，2019、2020 年度）或 2021（修订格式，2021 年度起）
        #[arg(long, value_name = "2019|2021", conflicts_with = "template")]
        format: Option<String>,
        /// 按这个模板（内置名称或模板目录）的 schema.json 写出数据文件
        #[arg(long, value_name = "名称或目录")]
        template: Option<PathBuf>,
        /// 据上一年度的数据文件写出下一年度的：结转件数、现行有效件数带过来，正文留作草稿
        #[arg(long, value_name = "文件", conflicts_with_all = ["format", "template", "agency", "year"])]
        from: Option<PathBuf>,
        /// 发布机关名称
        #[arg(long, value_name = "名称")]
        agency: Option<String>,
        /// 报告年度
        #[arg(long, value_name = "年份")]
        year: Option<String>,
        /// 写到这个文件（不写则输出到屏幕）；已有的文件不覆盖，除非加 --force
        #[arg(short = 'o', long = "out", value_name = "文件")]
        out: Option<PathBuf>,
        /// 覆盖已有的文件
        #[arg(long)]
        force: bool,
    },
    /// 汇总：把下级单位的年度报告数据文件相加，写出本级的数据文件（正文留待填写）
    #[command(help_template = TEMPLATE, next_help_heading = "选项", override_usage = "gongwen sum <文件或目录>... --agency 本级机关 -o 汇总.toml")]
    Sum {
        /// 各单位的数据文件或所在目录
        #[arg(required = true, value_name = "文件或目录", help_heading = "参数")]
        inputs: Vec<PathBuf>,
        /// 本级机关名称（汇总报告的发布机关）
        #[arg(long, value_name = "名称", required = true)]
        agency: String,
        /// 报告年度：只汇总这一年度（其他年度的文件会被指出）
        #[arg(long, value_name = "年份")]
        year: Option<String>,
        /// 写出汇总的数据文件
        #[arg(short = 'o', long = "out", value_name = "文件", required = true)]
        out: PathBuf,
        /// 另写出各单位主要数据的表格（CSV，可用 Excel、WPS 打开）
        #[arg(long, value_name = "文件.csv")]
        table: Option<PathBuf>,
        /// 覆盖已有的文件
        #[arg(long)]
        force: bool,
    },
    /// 导入已发布的年度报告（Word、PDF、网页或文本），写出数据文件并核对
    #[command(help_template = TEMPLATE, next_help_heading = "选项", override_usage = "gongwen import <文件> [-o 数据文件.toml]")]
    Import {
        /// 已发布的报告：.docx、.pdf、网页（.html）或文本（.txt）
        #[arg(value_name = "文件", help_heading = "参数")]
        input: PathBuf,
        /// 写到这个数据文件（默认与原文件同名、扩展名 .toml）；已有的文件不覆盖，除非加 --force
        #[arg(short = 'o', long = "out", value_name = "文件")]
        out: Option<PathBuf>,
        /// 覆盖已有的文件
        #[arg(long)]
        force: bool,
    },
    /// 核对数据：勾稽关系、总计、跨年度数据、写法和遗漏
    #[command(help_template = TEMPLATE, next_help_heading = "选项", override_usage = "gongwen check <文件或目录>...")]
    Check {
        /// 数据文件或目录
        #[arg(required = true, value_name = "文件或目录", help_heading = "参数")]
        inputs: Vec<PathBuf>,
        /// 按这个模板（内置名称或模板目录）核对，不管数据文件的 template 项
        #[arg(long, value_name = "名称或目录")]
        template: Option<PathBuf>,
    },
    /// 输出模板的 JSON Schema，供编辑器核对和补全数据文件
    #[command(help_template = TEMPLATE, next_help_heading = "选项", override_usage = "gongwen schema <名称或目录>")]
    Schema {
        /// 内置模板的名称或模板目录
        #[arg(value_name = "名称或目录", help_heading = "参数")]
        template: PathBuf,
    },
    /// 生成 PDF 和 Word（DOCX）
    #[command(help_template = TEMPLATE, next_help_heading = "选项", override_usage = "gongwen render [选项] <文件或目录>...")]
    Render(RenderArgs),
    /// 生成后继续监视，数据文件或模板一改就重新核对、生成
    #[command(help_template = TEMPLATE, next_help_heading = "选项", override_usage = "gongwen watch [选项] <文件或目录>...")]
    Watch(RenderArgs),
    /// 公文台：在浏览器中按正式表样填写数据文件，边填边核对，旁边显示版面预览，保存回原文件
    #[command(help_template = TEMPLATE, next_help_heading = "选项", override_usage = "gongwen serve [目录] [--port 端口] [--open] [--listen 地址] [--host 名称]...")]
    Serve {
        /// 数据文件所在的目录（默认当前目录）
        #[arg(
            value_name = "目录",
            default_value = ".",
            hide_default_value = true,
            help_heading = "参数"
        )]
        dir: PathBuf,
        /// 端口（默认 8410；0 表示任选一个空闲端口）
        #[arg(
            long,
            value_name = "端口",
            default_value_t = 8410,
            hide_default_value = true
        )]
        port: u16,
        /// 启动后用默认浏览器打开
        #[arg(long)]
        open: bool,
        /// 在这个地址上监听（默认只在本机 127.0.0.1）：IP 或 IP:端口，0.0.0.0 表示本机所有地址
        #[arg(long, value_name = "地址")]
        listen: Option<String>,
        /// 其他电脑访问本机所用的名称（如内网域名 gongwen.example.gov.cn），可写多次
        #[arg(long = "host", value_name = "名称")]
        hosts: Vec<String>,
        /// 反向代理（如 nginx）所在的 IP 地址：相信它转发的 X-Forwarded-Host、X-Forwarded-Proto 和 X-Forwarded-For
        #[arg(long, value_name = "地址")]
        proxy: Option<String>,
        /// 使用该目录中的字体（如 仿宋_GB2312 等正式字体），可写多次
        #[arg(long = "font-dir", value_name = "目录")]
        font_dir: Vec<PathBuf>,
        /// 区公文台：这个目录中每个单位一个文件夹，各单位凭账号登录，只见本单位的文件；公开办查看、退回、通过、汇总
        #[arg(long, value_name = "目录", conflicts_with = "dir")]
        district: Option<PathBuf>,
    },
    /// 区公文台的账号：add 新建、reset 重设密码、disable 停用
    #[command(help_template = TEMPLATE, next_help_heading = "选项", override_usage = "gongwen user add|reset|disable --district 目录 <账号> [--unit 单位 | --office] [--password-stdin]")]
    User {
        /// add（新建）、reset（重设密码）或 disable（停用）
        #[arg(value_name = "操作", help_heading = "参数", value_parser = ["add", "reset", "disable"], hide_possible_values = true)]
        action: String,
        /// 账号名
        #[arg(value_name = "账号", help_heading = "参数")]
        name: String,
        /// 区公文台的目录（各单位文件夹所在的目录）
        #[arg(long, value_name = "目录")]
        district: PathBuf,
        /// 账号所属的单位（即该单位的文件夹名，没有则建立）
        #[arg(long, value_name = "单位", conflicts_with = "office")]
        unit: Option<String>,
        /// 公开办的账号：查看所有单位，退回、通过、汇总
        #[arg(long)]
        office: bool,
        /// 从标准输入读一行作为密码（供脚本使用）
        #[arg(long = "password-stdin")]
        password_stdin: bool,
    },
    /// 复制区公文台的记录（账号、状态、修改记录），公文台运行时也可用
    #[command(help_template = TEMPLATE, next_help_heading = "选项", override_usage = "gongwen backup --district 目录 <目标文件>")]
    Backup {
        /// 区公文台的目录
        #[arg(long, value_name = "目录")]
        district: PathBuf,
        /// 写出的记录副本（.sqlite 文件，不能已存在）
        #[arg(value_name = "目标文件", help_heading = "参数")]
        to: PathBuf,
    },
    /// 列出内置模板，或导出一个以便修改
    #[command(
        help_template = TEMPLATE,
        next_help_heading = "选项",
        override_usage = "gongwen templates [export <名称> <目录> [--force]]",
        subcommand_help_heading = "命令",
        subcommand_value_name = "命令"
    )]
    Templates {
        #[command(subcommand)]
        action: Option<TemplatesCommand>,
    },
    /// 输出命令行补全脚本（bash、zsh、fish、powershell、elvish）
    #[command(help_template = TEMPLATE, next_help_heading = "选项", override_usage = "gongwen completions <shell>")]
    Completions {
        /// 所用的 shell
        #[arg(value_name = "shell", help_heading = "参数")]
        shell: clap_complete::Shell,
    },
    /// 显示帮助：gongwen help 或 gongwen help 命令
    #[command(help_template = TEMPLATE, next_help_heading = "选项", override_usage = "gongwen help [命令]")]
    Help {
        /// 要查看的命令
        #[arg(value_name = "命令", help_heading = "参数")]
        command: Option<String>,
    },
}

#[derive(Subcommand)]
enum TemplatesCommand {
    /// 把内置模板的文件写到一个目录，以便修改后用 --template 使用
    #[command(help_template = TEMPLATE, next_help_heading = "选项", override_usage = "gongwen templates export [--force] <名称> <目录>")]
    Export {
        /// 内置模板的名称（见 gongwen templates）
        #[arg(value_name = "名称", help_heading = "参数")]
        name: String,
        /// 目标目录
        #[arg(value_name = "目录", help_heading = "参数")]
        dir: PathBuf,
        /// 覆盖目录中已修改过的模板文件
        #[arg(long)]
        force: bool,
    },
}

#[derive(Args)]
struct RenderArgs {
    /// 数据文件或目录（目录中的 .toml/.json 都生成）
    #[arg(required = true, value_name = "文件或目录", help_heading = "参数")]
    inputs: Vec<PathBuf>,
    /// 输出目录（默认与数据文件同目录）
    #[arg(short = 'o', long = "out-dir", value_name = "目录")]
    out_dir: Option<PathBuf>,
    /// 使用这个模板（内置名称或模板目录），不管数据文件的 template 项
    #[arg(long, value_name = "名称或目录")]
    template: Option<PathBuf>,
    /// 使用该目录中的字体（如 仿宋_GB2312 等正式字体），可写多次
    #[arg(long = "font-dir", value_name = "目录")]
    font_dir: Vec<PathBuf>,
    /// 只生成 PDF
    #[arg(long, conflicts_with = "docx_only")]
    pdf_only: bool,
    /// 只生成 DOCX
    #[arg(long)]
    docx_only: bool,
    /// 在 DOCX 中嵌入所用字体的子集（没有正式字体的电脑上也与 PDF 一致）
    #[arg(long)]
    embed_fonts: bool,
    /// 另生成 OFD（GB/T 33190，归档用 OFD-A，字体子集内嵌），与 PDF 同一版面
    #[arg(long)]
    ofd: bool,
    /// PDF 写成 PDF/A-2b（归档用：XMP 元数据、sRGB 输出意图、字体全部内嵌）
    #[arg(long, conflicts_with = "docx_only")]
    pdfa: bool,
    /// 把文档模型以文本形式输出到标准输出（不写文件）
    #[arg(long)]
    dump_model: bool,
    /// 把模板生成的标记文本输出到标准输出（调试模板用，不写文件）
    #[arg(long)]
    dump_markup: bool,
    /// 用这把 SM2 私钥给 OFD 加数字签名（GB/T 33190 第 18 章；PEM，不加密），需同时给 --sign-cert
    #[arg(long, value_name = "私钥文件", requires_all = ["sign_cert", "ofd"])]
    sign_key: Option<PathBuf>,
    /// 签名私钥对应的 X.509 证书（PEM 或 DER），写入签名中
    #[arg(long, value_name = "证书文件", requires = "sign_key")]
    sign_cert: Option<PathBuf>,
}

impl RenderArgs {
    /// The inputs and options; a signing key that cannot be used is
    /// reported before anything is rendered.
    fn options(self) -> Result<(Vec<PathBuf>, cmd::RenderOptions), Exit> {
        let signer = match (&self.sign_key, &self.sign_cert) {
            (Some(key), Some(cert)) => match gongwen::export::sign::Signer::load(key, cert) {
                Ok(s) => Some(std::sync::Arc::new(s)),
                Err(d) => {
                    eprint!("{d}");
                    return Err(Exit::of(&d));
                }
            },
            _ => None,
        };
        use gongwen::export::{docx, OfdOptions, Outputs, PdfOptions};
        let opts = cmd::RenderOptions {
            out_dir: self.out_dir,
            template_dir: self.template,
            font_dirs: self.font_dir,
            dump: if self.dump_markup {
                Some(cmd::render::Dump::Markup)
            } else if self.dump_model {
                Some(cmd::render::Dump::Model)
            } else {
                None
            },
            outputs: Outputs {
                pdf: (!self.docx_only).then_some(PdfOptions { pdfa: self.pdfa }),
                docx: (!self.pdf_only).then_some(if self.embed_fonts {
                    docx::Fonts::Embedded
                } else {
                    docx::Fonts::Official
                }),
                ofd: self.ofd.then_some(OfdOptions { signer }),
                epoch: None,
            },
        };
        Ok((self.inputs, opts))
    }
}

fn main() -> ExitCode {
    // Kept to the end of main, which writes out what it holds.
    let _messages = gongwen::launch::Messages::start();
    if let Some(exit) = gongwen::launch::double_click() {
        return ExitCode::from(exit as u8);
    }
    let code = match Cli::try_parse() {
        Ok(cli) => run(cli),
        Err(e) => usage_error(e),
    };
    let _ = std::io::stdout().flush();
    ExitCode::from(code as u8)
}

fn run(cli: Cli) -> Exit {
    let Some(command) = cli.command else {
        let _ = Cli::command().print_help();
        return Exit::Usage;
    };
    let result = match command {
        Command::New {
            format,
            template,
            from,
            agency,
            year,
            out,
            force,
        } => cmd::new(
            format.as_deref(),
            agency.as_deref(),
            year.as_deref(),
            template.as_deref(),
            from.as_deref(),
            out.as_deref(),
            force,
        ),
        Command::Sum {
            inputs,
            agency,
            year,
            out,
            table,
            force,
        } => match year.as_deref().map(cmd::parse_year).transpose() {
            Ok(year) => Ok(gongwen::cmd::sum::run(
                &inputs,
                &gongwen::cmd::sum::SumOptions {
                    agency: &agency,
                    year,
                    out: &out,
                    table: table.as_deref(),
                    force,
                },
            )),
            Err(e) => Err(e),
        },
        Command::Import { input, out, force } => {
            Ok(gongwen::import::run(&input, out.as_deref(), force))
        }
        Command::Check { inputs, template } => Ok(cmd::check(&inputs, template.as_deref())),
        Command::Schema { template } => Ok(cmd::schema(&template)),
        Command::Render(args) => match args.options() {
            Ok((inputs, opts)) => Ok(cmd::render(&inputs, &opts)),
            Err(exit) => Ok(exit),
        },
        Command::Watch(args) => {
            let (inputs, opts) = match args.options() {
                Ok(o) => o,
                Err(exit) => return exit,
            };
            if opts.dump.is_some() {
                Err("watch 不能与 --dump-model/--dump-markup 一起使用".into())
            } else {
                Ok(gongwen::cmd::watch::run(&inputs, &opts))
            }
        }
        Command::Serve {
            dir,
            port,
            open,
            listen,
            hosts,
            proxy,
            font_dir,
            district,
        } => Ok(gongwen::serve::run(&gongwen::serve::ServeOptions {
            dir: district.clone().unwrap_or(dir),
            port,
            listen,
            open: open.then_some(gongwen::launch::open_browser as fn(&str) -> bool),
            hosts,
            proxy,
            font_dirs: font_dir,
            district: district.is_some(),
        })),
        Command::User {
            action,
            name,
            district,
            unit,
            office,
            password_stdin,
        } => user(
            &action,
            &name,
            &district,
            unit.as_deref(),
            office,
            password_stdin,
        ),
        Command::Backup { district, to } => {
            Ok(said(gongwen::serve::district::backup(&district, &to)))
        }
        Command::Templates { action: None } => Ok(cmd::list_templates()),
        Command::Templates {
            action: Some(TemplatesCommand::Export { name, dir, force }),
        } => Ok(cmd::export_template(&name, &dir, force)),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "gongwen",
                &mut std::io::stdout(),
            );
            Ok(Exit::Ok)
        }
        Command::Help { command } => help(command.as_deref()),
    };
    result.unwrap_or_else(|msg| {
        eprintln!("用法错误: {msg}");
        eprintln!("用 gongwen help 查看用法");
        Exit::Usage
    })
}

/// A command's one-line outcome: on standard output, or as an error.
fn said(outcome: Result<String, String>) -> Exit {
    match outcome {
        Ok(m) => {
            println!("{m}");
            Exit::Ok
        }
        Err(m) => {
            eprintln!("错误: {m}");
            Exit::Io
        }
    }
}

fn user(
    action: &str,
    name: &str,
    district: &std::path::Path,
    unit: Option<&str>,
    office: bool,
    from_stdin: bool,
) -> Result<Exit, String> {
    if action == "add" && unit.is_none() && !office {
        return Err("新建账号须写 --unit 单位（单位的经办人）或 --office（公开办）".into());
    }
    let password = match action {
        "disable" => None,
        _ if from_stdin => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| format!("无法从标准输入读密码：{e}"))?;
            Some(line.trim_end_matches(['\r', '\n']).to_string())
        }
        _ => Some(gongwen::serve::district::password::ask()?),
    };
    Ok(said(gongwen::serve::district::user(
        district,
        action,
        name,
        unit,
        password.as_deref(),
    )))
}

fn help(command: Option<&str>) -> Result<Exit, String> {
    let mut root = Cli::command();
    // Built, so the global help option and the full names reach the
    // subcommands.
    root.build();
    match command {
        None => {
            let _ = root.print_help();
            Ok(Exit::Ok)
        }
        Some(name) => match root.find_subcommand_mut(name) {
            Some(sub) => {
                let _ = sub.print_help();
                Ok(Exit::Ok)
            }
            None => Err(format!("没有命令「{name}」")),
        },
    }
}

/// clap's own errors, said in Chinese with its suggestions kept; help and
/// version are printed as asked.
fn usage_error(e: clap::Error) -> Exit {
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return Exit::Ok;
    }
    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let _ = e.print();
        return Exit::Usage;
    }
    let get = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let arg = get(ContextKind::InvalidArg);
    let value = get(ContextKind::InvalidValue);
    let msg = match e.kind() {
        ErrorKind::InvalidSubcommand => {
            format!("没有命令「{}」", get(ContextKind::InvalidSubcommand))
        }
        ErrorKind::UnknownArgument => format!("不认识参数 {arg}"),
        ErrorKind::MissingRequiredArgument => format!(
            "缺少「{}」",
            arg.trim_end_matches("...").trim_matches(['<', '>'])
        ),
        ErrorKind::InvalidValue => {
            let valid = get(ContextKind::ValidValue);
            if valid.is_empty() {
                format!("{arg} 的值「{value}」不对")
            } else {
                format!("{arg} 的值「{value}」不对，可用的值: {valid}")
            }
        }
        ErrorKind::ArgumentConflict => {
            format!("{arg} 不能与 {} 一起使用", get(ContextKind::PriorArg))
        }
        ErrorKind::NoEquals | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("{arg} 后面需要一个值")
        }
        ErrorKind::TooManyValues => format!("多余的参数「{value}」"),
        ErrorKind::MissingSubcommand => "缺少命令".to_string(),
        _ => format!("命令行有误（{}）", e.kind()),
    };
    eprintln!("用法错误: {msg}");
    for s in [
        get(ContextKind::SuggestedSubcommand),
        get(ContextKind::SuggestedArg),
        get(ContextKind::SuggestedValue),
    ] {
        if !s.is_empty() {
            eprintln!("是否想写 {s}？");
        }
    }
    eprintln!("用 gongwen help 查看用法");
    Exit::Usage
}
