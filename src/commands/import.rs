//! `fwgen import shorewall`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use fwgen::import::shorewall::ImportError;

use crate::{TROUBLE, trouble};

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
}

pub(crate) fn import(args: &ImportArgs) -> ExitCode {
    if !args.dir.is_dir() {
        return trouble(&format!("{} is not a directory", args.dir.display()));
    }
    let imported = match fwgen::import::shorewall::import(&args.dir, args.partial) {
        Ok(imported) => imported,
        Err(ImportError::Unreadable(unreadable)) => {
            for item in &unreadable {
                eprintln!("error: {item}");
            }
            eprintln!(
                "error: {} file(s) or line(s) cannot be read as Shorewall reads them; nothing was written (not even with --partial)",
                unreadable.len()
            );
            return ExitCode::from(TROUBLE);
        }
        Err(ImportError::Incomplete(incomplete)) => {
            for item in &incomplete {
                eprintln!("error: {item}");
            }
            eprintln!(
                "error: what is left after skipping is not a complete model; nothing was written\n  = hint: the policy file must still cover every zone pair, as Shorewall requires"
            );
            return ExitCode::from(TROUBLE);
        }
        Err(ImportError::Unsupported(unsupported)) => {
            for item in &unsupported {
                eprintln!("error: {item}");
            }
            eprintln!(
                "error: {} line(s) cannot be expressed in fwgen's model; nothing was written\n  = hint: --partial imports the rest and lists them",
                unsupported.len()
            );
            return ExitCode::from(TROUBLE);
        }
    };
    for item in &imported.skipped {
        eprintln!("skipped: {item}");
    }
    let name = args
        .output
        .as_ref()
        .map_or("imported.toml".to_owned(), |p| p.display().to_string());
    if let Err(failure) =
        fwgen::load::compile(&fwgen::source::Source::new(&name, imported.toml.as_str()))
    {
        eprint!("{}", failure.render());
        return trouble("the imported model is not valid (see above); nothing was written");
    }
    let Some(output) = &args.output else {
        print!("{}", imported.toml);
        return ExitCode::SUCCESS;
    };
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(output);
    match file.and_then(|mut f| f.write_all(imported.toml.as_bytes())) {
        Ok(()) => {
            eprintln!(
                "wrote {}; next: fwgen check -c {0}, then fwgen diff",
                output.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => trouble(&format!(
            "cannot write {}: {e} (import never overwrites)",
            output.display()
        )),
    }
}
