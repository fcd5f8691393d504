//! One data file through the pipeline: read and checked for its template,
//! then template → markup → document → layout, as far as the caller asks.
//! Every command and the desk come here, so they report the same problems
//! at the same places, and everything read comes through the caller's
//! [`Files`] and [`Fonts`]: this does no I/O of its own.

use std::path::Path;
use std::sync::Arc;

use crate::annual::NarrativeLater;
use crate::diag::{Diagnostic, Diagnostics, Kind};
use crate::doc::Document;
use crate::exit::Exit;
use crate::files::{Files, Fonts};
use crate::font::FontBook;
use crate::input::Input;
use crate::layout::Laid;
use crate::template::Template;

/// What to compile.
#[derive(Debug, Clone, Copy)]
pub struct Job<'a> {
    /// The data file: read through the files unless `text` is given, and
    /// named in messages either way.
    pub path: &'a Path,
    /// The data file's text when the caller has it (a form not saved yet,
    /// a file about to be written).
    pub text: Option<&'a str>,
    /// `--template`: this template whatever the data file names.
    pub template: Option<&'a Template>,
    /// Whether the previous year's file the data names is read and the
    /// cross-year rules checked.
    pub previous: bool,
    pub until: Until,
    /// Go on past errors in the data as long as it could be read (the
    /// desk previews the pages of a form while it is being corrected).
    pub past_errors: bool,
}

