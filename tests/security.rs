//! fwgen as a root tool that no local user can turn and that never loses
//! an admin's file (docs/security.md): every promise about writing files
//! through the real binary, with an unprivileged attacker (`setpriv` to
//! uid 65534), kill -9 loops, concurrent processes and a tiny tmpfs.

mod common;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const NOBODY: u32 = 65534;

fn fwgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .current_dir(common::root())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A directory under /tmp that uid 65534 can reach, holding a root-owned
/// victim file, a copy of an example model and an output directory.
struct Arena {
    base: PathBuf,
    model: PathBuf,
    out: PathBuf,
    victim: PathBuf,
}

const SECRET: &str = "root's file, not fwgen's\n";

impl Arena {
    fn new(name: &str, example: &str) -> Arena {
        common::require_root();
        common::require_tool("setpriv", "util-linux");
        let base = PathBuf::from(format!("/tmp/fwgen-security-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        fs::create_dir(&base).unwrap();
        fs::set_permissions(&base, fs::Permissions::from_mode(0o755)).unwrap();
        let model = base.join("fwgen.toml");
        fs::copy(
            common::root().join(format!("examples/{example}.toml")),
            &model,
        )
        .unwrap();
        let out = base.join("out");
        fs::create_dir(&out).unwrap();
        let victim = base.join("victim");
        fs::write(&victim, SECRET).unwrap();
        fs::set_permissions(&victim, fs::Permissions::from_mode(0o600)).unwrap();
        Arena {
            base,
            model,
            out,
            victim,
        }
    }

    /// Hand the output directory to uid 65534.
    fn give_out_to_nobody(&self) {
        std::os::unix::fs::chown(&self.out, Some(NOBODY), Some(NOBODY)).unwrap();
    }

    /// Run a shell command as uid 65534.
    fn as_nobody(&self, script: &str) {
        let output = Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--",
                "sh",
                "-c",
                script,
            ])
            .current_dir(&self.base)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "the attacker's step failed: {}",
            text(&output)
        );
    }

    /// Render the model as nftables into another directory.
    fn render_to(&self, out: &Path) -> Output {
        fwgen(&[
            "render",
            "--backend",
            "nftables",
            "-c",
            self.model.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--yes",
        ])
    }

    fn render(&self, backend: &str, extra: &[&str]) -> Output {
        let mut args = vec![
            "render",
            "--backend",
            backend,
            "-c",
            self.model.to_str().unwrap(),
            "--out",
            self.out.to_str().unwrap(),
            "--yes",
        ];
        args.extend_from_slice(extra);
        fwgen(&args)
    }

    fn assert_victim_untouched(&self) {
        let meta = fs::symlink_metadata(&self.victim).unwrap();
        assert!(meta.is_file(), "the victim is no longer a plain file");
        assert_eq!(
            fs::read_to_string(&self.victim).unwrap(),
            SECRET,
            "root's file was written through a link"
        );
        assert_eq!(
            (meta.uid(), meta.mode() & 0o7777),
            (0, 0o600),
            "root's file changed owner or mode"
        );
    }

    fn edit_model(&self, from: &str, to: &str) {
        let model = fs::read_to_string(&self.model).unwrap();
        assert!(model.contains(from), "the model has no `{from}`");
        fs::write(&self.model, model.replacen(from, to, 1)).unwrap();
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg(&self.out)
            .stderr(Stdio::null())
            .status();
        let _ = fs::remove_dir_all(&self.base);
    }
}

/// Exit 2, and the refusal names the way out.
fn assert_refused_as_unsafe(output: &Output) {
    assert_eq!(output.status.code(), Some(2), "{}", text(output));
    assert!(
        text(output).contains("--force-unsafe-dir"),
        "{}",
        text(output)
    );
}

#[test]
fn directory_another_user_can_write_is_refused() {
    let arena = Arena::new("unsafe-dir", "lxc-host");
    arena.give_out_to_nobody();
    let output = arena.render("nftables", &[]);
    assert_refused_as_unsafe(&output);
    assert_eq!(
        fs::read_dir(&arena.out).unwrap().count(),
        0,
        "something was written"
    );
    fs::set_permissions(&arena.out, fs::Permissions::from_mode(0o777)).unwrap();
    std::os::unix::fs::chown(&arena.out, Some(0), Some(0)).unwrap();
    let output = arena.render("nftables", &[]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "world-writable: {}",
        text(&output)
    );
}

