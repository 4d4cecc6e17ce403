#!/bin/bash
# The kernel RPM behaves like a distro kernel package (issue 10, item 1):
#  - Release sorts below the distro's next build "1" (rpm's own EVR
#    comparison, rpm.vercmp; rpmdev-vercmp too where rpmdevtools is here);
#  - the KUnit test-only series goes in only when the tree has it applied
#    (a stand-in rpmbuild records what mk-rpm hands it: no build);
#  - from the default branch's cached A/B build (mk-rpm --prebuilt, no
#    compile; SKIP without it): a binary and a source RPM; the kernel in
#    /lib/modules/REL/ (vmlinuz = the build's bzImage, System.map, config,
#    depmod's files as %ghost), nothing in /boot nor outside REL's own
#    paths; Provides kernel-REL, installonlypkg(kernel), the fix, never
#    plain "kernel"; %posttrans/%preun call kernel-install add/remove,
#    guarded; the source RPM holds everything and its %prep applies the
#    series by itself; rpmlint: 0 errors with specs/kernel-pciprobe.rpmlintrc;
#  - the scriptlets run for real (rpm -i/-e --root, a throwaway root with
#    static busybox): with a stand-in kernel-install that records its
#    calls (add REL /lib/modules/REL/vmlinuz, remove REL, nothing in
#    /boot); without one (depmod, byte-identical copies in /boot, removed
#    on erase); over another kernel's /boot file of the same name (left as
#    it is). The real kernel-install + initramfs generator on a booted
#    Debian system is make system's (scripts/system/).
. "$(dirname "$0")/lib.sh"
B=$(default_branch)
DVER=$(branch_field "$B" version) PKG=$(branch_field "$B" package)
V=${DVER%%-*}
V=${V#*:}

# 1. Version ordering, with rpm's own comparison of EVRs
vercmp() { rpm --eval "%{lua: print(rpm.vercmp('$1', '$2'))}"; }
self=$(vercmp 2-1 2.0-0)
[ "$self" = -1 ]; ok $? "rpm.vercmp compares version-release pairs (2-1 < 2.0-0)" "got $self"
r1=$(vercmp "$V-$RPM_RELEASE" "$V-1") r2=$(vercmp "$V-$RPM_RELEASE" "$V-100.fc41") r3=$(vercmp "$V-$RPM_RELEASE" "$V-0")
[ "$r1" = -1 ] && [ "$r2" = -1 ] && [ "$r3" = 1 ]; ok $? \
	"Release $RPM_RELEASE: below the distro's next build ($V-1, $V-100.fc41), above $V-0" "1: $r1, 100.fc41: $r2, 0: $r3"
if command -v rpmdev-vercmp >/dev/null; then
	rpmdev-vercmp "$V-$RPM_RELEASE" "$V-1" >/dev/null
	[ $? = 12 ]; ok $? "rpmdev-vercmp: $V-$RPM_RELEASE < $V-1"
fi

# 2. Which series mk-rpm packages: a stand-in rpmbuild keeps the defines
# and the spec as rpm parses it (rpmspec -P), and writes empty packages.
mkdir -p "$TMP/stub" "$TMP/cap"
cat >"$TMP/stub/rpmbuild" <<'STUB'
#!/bin/bash
top= spec=
while [ $# -gt 0 ]; do
	case $1 in
	--define) case $2 in "_topdir "*) top=${2#_topdir } ;; esac; shift 2 ;;
	-*) shift ;;
	*) spec=$1; shift ;;
	esac
