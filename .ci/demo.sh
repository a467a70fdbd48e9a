#!/usr/bin/env bash
# A short tour of every dqo-users command against the built-in sandbox (a
# DQOps 1.13 instance with the data domains sales and marketing), on a free
# loopback port, with a throwaway configuration. Used by `make demo`.
set -euo pipefail

bin=${1:-./bin/dqo-users}
work=$(mktemp -d)
sandbox_pid=
cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

export DQOPS_CONFIG="$work/config.yaml"
unset DQOPS_URL DQOPS_API_KEY DQOPS_PROFILE

"$bin" sandbox --listen 127.0.0.1:0 --domains sales,marketing >"$work/env" 2>"$work/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 100); do
  [ "$(grep -c '^export\|^# export' "$work/env" 2>/dev/null)" -ge 3 ] && break
  sleep 0.05
done
url=$(sed -n 's/^export DQOPS_URL=//p' "$work/env")
admin_key=$(sed -n 's/^export DQOPS_API_KEY=\([^ ]*\).*/\1/p' "$work/env")
viewer_key=$(sed -n 's/^# export DQOPS_API_KEY=\([^ ]*\).*/\1/p' "$work/env")

step() { printf '\n\033[1m$ dqo-users %s\033[0m\n' "$*"; }
run() { step "$@"; "$bin" "$@"; }
fails() { step "$@"; set +e; "$bin" "$@"; code=$?; set -e; echo "(exit code $code)"; }
# on_terminal runs a command with its output on a pseudo-terminal (script,
# from util-linux), so that it shows as it does at a terminal, whatever the
# tour's own output is: whoami then prints a labelled line a field, the
# profile and the server first. Without script, -o table is the closest.
on_terminal() {
  step "$@"
  if script -qec true /dev/null >/dev/null 2>&1; then
    script -qec "$(printf '%q ' "$bin" "$@")" /dev/null | tr -d '\r'
  else
    "$bin" "$@" -o table
  fi
}

echo "Sandbox at $url"
step "login --url $url --with-token   (admin key on stdin)"
printf '%s\n' "$admin_key" | "$bin" login --url "$url" --with-token
on_terminal whoami
run domains
run list
run create ana@example.com --role editor --domain-role sales=editor
fails create dee@example.com --role viewer --domain-role salse=editor
step "create bo@example.com --role viewer --password-stdin   (password on stdin)"
printf 'correct horse battery staple\n' | "$bin" create bo@example.com --role viewer --password-stdin
run get ana@example.com -o json
run update ana@example.com --role operator
run list --sort role -o wide
step "user-passwd bo@example.com --password-stdin"
printf 'another secret\n' | "$bin" user-passwd bo@example.com --password-stdin
step "passwd --password-stdin"
printf 'my new secret\n' | "$bin" passwd --password-stdin
fails create ana@example.com --role viewer
fails get nobody@example.com
fails delete admin@example.com --yes
run delete ana@example.com bo@example.com --yes
step "list -o csv   (as the viewer, with DQOPS_API_KEY)"
DQOPS_API_KEY=$viewer_key "$bin" list -o csv
step "create eve@example.com --role admin   (as the viewer)"
set +e; DQOPS_API_KEY=$viewer_key "$bin" create eve@example.com --role admin; echo "(exit code $?)"; set -e
step "export --to users.yaml; then add a user to the file and diff, apply"
"$bin" export --to "$work/users.yaml"
cat "$work/users.yaml"
# A user added above the end mark, as one would in an editor.
awk '/^end:/ { print "- email: cy@example.com"; print "  accountRole: viewer" } { print }' "$work/users.yaml" >"$work/users.new"
mv "$work/users.new" "$work/users.yaml"
set +e; "$bin" diff -f "$work/users.yaml"; echo "(exit code $?: changes pending)"; set -e
run apply -f "$work/users.yaml" --yes
run apply -f "$work/users.yaml"
step "login --profile viewer --with-token   (a second profile: the current one stays current)"
printf '%s\n' "$viewer_key" | "$bin" login --url "$url" --profile viewer --with-token
run config list
run config use viewer
on_terminal whoami
run config use default
run config view
run logout
run version
step "completion bash | head -3"
"$bin" completion bash | head -3
run help exit-codes
printf '\nTour finished.\n'
