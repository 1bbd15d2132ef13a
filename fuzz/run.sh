#!/bin/sh
# Fuzz load -> analyze -> render -> check for a bounded time (default 300 s).
# Not part of every CI run. Needs cargo-fuzz (`cargo install cargo-fuzz`);
# RUSTC_BOOTSTRAP lets the stable toolchain build libFuzzer's
# instrumentation (-s none: no sanitizer, which would need nightly).
# Crashes land in fuzz/artifacts/pipeline/; turn each into a test case.
set -eu
cd "$(dirname "$0")"
seconds="${1:-300}"
for seed in ../examples/*.toml ../tests/errors/*.toml ../tests/check/*.toml; do
    cp "$seed" "corpus/pipeline/seed-$(basename "$seed")"
done
RUSTC_BOOTSTRAP=1 cargo fuzz run pipeline -s none -- -max_total_time="$seconds" -rss_limit_mb=2048
