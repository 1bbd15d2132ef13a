//! Apply: load the nftables ruleset (or Shorewall's files) with an
//! automatic rollback, and compare the live table with what the model
//! renders.
//!
//! The rollback does not depend on the terminal: a detached timer process
//! restores the saved table unless `fwgen apply --confirm` runs in time.
//! Everything lives in a private state directory (0700, files 0600):
//! - `lock`-less: the directory's own flock serialises every step that
//!   reads or changes the state (save, record, confirm, restore), so a
//!   confirm that comes while a restore runs waits for it and tells the
//!   truth afterwards;
//! - `timer.lock` is held by the live timer for its whole life: a pending
//!   record whose timer lock is free has lost its safety net, and every
//!   command says so. No PID is ever signalled: the timer watches the
//!   record and stops by itself once it is gone.

use std::fs::File;
use std::io::{self, BufRead, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rustix::fs::{FlockOperation, Mode, OFlags};

use crate::secure_dir::SecureDir;

/// Where apply keeps the saved table and the pending confirmation.
pub const DEFAULT_STATE_DIR: &str = "/run/fwgen";

/// Bounds of `--confirm-within`, in seconds.
pub const CONFIRM_WITHIN: std::ops::RangeInclusive<u64> = 5..=3600;

/// How often the timer looks at the pending record.
const POLL: Duration = Duration::from_millis(200);

/// The timer stops accepting a Shorewall confirmation this long before
/// `shorewall try` starts restoring, so a confirmation never races it.
const SHOREWALL_MARGIN: Duration = Duration::from_secs(2);

fn run(program: &str, args: &[&str]) -> Result<String, String> {
    let output = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {program}: {e} (install nftables / util-linux)"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// `nft list table inet TABLE`, or `None` when the table does not exist.
pub fn live_table(table: &str) -> Result<Option<String>, String> {
    let output = Command::new("nft")
        .args(["list", "table", "inet", table])
        .output()
        .map_err(|e| format!("cannot run nft: {e} (install nftables)"))?;
    if output.status.success() {
        return Ok(Some(String::from_utf8_lossy(&output.stdout).into_owned()));
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("No such file or directory") {
        Ok(None)
    } else {
        Err(format!("nft list table inet {table}: {}", stderr.trim()))
    }
}

/// The table as the kernel lists it after loading `ruleset` into a fresh,
/// empty network namespace: the same normalisation as the live listing.
/// `defines`: the `-D NAME=VALUE` arguments the ruleset needs
/// (src/nft_defines.rs).
pub fn normalized(ruleset: &Path, table: &str, defines: &[String]) -> Result<String, String> {
    let path = ruleset.to_str().ok_or("the ruleset path is not UTF-8")?;
    let mut args = vec![
        "--net",
        "sh",
        "-c",
        "t=$1; f=$2; shift 2; nft \"$@\" -f \"$f\" && nft list table inet \"$t\"",
        "sh",
        table,
        path,
    ];
    args.extend(defines.iter().map(String::as_str));
    run("unshare", &args)
}

/// `nft -c -f`: the kernel's verdict on a ruleset without loading it.
pub fn check(ruleset: &Path, defines: &[String]) -> Result<(), String> {
    nft_file(&["-c"], ruleset, defines)
}

/// Load a ruleset file in one transaction.
pub fn load(ruleset: &Path, defines: &[String]) -> Result<(), String> {
    nft_file(&[], ruleset, defines)
}

fn nft_file(first: &[&str], ruleset: &Path, defines: &[String]) -> Result<(), String> {
    let path = ruleset.to_string_lossy();
    let mut args: Vec<&str> = first.to_vec();
    args.extend(defines.iter().map(String::as_str));
    args.extend(["-f", &path]);
    run("nft", &args).map(|_| ())
}

/// A file that, loaded with `nft -f`, puts the table back exactly as it
/// was, or removes it when there was none.
pub fn restore_file(table: &str, live: Option<&str>) -> String {
    let mut text = format!("table inet {table}\ndelete table inet {table}\n");
    if let Some(live) = live {
        text.push_str(live);
    }
    text
}

/// Which backend a pending apply belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Nftables,
    Shorewall,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Nftables => "nftables",
            Kind::Shorewall => "shorewall",
        }
    }

    fn record(self) -> &'static str {
        match self {
            Kind::Nftables => "pending",
            Kind::Shorewall => "pending-shorewall",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        match text {
            "nftables" => Some(Kind::Nftables),
            "shorewall" => Some(Kind::Shorewall),
            _ => None,
        }
    }
}

