//! Apply: load the nftables ruleset into the kernel with an automatic
//! rollback, and compare the live table with what the model renders.
//!
//! The rollback does not depend on the terminal: a detached timer process
//! restores the saved table unless `fwgen apply --confirm` runs in time.

use std::fs;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Where apply keeps the saved table and the pending confirmation.
pub const DEFAULT_STATE_DIR: &str = "/run/fwgen";

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
pub fn normalized(ruleset: &Path, table: &str) -> Result<String, String> {
    let path = ruleset.to_str().ok_or("the ruleset path is not UTF-8")?;
    run(
        "unshare",
        &[
            "--net",
            "sh",
            "-c",
            "nft -f \"$1\" && nft list table inet \"$2\"",
            "sh",
            path,
            table,
        ],
    )
}

/// `nft -c -f`: the kernel's verdict on a ruleset without loading it.
pub fn check(ruleset: &Path) -> Result<(), String> {
    run("nft", &["-c", "-f", &ruleset.to_string_lossy()]).map(|_| ())
}

/// Load a ruleset file in one transaction.
pub fn load(ruleset: &Path) -> Result<(), String> {
    run("nft", &["-f", &ruleset.to_string_lossy()]).map(|_| ())
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

/// The pending confirmation of an apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub token: String,
    pub timer_pid: u32,
}

pub struct State {
    pub dir: PathBuf,
}

impl State {
    pub fn new(dir: &Path) -> State {
        State {
            dir: dir.to_owned(),
        }
    }

    pub fn restore_path(&self) -> PathBuf {
        self.dir.join("restore.nft")
    }

    fn pending_path(&self) -> PathBuf {
        self.dir.join("pending")
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.join("rollback.log")
    }

    pub fn save_restore(&self, text: &str) -> Result<(), String> {
        fs::create_dir_all(&self.dir).map_err(|e| format!("{}: {e}", self.dir.display()))?;
        let path = self.restore_path();
        let temp = self.dir.join(".restore.nft.tmp");
        let mut file = fs::File::create(&temp).map_err(|e| format!("{}: {e}", temp.display()))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| e.to_string())?;
        fs::rename(&temp, &path).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn pending(&self) -> Option<Pending> {
        let text = fs::read_to_string(self.pending_path()).ok()?;
        let mut words = text.split_whitespace();
        let token = words.next()?.to_owned();
        let timer_pid = words.next()?.parse().ok()?;
        Some(Pending { token, timer_pid })
    }

    pub fn set_pending(&self, pending: &Pending) -> Result<(), String> {
        fs::write(
            self.pending_path(),
            format!("{} {}\n", pending.token, pending.timer_pid),
        )
        .map_err(|e| e.to_string())
    }

    pub fn clear_pending(&self) {
        let _ = fs::remove_file(self.pending_path());
    }
}

/// A token unique to one apply.
pub fn new_token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:x}-{}", nanos, std::process::id())
}

/// Start the detached timer: `fwgen rollback-timer`, in its own session so
/// it outlives the terminal and this process.
pub fn start_timer(state: &State, token: &str, after: Duration) -> Result<u32, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let child = Command::new(exe)
        .args(["rollback-timer", "--state-dir"])
        .arg(&state.dir)
        .args(["--token", token, "--after", &after.as_secs().to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start the rollback timer: {e}"))?;
    Ok(child.id())
}

/// Restore the saved table now.
pub fn roll_back(state: &State) -> Result<(), String> {
    load(&state.restore_path())
}

/// The timer's body: wait, then restore unless confirmed meanwhile.
pub fn timer(state: &State, token: &str, after: Duration) -> Result<bool, String> {
    std::thread::sleep(after);
    let still_pending = state.pending().is_some_and(|p| p.token == token);
    if !still_pending {
        return Ok(false);
    }
    let result = roll_back(state);
    state.clear_pending();
    let line = match &result {
        Ok(()) => "no confirmation in time: restored the previous table\n".to_owned(),
        Err(e) => format!("no confirmation in time, and the restore failed: {e}\n"),
    };
    let _ = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(state.log_path())
        .and_then(|mut f| f.write_all(line.as_bytes()));
    result.map(|()| true)
}

/// Confirm a pending apply: the timer stops and the new table stays.
pub fn confirm(state: &State) -> Result<(), String> {
    let pending = state
        .pending()
        .ok_or("nothing to confirm: no apply is waiting (or its time ran out)")?;
    state.clear_pending();
    let _ = Command::new("kill")
        .arg(pending.timer_pid.to_string())
        .status();
    Ok(())
}
