#!/bin/bash
# A new branch is one line in branches.conf plus its folder under patches/:
# a fake 6.99 (family B) made from the default branch's Debian tree with
# PATCHLEVEL 99, a line of its own, a folder holding only series and
# fix.facts (the inputs a maintainer writes); the generators make its
# patches, then the quick checks pass on it: the branch table, the headers,
# the fix and the generated test patch applied at fuzz 0 and offset 0, the family
# choice, the stock kernel lookup. Nothing else in the tree is touched.
. "$(dirname "$0")/lib.sh"
D=$(default_branch)
if ! src=$("$TOP/scripts/source/fetch-source" "$D" 2>/dev/null); then
	skip "a new branch" "no $D tree (scripts/source/fetch-source $D)"
	done_testing
fi
N=${D%%.*}.99
FAM=$(branch_field "$D" family)
# the synthetic tree: D's, its Makefile saying N
cp -al "$src" "$TMP/tree"
rm "$TMP/tree/Makefile"
sed "s/^PATCHLEVEL = .*/PATCHLEVEL = ${N#*.}/" "$src/Makefile" >"$TMP/tree/Makefile"
# the one line and the folder
export BRANCHES_CONF=$TMP/branches.conf PATCHES_DIR=$TMP/patches KUNIT_PATCHES_DIR=$TMP/kunit-patches
cp "$TOP/branches.conf" "$BRANCHES_CONF"
printf '%s %s %s.%s - - - - public-copy -\n' "$N" "$FAM" "$N" "$(tree_version "$src" | cut -d. -f3)" >>"$BRANCHES_CONF"
cp -a "$TOP/patches" "$PATCHES_DIR"
mkdir "$PATCHES_DIR/$N"
cp "$TOP/patches/$D/fix.facts" "$PATCHES_DIR/$N/"
series_patches "$D" series >"$PATCHES_DIR/$N/series"

run_cmd "$TOP/scripts/branches"
[ "$(last_rc)" = 0 ] && grep_q -x "$N" "$TMP/last.out"; ok $? "scripts/branches lists $N" "$(cat "$TMP/last.out" "$TMP/last.err")"
run_cmd "$TOP/scripts/series/mk-fix-patch" "$N" "$TMP/tree"
ok "$(last_rc)" "mk-fix-patch $N: its fix patch made from the tree" "$(last_err)"
run_cmd "$TOP/scripts/series/mk-test-patch" "$N" "$TMP/tree"
[ "$(last_rc)" = 0 ] && [ -s "$KUNIT_PATCHES_DIR/$N/series.kunit" ]; ok $? "mk-test-patch $N: its test-only patch made from kunit/, into the cache" "$(last_err)"
run_cmd "$TOP/scripts/series/check-headers" "$N"
ok "$(last_rc)" "check-headers $N" "$(cat "$TMP/last.out" "$TMP/last.err")"
run_cmd "$TOP/scripts/series/fit-series" "$TMP/tree"
[ "$(last_rc)" = 0 ] && [ "$(cat "$TMP/last.out")" = "$N" ] && last_err | grep_q "is family $FAM: the $N series (its own version)"; ok $? \
	"fit-series: the $N tree takes the $N series (its own version)" "$(last_err)"
# the files the two series touch, in a tree of their own
mkdir -p "$TMP/mini/drivers/pci"
cp "$TMP/tree/Makefile" "$src/Kconfig" "$TMP/mini/"
cp "$src/$FIX_FILE" "$src/drivers/pci/Kconfig" "$src/drivers/pci/Makefile" "$TMP/mini/drivers/pci/"
run_cmd "$TOP/scripts/series/apply-series" --strict "$N" "$TMP/mini"
[ "$(last_rc)" = 0 ] && fix_present "$TMP/mini/$FIX_FILE"; ok $? "apply-series --strict $N: the fix at fuzz 0, offset 0" "$(last_err)"
PATCHES_DIR=$KUNIT_PATCHES_DIR run_cmd "$TOP/scripts/series/apply-series" --strict --series series.kunit "$N" "$TMP/mini"
[ "$(last_rc)" = 0 ] && grep_q "^config PCI_PROBE_NUMA_KUNIT_TEST" "$TMP/mini/drivers/pci/Kconfig"; ok $? \
	"apply-series --strict --series series.kunit $N: the test patch at fuzz 0, offset 0" "$(last_err)"
run_cmd bash -c ". '$TOP/scripts/lib.sh'; . '$TOP/scripts/lib/system.sh'; stock_kernel $N"
[ "$(last_rc)" = 0 ] && grep_q "^- - - no Debian kernel of $N: a public-copy branch" "$TMP/last.out"; ok $? \
	"stock_kernel $N: none (stock -), said why, not an error" "$(cat "$TMP/last.out" "$TMP/last.err")"
! { git -C "$TOP" status --porcelain -- branches.conf patches | grep_q .; }; ok $? "the project's own branches.conf and patches/ untouched"
done_testing