done
cp "$top/SOURCES/pciprobe-defines.inc" "$CAPTURE/defines"
cp "$top"/SOURCES/*.patch "$CAPTURE/"
rpmspec -P --define "_topdir $top" "$spec" >"$CAPTURE/parsed" 2>"$CAPTURE/parse.err" || exit 1
mkdir -p "$top/RPMS/x86_64" "$top/SRPMS"
: >"$top/RPMS/x86_64/kernel-pciprobe-stub.x86_64.rpm"
: >"$top/SRPMS/kernel-pciprobe-stub.src.rpm"
STUB
chmod +x "$TMP/stub/rpmbuild"
if ! mini_tree "$B" "$TMP/tree"; then
	skip "mk-rpm: fix-only tree" "no $B source (scripts/source/fetch-source $B)"
	skip "mk-rpm: tree with series.kunit applied" "no $B source"
	skip "mk-rpm: series.kunit half applied" "no $B source"
else
	# a stand-in cache: the Debian source package holding a dummy tarball
	mkdir -p "$TMP/deb/DEBIAN" "$TMP/deb/usr/src" "$TMP/cache/debs"
	printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: t <t@t>\nDescription: t\n' \
		"$PKG" "$DVER" >"$TMP/deb/DEBIAN/control"
	: >"$TMP/deb/usr/src/$PKG.tar.xz"
	dpkg-deb -b --root-owner-group "$TMP/deb" "$TMP/cache/debs/${PKG}_${DVER//:/%3a}_all.deb" >/dev/null
	mkdir -p "$TMP/obj/arch/x86/boot" "$TMP/obj/include/config" "$TMP/tree/.pc"
	echo CONFIG_X86_64=y >"$TMP/obj/.config"
	: >"$TMP/obj/arch/x86/boot/bzImage"
	echo "$V" >"$TMP/obj/include/config/kernel.release"
	series_patches "$B" >"$TMP/tree/.pc/applied-patches"
	stub_mk_rpm() {	# stub_mk_rpm NAME [ENV...]: mk-rpm with the stand-in rpmbuild and cache
		local n=$1
		shift
		rm -rf "$TMP/cap" && mkdir -p "$TMP/cap"
		run_cmd env "$@" CAPTURE="$TMP/cap" PCIPROBE_CACHE="$TMP/cache" PATH="$TMP/stub:$PATH" \
			"$TOP/scripts/packages/mk-rpm" --prebuilt "$B" "$TMP/tree" "$TMP/obj" "$TMP/out-$n"
	}
	patch_tags() { sed -n 's/^Patch[0-9]*: //p' "$TMP/cap/defines" 2>/dev/null; }

	stub_mk_rpm fix
	want=$(series_patches "$B")
	[ "$(last_rc)" = 0 ] && [ "$(patch_tags)" = "$want" ] &&
		grep -qx '%global kunit_patches 0' "$TMP/cap/defines" &&
		! grep -q 'test-only KUnit patch' "$TMP/cap/parsed"; ok $? \
		"mk-rpm: a tree with the fix series only gives a package of the fix only (Patch tags, no KUnit in the description)" \
		"rc=$(last_rc) $(last_err) $(cat "$TMP/cap/parse.err" 2>/dev/null); patches: $(patch_tags | tr '\n' ' ')"

	# the KUnit patch as ab-build makes it, in the (stand-in) cache
	mkdir -p "$TMP/tree/.pc.kunit"
	KP=$TMP/cache/kunit-patches
	src=$("$TOP/scripts/source/fetch-source" "$B")
	cp "$src/drivers/pci/Kconfig" "$src/drivers/pci/Makefile" "$TMP/tree/drivers/pci/"
	"$TOP/scripts/series/mk-test-patch" --out "$KP" "$B" "$TMP/tree" >/dev/null
	PATCHES_DIR=$KP series_patches "$B" series.kunit >"$TMP/tree/.pc.kunit/applied-patches"
	stub_mk_rpm kunit
	want=$(series_patches "$B"; PATCHES_DIR=$KP series_patches "$B" series.kunit)
	[ "$(last_rc)" = 0 ] && [ "$(patch_tags)" = "$want" ] && [ "$(wc -l <"$TMP/tree/.pc.kunit/applied-patches")" = 1 ] &&
		cmp -s "$TMP/cap/$(sed -n 1p "$TMP/tree/.pc.kunit/applied-patches")" "$KP/$B/$(sed -n 1p "$TMP/tree/.pc.kunit/applied-patches")" &&
		grep -qx "%global kunit_patches 1" "$TMP/cap/defines" &&
		grep -q 'test-only KUnit patch' "$TMP/cap/parsed"; ok $? \
		"mk-rpm: a tree with series.kunit applied gives the fix then the KUnit patch made for it (the cache's), in order" \
		"rc=$(last_rc) $(last_err); patches: $(patch_tags | tr '\n' ' ')"
	[ "$(ls "$TMP/out-kunit")" = "$(printf '%s\n' kernel-pciprobe-stub.src.rpm kernel-pciprobe-stub.x86_64.rpm)" ]; ok $? \
		"mk-rpm: the binary and the source RPM both reach OUTDIR" "$(ls -A "$TMP/out-kunit")"

	P=$(PATCHES_DIR=$KP series_patches "$B" series.kunit | sed -n 1p)
	cp "$KP/$B/$P" "$KP/$B/0199-second.patch"
	echo 0199-second.patch >>"$KP/$B/series.kunit"
	stub_mk_rpm half
	[ "$(last_rc)" = 2 ] && [ "$(last_err | wc -l)" = 1 ] && grep -q 'series.kunit half applied (1 of 2)' "$TMP/last.err" &&
		[ ! -e "$TMP/cap/defines" ] && [ -z "$(ls -A "$TMP/out-half" 2>/dev/null)" ]; ok $? \
		"mk-rpm: series.kunit half applied: one line, exit 2, nothing built" "$(last_err)"
	rm -rf "$KP"
	stub_mk_rpm nokp
	[ "$(last_rc)" = 2 ] && [ "$(last_err | wc -l)" = 1 ] && grep -q 'mk-test-patch' "$TMP/last.err" &&
		[ ! -e "$TMP/cap/defines" ]; ok $? \
		"mk-rpm: a KUnit patch applied that the cache does not hold: one line, exit 2, nothing built" "$(last_err)"
fi

# 3. The package from the cached A/B build
OBJ=$CACHE/build/$B/ab TREE=$CACHE/work/$B/ab
if [ ! -f "$OBJ/arch/x86/boot/bzImage" ] || ! fix_present "$TREE/$FIX_FILE"; then
	skip "RPM from the A/B build" "no A/B build of $B in $OBJ (make ab BRANCH=$B)"
	done_testing
fi
KREL=$(cat "$OBJ/include/config/kernel.release")
MOD=/lib/modules/$KREL
t0=$(date +%s)
run_cmd "$TOP/scripts/packages/mk-rpm" --prebuilt "$B" "$TREE" "$OBJ" "$TMP/rpm"
secs=$(($(date +%s) - t0))
BIN=() SRC=()
for f in "$TMP"/rpm/*.rpm; do
	case $f in *.src.rpm) SRC+=("$f") ;; *) [ ! -e "$f" ] || BIN+=("$f") ;; esac
done
RPMF=${BIN[0]:-} SRPM=${SRC[0]:-}
[ "$(last_rc)" = 0 ] && [ ${#BIN[@]} = 1 ] && [ ${#SRC[@]} = 1 ] &&
	[ "$(cat "$TMP/last.out")" = "$(printf '%s\n' "$RPMF" "$SRPM")" ]; ok $? \
	"mk-rpm --prebuilt: a binary and a source RPM ($secs s), both paths printed" "rc=$(last_rc) $(last_err | tail -3); $(ls -A "$TMP/rpm")"
[ -n "$RPMF" ] || { echo "Bail out! no binary RPM"; exit 1; }

q() { rpm -qp "$@" "$RPMF" 2>/dev/null; }
[ "$(q --qf '%{NAME} %{VERSION}-%{RELEASE} %{ARCH}')" = "kernel-pciprobe $(tree_version "$TREE")-$RPM_RELEASE x86_64" ]; ok $? \
	"name kernel-pciprobe (not the distro's kernel), version $V-$RPM_RELEASE" "$(q --qf '%{NAME} %{VERSION}-%{RELEASE} %{ARCH}')"

# Files: only the kernel's own /lib/modules/REL/ (and the license)
q -l >"$TMP/files"
mkdir -p "$TMP/x"
(cd "$TMP/x" && rpm2cpio "$RPMF" | cpio -idm --quiet 2>/dev/null)
grep -qx "$MOD/vmlinuz" "$TMP/files" && grep -qx "$MOD/System.map" "$TMP/files" && grep -qx "$MOD/config" "$TMP/files" &&
	cmp -s "$TMP/x$MOD/vmlinuz" "$OBJ/arch/x86/boot/bzImage" && cmp -s "$TMP/x$MOD/config" "$OBJ/.config" &&
	cmp -s "$TMP/x$MOD/System.map" "$OBJ/System.map"; ok $? \
	"$MOD/vmlinuz (the build's bzImage), System.map and config" "$(grep -v '\.ko' "$TMP/files")"
stray=$(grep -v -e "^$MOD\$" -e "^$MOD/" -e '^/usr/share/licenses/kernel-pciprobe[^/]*\(/COPYING\)\?$' "$TMP/files")
[ -z "$stray" ] && ! grep -q '^/boot' "$TMP/files"; ok $? \
	"no file outside $MOD/ (and the license): nothing in /boot, nothing of another kernel" "$stray"
ghosts=$(q --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' | awk '$1 ~ /g/ {print $2}')
grep -qx "$MOD/modules.dep" <<<"$ghosts" && grep -qx "$MOD/modules.alias" <<<"$ghosts" &&
	[ ! -e "$TMP/x$MOD/modules.dep" ]; ok $? \
	"depmod's files are %ghost (made on the installed system, removed with the package)" "$ghosts"

# Provides
q --provides >"$TMP/provides"
grep -qx "kernel-$KREL = .*" "$TMP/provides" && grep -qx 'installonlypkg(kernel)' "$TMP/provides" &&
	grep -qx "$FIX_CAPABILITY = .*" "$TMP/provides" && ! grep -qE '^kernel( |$)' "$TMP/provides"; ok $? \
	"Provides kernel-$KREL, installonlypkg(kernel), $FIX_CAPABILITY; not plain kernel" "$(cat "$TMP/provides")"

# Scriptlets: the text of each, as rpm holds it
q --scripts >"$TMP/scripts"
section() { awk -v s="$1" '/^[a-z]+ scriptlet \(using/ {on = ($1 == s)} on' "$TMP/scripts"; }
pt=$(section posttrans) pu=$(section preuninstall)
grep -qF '[ -x /usr/bin/kernel-install ]' <<<"$pt" &&
	grep -qE "^[[:space:]]*/usr/bin/kernel-install add $KREL $MOD/vmlinuz( |\$)" <<<"$pt"; ok $? \
	"%posttrans: kernel-install add $KREL $MOD/vmlinuz, only if /usr/bin/kernel-install exists" "$pt"
