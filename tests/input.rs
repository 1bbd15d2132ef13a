//! Input files: fwgen runs as root, so `-c` may name a device, a FIFO or a
//! symbolic link to one. Only regular files are read, up to 64 MiB; anything
//! else is refused at once, never read without end or waited on forever.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

fn check(model: &Path) -> Output {
    common::fwgen_within(
        &["check", "-c", model.to_str().unwrap()],
        Duration::from_secs(5),
    )
}

fn assert_refused(output: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty(), "{stderr}");
    assert!(
        stderr.contains(expected),
        "missing `{expected}` in:\n{stderr}"
    );
}

#[test]
fn a_device_is_refused_not_read() {
    for device in ["/dev/zero", "/dev/urandom"] {
        let output = check(Path::new(device));
        assert_refused(
            &output,
            &format!("cannot read the model: {device}: is a character device, not a regular file"),
        );
    }
}

#[test]
fn a_symbolic_link_to_a_device_is_refused() {
    let dir = common::scratch("input-link-device");
    let link = dir.join("fwgen.toml");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    assert_refused(&check(&link), "is a character device, not a regular file");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let dir = common::scratch("input-fifo");
    let fifo = dir.join("fwgen.toml");
    rustix::fs::mknodat(
        rustix::fs::CWD,
        &fifo,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .unwrap();
    assert_refused(&check(&fifo), "is a FIFO, not a regular file");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_over_64_mib_is_refused_naming_the_limit() {
    let dir = common::scratch("input-large");
    let model = dir.join("fwgen.toml");
    let file = std::fs::File::create(&model).unwrap();
    // Sparse: costs no disk, reads as zeros.
    file.set_len(64 * 1024 * 1024 + 1).unwrap();
    assert_refused(&check(&model), "larger than 64 MiB");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_symbolic_link_to_a_regular_model_is_followed() {
    let dir = common::scratch("input-link-model");
    let link = dir.join("fwgen.toml");
    std::os::unix::fs::symlink(common::root().join("examples/lxc-host.toml"), &link).unwrap();
    let output = check(&link);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
