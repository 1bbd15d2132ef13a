//! The hidden `fwgen generate-assets --out DIR`: man pages, shell
//! completions and the model's JSON Schema, made from the same clap command the binary parses with, so
//! they never disagree with it. packaging/build-deb.sh puts them in the .deb.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

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

fn write_assets(out: &Path) -> std::io::Result<()> {
    let man = out.join("man");
    let completions = out.join("completions");
    std::fs::create_dir_all(&man)?;
    std::fs::create_dir_all(&completions)?;
    // fwgen(1), then fwgen-SUBCOMMAND(1) for each visible subcommand.
    clap_mangen::generate_to(Cli::command(), &man)?;
    for shell in SHELLS {
        clap_complete::generate_to(shell, &mut visible(Cli::command()), "fwgen", &completions)?;
    }
    // What `fwgen init`'s `#:schema` line names once installed.
    let schema = format!("{:#}\n", fwgen::schema::model_schema());
    std::fs::write(out.join("fwgen.schema.json"), schema)?;
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
