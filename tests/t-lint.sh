#!/bin/bash
# Lint: every environment knob the scripts read is in the README's table;
# the project's shell scripts pass shellcheck (warnings and up).
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1
# (the canary's PCIPROBE_REPORT_* seams are named there as one group)
missing=$(grep -rhoE 'PCIPROBE_[A-Z_]+' scripts tools fleet Makefile | sort -u | grep -v '^PCIPROBE_REPORT_' |
	while read -r k; do grep_q -F "\`$k\`" README.md || echo "$k"; done)
[ -z "$missing" ]; ok $? "every PCIPROBE_ knob the scripts read is in the README's Knobs table" "missing: $missing"
if ! command -v shellcheck >/dev/null; then
	skip "shellcheck" "shellcheck not installed (scripts/install-deps)"
	done_testing
fi
# SC1007: "A= B=" empty assignments; SC2034: lib.sh variables used by the
# scripts that source it; SC2054: commas inside QEMU arguments.
# shell files only (a shebang naming a shell, or a shellcheck directive): data files live beside the scripts
mapfile -t F < <( (git ls-files -co --exclude-standard scripts tests/run tests/fleet .ci/run "tests/*.sh" 2>/dev/null || find scripts tests/run tests/fleet .ci/run tests/*.sh -type f) |
	while read -r f; do head -2 "$f" | grep_q -E '^#!.*(ba|da)?sh|shellcheck shell=' && echo "$f"; done)
out=$(shellcheck -x -S warning -e SC1007,SC2034,SC2054 "${F[@]}" 2>&1)
ok $? "shellcheck -S warning: scripts, tests, .ci/run" "$out"
done_testing
