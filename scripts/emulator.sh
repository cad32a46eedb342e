# shellcheck shell=bash
# Sourced by demo.sh, compat.sh and generate.sh: find the CLI, build the provider and the emulator,
# start the emulator on loopback, and point Terraform or OpenTofu at both
# through a dev_overrides CLI configuration (no init, no registry access).

# find_cli NAME: sets tf to the CLI to run, $TERRAFORM else terraform else
# tofu on PATH, as an absolute path (the scripts run it from another
# directory, so TERRAFORM=.clis/tofu-1.12.6/tofu must name it from here);
# NAME is the calling script's, for its error messages.
find_cli() {
	tf=${TERRAFORM:-$(command -v terraform || command -v tofu || true)}
	[ -n "$tf" ] || { echo "$1: neither a terraform nor a tofu CLI was found on PATH: install Terraform (1.5 or later) or OpenTofu (1.6 or later)" >&2; return 1; }
	command -v "$tf" >/dev/null || { echo "$1: $tf is not an executable terraform or tofu CLI" >&2; return 1; }
	# CDPATH= keeps cd from printing a directory it found through CDPATH.
	case $tf in */*) tf="$(CDPATH='' cd -- "$(dirname "$tf")" && pwd)/$(basename "$tf")" ;; esac
}

# build_binaries ROOT BIN: the provider and the emulator, into BIN.
build_binaries() {
	mkdir -p "$2"
	go build -o "$2/terraform-provider-akool" "$1"
	go build -o "$2/akool-emulator" "$1/internal/emulator/cmd/akool-emulator"
}

# start_emulator BIN WORK [FLAGS...]: starts BIN/akool-emulator with a new API
# key, logging to WORK/emulator.log, stops it when the script exits, and
# exports AKOOL_ENDPOINT and AKOOL_API_KEY for it.
start_emulator() {
	local bin=$1 work=$2
	shift 2
	local key endpoint="" pid
	key="emulator-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
	"$bin/akool-emulator" -listen 127.0.0.1:0 -api-key "$key" "$@" >"$work/emulator.log" 2>&1 &
	pid=$!
	# shellcheck disable=SC2064 # the pid is known now
	trap "kill $pid 2>/dev/null || true" EXIT
	for _ in $(seq 1 100); do
		endpoint=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/emulator.log" | head -n1 || true)
		[ -n "$endpoint" ] && break
		kill -0 "$pid" 2>/dev/null || { cat "$work/emulator.log" >&2; return 1; }
		sleep 0.1
	done
	[ -n "$endpoint" ] || { echo "the emulator did not report its address" >&2; cat "$work/emulator.log" >&2; return 1; }
	export AKOOL_ENDPOINT="$endpoint" AKOOL_API_KEY="$key"
	unset AKOOL_CLIENT_ID AKOOL_CLIENT_SECRET AKOOL_TOKEN
}

# use_dev_overrides BIN FILE: writes a CLI configuration that runs the
# provider in BIN, and exports TF_CLI_CONFIG_FILE for it. Terraform resolves
# akool-community/akool in its registry, OpenTofu in its own: one override
# for each, and each CLI ignores the other's.
use_dev_overrides() {
	cat >"$2" <<TFRC
provider_installation {
  dev_overrides {
    "registry.terraform.io/akool-community/akool" = "$1"
    "registry.opentofu.org/akool-community/akool" = "$1"
  }
  direct {}
}
TFRC
	export TF_CLI_CONFIG_FILE="$2" CHECKPOINT_DISABLE=1
}
