#!/bin/bash
# No silent pass: each place where a check passed, or an old result was
# shown, although nothing ran (issue "checks that cannot pass by accident").
# Every case here failed before the change that added it.
. "$(dirname "$0")/lib.sh"
D=$(default_branch)

# newest_checkpatch on an empty cache: nothing, status 0 (was: status 1,
# so check-series of a public-copy branch died with no message)
out=$(PCIPROBE_CACHE=$TMP/empty bash -c ". '$TOP/scripts/lib.sh'; . '$TOP/scripts/lib/checkpatch.sh'; newest_checkpatch")
[ $? = 0 ] && [ -z "$out" ]; ok $? "newest_checkpatch on an empty cache: nothing, status 0"
pub=$(branch_rows | awk '$4 == "-" && !f++ {print $1}')
PCIPROBE_CACHE=$TMP/empty run_cmd "$TOP/scripts/series/check-series" "$pub"
[ "$(last_rc)" = 0 ] && grep -q "ok 2 - $pub: checkpatch # SKIP" "$TMP/last.out"; ok $? \
	"check-series $pub on an empty cache: headers pass, checkpatch SKIPped with the reason, exit 0" "$(cat "$TMP/last.out" "$TMP/last.err")"

# tests/run: a file whose tests all skip is a SKIP, a run of only SKIPs is
# not a pass (exit 4)
mkdir -p "$TMP/fake/tests" "$TMP/fake/scripts"
cp "$TOP/tests/run" "$TOP/tests/lib.sh" "$TMP/fake/tests/"
cp "$TOP/scripts/lib.sh" "$TMP/fake/scripts/"
printf '. "$(dirname "$0")/lib.sh"\nskip "a" "no tool"\ndone_testing\n' >"$TMP/fake/tests/t-only-skip.sh"
run_cmd "$TMP/fake/tests/run"
[ "$(last_rc)" = 4 ] && grep -q '^ok 1 - t-only-skip # SKIP' "$TMP/last.out"; ok $? \
	"tests/run: a run of only SKIPs exits 4, the file is marked SKIP" "$(cat "$TMP/last.out")"

# ab of a branch without a source by design: skip, exit 4 (was 5)
PCIPROBE_OUT=$TMP/out run_cmd "$TOP/scripts/proof/ab" "$pub"
[ "$(last_rc)" = 4 ] && [ "$(jq -r .verdict "$TMP/out/$pub/result.json")" = skip ]; ok $? \
	"ab $pub (public copy): verdict skip, exit 4" "$(last_err)"

# ab-all with qemu missing: the previous run's "fixed" is neither shown nor
# left behind, and the exit is not 0
mkdir -p "$TMP/out/$D"
echo '{"branch": "'"$D"'", "run_id": "an-old-run", "verdict": "fixed"}' >"$TMP/out/$D/result.json"
P=$(path_without qemu-system-x86_64)
PATH=$P PCIPROBE_OUT=$TMP/out run_cmd "$TOP/scripts/proof/ab-all" "$D"
[ "$(last_rc)" != 0 ] && ! grep -q ' fixed ' "$TMP/last.out" && [ ! -e "$TMP/out/$D/result.json" ]; ok $? \
	"ab-all without qemu: exit $(last_rc), no 'fixed' shown, the old result.json removed" "$(cat "$TMP/last.out" "$TMP/last.err")"

# judge ktap LOG (no KTAP-OUT) as root must not replace /dev/null
printf 'KTAP version 1\n1..1\n    # Subtest: pci_probe_numa\n    1..1\n    ok 1 pci_probe_async_parallel\nok 1 pci_probe_numa\n' >"$TMP/console.log"
run_cmd "$TOP/scripts/judge/judge" ktap "$TMP/console.log"
[ -c /dev/null ] && [ "$(jq -r '"\(.pass) \(.fail) \(.skip)"' "$TMP/last.out")" = "1 0 0" ]; ok $? \
	"judge ktap LOG: /dev/null is still a device" "$(ls -l /dev/null; cat "$TMP/last.out")"

