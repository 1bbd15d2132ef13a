//! Shared by the integration tests: golden comparison and blessing.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// `FWGEN_BLESS=1` rewrites expected files; nothing else writes them.
pub fn blessing() -> bool {
    std::env::var_os("FWGEN_BLESS").is_some_and(|v| v == "1")
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, by path relative to it (`.actual` files excluded).
pub fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    collect(dir, dir, &mut files);
    files
}

fn collect(base: &Path, dir: &Path, files: &mut BTreeMap<String, String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(base, &path, files);
        } else if path.extension().is_none_or(|e| e != "actual") {
            let relative = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            files.insert(relative, fs::read_to_string(&path).unwrap_or_default());
        }
    }
}

pub fn unified_diff(expected: &str, actual: &str, name: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .header(&format!("expected/{name}"), &format!("actual/{name}"))
        .to_string()
}

/// Compare rendered files with the expected tree in `dir`. Blessing
/// rewrites the tree; otherwise every difference, missing or unexpected
/// file fails, and mismatching files get a `.actual` beside them.
pub fn assert_tree(dir: &Path, actual: &BTreeMap<String, String>) {
    if blessing() {
        let _ = fs::remove_dir_all(dir);
        write_tree(dir, actual.iter().map(|(n, c)| (n.as_str(), c.as_str())));
        return;
    }
    let expected = read_tree(dir);
    let mut problems = Vec::new();
    for (name, content) in actual {
        let path = dir.join(name);
        let actual_path = PathBuf::from(format!("{}.actual", path.display()));
        match expected.get(name) {
            None => problems.push(format!("unexpected file {name} (not in {})", dir.display())),
            Some(want) if want != content => {
                problems.push(unified_diff(want, content, name));
                let _ = fs::write(&actual_path, content);
            }
            Some(_) => {
                let _ = fs::remove_file(&actual_path);
            }
        }
    }
    for name in expected.keys().filter(|n| !actual.contains_key(*n)) {
        problems.push(format!(
            "missing file {name}: the golden tree has it, the render does not"
        ));
    }
    assert!(
        problems.is_empty(),
        "{} differs from the render (run with FWGEN_BLESS=1 to accept, after reading the diff):\n{}",
        dir.display(),
        problems.join("\n")
    );
}

