#!/usr/bin/env bash
# make demo: build the provider, start the Akool emulator on loopback, and run
# `terraform apply` of examples/demo through a dev_overrides CLI config (no
# `terraform init`, no registry access). The images end up as PNG files, and
# a gallery page of them as .demo/index.html. The CLI is $TERRAFORM, else
# terraform, else tofu (OpenTofu) on PATH.
set -euo pipefail
root=$(CDPATH='' cd -- "$(dirname "$0")/.." && pwd)
work="$root/.demo"
bin="$root/bin"

# shellcheck source=scripts/emulator.sh
. "$root/scripts/emulator.sh"
find_cli demo
cli=$(basename "$tf")

echo "==> building the provider and the emulator"
build_binaries "$root" "$bin"

rm -rf "$work"
mkdir -p "$work"
cp "$root"/examples/demo/*.tf "$root"/examples/demo/*.tftpl "$work/"

echo "==> starting the Akool emulator on loopback"
start_emulator "$bin" "$work" -queue-time 1s -process-time 2s
echo "    emulator at $AKOOL_ENDPOINT"
use_dev_overrides "$bin" "$work/dev.tfrc"

cd "$work"
echo "==> $cli apply (dev_overrides, no $cli init)"
# The outputs are shown below, one by one: the gallery page is too long to read here.
"$tf" apply -auto-approve -input=false -no-color | sed '/^Outputs:$/,$d'

echo
echo "==> a second plan changes nothing and sends no generation"
"$tf" plan -detailed-exitcode -input=false -no-color >/dev/null && echo "    no changes"

echo
echo "==> the generated images, saved as files you can open:"
"$tf" output -raw image_files | sed "s/^/    /"
echo
echo "==> the hero's web-ready renditions, rendered locally and marked like their source:"
"$tf" output -raw renditions | sed "s/^/    /"
echo
# Each file says inside that it is AI-generated; show one file's marking when
# exiftool is there to read it.
if command -v exiftool >/dev/null 2>&1; then
	echo "==> the marking inside the first file, read by exiftool:"
	exiftool -XMP-iptcExt:DigitalSourceType -XMP-xmp:CreatorTool -XMP-xmp:CreateDate -XMP-akool:JobID \
		-XMP-iptcCore:AltTextAccessibility "$("$tf" output -raw image_files | head -n 1)" | sed "s/^/    /"
	echo
fi

# The configuration renders the gallery from the local copies; its links are
# relative to this directory.
"$tf" output -raw gallery_html >"$work/index.html"
echo "==> a gallery of every picture with its prompt, scale, kind, id, expiry and marking:"
echo "    $work/index.html"
