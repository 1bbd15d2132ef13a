use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// `print!` that survives a closed stdout (src/commands/out.rs).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::commands::out::write(format_args!($($arg)*))
    };
}

/// `println!` that survives a closed stdout (src/commands/out.rs).
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::commands::out::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

mod commands;

use commands::apply::{ApplyArgs, TimerArgs};
use commands::check::CheckArgs;
use commands::explain::ExplainArgs;
use commands::generate::GenerateArgs;
use commands::import::ImportCommand;
use commands::init::InitArgs;
use commands::render::{DiffArgs, RenderArgs};
use commands::verify::VerifyArgs;

use fwgen::backend::Backend;
use fwgen::load::{Failure, load};
use fwgen::plan::Color;

/// fwgen: one typed model of a zone-based firewall, rendered into
/// Shorewall's configuration or an equivalent nftables ruleset.
#[derive(Parser)]
#[command(name = "fwgen", version, about)]
struct Cli {
    /// The model file [default: $FWGEN_CONFIG, else ./fwgen.toml, else
    /// /etc/fwgen/fwgen.toml]. For `init`, where to write it.
    #[arg(short = 'c', long = "config", value_name = "FILE", global = true)]
    config: Option<PathBuf>,
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
    /// Prove the model with real packets in network namespaces (as root).
    ///
    /// Builds the model's network in namespaces, loads each candidate
    /// firewall in turn (fwgen's nftables ruleset; fwgen's Shorewall files
    /// when Shorewall is installed; with --against, your original Shorewall
    /// directory), sends TCP, UDP, ICMP and DHCP probes between every pair
    /// of zones and through every port forward, and compares each outcome
    /// with what the model says. Exit 0: all agree; 1: disagreements (each
    /// listed with the model items that decide it); 2: could not run.
    Verify(VerifyArgs),
    /// Turn an existing configuration into a model.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write a starter fwgen.toml.
    Init(InitArgs),
    /// Print the JSON Schema of fwgen.toml (for editors and CI).
    Schema,
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

/// The model a command reads: the global `-c`, else the lookup in
/// [`model_path`]; main fills it in after parsing.
#[derive(Args)]
pub(crate) struct ModelArgs {
    #[arg(skip)]
    pub(crate) config: PathBuf,
}

/// Where a model is looked for when neither `-c` nor `FWGEN_CONFIG` names one.
const DEFAULT_MODELS: [&str; 2] = ["./fwgen.toml", "/etc/fwgen/fwgen.toml"];

/// The model file: `-c FILE`, else `$FWGEN_CONFIG`, else the first of
/// [`DEFAULT_MODELS`] that exists. None existing is an error naming each.
fn model_path(explicit: Option<PathBuf>) -> Result<PathBuf, Failure> {
    if let Some(path) = explicit.or_else(env_model) {
        return Ok(path);
    }
    let found = DEFAULT_MODELS
        .iter()
        .map(PathBuf::from)
        .find(|path| path.exists());
    found.ok_or_else(|| Failure {
        source: None,
        errors: vec![fwgen::error::Error::new(
            None,
            fwgen::error::ErrorKind::NoModel {
                looked: DEFAULT_MODELS.iter().map(|p| (*p).to_owned()).collect(),
            },
        )],
    })
}

/// `FWGEN_CONFIG`, when set and not empty.
fn env_model() -> Option<PathBuf> {
    std::env::var_os("FWGEN_CONFIG")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
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
    let code = run(cli.command, cli.config);
    if commands::out::failed() {
        return ExitCode::from(TROUBLE);
    }
    code
}

/// Run one command; `config` is the global `-c`, which fills the model
/// arguments of commands that read one and is refused by the others.
fn run(command: Command, config: Option<PathBuf>) -> ExitCode {
    let model = |model: &mut ModelArgs| {
        model.config = model_path(config.clone())?;
        Ok(())
    };
    match command {
        Command::Render(mut args) => with_model(model(&mut args.model), Format::Text, || {
            commands::render::render(&args)
        }),
        Command::Diff(mut args) => with_model(model(&mut args.model), args.format, || {
            commands::render::diff(&args)
        }),
        Command::Check(mut args) => {
            let format = args.format;
            with_model(model(&mut args.model), format, || {
                commands::check::check(&args)
            })
        }
        Command::Explain(mut args) => {
            let format = args.format;
            with_model(model(&mut args.model), format, || {
                commands::explain::explain(&args)
            })
        }
        Command::Apply(mut args) => {
            // Confirming or rolling back concerns the pending apply, not a model.
            let found = if args.confirm || args.rollback_now {
                Ok(())
            } else {
                model(&mut args.model)
            };
            with_model(found, Format::Text, || commands::apply::command(&args))
        }
        Command::Verify(mut args) => {
            let format = args.format;
            with_model(model(&mut args.model), format, || {
                commands::verify::verify(&args)
            })
        }
        Command::Import(ImportCommand::Shorewall(args)) => without_model(
            config.as_deref(),
            "import",
            "-o FILE names the model it writes",
        )
        .unwrap_or_else(|| commands::import::import(&args)),
        Command::Schema => without_model(config.as_deref(), "schema", "it describes every model")
            .unwrap_or_else(schema),
        Command::Init(args) => commands::init::init(&args, config.or_else(env_model)),
        Command::RollbackTimer(args) => without_model(
            config.as_deref(),
            "rollback-timer",
            "it restores saved state",
        )
        .unwrap_or_else(|| commands::apply::timer_command(&args)),
        Command::Dump(mut args) => with_model(model(&mut args), Format::Text, || dump(&args)),
        Command::GenerateAssets(args) => without_model(
            config.as_deref(),
            "generate-assets",
            "it writes man pages and completions",
        )
        .unwrap_or_else(|| commands::generate::generate(&args)),
    }
}

/// Run a command once its model is found; report the lookup's failure
/// in the command's format otherwise.
fn with_model(
    found: Result<(), Failure>,
    format: Format,
    run: impl FnOnce() -> ExitCode,
) -> ExitCode {
    match found {
        Ok(()) => run(),
        Err(failure) => report(&failure, format),
    }
}

/// A command that reads no model refuses `-c` rather than ignore it.
fn without_model(
    config: Option<&std::path::Path>,
    command: &str,
    instead: &str,
) -> Option<ExitCode> {
    config.map(|path| {
        trouble(&format!(
            "`fwgen {command}` reads no model, so `-c {}` would have no effect; {instead}",
            path.display()
        ))
    })
}

/// Every `--format`: text for people, one JSON object for scripts
/// (docs/json.md).
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
}

