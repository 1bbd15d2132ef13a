//! The Debian package: packaging/build-deb.sh builds it (release binary,
//! generated man pages and completions, `cargo deb --no-build`) and
//! `dpkg-deb` shows what it holds. The shell completions and man pages are
//! also generated from the debug binary and loaded by the tools that read
//! them. Missing cargo-deb or dpkg-deb fails the tests (tests/run installs
//! them).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The .deb, built once for every test of this file.
fn deb() -> &'static Path {
    static DEB: OnceLock<PathBuf> = OnceLock::new();
    DEB.get_or_init(build_deb)
}

fn build_deb() -> PathBuf {
    common::require_tool("dpkg-deb", "dpkg");
    let version = Command::new("cargo").args(["deb", "--version"]).output();
    assert!(
        version.is_ok_and(|o| o.status.success()),
        "cargo-deb is missing: install it with `cargo install cargo-deb --locked` (tests/run does)"
    );
    // A target directory of its own: `cargo test` holds the lock of the
    // one it runs from.
    let output = Command::new("sh")
        .arg(common::root().join("packaging/build-deb.sh"))
        .env("CARGO_TARGET_DIR", common::root().join("target/package"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "packaging/build-deb.sh failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let deb = PathBuf::from(stdout.lines().last().unwrap_or("").trim());
    assert!(
        deb.extension().is_some_and(|e| e == "deb") && deb.is_file(),
        "build-deb.sh did not end with the .deb's path:\n{stdout}"
    );
    deb
}

fn dpkg_deb(flag: &str) -> String {
    let (ok, out) = common::run("dpkg-deb", &[flag, deb().to_str().unwrap()]);
    assert!(ok, "dpkg-deb {flag} failed: {out}");
    out
}

/// The paths the .deb installs, as `dpkg-deb -c` lists them.
fn contents() -> Vec<String> {
    dpkg_deb("-c")
        .lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .map(|path| path.trim_start_matches('.').to_owned())
        .collect()
}

fn assert_holds(contents: &[String], path: &str) {
    assert!(
        contents.iter().any(|p| p == path),
        "the .deb has no {path}; it holds:\n{}",
        contents.join("\n")
    );
}

/// `fwgen --help`'s visible subcommands.
fn subcommands() -> Vec<String> {
    let output = common::fwgen_within(&["--help"], std::time::Duration::from_secs(10));
    let help = String::from_utf8_lossy(&output.stdout).into_owned();
    let listed = help
        .split("Commands:")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or_else(|| panic!("no Commands: section in fwgen --help:\n{help}"));
    let names: Vec<String> = listed
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect();
    assert!(names.len() >= 5, "too few subcommands in:\n{help}");
    names
}

#[test]
fn the_deb_holds_the_binary_docs_completions_unit_and_examples() {
    let contents = contents();
    assert_holds(&contents, "/usr/sbin/fwgen");
    assert_holds(&contents, "/usr/share/man/man1/fwgen.1.gz");
    for name in subcommands() {
        assert_holds(&contents, &format!("/usr/share/man/man1/fwgen-{name}.1.gz"));
    }
    assert_holds(&contents, "/usr/share/bash-completion/completions/fwgen");
    assert_holds(&contents, "/usr/share/zsh/vendor-completions/_fwgen");
    assert_holds(&contents, "/usr/share/fish/vendor_completions.d/fwgen.fish");
    assert_holds(&contents, "/usr/lib/systemd/system/fwgen.service");
    // The schema `fwgen init`'s `#:schema` line names.
    assert_holds(&contents, fwgen::schema::INSTALLED_PATH);
    assert_holds(&contents, "/usr/share/doc/fwgen/copyright");
    assert_holds(&contents, "/usr/share/doc/fwgen/LICENSE-MIT");
    assert_holds(&contents, "/usr/share/doc/fwgen/LICENSE-APACHE");
    assert_holds(&contents, "/usr/share/doc/fwgen/boot.md");
    for example in common::examples() {
        assert_holds(
            &contents,
            &format!("/usr/share/doc/fwgen/examples/{example}.toml"),
        );
    }
}

#[test]
fn the_deb_depends_on_nftables_and_enables_the_unit_without_starting_it() {
    let info = dpkg_deb("-I");
    let depends = info
        .lines()
        .find_map(|line| line.trim().strip_prefix("Depends:"))
        .unwrap_or_else(|| panic!("no Depends in:\n{info}"));
    for package in ["nftables", "procps"] {
        assert!(
            depends.split(',').any(|d| d.trim().starts_with(package)),
            "Depends lacks {package}: {depends}"
        );
    }
    let scripts = common::scratch("package-scripts");
    let (ok, out) = common::run(
        "dpkg-deb",
        &["-e", deb().to_str().unwrap(), scripts.to_str().unwrap()],
    );
    assert!(ok, "{out}");
    let postinst = std::fs::read_to_string(scripts.join("postinst")).unwrap();
    assert!(postinst.contains("deb-systemd-helper enable fwgen.service"));
    assert!(postinst.contains("install -d -m 0755 /etc/fwgen"));
    assert!(
        !postinst.contains("deb-systemd-invoke"),
        "installing or upgrading must not start (or restart) the firewall unit:\n{postinst}"
    );
    let _ = std::fs::remove_dir_all(&scripts);
}

/// Man pages and completions from the binary under test.
fn assets(test: &str) -> PathBuf {
    let dir = common::scratch(&format!("assets-{test}"));
    let output = common::fwgen_within(
        &["generate-assets", "--out", dir.to_str().unwrap()],
        std::time::Duration::from_secs(20),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    dir
}

#[test]
fn the_bash_completion_loads_and_completes_subcommands() {
    common::require_tool("bash", "bash");
    let dir = assets("bash");
    let script = dir.join("completions/fwgen.bash");
    let (ok, out) = common::run(
        "bash",
        &[
            "-c",
            "source \"$1\" && complete -p fwgen && COMP_WORDS=(fwgen '') COMP_CWORD=1 && _fwgen fwgen '' fwgen && printf '%s\\n' \"${COMPREPLY[@]}\"",
            "bash",
            script.to_str().unwrap(),
        ],
    );
    assert!(ok, "the bash completion does not load:\n{out}");
    assert!(out.contains("complete -o bashdefault"), "{out}");
    let offered: Vec<&str> = out.lines().skip(1).collect();
    for name in subcommands() {
        assert!(
            offered.contains(&name.as_str()),
            "`{name}` is not offered:\n{out}"
        );
    }
    for hidden in ["rollback-timer", "dump", "generate-assets"] {
        assert!(
            !offered.contains(&hidden),
            "hidden `{hidden}` is offered:\n{out}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_visible_subcommand_has_a_man_page_that_man_renders() {
    common::require_tool("man", "man-db");
    let dir = assets("man");
    let mut pages = vec!["fwgen".to_owned()];
    pages.extend(subcommands().iter().map(|name| format!("fwgen-{name}")));
    for page in pages {
        let file = dir.join(format!("man/{page}.1"));
        let (ok, out) = common::run("man", &["-l", "-P", "cat", file.to_str().unwrap()]);
        assert!(ok, "man -l {} failed:\n{out}", file.display());
        assert!(
            out.contains("NAME") && out.contains(&page),
            "{page}:\n{out}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_debs_files_run_load_and_match_the_sources() {
    let root = common::scratch("package-files");
    let (ok, out) = common::run(
        "dpkg-deb",
        &["-x", deb().to_str().unwrap(), root.to_str().unwrap()],
    );
    assert!(ok, "{out}");
    let (ok, version) = common::run(
        root.join("usr/sbin/fwgen").to_str().unwrap(),
        &["--version"],
    );
    assert!(
        ok && version.trim() == format!("fwgen {}", env!("CARGO_PKG_VERSION")),
        "{version}"
    );
    let unit = std::fs::read(root.join("usr/lib/systemd/system/fwgen.service")).unwrap();
    let source = std::fs::read(common::root().join("packaging/fwgen.service")).unwrap();
    assert_eq!(
        unit, source,
        "the packaged unit is not packaging/fwgen.service"
    );
    let completion = root.join("usr/share/bash-completion/completions/fwgen");
    let (ok, out) = common::run(
        "bash",
        &[
            "-c",
            "source \"$1\" && complete -p fwgen",
            "bash",
            completion.to_str().unwrap(),
        ],
    );
    assert!(ok && out.contains("-F _fwgen fwgen"), "{out}");
    let _ = std::fs::remove_dir_all(&root);
}

/// generate-assets may run as root: a link planted in its output directory
/// is replaced, never written through.
#[test]
fn generate_assets_never_writes_through_a_planted_link() {
    let dir = common::scratch("assets-link");
    let victim = dir.with_extension("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    std::os::unix::fs::symlink(&victim, dir.join("fwgen.schema.json")).unwrap();
    let output = common::fwgen_within(
        &["generate-assets", "--out", dir.to_str().unwrap()],
        std::time::Duration::from_secs(20),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    let schema = std::fs::symlink_metadata(dir.join("fwgen.schema.json")).unwrap();
    assert!(schema.file_type().is_file(), "the link was kept");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&victim);
}
