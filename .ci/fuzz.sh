#!/usr/bin/env bash
# Runs every Go fuzz target (func FuzzXxx(f *testing.F)) for a bounded time.
# `go test -fuzz` takes one target of one package per run, so the targets are
# listed per package and run one after another. A crash fails the script;
# Go writes the failing input to the package's testdata/fuzz/<target>/,
# where it stays as a regression seed once the bug is fixed.
#
#   .ci/fuzz.sh [DURATION] [PACKAGE...]     e.g. .ci/fuzz.sh 30s ./pkg/api
set -euo pipefail

duration=${1:-10s}
shift || true
cd "$(dirname "$0")/.."
packages=("$@")
if [ ${#packages[@]} -eq 0 ]; then
  mapfile -t packages < <(go list ./...)
fi

failed=()
ran=0
for pkg in "${packages[@]}"; do
  # -list prints the matching test names, then "ok ..." (or nothing for a
  # package without tests).
  targets=$(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true)
  for target in $targets; do
    echo "== $pkg $target ($duration)"
    ran=$((ran + 1))
    if ! go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$duration" -parallel "${FUZZ_PARALLEL:-4}"; then
      failed+=("$pkg $target")
    fi
  done
done

echo "== ran $ran fuzz targets for $duration each"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
