#!/bin/bash
# The compiler cache of every kernel build (cc_setup) must not serve a
# stale object for an assembler file whose .incbin input changed: that is
# how the bzImage's compressed payload (arch/x86/boot/compressed/piggy.S)
# is linked, and ccache's depend mode once gave 7.3's "after" bzImage the
# "before" kernel. A cache that depend mode filled is emptied once, and the
# .incbin objects of the build dirs are made again (forget_incbin_objects). And
# check_bzimage refuses a bzImage whose payload is not the vmlinux beside
# it (on a real built tree where the cache holds one).
. "$(dirname "$0")/lib.sh"
command -v ccache >/dev/null || { skip "compiler cache" "ccache is not installed"; done_testing; exit; }
unset CCACHE_DIR CCACHE_DEPEND
CACHE=$TMP/cache
mkdir -p "$TMP/s"
printf '.section .rodata\n.incbin "data.bin"\n' >"$TMP/s/p.S"
# payload VALUE: compile p.S with the build's compiler and -MMD, as Kbuild
# does, with data.bin holding VALUE; print what the object carries
payload() {
	echo "$1" >"$TMP/s/data.bin"
	rm -f "$TMP/s/p.o"
	(cd "$TMP/s" && $CC_CMD -Wp,-MMD,p.d -c p.S -o p.o) &&
		objcopy -O binary --only-section=.rodata "$TMP/s/p.o" "$TMP/s/out.bin" && cat "$TMP/s/out.bin"
}

# a fresh cache: marked, nothing said
cc_setup 2>"$TMP/fresh.err"
[ ! -s "$TMP/fresh.err" ] && [ "$(cat "$CACHE/ccache/cache-mode")" = default ]; ok $? \
	"a fresh compiler cache is marked, and nothing is said" "$(cat "$TMP/fresh.err")"
rm -rf "$CACHE/ccache"
unset CCACHE_DIR CCACHE_NODEPEND
# a cache that depend mode filled, as earlier versions left it
mkdir -p "$CACHE/ccache"
(export CCACHE_DIR=$CACHE/ccache CCACHE_DEPEND=true CC_CMD="ccache gcc"; payload old >/dev/null)
cc_setup 2>"$TMP/setup.err"
[ "$CC_CMD" = "ccache gcc" ] && [ "$CCACHE_DIR" = "$CACHE/ccache" ] && [ -z "${CCACHE_DEPEND:-}" ] && [ "${CCACHE_NODEPEND:-}" = 1 ]; ok $? \
	"cc_setup: ccache in its default mode (CCACHE_NODEPEND=1, no CCACHE_DEPEND), in the package's cache" "CC_CMD=$CC_CMD CCACHE_DIR=$CCACHE_DIR"
grep_q -F "emptying $CACHE/ccache once" "$TMP/setup.err" && [ "$(cat "$CACHE/ccache/cache-mode")" = default ]; ok $? \
	"a cache without the cache-mode mark is emptied once, and says so" "$(cat "$TMP/setup.err")"
[ "$(payload new)" = new ]; ok $? "after that, the depend-mode entry of p.S (holding 'old') is not served" "$(cat "$TMP/s/out.bin")"
[ "$(payload A)" = A ] && [ "$(payload B)" = B ] && [ "$(payload A)" = A ]; ok $? \
	"the object follows the .incbin input: A, B, A" "$(cat "$TMP/s/out.bin")"
cc_setup 2>"$TMP/setup2.err"
[ ! -s "$TMP/setup2.err" ]; ok $? "a marked cache is left alone (no second emptying)" "$(cat "$TMP/setup2.err")"

# forget_incbin_objects on a synthetic build dir: the objects whose source
# (absolute, or relative to the build dir as for generated files) reads a
# file by .incbin go; the others stay
B=$TMP/build/x/ab S=$TMP/src
mkdir -p "$B/arch/boot" "$B/kernel" "$B/drivers" "$S/kernel" "$S/drivers"
printf '.incbin "blob"\n' >"$B/arch/boot/piggy.S"
printf 'asm(".incbin \\"kernel/config_data.gz\\"");\n' >"$S/kernel/configs.c"
printf 'int x;\n' >"$S/drivers/plain.c"
printf 'source_arch/boot/piggy.o := arch/boot/piggy.S\n' >"$B/arch/boot/.piggy.o.cmd"
printf 'source_kernel/configs.o := %s/kernel/configs.c\n' "$S" >"$B/kernel/.configs.o.cmd"
printf 'source_drivers/plain.o := %s/drivers/plain.c\n' "$S" >"$B/drivers/.plain.o.cmd"
touch "$B/arch/boot/piggy.o" "$B/kernel/configs.o" "$B/drivers/plain.o"
forget_incbin_objects "$TMP/build"
[ ! -e "$B/arch/boot/piggy.o" ] && [ ! -e "$B/kernel/configs.o" ] && [ -e "$B/drivers/plain.o" ]; ok $? \
	"forget_incbin_objects: the two .incbin objects are removed (relative and absolute source), the plain one stays" "$(cd "$B" && find . -name '*.o')"

# check_bzimage on a real tree: the bzImage as built passes; one whose
# payload is another kernel's is refused
R=
for d in "${PCIPROBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pciprobe}"/build/*/ab; do
	[ -s "$d/arch/x86/boot/bzImage" ] && [ -s "$d/arch/x86/boot/compressed/vmlinux.bin" ] && [ -f "$d/source/scripts/extract-vmlinux" ] &&
		(check_bzimage "$d/source" "$d") 2>/dev/null && { R=$d; break; }
done
if [ -n "$R" ]; then
	mkdir -p "$TMP/o/arch/x86/boot/compressed"
	cp "$R/arch/x86/boot/bzImage" "$TMP/o/arch/x86/boot/bzImage"
	# the same vmlinux.bin with one byte changed in its middle
	cp "$R/arch/x86/boot/compressed/vmlinux.bin" "$TMP/o/arch/x86/boot/compressed/vmlinux.bin"
	n=$(stat -c %s "$TMP/o/arch/x86/boot/compressed/vmlinux.bin")
	b=$(od -An -tu1 -j $((n / 2)) -N1 "$TMP/o/arch/x86/boot/compressed/vmlinux.bin" | tr -d ' ')
	printf "$(printf '\\%03o' $(((b + 1) % 256)))" | dd of="$TMP/o/arch/x86/boot/compressed/vmlinux.bin" bs=1 seek=$((n / 2)) conv=notrunc status=none
	(set -e; check_bzimage "$R/source" "$TMP/o"; echo "not reached") >"$TMP/cb.out" 2>"$TMP/cb.err"
	rc=$?
	[ ! -s "$TMP/cb.out" ]; ok $? "check_bzimage under set -e: the script stops there, after its message" "$(cat "$TMP/cb.out")"
	[ $rc = 1 ] && grep_q "stale compressed payload" "$TMP/cb.err"; ok $? \
		"check_bzimage: a bzImage whose payload differs from vmlinux.bin by one byte is refused, exit 1" "rc=$rc $(cat "$TMP/cb.err")"
else
	skip "check_bzimage on a real build" "no built A/B tree in the cache (make ab builds one)"
fi
done_testing
