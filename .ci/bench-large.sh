#!/usr/bin/env bash
# The 1,000,000-user figures of the built binary against the sandbox, each
# with its target and met or MISSED, as a Markdown table. Used by
# `make bench-large`. Every figure is the best of 3 runs (time: the
# fastest; peak memory: the highest, of dqo-users alone, by GNU time):
#
#   list -o json|csv|tsv|name|yaml, export -o yaml|json|csv
#                         under 200 MB peak memory
#   list -o yaml, export  at most 2x the time of list -o json
#   list -o json          at most 0.5x the time of what one would do instead:
#                         curl -s -H @headers $URL/api/users | jq -c '.[]'
#
# usage: .ci/bench-large.sh BIN [REV]   REV also measures that commit's
# binary, built in a temporary worktree, in the same run (runs alternate
# between the binaries, so that a change of load hits both alike).
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/bench-lib.sh
bench_setup "${1:-bin/dqo-users}" "${2:-}"
runs=3

start_sandbox --seed-users 1000000

# measure I ARGS runs binary I once and appends "seconds kilobytes" to
# $work/I-ARGS.
measure() {
	local i=$1
	shift
	/usr/bin/time -f '%e %M' -o "$work/one" "${bins[$i]}" "$@" >/dev/null 2>"$work/stderr" ||
		{ echo "${bins[$i]} $*: failed" >&2; cat "$work/stderr" >&2; exit 1; }
	cat "$work/one" >>"$work/$i-$*"
}
best_time() { sort -n "$1" | head -1 | cut -d' ' -f1; }
peak_mb() { sort -n -k2 "$1" | tail -1 | awk '{printf "%d", $2 / 1024}'; }

commands=("list -o json" "list -o csv" "list -o tsv" "list -o name" "list -o yaml" "export" "export -o json" "export -o csv")
for _ in $(seq $runs); do
	for args in "${commands[@]}"; do
		for i in "${!bins[@]}"; do
			# shellcheck disable=SC2086 # the arguments are words
			measure "$i" $args
		done
	done
	start=$(date +%s%N)
	curl -s -H @"$headers" "$url/api/users" | /usr/bin/time -f %M -o "$work/jq-rss" jq -c '.[]' >/dev/null
	end=$(date +%s%N)
	echo "$(calc "($end - $start) / 1e9") $(cat "$work/jq-rss")" >>"$work/curl-jq"
done
stop_sandbox

curl_jq=$(best_time "$work/curl-jq")
new=$((${#bins[@]} - 1))
json=$(best_time "$work/$new-list -o json")

jq_mb=$(sort -n -k2 "$work/curl-jq" | tail -1 | awk '{printf "%d", $2 / 1024}')
echo
echo "curl -s \$URL/api/users | jq -c '.[]' (1,000,000 users): $(fmt '%.2f s' "$curl_jq"), jq's peak memory $jq_mb MB"
echo
row "1,000,000 users" "target" "${labels[@]}" "verdict"
row "---" "---" "${labels[@]/*/---}" "---"
for args in "${commands[@]}"; do
	time_cells=() mem_cells=()
	for i in "${!bins[@]}"; do
		t=$(best_time "$work/$i-$args")
		j=$(best_time "$work/$i-list -o json")
		time_cells+=("$(fmt '%.2f s (%.2fx json, %.2fx curl\|jq)' "$t" "$(calc "$t / $j")" "$(calc "$t / $curl_jq")")")
		mem_cells+=("$(peak_mb "$work/$i-$args") MB")
	done
	t=$(best_time "$work/$new-$args")
	case $args in
	"list -o json")
		row "$args: time" "<= 0.5x curl \| jq" "${time_cells[@]}" "$(verdict "$(calc "int($t <= 0.5 * $curl_jq)")")" ;;
	"list -o yaml" | export*)
		row "$args: time" "<= 2x list -o json" "${time_cells[@]}" "$(verdict "$(calc "int($t <= 2 * $json)")")" ;;
	*)
		row "$args: time" "(none)" "${time_cells[@]}" "-" ;;
	esac
	row "$args: peak memory" "< 200 MB" "${mem_cells[@]}" "$(verdict "$(calc "int($(peak_mb "$work/$new-$args") < 200)")")"
done

echo
echo "load at the end:$(uptime | sed 's/.*load average://')"