/// The pending confirmation of an apply, as recorded in the state directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub kind: Kind,
    pub token: String,
    /// Seconds since the epoch when the apply was loaded.
    pub since: u64,
    /// Seconds it waits for a confirmation.
    pub within: u64,
    /// Shorewall: the staged directory and the directory it is written into.
    pub staging: Option<PathBuf>,
    pub out: Option<PathBuf>,
    /// Shorewall: the apply's `--force` (replace files fwgen did not write)
    /// and `--force-unsafe-dir`, which the confirmation writes with.
    pub force: bool,
    pub unsafe_dir: bool,
}

const RECORD_HEADER: &str = "fwgen pending 1";

impl Pending {
    fn to_text(&self) -> String {
        let mut text = format!(
            "{RECORD_HEADER}\nbackend {}\ntoken {}\nsince {}\nwithin {}\n",
            self.kind.name(),
            self.token,
            self.since,
            self.within
        );
        for (key, path) in [("staging", &self.staging), ("out", &self.out)] {
            if let Some(path) = path {
                text.push_str(&format!("{key} {}\n", path.display()));
            }
        }
        if self.kind == Kind::Shorewall {
            let word = |yes: bool| if yes { "yes" } else { "no" };
            text.push_str(&format!(
                "force {}\nunsafe {}\n",
                word(self.force),
                word(self.unsafe_dir)
            ));
        }
        text
    }

    /// Read a record back; anything unexpected makes it invalid.
    fn parse(text: &str, kind: Kind) -> Option<Pending> {
        let mut lines = text.lines();
        if lines.next()? != RECORD_HEADER {
            return None;
        }
        let mut field = |key: &str| {
            let line = lines.next()?;
            line.strip_prefix(key)?.strip_prefix(' ').map(str::to_owned)
        };
        let recorded = Kind::parse(&field("backend")?)?;
        let token = field("token")?;
        let since = field("since")?.parse().ok()?;
        let within = field("within")?.parse().ok()?;
        let path = |p: String| {
            let path = PathBuf::from(p);
            path.is_absolute().then_some(path)
        };
        let yes = |word: String| match word.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        };
        let (staging, out, force, unsafe_dir) = match kind {
            Kind::Shorewall => (
                Some(path(field("staging")?)?),
                Some(path(field("out")?)?),
                yes(field("force")?)?,
                yes(field("unsafe")?)?,
            ),
            Kind::Nftables => (None, None, false, false),
        };
        let token_ok = !token.is_empty() && token.chars().all(|c| c.is_ascii_hexdigit());
        (recorded == kind && token_ok && CONFIRM_WITHIN.contains(&within)).then_some(Pending {
            kind,
            token,
            since,
            within,
            staging,
            out,
            force,
            unsafe_dir,
        })
    }

    /// "since 12:00:01 UTC (40 s ago)".
    pub fn age(&self) -> String {
        let now = now_secs();
        format!(
            "loaded {} s ago, at {} seconds since the epoch",
            now.saturating_sub(self.since),
            self.since
        )
    }
}

/// Seconds since the epoch, as pending records keep time.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What the state directory says about pending applies.
#[derive(Debug)]
pub enum Status {
    /// Nothing waits for a confirmation.
    Idle,
    /// An apply waits, and its timer is alive.
    Pending(Pending),
    /// An apply waits, but no timer will ever roll it back.
    Orphaned(Pending),
    /// A record exists but cannot be trusted.
    Damaged(String),
}

/// The private state directory: opened once per process; its flock is
/// the state lock.
pub struct State {
    pub dir: SecureDir,
}

impl State {
    /// Open (creating 0700) and check the state directory.
    pub fn open(path: &Path) -> Result<State, String> {
        SecureDir::open_private(path)
            .map(|dir| State { dir })
            .map_err(|e| e.to_string())
    }

