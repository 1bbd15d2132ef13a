//! `fwgen apply` and `fwgen diff --live`.
//!
//! Every step that reads or changes the pending state runs under the state
//! directory's lock; the rendered or given ruleset is copied once into the
//! private state directory, and that copy is what `nft -c` checks and
//! `nft -f` loads.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use fwgen::apply::{self, BootFiles, Kind, Pending, State, Status, Sysctl};
use fwgen::backend::{self, Backend};
use fwgen::load::load;
use fwgen::plan::{self, Color};
use fwgen::secure_dir::Trust;

use clap::Args;

use crate::{BackendArg, CHANGES, ColorArg, ModelArgs, fail, trouble};

fn step(message: &str) {
    eprintln!("fwgen: {message}");
}

/// The ruleset apply works on, in memory, and fwgen's table name.
struct Ruleset {
    /// What apply loads: the running ruleset, or with `--stopped` the
    /// stopped one.
    text: String,
    /// What boot loads (the running ruleset, also after `--stopped`: a
    /// reboot starts the firewall, as Shorewall's unit does) and what the
    /// unit's stop loads.
    running: String,
    stopped: String,
    table: String,
    /// Where it came from, for messages.
    origin: String,
    /// The kernel's forwarding settings the model needs.
    forwarding: Vec<Sysctl>,
    /// The devices of the model's `optional` interfaces: without an
    /// address, `&IFACE` is 0.0.0.0 (Shorewall's
    /// find_first_interface_address_if_any).
    optional: Vec<String>,
    /// The model's `[[ipset]]` entries the loaded text declares: their
    /// running members added at run time are kept across the load.
    ipsets: Vec<fwgen::model::Ipset>,
}

impl Ruleset {
    /// The first IPv4 address of the interface now; 0.0.0.0 for an
    /// optional one without any.
    fn interface_address(&self, interface: &str) -> Result<std::net::Ipv4Addr, String> {
        match fwgen::nft_defines::first_address(interface, None) {
            Err(_) if self.optional.iter().any(|o| o == interface) => {
                Ok(std::net::Ipv4Addr::UNSPECIFIED)
            }
            found => found,
        }
    }

    /// What the boot unit loads: the running ruleset with the addresses of
    /// its `&IFACE` interfaces, read now, written in (the unit passes no
    /// defines).
    fn boot_files(&self) -> Result<BootFiles, String> {
        let running = fwgen::nft_defines::written(&self.running, |i| self.interface_address(i))?;
        Ok(BootFiles::new(
            &running,
            &self.stopped,
            &self.table,
            &self.forwarding,
        ))
    }
}

/// Render the model, or read `--ruleset` (which may only concern fwgen's
/// table); `stopped`: load the model's stopped ruleset.
fn ruleset(config: &Path, given: Option<&Path>, stopped: bool) -> Result<Ruleset, ExitCode> {
    let (_, model) = load(config).map_err(|f| fail(&f))?;
    let table = model.nftables_table.clone();
    let forwarding = apply::forwarding(&model);
    let optional = model
        .interfaces
        .iter()
        .filter(|i| i.has_for(fwgen::model::InterfaceOption::Optional, false))
        .map(|i| i.physical.clone())
        .collect();
    let files = backend::render(&model, Backend::Nftables).map_err(|errors| {
        fail(&fwgen::load::Failure {
            source: None,
            errors,
        })
    })?;
    let file = |name: &str| {
        files
            .iter()
            .find(|f| f.path == name)
            .map(|f| f.content.clone())
            .unwrap_or_default()
    };
    let (running, stopped_text) = (
        file(backend::nftables::FILE_NAME),
        file(backend::nftables::STOPPED_FILE_NAME),
    );
    if let Some(path) = given {
        let text = read_ruleset(path).map_err(|e| trouble(&e))?;
        if let Some(foreign) = fwgen::nft_scope::foreign_statement(&text, &table) {
            return Err(trouble(&format!(
                "{}:{}: `{}` concerns more than table inet {table}; apply loads only files whose every statement concerns that table (a rollback restores that table alone). Nothing was loaded",
                path.display(),
                foreign.line,
                foreign.text
            )));
        }
        let ipsets = declared_ipsets(&model, &text);
        return Ok(Ruleset {
            running: text.clone(),
            ipsets,
            text,
            stopped: stopped_text,
            table,
            origin: path.display().to_string(),
            forwarding,
            optional,
        });
    }
    let (text, origin) = if stopped {
        (
            stopped_text.clone(),
            format!("the stopped ruleset of the model {}", config.display()),
        )
    } else {
        (running.clone(), format!("the model {}", config.display()))
    };
    Ok(Ruleset {
        ipsets: declared_ipsets(&model, &text),
        text,
        running,
        stopped: stopped_text,
        table,
        origin,
        forwarding,
        optional,
    })
}

