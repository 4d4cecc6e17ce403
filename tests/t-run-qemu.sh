#!/bin/bash
# run-qemu and the judge's guest rule (lib.sh guest_status, judge/side) on
# real guests that go wrong: an init that never powers off (a real hang),
# one that exits (a real kernel panic: "Attempted to kill init"), one that
# powers off without results, one that reports an error. Each must be an
# infrastructure error (exit 5) with its own reason, never a result.
# Needs the default branch's A/B kernel (make ab), else SKIP.
. "$(dirname "$0")/lib.sh"
B=$(default_branch)
run_cmd "$TOP/scripts/boot/run-qemu" --kernel "$TMP/nope" --initrd "$TMP/nope" --out "$TMP/o"
ok "$([ "$(last_rc)" = 2 ] && [ "$(last_err)" = "run-qemu: error: no kernel image '$TMP/nope'" ] && echo 0 || echo 1)" \
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
	"$TOP/scripts/judge/side" "$TMP/$1" >/dev/null 2>&1
	SIDE=$(jq -r '"\(.status): \(.reason)"' "$TMP/$1/side.json" 2>/dev/null)
}

# A real hang: the kernel boots (its banner is on the console), init sleeps
guest hang 20 1 '/bin/busybox sleep 100000'
ok "$([ "$(last_rc)" = 5 ] && last_err | tail -1 | grep_q 'infrastructure error: the guest did not power off within 20 s (hang)' &&
	[ -f "$TMP/hang/console.hung-1.log" ] && [ "$(cat "$TMP/hang/retries")" = 1 ] &&
	grep -q 'Linux version' "$TMP/hang/console.log" && echo 0 || echo 1)" \
	"a guest whose init never powers off: retried once, then exit 5 (hang), hung console kept" "$(last_err | tail -2)"
ok "$([[ $SIDE == "infra-error: the guest did not power off within 20 s (hang)" ]] && echo 0 || echo 1)" "judge: hung guest is an infra-error" "$SIDE"

# A real panic: init exits
guest panic 60 0 'exit 1'
ok "$([ "$(last_rc)" = 5 ] && last_err | tail -1 | grep_q 'infrastructure error: the guest panicked: Kernel panic - not syncing: Attempted to kill init' && echo 0 || echo 1)" \
	"a guest whose init exits: kernel panic, exit 5" "$(last_err | tail -2)"
ok "$([[ $SIDE == "infra-error: the guest panicked: Kernel panic"* ]] && echo 0 || echo 1)" "judge: panic is an infra-error" "$SIDE"

# Powers off without writing results
guest silent 60 0 '/bin/busybox poweroff -f'
ok "$([ "$(last_rc)" = 5 ] && last_err | tail -1 | grep_q 'infrastructure error: the guest wrote no results (no pciprobe-done on ttyS1)' && echo 0 || echo 1)" \
	"a guest that powers off without results: exit 5" "$(last_err | tail -2)"
ok "$([[ $SIDE == "infra-error: the guest wrote no results"* ]] && echo 0 || echo 1)" "judge: no results is an infra-error" "$SIDE"

# Reports an error of its own
guest error 60 0 'echo "pciprobe-error: cannot place a kprobe on local_pci_probe" >/dev/ttyS1; /bin/busybox poweroff -f'
ok "$([ "$(last_rc)" = 5 ] && last_err | tail -1 | grep_q 'infrastructure error: in the guest: cannot place a kprobe on local_pci_probe' && echo 0 || echo 1)" \
	"a guest that reports an error: exit 5 with its message" "$(last_err | tail -2)"
done_testing
