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

# Go 1.26's fuzzing coordinator can end a run whose -fuzztime expires while
# a worker is busy with a bare "context deadline exceeded" failure, having
# found nothing (golang/go#75804, fixed in Go 1.27). Such a run is tried
# again, twice at most; a run that wrote a failing input, or failed in any
# other way, fails the script at once.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
deadline_only() {
  grep -q 'context deadline exceeded' "$log" &&
    ! grep -qE 'Failing input written|panic:|^ +[A-Za-z0-9_]+\.go:[0-9]+: ' "$log"
}

failed=()
flaked=()
ran=0
for pkg in "${packages[@]}"; do
  # -list prints the matching test names, then "ok ..." (or nothing for a
  # package without tests).
  targets=$(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true)
  for target in $targets; do
    ran=$((ran + 1))
    for try in 1 2 3; do
      again=""
      [ "$try" = 1 ] || again=", again"
      echo "== $pkg $target ($duration$again)"
      # pipefail: the pipeline fails when go test does.
      if go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$duration" -parallel "${FUZZ_PARALLEL:-4}" 2>&1 | tee "$log"; then
        break
      fi
      if ! deadline_only; then
        failed+=("$pkg $target")
        break
      fi
      echo "== $pkg $target: only Go's fuzztime deadline race (golang/go#75804), no input found"
      if [ "$try" = 3 ]; then
        flaked+=("$pkg $target")
      fi
    done
  done
done

echo "== ran $ran fuzz targets for $duration each"
if [ ${#flaked[@]} -gt 0 ]; then
  printf 'deadline race three times, nothing found (not a failure): %s\n' "${flaked[@]}"
fi
if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
