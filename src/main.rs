use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use fwgen::backend::{self, Backend};
use fwgen::emit;
use fwgen::load::{Failure, load};

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
    /// Render the model for a backend, to stdout or into a directory.
    Render {
        #[arg(long, value_enum)]
        backend: BackendArg,
        /// The model file.
        #[arg(short = 'c', long = "config", default_value = "fwgen.toml")]
        config: PathBuf,
        /// Write the files into DIR instead of printing them.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum BackendArg {
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Render {
            backend,
            config,
            out,
        } => render(backend.into(), &config, out.as_deref()),
    }
}

fn fail(failure: &Failure) -> ExitCode {
    eprint!("{}", failure.render());
    ExitCode::from(2)
}

fn render(backend: Backend, config: &std::path::Path, out: Option<&std::path::Path>) -> ExitCode {
    let (source, model) = match load(config) {
        Ok(loaded) => loaded,
        Err(failure) => return fail(&failure),
    };
    let files = match backend::render(&model, backend) {
        Ok(files) => files,
        Err(errors) => {
            return fail(&Failure {
                source: Some(source),
                errors,
            });
        }
    };
    let Some(dir) = out else {
        print!("{}", emit::to_stdout(&files));
        return ExitCode::SUCCESS;
    };
    match emit::write_all(dir, &files) {
        Ok(()) => {
            for file in &files {
                eprintln!("wrote {}", dir.join(&file.path).display());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!(
                "error: cannot write into {}: {error}; nothing was changed",
                dir.display()
            );
            ExitCode::from(2)
        }
    }
}
