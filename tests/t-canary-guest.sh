#!/bin/bash
# tests/run: alone (boots guests the judge reads, or builds a kernel)
# The canary (tools/probe-report, linked statically by
# scripts/boot/guest-canary) on real kernels: the
# default branch's A/B kernels in the project's busybox guest (two nodes,
# 4 NVMe on node 1). In the guest, in this order:
#   the --boot init-top script (tools/probe-report/initramfs/init-top) with
#   an enabled config places the events; --teardown twice; --setup twice
#   (exit 0 both); nvme loaded with async probing -> --live --driver nvme:
#   serialized (1) on "before", fixed (0) on "after"; --save FILE: FILE,
#   reported on the host, gives the same report and exit; a sysfs unbind/bind
#   of node 1's NVMe devices on top (sync probes, in kworker/2:x with or
#   without the fix) -> the verdict of the async probes stays; the trace
#   cleared and the devices rebound once more (only sync probes) -> never
#   serialized: cannot-tell (2) with the hint; --teardown -> no pciprobe
#   event left; --teardown again -> exit 0.
# On a branch whose nvme does not prefer async probing (CANARY_BRANCH=6.1),
# nvme is first loaded as it is: sync probes -> cannot-tell with the hint.
# The initramfs is scripts/boot/mk-initramfs's with a second cpio archive
# appended (the binary, the init-top script, the config): the kernel
# unpacks concatenated archives. CANARY_SAVE=DIR keeps each run's ttyS1 log
# and its two traces (mixed, sync) per kernel (the samples in tests/samples came from
# such runs). Needs the A/B kernels (make ab), qemu and a static libc, else SKIP.
. "$(dirname "$0")/lib.sh"
B=${CANARY_BRANCH:-$(default_branch)}
K=$CACHE/kernels/$B
if [ ! -f "$K/before/bzImage" ] || [ ! -f "$K/after/bzImage" ] || ! command -v qemu-system-x86_64 >/dev/null; then
	skip "canary in the guest" "no A/B kernels of $B (make ab BRANCH=$B) or no qemu"
	done_testing
fi
if ! CANARY=$("$TOP/scripts/boot/guest-canary" 2>"$TMP/build.log"); then
	skip "canary in the guest" "no static build of pciprobe-report: $(head -3 "$TMP/build.log")"
	done_testing
fi

# The guest's /init: each step's output between "=== step NAME rc=N" and
# "=== end" on ttyS1, each trace between "=== trace NAME" and "=== end".
cat >"$TMP/init" <<'INIT'
#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
OUT=/dev/ttyS1
T=/sys/kernel/tracing
R=/usr/bin/pciprobe-report
step() {
	name=$1
	shift
	out=$("$@" 2>&1)
	rc=$?
	{ echo "=== step $name rc=$rc"; [ -z "$out" ] || echo "$out"; echo "=== end"; } >$OUT
}
fail() { echo "pciprobe-error: $*" >$OUT; poweroff -f; }
# save NAME: the trace and its annotations as the canary saves them
save() { $R --live --driver nvme --save /$1.txt >/dev/null 2>&1; { echo "=== trace $1"; cat /$1.txt; echo "=== end"; } >$OUT; }
events() { grep -c 'pciprobe/' $T/kprobe_events; }
# node 1's NVMe functions (PCI class 0x010802)
node1_nvme() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat $d/class)" = 0x010802 ] && [ "$(cat $d/numa_node)" = 1 ] && echo "${d##*/}"
	done
}
rebind() {
	for d in $(node1_nvme); do
		echo "$d" >/sys/bus/pci/drivers/nvme/unbind || return 1
		echo "$d" >/sys/bus/pci/drivers/nvme/bind || return 1
	done
}