# Sources: a buildable branch whose pinned version is gone is a failure
# that says what the suite has now (was: SKIP, exit 0). Needs the archive.
cp "$BRANCHES_CONF" "$TMP/branches.conf"
sed -i -E "s/^(${D}[[:space:]].*[[:space:]])$(branch_field "$D" version | sed 's/[.~]/\\&/g')([[:space:]])/\\1$(branch_field "$D" checked)-0~gone0\\2/" "$TMP/branches.conf"
if grep -q -- '-0~gone0' "$TMP/branches.conf"; then
	BRANCHES_CONF=$TMP/branches.conf PCIPROBE_CACHE=$TMP/cache run_cmd "$TOP/scripts/source/fetch-source" "$D"
	if grep -q 'apt-get update .* failed' "$TMP/last.err"; then
		skip "fetch-source: a pinned version gone from the archive" "the Debian archive cannot be reached: $(last_err)"
	else
		[ "$(last_rc)" = 1 ] && grep -q "is not in $(branch_field "$D" suite) .* has now: [0-9].*make bump" "$TMP/last.err" && [ "$(wc -l <"$TMP/last.err")" -le 4 ]; ok $? \
			"fetch-source: a pinned version gone from the archive: exit 1, says what the suite has now" "$(last_err)"
		BRANCHES_CONF=$TMP/branches.conf PCIPROBE_CACHE=$TMP/cache run_cmd "$TOP/scripts/series/check-series" "$D"
		[ "$(last_rc)" = 1 ] && grep -q "^not ok 3 - $D: applies at fuzz 0" "$TMP/last.out" && grep -q "# FAILED: $D:source" "$TMP/last.out"; ok $? \
			"check-series: a buildable branch whose source cannot be had fails (exit 1), never SKIP" "$(cat "$TMP/last.out")"
	fi
else
	ok 1 "test set-up: could not rewrite $D's version in a copy of branches.conf"
fi

# ab: a fix that no longer applies is a failure (exit 1, was 5), found
# before any kernel is built. A cache of its own, with the real source.
SRC=$("$TOP/scripts/source/fetch-source" "$D" 2>/dev/null)
if [ -n "$SRC" ]; then
	mkdir -p "$TMP/c2/src"
	ln -s "$CACHE/src/$D" "$TMP/c2/src/$D"
	cp -a "$TOP/patches" "$TMP/patches"
	f=$(ls "$TMP/patches/$D"/0001-*.patch)
	# break the first context line of the hunk: the fix no longer applies
	awk '!done && /^@@/ {print; getline; print " /* a line that is not in the tree */"; done=1; next} {print}' "$f" >"$f.new" && mv "$f.new" "$f"
	PATCHES_DIR=$TMP/patches PCIPROBE_CACHE=$TMP/c2 PCIPROBE_OUT=$TMP/out run_cmd "$TOP/scripts/proof/ab" "$D"
	[ "$(last_rc)" = 1 ] && [ "$(jq -r .verdict "$TMP/out/$D/result.json")" = error ] &&
		grep -q 'the fix does not apply' "$TMP/last.err" && [ ! -e "$TMP/c2/build/$D/ab/vmlinux" ]; ok $? \
		"ab: a fix that does not apply: exit 1, verdict error, no kernel built" "$(last_err)"
	# the A/B build's reuse key changes with the compiler and the build scripts
	k1=$("$TOP/scripts/build/ab-build" --key "$D")
	mkdir -p "$TMP/bin"
	printf '#!/bin/sh\n[ "$1" = --version ] && { echo "gcc (Other) 99.1"; exit 0; }\nexec /usr/bin/gcc "$@"\n' >"$TMP/bin/gcc"
	chmod +x "$TMP/bin/gcc"
	k2=$(PATH=$TMP/bin:$PATH "$TOP/scripts/build/ab-build" --key "$D")
	[ -n "$k1" ] && [ "$k1" != "$k2" ]; ok $? "ab-build: another compiler, another build key"
else
	ok 1 "the $D source cannot be had here (scripts/source/fetch-source $D)"
fi
# deb_tar under pipefail: tar stops at the archive's end marker, and a
# dpkg-deb still writing died of SIGPIPE (141; mk-rpm ended CI that way).
# A stand-in dpkg-deb writes a small tar and then 4 MiB of zeros, which makes
# that happen every time. The old pipeline is run too, to show it fails here.
mkdir -p "$TMP/sp/bin" "$TMP/sp/d"
echo member >"$TMP/sp/d/m"
tar -C "$TMP/sp/d" -cf "$TMP/sp/data.tar" ./m
printf '#!/bin/sh\ncat "%s"; head -c 4194304 /dev/zero\n' "$TMP/sp/data.tar" >"$TMP/sp/bin/dpkg-deb"
chmod +x "$TMP/sp/bin/dpkg-deb"
old=$(PATH=$TMP/sp/bin:$PATH bash -c 'set -o pipefail; dpkg-deb --fsys-tarfile x | tar -xO ./m >/dev/null; echo $?')
new=$(PATH=$TMP/sp/bin:$PATH bash -c "set -euo pipefail; . '$TOP/scripts/lib.sh'; . '$TOP/scripts/lib/packaging.sh'; deb_tar x -xO ./m; echo rc=\$?")
[ "$old" = 141 ] && [ "$new" = "$(printf 'member\nrc=0')" ]; ok $? \
	"deb_tar: a tar that stops early does not kill dpkg-deb (old pipeline: $old)" "new: $new"

done_testing
