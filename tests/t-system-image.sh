#!/bin/bash
# The Debian system image (scripts/system/mk-image) booted by
# scripts/system/run-system, for the default branch: built once (or reused
# from the cache), booted through its own boot chain (SeaBIOS, GRUB on the
# disk) with 4 NVMe on node 1. Its job reports the running kernel (the
# branch's stock Debian kernel), the command line GRUB gave (BOOT_IMAGE=),
# the NVMe devices (bound to nvme, on node 1), nvme in the initrd that
# initramfs-tools made and bound before the root file system was mounted
# (Debian's default MODULES=most), and writes a file to the root file
# system of a kept overlay (--disk). A second boot of that overlay sees the
# file, then its job never finishes: the runner's timeout makes that an
# infrastructure error (exit 5), never a result. Also: bad input (exit 2) and
# a branch without a stock Debian 12 kernel (exit 4); canary-image's bad
# input (exit 2).
# SKIP: no debootstrap or QEMU here, or not root and no image in the cache.
. "$(dirname "$0")/lib.sh"
B=$(default_branch)
MK=$TOP/scripts/system/mk-image RUN=$TOP/scripts/system/run-system

# --- cheap: input errors and a branch without a stock kernel --------------
run_cmd "$RUN" --image "$TMP/nope.raw" --out "$TMP/x"
[ "$(last_rc)" = 2 ] && [ "$(last_err)" = "run-system: error: no image '$TMP/nope.raw'" ]; ok $? \
	"run-system without an image: one line, exit 2" "$(last_err)"
touch "$TMP/empty.raw"
run_cmd "$RUN" --serve --image "$TMP/empty.raw" --out "$TMP/x" --ssh 2222
[ "$(last_rc)" = 2 ] && [ "$(last_err)" = "run-system: error: --serve needs --disk (the host's own overlay)" ] && [ ! -e "$TMP/x" ]; ok $? \
	"run-system --serve without --disk: one line, exit 2, nothing made" "$(last_err)"
run_cmd "$RUN" --image "$TMP/empty.raw" --out "$TMP/x" --ssh 2222
[ "$(last_rc)" = 2 ] && [ "$(last_err)" = "run-system: error: --ssh goes with --serve" ]; ok $? \
	"run-system --ssh without --serve: exit 2" "$(last_err)"
run_cmd "$TOP/scripts/system/fleet-image" "$B" "$TMP/x.deb" "$TMP/none.pub"
[ "$(last_rc)" = 2 ] && last_err | grep_q "is no SSH public key" && [ ! -s "$TMP/last.out" ]; ok $? \
	"fleet-image without a public key: exit 2" "$(last_err)"
run_cmd "$MK" nosuch
[ "$(last_rc)" = 2 ] && last_err | grep_q "unknown branch 'nosuch'"; ok $? \
	"mk-image of an unknown branch: exit 2" "$(last_err)"
CI=$TOP/scripts/system/canary-image
run_cmd "$CI" nosuch "$TMP/x.deb"
[ "$(last_rc)" = 2 ] && last_err | grep_q "unknown branch 'nosuch'" && [ ! -s "$TMP/last.out" ]; ok $? \
	"canary-image of an unknown branch: exit 2" "$(last_err)"
run_cmd "$CI" "$B" "$TMP/x.deb"
[ "$(last_rc)" = 2 ] && [ "$(last_err)" = "canary-image: error: no canary package '$TMP/x.deb' (scripts/packages/mk-canary DIR makes it)" ]; ok $? \
	"canary-image without the canary package: one line, exit 2" "$(last_err)"
nostock=$(for b in $(branch_list); do [ "$(branch_field "$b" stock)" = - ] && { echo "$b"; break; }; done)
if [ -n "$nostock" ]; then
	run_cmd "$MK" "$nostock"
	[ "$(last_rc)" = 4 ] && last_err | grep_q "skip: no stock Debian 12 kernel for $nostock: ." && [ ! -s "$TMP/last.out" ]; ok $? \
		"mk-image $nostock (no stock kernel for a Debian 12 image): exit 4, says why" "$(last_err)"
fi

# --- the image ---------------------------------------------------------------
PATH=$PATH:/usr/sbin:/sbin
KREL=$(branch_field "$B" stock)
KREL=${KREL#linux-image-}
NAME="Debian 12 image of $B booted through GRUB"
for t in debootstrap qemu-system-x86_64 qemu-img; do
	command -v $t >/dev/null || { skip "$NAME" "$t not installed (scripts/install-deps)"; done_testing; }
done
if [ "$(id -u)" != 0 ] && [ ! -f "$CACHE/system/$B/disk.raw" ]; then
	skip "$NAME" "building the image needs root (debootstrap, chroot, loop devices)"
	done_testing
fi
t0=$(date +%s)
IMG=$("$MK" "$B" 2>"$TMP/mk.err")
rc=$?
[ $rc = 0 ] && [ -f "$IMG" ]; ok $? \
	"mk-image $B: $IMG ($(($(date +%s) - t0)) s; $(tail -1 "$TMP/mk.err"))" "exit $rc: $(tail -5 "$TMP/mk.err")"
[ $rc = 0 ] || done_testing

# --- boot 1: through GRUB, 4 NVMe on node 1 ---------------------------------
mkdir -p "$TMP/job1" "$TMP/job2"
cat >"$TMP/job1/run" <<'EOF'
#!/bin/bash
echo "uname: $(uname -r)"
echo "cmdline: $(cat /proc/cmdline)"
lsmod | grep '^nvme' | sed 's/^/lsmod: /'
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/class")" = 0x010802 ] || continue
	drv=$(readlink "$d/driver" 2>/dev/null || echo none)
	echo "nvme-dev: ${d##*/} driver=${drv##*/} numa_node=$(cat "$d/numa_node")"
