#!/bin/bash
# mk-test-patch: the test-only KUnit patch is made from kunit/ for the tree
# it goes onto (never committed): on a synthetic tree it carries kunit/ as
# it is, the package as its author and no sign-off, and applies at fuzz 0
# and offset 0; a tree without the Kconfig anchor or no tree at all is
# refused in one line, and nothing is written.
. "$(dirname "$0")/lib.sh"
. "$TOP/msg/fix.conf"
MK=$TOP/scripts/series/mk-test-patch
B=$(default_branch)
export KUNIT_PATCHES_DIR=$TMP/kp
# a tree holding what the patch and is_kernel_tree read
mk_tree() {	# mk_tree DIR
	mkdir -p "$1/drivers/pci"
	printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = 1\n' "${B%.*}" "${B#*.}" >"$1/Makefile"
	printf 'mainmenu "Linux"\n' >"$1/Kconfig"
	printf '// SPDX-License-Identifier: GPL-2.0\nstatic int pci_call_probe(void) { return 0; }\n' >"$1/$FIX_FILE"
	printf 'menuconfig PCI\n\tbool "PCI support"\n\nif PCI\n\nconfig PCI_IOV\n\tbool "PCI IOV support"\n\nsource "drivers/pci/hotplug/Kconfig"\nsource "drivers/pci/controller/Kconfig"\n\nendif\n' >"$1/drivers/pci/Kconfig"
	printf '# SPDX-License-Identifier: GPL-2.0\nobj-$(CONFIG_PCI)\t\t+= access.o bus.o\nobj-$(CONFIG_PCI_IOV)\t\t+= iov.o\n' >"$1/drivers/pci/Makefile"
}
mk_tree "$TMP/t"
run_cmd "$MK" "$B" "$TMP/t"
P=$(cat "$TMP/last.out")
[ "$(last_rc)" = 0 ] && [ "$P" = "$KUNIT_PATCHES_DIR/$B/$(sed -n 1p "$KUNIT_PATCHES_DIR/$B/series.kunit")" ] && [ -s "$P" ]; ok $? \
	"mk-test-patch: the patch and its series.kunit in KUNIT_PATCHES_DIR/$B, its path printed" "$(last_err)"
got=$(awk -v f="b/drivers/pci/$KUNIT_FILE" '$1 == "+++" {on = ($2 == f); next}
	on && /^@@/ {next} on && /^\+/ {print substr($0, 2)} on && /^diff / {on=0}' "$P")
[ "$got" = "$(cat "$TOP/kunit/$KUNIT_FILE")" ]; ok $? "the patch carries kunit/$KUNIT_FILE as it is"
from=$(sed '/^$/q' "$P" | sed -n '/^From: /{s/^From: //;N;s/\n / /;s/\n.*//;p}')
[ "$from" = "$PACKAGE_IDENT" ] && ! grep -q '^Signed-off-by:' "$P" && grep -qx 'Upstream-Commit: not-for-upstream' "$P"; ok $? \
	"test only: From: the package ($PACKAGE_IDENT), no Signed-off-by, Upstream-Commit: not-for-upstream" "$(sed '/^$/q' "$P")"
out=$(cd "$TMP/t" && patch -p1 -F0 <"$P" 2>&1)
[ $? = 0 ] && ! grep -qi 'offset\|fuzz' <<<"$out" && grep -q '^config PCI_PROBE_NUMA_KUNIT_TEST$' "$TMP/t/drivers/pci/Kconfig" &&
	grep -q "^obj-\$(CONFIG_PCI_PROBE_NUMA_KUNIT_TEST)" "$TMP/t/drivers/pci/Makefile" && [ -f "$TMP/t/drivers/pci/$KUNIT_FILE" ]; ok $? \
	"it applies to the tree it was made for at fuzz 0, offset 0: Kconfig entry, Makefile line, the test file" "$out"
# made again: the new pair replaces the old one whole, nothing left beside it
echo stale >"$KUNIT_PATCHES_DIR/$B/0199-stale.patch"
mk_tree "$TMP/t2"
run_cmd "$MK" "$B" "$TMP/t2"
[ "$(last_rc)" = 0 ] && [ ! -e "$KUNIT_PATCHES_DIR/$B/0199-stale.patch" ] && [ "$(ls -A "$KUNIT_PATCHES_DIR" | tr '\n' ' ')" = "$B " ]; ok $? \
	"made again: the old pair replaced whole, no temporary left" "$(ls -A "$KUNIT_PATCHES_DIR"; last_err)"
# --out DIR
run_cmd "$MK" --out "$TMP/o" "$B" "$TMP/t2"
[ "$(last_rc)" = 0 ] && [ -s "$TMP/o/$B/series.kunit" ]; ok $? "--out DIR: the pair in DIR/$B" "$(last_err)"
# refusals: one line, nothing written
mk_tree "$TMP/noanchor"
sed -i '/hotplug\/Kconfig/d' "$TMP/noanchor/drivers/pci/Kconfig"
run_cmd "$MK" --out "$TMP/none" "$B" "$TMP/noanchor"
[ "$(last_rc)" = 1 ] && [ "$(last_err | wc -l)" = 1 ] && last_err | grep_q 'drivers/pci/hotplug/Kconfig' && [ ! -e "$TMP/none" ]; ok $? \
	"a Kconfig without the hotplug source line: exit 1, one line, nothing written" "$(last_err)"
mkdir -p "$TMP/empty"
run_cmd "$MK" --out "$TMP/none" "$B" "$TMP/empty"
[ "$(last_rc)" = 2 ] && [ "$(last_err | wc -l)" = 1 ] && last_err | grep_q 'not a kernel tree' && [ ! -e "$TMP/none" ]; ok $? \
	"not a kernel tree: exit 2, one line, nothing written" "$(last_err)"
run_cmd "$MK" 4.19 "$TMP/t2"
[ "$(last_rc)" = 2 ] && [ "$(last_err | wc -l)" = 1 ]; ok $? "unknown branch: exit 2, one line" "$(last_err)"
! { git -C "$TOP" ls-files patches | grep_q -e 0100- -e series.kunit; }; ok $? "no test-only patch is committed under patches/"
done_testing
