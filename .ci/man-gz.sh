#!/usr/bin/env bash
# Gzips the committed man pages into bin/man/ for the Debian and RPM packages,
# which install man pages compressed as both distributions' policies ask.
# bin/ is ignored by git, so the .gz files stay build output and are never
# committed; not dist/, which GoReleaser wants empty after its before-hooks.
# gzip -n leaves out the file name and time, so a page always gives the same
# bytes and packages built twice from one commit are alike.
set -euo pipefail
cd "$(dirname "$0")/.."

out=bin/man
rm -rf "$out"
mkdir -p "$out"
for page in docs/man/*.1; do
  gzip -9 -n -c "$page" >"$out/${page##*/}.gz"
done