/// A model that failed to load, in the format asked for; exit 2.
pub(crate) fn report(failure: &Failure, format: Format) -> ExitCode {
    match format {
        Format::Text => fail(failure),
        Format::Json => {
            outln!("{}", failure.json());
            ExitCode::from(TROUBLE)
        }
    }
}

pub(crate) fn fail(failure: &Failure) -> ExitCode {
    eprint!("{}", failure.render());
    ExitCode::from(TROUBLE)
}

/// The command's own trouble (not the model's), in the format asked for:
/// JSON as one `{"errors": [...]}` object with `code` (docs/json.md).
pub(crate) fn trouble_as(format: Format, code: &str, message: &str) -> ExitCode {
    match format {
        Format::Text => trouble(message),
        Format::Json => {
            let error = serde_json::json!({
                "level": "error",
                "code": code,
                "message": message,
                "file": null,
                "line": null,
                "column": null,
                "hint": privilege_hint(message),
            });
            outln!("{}", serde_json::json!({ "errors": [error] }));
            ExitCode::from(TROUBLE)
        }
    }
}

/// "run as root" when a tool failed for lack of privilege.
fn privilege_hint(message: &str) -> Option<&'static str> {
    fwgen::error::privilege_hint(message, rustix::process::geteuid().is_root())
}

pub(crate) fn trouble(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    if let Some(hint) = privilege_hint(message) {
        eprintln!("  = hint: {hint}");
    }
    ExitCode::from(TROUBLE)
}

fn schema() -> ExitCode {
    use std::io::Write;
    let schema = fwgen::schema::model_schema();
    let text = format!("{schema:#}\n");
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => trouble(&format!("cannot print the schema: {e}")),
    }
}

fn dump(args: &ModelArgs) -> ExitCode {
    match load(&args.config) {
        Ok((_, model)) => {
            outln!("{model:#?}");
            ExitCode::SUCCESS
        }
        Err(failure) => fail(&failure),
    }
}
