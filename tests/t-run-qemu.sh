#!/bin/bash
# tests/run: alone (boots guests the judge reads, or builds a kernel)
# run-qemu and the judge's guest rule (judge guest, judge side) on
# real guests that go wrong: an init that never powers off (a real hang),
# one that exits (a real kernel panic: "Attempted to kill init"), one that
# powers off without results, one that reports an error. Each must be an
# infrastructure error (exit 5) with its own reason, never a result.
# Needs the default branch's A/B kernel (make ab), else SKIP.
. "$(dirname "$0")/lib.sh"
B=$(default_branch)
run_cmd "$TOP/scripts/boot/run-qemu" --kernel "$TMP/nope" --initrd "$TMP/nope" --out "$TMP/o"
[ "$(last_rc)" = 2 ] && [ "$(last_err)" = "run-qemu: error: no kernel image '$TMP/nope'" ]; ok $? \
	"missing kernel image: one line, exit 2" "$(last_err)"
K=$CACHE/kernels/$B
if [ ! -f "$K/before/bzImage" ] || ! command -v qemu-system-x86_64 >/dev/null; then
	skip "guests that hang, panic, write nothing or fail" "no A/B kernel of $B (make ab BRANCH=$B) or no qemu"
	done_testing
fi

# guest NAME TIMEOUT RETRIES INIT-BODY: boot the A/B "before" kernel with
# INIT-BODY as /init; run-qemu's exit and stderr in last.*, side.json judged
guest() {
	printf '#!/bin/sh\n/bin/busybox mount -t proc proc /proc\n/bin/busybox mount -t devtmpfs devtmpfs /dev\n%s\n' "$4" >"$TMP/init-$1"
	"$TOP/scripts/boot/mk-initramfs" --init "$TMP/init-$1" "$K/before/modinst" "$TMP/$1.gz"
	PCIPROBE_QEMU_RETRIES=$3 run_cmd "$TOP/scripts/boot/run-qemu" --kernel "$K/before/bzImage" \
		--initrd "$TMP/$1.gz" --out "$TMP/$1" --nvme 1 --timeout "$2"
	"$TOP/scripts/judge/judge" side "$TMP/$1" >/dev/null 2>&1
	SIDE=$(jq -r '"\(.status): \(.reason)"' "$TMP/$1/side.json" 2>/dev/null)
}

# A real hang: the kernel boots (its banner is on the console), init sleeps
guest hang 20 1 '/bin/busybox sleep 100000'
[ "$(last_rc)" = 5 ] && last_err | tail -1 | grep_q 'infrastructure error: the guest did not power off within 20 s (hang)' &&
	[ -f "$TMP/hang/console.hung-1.log" ] && [ "$(cat "$TMP/hang/retries")" = 1 ] &&
	grep -q 'Linux version' "$TMP/hang/console.log"; ok $? \
	"a guest whose init never powers off: retried once, then exit 5 (hang), hung console kept" "$(last_err | tail -2)"
[[ $SIDE == "infra-error: the guest did not power off within 20 s (hang)" ]]; ok $? "judge: hung guest is an infra-error" "$SIDE"

# A real panic: init exits
guest panic 60 0 'exit 1'
[ "$(last_rc)" = 5 ] && last_err | tail -1 | grep_q 'infrastructure error: the guest panicked: Kernel panic - not syncing: Attempted to kill init'; ok $? \
	"a guest whose init exits: kernel panic, exit 5" "$(last_err | tail -2)"
[[ $SIDE == "infra-error: the guest panicked: Kernel panic"* ]]; ok $? "judge: panic is an infra-error" "$SIDE"

# Powers off without writing results
guest silent 60 0 '/bin/busybox poweroff -f'
[ "$(last_rc)" = 5 ] && last_err | tail -1 | grep_q 'infrastructure error: the guest wrote no results (no pciprobe-done on ttyS1)'; ok $? \
	"a guest that powers off without results: exit 5" "$(last_err | tail -2)"
[[ $SIDE == "infra-error: the guest wrote no results"* ]]; ok $? "judge: no results is an infra-error" "$SIDE"

# Reports an error of its own
guest error 60 0 'echo "pciprobe-error: cannot place a kprobe on local_pci_probe" >/dev/ttyS1; /bin/busybox poweroff -f'
[ "$(last_rc)" = 5 ] && last_err | tail -1 | grep_q 'infrastructure error: in the guest: cannot place a kprobe on local_pci_probe'; ok $? \
	"a guest that reports an error: exit 5 with its message" "$(last_err | tail -2)"

