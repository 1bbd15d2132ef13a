//! `fwgen apply` and `fwgen diff --live` for the nftables backend.

use std::io::{BufRead, IsTerminal, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use fwgen::apply::{self, State};
use fwgen::backend::{self, Backend};
use fwgen::load::load;
use fwgen::plan::{self, Color};

use clap::Args;

use crate::{BackendArg, CHANGES, ColorArg, ModelArgs, fail, trouble};

/// What apply works on: the ruleset file and fwgen's table name.
struct Ruleset {
    path: PathBuf,
    table: String,
    _dir: Option<TempDir>,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn step(message: &str) {
    eprintln!("fwgen: {message}");
}

/// Render the model (or take `--ruleset`) into a file nft can load.
fn ruleset(config: &Path, given: Option<&Path>) -> Result<Ruleset, ExitCode> {
    let (_, model) = load(config).map_err(|f| fail(&f))?;
    let table = model.nftables_table.clone();
    if let Some(path) = given {
        return Ok(Ruleset {
            path: path.to_owned(),
            table,
            _dir: None,
        });
    }
    let files = backend::render(&model, Backend::Nftables).map_err(|errors| {
        fail(&fwgen::load::Failure {
            source: None,
            errors,
        })
    })?;
    let dir = std::env::temp_dir().join(format!("fwgen-apply-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| trouble(&format!("{}: {e}", dir.display())))?;
    let path = dir.join(backend::nftables::FILE_NAME);
    std::fs::write(&path, &files[0].content)
        .map_err(|e| trouble(&format!("{}: {e}", path.display())))?;
    Ok(Ruleset {
        path,
        table,
        _dir: Some(TempDir(dir)),
    })
}

fn live_diff(ruleset: &Ruleset, color: Color) -> Result<(String, bool), ExitCode> {
    let expected = apply::normalized(&ruleset.path, &ruleset.table).map_err(|e| trouble(&e))?;
    let live = apply::live_table(&ruleset.table).map_err(|e| trouble(&e))?;
    let old_name = format!("live table inet {}", ruleset.table);
    let new_name = format!("rendered {}", ruleset.path.display());
    let live_text = live.as_deref().unwrap_or("");
    let diff = similar::TextDiff::from_lines(live_text, expected.as_str())
        .unified_diff()
        .header(
            if live.is_some() {
                &old_name
            } else {
                "/dev/null (no live table)"
            },
            &new_name,
        )
        .to_string();
    let drift = live.as_deref() != Some(expected.as_str());
    Ok((plan::paint(&diff, color), drift))
}

/// `fwgen diff --backend nftables --live`: 0 in sync, 1 drift, 2 error.
pub fn diff_live(config: &Path, color: Color) -> ExitCode {
    let ruleset = match ruleset(config, None) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match live_diff(&ruleset, color) {
        Ok((_, false)) => {
            eprintln!("table inet {} is in sync with the model", ruleset.table);
            ExitCode::SUCCESS
        }
        Ok((diff, true)) => {
            print!("{diff}");
            eprintln!("table inet {} has drifted from the model", ruleset.table);
            ExitCode::from(CHANGES)
        }
        Err(code) => code,
    }
}

pub struct ApplyOptions<'a> {
    pub config: &'a Path,
    pub ruleset: Option<&'a Path>,
    pub yes: bool,
    pub confirm_within: Duration,
    pub no_rollback: bool,
    pub state_dir: &'a Path,
    pub color: Color,
}

pub fn apply(options: &ApplyOptions) -> ExitCode {
    let ruleset = match ruleset(options.config, options.ruleset) {
        Ok(r) => r,
        Err(code) => return code,
    };
    step(&format!("checking {} with nft -c", ruleset.path.display()));
    if let Err(e) = apply::check(&ruleset.path) {
        return trouble(&format!(
            "nft refuses the ruleset; nothing was loaded, the live rules stay:\n{e}"
        ));
    }
    let (diff, drift) = match live_diff(&ruleset, options.color) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if !drift {
        step(&format!(
            "table inet {} already matches the model: nothing to do",
            ruleset.table
        ));
        return ExitCode::SUCCESS;
    }
    print!("{diff}");
    if let Err(code) = super::ask(
        options.yes,
        &format!("Load this into table inet {}?", ruleset.table),
        "pass --yes",
        "nothing loaded",
    ) {
        return code;
    }
    let state = State::new(options.state_dir);
    if state.pending().is_some() {
        return trouble(
            "an earlier apply is waiting for confirmation: run `fwgen apply --confirm` or wait for its rollback",
        );
    }
    let live = match apply::live_table(&ruleset.table) {
        Ok(live) => live,
        Err(e) => return trouble(&e),
    };
    if let Err(e) = state.save_restore(&apply::restore_file(&ruleset.table, live.as_deref())) {
        return trouble(&format!(
            "cannot save the live table for rollback: {e}; nothing was loaded"
        ));
    }
    step(&format!(
        "saved the live table (rules and set elements) to {}",
        state.restore_path().display()
    ));
    if let Err(e) = apply::load(&ruleset.path) {
        return trouble(&format!(
            "loading failed; the kernel kept the previous rules:\n{e}"
        ));
    }
    step(&format!(
        "loaded the new ruleset into table inet {}; no other table was touched",
        ruleset.table
    ));
    if options.no_rollback {
        step("--no-rollback: the new ruleset stays");
        return ExitCode::SUCCESS;
    }
    arm_rollback(&state, options.confirm_within)
}

fn arm_rollback(state: &State, within: Duration) -> ExitCode {
    let token = apply::new_token();
    let timer_pid = match apply::start_timer(state, &token, within) {
        Ok(pid) => pid,
        Err(e) => {
            let _ = apply::roll_back(state);
            return trouble(&format!("{e}; restored the previous table"));
        }
    };
    if let Err(e) = state.set_pending(&apply::Pending { token, timer_pid }) {
        let _ = apply::roll_back(state);
        return trouble(&format!(
            "cannot record the pending apply: {e}; restored the previous table"
        ));
    }
    step(&format!(
        "the previous table comes back in {} s unless you confirm with `fwgen apply --confirm` (from this or any session)",
        within.as_secs()
    ));
    if !std::io::stdin().is_terminal() {
        return ExitCode::SUCCESS;
    }
    eprint!(
        "Type `yes` within {} s to keep the new rules: ",
        within.as_secs()
    );
    let _ = std::io::stderr().flush();
    if wait_for_yes(within) {
        return confirm(state);
    }
    eprintln!();
    let _ = apply::confirm(state);
    match apply::roll_back(state) {
        Ok(()) => {
            step("no confirmation: restored the previous table");
            ExitCode::from(CHANGES)
        }
        Err(e) => trouble(&format!("no confirmation, and restoring failed: {e}")),
    }
}

fn wait_for_yes(within: Duration) -> bool {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        let _ = sender.send(line);
    });
    receiver
        .recv_timeout(within)
        .is_ok_and(|line| line.trim().eq_ignore_ascii_case("yes"))
}

/// `fwgen apply --confirm`.
pub fn confirm(state: &State) -> ExitCode {
    match apply::confirm(state) {
        Ok(()) => {
            step("confirmed: the new ruleset stays and the rollback timer is stopped");
            ExitCode::SUCCESS
        }
        Err(e) => trouble(&e),
    }
}

/// The hidden `fwgen rollback-timer`.
pub fn timer(state_dir: &Path, token: &str, after: u64) -> ExitCode {
    match apply::timer(&State::new(state_dir), token, Duration::from_secs(after)) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => trouble(&e),
    }
}

