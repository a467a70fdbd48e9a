#!/usr/bin/env bash
# Builds the Debian and RPM packages with `make package` and checks what they
# hold: every path .goreleaser.yaml's nfpms entry promises (the zsh completion
# where each distribution's zsh looks), man pages gzipped and intact (and
# dqo-users(1) with its EXIT STATUS, ENVIRONMENT and FILES), the README and a
# changelog of the git history in /usr/share/doc/dqo-users/, the control
# fields (Recommends: bash-completion), and a binary that runs and knows its
# version.
# Without dpkg-deb or rpm it skips, except under CI (CI set), where it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in dpkg-deb rpm; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
  if [[ -n "${CI:-}" ]]; then
    echo "test-packages: FAIL: ${missing[*]} not installed (Debian packages dpkg and rpm)" >&2
    exit 1
  fi
  echo "test-packages: SKIP: ${missing[*]} not installed; install Debian's dpkg and rpm packages to run it"
  exit 0
fi

failures=0
fail() {
  echo "test-packages: FAIL: $*" >&2
  failures=$((failures + 1))
}
# has LIST PATH: LIST, one path a line, holds PATH.
has() { grep -qxF -- "$2" <<<"$1"; }

go vet ./.ci

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=1.2.3
make --no-print-directory package PACKAGE_DIR="$work/dist" PACKAGE_VERSION="$version"

debs=("$work"/dist/*.deb)
rpms=("$work"/dist/*.rpm)
if [[ ${#debs[@]} -ne 1 || ! -f ${debs[0]} || ${#rpms[@]} -ne 1 || ! -f ${rpms[0]} ]]; then
  echo "test-packages: FAIL: want one .deb and one .rpm in $work/dist, have: $(ls "$work/dist")" >&2
  exit 1
fi
deb=${debs[0]} rpm=${rpms[0]}
deb_listing=$(dpkg-deb -c "$deb")
rpm_files=$(rpm -qlp "$rpm")
echo "== dpkg-deb -c $(basename "$deb")"
echo "$deb_listing"
echo "== rpm -qlp $(basename "$rpm")"
echo "$rpm_files"

common=(
  /usr/bin/dqo-users
  /usr/share/bash-completion/completions/dqo-users
  /usr/share/fish/vendor_completions.d/dqo-users.fish
  /usr/share/doc/dqo-users/copyright
  /usr/share/doc/dqo-users/README.md
  /usr/share/doc/dqo-users/changelog.gz
)
pages=()
for page in docs/man/*.1; do
  pages+=("/usr/share/man/man1/${page##*/}.gz")
done
if ((${#pages[@]} < 2)); then
  fail "docs/man has ${#pages[@]} man pages"
fi
deb_zsh=/usr/share/zsh/vendor-completions/_dqo-users
rpm_zsh=/usr/share/zsh/site-functions/_dqo-users

# dpkg-deb -c lists "mode owner size date time ./path".
deb_files=$(awk '{print substr($6, 2)}' <<<"$deb_listing")
for want in "${common[@]}" "${pages[@]}" "$deb_zsh"; do
  has "$deb_files" "$want" || fail "the .deb lacks $want"
done
has "$deb_files" "$rpm_zsh" && fail "the .deb holds the rpm's zsh path $rpm_zsh"
if grep -E '^/usr/share/man/.*\.[0-9]$' <<<"$deb_files"; then
  fail "the .deb holds man pages that are not gzipped (above)"
fi
grep -qE '^-rwxr-xr-x .* \./usr/bin/dqo-users$' <<<"$deb_listing" ||
  fail "/usr/bin/dqo-users is not mode 0755 in the .deb"

field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == dqo-users ]] || fail "Package is '$(field Package)', want dqo-users"
[[ $(field Version) == "$version" ]] || fail "Version is '$(field Version)', want $version"
[[ $(field Architecture) == "$(dpkg --print-architecture)" ]] ||
  fail "Architecture is '$(field Architecture)', want $(dpkg --print-architecture)"
description=$(field Description)
[[ $description == "Manage the users of a DQOps data-quality server"$'\n'* ]] ||
  fail "Description is '$description'"
[[ $(field Homepage) == https://github.com/dqops-users/dqo-users ]] || fail "Homepage is '$(field Homepage)'"
[[ $(field Recommends) == bash-completion ]] || fail "Recommends is '$(field Recommends)', want bash-completion"

root=$work/root
dpkg-deb -x "$deb" "$root"
for page in docs/man/*.1; do
  gz=$root/usr/share/man/man1/${page##*/}.gz
  [[ -f $gz ]] || continue
  gzip -dc "$gz" | cmp -s - "$page" || fail "$gz is not $page gzipped"
done
cmp -s "$root/usr/share/doc/dqo-users/copyright" LICENSE || fail "copyright is not LICENSE"
cmp -s "$root/usr/share/doc/dqo-users/README.md" README.md || fail "/usr/share/doc/dqo-users/README.md is not README.md"
# The changelog is the git history at build time: its newest commit is HEAD.
changelog=$(gzip -dc "$root/usr/share/doc/dqo-users/changelog.gz") || fail "changelog.gz is not gzip"
head_commit=$(git log -1 --no-merges --format='%ad %h' --date=short)
[[ $changelog == "dqo-users: changes, newest first, from the git history"* ]] || fail "changelog.gz does not start with its title"
grep -qF -- "* $head_commit " <<<"$changelog" || fail "changelog.gz does not list the newest commit ($head_commit)"
man_page=$(gzip -dc "$root/usr/share/man/man1/dqo-users.1.gz")
for heading in '.SH "EXIT STATUS"' '.SH ENVIRONMENT' '.SH FILES'; do
  grep -qxF -- "$heading" <<<"$man_page" || fail "dqo-users.1.gz lacks $heading"
done
cmp -s "$root$deb_zsh" completions/dqo-users.zsh || fail "$deb_zsh is not completions/dqo-users.zsh"
"$root/usr/bin/dqo-users" version | grep -qF "$version" ||
  fail "dqo-users version does not say $version: $("$root/usr/bin/dqo-users" version 2>&1)"

for want in "${common[@]}" "${pages[@]}" "$rpm_zsh"; do
  has "$rpm_files" "$want" || fail "the .rpm lacks $want"
done
has "$rpm_files" "$deb_zsh" && fail "the .rpm holds the deb's zsh path $deb_zsh"
rpm_info=$(rpm -qp --queryformat '%{NAME} %{VERSION} %{LICENSE} %{URL}' "$rpm")
[[ $rpm_info == "dqo-users $version Apache-2.0 https://github.com/dqops-users/dqo-users" ]] ||
  fail "rpm name, version, licence and URL are '$rpm_info'"
rpm_recommends=$(rpm -qp --recommends "$rpm")
[[ $rpm_recommends == bash-completion ]] || fail "the .rpm recommends '$rpm_recommends', want bash-completion"

if ((failures)); then
  echo "test-packages: $failures failure(s)" >&2
  exit 1
fi
echo "test-packages: ok ($(basename "$deb"), $(basename "$rpm"))"