# scripts/boot/judged-boot on guests whose init writes a given probe trace:
# a boot whose NVMe probes cannot tell is booted again (up to
# PCIPROBE_BOOTS), its logs kept; a boot with a verdict is never retried.
judged() {	# judged NAME TRACE: judged-boot with TRACE written to ttyS1
	{ printf '#!/bin/sh\n/bin/busybox mount -t proc proc /proc\n/bin/busybox mount -t devtmpfs devtmpfs /dev\n'
	  printf '/bin/busybox cat >/dev/ttyS1 <<"EOT"\n'; cat "$2"; printf 'EOT\n/bin/busybox poweroff -f\n'; } >"$TMP/init-$1"
	PCIPROBE_BOOTS=3 run_cmd "$TOP/scripts/boot/judged-boot" --checks nvme --init "$TMP/init-$1" \
		"$K/before/bzImage" "$K/before/modinst" "$TMP/$1" --nvme 1
	SIDE=$(jq -c '{status, reason, boots, earlier: (.earlier_boots | length)}' "$TMP/$1/side.json" 2>/dev/null)
}
# Two NVMe probes one after the other on CPU 2, both in one unbound worker
# (as in the CI run of stop 18: a fixed 5.10 kernel whose four probes ran so)
cat >"$TMP/one-cpu.trace" <<'EOF'
# pciprobe-kernel: 5.10.262
# pciprobe-async: async_probe=1
# pciprobe-node: 0 cpus=0-1
# pciprobe-node: 1 cpus=2-3
# pciprobe-dev: 0000:21:01.0 node=1 class=0x010802 driver=nvme
# pciprobe-dev: 0000:21:02.0 node=1 class=0x010802 driver=nvme
   kworker/u10:4-47      [002] ....     2.224022: async_drv: (__driver_attach_async_helper+0x0/0x45) dev="0000:21:01.0"
   kworker/u10:4-47      [002] ....     2.225790: pstart: (local_pci_probe+0x0/0x6d)
   kworker/u10:4-47      [002] ....     2.225839: pdev: (__pm_runtime_resume+0x0/0x52) dev="0000:21:01.0"
   kworker/u10:4-47      [002] d...     2.230224: pend: (pci_device_probe+0x13c/0x181 <- local_pci_probe) ret=0x0
   kworker/u10:4-47      [002] d...     2.230663: async_drv_end: (async_run_entry_fn+0x2d/0xbf <- __driver_attach_async_helper)
   kworker/u10:4-47      [002] ....     2.230824: async_drv: (__driver_attach_async_helper+0x0/0x45) dev="0000:21:02.0"
   kworker/u10:4-47      [002] ....     2.230894: pstart: (local_pci_probe+0x0/0x6d)
   kworker/u10:4-47      [002] ....     2.230900: pdev: (__pm_runtime_resume+0x0/0x52) dev="0000:21:02.0"
   kworker/u10:4-47      [002] d...     2.236896: pend: (pci_device_probe+0x13c/0x181 <- local_pci_probe) ret=0x0
   kworker/u10:4-47      [002] d...     2.236980: async_drv_end: (async_run_entry_fn+0x2d/0xbf <- __driver_attach_async_helper)
pciprobe-done
EOF
judged cannot-tell "$TMP/one-cpu.trace"
[ "$(last_rc)" = 5 ] && [ "$(last_err | grep -c 'booting again')" = 2 ] &&
	[[ $SIDE == '{"status":"infra-error","reason":"the NVMe probes cannot tell: unbound workers, but on one CPU only","boots":3,"earlier":2}' ]] &&
	[ -f "$TMP/cannot-tell/boot-1/console.log" ] && [ -f "$TMP/cannot-tell/boot-2/side.json" ] && [ ! -e "$TMP/cannot-tell/boot-3" ]; ok $? "judged-boot: probes that cannot tell are booted 3 times, earlier logs kept, then exit 5" "$SIDE $(last_err | tail -1)"
judged serialized "$TOP/tests/samples/5.10-before.trace"
[ "$(last_rc)" = 0 ] && [ -z "$(last_err)" ] && [[ $SIDE == '{"status":"ok","reason":null,"boots":1,"earlier":0}' ]] &&
	[ "$(jq .shows_bug "$TMP/serialized/side.json")" = true ]; ok $? \
	"judged-boot: a boot that shows the bug is judged once, never booted again" "$SIDE $(last_err | tail -1)"
done_testing
