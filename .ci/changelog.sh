#!/usr/bin/env bash
# Writes the changelog the Debian and RPM packages install as
# /usr/share/doc/dqo-users/changelog.gz: the git history, newest first, one
# section a release (each v-tag) and one for the commits since the last,
# each commit its date, short hash and subject, wrapped at 80 columns.
# It is built output in bin/doc/ (ignored by git, as bin/man/ is); gzip -n
# and dates from the commits alone make one commit always give the same
# bytes. A shallow clone gives the history it has.
set -euo pipefail
cd "$(dirname "$0")/.."

out=bin/doc
mkdir -p "$out"

# section TITLE RANGE: the commits of RANGE under TITLE.
section() {
  local title=$1 range=$2
  local log
  log=$(git log --no-merges --date=short --format='%ad %h %s' "$range" --)
  [[ -n $log ]] || return 0
  printf '%s\n%s\n\n' "$title" "${title//?/=}"
  # "* DATE HASH SUBJECT", continuation lines indented under the date.
  fold -s -w 78 <<<"$log" | awk '/^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / { print "* " $0; next } { print "  " $0 }' | sed 's/ *$//'
  printf '\n'
}

{
  printf 'dqo-users: changes, newest first, from the git history\n\n'
  tags=()
  while IFS= read -r tag; do
    tags+=("$tag")
  done < <(git tag --list 'v[0-9]*' --sort=-version:refname --merged HEAD)
  if ((${#tags[@]} == 0)); then
    section "Unreleased" HEAD
  else
    section "Unreleased" "${tags[0]}..HEAD"
    for i in "${!tags[@]}"; do
      tag=${tags[i]}
      date=$(git log -1 --format=%ad --date=short "$tag")
      if ((i + 1 < ${#tags[@]})); then
        section "${tag#v} ($date)" "${tags[i + 1]}..$tag"
      else
        section "${tag#v} ($date)" "$tag"
      fi
    done
  fi
} | gzip -9 -n >"$out/changelog.gz"
