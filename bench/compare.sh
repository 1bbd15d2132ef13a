#!/bin/bash
# Side by side, on this machine: fwgen render (both backends) against
# `shorewall compile` of the same model's Shorewall output, and loading
# fwgen's nftables ruleset (`nft -f`) into a network namespace against
# starting Shorewall's compiled firewall there. Prints times, ratios,
# kernel rule counts, bytes and peak memory. Needs root, shorewall, nft.
#
# Then the rules a packet meets: in fwgen's ruleset as `fwgen explain
# --trace` walks it (a new connection the model's last rule accepts, one
# no rule accepts, an established one), and in Shorewall's iptables the
# rules of that zone pair's chain (a new connection no rule accepts meets
# every one of them).
#
#   bench/compare.sh [ZONES:RULES[:SHAPE] ...]   SHAPE: mixed, uniform, address-port
#   default: 4:1000 4:10000 40:100 4:1000:uniform 4:1000:address-port 4:10000:address-port
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(4:1000 4:10000 40:100 4:1000:uniform 4:1000:address-port 4:10000:address-port)

cargo build --release --quiet --bin fwgen --example gen_model
fwgen=target/release/fwgen
work=$(mktemp -d)
netns="fwgen-bench-$$"
cleanup() { ip netns del "$netns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# seconds (wall clock, microseconds) and peak KB of one run of a command
once() {
    local start end
    start=$EPOCHREALTIME
    /usr/bin/time -f "%M" -o "$work/time" "$@" >/dev/null 2>&1
    end=$EPOCHREALTIME
    echo "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }') $(cat "$work/time")"
}

# the fastest of 3 runs
measure() {
    local best="" kb="" s m
    for _ in 1 2 3; do
        read -r s m < <(once "$@")
        if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; kb=$m; fi
    done
    echo "$best $kb"
}

kernel_rules() { # rules in every table of the namespace
    ip netns exec "$netns" nft -j list ruleset | python3 -c 'import json,sys; print(sum(1 for o in json.load(sys.stdin)["nftables"] if "rule" in o))'
}

# The last rule of a model that names one TCP port from an address of a
# zone: "FROM TO PORT SHOREWALL_CHAIN", as explain and Shorewall name them.
last_rule() {
    python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
found = None
for block in text.split("[[rule]]")[1:]:
    fields = dict(re.findall(r'^(\w+) = "?([^"\n]*)"?$', block, re.M))
    source, dest, dport = fields.get("source", ""), fields.get("dest", ""), fields.get("dport", "")
    if fields.get("proto") == "tcp" and ":" in source and dport.isdigit() and fields.get("action") == "ACCEPT":
        zone, addresses = source.split(":", 1)
        address = addresses.split(",")[0].split("/")[0]
        to = dest.split(":")[0]
        found = (f"{zone}:{address}", dest.split(",")[0], dport, zone + "-" + ("fw" if to == "$FW" else to))
if found:
    print(*found)
PY
}

# rules a packet meets in fwgen's ruleset, as explain --trace walks it
met() { "$fwgen" explain -c "$model" "$@" --trace | grep -c '^  [+-] ' || true; }

printf '%-10s %-28s %10s %10s %10s %12s\n' size step seconds peak_MB bytes kernel_rules
echo "(fwgen render includes process start, reading and writing the files)"
for size in "${sizes[@]}"; do
    IFS=: read -r zones rules shape <<< "$size"
    model="$work/m-$zones-$rules.toml"
    target/release/examples/gen_model --zones "$zones" --rules "$rules" --shape "${shape:-mixed}" > "$model"
    out="$work/out-$zones-$rules"; mkdir -p "$out"

    read -r s_sw m_sw < <(measure "$fwgen" render --backend shorewall -c "$model" --out "$out" --yes --force)
    read -r s_nft m_nft < <(measure "$fwgen" render --backend nftables -c "$model" --out "$out" --yes --force)
    "$fwgen" render --backend shorewall -c "$model" --out "$out" --yes --force >/dev/null 2>&1 || true
    "$fwgen" render --backend nftables -c "$model" --out "$out" --yes --force >/dev/null 2>&1 || true
    rm -rf "$work/sw" && cp -r "$out/shorewall" "$work/sw"
    read -r s_comp m_comp < <(measure shorewall compile "$work/sw" "$work/firewall")
    sw_bytes=$(cat "$out"/shorewall/* | wc -c)
    nft_bytes=$(wc -c < "$out/fwgen.nft")

    ip netns add "$netns"
    read -r s_load m_load < <(measure ip netns exec "$netns" nft -f "$out/fwgen.nft")
    nft_rules=$(kernel_rules)
    ip netns del "$netns"

    ip netns add "$netns"
    ip netns exec "$netns" ip link set lo up
    for ((z = 0; z < zones; z++)); do
        ip -n "$netns" link add "eth$z" type veth peer name "peer$z"
        ip -n "$netns" link set "eth$z" up
    done
    # once: a second `start` only says Shorewall is already running
    read -r s_start m_start < <(once ip netns exec "$netns" "$work/firewall" start)
    sw_rules=$(ip netns exec "$netns" iptables-save | grep -c '^-A' || true)
    from="" to="" port="" sw_chain=""
    read -r from to port sw_chain < <(last_rule "$model") || true
    sw_chain_rules=-
    if [ -n "${sw_chain:-}" ]; then
        sw_chain_rules=$(ip netns exec "$netns" iptables-save | grep -c "^-A $sw_chain " || true)
    fi
    ip netns del "$netns"

    printf '%-10s %-28s %10s %10d %10s %12s\n' "$size" "fwgen render shorewall" "$s_sw" $((m_sw / 1024)) "$sw_bytes" -
    printf '%-10s %-28s %10s %10d %10s %12s\n' "$size" "shorewall compile" "$s_comp" $((m_comp / 1024)) - -
    printf '%-10s %-28s %10s %10d %10s %12s\n' "$size" "fwgen render nftables" "$s_nft" $((m_nft / 1024)) "$nft_bytes" -
    printf '%-10s %-28s %10s %10d %10s %12s\n' "$size" "nft -f (fwgen ruleset)" "$s_load" $((m_load / 1024)) - "$nft_rules"
    printf '%-10s %-28s %10s %10d %10s %12s\n' "$size" "shorewall start" "$s_start" $((m_start / 1024)) - "$sw_rules"
    if [ -n "${from:-}" ]; then
        new_hit=$(met --from "$from" --to "$to" --dport "$port")
        new_miss=$(met --from "$from" --to "$to" --dport 9)
        established=$(met --from "$from" --to "$to" --dport "$port" --state established)
        echo "$size rules met ($from -> $to tcp): fwgen new accepted by the last rule $new_hit, new no rule accepts $new_miss, established $established; Shorewall chain $sw_chain holds $sw_chain_rules rules"
    fi
    awk -v a="$s_comp" -v b="$s_sw" -v c="$s_start" -v d="$s_load" -v z="$size" 'BEGIN {
        printf "%-10s ratios: shorewall compile / fwgen render shorewall = %.0fx; shorewall start / nft -f = %.1fx\n", z, (b > 0 ? a / b : 0), (d > 0 ? c / d : 0) }'
done
