//! `fwgen render` and `fwgen diff`: the diff-before-write flow.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use fwgen::backend::{self, Backend, OutputFile};
use fwgen::emit::{self, Backup};
use fwgen::load::{Failure, load};
use fwgen::plan::{self, Change, Plan};
use fwgen::secure_dir::{SecureDir, Trust};

use crate::{BackendArg, CHANGES, ColorArg, Format, ModelArgs, report, trouble, trouble_as};

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
    /// text: a unified diff; json: one object per file (docs/json.md).
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: Format,
    #[command(flatten)]
    pub(crate) unsafe_dir: UnsafeDirArg,
}

#[derive(Args)]
pub(crate) struct UnsafeDirArg {
    /// Work in a directory that another user can write (refused otherwise,
    /// as sshd's StrictModes refuses such a home).
    #[arg(long)]
    pub(crate) force_unsafe_dir: bool,
}

impl UnsafeDirArg {
    pub(crate) fn trust(&self) -> Trust {
        if self.force_unsafe_dir {
            Trust::Unsafe
        } else {
            Trust::Strict
        }
    }
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
    /// On stdout, the stopped ruleset (fwgen-stopped.nft) instead of the
    /// running one (--backend nftables; --out DIR writes both).
    #[arg(long, conflicts_with = "out")]
    pub(crate) stopped: bool,
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
    /// Keep backups here instead of FILE.bak beside each file (never
    /// inside the output directory).
    #[arg(long, value_name = "DIR")]
    pub(crate) backup_dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "auto")]
    pub(crate) color: ColorArg,
    #[command(flatten)]
    pub(crate) unsafe_dir: UnsafeDirArg,
}

/// Load, analyze and render; every error already reported (in `format`).
pub(crate) fn rendered(
    config: &Path,
    backend: Backend,
    format: Format,
) -> Result<Vec<OutputFile>, ExitCode> {
    let (source, model) = load(config).map_err(|failure| report(&failure, format))?;
    // A backend's errors point at no place in the model (the analyser's
    // do, and they are reported above): they name the file alone, so its
    // text and line index are let go before rendering (14.6 MB of the
    // peak heap at 100,000 rules, docs/performance.md).
    let source = source.without_text();
    backend::render_owned(model, backend).map_err(|errors| {
        debug_assert!(errors.iter().all(|error| error.span.is_none()));
        let failure = Failure {
            source: Some(source),
            errors,
        };
        report(&failure, format)
    })
}

/// Open the output directory (lock, repair, checks), then compare. The
/// returned handle holds the directory's lock until it is dropped.
pub(crate) fn planned(
    config: &Path,
    backend: Backend,
    dir: &Path,
    trust: Trust,
    format: Format,
) -> Result<(SecureDir, Plan), ExitCode> {
    let files = rendered(config, backend, format)?;
    let (handle, notes) = emit::open_output(dir, trust).map_err(|e| {
        trouble_as(
            format,
            "output-directory",
            &format!("{e}; nothing was changed"),
        )
    })?;
    for note in notes {
        eprintln!("fwgen: {note}");
    }
    let plan = plan::plan(&handle, trust, backend, &files).map_err(|e| {
        let message = format!("cannot read {}: {e}; nothing was changed", dir.display());
        trouble_as(format, "output-directory", &message)
    })?;
    Ok((handle, plan))
}

pub(crate) fn diff(args: &DiffArgs) -> ExitCode {
    if args.live {
        if Backend::from(args.backend) != Backend::Nftables {
            let message = "--live compares the kernel's nftables table: use --backend nftables";
            return trouble_as(args.format, "bad-argument", message);
        }
        if args.format == Format::Json {
            return trouble_as(
                Format::Json,
                "unsupported-format",
                "--live shows the kernel's diff as text only: leave out --format json",
            );
        }
        return super::apply::diff_live(&args.model.config, args.color.resolve());
    }
    let Some(out) = &args.out else {
        return trouble_as(args.format, "bad-argument", "--out DIR is required");
    };
    let (_lock, plan) = match planned(
        &args.model.config,
        args.backend.into(),
        out,
        args.unsafe_dir.trust(),
        args.format,
    ) {
        Ok(planned) => planned,
        Err(code) => return code,
    };
    match args.format {
        Format::Text => out!("{}", plan::unified(&plan, args.color.resolve())),
        Format::Json => outln!("{}", plan_json(&plan)),
    }
    if plan.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(CHANGES)
    }
}

