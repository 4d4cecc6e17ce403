#!/bin/bash
# apply-series: every bad input is one line, a non-zero exit, and leaves the
# tree byte-for-byte as it was; a good tree gets exactly the series.
. "$(dirname "$0")/lib.sh"
AS=$TOP/scripts/series/apply-series
B=$(default_branch)
PATCH=$(series_patches "$B" | sed -n 1p)

if ! mini_tree "$B" "$TMP/pristine"; then
	echo "Bail out! no $B tree: scripts/source/fetch-source $B failed"
	exit 1
fi
fresh() {	# fresh NAME: a copy of the pristine mini tree
	rm -rf "${TMP:?}/$1"
	cp -a "$TMP/pristine" "$TMP/$1"
	echo "$TMP/$1"
}
# refuses NAME RC FIXTURE TREE ARGS...: exit RC, one stderr line = fixture, tree unchanged
refuses() {
	local name=$1 rc=$2 fx=$3 tree=$4
	shift 4
	local before
	before=$(manifest "$tree")
	run_cmd "$@"
	[ "$(last_rc)" = "$rc" ]; ok $? "$name: exit $rc" "got $(last_rc): $(last_err)"
	( expect_err "$fx" KSRC="$tree" TOP="$TOP" && [ "$(last_err | wc -l)" = 1 ] ); ok $? \
		"$name: one line, saying what fixtures/$fx means" "$(last_err)"
	[ "$before" = "$(manifest "$tree")" ]; ok $? "$name: tree unchanged"
}

t=$(fresh unknown)
refuses "unknown branch" 2 apply-unknown-branch.err "$t" "$AS" 9.99 "$t"

t=$TMP/empty
mkdir -p "$t"
refuses "not a kernel tree" 2 apply-not-kernel-tree.err "$t" "$AS" "$B" "$t"

# By code family, not version (scripts/series/fit-series). The default
# branch's tree is family B (branches.conf); OTHER and 7.x are not.
FAM=$(branch_field "$B" family)
for X in $(branch_list); do
	[ "$(branch_field "$X" family)" != "$FAM" ] || continue
	t=$(fresh "other-$X")
	before=$(manifest "$t")
	run_cmd "$AS" "$X" "$t"
	[ "$(last_rc)" = 1 ] && [ "$(last_err | wc -l)" = 1 ] && [ "$before" = "$(manifest "$t")" ] &&
		last_err | grep_q "is family $FAM; the $X series is family $(branch_field "$X" family) and never goes onto it; fits: the family-$FAM series: .*\b$B\b"; ok $? "the $X series (family $(branch_field "$X" family)) on a family-$FAM tree: exit 1, one line naming the series that fit, tree unchanged" "$(last_err)"
done
t=$(fresh nobranch)
run_cmd "$AS" "$t"
[ "$(last_rc)" = 0 ] && fix_present "$t/$FIX_FILE" && [ "$(cat "$t/.pc/applied-patches")" = "$PATCH" ] &&
	last_err | grep_q "is family $FAM: the $B series (its own version)"; ok $? \
	"no BRANCH: the series of the tree's family and version, and says so" "$(last_err)"

# A family-B tree of a version no branch has, its lines moved by one (a
# vendor tree): the family's series with the smallest offset is chosen;
# --strict refuses it; the user is pointed at make patch
t=$(fresh vendor)
sed -i 's/^PATCHLEVEL = .*/PATCHLEVEL = 99/' "$t/Makefile"
sed -i '1i /* vendor line */' "$t/$FIX_FILE"
before=$(manifest "$t")
run_cmd "$AS" --strict "$t"
( [ "$(last_rc)" = 1 ] && [ "$before" = "$(manifest "$t")" ] &&
	last_err | grep_q "is family $FAM: the $B series (of family $FAM, none applies at offset 0; this one at fuzz 0 with the smallest offset, 1 line(s); make patch KSRC=$t writes the fix for this tree at offset 0)" &&
	last_err | tail -1 | grep_q 'only at an offset (strict' ); ok $? \
	"a vendor tree of no branch's version: the family's series with the smallest offset, named; --strict refuses the offset" "$(last_err)"
run_cmd "$AS" "$t"
[ "$(last_rc)" = 0 ] && fix_present "$t/$FIX_FILE"; ok $? "the same without --strict: applied at the offset" "$(last_err)"

# The same family, another branch named: applies, the message's facts are the branch's
if [ "$FAM" = B ] && mini_tree 6.1 "$TMP/b61"; then
	run_cmd "$AS" "$B" "$TMP/b61"
	[ "$(last_rc)" = 0 ] && fix_present "$TMP/b61/$FIX_FILE" && last_err | grep_q "its message states $B's facts"; ok $? \
		"a 6.1 tree with BRANCH=$B (both family B): applied, says the message states $B's facts" "$(last_err)"
fi