pub struct ShorewallOptions<'a> {
    pub config: &'a Path,
    /// Shorewall's directory (`/etc/shorewall`); Shorewall6's is its sibling.
    pub config_dir: &'a Path,
    pub yes: bool,
    pub force: bool,
    pub confirm_within: Duration,
    pub no_rollback: bool,
    pub state_dir: &'a Path,
    pub color: Color,
}

fn shorewall_pending(state_dir: &Path) -> PathBuf {
    state_dir.join("pending-shorewall")
}

/// `fwgen apply --backend shorewall`: diff against the configuration
/// directory, stage the files, `shorewall check` them, then Shorewall's own
/// `try STAGING TIMEOUT` runs them and restores the previous state after the
/// timeout unless `fwgen apply --confirm` stops it and writes the files into
/// the configuration directory.
pub fn apply_shorewall(options: &ShorewallOptions) -> ExitCode {
    if options
        .config_dir
        .file_name()
        .is_none_or(|n| n != "shorewall")
    {
        return trouble(
            "--config-dir must be Shorewall's directory, named `shorewall` (Shorewall6's files go to its sibling `shorewall6`)",
        );
    }
    let out = options
        .config_dir
        .parent()
        .unwrap_or(Path::new("/"))
        .to_owned();
    let (_, model) = match load(options.config) {
        Ok(loaded) => loaded,
        Err(f) => return fail(&f),
    };
    let files = match backend::render(&model, Backend::Shorewall) {
        Ok(files) => files,
        Err(errors) => {
            return fail(&fwgen::load::Failure {
                source: None,
                errors,
            });
        }
    };
    let plan = match plan::plan(&out, Backend::Shorewall, &files) {
        Ok(plan) => plan,
        Err(e) => return trouble(&format!("cannot read {}: {e}", out.display())),
    };
    print!("{}", plan::unified(&plan, options.color));
    if plan.is_empty() {
        step(&format!(
            "{} already holds what the model renders: nothing to do",
            options.config_dir.display()
        ));
        return ExitCode::SUCCESS;
    }
    if !plan.hand_written().is_empty() && !options.force {
        return trouble(
            "refusing to replace files fwgen did not generate; pass --force (backups are kept)",
        );
    }
    let question = format!("Apply this to {}?", options.config_dir.display());
    if let Err(code) = super::ask(options.yes, &question, "pass --yes", "nothing loaded") {
        return code;
    }
    let staging = options.state_dir.join("staging");
    if let Err(e) = stage(&staging, &files) {
        return trouble(&format!(
            "cannot stage the files in {}: {e}",
            staging.display()
        ));
    }
    let products: Vec<&str> = ["shorewall", "shorewall6"]
        .into_iter()
        .filter(|p| staging.join(p).is_dir())
        .collect();
    for product in &products {
        let dir = staging.join(product);
        step(&format!("{product} check {}", dir.display()));
        let output = std::process::Command::new(product)
            .arg("check")
            .arg(&dir)
            .output();
        match output {
            Ok(o) if o.status.success() => {}
            Ok(o) => {
                return trouble(&format!(
                    "{product} check refuses the files; nothing changed:\n{}",
                    String::from_utf8_lossy(&o.stdout)
                ));
            }
            Err(e) => {
                return trouble(&format!(
                    "cannot run {product}: {e} (apt-get install {product})"
                ));
            }
        }
    }
    if options.no_rollback {
        return write_and_restart(&plan, &products);
    }
    let mut pids = Vec::new();
    for product in &products {
        let child = std::process::Command::new(product)
            .arg("try")
            .arg(staging.join(product))
            // Shorewall 5.2.8 insists on a unit suffix
            .arg(format!("{}s", options.confirm_within.as_secs()))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .process_group(0)
            .spawn();
        match child {
            Ok(child) => pids.push(child.id().to_string()),
            Err(e) => return trouble(&format!("cannot run {product} try: {e}")),
        }
    }
    let record = format!(
        "{}\n{}\n{}\n",
        pids.join(" "),
        staging.display(),
        out.display()
    );
    if let Err(e) = std::fs::write(shorewall_pending(options.state_dir), record) {
        return trouble(&format!("cannot record the pending apply: {e}"));
    }
    step(&format!(
        "`shorewall try` runs the new configuration; Shorewall restores its previous state in {} s unless you confirm with `fwgen apply --confirm`",
        options.confirm_within.as_secs()
    ));
    if std::io::stdin().is_terminal() {
        eprint!(
            "Type `yes` within {} s to keep the new rules: ",
            options.confirm_within.as_secs()
        );
        let _ = std::io::stderr().flush();
        if wait_for_yes(options.confirm_within) {
            return confirm_shorewall(options.state_dir);
        }
        step("no confirmation: Shorewall restores its previous state");
        return ExitCode::from(CHANGES);
    }
    ExitCode::SUCCESS
}

