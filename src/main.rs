use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod commands;

use commands::apply::{ApplyArgs, TimerArgs};
use commands::check::CheckArgs;
use commands::explain::ExplainArgs;
use commands::generate::GenerateArgs;
use commands::import::ImportCommand;
use commands::init::InitArgs;
use commands::render::{DiffArgs, RenderArgs};

use fwgen::backend::Backend;
use fwgen::load::{Failure, load};
use fwgen::plan::Color;

/// fwgen: one typed model of a zone-based firewall, rendered into
/// Shorewall's configuration or an equivalent nftables ruleset.
#[derive(Parser)]
#[command(name = "fwgen", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render the model: to stdout, or into DIR after showing the diff.
    Render(RenderArgs),
    /// Show what `render --out DIR` would change (exit 0: nothing, 1: changes).
    Diff(DiffArgs),
    /// Validate the model and warn about what is valid but probably wrong.
    Check(CheckArgs),
    /// Explain the verdict the model gives one new connection, and why.
    Explain(ExplainArgs),
    /// Load the model into the kernel with automatic rollback (or confirm one).
    Apply(ApplyArgs),
    /// Turn an existing configuration into a model.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write a starter fwgen.toml.
    Init(InitArgs),
    /// Restore the saved table unless confirmed in time (started by apply).
    #[command(hide = true)]
    RollbackTimer(TimerArgs),
    /// Print the analyzed model (for debugging fwgen).
    #[command(hide = true)]
    Dump(ModelArgs),
    /// Write man pages and shell completions (for packaging).
    #[command(hide = true)]
    GenerateAssets(GenerateArgs),
}

#[derive(Args)]
pub(crate) struct ModelArgs {
    /// The model file.
    #[arg(short = 'c', long = "config", default_value = "fwgen.toml")]
    pub(crate) config: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum BackendArg {
    Shorewall,
    Nftables,
}

impl From<BackendArg> for Backend {
    fn from(arg: BackendArg) -> Backend {
        match arg {
            BackendArg::Shorewall => Backend::Shorewall,
            BackendArg::Nftables => Backend::Nftables,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ColorArg {
    Auto,
    Always,
    Never,
}

impl ColorArg {
    pub(crate) fn resolve(self) -> Color {
        match self {
            ColorArg::Always => Color::Always,
            ColorArg::Never => Color::Never,
            ColorArg::Auto if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => {
                Color::Never
            }
            ColorArg::Auto if std::io::stdout().is_terminal() => Color::Always,
            ColorArg::Auto => Color::Never,
        }
    }
}

/// diff(1)'s exit codes: 0 same, 1 different, 2 trouble.
pub(crate) const CHANGES: u8 = 1;
pub(crate) const TROUBLE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let state_dir = match &cli.command {
        Command::Apply(args) => Some(args.state_dir.clone()),
        Command::RollbackTimer(_) | Command::GenerateAssets(_) => None,
        _ => Some(std::env::var_os("FWGEN_STATE_DIR").map_or_else(
            || PathBuf::from(fwgen::apply::DEFAULT_STATE_DIR),
            PathBuf::from,
        )),
    };
    if let Some(dir) = state_dir {
        commands::apply::warn_if_orphaned(&dir);
    }
    match cli.command {
        Command::Render(args) => commands::render::render(&args),
        Command::Diff(args) => commands::render::diff(&args),
        Command::Check(args) => commands::check::check(&args),
        Command::Explain(args) => commands::explain::explain(&args),
        Command::Apply(args) => commands::apply::command(&args),
        Command::Import(ImportCommand::Shorewall(args)) => commands::import::import(&args),
        Command::Init(args) => commands::init::init(&args),
        Command::RollbackTimer(args) => commands::apply::timer_command(&args),
        Command::Dump(args) => dump(&args),
        Command::GenerateAssets(args) => commands::generate::generate(&args),
    }
}

pub(crate) fn fail(failure: &Failure) -> ExitCode {
    eprint!("{}", failure.render());
    ExitCode::from(TROUBLE)
}

pub(crate) fn trouble(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(TROUBLE)
}

fn dump(args: &ModelArgs) -> ExitCode {
    match load(&args.config) {
        Ok((_, model)) => {
            println!("{model:#?}");
            ExitCode::SUCCESS
        }
        Err(failure) => fail(&failure),
    }
}