# Family O (before the housekeeping masks) and an unknown shape: no series
# fits; exit 1, make patch named, tree unchanged
if mini_tree 5.10 "$TMP/o"; then
	family_o "$TMP/o"
	before=$(manifest "$TMP/o")
	run_cmd "$AS" "$TMP/o"
	( [ "$(last_rc)" = 1 ] && [ "$before" = "$(manifest "$TMP/o")" ] && last_err | grep_q 'is family O (the shape before the housekeeping masks): no branch.s series is of that family; make patch KSRC=' ); ok $? "a family-O tree: no series fits, make patch named, tree unchanged" "$(last_err)"
	run_cmd "$AS" 5.10 "$TMP/o"
	[ "$(last_rc)" = 1 ] && [ "$before" = "$(manifest "$TMP/o")" ]; ok $? "a family-O tree with BRANCH=5.10 (family A): refused" "$(last_err)"
fi
t=$(fresh unknownshape)
sed -i 's/^\(\t    pci_physfn_is_probed(dev)\)) {$/\1 || vendor_inline_probe(dev)) {/' "$t/$FIX_FILE"
before=$(manifest "$t")
run_cmd "$AS" "$t"
( [ "$(last_rc)" = 1 ] && [ "$before" = "$(manifest "$t")" ] && last_err | grep_q 'is of no known shape: no series fits; make patch KSRC=' ); ok $? \
	"a pci_call_probe() of no known shape: no series fits, tree unchanged" "$(last_err)"

t=$(fresh fixed)
sed -i 's/pci_physfn_is_probed(dev))/pci_physfn_is_probed(dev) || current_is_async())/' "$t/$FIX_FILE"
refuses "fix present by other means" 3 apply-already-fixed.err "$t" "$AS" "$B" "$t"

t=$(fresh dirtyquilt)
mkdir -p "$t/.pc"
echo "debian-local-change.patch" >"$t/.pc/applied-patches"
refuses "dirty quilt state" 2 apply-dirty-quilt.err "$t" "$AS" "$B" "$t"

t=$(fresh notapply)
sed -i 's/Prevent nesting work_on_cpu() for the case/Prevent nesting work_on_cpu() in the case/' "$t/$FIX_FILE"
before=$(manifest "$t")
run_cmd "$AS" "$B" "$t"
[ "$(last_rc)" = 1 ] && last_err | tail -1 | grep_q 'does not apply'; ok $? \
	"context differs: exit 1, says it does not apply" "$(last_err)"
[ "$before" = "$(manifest "$t")" ]; ok $? "context differs: tree unchanged"

t=$(fresh offset)
sed -i '1i /* one extra line */' "$t/$FIX_FILE"
before=$(manifest "$t")
run_cmd "$AS" --strict "$B" "$t"
[ "$(last_rc)" = 1 ] && [ "$before" = "$(manifest "$t")" ]; ok $? \
	"--strict refuses an offset, tree unchanged" "$(last_err)"

t=$(fresh gitdirty)
(cd "$t" && git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm base &&
	echo "/* local change */" >>"$FIX_FILE")
refuses "uncommitted change in a git tree" 2 apply-git-dirty.err "$t" "$AS" "$B" "$t"

t=$(fresh missingtool)
refuses "missing quilt" 2 apply-missing-tool.err "$t" env PATH="$(path_without quilt)" "$AS" "$B" "$t"

t=$(fresh good)
run_cmd "$AS" "$B" "$t"
ok "$(last_rc)" "good tree: exit 0" "$(last_err)"
grep -q 'current->flags & PF_WQ_WORKER' "$t/$FIX_FILE"; ok $? "good tree: the fix is in"
[ "$(cat "$t/.pc/applied-patches")" = "$PATCH" ]; ok $? "good tree: quilt knows the series"
refuses "series already applied" 2 apply-already-applied.err "$t" "$AS" "$B" "$t"
(cd "$t" && QUILT_PATCHES=$TOP/patches/$B quilt --quiltrc - pop -aq >/dev/null 2>&1)
rm -rf "$t/.pc"
cmp -s "$t/$FIX_FILE" "$TMP/pristine/$FIX_FILE"; ok $? "quilt pop -a restores the file"

# A tree path with blanks: applied, and the printed undo line works pasted as it is
D=$(default_branch)
if mini_tree "$D" "$TMP/with space/tree"; then
	run_cmd "$TOP/scripts/series/apply-series" "$D" "$TMP/with space/tree"
	undo=$(sed -n 's/^apply-series: undo with: //p' "$TMP/last.err")
	applied=$(fix_present "$TMP/with space/tree/$FIX_FILE" && echo yes)
	(eval "$undo") >/dev/null 2>&1
	[ "$(last_rc)" = 0 ] && [ "$applied" = yes ] && [ -n "$undo" ] && ! fix_present "$TMP/with space/tree/$FIX_FILE"; ok $? \
		"a tree path with blanks: applied, the printed undo line pops it again" "$(last_err | tail -3)"
else
	ok 1 "the $D source cannot be had here"
fi
done_testing
