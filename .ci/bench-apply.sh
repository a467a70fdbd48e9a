#!/usr/bin/env bash
# Speed of apply: 1,000 new users against a sandbox that adds 20 ms to every
# request, with --parallel 8 and --parallel 1, compared with the ideal
# 1,000 x 20 ms / parallel. Target: at most 1.3x the ideal with --parallel 8.
#
# usage: .ci/bench-apply.sh [path/to/dqo-users]   (builds one when not given)
# The in-process Go benchmarks (BenchmarkApply1000, BenchmarkExecute1000)
# run with the others in `make bench`.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-}
work=$(mktemp -d)
sandbox_pid=
cleanup() {
	if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
if [ -z "$bin" ]; then
	bin=$work/dqo-users
	go build -o "$bin" .
fi

echo "== the binary against a sandbox process"
users=$work/users.csv
{
	echo "email,accountRole"
	for i in $(seq -w 1 1000); do echo "bench$i@example.com,viewer"; done
} >"$users"

for parallel in 8 1; do
	"$bin" sandbox --listen 127.0.0.1:0 --latency 20ms --users-limit 5000 >"$work/env" 2>"$work/sandbox.log" &
	sandbox_pid=$!
	for _ in $(seq 50); do grep -q DQOPS_API_KEY "$work/env" 2>/dev/null && break; sleep 0.1; done
	url=$(sed -n 's/^export DQOPS_URL=\([^ ]*\).*/\1/p' "$work/env" | head -1)
	key=$(sed -n 's/^export DQOPS_API_KEY=\([^ ]*\).*/\1/p' "$work/env" | head -1)
	start=$(date +%s%N)
	DQOPS_URL=$url DQOPS_API_KEY=$key DQOPS_CONFIG=$work/config.yaml \
		"$bin" apply -f "$users" --parallel "$parallel" >/dev/null 2>"$work/apply.log" ||
		{ cat "$work/apply.log"; exit 1; }
	end=$(date +%s%N)
	kill "$sandbox_pid"
	wait "$sandbox_pid" 2>/dev/null || true
	sandbox_pid=
	awk -v ns=$((end - start)) -v p="$parallel" 'BEGIN {
		ideal = 1000 * 20e6 / p
		verdict = (p == 8) ? ((ns / ideal <= 1.3) ? " (target <= 1.3x: met)" : " (target <= 1.3x: MISSED)") : ""
		printf "apply 1000 users, --parallel %d: %.2f s, ideal %.2f s, %.2fx%s\n", p, ns / 1e9, ideal / 1e9, ns / ideal, verdict
	}'
done