grep -qF '[ -x /usr/bin/kernel-install ]' <<<"$pu" &&
	grep -qE "^[[:space:]]*/usr/bin/kernel-install remove $KREL( |\$)" <<<"$pu"; ok $? \
	"%preun: kernel-install remove $KREL, only if /usr/bin/kernel-install exists" "$pu"

# The KUnit series is in the package exactly when the tree has it applied
want=$(series_patches "$B")
if [ -f "$TREE/.pc.kunit/applied-patches" ]; then
	want=$(series_patches "$B"; PATCHES_DIR=$KUNIT_PATCHES_DIR series_patches "$B" series.kunit)
fi
rpm -qlp "$SRPM" >"$TMP/srcfiles" 2>/dev/null
got=$(grep '\.patch$' "$TMP/srcfiles")
[ "$(sort <<<"$got")" = "$(sort <<<"$want")" ]; ok $? \
	"the packaged series is the tree's ($([ -f "$TREE/.pc.kunit/applied-patches" ] && echo "fix + KUnit" || echo "fix only"))" \
	"want: $(tr '\n' ' ' <<<"$want"); got: $(tr '\n' ' ' <<<"$got")"

# The source RPM: everything to build from, and its %prep on its own
grep -qx kernel-pciprobe.spec "$TMP/srcfiles" && grep -qx pciprobe-defines.inc "$TMP/srcfiles" &&
	grep -qx config "$TMP/srcfiles" && grep -qx "$PKG.tar.xz" "$TMP/srcfiles"; ok $? \
	"source RPM: spec, defines, config, tarball, patches" "$(cat "$TMP/srcfiles")"
