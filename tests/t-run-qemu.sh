#!/bin/bash
# run-qemu: bad input is refused; a guest that does not power off is an
# infrastructure error (exit 5) after one retry, with the hung console
# kept; never a result. Needs the default branch's A/B kernel, else SKIP.
. "$(dirname "$0")/lib.sh"
B=$(default_branch)
run_cmd "$TOP/scripts/boot/run-qemu" --kernel "$TMP/nope" --initrd "$TMP/nope" --out "$TMP/o"
ok "$([ "$(last_rc)" = 2 ] && [ "$(last_err)" = "run-qemu: error: no kernel image '$TMP/nope'" ] && echo 0 || echo 1)" \
	"missing kernel image: one line, exit 2" "$(last_err)"
K=$CACHE/kernels/$B
if [ ! -f "$K/before/bzImage" ]; then
	skip "hung guest: infra error after a retry" "no A/B kernel of $B (make ab BRANCH=$B)"
	done_testing
fi
"$TOP/scripts/boot/mk-initramfs" "$K/before/modinst" "$TMP/i.gz"
PCIPROBE_QEMU_RETRIES=1 run_cmd "$TOP/scripts/boot/run-qemu" --kernel "$K/before/bzImage" --initrd "$TMP/i.gz" \
	--out "$TMP/hang" --nvme 1 --timeout 2
ok "$([ "$(last_rc)" = 5 ] && last_err | tail -1 | grep -q 'infrastructure error: the guest did not power off within 2 s' &&
	[ -f "$TMP/hang/console.hung-1.log" ] && [ "$(cat "$TMP/hang/retries")" = 1 ] &&
	! grep -q pciprobe-done "$TMP/hang/trace.txt" 2>/dev/null && echo 0 || echo 1)" \
	"hung guest (2 s timeout): retried once, then infra error (exit 5), hung console kept" "$(last_err | tail -2)"
done_testing