/// `{"dir": ..., "changes": [{"path", "change", "diff"}]}`: each changed
/// file with its own unified diff, uncoloured.
fn plan_json(plan: &Plan) -> serde_json::Value {
    let changes: Vec<serde_json::Value> = plan
        .changes()
        .map(|entry| {
            let alone = Plan {
                dir: plan.dir.clone(),
                entries: vec![entry.clone()],
                foreign: Vec::new(),
            };
            serde_json::json!({
                "path": entry.path,
                "change": change_name(&entry.change),
                "diff": plan::unified(&alone, fwgen::plan::Color::Never),
            })
        })
        .collect();
    serde_json::json!({
        "dir": plan.dir.display().to_string(),
        "changes": changes,
        "foreign": plan.foreign,
    })
}

/// The stable name of a change in JSON.
fn change_name(change: &Change) -> &'static str {
    match change {
        Change::Unchanged => "unchanged",
        Change::Create => "create",
        Change::Update { .. } => "update",
        Change::Overwrite { .. } => "overwrite",
        Change::Remove { .. } => "remove",
    }
}

pub(crate) fn render(args: &RenderArgs) -> ExitCode {
    let Some(dir) = &args.out else {
        if args.check || args.dry_run || args.force || args.yes || args.backup_dir.is_some() {
            return trouble("--check, --dry-run, --yes, --force and --backup-dir need --out DIR");
        }
        let backend: Backend = args.backend.into();
        if args.stopped && backend != Backend::Nftables {
            return trouble(
                "--stopped is for --backend nftables (Shorewall's is the stoppedrules file)",
            );
        }
        return match rendered(&args.model.config, backend, Format::Text) {
            Ok(mut files) => {
                // nftables on stdout: one file `nft -f -` loads.
                if backend == Backend::Nftables {
                    let wanted = if args.stopped {
                        backend::nftables::STOPPED_FILE_NAME
                    } else {
                        backend::nftables::FILE_NAME
                    };
                    files.retain(|f| f.path == wanted);
                }
                out!("{}", emit::to_stdout(&files));
                ExitCode::SUCCESS
            }
            Err(code) => code,
        };
    };
    let trust = args.unsafe_dir.trust();
    let (handle, plan) = match planned(
        &args.model.config,
        args.backend.into(),
        dir,
        trust,
        Format::Text,
    ) {
        Ok(planned) => planned,
        Err(code) => return code,
    };
    out!("{}", plan::unified(&plan, args.color.resolve()));
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
    write_plan(args, &handle, &plan)
}

/// Where backups go; `--backup-dir` must not lie inside the output
/// directory (a backup there could be taken for, or replace, an original).
fn backup_target(backup_dir: Option<&Path>, out: &Path, trust: Trust) -> Result<Backup, String> {
    let Some(backups) = backup_dir else {
        return Ok(Backup::Beside);
    };
    if let Err(e) = std::fs::create_dir(backups)
        && e.kind() != std::io::ErrorKind::AlreadyExists
    {
        return Err(format!(
            "cannot create --backup-dir {}: {e}",
            backups.display()
        ));
    }
    let canonical =
        |p: &Path| std::fs::canonicalize(p).map_err(|e| format!("{}: {e}", p.display()));
    if canonical(backups)?.starts_with(canonical(out)?) {
        return Err(format!(
            "--backup-dir {} lies inside --out {}: a backup there could replace the very file it keeps; choose a directory outside it",
            backups.display(),
            out.display()
        ));
    }
    SecureDir::open(backups, trust)
        .map(Backup::Dir)
        .map_err(|e| e.to_string())
}

pub(crate) fn write_plan(args: &RenderArgs, dir: &SecureDir, plan: &Plan) -> ExitCode {
    if !plan.foreign.is_empty() {
        let names: Vec<String> = plan
            .foreign
            .iter()
            .map(|path| plan.dir.join(path).display().to_string())
            .collect();
        return trouble(&format!(
            "refusing to write beside files Shorewall would read that fwgen did not write: {}\n  = hint: Shorewall compiles every file it knows in the directory, so the firewall would not be the model's; move them away (import them first with `fwgen import shorewall`), or render into a directory of its own",
            names.join(", ")
        ));
    }
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
    let trust = args.unsafe_dir.trust();
    let backup = match backup_target(args.backup_dir.as_deref(), &plan.dir, trust) {
        Ok(backup) => backup,
        Err(message) => return trouble(&format!("{message}; nothing was changed")),
    };
    match emit::write(dir, trust, plan, &backup) {
        Ok(report) => {
            eprint!(
                "wrote into {}:\n{}",
                plan.dir.display(),
                plan::summary(plan)
            );
            for backup in report.backups {
                eprintln!("  kept the previous version as {backup}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => trouble(&format!(
            "cannot write into {}: {error}",
            plan.dir.display()
        )),
    }
}
