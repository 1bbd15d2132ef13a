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
        for (name, content) in actual {
            let path = dir.join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, content).unwrap();
        }
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