fn read_ruleset(path: &Path) -> Result<String, String> {
    let bytes =
        fwgen::input::read(path).map_err(|e| format!("{}: {}", path.display(), e.reason()))?;
    String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8", path.display()))
}

/// The `nft -D` arguments the ruleset needs: the first IPv4 address of each
/// interface a rule names with `&IFACE`, read now, as Shorewall reads it
/// when its firewall starts (src/nft_defines.rs).
fn defines(ruleset: &Ruleset) -> Result<Vec<String>, ExitCode> {
    fwgen::nft_defines::defines(&ruleset.text, |i| ruleset.interface_address(i))
        .map_err(|e| trouble(&format!("{e}; nothing was loaded")))
}

/// The model's ipsets the ruleset text declares (`set NAME {`).
fn declared_ipsets(model: &fwgen::model::Model, text: &str) -> Vec<fwgen::model::Ipset> {
    model
        .ipsets
        .iter()
        .filter(|set| text.contains(&format!("\tset {} {{\n", set.name)))
        .cloned()
        .collect()
}

/// The text to load: the ruleset, then the running ipsets' members added
/// at run time (src/apply.rs kept_members), in the same file and so the
/// same transaction: the sets are never seen empty.
fn with_kept_members(ruleset: &Ruleset) -> Result<String, ExitCode> {
    if ruleset.ipsets.is_empty() {
        return Ok(ruleset.text.clone());
    }
    let (lines, notes) = apply::kept_members(&ruleset.table, &ruleset.ipsets)
        .map_err(|e| trouble(&format!("{e}; nothing was loaded")))?;
    for note in notes {
        step(&note);
    }
    Ok(format!("{}\n{lines}", ruleset.text))
}

fn live_diff(
    file: &Path,
    ruleset: &Ruleset,
    defines: &[String],
    color: Color,
) -> Result<(String, bool), ExitCode> {
    let expected = apply::normalized(file, &ruleset.table, defines).map_err(|e| trouble(&e))?;
    let live = apply::live_table(&ruleset.table).map_err(|e| trouble(&e))?;
    let old_name = format!("live table inet {}", ruleset.table);
    let new_name = format!("rendered from {}", ruleset.origin);
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
/// The ruleset goes to a private directory with an unpredictable name.
pub fn diff_live(config: &Path, color: Color) -> ExitCode {
    let ruleset = match ruleset(config, None, false) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let scratch = match tempfile::Builder::new().prefix("fwgen-diff-").tempdir() {
        Ok(dir) => dir,
        Err(e) => return trouble(&format!("cannot create a private temporary directory: {e}")),
    };
    let file = scratch.path().join(backend::nftables::FILE_NAME);
    if let Err(e) = std::fs::write(&file, &ruleset.text) {
        return trouble(&format!("{}: {e}", file.display()));
    }
    let defines = match defines(&ruleset) {
        Ok(defines) => defines,
        Err(code) => return code,
    };
    match live_diff(&file, &ruleset, &defines, color) {
        Ok((_, false)) => {
            eprintln!("table inet {} is in sync with the model", ruleset.table);
            ExitCode::SUCCESS
        }
        Ok((diff, true)) => {
            out!("{diff}");
            eprintln!("table inet {} has drifted from the model", ruleset.table);
            ExitCode::from(CHANGES)
        }
        Err(code) => code,
    }
}

pub struct ApplyOptions<'a> {
    pub config: &'a Path,
    pub ruleset: Option<&'a Path>,
    /// Load the model's stopped ruleset (fwgen-stopped.nft).
    pub stopped: bool,
    pub yes: bool,
    pub confirm_within: Duration,
    pub no_rollback: bool,
    pub state_dir: &'a Path,
    pub boot_dir: &'a Path,
    pub color: Color,
}

