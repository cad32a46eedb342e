#!/usr/bin/env bash
# make demo: build the provider, start the Akool emulator on loopback, and run
# `terraform apply` of examples/demo through a dev_overrides CLI config (no
# `terraform init`, no registry access). The images end up as PNG files, and
# a gallery page of them as .demo/index.html.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/.demo"
bin="$root/bin"

command -v terraform >/dev/null 2>&1 || { echo "demo: terraform CLI not found on PATH" >&2; exit 1; }

echo "==> building the provider and the emulator"
mkdir -p "$bin"
go build -o "$bin/terraform-provider-akool" "$root"
go build -o "$bin/akool-emulator" "$root/internal/emulator/cmd/akool-emulator"

rm -rf "$work"
mkdir -p "$work"
cp "$root"/examples/demo/*.tf "$root"/examples/demo/*.tftpl "$work/"

api_key="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
echo "==> starting the Akool emulator on loopback"
"$bin/akool-emulator" -listen 127.0.0.1:0 -api-key "$api_key" \
	-queue-time 1s -process-time 2s >"$work/emulator.log" 2>&1 &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true' EXIT

endpoint=""
for _ in $(seq 1 100); do
	endpoint=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/emulator.log" | head -n1 || true)
	[ -n "$endpoint" ] && break
	kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.log" >&2; exit 1; }
	sleep 0.1
done
[ -n "$endpoint" ] || { echo "demo: the emulator did not report its address" >&2; cat "$work/emulator.log" >&2; exit 1; }
echo "    emulator at $endpoint"

cat >"$work/dev.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "registry.terraform.io/akool-community/akool" = "$bin"
  }
  direct {}
}
TFRC

export TF_CLI_CONFIG_FILE="$work/dev.tfrc"
export AKOOL_ENDPOINT="$endpoint"
export AKOOL_API_KEY="$api_key"
export CHECKPOINT_DISABLE=1
unset AKOOL_CLIENT_ID AKOOL_CLIENT_SECRET AKOOL_TOKEN

cd "$work"
echo "==> terraform apply (dev_overrides, no terraform init)"
# The outputs are shown below, one by one: the gallery page is too long to read here.
terraform apply -auto-approve -input=false -no-color | sed '/^Outputs:$/,$d'

echo
echo "==> a second plan changes nothing and sends no generation"
terraform plan -detailed-exitcode -input=false -no-color >/dev/null && echo "    no changes"

echo
echo "==> the generated images, saved as files you can open:"
terraform output -raw image_files | sed "s/^/    /"
echo
# Each file says inside that it is AI-generated; show one file's marking when
# exiftool is there to read it.
if command -v exiftool >/dev/null 2>&1; then
	echo "==> the marking inside the first file, read by exiftool:"
	exiftool -XMP-iptcExt:DigitalSourceType -XMP-xmp:CreatorTool -XMP-xmp:CreateDate -XMP-akool:JobID \
		-XMP-iptcCore:AltTextAccessibility "$(terraform output -raw image_files | head -n 1)" | sed "s/^/    /"
	echo
fi

# The configuration renders the gallery from the local copies; its links are
# relative to this directory.
terraform output -raw gallery_html >"$work/index.html"
echo "==> a gallery of every picture with its prompt, scale, kind, id, expiry and marking:"
echo "    $work/index.html"
