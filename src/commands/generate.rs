//! The hidden `fwgen generate-assets --out DIR`: man pages, shell
//! completions and the model's JSON Schema, made from the same clap command the binary parses with, so
//! they never disagree with it. packaging/build-deb.sh puts them in the .deb.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use fwgen::secure_dir::{SecureDir, Trust};

use crate::{Cli, trouble};

#[derive(Args)]
pub(crate) struct GenerateArgs {
    /// The directory to write `man/` and `completions/` into (created).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
}

/// The shells whose completions the package ships.
const SHELLS: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

pub(crate) fn generate(args: &GenerateArgs) -> ExitCode {
    match write_assets(&args.out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => trouble(&format!("cannot write into {}: {e}", args.out.display())),
    }
}

/// clap writes into a private temporary directory; each file then goes
/// into `out` through [`SecureDir`], never through a link someone else
/// planted there (the packager may run this as root).
fn write_assets(out: &Path) -> std::io::Result<()> {
    let scratch = tempfile::Builder::new().prefix("fwgen-assets-").tempdir()?;
    let man = scratch.path().join("man");
    let completions = scratch.path().join("completions");
    std::fs::create_dir(&man)?;
    std::fs::create_dir(&completions)?;
    // fwgen(1), then fwgen-SUBCOMMAND(1) for each visible subcommand.
    clap_mangen::generate_to(Cli::command(), &man)?;
    for shell in SHELLS {
        clap_complete::generate_to(shell, &mut visible(Cli::command()), "fwgen", &completions)?;
    }
    // What `fwgen init`'s `#:schema` line names once installed.
    let schema = format!("{:#}\n", fwgen::schema::model_schema());
    std::fs::write(scratch.path().join("fwgen.schema.json"), schema)?;
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| std::io::Error::other("--out names no directory"))?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let created = SecureDir::open(parent, Trust::Strict)?
        .subdir(name, Some(0o755), Trust::Strict)?
        .ok_or_else(|| std::io::Error::other("--out could not be created"))?;
    copy_into(scratch.path(), &created)
}

/// Every file and directory of `from` into `to`, 0644 files, 0755 dirs.
fn copy_into(from: &Path, to: &SecureDir) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name
            .to_str()
            .ok_or_else(|| std::io::Error::other("a generated name is not UTF-8"))?;
        if entry.file_type()?.is_dir() {
            let sub = to
                .subdir(name, Some(0o755), Trust::Strict)?
                .ok_or_else(|| std::io::Error::other(format!("{name} could not be created")))?;
            copy_into(&entry.path(), &sub)?;
        } else {
            to.replace(name, &std::fs::read(entry.path())?, 0o644)?;
        }
    }
    Ok(())
}

/// The command without its hidden subcommands, which clap_complete would
/// otherwise offer (`rollback-timer` is fwgen's own business).
fn visible(full: clap::Command) -> clap::Command {
    let mut command = clap::Command::new("fwgen").version(env!("CARGO_PKG_VERSION"));
    if let Some(about) = full.get_about() {
        command = command.about(about.clone());
    }
    command = command.args(full.get_arguments().filter(|a| !a.is_hide_set()).cloned());
    command.subcommands(full.get_subcommands().filter(|s| !s.is_hide_set()).cloned())
}