/// Write the rendered files into a fresh staging directory.
fn stage(staging: &Path, files: &[backend::OutputFile]) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(staging);
    std::fs::create_dir_all(staging).map_err(|e| e.to_string())?;
    let plan = plan::plan(staging, Backend::Shorewall, files).map_err(|e| e.to_string())?;
    fwgen::emit::apply(&plan, &fwgen::emit::Backup::Beside).map_err(|e| e.to_string())
}

fn write_and_restart(plan: &plan::Plan, products: &[&str]) -> ExitCode {
    if let Err(e) = fwgen::emit::apply(plan, &fwgen::emit::Backup::Beside) {
        return trouble(&format!(
            "cannot write into {}: {e}; nothing was changed",
            plan.dir.display()
        ));
    }
    for product in products {
        let status = std::process::Command::new(product).arg("restart").status();
        if !status.is_ok_and(|s| s.success()) {
            return trouble(&format!(
                "{product} restart failed; the files are written, Shorewall kept its previous state"
            ));
        }
    }
    step("wrote the files and restarted Shorewall");
    ExitCode::SUCCESS
}

/// Stop `shorewall try` before it restores, and write the staged files
/// into the configuration directory so the next restart keeps them.
pub fn confirm_shorewall(state_dir: &Path) -> ExitCode {
    let path = shorewall_pending(state_dir);
    let Ok(record) = std::fs::read_to_string(&path) else {
        return trouble("nothing to confirm: no apply is waiting (or its time ran out)");
    };
    let mut lines = record.lines();
    let pids: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let (Some(staging), Some(out)) = (lines.next(), lines.next()) else {
        return trouble("the pending apply record is damaged; nothing confirmed");
    };
    for pid in &pids {
        let _ = std::process::Command::new("kill")
            .args(["--", &format!("-{pid}")])
            .status();
    }
    let _ = std::fs::remove_file(&path);
    let staged = fwgen::plan::read_generated(Path::new(staging), Backend::Shorewall);
    let plan = match plan::plan(Path::new(out), Backend::Shorewall, &staged) {
        Ok(plan) => plan,
        Err(e) => return trouble(&format!("cannot read {out}: {e}")),
    };
    if let Err(e) = fwgen::emit::apply(&plan, &fwgen::emit::Backup::Beside) {
        return trouble(&format!(
            "the new rules run, but writing them into {out} failed: {e}"
        ));
    }
    step(&format!(
        "confirmed: the new rules stay and {out} holds their files"
    ));
    ExitCode::SUCCESS
}

