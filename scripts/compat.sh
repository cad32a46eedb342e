#!/usr/bin/env bash
# make compat: runs, on each supported CLI, the Terraform-driven tests, the
# example module's own tests (terraform test / tofu test) and the demo
# configuration, and prints a table of the results. The CLIs are those
# scripts/clis.sh builds, plus the terraform and tofu on PATH;
# COMPAT_CLIS="tofu-1.12.6 ..." keeps only the ones named, and
# COMPAT_PARTS="module demo" only those parts (acceptance, module, demo).
# Logs go to .compat/<cli>/. Exits 1 when anything failed.
set -uo pipefail
root=$(CDPATH='' cd -- "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
out="$root/.compat"
bin="$root/bin"
rm -rf "$out"
mkdir -p "$out"
export CHECKPOINT_DISABLE=1

# shellcheck source=scripts/emulator.sh
. "$root/scripts/emulator.sh"

# cli_version PATH: "terraform 1.5.7" or "tofu 1.12.6". A CLI configuration
# file that is not there only adds a warning, which is skipped.
cli_version() {
	"$1" version 2>/dev/null | sed -nE 's/^Terraform v([^ ]+).*/terraform \1/p; s/^OpenTofu v([^ ]+).*/tofu \1/p' | head -n1
}

# at_least VERSION MINIMUM
at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# has_feature PRODUCT VERSION TERRAFORM_MIN TOFU_MIN
has_feature() {
	if [ "$1" = tofu ]; then at_least "$2" "$4"; else at_least "$2" "$3"; fi
}

# shellcheck disable=SC2086 # a list of names
clis=$("$root/scripts/clis.sh" ${COMPAT_CLIS:-}) || { echo "compat: building the CLIs failed" >&2; exit 1; }
for name in terraform tofu; do
	path=$(command -v "$name" || true)
	[ -n "$path" ] || continue
	v=$(cli_version "$path")
	[ -n "$v" ] && clis="$clis"$'\n'"${v/ /-} $path"
done
clis=$(printf '%s\n' "$clis" | sort -u -k1,1 | sort -V)
if [ -n "${COMPAT_CLIS:-}" ]; then
	clis=$(printf '%s\n' "$clis" | grep -wF -f <(tr ' ' '\n' <<<"$COMPAT_CLIS"))
fi

echo "==> building the provider and the emulator"
build_binaries "$root" "$bin" || exit 1

rows=()
any_failed=0
# row CLI PART PASSED FAILED SKIPPED SECONDS NOTE
row() {
	rows+=("$(printf '%-16s %-17s %6s %6s %7s %7s  %s' "$@")")
	[ "$4" = 0 ] || any_failed=1
}

# acceptance NAME PATH: every Terraform-driven test of the packages that
# drive the CLI, all against the emulator.
acceptance() {
	local log="$out/$1/acceptance.json" start=$SECONDS rc=0
	TF_ACC=1 TF_ACC_TERRAFORM_PATH="$2" go test -json -count=1 -p 1 -timeout 30m \
		-run '^TestAcc|^TestProviderBinary_' . ./internal/provider/ >"$log" 2>&1 || rc=$?
	local secs=$((SECONDS - start)) passed failed skipped note=""
	count() { grep -cE "\"Action\":\"$1\",\"Package\":\"[^\"]*\",\"Test\":\"[^\"/]*\"" "$log"; }
	passed=$(count pass) failed=$(count fail) skipped=$(count skip)
	if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
		failed=1 note="go test exited with $rc (build failure, panic or timeout): see $log"
	elif [ "$failed" != 0 ]; then
		note="failed: $(grep -oE "\"Action\":\"fail\",\"Package\":\"[^\"]*\",\"Test\":\"[^\"/]*\"" "$log" | sed -E 's/.*"Test":"([^"]*)"/\1/' | tr '\n' ' ')"
	fi
	row "$1" "acceptance tests" "$passed" "$failed" "$skipped" "$secs" "$note"
	if [ "$skipped" != 0 ]; then
		grep -oE '_test\.go:[0-9]+: [^"]* needs [A-Za-z]+ [0-9.]+ or later' "$log" | sed -E 's/^[^ ]+ //' | sort | uniq -c |
			while read -r n why; do echo "$1: $n skipped: $why" >>"$out/skips"; done
	fi
}

