#!/usr/bin/env bash
# Speed of apply: 1,000 new users against a sandbox that adds 20 ms to every
# request. Prints the median wall time, in seconds, of RUNS applies with
# --parallel PARALLEL (the ideal is 1,000 x 20 ms / PARALLEL); each run has a
# fresh sandbox. .ci/bench.sh compares it with its target.
#
# usage: .ci/bench-apply.sh BIN [PARALLEL] [RUNS]   (defaults: 8, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/bench-lib.sh
bins=("$(realpath "$1")")
parallel=${2:-8}
runs=${3:-3}
export DQOPS_CONFIG=$work/config.yaml

users=$work/users.csv
{
	echo "email,accountRole"
	for i in $(seq -w 1 1000); do echo "bench$i@example.com,viewer"; done
} >"$users"

for _ in $(seq "$runs"); do
	start_sandbox --latency 20ms --users-limit 5000
	start=$(date +%s%N)
	"${bins[0]}" apply -f "$users" --parallel "$parallel" --yes >/dev/null 2>"$work/apply.log" ||
		{ cat "$work/apply.log" >&2; exit 1; }
	end=$(date +%s%N)
	stop_sandbox
	echo $((end - start)) >>"$work/times"
done
sort -n "$work/times" | awk '{t[NR] = $1} END {printf "%.3f\n", t[int((NR + 1) / 2)] / 1e9}'