    /// Take the state lock (released when the `State` is dropped).
    pub fn lock(&self) -> Result<(), String> {
        self.dir.lock().map_err(|e| e.to_string())
    }

    pub fn restore_name(&self) -> &'static str {
        "restore.nft"
    }

    pub fn restore_path(&self) -> PathBuf {
        self.dir.path().join(self.restore_name())
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("rollback.log")
    }

    /// Save what a rollback restores: the table, and (none yet) kernel
    /// settings, which [`set_forwarding`] records before it changes them.
    pub fn save_restore(&self, text: &str) -> Result<(), String> {
        let none = sysctl_conf("fwgen: the pending apply changed no kernel setting", &[]);
        self.dir
            .replace(RESTORE_SYSCTL, none.as_bytes(), 0o600)
            .and_then(|()| {
                self.dir
                    .replace(self.restore_name(), text.as_bytes(), 0o600)
            })
            .map_err(|e| e.to_string())
    }

    /// Write a private copy of a file for nft to read, so that nothing can
    /// change it between `nft -c` and `nft -f`.
    pub fn private_copy(&self, name: &str, text: &str) -> Result<PathBuf, String> {
        self.dir
            .replace(name, text.as_bytes(), 0o600)
            .map_err(|e| e.to_string())?;
        Ok(self.dir.path().join(name))
    }

    /// The record of one backend: `Ok(None)` when there is none.
    pub fn pending(&self, kind: Kind) -> Result<Option<Pending>, String> {
        let bytes = self.dir.read(kind.record()).map_err(|e| e.to_string())?;
        let Some(bytes) = bytes else {
            return Ok(None);
        };
        let text = String::from_utf8_lossy(&bytes);
        Pending::parse(&text, kind).map(Some).ok_or_else(|| {
            format!(
                "{} is damaged; fwgen does not act on it. Check the live rules, then remove it",
                self.dir.path().join(kind.record()).display()
            )
        })
    }

    pub fn set_pending(&self, pending: &Pending) -> Result<(), String> {
        self.dir
            .replace(pending.kind.record(), pending.to_text().as_bytes(), 0o600)
            .map_err(|e| e.to_string())
    }

    pub fn clear_pending(&self, kind: Kind) -> Result<(), String> {
        self.dir
            .remove(kind.record())
            .and_then(|()| self.dir.sync())
            .map_err(|e| e.to_string())
    }

    fn timer_lock(&self) -> Result<File, String> {
        let fd = rustix::fs::openat(
            self.dir.as_fd(),
            "timer.lock",
            OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )
        .map_err(|e| {
            format!(
                "{}/timer.lock: {}",
                self.dir.path().display(),
                io::Error::from(e)
            )
        })?;
        Ok(File::from(fd))
    }

    /// Whether a timer holds its lock now.
    pub fn timer_alive(&self) -> Result<bool, String> {
        let file = self.timer_lock()?;
        match rustix::fs::flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(false),
            Err(rustix::io::Errno::WOULDBLOCK) => Ok(true),
            Err(e) => Err(io::Error::from(e).to_string()),
        }
    }

    /// Wait (bounded) until no timer holds its lock.
    pub fn wait_timer_gone(&self, within: Duration) -> Result<bool, String> {
        let start = Instant::now();
        while self.timer_alive()? {
            if start.elapsed() > within {
                return Ok(false);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(true)
    }

    /// The state of pending applies, both backends.
    pub fn status(&self) -> Status {
        for kind in [Kind::Nftables, Kind::Shorewall] {
            match self.pending(kind) {
                Ok(None) => {}
                Ok(Some(pending)) => {
                    return match self.timer_alive() {
                        Ok(true) => Status::Pending(pending),
                        Ok(false) => Status::Orphaned(pending),
                        Err(e) => Status::Damaged(e),
                    };
                }
                Err(e) => return Status::Damaged(e),
            }
        }
        Status::Idle
    }

    /// Append a line to the rollback log (0600) and to the system log.
    pub fn log(&self, line: &str) {
        let appended = rustix::fs::openat(
            self.dir.as_fd(),
            "rollback.log",
            OFlags::WRONLY | OFlags::APPEND | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )
        .map(File::from)
        .map_err(io::Error::from)
        .and_then(|mut f| f.write_all(format!("{} {line}\n", now_secs()).as_bytes()));
        if let Err(e) = appended {
            eprintln!("fwgen: cannot write {}: {e}", self.log_path().display());
        }
        let _ = Command::new("logger")
            .args(["-t", "fwgen", "-p", "authpriv.warning", "--", line])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The loud warning for a pending apply without a live timer.
pub fn orphan_warning(state_dir: &Path, pending: &Pending) -> String {
    format!(
        "an apply ({}) is waiting for confirmation, {}, but its rollback timer is gone: nothing will roll it back. Keep the rules with `fwgen apply --confirm --state-dir {dir}` or restore the previous ones now with `fwgen apply --rollback-now --state-dir {dir}`",
        pending.kind.name(),
        pending.age(),
        dir = state_dir.display()
    )
}

/// A token unique to one apply.
pub fn new_token() -> String {
    crate::secure_dir::random_hex()
}

/// Start the detached timer, in its own session so it outlives the
/// terminal and this process, and wait until it holds the timer lock.
pub fn start_timer(state: &State, kind: Kind, token: &str, after: Duration) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = Command::new(exe)
        .args(["rollback-timer", "--state-dir"])
        .arg(state.dir.path())
        .args(["--backend", kind.name(), "--token", token])
        .args(["--after", &after.as_secs().to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start the rollback timer: {e}"))?;
    let mut ready = String::new();
    if let Some(out) = child.stdout.take() {
        // One line: the timer keeps running (and its end of the pipe open).
        let _ = io::BufReader::new(out).read_line(&mut ready);
    }
    if ready.trim() == "armed" {
        Ok(())
    } else {
        let _ = child.wait();
        Err(format!(
            "the rollback timer did not start ({})",
            ready.trim()
        ))
    }
}

/// Restore the saved table now, then the kernel settings the apply
/// changed (the caller holds the state lock).
pub fn roll_back(state: &State) -> Result<(), String> {
    load(&state.restore_path(), &[])?;
    let saved = state.dir.read(RESTORE_SYSCTL).map_err(|e| e.to_string())?;
    let saved = String::from_utf8_lossy(saved.as_deref().unwrap_or_default()).into_owned();
    parse_sysctl_conf(&saved)?
        .iter()
        .try_for_each(Sysctl::write)
}

/// The timer's body. Holds the timer lock for its whole life; stops as
/// soon as its record is gone (confirmed); at the deadline restores under
/// the state lock unless the record went away meanwhile.
pub fn timer(state: &State, kind: Kind, token: &str, after: Duration) -> Result<(), String> {
    let lock = state.timer_lock()?;
    let start = Instant::now();
    loop {
        match rustix::fs::flock(&lock, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => break,
            Err(rustix::io::Errno::WOULDBLOCK) if start.elapsed() < Duration::from_secs(5) => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => {
                println!("another timer holds the lock: {}", io::Error::from(e));
                return Err("another rollback timer is running".into());
            }
        }
    }
    println!("armed");
    let _ = io::stdout().flush();
    let deadline = start + after;
    let ours = |state: &State| {
        state
            .pending(kind)
            .ok()
            .flatten()
            .is_some_and(|p| p.token == token)
    };
    match kind {
        Kind::Nftables => {
            while Instant::now() < deadline {
                std::thread::sleep(POLL);
                if !ours(state) {
                    return Ok(());
                }
            }
            restore_at_deadline(state, &ours)
        }
        Kind::Shorewall => shorewall_guard(state, &ours, deadline),
    }
}

fn restore_at_deadline(state: &State, ours: &dyn Fn(&State) -> bool) -> Result<(), String> {
    // A confirmation that holds the lock now finishes first.
    state.lock()?;
    if !ours(state) {
        return Ok(());
    }
    let result = roll_back(state);
    match &result {
        Ok(()) => {
            let _ = state.clear_pending(Kind::Nftables);
            state.log("no confirmation in time: restored the previous nftables table");
        }
        // The record stays: with no timer left, every fwgen command now says
        // that an apply waits unguarded, with --confirm and --rollback-now.
        Err(e) => state.log(&format!(
            "no confirmation in time, and restoring the previous nftables table FAILED: {e}"
        )),
    }
    result
}

/// Shorewall: `shorewall try` (and `shorewall6 try`) run as children of
/// this timer, so only their own parent ever signals them. A confirmation
/// removes the record; the guard then stops the children before their
/// restore can begin (it closes the window a margin before it).
fn shorewall_guard(
    state: &State,
    ours: &dyn Fn(&State) -> bool,
    deadline: Instant,
) -> Result<(), String> {
    let pending = state
        .pending(Kind::Shorewall)?
        .ok_or("no pending Shorewall apply")?;
    let staging = pending.staging.clone().ok_or("no staging directory")?;
    let mut children = Vec::new();
    for product in ["shorewall", "shorewall6"] {
        let dir = staging.join(product);
        if !dir.is_dir() {
            continue;
        }
        let child = Command::new(product)
            .arg("try")
            .arg(&dir)
            // Shorewall 5.2.8 insists on a unit suffix
            .arg(format!("{}s", pending.within))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot run {product} try: {e}"))?;
        children.push(child);
    }
    let closing = deadline.checked_sub(SHOREWALL_MARGIN).unwrap_or(deadline);
    let stop = |children: &mut Vec<std::process::Child>| {
        for child in children.iter_mut() {
            // The child is ours and not yet reaped: its PID is its own.
            if let Some(pid) = rustix::process::Pid::from_raw(child.id() as i32) {
                let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::TERM);
            }
            let _ = child.wait();
        }
    };
    while Instant::now() < closing {
        std::thread::sleep(POLL);
        if !ours(state) {
            stop(&mut children);
            return Ok(());
        }
    }
    state.lock()?;
    if ours(state) {
        let _ = state.clear_pending(Kind::Shorewall);
        state.log("no confirmation in time: Shorewall restores its previous state (shorewall try)");
    } else {
        // Confirmed between the last look and the lock: the confirmation
        // won, so Shorewall must not restore.
        stop(&mut children);
        state.dir.unlock();
        return Ok(());
    }
    state.dir.unlock();
    for child in &mut children {
        let _ = child.wait();
    }
    Ok(())
}

/// Confirm a pending apply under the state lock: a restore in progress
/// finishes first, and then there is nothing left to confirm. Returns the
/// apply that stays.
pub fn confirm(state: &State, kind: Kind) -> Result<Pending, String> {
    state.lock()?;
    let pending = state.pending(kind)?.ok_or(
        "nothing to confirm: no apply is waiting (its time ran out and the previous rules are back, or it was confirmed already)",
    )?;
    state.clear_pending(kind)?;
    Ok(pending)
}

/// Where the confirmed ruleset is kept for `fwgen.service` to load at boot.
pub const DEFAULT_BOOT_DIR: &str = "/var/lib/fwgen";

/// One kernel setting, as sysctl names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sysctl {
    pub key: &'static str,
    pub value: String,
}

impl Sysctl {
    /// Its file under /proc/sys (per network namespace for `net.*`).
    fn proc_path(&self) -> PathBuf {
        Path::new("/proc/sys").join(self.key.replace('.', "/"))
    }

    /// The kernel's value now.
    pub fn read(key: &'static str) -> Result<Sysctl, String> {
        let probe = Sysctl {
            key,
            value: String::new(),
        };
        std::fs::read_to_string(probe.proc_path())
            .map(|value| Sysctl {
                key,
                value: value.trim().to_owned(),
            })
            .map_err(|e| format!("cannot read {key}: {e}"))
    }

    /// Set it in the kernel.
    pub fn write(&self) -> Result<(), String> {
        std::fs::write(self.proc_path(), format!("{}\n", self.value))
            .map_err(|e| format!("cannot set {} = {}: {e}", self.key, self.value))
    }
}

/// The kernel's forwarding settings the model needs
/// ([`Model::ip_forwarding`](crate::model::Model::ip_forwarding)): on or
/// off for each family the model has, by that family's setting; none for
/// a family whose setting is `keep` (the kernel's setting is kept, as
/// Shorewall's IP_FORWARDING=Keep). Apply sets them, a rollback puts the
/// previous values back, and the boot unit sets them after loading the
/// table.
pub fn forwarding(model: &crate::model::Model) -> Vec<Sysctl> {
    use crate::model::settings::Forwarding;
    let families = [
        (false, "net.ipv4.ip_forward"),
        (true, "net.ipv6.conf.all.forwarding"),
    ];
    families
        .into_iter()
        .filter(|&(ipv6, _)| model.has_family(ipv6))
        .filter_map(|(ipv6, key)| {
            let value = match model.ip_forwarding(ipv6) {
                Forwarding::On => "1",
                Forwarding::Off => "0",
                Forwarding::Keep => return None,
            };
            Some(Sysctl {
                key,
                value: value.to_owned(),
            })
        })
        .collect()
}

/// Settings in sysctl.conf(5)'s format, after a comment.
fn sysctl_conf(comment: &str, settings: &[Sysctl]) -> String {
    let mut text = format!("# {comment}\n");
    for setting in settings {
        text.push_str(&format!("{} = {}\n", setting.key, setting.value));
    }
    text
}

/// Read back a file [`sysctl_conf`] wrote; only the keys fwgen sets.
fn parse_sysctl_conf(text: &str) -> Result<Vec<Sysctl>, String> {
    const KEYS: [&str; 2] = ["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"];
    let settings = text.lines().filter(|line| !line.starts_with('#'));
    settings
        .map(|line| {
            let (key, value) = line.split_once(" = ").ok_or(line)?;
            let key = KEYS.into_iter().find(|k| *k == key).ok_or(line)?;
            let value_ok = !value.is_empty() && value.chars().all(|c| c.is_ascii_digit());
            value_ok
                .then(|| Sysctl {
                    key,
                    value: value.to_owned(),
                })
                .ok_or(line)
        })
        .collect::<Result<_, _>>()
        .map_err(|line| format!("unexpected line `{line}` in a sysctl file fwgen wrote"))
}

/// What an apply leaves for the boot unit once it is confirmed: the
/// ruleset it loaded, the forwarding it set, and how to remove its table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootFiles {
    pub ruleset: String,
    pub sysctl: String,
    /// Removes fwgen's table (what `shorewall clear` is to Shorewall).
    pub stop: String,
    /// The model's stopped ruleset, which the unit's `ExecStop` loads
    /// (what `shorewall stop` is to Shorewall).
    pub stopped: String,
}

impl BootFiles {
    /// The names in the boot directory (and, prefixed, in the state one).
    /// The ruleset comes last: the unit runs only once it exists.
    const NAMES: [&'static str; 4] = ["sysctl.conf", "stop.nft", "fwgen-stopped.nft", "fwgen.nft"];

    pub fn new(ruleset: &str, stopped: &str, table: &str, forwarding: &[Sysctl]) -> BootFiles {
        let comment = if forwarding.is_empty() {
            "fwgen: the model does not forward between interfaces; the kernel's forwarding settings are kept"
        } else {
            "fwgen: the forwarding the model needs, set by fwgen.service after it loads fwgen.nft"
        };
        BootFiles {
            ruleset: ruleset.to_owned(),
            sysctl: sysctl_conf(comment, forwarding),
            stop: restore_file(table, None),
            stopped: stopped.to_owned(),
        }
    }

    fn texts(&self) -> [&str; 4] {
        [&self.sysctl, &self.stop, &self.stopped, &self.ruleset]
    }

    fn write(&self, dir: &SecureDir, prefix: &str) -> Result<(), String> {
        for (name, text) in Self::NAMES.iter().zip(self.texts()) {
            dir.replace(&format!("{prefix}{name}"), text.as_bytes(), 0o600)
                .map_err(|e| e.to_string())?;
        }
        dir.sync().map_err(|e| e.to_string())
    }

    /// Keep them in the state directory until the apply is confirmed.
    pub fn stage(&self, state: &State) -> Result<(), String> {
        self.write(&state.dir, "boot-")
    }

    /// The files the pending apply staged.
    pub fn staged(state: &State) -> Result<BootFiles, String> {
        let mut texts = Vec::new();
        for name in Self::NAMES {
            let name = format!("boot-{name}");
            let bytes = state.dir.read(&name).map_err(|e| e.to_string())?;
            let bytes =
                bytes.ok_or_else(|| format!("{name} is missing from the state directory"))?;
            texts.push(String::from_utf8(bytes).map_err(|_| format!("{name} is not UTF-8"))?);
        }
        let [sysctl, stop, stopped, ruleset] = <[String; 4]>::try_from(texts)
            .map_err(|_| "the staged boot files are incomplete".to_owned())?;
        Ok(BootFiles {
            ruleset,
            sysctl,
            stop,
            stopped,
        })
    }

    /// Write them where the boot unit reads them (0700 directory, files
    /// 0600, each replaced atomically, never through a link).
    pub fn persist(&self, boot_dir: &Path) -> Result<(), String> {
        let dir = SecureDir::open_private(boot_dir).map_err(|e| e.to_string())?;
        dir.lock().map_err(|e| e.to_string())?;
        self.write(&dir, "")
    }
}

/// Set the forwarding the model needs, after saving the kernel's current
/// values for a rollback. Returns one line per setting, for the user.
pub fn set_forwarding(state: &State, settings: &[Sysctl]) -> Result<Vec<String>, String> {
    let previous = settings
        .iter()
        .map(|s| Sysctl::read(s.key))
        .collect::<Result<Vec<_>, _>>()?;
    let saved = sysctl_conf(
        "fwgen: the kernel's values before the pending apply",
        &previous,
    );
    state
        .dir
        .replace(RESTORE_SYSCTL, saved.as_bytes(), 0o600)
        .map_err(|e| e.to_string())?;
    let mut lines = Vec::new();
    for (setting, before) in settings.iter().zip(&previous) {
        setting.write()?;
        lines.push(if before.value == setting.value {
            format!("{} = {} (it was already)", setting.key, setting.value)
        } else {
            format!(
                "{} = {} (it was {})",
                setting.key, setting.value, before.value
            )
        });
    }
    Ok(lines)
}

/// The kernel's values before the pending apply's forwarding.
const RESTORE_SYSCTL: &str = "restore.sysctl";

#[cfg(test)]
mod tests {
    use super::*;

    fn on(key: &'static str) -> Sysctl {
        Sysctl {
            key,
            value: "1".to_owned(),
        }
    }

    #[test]
    fn sysctl_files_read_back_what_they_hold() {
        let settings = [
            on("net.ipv4.ip_forward"),
            on("net.ipv6.conf.all.forwarding"),
        ];
        let text = sysctl_conf("a comment", &settings);
        assert_eq!(
            text,
            "# a comment\nnet.ipv4.ip_forward = 1\nnet.ipv6.conf.all.forwarding = 1\n"
        );
        assert_eq!(parse_sysctl_conf(&text).unwrap(), settings);
        assert_eq!(parse_sysctl_conf("# nothing\n").unwrap(), []);
    }

    #[test]
    fn a_sysctl_file_fwgen_did_not_write_is_refused() {
        for text in [
            "kernel.panic = 1\n",
            "net.ipv4.ip_forward = 1; rm -rf /\n",
            "net.ipv4.ip_forward=1\n",
            "net.ipv4.ip_forward = \n",
        ] {
            assert!(parse_sysctl_conf(text).is_err(), "{text}");
        }
    }

    #[test]
    fn boot_files_stop_only_fwgens_table() {
        let boot = BootFiles::new(
            "ruleset\n",
            "stopped\n",
            "edge",
            &[on("net.ipv4.ip_forward")],
        );
        assert_eq!(boot.stop, "table inet edge\ndelete table inet edge\n");
        assert!(boot.sysctl.ends_with("\nnet.ipv4.ip_forward = 1\n"));
        assert_eq!(boot.texts()[2], "stopped\n");
        // The ruleset last: the unit runs only once it exists.
        assert_eq!(boot.texts()[3], "ruleset\n");
    }
}

/// One member of a running set, as `nft -j` lists it: an address, a
/// network or a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    Net(ipnet::IpNet),
    Range(std::net::IpAddr, std::net::IpAddr),
}

impl std::fmt::Display for Member {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Member::Net(net) => f.write_str(&crate::model::rule::written(net)),
            Member::Range(low, high) => write!(f, "{low}-{high}"),
        }
    }
}

