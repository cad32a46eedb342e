#!/usr/bin/env bash
# make clis: builds the Terraform and OpenTofu CLIs of the compatibility matrix
# from the Go module proxy (no release download site is needed) into $CLIS_DIR,
# once per machine: a CLI already built is reused. Prints one line per CLI,
# "name path", for scripts/compat.sh. With arguments (such as tofu-1.12.6),
# builds only the CLIs named.
#   terraform 1.5.7   go install (the last MPL-licensed Terraform)
#   tofu 1.6.3        go install (the first OpenTofu release line)
#   tofu 1.12.6       go build in a copy of the module: its go.mod has a replace
#                     directive, which go install refuses
# Terraform releases after 1.5 cannot be built from the proxy (their nested
# modules are not in the module zip); the current one comes from PATH.
set -euo pipefail
root=$(CDPATH='' cd -- "$(dirname "$0")/.." && pwd)
dir=${CLIS_DIR:-$root/.clis}
mkdir -p "$dir"
export GOFLAGS=-buildvcs=false CGO_ENABLED=0

log() { printf 'clis: %s\n' "$*" >&2; }

# wanted NAME VERSION: whether the arguments name this CLI (or there are none).
wanted() {
	[ ${#names[@]} = 0 ] && return 0
	local n
	for n in "${names[@]}"; do [ "$n" = "$1-$2" ] && return 0; done
	return 1
}
names=("$@")

# OpenTofu's release builds say they are not development builds, which
# otherwise report their version as X.Y.Z-dev.
tofu_release=(-ldflags "-X github.com/opentofu/opentofu/version.dev=no")

# go_install NAME VERSION PACKAGE BINARY [BUILD FLAGS...]
go_install() {
	local out="$dir/$1-$2"
	wanted "$1" "$2" || return 0
	if [ ! -x "$out/$4" ]; then
		log "building $1 $2 with go install $3@v$2 (a few minutes, once per machine)"
		mkdir -p "$out.tmp"
		GOBIN="$out.tmp" go install "${@:5}" "$3@v$2"
		rm -rf "$out" && mv "$out.tmp" "$out"
	fi
	echo "$1-$2 $out/$4"
}

# go_build_copy NAME VERSION MODULE BINARY [BUILD FLAGS...]: for modules go
# install refuses.
go_build_copy() {
	local out="$dir/$1-$2"
	wanted "$1" "$2" || return 0
	if [ ! -x "$out/$4" ]; then
		log "building $1 $2 from a copy of $3@v$2 (a few minutes, once per machine)"
		local src
		src=$(go mod download -json "$3@v$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
		[ -n "$src" ] || { log "go mod download did not report the directory of $3@v$2"; exit 1; }
		rm -rf "$out.src" && cp -r "$src" "$out.src" && chmod -R u+w "$out.src"
		mkdir -p "$out.tmp"
		(cd "$out.src" && go build "${@:5}" -o "$out.tmp/$4" "./cmd/$4")
		rm -rf "$out.src" "$out" && mv "$out.tmp" "$out"
	fi
	echo "$1-$2 $out/$4"
}

go_install terraform 1.5.7 github.com/hashicorp/terraform terraform
go_install tofu 1.6.3 github.com/opentofu/opentofu/cmd/tofu tofu "${tofu_release[@]}"
go_build_copy tofu 1.12.6 github.com/opentofu/opentofu tofu "${tofu_release[@]}"