/// Compare one expected text file, blessing as above.
pub fn assert_text(path: &Path, actual: &str) {
    if blessing() {
        fs::write(path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(path).unwrap_or_else(|_| {
        panic!(
            "{} is missing; run with FWGEN_BLESS=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let actual_path = format!("{}.actual", path.display());
        let _ = fs::write(&actual_path, actual);
        panic!(
            "{} differs (actual written to {actual_path}):\n{}",
            path.display(),
            unified_diff(&expected, actual, &path.display().to_string())
        );
    }
}

/// A fresh empty directory under the target dir, unique per test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = root()
        .join("target")
        .join("test-scratch")
        .join(format!("{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Fail loudly (never skip) when a tool the test needs is missing.
pub fn require_tool(tool: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
        || Path::new("/usr/sbin").join(tool).is_file()
        || Path::new("/sbin").join(tool).is_file();
    assert!(
        found,
        "`{tool}` is missing: this test needs it. Install it with `apt-get install -y {package}` \
         (the README's test command does this)."
    );
}

/// Fail loudly when not root: namespaces and nft need it.
pub fn require_root() {
    let uid = std::process::Command::new("id").arg("-u").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&uid.stdout).trim(),
        "0",
        "this test needs root (network namespaces, nft); run the README's test command as root"
    );
}

/// A command running `program`; Shorewall's and Shorewall6's each in a
/// network namespace of its own (`unshare --net`). Their compiler probes
/// netfilter by creating chains named after its PID (`fooX<pid>`) in the
/// namespace it runs in and deletes them at the end: a compile killed
/// midway leaves them there, and a later compile that is given the same
/// PID stops at "Chain already exists" (CI failed so on the host's
/// leftovers). A private namespace starts empty and ends with the process.
pub fn command(program: &str) -> std::process::Command {
    if matches!(program, "shorewall" | "shorewall6") {
        let mut command = std::process::Command::new("unshare");
        command.args(["--net", "--", program]);
        command
    } else {
        std::process::Command::new(program)
    }
}

/// Run a command (see [`command`]), returning (success, stdout + stderr).
pub fn run(program: &str, args: &[&str]) -> (bool, String) {
    let output = command(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

/// `shorewall compile DIR DIR/firewall`: whether it compiled, and what
/// it said (`shorewall_compile` below where it must compile).
pub fn shorewall_compiles(dir: &Path) -> (bool, String) {
    let script = dir.join("firewall");
    run(
        "shorewall",
        &["compile", dir.to_str().unwrap(), script.to_str().unwrap()],
    )
}

/// A network namespace, removed when dropped (also when the test fails).
pub struct Netns {
    pub name: String,
}

impl Netns {
    pub fn new(name: &str) -> Netns {
        let name = format!("fwgen-{name}-{}", std::process::id());
        let _ = run("ip", &["netns", "del", &name]);
        let (ok, out) = run("ip", &["netns", "add", &name]);
        assert!(ok, "ip netns add {name} failed: {out}");
        Netns { name }
    }

    /// Run a command inside the namespace.
    pub fn exec(&self, args: &[&str]) -> (bool, String) {
        let mut all = vec!["netns", "exec", self.name.as_str()];
        all.extend_from_slice(args);
        run("ip", &all)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = run("ip", &["netns", "del", &self.name]);
    }
}

/// The `.toml` files of a directory of the repository, by stem.
pub fn toml_stems(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root().join(dir))
        .unwrap()
        .filter_map(|e| {
            let path = e.ok()?.path();
            let stem = path.file_stem()?.to_string_lossy().into_owned();
            (path.extension()? == "toml").then_some(stem)
        })
        .collect();
    names.sort();
    names
}

/// The examples, by name (examples/<name>.toml).
pub fn examples() -> Vec<String> {
    toml_stems("examples")
}

/// Fail when a case file of `dir` has no test in `known`.
pub fn assert_every_case_in(dir: &str, known: &[&str]) {
    for stem in toml_stems(dir) {
        assert!(
            known.contains(&stem.as_str()),
            "{dir}/{stem}.toml has no test"
        );
    }
}

/// Write files, by path relative to `dir`, creating folders as needed.
pub fn write_tree<'a>(dir: &Path, files: impl IntoIterator<Item = (&'a str, &'a str)>) {
    for (name, content) in files {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
}

/// Fail when an example is missing from a test's list.
pub fn assert_every_example_in(known: &[&str], what: &str) {
    for example in examples() {
        assert!(
            known.contains(&example.as_str()),
            "examples/{example}.toml is not {what}"
        );
    }
}

/// The models of tests/models/, by name: corners that are not examples
/// (defects from issues), rendered and judged like the examples.
pub fn models() -> Vec<String> {
    toml_stems("tests/models")
}

/// Render an example with the real binary into `dir`.
pub fn render_example(example: &str, backend: &str, dir: &Path) {
    render_file(&format!("examples/{example}.toml"), backend, dir);
}

/// Render a model file (relative to the repository) with the real binary
/// into `dir`.
pub fn render_file(model: &str, backend: &str, dir: &Path) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .current_dir(root())
        .args(["render", "--backend", backend, "-c", model, "--out"])
        .arg(dir)
        .arg("--yes")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "render {model} ({backend}) failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Copy every file under `from` to `to`, creating folders as needed.
pub fn copy_tree(from: &Path, to: &Path) {
    let files = read_tree(from);
    write_tree(to, files.iter().map(|(n, c)| (n.as_str(), c.as_str())));
}

/// The warning Shorewall gives, by design, for every masq or snat SOURCE
/// that is an interface (Chains.pm): a model with `source_interface`, or
/// an imported directory whose original has one, is checked without it.
pub const SOURCE_INTERFACE_WARNING: &str =
    "WARNING: Using an interface as the masq SOURCE requires the interface to be up";

/// The warning Shorewall gives for a CONTINUE policy of two zones without
/// parents (Rules.pm's print_policy): a model that names it in its text
/// (tests/models/continue-unnested.toml) is checked without it.
pub const CONTINUE_WARNING: &str = "WARNING: CONTINUE policy between two un-nested zones";

/// The warning Shorewall gives when it cuts a log prefix with its tag to
/// 28 characters and a space (Chains.pm): a model that names it in its
/// text (tests/models/dnat-log-tag.toml) is checked without it.
pub const LOG_PREFIX_WARNING: &str = "WARNING: Log Prefix shortened to";

/// Whether a line of `shorewall check` output is a complaint: an ERROR, or
/// a WARNING other than the source interface's when the model has one, or
/// the un-nested CONTINUE's or the shortened log prefix's when the model
/// names it.
pub fn complaint(line: &str, model: &str) -> bool {
    let named =
        |warning: &str| model.contains(&warning["WARNING: ".len()..]) && line.contains(warning);
    let expected = (model.contains("\nsource_interface = ")
        && line.contains(SOURCE_INTERFACE_WARNING))
        || named(CONTINUE_WARNING)
        || named(LOG_PREFIX_WARNING);
    (line.contains("ERROR") || line.contains("WARNING")) && !expected
}

/// `shorewall check` and `shorewall6 check` on a copy of each of
/// `dir/shorewall` and `dir/shorewall6` that exists (Shorewall converts a
/// `masq` file to `snat` in place: the render itself must stay as written).
/// Fails on an ERROR, a WARNING or a missing "configuration verified";
/// returns the products checked.
pub fn assert_shorewall_accepts(dir: &Path, what: &str) -> Vec<&'static str> {
    require_tool("shorewall", "shorewall");
    require_tool("shorewall6", "shorewall6");
    let copy = scratch(&format!("tool-copy-{what}"));
    let mut checked = Vec::new();
    for product in ["shorewall", "shorewall6"] {
        if !dir.join(product).is_dir() {
            continue;
        }
        let config = copy.join(product);
        copy_tree(&dir.join(product), &config);
        let (ok, out) = run(product, &["check", config.to_str().unwrap()]);
        let complaints: Vec<&str> = out
            .lines()
            .filter(|l| l.contains("ERROR") || l.contains("WARNING"))
            .collect();
        assert!(
            ok && complaints.is_empty() && out.contains("configuration verified"),
            "{product} check of {what} failed or complained:\n{out}"
        );
        checked.push(product);
    }
    let _ = fs::remove_dir_all(&copy);
    checked
}

/// The address tests give every interface a ruleset matches by its
/// load-time address (`&IFACE`), where no real interface is read.
pub const TEST_INTERFACE_ADDRESS: std::net::Ipv4Addr = std::net::Ipv4Addr::new(192, 0, 2, 1);

/// nft's arguments to read a rendered ruleset file: `flags` (`-c`), the
/// defines it needs (src/nft_defines.rs, each interface at
/// TEST_INTERFACE_ADDRESS), `-f FILE`.
pub fn nft_args(flags: &[&str], file: &str) -> Vec<String> {
    let text = fs::read_to_string(file).unwrap_or_default();
    let defines = fwgen::nft_defines::defines(&text, |_| Ok(TEST_INTERFACE_ADDRESS)).unwrap();
    let mut args: Vec<String> = flags.iter().map(|f| (*f).to_owned()).collect();
    args.extend(defines);
    args.extend(["-f".to_owned(), file.to_owned()]);
    args
}

/// `nft -c -f FILE`: nft parses and validates the ruleset without loading it.
pub fn assert_nft_accepts(file: &Path, what: &str) {
    require_tool("nft", "nftables");
    let args = nft_args(&["-c"], file.to_str().unwrap());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, out) = run("nft", &args);
    assert!(ok, "nft -c rejected {what}:\n{out}");
}

/// Run fwgen, killing it if it has not finished within a few seconds: a
/// read that never ends must fail this test, not hang the suite.
pub fn fwgen_within(args: &[&str], limit: std::time::Duration) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .current_dir(root())
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            let output = child.wait_with_output().unwrap();
            panic!(
                "fwgen {args:?} had not finished after {limit:?}; killed it. stderr:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Compile a Shorewall (or Shorewall6) directory with the product's own
/// compiler into `script`, and return the compiled script.
pub fn shorewall_compile(product: &str, config: &Path, script: &Path) -> String {
    let (ok, out) = run(
        product,
        &[
            "compile",
            config.to_str().unwrap(),
            script.to_str().unwrap(),
        ],
    );
    assert!(
        ok,
        "{product} compile of {} failed:\n{out}",
        config.display()
    );
    fs::read_to_string(script).unwrap()
}

/// `product`'s (`shorewall` or `shorewall6`) conf of its two-interfaces
/// sample, as the package installs it: what `compile` needs in a
/// directory of a test's own.
pub fn sample_conf(product: &str) -> String {
    let path = format!("/usr/share/doc/{product}/examples/two-interfaces/{product}.conf");
    fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (install {product}: bash tests/run)"))
}

/// A Shorewall and a Shorewall6 directory side by side in a scratch
/// directory, one zone on eth0 each, with the shorewall.conf and
/// shorewall6.conf given.
pub fn dual_stack(name: &str, four: &str, six: &str) -> PathBuf {
    let dir = scratch(name);
    for (product, kind, conf) in [("shorewall", "ipv4", four), ("shorewall6", "ipv6", six)] {
        let d = dir.join(product);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("zones"), format!("fw firewall\nnet {kind}\n")).unwrap();
        std::fs::write(d.join("interfaces"), "?FORMAT 2\nnet eth0 -\n").unwrap();
        std::fs::write(d.join("policy"), "all all DROP info\n").unwrap();
        std::fs::write(d.join(format!("{product}.conf")), conf).unwrap();
    }
    dir
}

/// fwgen's stdout for `args` run in the repository, which must succeed.
pub fn fwgen_stdout(args: &[&str]) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "fwgen {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Root and every tool the namespace lab runs (tests/lab.rs, verify.rs,
/// corpus_lab.rs), each named with its Debian package when missing; then
/// what `fwgen verify` itself checks.
pub fn require_lab() {
    require_root();
    for (tool, package) in [
        ("ip", "iproute2"),
        ("ss", "iproute2"),
        ("nft", "nftables"),
        ("shorewall", "shorewall"),
        ("shorewall6", "shorewall6"),
        ("dnsmasq", "dnsmasq-base"),
        ("busybox", "busybox"),
        ("ethtool", "ethtool"),
        ("ping", "iputils-ping"),
        ("timeout", "coreutils"),
        ("ipset", "ipset"),
    ] {
        require_tool(tool, package);
    }
    fwgen::verify::require().unwrap_or_else(|e| panic!("{e}"));
}

/// Two stopped firewalls, probe by probe (issue #15): Shorewall's own
/// after `stop` (`shorewall`) and fwgen-stopped.nft (`nftables`), each
/// line printed. Panics naming every probe whose verdicts differ, or when
/// no probe was decided by both; returns each probe with Shorewall's
/// outcome.
pub fn same_stopped_verdicts(
    what: &str,
    shorewall: &fwgen::verify::contest::Round,
    nftables: &fwgen::verify::contest::Round,
) -> Vec<(String, fwgen::verify::probe::Outcome)> {
    let mut seen = Vec::new();
    let mut disagreements = Vec::new();
    for (index, probe) in shorewall.probes.iter().enumerate() {
        let (Some(a), Some(b)) = (&shorewall.outcomes[index], &nftables.outcomes[index]) else {
            continue;
        };
        let line = format!(
            "{}: shorewall stopped {}, fwgen-stopped.nft {}",
            probe.describe(),
            a.short(),
            b.short()
        );
        eprintln!("{line}");
        if a.verdict() != b.verdict() {
            disagreements.push(line);
        }
        seen.push((probe.describe(), a.clone()));
    }
    assert!(
        disagreements.is_empty(),
        "{what}: the stopped firewalls disagree:\n{}",
        disagreements.join("\n")
    );
    assert!(!seen.is_empty(), "{what}: no probe was sent");
    seen
}