fn open_state(path: &Path) -> Result<State, ExitCode> {
    State::open(path).map_err(|e| trouble(&e))
}

/// The state directory, locked, with no apply waiting in it.
fn idle_state(path: &Path) -> Result<State, ExitCode> {
    let state = open_state(path)?;
    state.lock().map_err(|e| trouble(&e))?;
    refuse_if_pending(&state)?;
    Ok(state)
}

/// Refuse to start while another apply waits, saying what waits.
fn refuse_if_pending(state: &State) -> Result<(), ExitCode> {
    match state.status() {
        Status::Idle => Ok(()),
        Status::Pending(pending) => Err(trouble(&format!(
            "an earlier apply ({}) is waiting for confirmation, {}: run `fwgen apply --confirm` or wait {} s for its rollback",
            pending.kind.name(),
            pending.age(),
            pending.within
        ))),
        Status::Orphaned(pending) => {
            Err(trouble(&apply::orphan_warning(state.dir.path(), &pending)))
        }
        Status::Damaged(e) => Err(trouble(&e)),
    }
}

pub fn apply(options: &ApplyOptions) -> ExitCode {
    let ruleset = match ruleset(options.config, options.ruleset, options.stopped) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let state = match idle_state(options.state_dir) {
        Ok(state) => state,
        Err(code) => return code,
    };
    let text = match with_kept_members(&ruleset) {
        Ok(text) => text,
        Err(code) => return code,
    };
    let file = match state.private_copy("candidate.nft", &text) {
        Ok(file) => file,
        Err(e) => return trouble(&format!("cannot stage the ruleset: {e}")),
    };
    let defines = match defines(&ruleset) {
        Ok(defines) => defines,
        Err(code) => return code,
    };
    step(&format!("checking {} with nft -c", ruleset.origin));
    if let Err(e) = apply::check(&file, &defines) {
        return trouble(&format!(
            "nft refuses the ruleset; nothing was loaded, the live rules stay:\n{e}"
        ));
    }
    let (diff, drift) = match live_diff(&file, &ruleset, &defines, options.color) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if !drift {
        step(&format!(
            "table inet {} already matches the model: nothing to load",
            ruleset.table
        ));
        return keep_in_sync(&state, &ruleset, options.boot_dir);
    }
    out!("{diff}");
    if let Err(code) = super::ask(
        options.yes,
        &format!("Load this into table inet {}?", ruleset.table),
        "pass --yes",
        "nothing loaded",
    ) {
        return code;
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
    let boot = match ruleset.boot_files() {
        Ok(boot) => boot,
        Err(e) => return trouble(&format!("{e}; nothing was loaded")),
    };
    if let Err(e) = boot.stage(&state) {
        return trouble(&format!(
            "cannot keep the ruleset for boot: {e}; nothing was loaded"
        ));
    }
    if let Err(e) = apply::load(&file, &defines) {
        return trouble(&format!(
            "loading failed; the kernel kept the previous rules:\n{e}"
        ));
    }
    step(&format!(
        "loaded the new ruleset into table inet {}; no other table was touched",
        ruleset.table
    ));
    if let Err(e) = forward(&state, &ruleset.forwarding) {
        return match apply::roll_back(&state) {
            Ok(()) => trouble(&format!("{e}; restored the previous table")),
            Err(r) => trouble(&format!(
                "{e}; and restoring the previous table FAILED: {r}"
            )),
        };
    }
    if options.no_rollback {
        step("--no-rollback: the new ruleset stays");
        return persist(Ok(boot), options.boot_dir);
    }
    arm_rollback(&state, options.confirm_within, options.boot_dir)
}

/// Set the forwarding the model needs (saving the kernel's values for a
/// rollback first), saying what changed.
fn forward(state: &State, settings: &[Sysctl]) -> Result<(), String> {
    for line in apply::set_forwarding(state, settings)? {
        step(&format!("forwarding: {line}"));
    }
    Ok(())
}

/// Nothing to load, nothing pending: the live table is the model's. Make
/// sure forwarding is as the model needs and the table is what boot loads.
fn keep_in_sync(state: &State, ruleset: &Ruleset, boot_dir: &Path) -> ExitCode {
    let off: Vec<Sysctl> = ruleset
        .forwarding
        .iter()
        .filter(|s| !Sysctl::read(s.key).is_ok_and(|now| now.value == s.value))
        .cloned()
        .collect();
    if let Err(e) = forward(state, &off) {
        return trouble(&e);
    }
    persist(ruleset.boot_files(), boot_dir)
}

/// Why the ruleset just saved would not be loaded at boot, if it would not.
fn unit_warning(boot_dir: &Path) -> Option<String> {
    if boot_dir != Path::new(apply::DEFAULT_BOOT_DIR) {
        return Some(format!(
            "fwgen.service loads {}, not {}: nothing loads this ruleset at boot",
            apply::DEFAULT_BOOT_DIR,
            boot_dir.display()
        ));
    }
    let state = std::process::Command::new("systemctl")
        .args(["is-enabled", "fwgen.service"])
        .output();
    match state {
        Ok(o) if o.status.success() => None,
        Ok(o) => {
            let said = String::from_utf8_lossy(&o.stdout).trim().to_owned();
            let state = if said.is_empty() {
                "not installed"
            } else {
                &said
            };
            Some(format!(
                "fwgen.service is {state}: a reboot does not load this ruleset. Install fwgen's package, or `systemctl enable fwgen.service`"
            ))
        }
        Err(e) => Some(format!(
            "cannot ask systemctl whether fwgen.service is enabled ({e}): nothing may load this ruleset at boot"
        )),
    }
}

/// Save a ruleset that stays for fwgen.service to load at boot.
fn persist(boot: Result<BootFiles, String>, boot_dir: &Path) -> ExitCode {
    match boot.and_then(|boot| boot.persist(boot_dir)) {
        Ok(()) => {
            step(&format!("saved for boot in {}", boot_dir.display()));
            if let Some(warning) = unit_warning(boot_dir) {
                eprintln!("warning: {warning}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => trouble(&format!(
            "the new ruleset stays, but saving it for boot in {} FAILED: {e}. A reboot loads the previous one; run `fwgen apply` again once this is fixed",
            boot_dir.display()
        )),
    }
}

/// Record the pending apply and start its timer, all under the state
/// lock; then (on a terminal) wait for `yes` without holding it.
fn arm_rollback(state: &State, within: Duration, boot_dir: &Path) -> ExitCode {
    let pending = Pending {
        kind: Kind::Nftables,
        token: apply::new_token(),
        since: apply::now_secs(),
        within: within.as_secs(),
        staging: None,
        out: None,
        force: false,
        unsafe_dir: false,
    };
    let armed = state
        .set_pending(&pending)
        .and_then(|()| apply::start_timer(state, Kind::Nftables, &pending.token, within));
    if let Err(e) = armed {
        let _ = state.clear_pending(Kind::Nftables);
        return match apply::roll_back(state) {
            Ok(()) => trouble(&format!("{e}; restored the previous table")),
            Err(r) => trouble(&format!(
                "{e}; and restoring the previous table FAILED: {r}"
            )),
        };
    }
    step(&format!(
        "the previous table comes back in {} s unless you confirm with `fwgen apply --confirm` (from this or any session)",
        within.as_secs()
    ));
    state.dir.unlock();
    if !std::io::stdin().is_terminal() {
        return ExitCode::SUCCESS;
    }
    eprint!(
        "Type `yes` within {} s to keep the new rules: ",
        within.as_secs()
    );
    let _ = std::io::stderr().flush();
    if wait_for_yes(within) {
        return confirm(state, boot_dir);
    }
    eprintln!();
    roll_back_now(state, Some(&pending.token))
}

/// Restore the saved nftables table now, under the state lock, if the
/// pending apply is still there (and is `token`'s, when given).
fn roll_back_now(state: &State, token: Option<&str>) -> ExitCode {
    if let Err(e) = state.lock() {
        return trouble(&e);
    }
    let pending = match state.pending(Kind::Nftables) {
        Ok(p) => p,
        Err(e) => return trouble(&e),
    };
    let Some(pending) = pending.filter(|p| token.is_none_or(|t| t == p.token)) else {
        step(
            "nothing to roll back: the apply was confirmed, or its timer restored the previous table already",
        );
        return ExitCode::from(CHANGES);
    };
    let result = apply::roll_back(state);
    let _ = state.clear_pending(Kind::Nftables);
    match result {
        Ok(()) => {
            state.log("rolled back on request: restored the previous nftables table");
            step(&format!(
                "restored the previous table (the apply was {})",
                pending.age()
            ));
            ExitCode::from(CHANGES)
        }
        Err(e) => {
            let line = format!("restoring the previous nftables table FAILED: {e}");
            state.log(&line);
            trouble(&format!(
                "{line}\n  = the saved table is in {}; load it with `nft -f`",
                state.restore_path().display()
            ))
        }
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

/// `fwgen apply --confirm` for nftables: under the state lock (a restore
/// in progress finishes first) the record goes and the staged ruleset is
/// saved for boot, then wait for the timer to stop.
pub fn confirm(state: &State, boot_dir: &Path) -> ExitCode {
    let orphaned = matches!(state.status(), Status::Orphaned(_));
    match apply::confirm(state, Kind::Nftables) {
        Ok(_) => {
            let saved = persist(BootFiles::staged(state), boot_dir);
            state.dir.unlock();
            if saved != ExitCode::SUCCESS {
                return saved;
            }
            if orphaned {
                step("confirmed: the new ruleset stays (its rollback timer was already gone)");
                return ExitCode::SUCCESS;
            }
            let waiting =
                super::progress::Progress::start("waiting for the rollback timer to stop");
            let gone = state.wait_timer_gone(Duration::from_secs(5));
            drop(waiting);
            match gone {
                Ok(true) => {
                    step("confirmed: the new ruleset stays and the rollback timer has stopped");
                    ExitCode::SUCCESS
                }
                Ok(false) => trouble(
                    "confirmed (the record is gone, so no rollback will run), but the timer has not exited within 5 s",
                ),
                Err(e) => trouble(&e),
            }
        }
        Err(e) => trouble(&e),
    }
}

/// The hidden `fwgen rollback-timer`.
pub fn timer(state_dir: &Path, kind: Kind, token: &str, after: u64) -> ExitCode {
    let state = match State::open(state_dir) {
        Ok(state) => state,
        Err(e) => {
            outln!("{e}");
            return ExitCode::from(crate::TROUBLE);
        }
    };
    match apply::timer(&state, kind, token, Duration::from_secs(after)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            state.log(&e);
            ExitCode::from(crate::TROUBLE)
        }
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
    pub trust: Trust,
}

/// `fwgen apply --backend shorewall`: diff against the configuration
/// directory, stage the files in the private state directory, `shorewall
/// check` them, then the rollback timer runs Shorewall's own `try STAGING
/// TIMEOUT` as its child; `fwgen apply --confirm` stops it and writes the
/// files into the configuration directory.
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
    let state = match idle_state(options.state_dir) {
        Ok(state) => state,
        Err(code) => return code,
    };
    let plan = {
        let (dir, notes) = match fwgen::emit::open_output(&out, options.trust) {
            Ok(opened) => opened,
            Err(e) => return trouble(&e.to_string()),
        };
        notes.iter().for_each(|n| step(n));
        match plan::plan(&dir, options.trust, Backend::Shorewall, &files) {
            Ok(plan) => plan,
            Err(e) => return trouble(&format!("cannot read {}: {e}", out.display())),
        }
    };
    out!("{}", plan::unified(&plan, options.color));
    if plan.is_empty() {
        step(&format!(
            "{} already holds what the model renders: nothing to do",
            options.config_dir.display()
        ));
        return ExitCode::SUCCESS;
    }
    if !plan.foreign.is_empty() {
        return trouble(&format!(
            "refusing to apply beside files Shorewall would read that fwgen did not write: {}; move them away (import them first with `fwgen import shorewall`)",
            plan.foreign.join(", ")
        ));
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
    let staging = match stage(&state, &files) {
        Ok(staging) => staging,
        Err(e) => return trouble(&format!("cannot stage the files: {e}")),
    };
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
        return write_and_restart(&staging, &out, (options.trust, options.force), &products);
    }
    let pending = Pending {
        kind: Kind::Shorewall,
        token: apply::new_token(),
        since: apply::now_secs(),
        within: options.confirm_within.as_secs(),
        staging: Some(staging),
        out: Some(out),
        force: options.force,
        unsafe_dir: options.trust == Trust::Unsafe,
    };
    let armed = state.set_pending(&pending).and_then(|()| {
        apply::start_timer(
            &state,
            Kind::Shorewall,
            &pending.token,
            options.confirm_within,
        )
    });
    if let Err(e) = armed {
        let _ = state.clear_pending(Kind::Shorewall);
        return trouble(&format!("{e}; nothing was changed"));
    }
    state.dir.unlock();
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
            return confirm_shorewall(&state);
        }
        step("no confirmation: Shorewall restores its previous state");
        return ExitCode::from(CHANGES);
    }
    ExitCode::SUCCESS
}

/// Write the rendered files into a fresh staging directory inside the
/// private state directory.
fn stage(state: &State, files: &[backend::OutputFile]) -> Result<PathBuf, String> {
    let staging = state.dir.path().join("staging");
    let _ = std::fs::remove_dir_all(&staging);
    let dir = state
        .dir
        .subdir("staging", Some(0o700), Trust::Strict)
        .map_err(|e| e.to_string())?
        .ok_or("cannot create the staging directory")?;
    dir.lock().map_err(|e| e.to_string())?;
    let plan =
        plan::plan(&dir, Trust::Strict, Backend::Shorewall, files).map_err(|e| e.to_string())?;
    fwgen::emit::write(&dir, Trust::Strict, &plan, &fwgen::emit::Backup::Beside)
        .map_err(|e| e.to_string())?;
    Ok(staging)
}

/// Write the staged files into the configuration directory (locked,
/// backed up, journalled).
fn write_staged(staging: &Path, out: &Path, trust: Trust, force: bool) -> Result<(), String> {
    let staged_dir =
        fwgen::secure_dir::SecureDir::open(staging, Trust::Strict).map_err(|e| e.to_string())?;
    let staged = plan::read_generated(&staged_dir, Trust::Strict, Backend::Shorewall)
        .map_err(|e| e.to_string())?;
    let (dir, notes) = fwgen::emit::open_output(out, trust).map_err(|e| e.to_string())?;
    notes.iter().for_each(|n| step(n));
    let plan = plan::plan(&dir, trust, Backend::Shorewall, &staged).map_err(|e| e.to_string())?;
    // The directory may have changed since the diff was shown.
    if !force && !plan.hand_written().is_empty() {
        return Err(
            "files fwgen did not generate appeared there since the diff; nothing was changed (apply with --force to replace them)"
                .to_owned(),
        );
    }
    if !plan.foreign.is_empty() {
        return Err(format!(
            "Shorewall files fwgen did not write appeared there since the diff ({}); nothing was changed",
            plan.foreign.join(", ")
        ));
    }
    fwgen::emit::write(&dir, trust, &plan, &fwgen::emit::Backup::Beside)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn write_and_restart(
    staging: &Path,
    out: &Path,
    (trust, force): (Trust, bool),
    products: &[&str],
) -> ExitCode {
    if let Err(e) = write_staged(staging, out, trust, force) {
        return trouble(&format!("cannot write into {}: {e}", out.display()));
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

/// Confirm a pending Shorewall apply: under the state lock the record
/// goes; the timer stops its `shorewall try` children before they restore;
/// then the staged files are written into the configuration directory.
pub fn confirm_shorewall(state: &State) -> ExitCode {
    let orphaned = matches!(state.status(), Status::Orphaned(_));
    let pending = match apply::confirm(state, Kind::Shorewall) {
        Ok(pending) => pending,
        Err(e) => return trouble(&e),
    };
    state.dir.unlock();
    if orphaned {
        return trouble(
            "the rollback timer of this Shorewall apply was gone, so `shorewall try` may have restored the previous state already; nothing was written. Check `shorewall status`, then apply again",
        );
    }
    match state.wait_timer_gone(Duration::from_secs(10)) {
        Ok(true) => {}
        Ok(false) => {
            return trouble("the rollback timer did not stop within 10 s; nothing was written");
        }
        Err(e) => return trouble(&e),
    }
    let (Some(staging), Some(out)) = (&pending.staging, &pending.out) else {
        return trouble("the pending apply record is damaged; nothing confirmed");
    };
    let trust = if pending.unsafe_dir {
        Trust::Unsafe
    } else {
        Trust::Strict
    };
    if let Err(e) = write_staged(staging, out, trust, pending.force) {
        return trouble(&format!(
            "the new rules run, but writing them into {} failed: {e}",
            out.display()
        ));
    }
    step(&format!(
        "confirmed: the new rules stay and {} holds their files",
        out.display()
    ));
    ExitCode::SUCCESS
}

/// `fwgen apply --rollback-now`: restore what a pending apply replaced.
fn rollback_now(state: &State) -> ExitCode {
    match state.status() {
        Status::Idle => {
            step("nothing to roll back: no apply is waiting");
            ExitCode::from(CHANGES)
        }
        Status::Damaged(e) => trouble(&e),
        Status::Pending(p) | Status::Orphaned(p) if p.kind == Kind::Nftables => {
            roll_back_now(state, None)
        }
        Status::Pending(_) | Status::Orphaned(_) => {
            if let Err(e) = state.lock() {
                return trouble(&e);
            }
            let _ = state.clear_pending(Kind::Shorewall);
            let _ = state.wait_timer_gone(Duration::from_secs(10));
            // The configuration directory still holds the previous files:
            // they were to be written only on confirmation.
            for product in ["shorewall", "shorewall6"] {
                let restarted = std::process::Command::new(product).arg("restart").status();
                if product == "shorewall" && !restarted.is_ok_and(|s| s.success()) {
                    state.log("rollback-now: shorewall restart FAILED");
                    return trouble("shorewall restart failed; check `shorewall status`");
                }
            }
            state.log(
                "rolled back on request: Shorewall restarted from its configuration directory",
            );
            step("restarted Shorewall from its configuration directory (the previous files)");
            ExitCode::from(CHANGES)
        }
    }
}

/// Every command calls this first: a pending apply whose timer is gone
/// is said loudly, with the two ways out.
pub(crate) fn warn_if_orphaned(state_dir: &Path) {
    if !state_dir.is_dir() {
        return;
    }
    if let Ok(state) = State::open(state_dir)
        && let Status::Orphaned(pending) = state.status()
    {
        eprintln!("warning: {}", apply::orphan_warning(state_dir, &pending));
    }
}

#[derive(Args)]
pub(crate) struct ApplyArgs {
    #[arg(long, value_enum, required_unless_present_any = ["confirm", "rollback_now"])]
    pub(crate) backend: Option<BackendArg>,
    #[command(flatten)]
    pub(crate) model: ModelArgs,
    /// Apply this rendered ruleset instead of rendering the model.
    #[arg(long, value_name = "FILE")]
    pub(crate) ruleset: Option<PathBuf>,
    /// Load the model's stopped ruleset (fwgen-stopped.nft: what passes
    /// while the firewall is stopped) instead of the running one; boot
    /// still loads the running one.
    #[arg(long, conflicts_with = "ruleset")]
    pub(crate) stopped: bool,
    /// Load without asking (required without a terminal).
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
    /// Seconds to confirm in before the previous rules come back (5..3600).
    #[arg(long, default_value_t = 30, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(5..=3600))]
    pub(crate) confirm_within: u64,
    /// No automatic rollback (for automation that tests connectivity itself).
    #[arg(long)]
    pub(crate) no_rollback: bool,
    /// Keep the new rules of a pending apply.
    #[arg(long, conflicts_with_all = ["backend", "ruleset", "stopped", "no_rollback", "rollback_now"])]
    pub(crate) confirm: bool,
    /// Restore now what a pending apply replaced (also when its timer is gone).
    #[arg(long, conflicts_with_all = ["backend", "ruleset", "stopped", "no_rollback"])]
    pub(crate) rollback_now: bool,
    /// Shorewall's configuration directory (--backend shorewall).
    #[arg(long, default_value = "/etc/shorewall", value_name = "DIR")]
    pub(crate) config_dir: PathBuf,
    /// Replace files fwgen did not generate (--backend shorewall; backups kept).
    #[arg(long)]
    pub(crate) force: bool,
    /// Where the saved table and the pending confirmation live.
    #[arg(long, env = "FWGEN_STATE_DIR", default_value = fwgen::apply::DEFAULT_STATE_DIR, value_name = "DIR")]
    pub(crate) state_dir: PathBuf,
    /// Where a confirmed nftables ruleset is kept for fwgen.service to load at boot.
    #[arg(long, env = "FWGEN_BOOT_DIR", default_value = fwgen::apply::DEFAULT_BOOT_DIR, value_name = "DIR")]
    pub(crate) boot_dir: PathBuf,
    #[arg(long, value_enum, default_value = "auto")]
    pub(crate) color: ColorArg,
    #[command(flatten)]
    pub(crate) unsafe_dir: super::render::UnsafeDirArg,
}

#[derive(Args)]
pub(crate) struct TimerArgs {
    #[arg(long)]
    pub(crate) state_dir: PathBuf,
    #[arg(long)]
    pub(crate) backend: String,
    #[arg(long)]
    pub(crate) token: String,
    #[arg(long)]
    pub(crate) after: u64,
}

pub(crate) fn command(args: &ApplyArgs) -> ExitCode {
    if args.confirm || args.rollback_now {
        let state = match open_state(&args.state_dir) {
            Ok(state) => state,
            Err(code) => return code,
        };
        if args.rollback_now {
            return rollback_now(&state);
        }
        return match state.status() {
            Status::Pending(p) | Status::Orphaned(p) if p.kind == Kind::Shorewall => {
                confirm_shorewall(&state)
            }
            Status::Damaged(e) => trouble(&e),
            _ => confirm(&state, &args.boot_dir),
        };
    }
    match args.backend.map(Backend::from) {
        Some(Backend::Nftables) => apply(&ApplyOptions {
            config: &args.model.config,
            ruleset: args.ruleset.as_deref(),
            stopped: args.stopped,
            yes: args.yes,
            confirm_within: std::time::Duration::from_secs(args.confirm_within),
            no_rollback: args.no_rollback,
            state_dir: &args.state_dir,
            boot_dir: &args.boot_dir,
            color: args.color.resolve(),
        }),
        Some(Backend::Shorewall) if args.stopped => trouble(
            "--stopped loads fwgen-stopped.nft (--backend nftables); Shorewall stops with `shorewall stop`, after its stoppedrules",
        ),
        Some(Backend::Shorewall) => apply_shorewall(&ShorewallOptions {
            config: &args.model.config,
            config_dir: &args.config_dir,
            yes: args.yes,
            force: args.force,
            confirm_within: std::time::Duration::from_secs(args.confirm_within),
            no_rollback: args.no_rollback,
            state_dir: &args.state_dir,
            color: args.color.resolve(),
            trust: args.unsafe_dir.trust(),
        }),
        None => trouble("--backend is required"),
    }
}

/// The hidden `fwgen rollback-timer`, from its arguments.
pub(crate) fn timer_command(args: &TimerArgs) -> ExitCode {
    match Kind::parse(&args.backend) {
        Some(kind) => timer(&args.state_dir, kind, &args.token, args.after),
        None => trouble("--backend must be nftables or shorewall"),
    }
}