impl Member {
    fn ipv6(&self) -> bool {
        match self {
            Member::Net(net) => crate::model::rule::is_ipv6(net),
            Member::Range(low, _) => low.is_ipv6(),
        }
    }

    /// Whether `net` holds every address of the member.
    fn within(&self, net: &ipnet::IpNet) -> bool {
        match self {
            Member::Net(own) => net.contains(own),
            Member::Range(low, high) => net.contains(low) && net.contains(high),
        }
    }

    /// One `elem` of `nft -j list set`; `None` for what is no address
    /// (nothing else reaches a file fwgen writes).
    fn from_json(elem: &serde_json::Value) -> Option<Member> {
        if let Some(text) = elem.as_str() {
            return text
                .parse()
                .ok()
                .map(|a: std::net::IpAddr| Member::Net(a.into()));
        }
        if let Some(inner) = elem.get("elem") {
            return Member::from_json(inner.get("val")?);
        }
        if let Some(prefix) = elem.get("prefix") {
            let addr: std::net::IpAddr = prefix.get("addr")?.as_str()?.parse().ok()?;
            let len = u8::try_from(prefix.get("len")?.as_u64()?).ok()?;
            return ipnet::IpNet::new(addr, len).ok().map(Member::Net);
        }
        let range = elem.get("range")?.as_array()?;
        let [low, high] = range.as_slice() else {
            return None;
        };
        Some(Member::Range(
            low.as_str()?.parse().ok()?,
            high.as_str()?.parse().ok()?,
        ))
    }
}

