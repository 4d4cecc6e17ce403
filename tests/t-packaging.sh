#!/bin/bash
# tests/run: alone (boots guests the judge reads, or builds a kernel)
# Packaging refuses bad input with one line, a non-zero exit, and no
# partial package: a config of another architecture or branch, a tree with
# the series half applied, missing rpmbuild or dpkg-dev, a full disk in
# the output directory. The last three need the default branch's A/B build
# (make ab); without it they SKIP.
. "$(dirname "$0")/lib.sh"
B=$(default_branch)
OTHER=$(branch_list | grep -vx "$B" | sed -n 1p)
OUT=$TMP/out
export PCIPROBE_OUT=$OUT

nopkg() { [ -z "$(find "$OUT" -name '*.deb' -o -name '*.rpm' 2>/dev/null)" ]; }

printf '# Linux/arm64 %s.1 Kernel Configuration\nCONFIG_ARM64=y\n' "$B" >"$TMP/arm64.config"
run_cmd "$TOP/scripts/packages/pkg-build" deb "$B" "$TMP/arm64.config"
[ "$(last_rc)" = 2 ] && [ "$(last_err | wc -l)" = 1 ] && grep -q 'not an x86_64 kernel config' "$TMP/last.err" && nopkg; ok $? \
	"config of another architecture: one line, exit 2, no package" "$(last_err)"
printf '# Linux/x86 %s.0 Kernel Configuration\nCONFIG_X86_64=y\n' "$OTHER" >"$TMP/other.config"
run_cmd "$TOP/scripts/packages/pkg-build" rpm "$B" "$TMP/other.config"
[ "$(last_rc)" = 2 ] && [ "$(last_err | wc -l)" = 1 ] && grep -q "made for a $OTHER kernel, not $B" "$TMP/last.err" && nopkg; ok $? \
	"config of another branch: one line, exit 2, no package" "$(last_err)"

# Half-applied: a two-patch series of which quilt applied only the first.
mini_tree "$B" "$TMP/tree" || { echo "Bail out! no $B tree"; exit 1; }
cp -a "$TOP/patches" "$TMP/patches"
P=$(series_patches "$B" | sed -n 1p)
sed 's/^Subject: \[PATCH\] .*/Subject: [PATCH] second/' "$TOP/patches/$B/$P" >"$TMP/patches/$B/0002-second.patch"
echo 0002-second.patch >>"$TMP/patches/$B/series"
mkdir -p "$TMP/tree/.pc"
echo "$P" >"$TMP/tree/.pc/applied-patches"
# (the .debs come from bindeb-pkg on a tree pkg-build patched itself)
PATCHES_DIR=$TMP/patches run_cmd "$TOP/scripts/packages/mk-rpm" "$B" "$TMP/tree" "$TMP/obj" "$OUT/rpm"
[ "$(last_rc)" = 2 ] && [ "$(last_err | wc -l)" = 1 ] && grep -q 'half applied (1 of 2' "$TMP/last.err" && nopkg; ok $? \
	"mk-rpm: series half applied: one line, exit 2, no package" "$(last_err)"

# No build-essential (a fresh Debian 12 with gcc and make): refused before
# the build, not by dpkg-buildpackage after it. A stand-in dpkg-query says
# "not installed"; the timeout bounds a regression that starts building.
mkdir -p "$TMP/nobe"
printf '#!/bin/sh\ncase "$*" in *build-essential*) printf "un "; exit 0 ;; esac\nexec /usr/bin/dpkg-query "$@"\n' >"$TMP/nobe/dpkg-query"
chmod 755 "$TMP/nobe/dpkg-query"
run_cmd env PATH="$TMP/nobe:$PATH" timeout 120 "$TOP/scripts/packages/pkg-build" deb "$B"
[ "$(last_rc)" = 2 ] && [ "$(last_err)" = "pkg-build: error: missing package 'build-essential': make bindeb-pkg (dpkg-buildpackage) needs it: apt-get install build-essential" ] && nopkg; ok $? \
	"no build-essential: pkg-build deb refuses before building, one line, exit 2, no package" "exit $(last_rc): $(last_err | tail -2)"