impl<'a> Job<'a> {
    /// The data file at `path`, with its previous year's, all the way to
    /// laid-out pages.
    pub fn new(path: &'a Path) -> Job<'a> {
        Job {
            path,
            text: None,
            template: None,
            previous: true,
            until: Until::Pages,
            past_errors: false,
        }
    }

    pub fn template(self, template: Option<&'a Template>) -> Job<'a> {
        Job { template, ..self }
    }

    pub fn text(self, text: &'a str) -> Job<'a> {
        Job {
            text: Some(text),
            ..self
        }
    }

    pub fn until(self, until: Until) -> Job<'a> {
        Job { until, ..self }
    }
}

/// How far to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Until {
    /// The data read and checked.
    Data,
    /// The template's markup (`--dump-markup`).
    Markup,
    /// The document model (`--dump-model`).
    Document,
    /// The pages laid out, which finds every character no font has.
    Pages,
}

/// A result with the problems found on the way that did not stop it.
#[derive(Debug)]
pub struct Warned<T> {
    pub value: T,
    /// Warnings, and with [`Job::past_errors`] the data's errors, in the
    /// order the data file gives them.
    pub diagnostics: Diagnostics,
}

/// A data file compiled as far as [`Job::until`] asked.
#[derive(Debug)]
pub struct Compiled {
    pub input: Input,
    pub made: Made,
}

/// What was made from the data.
#[derive(Debug)]
pub enum Made {
    /// Nothing: the data was only read and checked.
    Data,
    Markup(String),
    Document(Document),
    Pages(Typeset),
}

/// The document laid out, and the faces it is set in.
#[derive(Debug)]
pub struct Typeset {
    pub document: Document,
    pub book: Arc<FontBook>,
    pub laid: Laid,
}

impl Compiled {
    /// The pages, when the job went that far.
    pub fn typeset(&self) -> Option<&Typeset> {
        match &self.made {
            Made::Pages(t) => Some(t),
            _ => None,
        }
    }
}

/// Why a compile stopped.
#[derive(Debug)]
pub enum Failure {
    /// The data file could not be read or has errors: every problem found
    /// in it, its warnings among them in order.
    Data(Diagnostics),
    /// Sound data that could not be typeset: the data as read, and the
    /// error from the template, markup, fonts or layout, pointed at the
    /// data file where it can be.
    Typeset(Box<Input>, Diagnostic),
}

impl Failure {
    /// The exit code: 3 when only files could not be read, else by kind.
    pub fn exit(&self) -> Exit {
        match self {
            Failure::Data(d) if d.0.iter().all(|d| d.kind == Kind::Io) => Exit::Io,
            Failure::Data(_) => Exit::Input,
            Failure::Typeset(_, d) => Exit::of(d),
        }
    }
}

/// Compiles one data file as `job` says, reading through `files` and
/// setting in the faces `fonts` gives.
pub fn compile(
    job: &Job,
    files: &dyn Files,
    fonts: &dyn Fonts,
) -> Warned<Result<Compiled, Failure>> {
    // An annual report's narrative check only warns: it runs beside the
    // template and the layout, which do not need it.
    let later = job.until != Until::Data;
    let loaded = match job.text {
        Some(text) => crate::input::load_text_leaving(
            job.path,
            text,
            job.template,
            files,
            job.previous,
            later,
        ),
        None => crate::input::load_leaving(job.path, job.template, files, later),
    };
    let mut diagnostics = loaded.diagnostics;
    let narrative = loaded.narrative;
    let stopped = diagnostics.has_errors() && !job.past_errors;
    let input = match loaded.input {
        Some(input) if !stopped => input,
        input => {
            if let (Some(n), Some(r)) = (narrative, input.as_ref().and_then(Input::report)) {
                n.add(&mut diagnostics, NarrativeLater::check(r));
            }
            return Warned {
                value: Err(Failure::Data(diagnostics)),
                diagnostics: Diagnostics::default(),
            };
        }
    };
    let mut warnings = None;
    let made = rayon::in_place_scope(|s| {
        if let (Some(n), Some(r)) = (narrative, input.report()) {
            let warnings = &mut warnings;
            s.spawn(move |_| *warnings = Some((n, NarrativeLater::check(r))));
        }
        make(&input, job.until, files, fonts)
    });
    if let Some((n, w)) = warnings {
        n.add(&mut diagnostics, w);
    }
    let value = match made {
        Ok(made) => Ok(Compiled { input, made }),
        Err(d) => {
            let d = locate(d, &input);
            Err(Failure::Typeset(Box::new(input), d))
        }
    };
    Warned { value, diagnostics }
}

fn make(
    input: &Input,
    until: Until,
    files: &dyn Files,
    fonts: &dyn Fonts,
) -> Result<Made, Diagnostic> {
    if until == Until::Data {
        return Ok(Made::Data);
    }
    let (template, data) = (&input.template, input.data.content());
    if until == Until::Markup {
        return Ok(Made::Markup(template.render_markup(data)?));
    }
    let pictures = folder(&input.source.path).map(|f| (f, files));
    let document = template.document_in(data, pictures)?;
    if until == Until::Document {
        return Ok(Made::Document(document));
    }
    let book = fonts.book(&document.style)?;
    // Laid out whatever the outputs: the DOCX repeats the layout's page
    // breaks, and laying out finds every character no font has.
    let laid = crate::layout::lay_out(&document, &book)?;
    Ok(Made::Pages(Typeset {
        document,
        book,
        laid,
    }))
}

/// The folder of a data file, where the pictures it names are.
pub fn folder(file: &Path) -> Option<&Path> {
    Some(match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    })
}

/// Points a typesetting error at the data file when it can: a character no
/// font has is shown where it first occurs in the data, a picture at its
/// name, other errors without a file name the data file.
pub fn locate(d: Diagnostic, input: &Input) -> Diagnostic {
    if d.file.is_some() {
        return d;
    }
    let src = &input.source;
    let at = match d.kind {
        Kind::MissingGlyph(c) => src.text.find(c).map(|at| at..at + c.len_utf8()),
        Kind::Picture => d
            .message
            .split_once('「')
            .and_then(|(_, rest)| rest.split_once('」'))
            .and_then(|(path, _)| {
                [format!("\"{path}\""), format!("'{path}'")]
                    .iter()
                    .find_map(|q| src.text.find(q.as_str()))
                    .map(|at| at + 1..at + 1 + path.len())
            }),
        _ => None,
    };
    if let Some(at) = at {
        return d.at(src, at);
    }
    d.in_file(&src.path)
}