done
lsinitramfs "/boot/initrd.img-$(uname -r)" | grep '/nvme\.ko' | sed 's/^/initrd: /'
dmesg | grep -E 'nvme nvme[0-9]+: pci function|EXT4-fs \(vda1\): mounted' | sed 's/^/dmesg: /'
echo persisted >/var/lib/pciprobe-test-marker && sync
EOF
"$RUN" --image "$IMG" --out "$TMP/b1" --disk "$TMP/disk.qcow2" --job "$TMP/job1" --nvme 4 --testdev 0 2>"$TMP/b1.err"
rc=$?
tr=$TMP/b1/trace.txt
[ $rc = 0 ] && grep -qx pciprobe-done "$tr"; ok $? \
	"boot 1: the job ran and the guest powered off (exit 0; $(cat "$TMP/b1/boot.seconds" 2>/dev/null) s, job at uptime $(cat "$TMP/b1/job.uptime" 2>/dev/null) s)" \
	"exit $rc: $(tail -5 "$TMP/b1.err")"
field() { sed -n "s/^$1: //p" "$tr"; }
[ "$(field uname)" = "$KREL" ]; ok $? "the running kernel is the stock $KREL" "uname: $(field uname)"
! grep -q -- ' -kernel ' "$TMP/b1/qemu.cmd" && [[ "$(field cmdline)" == "BOOT_IMAGE=/boot/vmlinuz-$KREL "* ]]; ok $? \
	"booted by GRUB from the disk: no -kernel on the QEMU line, BOOT_IMAGE= on the command line" \
	"cmdline: $(field cmdline); $(cat "$TMP/b1/qemu.cmd")"
field initrd | grep_q "/$KREL/kernel/drivers/nvme/host/nvme\.ko"; ok $? \
	"nvme.ko is in the initrd that initramfs-tools made" "$(field initrd)"
field lsmod | grep_q '^nvme '; ok $? "lsmod shows nvme loaded" "$(field lsmod)"
devs=$(field nvme-dev)
( [ "$(grep -c . <<<"$devs")" = 4 ] && [ "$(grep -c 'driver=nvme numa_node=1$' <<<"$devs")" = 4 ] ); ok $? \
	"4 NVMe devices, each bound to nvme, on NUMA node 1" "$devs"
# bound inside the initramfs: every NVMe probed before the root file system
# was mounted (read-only, by the initramfs)
ts() { field dmesg | grep -E "$1" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p'; }
last_nvme=$(ts 'pci function' | sort -n | tail -1) rootmount=$(ts 'vda1\): mounted' | sed -n 1p)
( [ -n "$last_nvme" ] && [ -n "$rootmount" ] && awk -v a="$last_nvme" -v b="$rootmount" 'BEGIN {exit !(a < b)}' ); ok $? \
	"nvme bound in the initramfs (last NVMe at $last_nvme s, root mounted at $rootmount s)" "$(field dmesg)"

# --- boot 2: the kept overlay; a job that never finishes -------------------
cat >"$TMP/job2/run" <<'EOF'
#!/bin/bash
echo "marker: $(cat /var/lib/pciprobe-test-marker 2>/dev/null || echo missing)"
sleep 100000
EOF
"$RUN" --image "$IMG" --out "$TMP/b2" --disk "$TMP/disk.qcow2" --job "$TMP/job2" --timeout 120 2>"$TMP/b2.err"
rc=$?
grep -qx 'marker: persisted' "$TMP/b2/trace.txt"; ok $? \
	"boot 2 on the kept overlay (--disk) sees the file boot 1 wrote" "$(cat "$TMP/b2/trace.txt" 2>/dev/null)"
[ $rc = 5 ] && tail -1 "$TMP/b2.err" | grep_q 'infrastructure error: the guest did not power off within 120 s (hang)' &&
	grep -q '^pciprobe-job: start' "$TMP/b2/trace.txt" && ! grep -q pciprobe-done "$TMP/b2/trace.txt"; ok $? \
	"a job that never finishes: the runner's timeout, exit 5 (hang), no pciprobe-done" "exit $rc: $(tail -3 "$TMP/b2.err")"
done_testing