# Missing tools: a PATH without rpmbuild, then one without dpkg-architecture.
for miss in rpmbuild:rpm:rpm dpkg-architecture:dpkg-dev:deb; do
	tool=${miss%%:*} pkg=${miss#*:} pkg=${pkg%%:*} kind=${miss##*:}
	run_cmd env PATH="$(path_without "$tool")" "$TOP/scripts/packages/pkg-build" "$kind" "$B"
	[ "$(last_rc)" = 2 ] && [ "$(last_err)" = "pkg-build: error: missing tool '$tool': install the Debian package '$pkg'" ] && nopkg; ok $? \
		"missing $tool: names the package '$pkg', exit 2, no package" "$(last_err)"
done

# The canary packages hold the tool and its guide, and the packaged tool
# gives the verdicts of the saved traces.
run_cmd "$TOP/scripts/packages/mk-canary" "$TMP/canary"
deb=$(ls "$TMP"/canary/*.deb 2>/dev/null) rpm=$(ls "$TMP"/canary/*.rpm 2>/dev/null)
[ "$(last_rc)" = 0 ] && [ -n "$deb" ] && [ -n "$rpm" ]; ok $? "canary: .deb and .rpm built" "$(last_err)"
dpkg-deb -x "$deb" "$TMP/canary/root"
(cd "$TMP/canary/root" && rpm2cpio "$rpm" | cpio -idm --quiet 2>/dev/null)
"$TMP/canary/root/usr/bin/pciprobe-report" --driver nvme "$TOP/tests/samples/$B-before.trace" >/dev/null; b=$?
"$TMP/canary/root/usr/bin/pciprobe-report" --driver nvme "$TOP/tests/samples/$B-after.trace" >/dev/null; a=$?
[ $b = 1 ] && [ $a = 0 ] && [ -f "$TMP/canary/root/usr/share/doc/pciprobe-report/README.md" ] &&
	ls "$TMP"/canary/root/usr/share/doc/pciprobe-report-*/README.md >/dev/null 2>&1; ok $? \
	"canary: the packaged tool says serialized (1) / fixed (0) on the saved traces; the guide is in both" "before=$b after=$a"

# A fresh machine has no DEBEMAIL and no git identity: root@HOST is no
# address lintian accepts (bogus-mail-host, root-in-contact: the first `make
# run` in a fresh Debian 12 root failed so). The canary then builds with the
# tree's last commit author as its maintainer.
author=$(git -C "$TOP" log -1 --format='%an <%ae>' 2>/dev/null)
if [ -z "$author" ]; then
	skip "canary: built with no packager identity" "this tree is no git checkout"
else
	mkdir -p "$TMP/nohome"
	run_cmd env -u DEBEMAIL -u DEBFULLNAME -u EMAIL HOME="$TMP/nohome" XDG_CONFIG_HOME="$TMP/nohome" GIT_CONFIG_NOSYSTEM=1 \
		"$TOP/scripts/packages/mk-canary" "$TMP/canary-noid"
	m=$(dpkg-deb -f "$TMP"/canary-noid/*.deb Maintainer 2>/dev/null)
	[ "$(last_rc)" = 0 ] && [ "$m" = "$author" ]; ok $? \
		"canary: built with no DEBEMAIL and no git identity: lintian passes, Maintainer is the last commit's author" \
		"exit $(last_rc), Maintainer '$m'; $(last_err | tail -2)"
fi

OBJ=$CACHE/build/$B/ab TREE=$CACHE/work/$B/ab
if [ ! -f "$OBJ/arch/x86/boot/bzImage" ] || ! fix_present "$TREE/$FIX_FILE"; then
	skip "full disk: deb" "no A/B build of $B (run make ab BRANCH=$B first)"
	skip "full disk: rpm" "no A/B build of $B"
elif [ "$(id -u)" != 0 ]; then
	skip "full disk: deb" "needs root to mount a small tmpfs"
	skip "full disk: rpm" "needs root to mount a small tmpfs"
else
	mkdir -p "$TMP/full"
	mount -t tmpfs -o size=1m tmpfs "$TMP/full"
	# deb: the capability package beside a kernel's (a stand-in linux-image)
	mkdir -p "$TMP/img/DEBIAN"
	printf 'Package: linux-image-9.9.9\nVersion: 9.9.9-1\nArchitecture: amd64\nMaintainer: t <t@example.org>\nDescription: t\n' >"$TMP/img/DEBIAN/control"
	dpkg-deb -b "$TMP/img" "$TMP/linux-image-9.9.9_9.9.9-1_amd64.deb" >/dev/null
	head -c 2m /dev/zero >"$TMP/full/filler" 2>/dev/null	# fills it
	run_cmd "$TOP/scripts/packages/mk-capability" "$B" "$TMP/linux-image-9.9.9_9.9.9-1_amd64.deb" "$TMP/full/deb"
	left=$(find "$TMP/full/deb" -mindepth 1 2>/dev/null | sed -n 1,3p)
	[ "$(last_rc)" = 1 ] && [ "$(last_err | wc -l)" = 1 ] && [ -z "$left" ]; ok $? \
		"full disk: mk-capability fails in one line, leaves nothing in the output dir" "$(last_err | tail -2) left: $left"
	rm -f "$TMP/full/filler"
	run_cmd "$TOP/scripts/packages/mk-rpm" --prebuilt "$B" "$TREE" "$OBJ" "$TMP/full/rpm"
	left=$(find "$TMP/full/rpm" -mindepth 1 2>/dev/null | sed -n 1,3p)
	[ "$(last_rc)" = 1 ] && last_err | tail -1 | grep_q 'disk full' && [ -z "$left" ]; ok $? \
		"full disk: mk-rpm fails, says so, leaves nothing in the output dir" "$(last_err | tail -2) left: $left"
	umount "$TMP/full"
fi
done_testing
