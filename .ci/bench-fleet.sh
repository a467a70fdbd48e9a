#!/usr/bin/env bash
# Speed of several instances at once: one apply of 200 creates to each of 5
# sandboxes that add 50 ms to every request, against the slowest of the
# five applied alone. Prints "ALONE FLEET" in seconds, each the median of
# RUNS runs; .ci/bench.sh prints their ratio against its target (at most
# 1.2x: the instances are worked in parallel, each with its own --parallel
# requests).
#
# usage: .ci/bench-fleet.sh BIN [RUNS]   (default: 3)
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/bench-lib.sh
bins=("$(realpath "$1")")
runs=${2:-3}
unset DQOPS_URL DQOPS_API_KEY
config=$work/config.yaml
export DQOPS_CONFIG=$config

users=$work/users.csv
{
	echo "email,accountRole"
	for i in $(seq -w 1 200); do echo "fleet$i@example.com,viewer"; done
} >"$users"

pids=()
fleet_cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap fleet_cleanup EXIT

# start_fleet starts five fresh sandboxes and writes a profile for each.
start_fleet() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	pids=()
	printf 'profiles:\n' >"$config"
	for n in 1 2 3 4 5; do
		"${bins[0]}" sandbox --listen 127.0.0.1:0 --latency 50ms --users-limit 5000 >"$work/env$n" 2>"$work/sandbox$n.log" &
		pids+=($!)
		for _ in $(seq 1200); do
			grep -q '^export DQOPS_API_KEY=' "$work/env$n" 2>/dev/null && break
			sleep 0.05
		done
		url=$(sed -n 's/^export DQOPS_URL=\([^ ]*\).*/\1/p' "$work/env$n" | head -1)
		key=$(sed -n 's/^export DQOPS_API_KEY=\([^ ]*\).*/\1/p' "$work/env$n" | head -1)
		printf '  s%s:\n    url: %s\n    api_key: %s\n' "$n" "$url" "$key" >>"$config"
	done
	chmod 600 "$config"
}

# timed ARGS... prints the seconds one apply with ARGS takes.
timed() {
	local start end
	start=$(date +%s%N)
	"${bins[0]}" apply -f "$users" --yes "$@" >/dev/null 2>"$work/apply.log" || { cat "$work/apply.log" >&2; exit 1; }
	end=$(date +%s%N)
	python3 -c "print(($end - $start) / 1e9)"
}

median() { sort -n | awk '{t[NR] = $1} END {print t[int((NR + 1) / 2)]}'; }

: >"$work/alone"
: >"$work/fleet"
for _ in $(seq "$runs"); do
	start_fleet
	slowest=0
	for n in 1 2 3 4 5; do
		s=$(timed --profile "s$n")
		slowest=$(python3 -c "print(max($slowest, $s))")
	done
	echo "$slowest" >>"$work/alone"
	start_fleet
	timed --profile s1,s2,s3,s4,s5 >>"$work/fleet"
done
echo "$(median <"$work/alone") $(median <"$work/fleet")"
