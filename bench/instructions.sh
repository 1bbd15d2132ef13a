#!/bin/bash
# Instructions (user space) of `fwgen render` on the benches' generated
# models: a measure that a loaded machine does not move the way it moves
# wall or CPU time. Counted by callgrind (this project's machine, a VM,
# has no hardware counters for `perf stat`), which runs the program about
# 50 times slower and its threads one at a time: the count is the same
# from run to run within a few thousandths. Writes the models to DIR
# (default /tmp/fwgen-instr), renders each RUNS times (default 1) and
# prints the median, keeps each run's callgrind profile
# (`callgrind_annotate DIR/cg-...`), and keeps
# the rendered output of the last run beside each model so that two
# builds can be compared byte for byte (`cmp -r DIR1/out-X DIR2/out-X`).
#
#   bench/instructions.sh [FWGEN] [DIR]
#   FWGEN: the binary (default target/release/fwgen)
#   RUNS=9 BACKEND=shorewall SIZES="4:10000 4:10000:address-port" bench/instructions.sh
#
# The models come from `examples/gen_model.rs` as `cargo bench --bench
# render` and bench/compare.sh make them; needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
fwgen=${1:-target/release/fwgen}
dir=${2:-/tmp/fwgen-instr}
runs=${RUNS:-1}
backend=${BACKEND:-nftables}
read -r -a sizes <<< "${SIZES:-4:10000 4:10000:address-port}"
command -v valgrind >/dev/null || { echo "valgrind is missing" >&2; exit 1; }
[ -x target/release/examples/gen_model ] || cargo build --release --quiet --example gen_model
mkdir -p "$dir"

for size in "${sizes[@]}"; do
    IFS=: read -r zones rules shape <<< "$size"
    shape=${shape:-mixed}
    model="$dir/m-$zones-$rules-$shape.toml"
    [ -s "$model" ] || target/release/examples/gen_model --zones "$zones" --rules "$rules" --shape "$shape" > "$model"
    out="$dir/out-$zones-$rules-$shape-$backend"
    counts=()
    for run in $(seq "$runs"); do
        rm -rf "$out"; mkdir -p "$out"
        profile="$dir/cg-$zones-$rules-$shape-$backend-$run"
        valgrind --tool=callgrind --callgrind-out-file="$profile" \
            "$fwgen" render --backend "$backend" -c "$model" --out "$out" --yes >/dev/null 2>&1
        counts+=("$(awk '/^summary:/ { print $2 }' "$profile")")
    done
    median=$(printf '%s\n' "${counts[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    printf '%-28s %-9s median %13s  (runs: %s)\n' "$zones:$rules:$shape" "$backend" "$median" "${counts[*]}"
done