#[test]
fn planted_backup_link_is_never_written_through() {
    let arena = Arena::new("backup-link", "lxc-host");
    arena.give_out_to_nobody();
    let victim = arena.victim.display().to_string();
    // The attacker owns the directory: a file that looks generated, and
    // links where fwgen's backup and (old, PID-named) temporary files go.
    arena.as_nobody(&format!(
        "mkdir out/shorewall && printf '# Generated by fwgen from x\\n' > out/shorewall/rules && \
         ln -s {victim} out/shorewall/rules.bak && ln -s {victim} out/shorewall/.rules.fwgen-1.tmp && \
         ln -s {victim} out/shorewall/.policy.fwgen-2.tmp"
    ));
    let output = arena.render("shorewall", &["--force-unsafe-dir"]);
    assert!(output.status.success(), "{}", text(&output));
    arena.assert_victim_untouched();
    let dir = arena.out.join("shorewall");
    assert!(
        fs::symlink_metadata(dir.join("rules.bak"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        fs::read_to_string(dir.join("rules.bak.1")).unwrap(),
        "# Generated by fwgen from x\n",
        "the previous file is not kept beside the link"
    );
    assert!(
        !dir.join(".rules.fwgen-1.tmp").exists(),
        "a stale temporary link is left"
    );
    let rules = fs::symlink_metadata(dir.join("rules")).unwrap();
    assert_eq!(rules.uid(), NOBODY, "the replaced file keeps its owner");
}

#[test]
fn symlinked_output_file_is_refused_not_replaced() {
    let arena = Arena::new("output-link", "lxc-host");
    fs::create_dir(arena.out.join("shorewall")).unwrap();
    let link = arena.out.join("shorewall/rules");
    symlink(&arena.victim, &link).unwrap();
    let output = arena.render("shorewall", &["--force"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("symbolic link"), "{}", text(&output));
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced"
    );
    arena.assert_victim_untouched();
    assert_eq!(
        fs::read_dir(arena.out.join("shorewall")).unwrap().count(),
        1,
        "files were written"
    );
}

#[test]
fn output_directory_that_is_another_users_link_is_refused() {
    let arena = Arena::new("dir-link", "lxc-host");
    let real = arena.base.join("real");
    fs::create_dir(&real).unwrap();
    // A shared directory like /tmp, where anyone may create names.
    let shared = arena.base.join("shared");
    fs::create_dir(&shared).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
    arena.as_nobody(&format!("ln -s {} shared/out", real.display()));
    let output = arena.render_to(&shared.join("out"));
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert_eq!(fs::read_dir(&real).unwrap().count(), 0);
}

#[test]
fn admins_original_survives_any_number_of_forced_renders() {
    let arena = Arena::new("backups", "lxc-host");
    let dir = arena.out.join("shorewall");
    fs::create_dir(&dir).unwrap();
    fs::write(
        dir.join("rules"),
        "# the admin's own rules\nACCEPT net $FW tcp 22\n",
    )
    .unwrap();
    fs::write(dir.join("rules.bak"), "# the admin's own older backup\n").unwrap();
    assert!(arena.render("shorewall", &["--force"]).status.success());
    arena.edit_model("\nlog = \"info\"", "\nlog = \"notice\"");
    assert!(arena.render("shorewall", &["--force"]).status.success());
    arena.edit_model("log = \"notice\"", "log = \"info\"");
    assert!(arena.render("shorewall", &["--force"]).status.success());
    assert_eq!(
        fs::read_to_string(dir.join("rules.bak")).unwrap(),
        "# the admin's own older backup\n"
    );
    assert_eq!(
        fs::read_to_string(dir.join("rules.bak.1")).unwrap(),
        "# the admin's own rules\nACCEPT net $FW tcp 22\n"
    );
    let policies: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("policy.bak"))
        .collect();
    assert_eq!(
        policies.len(),
        2,
        "one backup per replaced version: {policies:?}"
    );
    let mode = fs::metadata(dir.join("rules.bak.1")).unwrap().mode() & 0o777;
    assert_eq!(mode, 0o600, "a backup of an admin's file is private");
}

#[test]
fn backup_dir_inside_the_output_is_refused() {
    let arena = Arena::new("backup-inside", "lxc-host");
    assert!(arena.render("nftables", &[]).status.success());
    arena.edit_model("\nlog = \"info\"", "\nlog = \"notice\"");
    let before = common::read_tree(&arena.out);
    for backups in [arena.out.clone(), arena.out.join("old")] {
        let output = arena.render("nftables", &["--backup-dir", backups.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        assert!(text(&output).contains("inside --out"), "{}", text(&output));
        assert_eq!(common::read_tree(&arena.out), before, "the output changed");
    }
}

fn statvfs_free(path: &Path) -> u64 {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: a valid C string and a zeroed struct for the kernel to fill.
    assert_eq!(unsafe { libc::statvfs(c.as_ptr(), &mut stat) }, 0);
    stat.f_bavail * stat.f_frsize
}

#[test]
fn full_disk_while_backing_up_changes_nothing() {
    let arena = Arena::new("enospc", "lxc-host");
    let (ok, out) = common::run(
        "mount",
        &[
            "-t",
            "tmpfs",
            "-o",
            "size=2m,mode=0755",
            "fwgen-enospc",
            arena.out.to_str().unwrap(),
        ],
    );
    assert!(ok, "cannot mount a tmpfs: {out}");
    let dir = arena.out.join("shorewall");
    fs::create_dir(&dir).unwrap();
    // The admin's own large file, and an earlier backup of it.
    let original = format!(
        "# the admin's rules\n{}",
        "ACCEPT net $FW tcp 22\n".repeat(20000)
    );
    fs::write(dir.join("rules"), &original).unwrap();
    fs::write(dir.join("rules.bak"), "# earlier backup\n").unwrap();
    // Leave room for the staged files (a few pages each) but not the backup.
    let free = statvfs_free(&arena.out);
    let room = 40 * 4096;
    fs::write(arena.out.join("filler"), vec![0u8; (free - room) as usize]).unwrap();
    let before = common::read_tree(&arena.out);
    let output = arena.render("shorewall", &["--force"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("nothing was changed"),
        "{}",
        text(&output)
    );
    assert!(text(&output).contains("No space left"), "{}", text(&output));
    assert_eq!(
        common::read_tree(&arena.out),
        before,
        "the directory changed"
    );
}

#[test]
fn stale_temporary_files_of_dead_runs_are_removed() {
    let arena = Arena::new("stale-temps", "lxc-host");
    assert!(arena.render("shorewall", &[]).status.success());
    let stale = arena.out.join("shorewall/.rules.fwgen-4242.tmp");
    fs::write(&stale, "half a file from a run killed long ago\n").unwrap();
    arena.edit_model("\nlog = \"info\"", "\nlog = \"notice\"");
    let output = arena.render("shorewall", &[]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(!stale.exists(), "the stale temporary file is still there");
    assert!(
        text(&output).contains("temporary file"),
        "{}",
        text(&output)
    );
}

/// The generated files of a directory (backups left out).
fn generated(dir: &Path) -> std::collections::BTreeMap<String, String> {
    common::read_tree(dir)
        .into_iter()
        .filter(|(name, _)| !name.contains(".bak"))
        .collect()
}

/// Two renders of the same example differing in the log level: every file
/// set a run may leave must be one of them, whole.
struct TwoSets {
    arena: Arena,
    a: std::collections::BTreeMap<String, String>,
    b: std::collections::BTreeMap<String, String>,
    model_b: PathBuf,
}

impl TwoSets {
    fn new(name: &str) -> TwoSets {
        let arena = Arena::new(name, "ipv6");
        assert!(arena.render("shorewall", &[]).status.success());
        let a = generated(&arena.out);
        let model_b = arena.base.join("b.toml");
        let text = fs::read_to_string(&arena.model).unwrap();
        assert!(text.contains("log = \"info\""));
        fs::write(&model_b, text.replace("log = \"info\"", "log = \"notice\"")).unwrap();
        let scratch = arena.base.join("b");
        fs::create_dir(&scratch).unwrap();
        let b_out = fwgen(&[
            "render",
            "--backend",
            "shorewall",
            "-c",
            model_b.to_str().unwrap(),
            "--out",
            scratch.to_str().unwrap(),
            "--yes",
        ]);
        assert!(b_out.status.success(), "{}", text_of(&b_out));
        let b = generated(&scratch);
        assert_ne!(a, b);
        assert!(
            a.iter().filter(|(k, v)| b.get(*k) != Some(v)).count() >= 2,
            "the two sets must differ in two files at least"
        );
        TwoSets {
            arena,
            a,
            b,
            model_b,
        }
    }

    fn render_b(&self) -> Command {
        self.render_with(&self.model_b)
    }

    fn render_with(&self, model: &Path) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_fwgen"));
        command
            .args([
                "render",
                "--backend",
                "shorewall",
                "-c",
                model.to_str().unwrap(),
            ])
            .args(["--out", self.arena.out.to_str().unwrap(), "--yes"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }

    fn assert_whole(&self, when: &str) {
        let now = generated(&self.arena.out);
        assert!(
            now == self.a || now == self.b,
            "{when}: a mixed set of files:\n{:?}",
            now.keys()
        );
    }
}

fn text_of(output: &Output) -> String {
    text(output)
}

#[test]
fn kill_nine_at_any_moment_leaves_one_whole_set_after_the_next_run() {
    let sets = TwoSets::new("kill-nine");
    let mut interrupted = 0;
    for round in 0..60u64 {
        let mut child = sets.render_b().spawn().unwrap();
        std::thread::sleep(Duration::from_micros(1500 + (round * 997) % 12000));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if !status.success() {
            interrupted += 1;
        }
        // The next run (a diff) completes an interrupted set first.
        let diff = fwgen(&[
            "diff",
            "--backend",
            "shorewall",
            "-c",
            sets.arena.model.to_str().unwrap(),
            "--out",
            sets.arena.out.to_str().unwrap(),
        ]);
        assert!(diff.status.code().is_some_and(|c| c < 2), "{}", text(&diff));
        sets.assert_whole(&format!("round {round}"));
        let leftovers: Vec<String> = ["shorewall", "shorewall6", "."]
            .iter()
            .flat_map(|d| fs::read_dir(sets.arena.out.join(d)).into_iter().flatten())
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".fwgen-"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "round {round}: left behind {leftovers:?}"
        );
        assert!(sets.arena.render("shorewall", &[]).status.success());
    }
    assert!(
        interrupted > 0,
        "no run was ever interrupted: the test proves nothing"
    );
}

#[test]
fn an_interrupted_journal_is_completed_by_the_next_run() {
    let sets = TwoSets::new("journal");
    // A run that staged both changed files and died after the first rename.
    let changed: Vec<&String> = sets
        .a
        .keys()
        .filter(|k| sets.b.get(*k) != sets.a.get(*k))
        .collect();
    let mut journal = String::from("fwgen journal 1\n");
    for (index, path) in changed.iter().enumerate() {
        let (dir, name) = path.rsplit_once('/').unwrap();
        let temp = format!(".{name}.fwgen-{index:016x}.tmp");
        fs::write(sets.arena.out.join(dir).join(&temp), &sets.b[*path]).unwrap();
        journal.push_str(&format!("rename\t{dir}\t{temp}\t{name}\n"));
        if index == 0 {
            fs::rename(
                sets.arena.out.join(dir).join(&temp),
                sets.arena.out.join(path),
            )
            .unwrap();
        }
    }
    fs::write(sets.arena.out.join(".fwgen-journal"), journal).unwrap();
    let diff = fwgen(&[
        "diff",
        "--backend",
        "shorewall",
        "-c",
        sets.model_b.to_str().unwrap(),
        "--out",
        sets.arena.out.to_str().unwrap(),
    ]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
    assert!(text(&diff).contains("interrupted"), "{}", text(&diff));
    assert_eq!(generated(&sets.arena.out), sets.b);
    assert!(!sets.arena.out.join(".fwgen-journal").exists());
}

#[test]
fn a_damaged_journal_stops_everything() {
    let arena = Arena::new("bad-journal", "lxc-host");
    assert!(arena.render("shorewall", &[]).status.success());
    let before = common::read_tree(&arena.out);
    fs::write(
        arena.out.join(".fwgen-journal"),
        "fwgen journal 1\nrename\t..\t../../etc\tpasswd\n",
    )
    .unwrap();
    arena.edit_model("\nlog = \"info\"", "\nlog = \"notice\"");
    let output = arena.render("shorewall", &[]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("damaged"), "{}", text(&output));
    let mut after = common::read_tree(&arena.out);
    after.remove(".fwgen-journal");
    assert_eq!(after, before);
}

#[test]
fn concurrent_renders_into_one_directory_leave_one_whole_set() {
    let sets = TwoSets::new("concurrent");
    // A third state, so that both concurrent renders have files to write.
    let model_c = sets.arena.base.join("c.toml");
    let text = fs::read_to_string(&sets.arena.model).unwrap();
    fs::write(&model_c, text.replace("log = \"info\"", "log = \"debug\"")).unwrap();
    let render = |model: &Path| sets.render_with(model);
    let mut both_wrote = 0;
    for round in 0..40 {
        let reset = render(&model_c).status().unwrap();
        assert!(reset.success());
        let children: Vec<_> = [
            &sets.arena.model,
            &sets.model_b,
            &sets.arena.model,
            &sets.model_b,
        ]
        .into_iter()
        .map(|model| render(model).stderr(Stdio::piped()).spawn().unwrap())
        .collect();
        let mut wrote = 0;
        for child in children {
            let output = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            assert!(
                output.status.success() || stderr.contains("lock"),
                "round {round}: {stderr}"
            );
            wrote += usize::from(stderr.contains("wrote into"));
        }
        both_wrote += usize::from(wrote > 1);
        sets.assert_whole(&format!("round {round}"));
    }
    assert!(
        both_wrote > 0,
        "no two renders ever both wrote: the test proves nothing"
    );
}

#[test]
fn output_file_another_user_can_write_is_refused() {
    let arena = Arena::new("unsafe-file", "lxc-host");
    assert!(arena.render("shorewall", &[]).status.success());
    arena.edit_model("\nlog = \"info\"", "\nlog = \"notice\"");
    let policy = arena.out.join("shorewall/policy");
    fs::set_permissions(&policy, fs::Permissions::from_mode(0o666)).unwrap();
    let before = common::read_tree(&arena.out);
    let output = arena.render("shorewall", &[]);
    assert_refused_as_unsafe(&output);
    assert_eq!(
        common::read_tree(&arena.out),
        before,
        "the directory changed"
    );
    std::os::unix::fs::chown(&policy, Some(NOBODY), None).unwrap();
    fs::set_permissions(&policy, fs::Permissions::from_mode(0o644)).unwrap();
    let output = arena.render("shorewall", &[]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "owned by another user: {}",
        text(&output)
    );
    let forced = arena.render("shorewall", &["--force-unsafe-dir"]);
    assert!(forced.status.success(), "{}", text(&forced));
}

#[test]
fn a_link_or_directory_of_another_user_on_the_way_is_refused() {
    let arena = Arena::new("path-walk", "lxc-host");
    let target = arena.base.join("target");
    fs::create_dir(&target).unwrap();
    fs::create_dir(target.join("out")).unwrap();
    // A directory of another user's on the way, holding a link of theirs.
    let home = arena.base.join("home");
    fs::create_dir(&home).unwrap();
    std::os::unix::fs::chown(&home, Some(NOBODY), Some(NOBODY)).unwrap();
    arena.as_nobody(&format!(
        "ln -s {} home/fw && mkdir home/own",
        target.display()
    ));
    for out in [home.join("fw/out"), home.join("own")] {
        let output = arena.render_to(&out);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}: {}",
            out.display(),
            text(&output)
        );
    }
    assert_eq!(
        fs::read_dir(target.join("out")).unwrap().count(),
        0,
        "root wrote through the link"
    );
    assert_eq!(fs::read_dir(home.join("own")).unwrap().count(), 0);
    // A link root owns on the way is followed.
    let link = arena.base.join("link");
    symlink(&target, &link).unwrap();
    let output = arena.render_to(&link.join("out"));
    assert!(output.status.success(), "{}", text(&output));
    assert!(target.join("out/fwgen.nft").exists());
}

#[test]
fn a_journal_another_user_planted_is_never_obeyed() {
    let arena = Arena::new("forged-journal", "lxc-host");
    assert!(arena.render("nftables", &[]).status.success());
    fs::write(arena.out.join("admin.conf"), "root's own\n").unwrap();
    // A shared directory (as /tmp): the admin passes --force-unsafe-dir.
    fs::set_permissions(&arena.out, fs::Permissions::from_mode(0o1777)).unwrap();
    let before = common::read_tree(&arena.out);
    arena.as_nobody(
        "printf 'owned\\n' > out/.fwgen.nft.fwgen-0000000000000001.tmp && \
         printf 'fwgen journal 1\\nremove\\t.\\tadmin.conf\\nrename\\t.\\t.fwgen.nft.fwgen-0000000000000001.tmp\\tfwgen.nft\\n' > out/.fwgen-journal",
    );
    let diff = fwgen(&[
        "diff",
        "--backend",
        "nftables",
        "-c",
        arena.model.to_str().unwrap(),
        "--out",
        arena.out.to_str().unwrap(),
        "--force-unsafe-dir",
    ]);
    assert_eq!(diff.status.code(), Some(2), "{}", text(&diff));
    assert!(text(&diff).contains("not fwgen's own"), "{}", text(&diff));
    let mut after = common::read_tree(&arena.out);
    after.retain(|name, _| !name.contains(".fwgen-"));
    assert_eq!(after, before, "a forged journal changed the directory");
    let nft = fs::symlink_metadata(arena.out.join("fwgen.nft")).unwrap();
    assert_eq!(nft.uid(), 0, "root's file was replaced by the attacker's");
}
