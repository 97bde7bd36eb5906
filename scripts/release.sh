#!/usr/bin/env bash
# Builds the release archives of kubectl-netpol, their checksums, and the krew manifest
# filled in from them. See the README, "Cutting a release".
#
#   scripts/release.sh all [TARGET...]       build and pack each TARGET, then checksums, krew
#   scripts/release.sh build TARGET...       cargo build --release --target TARGET, and pack
#   scripts/release.sh pack BINARY OS_ARCH   pack a built binary as kubectl-netpol_OS_ARCH.tar.gz
#   scripts/release.sh checksums             write checksums.txt (sha256) of the archives
#   scripts/release.sh krew                  write netpol.yaml from krew/netpol.yaml
#
# TARGET is a Rust target triple: x86_64-unknown-linux-musl (linux_amd64),
# aarch64-unknown-linux-musl (linux_arm64), x86_64-apple-darwin (darwin_amd64),
# aarch64-apple-darwin (darwin_arm64); `all` without one builds the four. The archives can be
# built on several machines (one per OS) and gathered in DIST before `checksums` and `krew`.
#
# Environment:
#   DIST      where archives, checksums.txt and netpol.yaml go [default: dist]
#   VERSION   the version released, without v [default: that of Cargo.toml]
#   REPO_URL  the repository's page, https://github.com/OWNER/NAME: krew's homepage, and
#             the archives' addresses, REPO_URL/releases/download/vVERSION/ARCHIVE
#             [default: from the git remote origin, when it is on GitHub]
#   SOURCE_DATE_EPOCH  the time stamp of the files in the archives [default: the commit's]
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dist=${DIST:-dist}
platforms=(linux_amd64 linux_arm64 darwin_amd64 darwin_arm64)

die() {
    echo "release.sh: $*" >&2
    exit 1
}

# The OS_ARCH of krew/netpol.yaml a Rust target is released as.
platform_of() {
    case $1 in
    x86_64-unknown-linux-*) echo linux_amd64 ;;
    aarch64-unknown-linux-*) echo linux_arm64 ;;
    x86_64-apple-darwin) echo darwin_amd64 ;;
    aarch64-apple-darwin) echo darwin_arm64 ;;
    *) die "no krew platform for the target $1" ;;
    esac
}

