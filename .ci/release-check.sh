#!/usr/bin/env bash
# `make release-check`: checks .goreleaser.yaml with GoReleaser, then builds
# the snapshot packages with GoReleaser itself and compares them with the
# ones `make package` builds (.ci/package.go and nfpm) for this machine's
# architecture: the file lists (path, mode, owner) and the control fields of
# the .deb, and the file lists and dependencies of the .rpm. A difference
# means .ci/package.go no longer builds what a release ships.
#
# Slow: GoReleaser takes minutes to build the first time, and its snapshot
# builds every target of .goreleaser.yaml. Not part of `make test`.
# Needs dpkg-deb and rpm (Debian's dpkg and rpm packages).
#
#   bash .ci/release-check.sh [GORELEASER_MODULE]
set -euo pipefail
cd "$(dirname "$0")/.."

goreleaser=${1:-github.com/goreleaser/goreleaser/v2@v2.15.1}
go=${GO:-go}
for tool in dpkg-deb rpm; do
  command -v "$tool" >/dev/null || {
    echo "release-check: $tool is not installed (Debian packages dpkg and rpm)" >&2
    exit 1
  }
done

"$go" run "$goreleaser" check

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# GoReleaser's snapshot, into a directory of its own: the configuration is
# the repository's, with only its dist directory moved (dist/ stays the
# make package default, which --clean would empty).
config=$work/goreleaser.yaml
cat .goreleaser.yaml >"$config"
printf '\ndist: %s\n' "$work/goreleaser" >>"$config"
"$go" run "$goreleaser" release --snapshot --clean --config "$config"

arch=$("$go" env GOARCH)
debs=("$work"/goreleaser/*_"$(dpkg --print-architecture)".deb)
rpm_arch=$(case $arch in amd64) echo x86_64 ;; arm64) echo aarch64 ;; *) echo "$arch" ;; esac)
rpms=("$work"/goreleaser/*."$rpm_arch".rpm)
if [[ ${#debs[@]} -ne 1 || ! -f ${debs[0]} || ${#rpms[@]} -ne 1 || ! -f ${rpms[0]} ]]; then
  echo "release-check: want one .deb and one .rpm for $arch from GoReleaser, have: $(ls "$work/goreleaser")" >&2
  exit 1
fi
theirs_deb=${debs[0]} theirs_rpm=${rpms[0]}
# The same version on both sides, so that the control fields compare.
version=$(dpkg-deb -f "$theirs_deb" Version)
rpm_version=$(rpm -qp --queryformat '%{VERSION}' "$theirs_rpm")
if [[ $rpm_version != "${version%%-*}" && $rpm_version != "$version" ]]; then
  echo "release-check: GoReleaser's .deb is version $version and its .rpm $rpm_version; comparing with the .deb's" >&2
fi

make --no-print-directory package PACKAGE_DIR="$work/ours" PACKAGE_VERSION="$version"
ours_deb=$(ls "$work"/ours/*.deb) ours_rpm=$(ls "$work"/ours/*.rpm)

# deb_files DEB: "mode owner path" a line, sorted (sizes and times differ
# with the build's date).
deb_files() { dpkg-deb -c "$1" | awk '{print $1, $2, $6}' | sort; }
# deb_fields DEB: the control fields but the installed size, which follows
# the binary's.
deb_fields() { dpkg-deb -f "$1" | grep -v '^Installed-Size:'; }
rpm_files() { rpm -qp --queryformat '[%{FILEMODES:perms} %{FILEUSERNAME}/%{FILEGROUPNAME} %{FILENAMES}\n]' "$1" | sort; }
rpm_deps() {
  for what in requires recommends suggests provides conflicts; do
    rpm -qp --"$what" "$1" | sed "s/^/$what: /"
  done
}

failures=0
compare() { # compare WHAT THEIRS OURS
  if [[ -z $2 || -z $3 ]]; then
    echo "release-check: $1: nothing read from a package" >&2
    failures=$((failures + 1))
  elif ! diff -u --label "GoReleaser: $1" --label "make package: $1" <(printf '%s\n' "$2") <(printf '%s\n' "$3"); then
    echo "release-check: $1 differ (above)" >&2
    failures=$((failures + 1))
  fi
}
compare "the .deb's files" "$(deb_files "$theirs_deb")" "$(deb_files "$ours_deb")"
compare "the .deb's control fields" "$(deb_fields "$theirs_deb")" "$(deb_fields "$ours_deb")"
compare "the .rpm's files" "$(rpm_files "$theirs_rpm")" "$(rpm_files "$ours_rpm")"
compare "the .rpm's dependencies" "$(rpm_deps "$theirs_rpm")" "$(rpm_deps "$ours_rpm")"

if ((failures)); then
  echo "release-check: make package and GoReleaser build different packages" >&2
  exit 1
fi
echo "release-check: ok: make package builds what GoReleaser builds ($(basename "$theirs_deb"), $(basename "$theirs_rpm")):"
printf '  %s\n' "$(deb_files "$ours_deb" | wc -l) files and $(deb_fields "$ours_deb" | wc -l) control field lines in the .deb" \
  "$(rpm_files "$ours_rpm" | wc -l) files and $(rpm_deps "$ours_rpm" | wc -l) dependency lines in the .rpm"
