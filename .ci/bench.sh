#!/usr/bin/env bash
# End-to-end timings of the built binary against the sandbox (100,000
# users), with hyperfine, and peak memory with GNU time. Used by `make bench`.
set -euo pipefail

bin=$(realpath "${1:-./bin/dqo-users}")
work=$(mktemp -d)
sandbox_pid=
cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" sandbox --listen 127.0.0.1:0 --seed-users 100000 >"$work/env" 2>"$work/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 200); do
  grep -q '^export DQOPS_API_KEY=' "$work/env" 2>/dev/null && break
  sleep 0.05
done
url=$(sed -n 's/^export DQOPS_URL=//p' "$work/env")
key=$(sed -n 's/^export DQOPS_API_KEY=\([^ ]*\).*/\1/p' "$work/env")
export DQOPS_URL=$url DQOPS_API_KEY=$key DQOPS_CONFIG=$work/config.yaml
# curl reads the header from a file, so the key is not in its argv either.
printf 'Authorization: Bearer %s\n' "$key" >"$work/auth-header"
printf 'Accept: application/json\n' >>"$work/auth-header"

echo "== one get: dqo-users vs curl (target: dqo-users within 1.5x of curl)"
hyperfine --warmup 5 --runs 100 -N --export-json "$work/get.json" \
  "$bin get admin@example.com -o json" \
  "curl -sf -H @$work/auth-header $url/api/users/admin%40example.com"
python3 - "$work/get.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
tool, curl = r[0]["mean"], r[1]["mean"]
ratio = tool / curl
print(f"get: dqo-users {tool*1000:.2f} ms, curl {curl*1000:.2f} ms, ratio {ratio:.2f}x (target <= 1.5x: {'met' if ratio <= 1.5 else 'MISSED'})")
PY

echo
echo "== 100,000 users, end to end (targets: each under 1 s, peak memory under 150 MB)"
hyperfine --warmup 1 --runs 10 --export-json "$work/list.json" \
  "$bin list -o json >/dev/null" \
  "$bin list >/dev/null" \
  "$bin list -o csv >/dev/null"
python3 - "$work/list.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    verdict = "met" if r["mean"] < 1 else "MISSED"
    print(f"{r['command']}: mean {r['mean']*1000:.0f} ms, max {r['max']*1000:.0f} ms (target < 1 s: {verdict})")
PY
for args in "list -o json" "list"; do
  /usr/bin/time -f "%M" -o "$work/rss" "$bin" $args >/dev/null
  mb=$(( $(cat "$work/rss") / 1024 ))
  verdict=met; [ "$mb" -lt 150 ] || verdict=MISSED
  echo "peak memory of 'dqo-users $args' (piped): $mb MB (target < 150 MB: $verdict)"
done

if [ -f .ci/bench-apply.sh ]; then
  echo
  bash .ci/bench-apply.sh "$bin"
fi
