# Shared by .ci/bench.sh and .ci/bench-large.sh (sourced, not run).
#
# bench_setup BIN [REV] sets up a work directory and the binaries to
# measure: "new" (BIN) and, when REV is given, "base", REV's binary built in
# a temporary worktree, so that before and after come from one run on one
# machine. A sandbox is always the new binary's, so that both talk to the
# same server.

work=$(mktemp -d)
sandbox_pid=
bench_cleanup() {
	if [ -n "$sandbox_pid" ]; then
		kill "$sandbox_pid" 2>/dev/null || true
		wait "$sandbox_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap bench_cleanup EXIT

# labels and bins hold the binaries measured, base first.
labels=()
bins=()

bench_setup() {
	local bin rev
	bin=$(realpath "$1")
	rev=${2:-}
	if [ -n "$rev" ]; then
		local tree=$work/base-tree
		git worktree add --quiet --detach "$tree" "$rev"
		(cd "$tree" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/base" .)
		git worktree remove --force "$tree"
		labels+=("base ($(git rev-parse --short "$rev"))")
		bins+=("$work/base")
	fi
	labels+=("new")
	bins+=("$bin")
	export DQOPS_CONFIG=$work/config.yaml
	echo "machine: $(nproc) cores; load at start:$(uptime | sed 's/.*load average://')"
}

# start_sandbox ARGS... starts the new binary's sandbox on a free loopback
# port and sets url, key and headers (a file curl reads the key from, so
# that it is not in its arguments either).
start_sandbox() {
	"${bins[-1]}" sandbox --listen 127.0.0.1:0 --users-limit 2000000 "$@" >"$work/env" 2>"$work/sandbox.log" &
	sandbox_pid=$!
	for _ in $(seq 1200); do
		grep -q '^export DQOPS_API_KEY=' "$work/env" 2>/dev/null && break
		kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log"; exit 1; }
		sleep 0.05
	done
	url=$(sed -n 's/^export DQOPS_URL=\([^ ]*\).*/\1/p' "$work/env" | head -1)
	key=$(sed -n 's/^export DQOPS_API_KEY=\([^ ]*\).*/\1/p' "$work/env" | head -1)
	export DQOPS_URL=$url DQOPS_API_KEY=$key
	headers=$work/headers
	printf 'Authorization: Bearer %s\nAccept: application/json\n' "$key" >"$headers"
}

stop_sandbox() {
	kill "$sandbox_pid" 2>/dev/null || true
	wait "$sandbox_pid" 2>/dev/null || true
	sandbox_pid=
}

# row FIGURE TARGET VALUE... VERDICT prints one row of the results table.
row() {
	local line="|" cell
	for cell in "$@"; do line+=" $cell |"; done
	echo "$line"
}

# verdict OK prints met when OK is 1.
verdict() {
	if [ "$1" = 1 ]; then echo met; else echo MISSED; fi
}

# calc EXPR prints the value of a Python expression over numbers, e.g.
# calc '%.2f ms' % (x * 1000) is written: calc "'%.2f ms' % (0.012 * 1000)".
calc() {
	python3 -c "print($1)"
}

# fmt FORMAT NUMBER... prints the numbers in a printf-style format.
fmt() {
	python3 -c 'import sys; print(sys.argv[1] % tuple(float(x) for x in sys.argv[2:]))' "$@"
}