# 1. the boot-time way: the init-top script as initramfs-tools runs it
step init-top sh /scripts/init-top/pciprobe-report
step events-after-init-top events
step kmsg sh -c 'dmesg | grep "pciprobe-report:"'
# 2. --teardown, twice; --setup, twice
step teardown-1 $R --teardown
step events-after-teardown-1 events
step teardown-2 $R --teardown
step setup-1 $R --setup
step setup-2 $R --setup
step kprobe-events cat $T/kprobe_events
step pdev-filter cat $T/events/pciprobe/pdev/filter
# 3. nvme with async probing
M=/lib/modules/$(uname -r)/kernel/drivers/nvme/host
for m in nvme-common nvme-auth nvme-keyring nvme-core; do
	[ -f $M/../common/$m.ko ] && insmod $M/../common/$m.ko
	[ -f $M/$m.ko ] && insmod $M/$m.ko
done
want=$(node1_nvme | wc -l)
[ "$want" -ge 2 ] || fail "fewer than 2 NVMe functions on node 1"
# wait_binds N: until pbound has fired N times (the binds after the probes)
wait_binds() {
	i=0
	while :; do
		have=$(awk '$1 == "pbound" {print $2}' $T/kprobe_profile)
		[ "${have:-0}" -ge "$1" ] && break
		i=$((i + 1))
		[ $i -gt 900 ] && fail "only ${have:-0} of $1 binds after 90 s"
		sleep 0.1
	done
}
# A driver that does not prefer async probing (pciprobe_async=param): first
# loaded as it is, its probes are synchronous; then reloaded with async_probe=1.
param=
case " $(cat /proc/cmdline) " in *" pciprobe_async=param "*) param="async_probe=1" ;; esac
binds=0
if [ -n "$param" ]; then
	insmod $M/nvme.ko || fail "insmod nvme.ko failed"
	binds=$want
	wait_binds $binds
	step live-load-sync $R --live --driver nvme
	save load-sync
	rmmod nvme || fail "rmmod nvme failed"
	echo >$T/trace
fi
async=$param
# shellcheck disable=SC2086
insmod $M/nvme.ko $async || fail "insmod nvme.ko $async failed"
binds=$((binds + want))
wait_binds $binds
step live-async $R --live --driver nvme
step live-save $R --live --driver nvme --save /saved.txt
{ echo "=== trace saved"; cat /saved.txt; echo "=== end"; } >$OUT
step live-svg $R --live --driver nvme --svg /probes.svg
{ echo "=== trace svg"; cat /probes.svg; echo "=== end"; } >$OUT
# 4. sync rebinds on top of the async probes, then alone
rebind || fail "unbind/bind of node 1's NVMe functions failed"
step live-mixed $R --live --driver nvme
save mixed
echo >$T/trace
rebind || fail "second unbind/bind failed"
step live-sync $R --live --driver nvme
save sync
# 5. remove everything
step teardown-3 $R --teardown
step events-after-teardown-3 events
step teardown-4 $R --teardown
echo pciprobe-done >$OUT
poweroff -f
INIT

# the second archive: program, init-top script, enabled config
X=$TMP/extra
install -D -m 0755 "$CANARY" "$X/usr/bin/pciprobe-report"
install -D -m 0755 "$TOP/tools/probe-report/initramfs/init-top" "$X/scripts/init-top/pciprobe-report"
mkdir -p "$X/etc/pciprobe-report"
echo enabled=1 >"$X/etc/pciprobe-report/boot.conf"
(cd "$X" && find . | cpio -o -H newc --quiet | gzip -1) >"$TMP/extra.cpio.gz"

append=
[ "$(nvme_async "$B")" = param ] && append=pciprobe_async=param

REPORT=$("$TOP/scripts/judge/build-report") || { ok 1 "the host's pciprobe-report builds"; done_testing; }
# step_rc LOG NAME / step_out LOG NAME: a step's exit status / output
step_rc() { sed -n "s/^=== step $2 rc=//p" "$1" | sed -n 1p; }
step_out() { awk -v s="=== step $2 " 'index($0, s) == 1 {on = 1; next} on && /^=== end/ {exit} on' "$1"; }
trace_of() { awk -v s="=== trace $2" '$0 == s {on = 1; next} on && /^=== end/ {exit} on' "$1"; }