run_cmd rpmbuild -rp --nodeps --define "_topdir $TMP/srpm" "$SRPM"
[ "$(last_rc)" = 0 ] && cmp -s "$TMP/srpm/BUILD/$PKG/$FIX_FILE" "$TREE/$FIX_FILE"; ok $? \
	"source RPM: rpmbuild -rp applies the series by itself (the fixed file as in the A/B tree)" "$(tail -5 "$TMP/last.out") $(last_err | tail -3)"
rm -rf "$TMP/srpm"

# rpmlint
if ! command -v rpmlint >/dev/null; then
	skip "rpmlint" "rpmlint not installed (scripts/install-deps)"
else
	rpmlint -r "$TOP/specs/kernel-pciprobe.rpmlintrc" "$RPMF" "$SRPM" >"$TMP/rpmlint" 2>&1
	sum=$(grep -E '[0-9]+ errors?, [0-9]+ warnings?' "$TMP/rpmlint" | tail -1)
	grep -qE '(^|[^0-9])0 errors,' <<<"$sum"; ok $? \
		"rpmlint (specs/kernel-pciprobe.rpmlintrc): 0 errors on the binary and source RPM" "$(grep -E ': [EW]: |errors' "$TMP/rpmlint")"
	echo "# rpmlint: $sum"
fi

