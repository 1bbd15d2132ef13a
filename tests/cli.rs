//! The diff-before-write flow through the real binary: every path of
//! `fwgen diff`, `fwgen render --out` and `fwgen init`.

mod common;

#[path = "../examples/gen_model.rs"]
#[allow(dead_code)]
mod gen_model;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::read_tree;

fn fwgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .current_dir(common::root())
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("FWGEN_CONFIG")
        .output()
        .unwrap()
}

/// Run fwgen in `dir` with `FWGEN_CONFIG` set to `env` (or unset).
fn fwgen_in(dir: &Path, env: Option<&Path>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fwgen"));
    command
        .current_dir(dir)
        .args(args)
        .env_remove("FWGEN_CONFIG");
    if let Some(env) = env {
        command.env("FWGEN_CONFIG", env);
    }
    command.output().unwrap()
}

/// Run fwgen on a pseudo-terminal (util-linux `script`), typing `input`.
fn fwgen_on_terminal(args: &[&str], input: &str, no_color: bool) -> (i32, String) {
    common::require_tool("script", "bsdutils");
    let command = std::iter::once(env!("CARGO_BIN_EXE_fwgen").to_owned())
        .chain(args.iter().map(|a| format!("'{a}'")))
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = Command::new("script");
    child
        .current_dir(common::root())
        .args(["-qec", &command, "/dev/null"]);
    if no_color {
        child.env("NO_COLOR", "1");
    } else {
        child.env_remove("NO_COLOR");
    }
    let mut child = child
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A scratch directory with a copy of an example model in it.
struct Case {
    dir: PathBuf,
    model: String,
    out: String,
}

impl Case {
    fn new(name: &str, example: &str) -> Case {
        let dir = common::scratch(&format!("cli-{name}"));
        let model = dir.join("fwgen.toml");
        fs::copy(
            common::root().join(format!("examples/{example}.toml")),
            &model,
        )
        .unwrap();
        let out = dir.join("out");
        fs::create_dir(&out).unwrap();
        Case {
            dir: dir.clone(),
            model: model.to_string_lossy().into_owned(),
            out: out.to_string_lossy().into_owned(),
        }
    }

    fn out(&self) -> &Path {
        Path::new(&self.out)
    }

    fn run(&self, command: &str, backend: &str, extra: &[&str]) -> Output {
        let mut args = vec![
            command,
            "--backend",
            backend,
            "-c",
            &self.model,
            "--out",
            &self.out,
        ];
        args.extend_from_slice(extra);
        fwgen(&args)
    }

    fn edit_model(&self, from: &str, to: &str) {
        let model = fs::read_to_string(&self.model).unwrap();
        assert!(model.contains(from), "the model has no `{from}`");
        fs::write(&self.model, model.replacen(from, to, 1)).unwrap();
    }
}

impl Drop for Case {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn first_render_shows_new_files_and_writes_them() {
    for backend in ["shorewall", "nftables"] {
        let case = Case::new(&format!("new-{backend}"), "lxc-host");
        let diff = case.run("diff", backend, &["--color", "never"]);
        assert_eq!(diff.status.code(), Some(1));
        assert!(
            text(&diff.stdout).contains("--- /dev/null"),
            "{}",
            text(&diff.stdout)
        );
        assert!(read_tree(case.out()).is_empty(), "diff wrote something");
        let render = case.run("render", backend, &["--yes"]);
        assert_eq!(render.status.code(), Some(0), "{}", text(&render.stderr));
        assert!(text(&render.stderr).contains(": new"));
        let written = read_tree(case.out());
        assert!(!written.is_empty());
        for path in written.keys() {
            let mode = fs::metadata(case.out().join(path)).unwrap().mode() & 0o777;
            assert_eq!(mode, 0o644, "{path} was created with mode {mode:o}");
        }
    }
}

#[test]
fn no_change_writes_nothing() {
    for backend in ["shorewall", "nftables"] {
        let case = Case::new(&format!("same-{backend}"), "lxc-host");
        assert!(case.run("render", backend, &["--yes"]).status.success());
        let before = read_tree(case.out());
        let diff = case.run("diff", backend, &[]);
        assert_eq!(diff.status.code(), Some(0));
        assert!(diff.stdout.is_empty());
        let render = case.run("render", backend, &["--yes"]);
        assert_eq!(render.status.code(), Some(0));
        assert!(
            text(&render.stderr).contains("up to date"),
            "{}",
            text(&render.stderr)
        );
        assert_eq!(read_tree(case.out()), before);
        let check = case.run("render", backend, &["--check"]);
        assert_eq!(check.status.code(), Some(0));
    }
}

#[test]
fn change_is_shown_then_written_with_a_backup() {
    for backend in ["shorewall", "nftables"] {
        let case = Case::new(&format!("change-{backend}"), "lxc-host");
        assert!(case.run("render", backend, &["--yes"]).status.success());
        case.edit_model(
            "source = \"net\"\ndest = \"all\"\naction = \"DROP\"",
            "source = \"net\"\ndest = \"all\"\naction = \"REJECT\"",
        );
        let diff = case.run("diff", backend, &["--color", "never"]);
        assert_eq!(diff.status.code(), Some(1));
        let shown = text(&diff.stdout);
        assert!(
            shown
                .lines()
                .any(|l| l.starts_with('-') && l.contains("DROP")),
            "{shown}"
        );
        assert!(
            shown
                .lines()
                .any(|l| l.starts_with('+') && l.contains("REJECT")),
            "{shown}"
        );
        let check = case.run("render", backend, &["--check"]);
        assert_eq!(check.status.code(), Some(1));
        let before = read_tree(case.out());
        assert!(case.run("render", backend, &["--yes"]).status.success());
        let after = read_tree(case.out());
        let backups: Vec<&String> = after.keys().filter(|k| k.ends_with(".bak")).collect();
        assert!(!backups.is_empty(), "no backup kept: {:?}", after.keys());
        for backup in backups {
            let original = backup.trim_end_matches(".bak");
            assert_eq!(
                after[backup], before[original],
                "{backup} is not the previous {original}"
            );
        }
        assert_eq!(case.run("diff", backend, &[]).status.code(), Some(0));
    }
}

#[test]
fn backup_dir_holds_the_previous_files() {
    let case = Case::new("backup-dir", "lxc-host");
    assert!(case.run("render", "shorewall", &["--yes"]).status.success());
    let before = read_tree(case.out());
    case.edit_model("\nlog = \"info\"", "\nlog = \"notice\"");
    let backups = case.dir.join("backups");
    let render = case.run(
        "render",
        "shorewall",
        &["--yes", "--backup-dir", backups.to_str().unwrap()],
    );
    assert!(render.status.success(), "{}", text(&render.stderr));
    let saved = read_tree(&backups);
    assert_eq!(saved["shorewall/policy"], before["shorewall/policy"]);
    assert!(!read_tree(case.out()).keys().any(|k| k.ends_with(".bak")));
}

#[test]
fn stale_generated_file_is_removed_and_unknown_files_kept() {
    let case = Case::new("stale", "shorewall4");
    assert!(case.run("render", "shorewall", &["--yes"]).status.success());
    let params = case.out().join("shorewall/params");
    fs::write(&params, "NET_IF=wlan0\n").unwrap();
    case.edit_model("version = 4", "version = 5");
    let diff = case.run("diff", "shorewall", &["--color", "never"]);
    assert_eq!(diff.status.code(), Some(1));
    let shown = text(&diff.stdout);
    assert!(
        shown.contains("+++ /dev/null"),
        "the stale masq is not shown: {shown}"
    );
    assert!(
        !shown.contains("params"),
        "an unknown file is in the diff: {shown}"
    );
    assert!(case.run("render", "shorewall", &["--yes"]).status.success());
    let after = read_tree(case.out());
    assert!(!after.contains_key("shorewall/masq"), "masq is still there");
    assert!(after.contains_key("shorewall/masq.bak"));
    assert!(after.contains_key("shorewall/snat"));
    assert_eq!(
        after["shorewall/params"], "NET_IF=wlan0\n",
        "an admin's file was touched"
    );
}

/// A Shorewall file fwgen does not write, left with active lines in the
/// output directory (an old providers in /etc/shorewall), would be compiled
/// beside fwgen's files: the diff names it, and writing is refused, even
/// with --force, until it is moved away. Stubs of comments and directives,
/// names Shorewall never reads and params are no such file.
#[test]
fn a_shorewall_file_fwgen_does_not_write_beside_its_files_is_refused() {
    let case = Case::new("foreign", "lxc-host");
    fs::create_dir(case.out().join("shorewall")).unwrap();
    let providers = case.out().join("shorewall/providers");
    fs::write(
        &providers,
        "# kept from before\nisp1 1 1 main eth0 192.0.2.254 track\n",
    )
    .unwrap();
    fs::write(case.out().join("shorewall/hosts"), "# stub\n?FORMAT 2\n").unwrap();
    fs::write(
        case.out().join("shorewall/providers~"),
        "isp2 2 2 main eth0 - track\n",
    )
    .unwrap();
    fs::write(case.out().join("shorewall/params"), "NET_IF=wlan0\n").unwrap();
    let diff = case.run("diff", "shorewall", &["--color", "never"]);
    assert_eq!(diff.status.code(), Some(1));
    let shown = text(&diff.stdout);
    assert!(
        shown.contains("# shorewall/providers: not written by fwgen, and Shorewall reads it"),
        "{shown}"
    );
    for other in ["shorewall/hosts", "providers~", "shorewall/params"] {
        assert!(!shown.contains(&format!("# {other}")), "{other}: {shown}");
    }
    for flags in [&["--yes"][..], &["--yes", "--force"]] {
        let refused = case.run("render", "shorewall", flags);
        assert_eq!(refused.status.code(), Some(2), "{flags:?}");
        let stderr = text(&refused.stderr);
        assert!(
            stderr.contains("refusing to write beside files Shorewall would read")
                && stderr.contains("shorewall/providers"),
            "{stderr}"
        );
        assert!(
            !case.out().join("shorewall/zones").exists(),
            "{flags:?} wrote"
        );
    }
    fs::remove_file(&providers).unwrap();
    let render = case.run("render", "shorewall", &["--yes"]);
    assert!(render.status.success(), "{}", text(&render.stderr));
    assert!(case.out().join("shorewall/zones").exists());
}

#[test]
fn hand_written_file_is_refused_then_replaced_with_force() {
    let case = Case::new("hand", "lxc-host");
    fs::create_dir(case.out().join("shorewall")).unwrap();
    let rules = case.out().join("shorewall/rules");
    fs::write(&rules, "ACCEPT net $FW tcp 22\n").unwrap();
    let refused = case.run("render", "shorewall", &["--yes"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("refusing to overwrite"),
        "{}",
        text(&refused.stderr)
    );
    assert_eq!(read_tree(case.out()).len(), 1, "something was written");
    let forced = case.run("render", "shorewall", &["--yes", "--force"]);
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    assert_eq!(
        fs::read_to_string(case.out().join("shorewall/rules.bak")).unwrap(),
        "ACCEPT net $FW tcp 22\n"
    );
    assert!(
        fs::read_to_string(&rules)
            .unwrap()
            .contains("Generated by fwgen")
    );
}

#[test]
fn mode_and_owner_of_replaced_files_are_kept() {
    let case = Case::new("mode", "lxc-host");
    assert!(case.run("render", "nftables", &["--yes"]).status.success());
    let file = case.out().join("fwgen.nft");
    fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::chown(&file, Some(0), Some(4322)).unwrap();
    case.edit_model("\nlog = \"info\"", "\nlog = \"notice\"");
    assert!(case.run("render", "nftables", &["--yes"]).status.success());
    let meta = fs::metadata(&file).unwrap();
    assert_eq!(meta.mode() & 0o777, 0o640);
    assert_eq!((meta.uid(), meta.gid()), (0, 4322));
    // Another user's file is replaced only when the admin says so, and
    // keeps that owner (tests/security.rs: refused without the flag).
    std::os::unix::fs::chown(&file, Some(4321), Some(4322)).unwrap();
    case.edit_model("log = \"notice\"", "log = \"info\"");
    let forced = case.run("render", "nftables", &["--yes", "--force-unsafe-dir"]);
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    let meta = fs::metadata(&file).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (4321, 4322));
}

#[test]
fn confirmation_answered_no_writes_nothing() {
    let case = Case::new("answer-no", "lxc-host");
    let args = [
        "render",
        "--backend",
        "shorewall",
        "-c",
        &case.model,
        "--out",
        &case.out,
    ];
    let (code, screen) = fwgen_on_terminal(&args, "n\n", false);
    assert_eq!(code, 1, "{screen}");
    assert!(screen.contains("[y/N]"), "no question asked: {screen}");
    assert!(read_tree(case.out()).is_empty());
    let (code, _) = fwgen_on_terminal(&args, "\n", false);
    assert_eq!(code, 1, "the default answer must be no");
    assert!(read_tree(case.out()).is_empty());
    let (code, screen) = fwgen_on_terminal(&args, "y\n", false);
    assert_eq!(code, 0, "{screen}");
    assert!(!read_tree(case.out()).is_empty());
}

#[test]
fn no_terminal_without_yes_is_refused() {
    let case = Case::new("no-terminal", "lxc-host");
    let output = case.run("render", "nftables", &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("--yes"),
        "{}",
        text(&output.stderr)
    );
    assert!(read_tree(case.out()).is_empty());
}

#[test]
fn dry_run_shows_the_diff_and_stops() {
    let case = Case::new("dry-run", "lxc-host");
    let output = case.run("render", "shorewall", &["--dry-run", "--color", "never"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(text(&output.stdout).contains("+++ "));
    assert!(read_tree(case.out()).is_empty());
}

#[test]
fn vanished_directory_is_an_error_and_nothing_is_created() {
    let case = Case::new("vanished", "lxc-host");
    let gone = case.dir.join("gone");
    for command in ["diff", "render"] {
        let output = fwgen(
            &[
                command,
                "--backend",
                "shorewall",
                "-c",
                &case.model,
                "--out",
                gone.to_str().unwrap(),
                "--yes",
            ][..if command == "diff" { 7 } else { 8 }],
        );
        assert_eq!(
            output.status.code(),
            Some(2),
            "{command}: {}",
            text(&output.stderr)
        );
        assert!(!gone.exists(), "{command} created the directory");
    }
}

#[test]
fn failure_while_staging_leaves_the_directory_as_it_was() {
    let case = Case::new("staging", "ipv6");
    assert!(case.run("render", "shorewall", &["--yes"]).status.success());
    case.edit_model("\nlog = \"info\"", "\nlog = \"notice\"");
    // shorewall6/ becomes a file: staging the IPv6 files must fail after the
    // IPv4 files were staged.
    let v6 = case.out().join("shorewall6");
    fs::remove_dir_all(&v6).unwrap();
    fs::write(&v6, "in the way\n").unwrap();
    let before = read_tree(case.out());
    let output = case.run("render", "shorewall", &["--yes"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("nothing was changed"));
    let after = read_tree(case.out());
    assert_eq!(after, before, "the directory changed");
    let leftovers: Vec<String> = fs::read_dir(case.out().join("shorewall"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn read_only_directory_is_an_error_and_unchanged() {
    common::require_root();
    let case = Case::new("read-only", "lxc-host");
    assert!(case.run("render", "nftables", &["--yes"]).status.success());
    let before = read_tree(case.out());
    case.edit_model("\nlog = \"info\"", "\nlog = \"notice\"");
    let (ok, out) = common::run("mount", &["-o", "bind,ro", &case.out, &case.out]);
    assert!(ok, "cannot bind-mount read-only: {out}");
    let output = case.run("render", "nftables", &["--yes"]);
    let _ = common::run("umount", &[&case.out]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert_eq!(read_tree(case.out()), before);
}

#[test]
fn colour_follows_the_flag_the_terminal_and_no_color() {
    let case = Case::new("colour", "lxc-host");
    let always = case.run("diff", "nftables", &["--color", "always"]);
    assert!(
        text(&always.stdout).contains("\x1b[32m"),
        "no colour with --color always"
    );
    let never = case.run("diff", "nftables", &["--color", "never"]);
    assert!(!text(&never.stdout).contains('\x1b'));
    let piped = case.run("diff", "nftables", &[]);
    assert!(!text(&piped.stdout).contains('\x1b'), "colour on a pipe");
    let args = [
        "diff",
        "--backend",
        "nftables",
        "-c",
        &case.model,
        "--out",
        &case.out,
    ];
    let (_, screen) = fwgen_on_terminal(&args, "", false);
    assert!(screen.contains("\x1b[32m"), "no colour on a terminal");
    let (_, screen) = fwgen_on_terminal(&args, "", true);
    assert!(!screen.contains("\x1b[32m"), "colour despite NO_COLOR");
}

#[test]
fn diff_exit_codes_follow_diff() {
    let case = Case::new("exit-codes", "lxc-host");
    assert_eq!(case.run("diff", "shorewall", &[]).status.code(), Some(1));
    assert!(case.run("render", "shorewall", &["--yes"]).status.success());
    assert_eq!(case.run("diff", "shorewall", &[]).status.code(), Some(0));
    case.edit_model("zone = \"net\"", "zone = \"nett\"");
    assert_eq!(case.run("diff", "shorewall", &[]).status.code(), Some(2));
    assert_eq!(
        case.run("render", "shorewall", &["--check"]).status.code(),
        Some(2)
    );
}

#[test]
fn init_writes_a_starter_model_once() {
    let dir = common::scratch("cli-init");
    let model = dir.join("fwgen.toml");
    let model = model.to_str().unwrap();
    let first = fwgen(&["init", "--template", "two-interfaces", "-c", model]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let written = fs::read_to_string(model).unwrap();
    let example = fs::read_to_string(common::root().join("examples/two-interfaces.toml")).unwrap();
    assert_eq!(
        written,
        format!("#:schema /usr/share/fwgen/fwgen.schema.json\n{example}")
    );
    fs::write(model, "# mine\n").unwrap();
    let second = fwgen(&["init", "-c", model]);
    assert_eq!(second.status.code(), Some(2));
    assert_eq!(fs::read_to_string(model).unwrap(), "# mine\n");
    let rendered = fwgen(&[
        "render",
        "--backend",
        "nftables",
        "-c",
        &dir.join("missing.toml").to_string_lossy(),
    ]);
    assert_eq!(rendered.status.code(), Some(2));
    let _ = fs::remove_dir_all(&dir);
}

/// The system-wide default must be absent for the lookup tests to mean
/// anything; a machine that has one fails them loudly.
fn assert_no_system_model() {
    assert!(
        !Path::new("/etc/fwgen/fwgen.toml").exists(),
        "/etc/fwgen/fwgen.toml exists on this machine: the lookup tests need it absent"
    );
}

#[test]
fn missing_model_names_every_place_looked_and_suggests_init() {
    assert_no_system_model();
    let dir = common::scratch("cli-lookup-missing");
    for command in [&["check"][..], &["render", "--backend", "nftables"]] {
        let out = fwgen_in(&dir, None, command);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("looked for ./fwgen.toml and /etc/fwgen/fwgen.toml"),
            "{stderr}"
        );
        assert!(stderr.contains("`fwgen init`"), "{stderr}");
    }
    let json = fwgen_in(&dir, None, &["check", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["errors"][0]["code"], "no-model", "{value}");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn model_is_found_in_the_current_directory_then_env_then_flag() {
    assert_no_system_model();
    let dir = common::scratch("cli-lookup-order");
    let example = |name: &str| common::root().join(format!("examples/{name}.toml"));
    fs::copy(example("lxc-host"), dir.join("fwgen.toml")).unwrap();
    let env = dir.join("from-env.toml");
    fs::copy(example("two-interfaces"), &env).unwrap();
    let flag = dir.join("from-flag.toml");
    fs::copy(example("ipv6"), &flag).unwrap();
    let checked = |env: Option<&Path>, args: &[&str]| {
        let out = fwgen_in(&dir, env, args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout).lines().last().unwrap_or("").to_owned()
    };
    assert!(checked(None, &["check"]).starts_with("fwgen.toml:"));
    let from_env = checked(Some(&env), &["check"]);
    assert!(from_env.contains("from-env.toml:"), "{from_env}");
    let flag = flag.to_str().unwrap();
    // `-c` is global: before or after the subcommand, and it beats the env.
    for args in [&["-c", flag, "check"], &["check", "-c", flag]] {
        let from_flag = checked(Some(&env), args);
        assert!(from_flag.contains("from-flag.toml:"), "{from_flag}");
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn init_writes_where_the_flag_or_env_says_and_import_refuses_the_flag() {
    let dir = common::scratch("cli-lookup-init");
    let env = dir.join("env.toml");
    assert!(fwgen_in(&dir, Some(&env), &["init"]).status.success());
    assert!(env.is_file() && !dir.join("fwgen.toml").exists());
    let flag = dir.join("flag.toml");
    let out = fwgen_in(&dir, Some(&env), &["-c", flag.to_str().unwrap(), "init"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(flag.is_file());
    let import = fwgen_in(&dir, None, &["import", "shorewall", ".", "-c", "x.toml"]);
    assert_eq!(import.status.code(), Some(2));
    assert!(
        text(&import.stderr).contains("-o FILE"),
        "{}",
        text(&import.stderr)
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn diff_as_json_lists_each_change_with_its_diff() {
    let case = Case::new("diff-json", "lxc-host");
    let first = case.run("diff", "nftables", &["--format", "json"]);
    assert_eq!(first.status.code(), Some(1), "{}", text(&first.stderr));
    let value: serde_json::Value = serde_json::from_slice(&first.stdout).expect("one JSON object");
    let changes = value["changes"].as_array().expect("changes");
    // fwgen.nft and the stopped ruleset beside it.
    assert_eq!(changes.len(), 2, "{value}");
    assert_eq!(changes[1]["path"], "fwgen-stopped.nft");
    assert_eq!(changes[0]["path"], "fwgen.nft");
    assert_eq!(changes[0]["change"], "create");
    assert!(
        changes[0]["diff"]
            .as_str()
            .unwrap()
            .starts_with("--- /dev/null\n")
    );
    assert!(case.run("render", "nftables", &["--yes"]).status.success());
    let same = case.run("diff", "nftables", &["--format", "json"]);
    assert_eq!(same.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&same.stdout).unwrap();
    assert_eq!(value["changes"], serde_json::json!([]));
    case.edit_model("zone = \"net\"", "zone = \"nett\"");
    let broken = case.run("diff", "nftables", &["--format", "json"]);
    assert_eq!(broken.status.code(), Some(2));
    let value: serde_json::Value = serde_json::from_slice(&broken.stdout).unwrap();
    assert_eq!(value["errors"][0]["code"], "unknown-zone", "{value}");
    assert!(broken.stderr.is_empty(), "{}", text(&broken.stderr));
}

#[test]
fn import_as_json_carries_the_model_or_the_refused_lines() {
    let dir = common::scratch("cli-import-json");
    common::write_tree(
        &dir,
        [
            ("zones", "fw firewall\nnet ipv4\n"),
            ("interfaces", "net eth0\n"),
            ("policy", "all all REJECT\n"),
            ("rules", "ACCEPT net $FW tcp 22\nQUEUE net $FW tcp 23\n"),
        ],
    );
    let shorewall = dir.to_str().unwrap();
    let refused = fwgen(&["import", "shorewall", shorewall, "--format", "json"]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    let value: serde_json::Value = serde_json::from_slice(&refused.stdout).expect("JSON");
    let error = &value["errors"][0];
    assert_eq!(error["code"], "unsupported", "{value}");
    assert_eq!(error["line"], 2, "{value}");
    let partial = fwgen(&[
        "import",
        "shorewall",
        shorewall,
        "--partial",
        "--format",
        "json",
    ]);
    assert!(partial.status.success(), "{}", text(&partial.stderr));
    assert!(partial.stderr.is_empty(), "{}", text(&partial.stderr));
    let value: serde_json::Value = serde_json::from_slice(&partial.stdout).expect("JSON");
    assert!(
        value["model"].as_str().unwrap().contains("[[rule]]"),
        "{value}"
    );
    assert_eq!(value["skipped"][0]["line"], 2, "{value}");
    // The notes text prints on stderr are in the JSON too, as the model
    // has them at its top (this directory has no shorewall.conf: the
    // shipped one is read, and a note says so).
    let notes = value["notes"].as_array().expect("notes");
    assert!(!notes.is_empty(), "{value}");
    let model = value["model"].as_str().unwrap();
    for note in notes {
        let note = note.as_str().unwrap();
        assert!(model.contains(note), "`{note}` not in the model:\n{model}");
    }
    let _ = fs::remove_dir_all(&dir);
}

/// Run fwgen as the unprivileged user `nobody` (through setpriv when the
/// tests run as root).
fn fwgen_unprivileged(args: &[&str]) -> Output {
    let mut command = if is_root() {
        common::require_tool("setpriv", "util-linux");
        let mut setpriv = Command::new("setpriv");
        setpriv.args(["--reuid", "65534", "--regid", "65534", "--clear-groups"]);
        setpriv.arg(env!("CARGO_BIN_EXE_fwgen"));
        setpriv
    } else {
        Command::new(env!("CARGO_BIN_EXE_fwgen"))
    };
    command
        .current_dir(common::root())
        .args(args)
        .env_remove("FWGEN_CONFIG")
        .output()
        .unwrap()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn a_tool_refused_for_lack_of_privilege_says_run_as_root() {
    common::require_tool("nft", "nftables");
    common::require_tool("unshare", "util-linux");
    let out = fwgen_unprivileged(&[
        "diff",
        "--live",
        "--backend",
        "nftables",
        "-c",
        "examples/lxc-host.toml",
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("Operation not permitted"), "{stderr}");
    assert!(stderr.contains("= hint: run as root"), "{stderr}");
}

/// Every stable code fwgen can print (errors in src/error.rs, findings in
/// src/check.rs, the commands' own in src/commands/) is documented in
/// docs/json.md, so a new code cannot ship undocumented.
#[test]
fn docs_json_names_every_code() {
    let read = |path: &str| fs::read_to_string(common::root().join(path)).unwrap();
    let docs = read("docs/json.md");
    let error = read("src/error.rs");
    let codes_fn = error
        .split("pub fn code(&self)")
        .nth(1)
        .and_then(|rest| rest.split("\n    }\n").next())
        .expect("ErrorKind::code in src/error.rs");
    let quoted_after = |text: &str, marker: &str| -> Vec<String> {
        text.split(marker)
            .skip(1)
            .filter_map(|rest| rest.trim_start().strip_prefix('"'))
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_owned)
            .collect()
    };
    let mut codes = quoted_after(codes_fn, "=>");
    codes.extend(quoted_after(&read("src/check.rs"), "Finding::warning("));
    codes.extend(quoted_after(&read("src/check.rs"), "code:"));
    for command in ["explain", "render", "import"] {
        let source = read(&format!("src/commands/{command}.rs"));
        // The code is trouble_as's first string argument.
        codes.extend(source.split("trouble_as(").skip(1).filter_map(|call| {
            let start = call.find('"')? + 1;
            Some(call[start..].split('"').next()?.to_owned())
        }));
        codes.extend(quoted_after(&source, "\"code\":"));
    }
    assert!(codes.len() > 60, "{codes:?}");
    for code in &codes {
        assert!(
            docs.contains(&format!("`{code}`")),
            "docs/json.md does not name `{code}`"
        );
    }
}

/// `check` of a large model shows a spinner on a terminal once the work
/// outlasts the delay (set to 0 here, one second by default), clears it at
/// the end, and never shows one when stderr is not a terminal.
#[test]
fn check_shows_progress_only_on_a_terminal() {
    common::require_tool("script", "bsdutils");
    let dir = common::scratch("cli-progress");
    let model = dir.join("big.toml");
    fs::write(&model, gen_model::generate(40, 3000, 1)).unwrap();
    let model = model.to_str().unwrap();
    let piped = Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .args(["check", "-c", model])
        .env("FWGEN_PROGRESS_DELAY_MS", "0")
        .output()
        .unwrap();
    assert!(piped.status.success(), "{}", text(&piped.stderr));
    assert_eq!(text(&piped.stderr), "", "a spinner without a terminal");
    let command = format!("{} check -c '{model}'", env!("CARGO_BIN_EXE_fwgen"));
    let terminal = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("FWGEN_PROGRESS_DELAY_MS", "0")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let shown = text(&terminal.stdout);
    assert!(terminal.status.success(), "{shown}");
    // "reading", "analyzing" or "checking" the model, with the time taken.
    assert!(shown.contains(&format!("{model} (")), "{shown}");
    // Cleared before the findings: the summary line stands alone.
    assert!(shown.contains("\x1b[2K"), "{shown}");
    let _ = fs::remove_dir_all(&dir);
}

/// The output of every command that prints, with its reader gone before
/// the first byte: fwgen ends as it would have, without a panic, and a
/// stdout that fails otherwise (a full disk) is an error, exit 2.
#[test]
fn closed_or_full_stdout_ends_output_not_fwgen() {
    let model = common::root().join("examples/lxc-host.toml");
    let model = model.to_str().unwrap();
    let commands: [&[&str]; 4] = [
        &["render", "--backend", "nftables", "-c", model],
        &["render", "--backend", "shorewall", "-c", model],
        &["check", "-c", model],
        &[
            "explain", "-c", model, "--from", "loc", "--to", "net", "--dport", "443",
        ],
    ];
    for args in commands {
        let expected = fwgen(args).status.code();
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .args(args)
            .stdout(writer)
            .output()
            .unwrap();
        let stderr = text(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?} panicked:\n{stderr}");
        assert_eq!(output.status.code(), expected, "{args:?}:\n{stderr}");

        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .args(args)
            .stdout(full)
            .output()
            .unwrap();
        let stderr = text(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?} on /dev/full:\n{stderr}"
        );
        assert!(
            stderr.contains("cannot write to standard output"),
            "{args:?} on /dev/full:\n{stderr}"
        );
    }
}

/// `fwgen verify --json` (issue #16's spelling) is `--format json`: a
/// model that does not load is one JSON object on stdout, exit 2, before
/// any namespace is made; beside `--format` it is refused.
#[test]
fn verify_json_is_format_json() {
    let dir = common::scratch("cli-verify-json");
    let model = dir.join("fwgen.toml");
    std::fs::write(&model, "[zones.net]\nkind = \"nowhere\"\n").unwrap();
    let broken = fwgen(&["verify", "-c", model.to_str().unwrap(), "--json"]);
    assert_eq!(broken.status.code(), Some(2), "{}", text(&broken.stderr));
    let value: serde_json::Value = serde_json::from_slice(&broken.stdout).expect("JSON");
    assert!(value["errors"][0]["code"].is_string(), "{value}");
    assert!(broken.stderr.is_empty(), "{}", text(&broken.stderr));
    let both = fwgen(&["verify", "--json", "--format", "text"]);
    assert_eq!(both.status.code(), Some(2), "{}", text(&both.stderr));
    assert!(text(&both.stderr).contains("cannot be used with"));
    let _ = std::fs::remove_dir_all(&dir);
}
