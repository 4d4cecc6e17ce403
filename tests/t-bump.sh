#!/bin/bash
# scripts/series/bump on fake newer sublevels of the default branch (its
# Debian tree copied, SUBLEVEL + 1): context moved (2 lines added above
# pci_call_probe()) -> the fix is made again, same code change, offset 0;
# the fix already in the tree -> retired, "stable" column set; a
# pci_call_probe() the fix cannot be made for -> a human is needed and
# nothing changes. On copies of branches.conf and patches/.
. "$(dirname "$0")/lib.sh"
B=$(default_branch)
SRC=$("$TOP/scripts/source/fetch-source" "$B" 2>/dev/null) || { ok 1 "the $B source cannot be had"; done_testing; }
f=$FIX_FILE
sub=$(awk -F' *= *' '$1 == "SUBLEVEL" {print $2}' "$SRC/Makefile")
# fake DIR: the tree, SUBLEVEL + 1, its own copies of the files it changes
fake() {
	cp -al "$SRC" "$1"
	for x in Makefile "$f"; do cp --remove-destination "$SRC/$x" "$1/$x"; done
	sed -i "s/^SUBLEVEL = $sub\$/SUBLEVEL = $((sub + 1))/" "$1/Makefile"
}
setup() {	# a fresh copy of branches.conf and patches/
	rm -rf "$TMP/patches" "$TMP/branches.conf"
	cp -a "$TOP/patches" "$TMP/patches"
	cp "$BRANCHES_CONF" "$TMP/branches.conf"
}
bump() { BRANCHES_CONF=$TMP/branches.conf PATCHES_DIR=$TMP/patches KSRC=$1 run_cmd "$TOP/scripts/series/bump" "$B"; }
codelines() { grep -E '^[-+][^-+]' "$1"; }

# 1. context moved
fake "$TMP/moved"
awk '/^static int pci_call_probe\(/ && !d {print "/* two lines added above pci_call_probe() */"; print ""; d=1} {print}' \
	"$SRC/$f" >"$TMP/moved/$f"
setup
bump "$TMP/moved"
p=$(ls "$TMP/patches/$B"/0001-*.patch)
[ "$(last_rc)" = 0 ] && grep -q "^$B .*regenerated" "$TMP/last.out"; ok $? "context moved: regenerated, exit 0" "$(cat "$TMP/last.out"; last_err | tail -5)"
[ "$(codelines "$p")" = "$(codelines "$TOP/patches/$B/$(basename "$p")")" ]; ok $? "the same code change" "$(diff <(codelines "$TOP/patches/$B/$(basename "$p")") <(codelines "$p"))"
out=$(cd "$TMP/moved" && patch -p1 --dry-run -F0 <"$p" 2>&1)
[ $? = 0 ] && ! grep -q 'offset\|fuzz' <<<"$out"; ok $? "the new patch applies at fuzz 0, offset 0" "$out"
blob=$(git hash-object "$TMP/moved/$f")
grep -q "^index ${blob:0:12}" "$p" && grep -q "$blob" "$TMP/patches/$B/checked-blobs"; ok $? \
	"index line and checked-blobs name the new blob ${blob:0:12}"
( [ "$(BRANCHES_CONF=$TMP/branches.conf branch_field "$B" checked)" = "${B}.$((sub + 1))" ] &&
	[ "$(BRANCHES_CONF=$TMP/branches.conf branch_field "$B" version)" = "$(branch_field "$B" version)" ] ); ok $? \
	"branches.conf: checked ${B}.$((sub + 1)), the Debian version unchanged (KSRC)"

# 2. the fix already there
fake "$TMP/fixed"
(cd "$TMP/fixed" && patch -s -p1 -F0 <"$TOP/patches/$B/$(series_patches "$B" | sed -n 1p)")
setup
bump "$TMP/fixed"
( [ "$(last_rc)" = 0 ] && grep -q "^$B .*retired" "$TMP/last.out" &&
	[ "$(BRANCHES_CONF=$TMP/branches.conf branch_field "$B" stable)" = "${B}.$((sub + 1))" ] &&
	grep -q "^# .*retired, ${B}.$((sub + 1)) carries the fix" "$TMP/patches/$B/series" ); ok $? \
	"fix present: retired from the series, stable = ${B}.$((sub + 1))" "$(cat "$TMP/last.out" "$TMP/patches/$B/series")"

# 3. a pci_call_probe() the fix cannot be made for
fake "$TMP/odd"
sed -i 's/pci_physfn_is_probed(dev))/pci_physfn_is_probed(dev) || some_new_condition(dev))/' "$TMP/odd/$f"
setup
bump "$TMP/odd"
[ "$(last_rc)" = 1 ] && grep -q "^$B .*human" "$TMP/last.out" && cmp -s "$TMP/branches.conf" "$BRANCHES_CONF" &&
	diff -r "$TMP/patches" "$TOP/patches" >/dev/null; ok $? \
	"fix cannot be made: a human is needed (exit 1), nothing changed" "$(cat "$TMP/last.out")"

# A new Debian version moves the stock kernel with it (same source): the
# image package of that version, found in the suite's index; for the
# pinned version, the pinned package; for a version the suite lacks, none
. "$TOP/scripts/lib/apt.sh"
for sb in $(branch_list); do
	stock=$(branch_field "$sb" stock)
	[ "$stock" != - ] || continue
	suite=$(branch_field "$sb" suite) ver=$(branch_field "$sb" version)
	if ! (apt_private "$suite" update) 2>"$TMP/apt.err"; then
		skip "apt_stock_kernel $sb" "the suite's index cannot be had: $(tail -1 "$TMP/apt.err")"
		continue
	fi
	apt_private "$suite"
	got=$(apt_stock_kernel "$stock" "$ver" "$suite") none=$(apt_stock_kernel "$stock" "$ver.0~none" "$suite")
	[ "$got" = "$stock" ] && [ -z "$none" ]; ok $? \
		"apt_stock_kernel $sb: $ver in $suite gives the pinned $stock; a version the suite lacks gives none" "got '$got', none '$none'"
done
done_testing