version() {
    local v=${VERSION:-}
    if [[ -z $v ]]; then
        v=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)
    fi
    v=${v#v}
    [[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] ||
        die "VERSION must look like 1.2.3, not ${v:-nothing}"
    echo "$v"
}

repo_url() {
    local url=${REPO_URL:-}
    if [[ -z $url ]]; then
        url=$(git -C "$root" remote get-url origin 2>/dev/null || true)
        # git@github.com:OWNER/NAME.git and https://github.com/OWNER/NAME(.git)
        url=${url%.git}
        if [[ $url =~ ^git@github\.com:(.+)$ ]]; then
            url=https://github.com/${BASH_REMATCH[1]}
        fi
        [[ $url == https://github.com/*/* ]] ||
            die "set REPO_URL=https://github.com/OWNER/NAME (no GitHub remote origin to take it from)"
    fi
    [[ $url =~ ^https://[^[:space:]\"]+$ ]] || die "REPO_URL must be an https:// address, not $url"
    echo "${url%/}"
}

sha256() {
    if command -v sha256sum >/dev/null; then
        sha256sum "$1" | cut -d ' ' -f 1
    else
        shasum -a 256 "$1" | cut -d ' ' -f 1
    fi
}

# pack BINARY OS_ARCH: DIST/kubectl-netpol_OS_ARCH.tar.gz, everything at the top level.
pack() {
    local binary=$1 platform=$2
    [[ -f $binary ]] || die "no binary $binary"
    [[ " ${platforms[*]} " == *" $platform "* ]] || die "unknown platform $platform"
    local stage=$work/$platform
    rm -rf "$stage"
    mkdir "$stage"
    install -m 755 "$binary" "$stage/kubectl-netpol"
    install -m 755 "$root/completions/kubectl_complete-netpol" "$stage/"
    install -m 644 "$root/completions/kubectl-netpol.bash" "$root/completions/_kubectl-netpol" \
        "$root/completions/kubectl-netpol.fish" "$root"/man/*.1 \
        "$root/README.md" "$root/LICENSE" "$stage/"
    mkdir -p "$dist"
    local archive=$dist/kubectl-netpol_$platform.tar.gz
    local epoch=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)}
    local files
    files=$(cd "$stage" && LC_ALL=C ls -A)
    # The same bytes for the same files: names sorted, owner and time fixed, no gzip time.
    if tar --version 2>/dev/null | grep -q GNU; then
        # shellcheck disable=SC2086
        (cd "$stage" && tar --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
            --format=ustar -cf - $files) | gzip -n -9 >"$archive"
    else
        # shellcheck disable=SC2086
        (cd "$stage" && tar --uid 0 --gid 0 -cf - $files) | gzip -n -9 >"$archive"
    fi
    echo "$archive"
}

build() {
    local target platform
    for target in "$@"; do
        platform=$(platform_of "$target")
        (cd "$root" && cargo build --release --locked --target "$target" --bin kubectl-netpol)
        local dir=${CARGO_TARGET_DIR:-$root/target}
        pack "$dir/$target/release/kubectl-netpol" "$platform"
    done
}

# checksums: DIST/checksums.txt, in sha256sum's format, of every archive in DIST.
checksums() {
    local archives=("$dist"/kubectl-netpol_*.tar.gz)
    [[ -e ${archives[0]} ]] || die "no kubectl-netpol_*.tar.gz in $dist"
    local a out=
    for a in "${archives[@]}"; do
        out+="$(sha256 "$a")  $(basename "$a")"$'\n'
    done
    printf '%s' "$out" >"$dist/checksums.txt"
    echo "$dist/checksums.txt"
}

# krew: DIST/netpol.yaml, krew/netpol.yaml with its placeholders filled in from
# DIST/checksums.txt. Every platform of the template needs its archive.
krew() {
    local version url sums=$dist/checksums.txt
    # No stale manifest left behind when this fails.
    rm -f "$dist/netpol.yaml"
    version=$(version)
    url=$(repo_url)
    [[ -f $sums ]] || die "no $sums: run \`scripts/release.sh checksums\` first"
    local text
    # The template's instructions (its first comment lines) are for this script.
    text=$(awk 'body || !/^#/ { body = 1; print }' "$root/krew/netpol.yaml")
    text="# Generated by scripts/release.sh from krew/netpol.yaml for kubectl-netpol $version."$'\n'"$text"
    text=${text//"{{VERSION}}"/$version}
    text=${text//"{{HOMEPAGE}}"/$url}
    local platform archive sum up
    for platform in "${platforms[@]}"; do
        archive=kubectl-netpol_$platform.tar.gz
        sum=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$sums")
        [[ $sum =~ ^[0-9a-f]{64}$ ]] || die "$archive is not in $sums (every platform of krew/netpol.yaml needs its archive)"
        up=$(echo "$platform" | tr '[:lower:]' '[:upper:]')
        text=${text//"{{URI_$up}}"/$url/releases/download/v$version/$archive}
        text=${text//"{{SHA256_$up}}"/$sum}
    done
    if [[ $text == *"{{"* ]]; then
        die "placeholders left in krew/netpol.yaml: $(grep -o '{{[A-Z0-9_]*}}' <<<"$text" | sort -u | tr '\n' ' ')"
    fi
    printf '%s\n' "$text" >"$dist/netpol.yaml"
    echo "$dist/netpol.yaml"
}

case ${1-} in
all)
    shift
    if [[ $# -eq 0 ]]; then
        set -- x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-apple-darwin \
            aarch64-apple-darwin
    fi
    build "$@"
    checksums
    krew
    ;;
build)
    shift
    [[ $# -gt 0 ]] || die "build needs a target, e.g. x86_64-unknown-linux-musl"
    build "$@"
    ;;
pack)
    [[ $# -eq 3 ]] || die "usage: scripts/release.sh pack BINARY OS_ARCH"
    pack "$2" "$3"
    ;;
checksums) checksums ;;
krew) krew ;;
-h | --help | help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
*) die "usage: scripts/release.sh all|build|pack|checksums|krew (see --help)" ;;
esac
