#!/bin/sh
# Builds target/debian/fwgen_VERSION_ARCH.deb: the release binary, the man
# pages and completions it generates from its own command line, then
# `cargo deb --no-build` (install cargo-deb with `cargo install cargo-deb --locked`).
set -eu
cd "$(dirname "$0")/.."
cargo build --release --locked
rm -rf target/assets
"${CARGO_TARGET_DIR:-target}/release/fwgen" generate-assets --out target/assets
cargo deb --no-build --locked "$@"
