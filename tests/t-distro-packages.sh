#!/bin/bash
# tests/run: alone (boots guests the judge reads, or builds a kernel)
# The packages built from the distro's own config (scripts/packages/pkg-build
# deb|rpm BRANCH, as make system builds them) for the default branch:
# names and versions ordered against Debian's, the maintainer scripts
# that make a Debian host boot them, lintian and rpmlint without errors,
# an external module built against the headers package, every built-in
# option of the stock config kept, and the CONFIG= path changing a config
# only as olddefconfig does. Needs out/BRANCH/deb from make system, else SKIP.
. "$(dirname "$0")/lib.sh"
B=$(default_branch)
D=$OUT_ROOT/$B/deb
IMG=
for f in "$D"/linux-image-*.deb; do
	case $f in *-dbg_*) continue ;; esac
	[ -f "$f" ] && IMG=$f && break
done
if [ -z "$IMG" ] || [ "$(jq -r .config "$D/config-origin.json" 2>/dev/null)" = test ]; then
	skip "distro-config packages of $B" "none in $D (make system BRANCH=$B builds them)"
	done_testing
fi
read -r SPKG SVER _ < <(stock_kernel "$B")
PKG=$(dpkg-deb -f "$IMG" Package) VER=$(dpkg-deb -f "$IMG" Version)
REL=${PKG#linux-image-}
DVER=$(branch_field "$B" version)
SREL=${SPKG#linux-image-}

# Names and versions
[ "$PKG" != "$SPKG" ] && [ "$REL" != "$SREL" ]; ok $? "name and uname -r differ from Debian's: $PKG / $SPKG"
dpkg --compare-versions "$VER" gt "$DVER"; ok $? "version $VER sorts above the Debian build it comes from ($DVER)"
next=$(echo "$DVER" | awk '{ if (match($0, /u[0-9]+$/)) print substr($0, 1, RSTART) substr($0, RSTART + 1) + 1; else print $0 ".1" }')
dpkg --compare-versions "$VER" lt "$next"; ok $? "and below Debian's next upload ($next)"
dpkg --compare-versions "$REL" gt "$SREL"; ok $? "release $REL sorts above $SREL (GRUB boots it by itself)"

# What makes a Debian host boot it
CTL=$TMP/ctl
dpkg-deb -e "$IMG" "$CTL"
( for s in preinst postinst prerm postrm; do grep -q "/etc/kernel/$s.d" "$CTL/$s" || exit 1; done ); ok $? \
	"maintainer scripts run /etc/kernel/{preinst,postinst,prerm,postrm}.d" "$(ls "$CTL")"
[ -s "$CTL/md5sums" ]; ok $? "md5sums"
# The kernel's packages are bindeb-pkg's as it made them; the capability
# package beside them carries the fix's name (scripts/packages/mk-capability)
! { dpkg-deb -f "$IMG" Provides | grep_q "$FIX_CAPABILITY"; }; ok $? "linux-image as bindeb-pkg made it: no $FIX_CAPABILITY added to its Provides"
CAP=$D/pciprobe-fix-${REL}_${VER}_all.deb
if [ -f "$CAP" ]; then
	dep=$(dpkg-deb -f "$CAP" Depends)
	dpkg-deb -f "$CAP" Provides | grep_q -x "$FIX_CAPABILITY" && [[ $dep == "$PKG (= $VER),"* ]] && [[ $dep == *kmod* ]] &&
		[[ $dep == *initramfs-tools* || $dep == *linux-initramfs-tool* ]] && [ "$(dpkg-deb -f "$CAP" Architecture)" = all ]; ok $? \
		"pciprobe-fix-$REL: Provides $FIX_CAPABILITY, Depends on $PKG (= $VER), kmod and an initramfs generator" "$dep"
	deb_tar "$CAP" -xO "./usr/share/doc/pciprobe-fix-$REL/changelog.Debian.gz" | zcat | sed -n 1,6p | grep_q 'PCI: probe in place'; ok $? \
		"its changelog names the fix"
else
	ok 1 "the capability package pciprobe-fix-$REL beside the kernel's" "no $CAP: $(ls "$D")"
fi
if command -v lintian >/dev/null; then
	out=$(lintian --no-tag-display-limit "$D"/*.deb 2>&1)
	! { grep -q '^E: ' <<<"$out"; }; ok $? "lintian: no errors ($(grep -c '^W: ' <<<"$out") warnings)" "$(grep '^E: ' <<<"$out" | sed -n 1,10p)"
else
	skip "lintian" "lintian not installed (scripts/install-deps)"
fi

# The trim turns modules off only: localmodconfig's own output keeps every
# built-in option of the stock config (pkg-build checks it and records it);
# olddefconfig then drops only options under a module turned off.
cfg=$TMP/config
deb_tar "$IMG" -xO "./boot/config-$REL" >"$cfg"
base=$(jq -r .base "$D/config-origin.json")
# (the trim adds no built-in option: every =y of the package's config is
# one of the stock config after olddefconfig, or debug info off)
mkdir -p "$TMP/ref0"
cp "$base" "$TMP/ref0/.config"
make -s -C "$CACHE/work/$B/pkg" O="$TMP/ref0" ARCH=x86_64 LOCALVERSION="$KERNEL_LOCALVERSION" olddefconfig >/dev/null 2>&1
added=$(grep '=y$' "$cfg" | grep -v '^CONFIG_DEBUG_INFO_NONE=' | sort | comm -23 - <(grep '=y$' "$TMP/ref0/.config" | sort))
[ -s "$TMP/ref0/.config" ] && [ -z "$added" ]; ok $? \
	"the trim adds no built-in option ($(jq -r .trim_dropped_builtins "$D/config-origin.json") bool options under modules turned off dropped)" "$added"
grep -q '^CONFIG_NR_CPUS=8192$' "$cfg" && grep -q '^CONFIG_MAXSMP=y$' "$cfg" && ! grep -q '^CONFIG_KUNIT=y' "$cfg" &&
	! grep -q '^CONFIG_PCI_PROBE_NUMA_KUNIT_TEST' "$cfg"; ok $? \
	"nothing of the test fragments: NR_CPUS=8192, MAXSMP=y, no KUnit, no test ($(grep -c '=y$' "$cfg") =y, $(grep -c '=m$' "$cfg") =m)"

# make deb CONFIG=<Debian config>: the config is used as it is, changed
# only by olddefconfig (compared with olddefconfig run on its own)
got=$(PCIPROBE_OUT=$TMP/out PCIPROBE_PKG_OBJ=$TMP/obj PCIPROBE_CONFIG_ONLY=1 "$TOP/scripts/packages/pkg-build" deb "$B" "$base" 2>"$TMP/cfg.err")
mkdir -p "$TMP/ref"
cp "$base" "$TMP/ref/.config"
make -s -C "$TMP/obj.tree" O="$TMP/ref" ARCH=x86_64 LOCALVERSION="$KERNEL_LOCALVERSION" olddefconfig >/dev/null 2>&1
[ -n "$got" ] && [ -f "$got" ] && cmp -s "$got" "$TMP/ref/.config"; ok $? \
	"CONFIG=$(basename "$base"): the .config differs from it only by olddefconfig ($(diff <(grep '^CONFIG_' "$base" | sort) <(grep '^CONFIG_' "$TMP/ref/.config" | sort) | grep -c '^[<>]') lines)" \
	"$(cat "$TMP/cfg.err" | tail -3; diff "$TMP/ref/.config" "${got:-/dev/null}" | sed -n 1,5p)"

# The headers package builds an external module
HDR=$(ls "$D"/linux-headers-*.deb 2>/dev/null | sed -n 1p)
if [ -n "$HDR" ]; then
	dpkg-deb -x "$HDR" "$TMP/h"
	hd=$TMP/h/usr/src/linux-headers-$REL
	mkdir -p "$TMP/mod"
	printf '#include <linux/module.h>\nstatic int __init m_init(void) { return 0; }\nstatic void __exit m_exit(void) { }\nmodule_init(m_init);\nmodule_exit(m_exit);\nMODULE_LICENSE("GPL");\n' >"$TMP/mod/pciprobe_hello.c"
	echo 'obj-m := pciprobe_hello.o' >"$TMP/mod/Makefile"
	out=$(make -C "$hd" M="$TMP/mod" modules 2>&1)
	[ -f "$TMP/mod/pciprobe_hello.ko" ] && [ -f "$hd/scripts/module.lds" ] && modinfo -F vermagic "$TMP/mod/pciprobe_hello.ko" | grep_q "^$REL "; ok $? \
		"linux-headers builds an external module (vermagic $REL)" "$(tail -5 <<<"$out")"
else
	ok 1 "no linux-headers .deb in $D"
fi

# The same kernel as an RPM, from the same build
if command -v rpmbuild >/dev/null; then
	run_cmd "$TOP/scripts/packages/pkg-build" rpm "$B"
	R=$(ls "$OUT_ROOT/$B/rpm"/*.x86_64.rpm 2>/dev/null | sed -n 1p)
	[ -n "$R" ] && rpm -qp --provides "$R" | grep_q -F "kernel-$REL = " && ! rpm -qp --provides "$R" | grep_q -x 'kernel' &&
		rpm -qp -l "$R" | grep_q -x "/lib/modules/$REL/vmlinuz"; ok $? \
		"RPM of the same build: Provides kernel-$REL (not kernel), /lib/modules/$REL/vmlinuz" "$(last_err | tail -3)"
	if command -v rpmlint >/dev/null && [ -n "$R" ]; then
		# specs/kernel-pciprobe.rpmlintrc is the test kernel's (plain .ko); a
		# distro config compresses its modules (MODULE_COMPRESS_ALL: .ko.xz),
		# so rpmlint sees no ELF binary: that filter instead of the .ko one
		{ grep -v 'unstripped-binary-or-object' "$TOP/specs/kernel-pciprobe.rpmlintrc"
		  echo 'addFilter("kernel-pciprobe\.x86_64: E: no-binary$")'; } >"$TMP/rpmlintrc"
		out=$(rpmlint -r "$TMP/rpmlintrc" "$OUT_ROOT/$B/rpm"/*.rpm 2>&1)
		grep -q ' 0 errors' <<<"$out"; ok $? "rpmlint: $(tail -1 <<<"$out")" "$(grep ': E: ' <<<"$out" | sed -n 1,5p)"
	fi
else
	skip "RPM of the same build" "rpmbuild not installed"
fi
done_testing