# The scriptlets at work: rpm -i/-e in a throwaway root (static busybox)
BB=$(command -v busybox)
if [ "$(id -u)" != 0 ]; then
	skip "scriptlets in a throwaway root" "needs root (rpm --root runs them chrooted)"
	done_testing
elif [ -z "$BB" ] || ldd "$BB" >/dev/null 2>&1; then
	skip "scriptlets in a throwaway root" "no static busybox (package busybox-static)"
	done_testing
fi
R=$TMP/root
mkroot() {	# mkroot [kernel-install]: a root with busybox's tools (and a recording kernel-install)
	rm -rf "$R"
	mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,boot,dev,tmp,var/tmp}
	cp "$BB" "$R/bin/busybox"
	local a
	for a in sh cp mv cmp mkdir rm cat echo test [ depmod; do ln -s busybox "$R/bin/$a"; done
	mknod -m 666 "$R/dev/null" c 1 3 2>/dev/null || : >"$R/dev/null"
	if [ "${1:-}" = kernel-install ]; then
		printf '#!/bin/sh\necho "$*" >>/kernel-install.log\n' >"$R/usr/bin/kernel-install"
		chmod +x "$R/usr/bin/kernel-install"
	fi
	rpm --root "$R" --initdb
}
rpmroot() { rpm --root "$R" --nodeps "$@" >>"$TMP/rpmroot.log" 2>&1; }

mkroot kernel-install
rpmroot -i "$RPMF"; rc=$?
[ $rc = 0 ] && [ "$(cat "$R/kernel-install.log" 2>/dev/null)" = "add $KREL $MOD/vmlinuz" ] &&
	[ -z "$(ls -A "$R/boot")" ] && [ -f "$R$MOD/vmlinuz" ]; ok $? \
	"rpm -i with kernel-install: %posttrans ran 'kernel-install add $KREL $MOD/vmlinuz'; nothing in /boot" \
	"rc=$rc log: $(cat "$R/kernel-install.log" 2>/dev/null); /boot: $(ls -A "$R/boot"); $(tail -3 "$TMP/rpmroot.log")"
rpmroot -e kernel-pciprobe; rc=$?
[ $rc = 0 ] && [ "$(tail -1 "$R/kernel-install.log")" = "remove $KREL" ] && [ ! -e "$R$MOD" ]; ok $? \
	"rpm -e with kernel-install: %preun ran 'kernel-install remove $KREL'; $MOD is gone" \
	"rc=$rc log: $(cat "$R/kernel-install.log"); left: $(find "$R$MOD" 2>/dev/null | sed -n 1,3p)"

mkroot
rpmroot -i "$RPMF"; rc=$?
same=0
for f in vmlinuz System.map config; do cmp -s "$R$MOD/$f" "$R/boot/$f-$KREL" || same=1; done
[ $rc = 0 ] && [ $same = 0 ] && [ -s "$R$MOD/modules.dep" ]; ok $? \
	"rpm -i without kernel-install: %post ran depmod and copied vmlinuz, System.map, config into /boot" \
	"rc=$rc /boot: $(ls -A "$R/boot"); $(ls "$R$MOD"); $(tail -3 "$TMP/rpmroot.log")"
rpmroot -e kernel-pciprobe; rc=$?
[ $rc = 0 ] && [ -z "$(ls -A "$R/boot")" ] && [ ! -e "$R$MOD" ]; ok $? \
	"rpm -e without kernel-install: the /boot copies and $MOD (modules.dep too) are gone" \
	"rc=$rc /boot: $(ls -A "$R/boot"); left: $(find "$R$MOD" 2>/dev/null | sed -n 1,3p)"

mkroot
echo "another kernel" >"$R/boot/vmlinuz-$KREL"
: >"$TMP/rpmroot.log"
rpmroot -i "$RPMF"; rc=$?
kept=$(cat "$R/boot/vmlinuz-$KREL")
rpmroot -e kernel-pciprobe; rc2=$?
[ $rc = 0 ] && [ $rc2 = 0 ] && [ "$kept" = "another kernel" ] && [ "$(cat "$R/boot/vmlinuz-$KREL")" = "another kernel" ] &&
	grep -q "/boot/vmlinuz-$KREL is another kernel's" "$TMP/rpmroot.log"; ok $? \
	"another kernel's /boot/vmlinuz-$KREL: neither overwritten by rpm -i nor removed by rpm -e (a warning says so)" \
	"rc=$rc/$rc2 after -i: $kept; $(cat "$TMP/rpmroot.log" | grep -v -i alien)"
done_testing
