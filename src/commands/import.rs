//! `fwgen import shorewall`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use fwgen::import::shorewall::{ImportError, Unreadable, Unsupported};

use crate::{Format, TROUBLE, report, trouble, trouble_as};

#[derive(Subcommand)]
pub(crate) enum ImportCommand {
    /// Import a Shorewall configuration directory (e.g. /etc/shorewall).
    Shorewall(ImportArgs),
}

#[derive(Args)]
pub(crate) struct ImportArgs {
    /// The Shorewall configuration directory.
    pub(crate) dir: PathBuf,
    /// Write the model here instead of stdout (never overwrites).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Import what the model can express; list every skipped line.
    #[arg(long)]
    pub(crate) partial: bool,
    /// text: the model on stdout, notes on stderr; json: one object
    /// (docs/json.md).
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: Format,
}

pub(crate) fn import(args: &ImportArgs) -> ExitCode {
    let format = args.format;
    if !args.dir.is_dir() {
        let message = format!("{} is not a directory", args.dir.display());
        return trouble_as(format, "not-a-directory", &message);
    }
    let imported = match fwgen::import::shorewall::import(&args.dir, args.partial) {
        Ok(imported) => imported,
        Err(error) => return refused(&error, format),
    };
    if format == Format::Text {
        for note in &imported.notes {
            eprintln!("note: {note}");
        }
        for item in &imported.skipped {
            eprintln!("skipped: {item}");
        }
    }
    let name = args
        .output
        .as_ref()
        .map_or("imported.toml".to_owned(), |p| p.display().to_string());
    let source = fwgen::source::Source::new(&name, imported.toml.as_str());
    if let Err(failure) = fwgen::load::compile(&source) {
        if format == Format::Json {
            return report(&failure, format);
        }
        eprint!("{}", failure.render());
        return trouble("the imported model is not valid (see above); nothing was written");
    }
    if let Some(output) = &args.output
        && let Err(e) = write_new(output, &imported.toml)
    {
        let message = format!(
            "cannot write {}: {e} (import never overwrites)",
            output.display()
        );
        return trouble_as(format, "cannot-write", &message);
    }
    match (format, &args.output) {
        (Format::Json, output) => {
            let skipped: Vec<serde_json::Value> =
                imported.skipped.iter().map(unsupported_json).collect();
            let json = serde_json::json!({
                "model": imported.toml,
                "output": output.as_ref().map(|p| p.display().to_string()),
                "notes": imported.notes,
                "skipped": skipped,
            });
            outln!("{json}");
        }
        (Format::Text, None) => out!("{}", imported.toml),
        (Format::Text, Some(output)) => eprintln!(
            "wrote {}; next: fwgen check -c {0}, then fwgen diff",
            output.display()
        ),
    }
    ExitCode::SUCCESS
}

fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?
        .write_all(text.as_bytes())
}

/// Nothing imported: each line that stopped it, then why; exit 2.
fn refused(error: &ImportError, format: Format) -> ExitCode {
    let (items, summary): (Vec<serde_json::Value>, String) = match error {
        ImportError::Unreadable(unreadable) => (
            unreadable.iter().map(unreadable_json).collect(),
            format!(
                "{} file(s) or line(s) cannot be read as Shorewall reads them; nothing was written (not even with --partial)",
                unreadable.len()
            ),
        ),
        ImportError::Unsupported(unsupported) => (
            unsupported.iter().map(unsupported_json).collect(),
            format!(
                "{} line(s) cannot be expressed in fwgen's model; nothing was written\n  = hint: --partial imports the rest and lists them",
                (unsupported.iter())
                    .map(|u| (&u.file, u.line))
                    .collect::<std::collections::BTreeSet<_>>()
                    .len()
            ),
        ),
        ImportError::Incomplete(incomplete) => (
            incomplete.iter().map(unsupported_json).collect(),
            "what is left after skipping is not a complete model; nothing was written\n  = hint: the policy file must still cover every zone pair, as Shorewall requires".to_owned(),
        ),
    };
    if format == Format::Json {
        outln!("{}", serde_json::json!({ "errors": items }));
        return ExitCode::from(TROUBLE);
    }
    let lines: Vec<String> = match error {
        ImportError::Unreadable(unreadable) => unreadable.iter().map(ToString::to_string).collect(),
        ImportError::Unsupported(unsupported) | ImportError::Incomplete(unsupported) => {
            unsupported.iter().map(ToString::to_string).collect()
        }
    };
    for line in lines {
        eprintln!("error: {line}");
    }
    trouble(&summary)
}

fn unreadable_json(item: &Unreadable) -> serde_json::Value {
    serde_json::json!({
        "level": "error",
        "code": "unreadable",
        "message": item.reason,
        "file": item.file,
        "line": item.line,
        "column": null,
        "hint": null,
    })
}

/// A Shorewall line the model cannot express: an error without
/// `--partial`, a skipped line with it.
fn unsupported_json(item: &Unsupported) -> serde_json::Value {
    serde_json::json!({
        "level": "error",
        "code": "unsupported",
        "message": item.reason,
        "file": item.file,
        "line": item.line,
        "column": null,
        "text": item.text,
        "hint": "--partial imports the rest and lists them",
    })
}
