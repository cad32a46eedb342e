#!/usr/bin/env bash
# make generate: renders docs/ from the provider's schema, examples/ and
# templates/ with tfplugindocs. The schema comes from $TERRAFORM (terraform,
# else tofu, on PATH) running `providers schema -json` against the provider
# built here, through a dev_overrides CLI configuration (no init, no
# registry), and reaches tfplugindocs as a file: left to itself, tfplugindocs
# looks for a terraform CLI and downloads one when there is none, so on a
# machine with only tofu it would fail or fetch Terraform. Terraform and
# OpenTofu give the same schema, so docs/ reads the same whichever one ran.
set -euo pipefail
root=$(CDPATH='' cd -- "$(dirname "$0")/.." && pwd)
cd "$root"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=scripts/emulator.sh
. "$root/scripts/emulator.sh"
find_cli generate
mkdir -p "$work/bin" "$work/config"
go build -o "$work/bin/terraform-provider-akool" .
use_dev_overrides "$work/bin" "$work/dev.tfrc"
cat >"$work/config/main.tf" <<'TF'
terraform {
  required_providers {
    akool = {
      source = "akool-community/akool"
    }
  }
}
TF
(cd "$work/config" && "$tf" providers schema -json) >"$work/schema.json"
# tfplugindocs finds the provider's schema under its short name; each CLI
# names it by its own registry's address.
sed -E 's#"registry\.(terraform\.io|opentofu\.org)/akool-community/akool":#"akool":#' "$work/schema.json" >"$work/akool.json"
grep -q '"akool":' "$work/akool.json" || { echo "generate: $tf providers schema -json did not list akool-community/akool" >&2; exit 1; }
go tool tfplugindocs generate --provider-name akool --providers-schema "$work/akool.json"