# module_tests NAME PATH PRODUCT VERSION: the example module's own tests,
# against the emulator, run as its guide shows (dev_overrides, no init). A
# test file that uses a feature this CLI lacks is left out of the copy (the
# CLI would refuse the whole directory) and its run blocks count as skipped.
module_tests() {
	local name=$1 tf=$2 product=$3 v=$4 start=$SECONDS
	local src="$root/examples/modules/campaign-image" work="$out/$name/module"
	local log="$out/$name/module-tests.log" skipped=0 passed=0 failed=0 note="" file summary rc
	runs_of() { grep -cE '^run "' "$1"; }
	if ! has_feature "$product" "$v" 1.6.0 1.6.0; then
		for file in "$src"/tests/*.tftest.hcl; do skipped=$((skipped + $(runs_of "$file"))); done
		row "$name" "module tests" 0 0 "$skipped" 0 "Terraform $v has no test command (Terraform 1.6 or later)"
		return
	fi
	mkdir -p "$work" && cp -r "$src"/. "$work"/
	for file in "$work"/tests/*.tftest.hcl; do
		if grep -q '^mock_provider' "$file" && ! has_feature "$product" "$v" 1.7.0 1.8.0; then
			skipped=$((skipped + $(runs_of "$file")))
			note="$note$(basename "$file") skipped: mock_provider needs Terraform 1.7 or OpenTofu 1.8; "
			rm "$file"
		fi
	done
	(
		start_emulator "$bin" "$out/$name" &&
			use_dev_overrides "$bin" "$out/$name/dev.tfrc" &&
			cd "$work" &&
			"$tf" test -no-color
	) >"$log" 2>&1
	rc=$?
	summary=$(grep -oE '[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?' "$log" | tail -n1)
	if [ -n "$summary" ]; then
		passed=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$summary")
		failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$summary")
		if grep -q skipped <<<"$summary"; then skipped=$((skipped + $(sed -E 's/.* ([0-9]+) skipped.*/\1/' <<<"$summary"))); fi
	fi
	if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then failed=1 note="${note}exited with $rc: see $log"; fi
	row "$name" "module tests" "$passed" "$failed" "$skipped" $((SECONDS - start)) "$note"
}

# demo NAME PATH: make demo with this CLI.
demo() {
	local start=$SECONDS log="$out/$1/demo.log"
	if TERRAFORM="$2" "$root/scripts/demo.sh" >"$log" 2>&1; then
		row "$1" "demo" 1 0 0 $((SECONDS - start)) ""
	else
		row "$1" "demo" 0 1 0 $((SECONDS - start)) "see $log"
	fi
}

while read -r name path; do
	[ -n "$name" ] || continue
	mkdir -p "$out/$name"
	read -r product v <<<"$(cli_version "$path")"
	v=${v%%-*} # a development build's X.Y.Z-dev has X.Y.Z's features
	echo "==> $name ($path)"
	before=${#rows[@]}
	for part in ${COMPAT_PARTS:-acceptance module demo}; do
		case $part in
		acceptance) acceptance "$name" "$path" ;;
		module) module_tests "$name" "$path" "$product" "$v" ;;
		demo) demo "$name" "$path" ;;
		*) echo "compat: unknown part $part (acceptance, module, demo)" >&2; exit 2 ;;
		esac
	done
	printf '%s\n' "${rows[@]:before}"
done <<<"$clis"

echo
echo "==> compatibility matrix (logs in .compat/)"
printf '%-16s %-17s %6s %6s %7s %7s  %s\n' CLI part passed failed skipped seconds note
printf '%s\n' "${rows[@]}"
[ -f "$out/skips" ] && { echo; echo "skipped tests, by reason:"; cat "$out/skips"; }
exit "$any_failed"
