//! `gongwen schema`: a template's JSON Schema, for editors.

use std::path::Path;

use crate::disk::Disk;
use crate::exit::Exit;
use crate::template::Template;

/// `gongwen schema`: a template's JSON Schema on standard output.
pub fn schema(arg: &Path) -> Exit {
    let t = match Template::by_name_or_dir(arg, &Disk) {
        Ok(t) => t,
        Err(d) => {
            eprint!("{d}");
            return Exit::of(&d).max(Exit::Input);
        }
    };
    match &t.schema {
        Some(text) => {
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
            Exit::Ok
        }
        None => {
            eprint!(
                "{}",
                crate::diag::Diagnostic::error("这个模板没有 schema.json")
                    .in_file(&t.origin)
                    .hint("在模板目录中写一个 schema.json 描述数据文件")
            );
            Exit::Input
        }
    }
}
