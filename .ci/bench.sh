#!/usr/bin/env bash
# End-to-end figures of the built binary against the sandbox, each with its
# target and met or MISSED, as a Markdown table. Used by `make bench`.
#
#   one get EMAIL -o json       median of 200 runs (10 warm-ups, hyperfine -N)
#                               at most 0.8x curl's time for the same request;
#                               beside it, .ci/getclient making the same
#                               request with net/http alone, and linking the
#                               libraries the tool needs (-tags libs): what
#                               their start-up costs before the tool's own work
#   list and list -o json,      median of 10 runs, piped, at most 0.3 s over
#   100,000 users               the time curl takes to fetch the list
#   apply of 1,000 creates      20 ms added to every request, --parallel 8:
#                               at most 1.15x the ideal 1,000 x 20 ms / 8
#   apply to 5 instances        200 creates each at 50 ms a request: at most
#                               1.2x the slowest instance applied alone
#
# usage: .ci/bench.sh BIN [REV]   REV also measures that commit's binary,
# built in a temporary worktree, in the same run. The machine should be
# quiet: the load is printed at the start and at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/bench-lib.sh
bench_setup "${1:-bin/dqo-users}" "${2:-}"

start_sandbox --seed-users 100000
email=user050000@example.com

# hyperfine_medians JSON prints each command's median, in seconds.
hyperfine_medians() {
	python3 -c 'import json,sys; print(" ".join(str(r["median"]) for r in json.load(open(sys.argv[1]))["results"]))' "$1"
}

echo
row "figure" "target" "${labels[@]}" "verdict"
row "---" "---" "${labels[@]/*/---}" "---"

# One get, against curl and the two reference clients, in one hyperfine run.
CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/getclient" ./.ci/getclient
CGO_ENABLED=0 go build -tags libs -trimpath -ldflags '-s -w' -o "$work/getclient-libs" ./.ci/getclient
cmds=()
for b in "${bins[@]}"; do cmds+=("$b get $email -o json"); done
hyperfine -N --warmup 10 --runs 200 --export-json "$work/get.json" \
	"${cmds[@]}" "$work/getclient $email" "$work/getclient-libs $email" \
	"curl -sf -H @$headers $url/api/users/$email" >/dev/null 2>&1
read -r -a med <<<"$(hyperfine_medians "$work/get.json")"
curl_get=${med[-1]}
cells=()
for i in "${!bins[@]}"; do
	cells+=("$(fmt '%.2f ms (%.2fx)' "$(calc "${med[$i]} * 1000")" "$(calc "${med[$i]} / $curl_get")")")
done
ok=$(calc "int(${med[-4]} <= 0.8 * $curl_get)")
row "one get -o json (curl: $(fmt '%.2f ms' "$(calc "$curl_get * 1000")"))" "<= 0.8x curl" "${cells[@]}" "$(verdict "$ok")"
for i in 3 2; do
	what="net/http alone"
	[ "$i" = 2 ] && what="net/http and the tool's libraries (-tags libs)"
	ref=$(fmt '%.2f ms (%.2fx)' "$(calc "${med[-$i]} * 1000")" "$(calc "${med[-$i]} / $curl_get")")
	row "the same request by .ci/getclient, $what" "(reference)" "${labels[@]/*/$ref}" "-"
done

# 100,000 users, piped, against curl fetching the list.
for args in "list" "list -o json"; do
	cmds=()
	for b in "${bins[@]}"; do cmds+=("$b $args"); done
	hyperfine -N --warmup 1 --runs 10 --output=pipe --export-json "$work/list.json" \
		"${cmds[@]}" "curl -sf -H @$headers $url/api/users" >/dev/null 2>&1
	read -r -a med <<<"$(hyperfine_medians "$work/list.json")"
	curl_list=${med[-1]}
	cells=()
	for i in "${!bins[@]}"; do
		cells+=("$(fmt '%.3f s (+%.3f s)' "${med[$i]}" "$(calc "${med[$i]} - $curl_list")")")
	done
	ok=$(calc "int(${med[-2]} - $curl_list < 0.3)")
	row "$args, 100,000 users, piped (curl: $(fmt '%.3f s' "$curl_list"))" "< curl + 0.3 s" "${cells[@]}" "$(verdict "$ok")"
done
for args in "list -o json" "list -o yaml" "export"; do
	cells=()
	for b in "${bins[@]}"; do
		/usr/bin/time -f %M -o "$work/rss" "$b" $args >/dev/null
		cells+=("$(($(cat "$work/rss") / 1024)) MB")
	done
	row "$args, 100,000 users: peak memory" "(none)" "${cells[@]}" "-"
done
stop_sandbox

# apply: 1,000 creates at 20 ms a request.
ideal=2.5
cells=()
last=
for b in "${bins[@]}"; do
	s=$(bash .ci/bench-apply.sh "$b" 8)
	cells+=("$(fmt '%.2f s (%.2fx)' "$s" "$(calc "$s / $ideal")")")
	last=$s
done
ok=$(calc "int($last <= 1.15*$ideal)")
row "apply 1,000 creates, 20 ms latency, --parallel 8 (median of 3)" "<= 1.15x 2.5 s" "${cells[@]}" "$(verdict "$ok")"

# Several instances: one apply of 200 creates to each of 5 sandboxes at 50 ms
# a request, against the slowest of them applied alone.
cells=()
last=1
for b in "${bins[@]}"; do
	if out=$(bash .ci/bench-fleet.sh "$b" 2>/dev/null); then
		read -r alone fleet <<<"$out"
		last=$(calc "$fleet / $alone")
		cells+=("$(fmt '%.2f s alone, %.2f s at once (%.2fx)' "$alone" "$fleet" "$last")")
	else
		cells+=("n/a (one instance a call)")
	fi
done
ok=$(calc "int($last <= 1.2)")
row "apply 200 creates to each of 5 instances at 50 ms latency, against the slowest alone (median of 3)" "<= 1.2x" "${cells[@]}" "$(verdict "$ok")"

echo
echo "load at the end:$(uptime | sed 's/.*load average://')"