for side in before after; do
	"$TOP/scripts/boot/mk-initramfs" --init "$TMP/init" "$K/$side/modinst" "$TMP/$side.cpio.gz" &&
		cat "$TMP/extra.cpio.gz" >>"$TMP/$side.cpio.gz"
	run_cmd "$TOP/scripts/boot/run-qemu" --kernel "$K/$side/bzImage" --initrd "$TMP/$side.cpio.gz" \
		--out "$TMP/$side" --append "$append" --timeout 400
	L=$TMP/$side/trace.txt
	if [ "$(last_rc)" != 0 ]; then
		ok 1 "$side: the guest ran to the end" "$(tail -5 "$(ls "$TMP/$side/console.log")"; last_err)"
		continue
	fi
	if [ -n "${CANARY_SAVE:-}" ]; then
		mkdir -p "$CANARY_SAVE"
		cp "$L" "$CANARY_SAVE/$side.ttyS1.log"
		cp "$TMP/$side/console.log" "$CANARY_SAVE/$side.console.log"
		for t in mixed sync load-sync; do trace_of "$L" "$t" >"$CANARY_SAVE/$side-$t.trace"; done
	fi
	[ "$(step_rc "$L" init-top)" = 0 ] && [ "$(step_out "$L" events-after-init-top)" = 8 ] &&
		step_out "$L" kmsg | grep_q 'placed 8 of 8 kprobe events'; ok $? \
		"$side: the init-top script (enabled config) placed all 8 events before nvme loaded, said so in dmesg" \
		"$(step_out "$L" init-top; step_out "$L" kmsg; step_out "$L" events-after-init-top)"
	[ "$(step_rc "$L" teardown-1)" = 0 ] && [ "$(step_out "$L" events-after-teardown-1)" = 0 ] &&
		[ "$(step_rc "$L" teardown-2)" = 0 ] && step_out "$L" teardown-2 | grep_q 'nothing to remove'; ok $? \
		"$side: --teardown removes all 8 events; a second --teardown: nothing to remove, exit 0" \
		"$(step_out "$L" teardown-1; step_out "$L" teardown-2)"
	[ "$(step_rc "$L" setup-1)" = 0 ] && [ "$(step_rc "$L" setup-2)" = 0 ] &&
		step_out "$L" setup-1 | grep_q 'placed 8 of 8' && step_out "$L" setup-2 | grep_q 'already in place'; ok $? \
		"$side: --setup twice: placed, then already in place (same definitions as the kernel prints them), exit 0 both" \
		"$(step_out "$L" setup-1; step_out "$L" setup-2; step_out "$L" kprobe-events)"
	step_out "$L" pdev-filter | grep_q -F 'dev ~ "*:??:??.?"' && [ "$(trace_of "$L" sync | grep -c 'pdev: .*dev="00:')" = 0 ] &&
		[ "$(trace_of "$L" sync | grep -c 'pdev: .*dev="0000:21:')" -gt 0 ]; ok $? \
		"$side: pdev is filtered to PCI names: node 1's NVMe functions in the saved trace, no runtime resume of the serial port" \
		"$(step_out "$L" pdev-filter; trace_of "$L" sync | grep 'pdev: .*dev="00:' | sed -n 1,3p)"
	if [ -n "$append" ]; then
		( [ "$(step_rc "$L" live-load-sync)" = 2 ] && step_out "$L" live-load-sync | grep_q -x 'verdict: cannot-tell' &&
			[ "$(step_out "$L" live-load-sync | grep -c ', sync$')" = 4 ] &&
			step_out "$L" live-load-sync | grep_q '^hint: .*nvme.async_probe=1 or driver_async_probe=nvme' ); ok $? \
			"$side: nvme loaded without async_probe (the $B driver does not prefer async): 4 sync probes, cannot-tell (2), the hint" \
			"$(step_out "$L" live-load-sync)"
	fi
	want=$([ $side = before ] && echo 1 || echo 0) name=$([ $side = before ] && echo serialized || echo fixed)
	[ "$(step_rc "$L" live-async)" = "$want" ] && step_out "$L" live-async | grep_q -x "verdict: $name" &&
		[ "$(step_out "$L" live-async | grep -c ', async$')" = 4 ]; ok $? \
		"$side: nvme loaded async: --live --driver nvme says $name (exit $want), 4 probes marked async" \
		"$(step_out "$L" live-async)"
	trace_of "$L" saved >"$TMP/$side.saved"
	host=$("$REPORT" --driver nvme "$TMP/$side.saved" 2>&1)
	hrc=$?
	( [ "$(step_rc "$L" live-save)" = "$want" ] && [ $hrc = "$want" ] && [ "$host" = "$(step_out "$L" live-async)" ] &&
		grep_q '^# pciprobe-dev: .* driver=nvme id=1b36:0010$' "$TMP/$side.saved" ); ok $? \
		"$side: --live --save FILE; FILE reported on the host: the same report, exit $want" \
		"$(diff <(step_out "$L" live-async) <(printf '%s\n' "$host"); echo "guest rc $(step_rc "$L" live-save), host rc $hrc")"
	# --live --svg: the report as without it; a bar per probe of the saved
	# trace (same device, CPU, start, duration), on one CPU before, spread after
	trace_of "$L" svg >"$TMP/$side.svg"
	"$REPORT" --json --driver nvme "$TMP/$side.saved" >"$TMP/$side.saved.json" 2>/dev/null
	svgcheck=$(python3 - "$TMP/$side.svg" "$TMP/$side.saved.json" "$side" <<-'PY' 2>&1
	import json, sys, xml.etree.ElementTree as ET
	ns = "{http://www.w3.org/2000/svg}"
	bars = sorted((g.get("data-device"), int(g.get("data-cpu")), int(g.get("data-start-ns")), int(g.get("data-duration-ns")), g.get("data-kind"))
	              for g in ET.parse(sys.argv[1]).getroot().iter(ns + "g") if g.get("class") == "probe")
	want = sorted((p["device"], p["cpu"], p["start_ns"], p["duration_ns"], p["probe_type"]) for p in json.load(open(sys.argv[2]))["probes"])
	cpus = {b[1] for b in bars}
	ok = bars == want and len(bars) == 4 and (len(cpus) == 1 if sys.argv[3] == "before" else len(cpus) > 1)
	print("bars %s, the saved trace's probes %s" % (bars, want))
	sys.exit(0 if ok else 1)
	PY
	)
	src=$?
	[ "$(step_rc "$L" live-svg)" = "$want" ] && [ "$(step_out "$L" live-svg)" = "$(step_out "$L" live-async)" ] && [ $src = 0 ]; ok $? \
		"$side: --live --svg: the same report and exit; a bar per probe of the saved trace, $([ $side = before ] && echo 'all on one CPU' || echo 'on more than one CPU')" \
		"$svgcheck; guest rc $(step_rc "$L" live-svg)"
	[ "$(step_rc "$L" live-mixed)" = "$want" ] && step_out "$L" live-mixed | grep_q -x "verdict: $name" &&
		[ "$(step_out "$L" live-mixed | grep -c ', sync$')" = 4 ] &&
		step_out "$L" live-mixed | grep_q '4 sync probes not judged'; ok $? \
		"$side: + a sysfs rebind of node 1's NVMe: 4 sync probes listed, not judged; still $name (exit $want)" \
		"$(step_out "$L" live-mixed)"
	[ "$(step_rc "$L" live-sync)" = 2 ] && step_out "$L" live-sync | grep_q -x 'verdict: cannot-tell' &&
		step_out "$L" live-sync | grep_q 'only synchronous probes' && step_out "$L" live-sync | grep_q '^hint: ' &&
		! step_out "$L" live-sync | grep_q serialized; ok $? \
		"$side: only the sync rebind: never serialized: cannot-tell (exit 2), with the reason and the hint" \
		"$(step_out "$L" live-sync)"
	[ "$(step_rc "$L" teardown-3)" = 0 ] && [ "$(step_out "$L" events-after-teardown-3)" = 0 ] &&
		[ "$(step_rc "$L" teardown-4)" = 0 ]; ok $? \
		"$side: --teardown: no pciprobe event left in kprobe_events; again: exit 0" \
		"$(step_out "$L" teardown-3; step_out "$L" events-after-teardown-3; step_out "$L" teardown-4)"
done
done_testing
