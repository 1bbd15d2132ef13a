//! Load: read the model file and run parse and analyze on it.

use std::path::Path;

use crate::analyze::analyze;
use crate::config::parse;
use crate::error::{Error, ErrorKind};
use crate::model::Model;
use crate::source::Source;

/// Everything that went wrong with one model file, ready to be shown.
#[derive(Debug)]
pub struct Failure {
    /// The file's text, when it could be read, for snippets.
    pub source: Option<Source>,
    pub errors: Vec<Error>,
}

impl Failure {
    /// All errors, one block each, in file order.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for error in self.in_file_order() {
            out.push_str(&error.render(self.source.as_ref()));
            out.push('\n');
        }
        if let [only] = self.errors.as_slice()
            && matches!(*only.kind, ErrorKind::NoModel { .. })
        {
            // No model was found, so none has errors.
            return out;
        }
        let count = self.errors.len();
        let plural = if count == 1 { "" } else { "s" };
        out.push_str(&format!(
            "error: the model has {count} error{plural}; nothing was written\n"
        ));
        out
    }

    /// All errors as `{"errors": [...]}`, in file order (docs/json.md).
    pub fn json(&self) -> serde_json::Value {
        let errors: Vec<serde_json::Value> = self
            .in_file_order()
            .into_iter()
            .map(|error| error.json(self.source.as_ref()))
            .collect();
        serde_json::json!({ "errors": errors })
    }

    fn in_file_order(&self) -> Vec<&Error> {
        let mut errors: Vec<&Error> = self.errors.iter().collect();
        errors.sort_by_key(|e| e.span.as_ref().map_or(0, |s| s.start));
        errors
    }
}

/// Read a model file into a `Source`: only a regular file (a symbolic link
/// to one is followed), at most [`crate::input::MAX_INPUT`] bytes. A file
/// that is not UTF-8 is an error pointing at the first bad byte.
pub fn read_source(path: &Path) -> Result<Source, Failure> {
    let bytes = crate::input::read(path).map_err(|error| Failure {
        source: Some(Source::new(path, "")),
        errors: vec![Error::new(
            None,
            ErrorKind::Read {
                message: error.to_string(),
            },
        )],
    })?;
    String::from_utf8(bytes)
        .map(|text| Source::new(path, text))
        .map_err(|error| {
            let at = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let lossy_at = String::from_utf8_lossy(&error.as_bytes()[..at]).len();
            Failure {
                source: Some(Source::new(path, text)),
                errors: vec![Error::at(lossy_at..lossy_at + 3, ErrorKind::NotUtf8)],
            }
        })
}

/// Parse and analyze a loaded source.
pub fn compile(source: &Source) -> Result<Model, Failure> {
    let fail = |errors| Failure {
        source: Some(source.clone()),
        errors,
    };
    let raw = parse(source).map_err(|error| match *error.kind {
        ErrorKind::Toml { message } => fail(vec![Error::toml(error.span, message, &source.text)]),
        _ => fail(vec![error]),
    })?;
    analyze(raw, source).map_err(fail)
}

/// Read, parse and analyze the model at `path`.
pub fn load(path: &Path) -> Result<(Source, Model), Failure> {
    let source = read_source(path)?;
    let model = compile(&source)?;
    Ok((source, model))
}
