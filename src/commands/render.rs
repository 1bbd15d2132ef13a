//! `fwgen render` and `fwgen diff`: the diff-before-write flow.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use fwgen::backend::{self, Backend, OutputFile};
use fwgen::emit::{self, Backup};
use fwgen::load::{Failure, load};
use fwgen::plan::{self, Plan};

use crate::{BackendArg, CHANGES, ColorArg, ModelArgs, fail, trouble};

#[derive(Args)]
pub(crate) struct DiffArgs {
    #[arg(long, value_enum)]
    pub(crate) backend: BackendArg,
    #[command(flatten)]
    pub(crate) model: ModelArgs,
    /// The directory the files go to.
    #[arg(long, value_name = "DIR", required_unless_present = "live")]
    pub(crate) out: Option<PathBuf>,
    /// Compare with the table loaded in the kernel (nftables).
    #[arg(long, conflicts_with = "out")]
    pub(crate) live: bool,
    /// Colour the diff: auto (on a terminal, unless NO_COLOR is set).
    #[arg(long, value_enum, default_value = "auto")]
    pub(crate) color: ColorArg,
}

#[derive(Args)]
pub(crate) struct RenderArgs {
    #[arg(long, value_enum)]
    pub(crate) backend: BackendArg,
    #[command(flatten)]
    pub(crate) model: ModelArgs,
    /// Write into DIR (after the diff and a confirmation) instead of stdout.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// Write without asking (required without a terminal).
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
    /// Show the diff and stop.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Exit 1 with the diff when DIR is not what the model renders (for CI).
    #[arg(long)]
    pub(crate) check: bool,
    /// Replace files that lack fwgen's header (a backup is kept).
    #[arg(long)]
    pub(crate) force: bool,
    /// Keep backups here instead of FILE.bak beside each file.
    #[arg(long, value_name = "DIR")]
    pub(crate) backup_dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "auto")]
    pub(crate) color: ColorArg,
}

/// Load, analyze and render; every error already reported on stderr.
pub(crate) fn rendered(config: &Path, backend: Backend) -> Result<Vec<OutputFile>, ExitCode> {
    let (source, model) = load(config).map_err(|failure| fail(&failure))?;
    backend::render(&model, backend).map_err(|errors| {
        fail(&Failure {
            source: Some(source),
            errors,
        })
    })
}

pub(crate) fn planned(config: &Path, backend: Backend, dir: &Path) -> Result<Plan, ExitCode> {
    let files = rendered(config, backend)?;
    plan::plan(dir, backend, &files)
        .map_err(|e| trouble(&format!("cannot read {}: {e}", dir.display())))
}

pub(crate) fn diff(args: &DiffArgs) -> ExitCode {
    if args.live {
        if Backend::from(args.backend) != Backend::Nftables {
            return trouble("--live compares the kernel's nftables table: use --backend nftables");
        }
        return super::apply::diff_live(&args.model.config, args.color.resolve());
    }
    let Some(out) = &args.out else {
        return trouble("--out DIR is required");
    };
    let plan = match planned(&args.model.config, args.backend.into(), out) {
        Ok(plan) => plan,
        Err(code) => return code,
    };
    print!("{}", plan::unified(&plan, args.color.resolve()));
    if plan.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(CHANGES)
    }
}

pub(crate) fn render(args: &RenderArgs) -> ExitCode {
    let Some(dir) = &args.out else {
        if args.check || args.dry_run || args.force || args.yes || args.backup_dir.is_some() {
            return trouble("--check, --dry-run, --yes, --force and --backup-dir need --out DIR");
        }
        return match rendered(&args.model.config, args.backend.into()) {
            Ok(files) => {
                print!("{}", emit::to_stdout(&files));
                ExitCode::SUCCESS
            }
            Err(code) => code,
        };
    };
    let plan = match planned(&args.model.config, args.backend.into(), dir) {
        Ok(plan) => plan,
        Err(code) => return code,
    };
    print!("{}", plan::unified(&plan, args.color.resolve()));
    if plan.is_empty() {
        eprintln!("{} is up to date: nothing to write", dir.display());
        return ExitCode::SUCCESS;
    }
    if args.check {
        eprintln!(
            "{} differs from what the model renders:\n{}",
            dir.display(),
            plan::summary(&plan)
        );
        return ExitCode::from(CHANGES);
    }
    write_plan(args, &plan)
}

pub(crate) fn write_plan(args: &RenderArgs, plan: &Plan) -> ExitCode {
    let hand_written = plan.hand_written();
    if !hand_written.is_empty() && !args.force {
        let names: Vec<String> = hand_written
            .iter()
            .map(|e| plan.dir.join(&e.path).display().to_string())
            .collect();
        return trouble(&format!(
            "refusing to overwrite files fwgen did not generate: {}\n  = hint: move them away, or pass --force (the old files are backed up)",
            names.join(", ")
        ));
    }
    if args.dry_run {
        eprintln!(
            "dry run: nothing written. Would change:\n{}",
            plan::summary(plan)
        );
        return ExitCode::SUCCESS;
    }
    let question = format!(
        "{}Write these changes into {}?",
        plan::summary(plan),
        plan.dir.display()
    );
    let without_terminal = "pass --yes to write, or --dry-run to only see the diff";
    if let Err(code) = super::ask(args.yes, &question, without_terminal, "nothing written") {
        return code;
    }
    let backup = args.backup_dir.clone().map_or(Backup::Beside, Backup::Dir);
    match emit::apply(plan, &backup) {
        Ok(()) => {
            eprint!(
                "wrote into {}:\n{}",
                plan.dir.display(),
                plan::summary(plan)
            );
            ExitCode::SUCCESS
        }
        Err(error) => trouble(&format!(
            "cannot write into {}: {error}; nothing was changed",
            plan.dir.display()
        )),
    }
}
