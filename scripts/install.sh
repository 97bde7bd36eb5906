#!/bin/sh
# Installs a released kubectl-netpol: downloads the archive of this OS and architecture from
# a GitHub release, checks its SHA-256 against the release's checksums.txt, and unpacks it
# (the binary, kubectl_complete-netpol, the man pages...) into a directory. The GitHub
# Action (action.yml) runs it; it works as well on a laptop or in any CI:
#
#   sh scripts/install.sh --repo OWNER/kubectl-netpol --version v0.1.0 --dir ~/.local/bin
#
# Options:
#   --repo OWNER/NAME       the repository of the releases (required unless
#                           KUBECTL_NETPOL_RELEASES is set)
#   --version TAG|latest    the release, v0.1.0 or 0.1.0 [default: latest]
#   --dir DIR               where to unpack [default: ./kubectl-netpol]
#   --platform OS_ARCH      linux_amd64, linux_arm64, darwin_amd64 or darwin_arm64
#                           [default: this machine's]
# KUBECTL_NETPOL_RELEASES overrides the address of the releases
# (https://github.com/OWNER/NAME/releases): a mirror, or file:// for a test.
set -eu

repo=
version=latest
dir=./kubectl-netpol
platform=

die() {
    echo "install.sh: $*" >&2
    exit 1
}

while [ $# -gt 0 ]; do
    case $1 in
    -h | --help)
        sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    --repo | --version | --dir | --platform)
        [ $# -ge 2 ] || die "$1 needs a value"
        case $1 in
        --repo) repo=$2 ;;
        --version) version=$2 ;;
        --dir) dir=$2 ;;
        --platform) platform=$2 ;;
        esac
        shift 2
        ;;
    *) die "unknown argument $1 (see --help)" ;;
    esac
done

if [ -z "$platform" ]; then
    case $(uname -s) in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) die "no release for $(uname -s); build from source: cargo install --locked --path ." ;;
    esac
    case $(uname -m) in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "no release for $(uname -m); build from source: cargo install --locked --path ." ;;
    esac
    platform=${os}_${arch}
fi
case $platform in
linux_amd64 | linux_arm64 | darwin_amd64 | darwin_arm64) ;;
*) die "unknown platform $platform" ;;
esac

releases=${KUBECTL_NETPOL_RELEASES:-}
if [ -z "$releases" ]; then
    case $repo in
    */*) releases=https://github.com/$repo/releases ;;
    *) die "--repo OWNER/NAME is required" ;;
    esac
fi
case $version in
latest) base=$releases/latest/download ;;
v*) base=$releases/download/$version ;;
[0-9]*) base=$releases/download/v$version ;;
*) die "--version is a tag such as v0.1.0, or latest; not $version" ;;
esac

asset=kubectl-netpol_$platform.tar.gz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

fetch() {
    if command -v curl >/dev/null 2>&1; then
        curl -fsSL --retry 3 -o "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget -q -O "$2" "$1"
    else
        die "neither curl nor wget is installed"
    fi
}

fetch "$base/$asset" "$tmp/$asset" || die "cannot download $base/$asset"
fetch "$base/checksums.txt" "$tmp/checksums.txt" || die "cannot download $base/checksums.txt"

want=$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1 }' "$tmp/checksums.txt")
[ -n "$want" ] || die "$asset is not in checksums.txt of $base"
if command -v sha256sum >/dev/null 2>&1; then
    got=$(sha256sum "$tmp/$asset" | cut -d ' ' -f 1)
elif command -v shasum >/dev/null 2>&1; then
    got=$(shasum -a 256 "$tmp/$asset" | cut -d ' ' -f 1)
else
    die "neither sha256sum nor shasum is installed"
fi
[ "$got" = "$want" ] || die "checksum mismatch for $asset: checksums.txt says $want, the download is $got"

mkdir -p "$dir"
tar -xzf "$tmp/$asset" -C "$dir"
[ -x "$dir/kubectl-netpol" ] || die "$asset holds no kubectl-netpol"
# The version, when the binary runs here (--platform may name another).
installed=$("$dir/kubectl-netpol" --version 2>/dev/null) || installed="kubectl-netpol ($platform)"
echo "installed $installed in $dir"