/// The members of the running set `name` in table inet `table`; empty
/// when the table or the set does not run.
pub fn running_members(table: &str, name: &str) -> Result<Vec<Member>, String> {
    let output = Command::new("nft")
        .args(["-j", "list", "set", "inet", table, name])
        .output()
        .map_err(|e| format!("cannot run nft: {e} (install nftables)"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("No such file or directory") {
            return Ok(Vec::new());
        }
        return Err(format!(
            "nft -j list set inet {table} {name}: {}",
            stderr.trim()
        ));
    }
    let listing: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("nft -j list set inet {table} {name}: {e}"))?;
    let elems = listing["nftables"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item.get("set"))
        .filter_map(|set| set.get("elem").and_then(serde_json::Value::as_array))
        .flatten();
    elems
        .map(|elem| {
            Member::from_json(elem).ok_or_else(|| {
                format!("set {name} of table inet {table} holds `{elem}`, which is no address")
            })
        })
        .collect()
}

/// What keeps the members added at run time to the model's ipsets across
/// a load: `add element` lines to load after the new table, in the same
/// `nft -f` (one transaction), and a note per set on what is kept or
/// left out. A member the model's elements hold already is not repeated;
/// one of the other family, or a network or range a `hash:ip` set cannot
/// hold, is left out and said.
pub fn kept_members(
    table: &str,
    sets: &[crate::model::Ipset],
) -> Result<(String, Vec<String>), String> {
    let (mut lines, mut notes) = (String::new(), Vec::new());
    for set in sets {
        let mut kept = Vec::new();
        for member in running_members(table, &set.name)? {
            if set.elements.iter().any(|e| member.within(e)) {
                continue;
            }
            let fits = member.ipv6() == set.ipv6
                && (set.kind == crate::model::IpsetKind::HashNet
                    || matches!(&member, Member::Net(n) if n.prefix_len() == n.max_prefix_len()));
            if fits {
                kept.push(member.to_string());
            } else {
                notes.push(format!(
                    "set {}: the running member {member} does not fit the set as the model declares it ({} {}): left out",
                    set.name,
                    if set.ipv6 { "ipv6" } else { "ipv4" },
                    set.kind.name()
                ));
            }
        }
        if kept.is_empty() {
            continue;
        }
        notes.push(format!(
            "set {}: keeping {} member(s) added at run time",
            set.name,
            kept.len()
        ));
        lines.push_str(&format!(
            "add element inet {table} {} {{ {} }}\n",
            set.name,
            kept.join(", ")
        ));
    }
    Ok((lines, notes))
}
