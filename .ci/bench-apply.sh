#!/usr/bin/env bash
# Speed of apply: 1,000 new users against a sandbox that adds 20 ms to every
# request. Prints the median wall time, in seconds, of RUNS applies with
# --parallel PARALLEL (the ideal is 1,000 x 20 ms / PARALLEL); each run has a
# fresh sandbox. .ci/bench.sh compares it with its target.
#
# usage: .ci/bench-apply.sh BIN [PARALLEL] [RUNS]   (defaults: 8, 3)
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(realpath "$1")
parallel=${2:-8}
runs=${3:-3}
work=$(mktemp -d)
sandbox_pid=
cleanup() {
	if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

users=$work/users.csv
{
	echo "email,accountRole"
	for i in $(seq -w 1 1000); do echo "bench$i@example.com,viewer"; done
} >"$users"

for _ in $(seq "$runs"); do
	"$bin" sandbox --listen 127.0.0.1:0 --latency 20ms --users-limit 5000 >"$work/env" 2>"$work/sandbox.log" &
	sandbox_pid=$!
	for _ in $(seq 100); do grep -q DQOPS_API_KEY "$work/env" 2>/dev/null && break; sleep 0.05; done
	url=$(sed -n 's/^export DQOPS_URL=\([^ ]*\).*/\1/p' "$work/env" | head -1)
	key=$(sed -n 's/^export DQOPS_API_KEY=\([^ ]*\).*/\1/p' "$work/env" | head -1)
	start=$(date +%s%N)
	DQOPS_URL=$url DQOPS_API_KEY=$key DQOPS_CONFIG=$work/config.yaml \
		"$bin" apply -f "$users" --parallel "$parallel" >/dev/null 2>"$work/apply.log" ||
		{ cat "$work/apply.log" >&2; exit 1; }
	end=$(date +%s%N)
	kill "$sandbox_pid"
	wait "$sandbox_pid" 2>/dev/null || true
	sandbox_pid=
	echo $((end - start)) >>"$work/times"
done
sort -n "$work/times" | awk '{t[NR] = $1} END {printf "%.3f\n", t[int((NR + 1) / 2)] / 1e9}'