#[derive(Args)]
pub(crate) struct ApplyArgs {
    #[arg(long, value_enum, required_unless_present = "confirm")]
    pub(crate) backend: Option<BackendArg>,
    #[command(flatten)]
    pub(crate) model: ModelArgs,
    /// Apply this rendered ruleset instead of rendering the model.
    #[arg(long, value_name = "FILE")]
    pub(crate) ruleset: Option<PathBuf>,
    /// Load without asking (required without a terminal).
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
    /// Seconds to confirm in before the previous rules come back.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub(crate) confirm_within: u64,
    /// No automatic rollback (for automation that tests connectivity itself).
    #[arg(long)]
    pub(crate) no_rollback: bool,
    /// Keep the new rules of a pending apply.
    #[arg(long, conflicts_with_all = ["backend", "ruleset", "no_rollback"])]
    pub(crate) confirm: bool,
    /// Shorewall's configuration directory (--backend shorewall).
    #[arg(long, default_value = "/etc/shorewall", value_name = "DIR")]
    pub(crate) config_dir: PathBuf,
    /// Replace files fwgen did not generate (--backend shorewall; backups kept).
    #[arg(long)]
    pub(crate) force: bool,
    /// Where the saved table and the pending confirmation live.
    #[arg(long, default_value = fwgen::apply::DEFAULT_STATE_DIR, value_name = "DIR")]
    pub(crate) state_dir: PathBuf,
    #[arg(long, value_enum, default_value = "auto")]
    pub(crate) color: ColorArg,
}

#[derive(Args)]
pub(crate) struct TimerArgs {
    #[arg(long)]
    pub(crate) state_dir: PathBuf,
    #[arg(long)]
    pub(crate) token: String,
    #[arg(long)]
    pub(crate) after: u64,
}

pub(crate) fn command(args: &ApplyArgs) -> ExitCode {
    let state = fwgen::apply::State::new(&args.state_dir);
    if args.confirm {
        if args.state_dir.join("pending-shorewall").exists() {
            return confirm_shorewall(&args.state_dir);
        }
        return confirm(&state);
    }
    match args.backend.map(Backend::from) {
        Some(Backend::Nftables) => apply(&ApplyOptions {
            config: &args.model.config,
            ruleset: args.ruleset.as_deref(),
            yes: args.yes,
            confirm_within: std::time::Duration::from_secs(args.confirm_within),
            no_rollback: args.no_rollback,
            state_dir: &args.state_dir,
            color: args.color.resolve(),
        }),
        Some(Backend::Shorewall) => apply_shorewall(&ShorewallOptions {
            config: &args.model.config,
            config_dir: &args.config_dir,
            yes: args.yes,
            force: args.force,
            confirm_within: std::time::Duration::from_secs(args.confirm_within),
            no_rollback: args.no_rollback,
            state_dir: &args.state_dir,
            color: args.color.resolve(),
        }),
        None => trouble("--backend is required"),
    }
}

/// The hidden `fwgen rollback-timer`, from its arguments.
pub(crate) fn timer_command(args: &TimerArgs) -> ExitCode {
    timer(&args.state_dir, &args.token, args.after)
}
