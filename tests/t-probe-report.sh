#!/bin/bash
# tools/probe-report on saved real traces (tests/samples/<case>.trace, from
# guests of the A/B run and of t-canary-guest.sh): the JSON's probes,
# nodes, verdict and exit against the hand-derived <case>.oracle; one text
# golden. Also bad usage and an unreadable file; the async/sync rule on
# small hand-made traces; --setup/--teardown against a fake tracefs (a
# directory whose kprobe_events an LD_PRELOAD shim makes behave like the
# kernel's: fopen "a" fails with EINVAL, an existing event with EEXIST, "-:"
# removes, EBUSY while enabled); --boot with stand-ins for initramfs-tools
# and update-initramfs; the initramfs hook.
. "$(dirname "$0")/lib.sh"
BIN=$TMP/pciprobe-report
make -s -C "$TOP/tools/probe-report" O="$TMP" "$BIN" >/dev/null 2>&1
ok $? "builds with -Wall -Wextra -Werror"
# judge_node, the per-node rule, unit-tested in C on reports made by hand
# (tests/probe-report/judge-test.c: one case per branch of the rule)
P=$TOP/tools/probe-report
if gcc -std=gnu11 -Wall -Wextra -Werror -I "$P" -o "$TMP/judge-test" "$TOP/tests/probe-report/judge-test.c" \
	"$P/judge.c" "$P/trace.c" "$P/util.c" 2>"$TMP/jt.err"; then
	"$TMP/judge-test" >"$TMP/jt.out" 2>&1
	[ $? = 0 ] && [ "$(grep -c '^ok' "$TMP/jt.out")" -ge 11 ] && ! grep -q '^not ok' "$TMP/jt.out"; ok $? \
		"judge_node in C: $(grep -c '^ok' "$TMP/jt.out") cases made by hand, each branch of the rule" "$(cat "$TMP/jt.out")"
else
	ok 1 "judge_node's C test builds" "$(cat "$TMP/jt.err")"
fi
# Each saved trace judged by the JSON contract against the values its
# .oracle (written by hand from the raw lines) states: every probe's
# device, CPU, task and cost, each node's verdict, window and sum, the
# verdict and the exit code. One text golden (6.12-before.expected) keeps
# the text format itself in view.
n=0
for t in "$TOP"/tests/samples/*.trace; do
	[ -e "$t" ] || continue
	n=$((n + 1))
	c=${t%.trace}
	args=$(cat "$c.args" 2>/dev/null || true)
	want=$(jq -Rs -f "$TOP/tests/probe-report/oracle.jq" "$c.oracle" 2>&1)
	# shellcheck disable=SC2086
	j=$("$BIN" --json $args "$t" 2>/dev/null)
	rc=$?
	got=$(jq -n --argjson j "$j" --argjson o "$want" --argjson rc "$rc" '
		{probes: [$j.probes[] | {device, driver, cpu, comm, duration_ns} + (if $o.probes[0].probe_type then {probe_type} else {} end)],
		 nodes: [$j.nodes | to_entries[] | .key as $i | .value | with_entries(select(.key as $k | $o.nodes[$i] | has($k)))],
		 verdict: $j.verdict, exit: $rc}' 2>&1)
	[ "$(jq '.probes | length' <<<"$want" 2>/dev/null)" -gt 0 ] && [ "$(jq -S . <<<"$want")" = "$(jq -S . <<<"$got")" ]; ok $? \
		"$(basename "$c"): the JSON states what its .oracle says ($(jq -r '"\(.probes | length) probes, \(.verdict), exit \(.exit)"' <<<"$want" 2>/dev/null))" \
		"$(diff <(jq -S . <<<"$want" 2>&1) <(jq -S . <<<"$got" 2>&1) | sed -n 1,12p)"
done
got=$("$BIN" --driver nvme "$TOP/tests/samples/6.12-before.trace" 2>/dev/null; echo "exit: $?")
[ "$got" = "$(cat "$TOP/tests/samples/6.12-before.expected")" ]; ok $? "6.12-before: the text output, line for line (the one text golden)" \
	"$(diff "$TOP/tests/samples/6.12-before.expected" <(printf '%s\n' "$got") | sed -n 1,10p)"
[ $n -ge 4 ]; ok $? "at least 4 saved traces (2 families, before and after): $n"
"$BIN" --bogus >/dev/null 2>&1
[ $? = 2 ]; ok $? "bad option: exit 2"
"$BIN" "$TMP/no-such-file" >/dev/null 2>&1
[ $? = 2 ]; ok $? "unreadable trace: exit 2 (cannot tell)"
printf '# tracer: nop\n' | "$BIN" >/dev/null 2>&1
[ $? = 2 ]; ok $? "empty trace: cannot tell, exit 2"
for bad in "--boot bogus" "--setup --live" "--teardown x.trace" "--kernel 6.1 --setup" "--setup --teardown" "--boot enable --tracefs /x"; do
	# shellcheck disable=SC2086
	"$BIN" $bad >/dev/null 2>&1
	[ $? = 2 ]; ok $? "bad usage '$bad': exit 2"
done
"$BIN" --driver nvme "$TOP/tests/samples/6.12-before.trace" 2>"$TMP/err" >/dev/null
grep -q 'async-ness was not recorded' "$TMP/err"; ok $? \
	"an old trace (no async helper events): a note on stderr that async-ness was not recorded" "$(cat "$TMP/err")"

# --- The async rule on hand-made traces (expected output worked out by hand).
# A: helpers for two devices, their probes in a per-CPU worker while the
# helpers wait; no helper return recorded: each window ends at its
# device's bind, so the later probe of 0000:21:01.0 (a sysfs bind) is sync.
# Costs: 1.100000-1.000100, 1.200000-1.100200, 2.100000-2.000100 s;
# the async ones: window 1.200000-1.000100 s, sum 99.9 + 99.8 ms.
A=$TMP/a.trace
{
	echo '# pciprobe-node: 1 cpus=2-3'
	echo '# pciprobe-dev: 0000:21:01.0 node=1 class=0x010802 driver=nvme'
	echo '# pciprobe-dev: 0000:21:02.0 node=1 class=0x010802 driver=nvme'
	echo ' kworker/u8:1-10 [003] ..... 1.000000: async_drv: (__driver_attach_async_helper+0x0/0x3e) dev="0000:21:01.0"'
	echo ' kworker/u8:2-11 [002] ..... 1.000010: async_drv: (__driver_attach_async_helper+0x0/0x3e) dev="0000:21:02.0"'
	echo ' kworker/2:1-20 [002] ..... 1.000100: pstart: (local_pci_probe+0x0/0x6d)'
	echo ' kworker/2:1-20 [002] ..... 1.000110: pdev: (__pm_runtime_resume+0x0/0x52) dev="0000:21:01.0"'
	echo ' kworker/2:1-20 [002] ..... 1.100000: pend: (work_for_cpu_fn+0xb/0x11 <- local_pci_probe) ret=0x0'
	echo ' kworker/u8:1-10 [003] ..... 1.100100: pbound: (device_links_driver_bound+0x0/0x181) dev="0000:21:01.0"'
	echo ' kworker/2:1-20 [002] ..... 1.100200: pstart: (local_pci_probe+0x0/0x6d)'
	echo ' kworker/2:1-20 [002] ..... 1.100210: pdev: (__pm_runtime_resume+0x0/0x52) dev="0000:21:02.0"'
	echo ' kworker/2:1-20 [002] ..... 1.200000: pend: (work_for_cpu_fn+0xb/0x11 <- local_pci_probe) ret=0x0'
	echo ' kworker/u8:2-11 [002] ..... 1.200100: pbound: (device_links_driver_bound+0x0/0x181) dev="0000:21:02.0"'
	echo ' kworker/2:1-20 [002] ..... 2.000100: pstart: (local_pci_probe+0x0/0x6d)'
	echo ' kworker/2:1-20 [002] ..... 2.000110: pdev: (__pm_runtime_resume+0x0/0x52) dev="0000:21:01.0"'
	echo ' kworker/2:1-20 [002] ..... 2.100000: pend: (work_for_cpu_fn+0xb/0x11 <- local_pci_probe) ret=0x0'
	echo ' sh-30 [001] ..... 2.100100: pbound: (device_links_driver_bound+0x0/0x181) dev="0000:21:01.0"'
} >"$A"
want='nvme 0000:21:01.0: CPU: 2, COMM: kworker/2:1, probe cost: 99900000 ns, async
nvme 0000:21:02.0: CPU: 2, COMM: kworker/2:1, probe cost: 99800000 ns, async
nvme 0000:21:01.0: CPU: 2, COMM: kworker/2:1, probe cost: 99900000 ns, sync
node 1 (CPUs 2-3): serialized: 2 async probes on CPU 2 (all on one CPU in per-CPU workers), window 199900000 ns, sum 199700000 ns; 1 sync probes not judged
verdict: serialized
exit: 1'
got=$("$BIN" --driver nvme "$A" 2>"$TMP/err"; echo "exit: $?")
[ "$got" = "$want" ] && [ ! -s "$TMP/err" ]; ok $? \
	"helper windows without a return end at the device's bind: the later sysfs bind is sync" \
	"$(diff <(echo "$want") <(echo "$got"); cat "$TMP/err")"
# B: the same, each helper returning before its device's probe starts:
# nothing is async: cannot tell, with the command-line hint.
sed -e '/async_drv:.*21:01.0/a\ kworker/u8:1-10 [003] ..... 1.000001: async_drv_end: (async_run_entry_fn+0x15/0x8f <- __driver_attach_async_helper)' \
	-e '/async_drv:.*21:02.0/a\ kworker/u8:2-11 [002] ..... 1.000011: async_drv_end: (async_run_entry_fn+0x15/0x8f <- __driver_attach_async_helper)' \
	"$A" >"$TMP/b.trace"
got=$("$BIN" --driver nvme "$TMP/b.trace" 2>/dev/null; echo "exit: $?")
( grep -qxF 'node 1 (CPUs 2-3): cannot-tell: 0 async probes (only synchronous probes: the fix changes nothing for them); 3 sync probes not judged' <<<"$got" &&
	grep -q '^hint: .*nvme.async_probe=1 or driver_async_probe=nvme' <<<"$got" && [ "$(echo "$got" | tail -1)" = 'exit: 2' ] ); ok $? \
	"a helper that returned before the probe started does not make it async: only sync -> cannot tell, the command-line hint" "$got"
# C: no helper line, but the profile says the helper events were placed:
# every probe is sync. D: a buffer that overwrote events is warned about.
{ echo '# pciprobe-profile:   async_drv    0    0'; grep -v 'async_drv' "$A"; } >"$TMP/c.trace"
got=$("$BIN" --json --driver nvme "$TMP/c.trace" 2>/dev/null | /usr/bin/python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["async_recorded"], [p["probe_type"] for p in j["probes"]], j["nodes"][0]["sync_probes"], j["verdict"])')
[ "$got" = "True ['sync', 'sync', 'sync'] 3 cannot-tell" ]; ok $? \
	"helper events placed (profile line) but none fired: all sync, cannot-tell (JSON)" "$got"
{ echo '# entries-in-buffer/entries-written: 14/20   #P:4'; cat "$A"; } | "$BIN" --driver nvme >/dev/null 2>"$TMP/err"
grep -q 'overwrote 6 events' "$TMP/err"; ok $? "a trace buffer that overwrote events: warned on stderr" "$(cat "$TMP/err")"

# --- --setup / --teardown against a fake tracefs: a directory whose
# kprobe_events this LD_PRELOAD shim makes behave like the kernel's.
cat >"$TMP/fake-tracefs.c" <<'SHIM_C'
/*
 * LD_PRELOAD shim: a regular-file kprobe_events behaves like tracefs'.
 * fopen(..., "a") fails with EINVAL (glibc seeks to the end, tracefs
 * refuses); each open is logged to $FAKE_LOG with its flags; a write of a
 * definition whose event exists fails with EEXIST; "-:G/N" removes the
 * line (EBUSY while G/N is enabled); a new event gets events/G/N/enable.
 * FAKE_NOSYM=SYM: a definition probing SYM fails with ENOENT (and a line
 * in error_log). FAKE_RACE=NAME: the definition of NAME appears just
 * before ours is written (another --setup at the same time): EEXIST.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_kev(const char *p)
{
	size_t n = strlen(p);

	return n >= 14 && !strcmp(p + n - 14, "/kprobe_events");
}

static void say(const char *fmt, ...)
{
	const char *log = getenv("FAKE_LOG");
	va_list ap;
	FILE *f;

	if (!log)
		return;
	f = ((FILE *(*)(const char *, const char *))dlsym(RTLD_NEXT, "fopen"))(log, "ae");
	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static FILE *fopen_common(const char *real_name, const char *p, const char *m)
{
	FILE *(*real)(const char *, const char *) = dlsym(RTLD_NEXT, real_name);

	if (is_kev(p) && strchr(m, 'a')) {
		say("fopen-append %s\n", p);
		errno = EINVAL;
		return NULL;
	}
	return real(p, m);
}

FILE *fopen(const char *p, const char *m) { return fopen_common("fopen", p, m); }
FILE *fopen64(const char *p, const char *m) { return fopen_common("fopen64", p, m); }

static int open_common(const char *real_name, const char *p, int flags, mode_t mode)
{
	int (*real)(const char *, int, ...) = dlsym(RTLD_NEXT, real_name);

	if (is_kev(p))
		say("open%s%s%s\n", (flags & O_ACCMODE) == O_RDONLY ? " read" : " write",
		    flags & O_APPEND ? " append" : "", flags & O_TRUNC ? " trunc" : "");
	return real(p, flags, mode);
}

#define OPEN_FN(name) \
int name(const char *p, int flags, ...) \
{ \
	va_list ap; \
	mode_t mode = 0; \
	va_start(ap, flags); \
	if (flags & O_CREAT) \
		mode = va_arg(ap, mode_t); \
	va_end(ap); \
	return open_common(#name, p, flags, mode); \
}
OPEN_FN(open)
OPEN_FN(open64)

static int fd_path(int fd, char *path, size_t n)
{
	char link[64];
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, path, n - 1);
	if (len < 0)
		return -1;
	path[len] = '\0';
	return 0;
}

/* "r128:G/N sym ..." or "-:G/N" -> "G/N" */
static void ev_name(const char *line, char *out, size_t n)
{
	const char *c = strchr(line, ':');

	c = c ? c + 1 : line;
	snprintf(out, n, "%.*s", (int)strcspn(c, " \n"), c);
}

/* the line of event name in file, copied to have; 1 if found */
static int find_ev(const char *file, const char *name, char *have, size_t n)
{
	FILE *f = ((FILE *(*)(const char *, const char *))dlsym(RTLD_NEXT, "fopen"))(file, "r");
	char buf[512], nm[256];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(buf, sizeof(buf), f)) {
		ev_name(buf, nm, sizeof(nm));
		if (!strcmp(nm, name)) {
			found = 1;
			if (have)
				snprintf(have, n, "%s", buf);
		}
	}
	fclose(f);
	return found;
}

static void remove_line(const char *file, const char *name)
{
	FILE *(*real)(const char *, const char *) = dlsym(RTLD_NEXT, "fopen");
	char tmp[PATH_MAX], buf[512], nm[256];
	FILE *in = real(file, "r"), *out;

	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	out = real(tmp, "w");
	while (in && out && fgets(buf, sizeof(buf), in)) {
		ev_name(buf, nm, sizeof(nm));
		if (strcmp(nm, name))
			fputs(buf, out);
	}
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	rename(tmp, file);
}

static int enabled(const char *dir, const char *name)
{
	char path[PATH_MAX], c = '0';
	int fd;

	snprintf(path, sizeof(path), "%s/events/%s/enable", dir, name);
	fd = ((int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open"))(path, O_RDONLY);
	if (fd < 0)
		return 0;
	if (read(fd, &c, 1) != 1)
		c = '0';
	close(fd);
	return c == '1';
}

static void make_event_dir(const char *dir, const char *name)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/events/%.*s", dir, (int)strcspn(name, "/"), name);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/events/%s", dir, name);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/events/%s/enable", dir, name);
	f = ((FILE *(*)(const char *, const char *))dlsym(RTLD_NEXT, "fopen"))(path, "w");
	if (f) {
		fputs("0\n", f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/events/%s/filter", dir, name);
	f = ((FILE *(*)(const char *, const char *))dlsym(RTLD_NEXT, "fopen"))(path, "w");
	if (f) {
		fputs("none\n", f);
		fclose(f);
	}
}

ssize_t write(int fd, const void *buf, size_t n)
{
	ssize_t (*real)(int, const void *, size_t) = dlsym(RTLD_NEXT, "write");
	char path[PATH_MAX], dir[PATH_MAX], line[512], name[256], errlog[PATH_MAX + 16];
	const char *nosym = getenv("FAKE_NOSYM"), *race = getenv("FAKE_RACE");

	if (fd_path(fd, path, sizeof(path)) || !is_kev(path))
		return real(fd, buf, n);
	snprintf(dir, sizeof(dir), "%.*s", (int)(strlen(path) - 14), path);
	snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1), (const char *)buf);
	line[strcspn(line, "\n")] = '\0';
	say("write %s\n", line);
	ev_name(line, name, sizeof(name));
	if (line[0] == '-') {
		if (!find_ev(path, name, NULL, 0)) {
			errno = ENOENT;
			return -1;
		}
		if (enabled(dir, name)) {
			errno = EBUSY;
			return -1;
		}
		remove_line(path, name);
		return (ssize_t)n;
	}
	if (nosym && strstr(line, nosym)) {
		FILE *f;

		snprintf(errlog, sizeof(errlog), "%s/error_log", dir);
		f = ((FILE *(*)(const char *, const char *))dlsym(RTLD_NEXT, "fopen"))(errlog, "a");
		if (f) {
			fprintf(f, "[   1.0] trace_kprobe: error: Failed to register probe event\n"
				   "  Command: %s\n", line);
			fclose(f);
		}
		errno = ENOENT;
		return -1;
	}
	if (race && !strcmp(strchr(name, '/') ? strchr(name, '/') + 1 : name, race) &&
	    !find_ev(path, name, NULL, 0)) {
		char l2[520];
		int len = snprintf(l2, sizeof(l2), "%s\n", line);

		real(fd, l2, (size_t)len);	/* "the other --setup" */
		make_event_dir(dir, name);
		errno = EEXIST;
		return -1;
	}
	if (find_ev(path, name, NULL, 0)) {
		errno = EEXIST;
		return -1;
	}
	if (real(fd, buf, n) != (ssize_t)n)
		return -1;
	make_event_dir(dir, name);
	return (ssize_t)n;
}
SHIM_C
# --live --save on a directory standing in for tracefs (its trace is a
# saved real trace): a write that fails says so in one line, exit 2, and
# leaves no half-written file behind (a device such as /dev/full is kept)
L=$TMP/live
mkdir -p "$L"
cp "$TOP/tests/samples/6.12-before.trace" "$L/trace"
: >"$L/kprobe_events"
run_cmd "$BIN" --live --tracefs "$L" --save /dev/full
[ "$(last_rc)" = 2 ] && [ "$(last_err)" = "pciprobe-report: cannot write /dev/full" ] && [ -c /dev/full ]; ok $? \
	"--save to a full device: one line, exit 2, the device left alone" "$(last_err)"
run_cmd "$BIN" --live --tracefs "$L" --save "$TMP/no-such-dir/saved"
[ "$(last_rc)" = 2 ] && [ "$(wc -l <"$TMP/last.err")" = 1 ] && [ ! -e "$TMP/no-such-dir" ]; ok $? \
	"--save into a missing directory: one line, exit 2" "$(last_err)"
run_cmd "$BIN" --live --tracefs "$L" --save "$TMP/saved"
"$BIN" "$TMP/saved" >"$TMP/saved.report" 2>/dev/null
src=$?
[ "$(last_rc)" = 1 ] && [ $src = 1 ] && cmp -s "$TMP/last.out" "$TMP/saved.report"; ok $? \
	"--save: the saved file gives the live report and exit (serialized, 1)" "$(diff "$TMP/last.out" "$TMP/saved.report" | sed -n 1,6p)"
if ! gcc -shared -fPIC -o "$TMP/fake.so" "$TMP/fake-tracefs.c" -ldl 2>"$TMP/err"; then
	skip "--setup/--teardown on a fake tracefs" "cannot build the shim: $(head -1 "$TMP/err")"
	done_testing
fi
export PCIPROBE_REPORT_RUN="$TMP/run" FAKE_LOG="$TMP/fake.log"
F=$TMP/tfs
fake_tracefs() {	# fake_tracefs TRACING_ON: an empty fake tracefs in $F
	rm -rf "${F:?}" "${TMP:?}/run" "${FAKE_LOG:?}"
	mkdir -p "$F/events"
	: >"$F/kprobe_events"
	echo '# tracer: nop' >"$F/trace"
	echo "$1" >"$F/tracing_on"
}
shim() { LD_PRELOAD=$TMP/fake.so run_cmd "$@"; }
DEFS='p:pciprobe/pstart local_pci_probe
r:pciprobe/pend local_pci_probe ret=$retval
p:pciprobe/pdev __pm_runtime_resume dev=+0(+0(%di)):string
p:pciprobe/pbound device_links_driver_bound dev=+0(+0(%di)):string
p:pciprobe/async_drv __driver_attach_async_helper dev=+0(+0(%di)):string
r128:pciprobe/async_drv_end __driver_attach_async_helper
p:pciprobe/async_dev __device_attach_async_helper dev=+0(+0(%di)):string
r128:pciprobe/async_dev_end __device_attach_async_helper'
fake_tracefs 0
shim "$BIN" --setup --tracefs "$F"
[ "$(last_rc)" = 0 ] && [ "$(cat "$F/kprobe_events")" = "$DEFS" ] && [ "$(cat "$F"/events/pciprobe/*/enable | sort -u)" = 1 ] &&
	[ "$(cat "$F/tracing_on")" = 1 ] && grep -qF 'dev ~ "*:??:??.?"' "$F/events/pciprobe/pdev/filter" &&
	grep -q 'placed 8 of 8' "$TMP/last.out" && [ "$(wc -l <"$TMP/last.out")" = 1 ] && [ ! -s "$TMP/last.err" ]; ok $? \
	"--setup: the 8 definitions written, each enabled, pdev filtered to PCI names, tracing on, one line" \
	"$(cat "$TMP/last.out" "$TMP/last.err" "$F/kprobe_events")"
! grep -q fopen-append "$FAKE_LOG" && [ "$(grep '^open write' "$FAKE_LOG" | sort -u)" = "open write append" ]; ok $? \
	"kprobe_events written with open(O_WRONLY|O_APPEND) + write: no fopen \"a\" (EINVAL on tracefs), never O_TRUNC (drops every event)" \
	"$(sort "$FAKE_LOG" | uniq -c)"
sum=$(sha256sum <"$F/kprobe_events")
: >"$FAKE_LOG"
shim "$BIN" --setup --tracefs "$F"
[ "$(last_rc)" = 0 ] && grep -q 'already in place' "$TMP/last.out" && [ "$(sha256sum <"$F/kprobe_events")" = "$sum" ] &&
	! grep -q '^write' "$FAKE_LOG"; ok $? \
	"--setup again: 'already in place', exit 0, nothing written to kprobe_events" "$(cat "$TMP/last.out" "$TMP/last.err" "$FAKE_LOG")"
shim "$BIN" --teardown --tracefs "$F"
[ "$(last_rc)" = 0 ] && [ ! -s "$F/kprobe_events" ] && [ "$(cat "$F/tracing_on")" = 0 ] &&
	grep -q 'removed 8 kprobe events' "$TMP/last.out"; ok $? \
	"--teardown: disabled (the shim, like the kernel, refuses to remove an enabled event) and removed all 8, tracing_on off again (--setup had switched it on)" \
	"$(cat "$TMP/last.out" "$TMP/last.err" "$F/kprobe_events")"
shim "$BIN" --teardown --tracefs "$F"
[ "$(last_rc)" = 0 ] && grep -q 'nothing to remove' "$TMP/last.out"; ok $? \
	"--teardown again: nothing to remove, exit 0" "$(cat "$TMP/last.out" "$TMP/last.err")"
# tracing_on already on, a foreign event: both stay
fake_tracefs 1
echo 'p:kprobes/other vfs_read' >"$F/kprobe_events"
shim "$BIN" --setup --tracefs "$F"
shim "$BIN" --teardown --tracefs "$F"
[ "$(last_rc)" = 0 ] && [ "$(cat "$F/kprobe_events")" = 'p:kprobes/other vfs_read' ] && [ "$(cat "$F/tracing_on")" = 1 ]; ok $? \
	"--teardown removes only the pciprobe events; tracing_on stays on when --setup did not switch it" "$(cat "$F/kprobe_events" "$F/tracing_on")"
# the kernel prints "r:" back as "rN:" (its default maxactive): the same definition
fake_tracefs 1
printf '%s\n' 'p:pciprobe/pstart local_pci_probe' 'r10:pciprobe/pend local_pci_probe ret=$retval' >"$F/kprobe_events"
for e in pstart pend; do
	mkdir -p "$F/events/pciprobe/$e"
	echo 0 >"$F/events/pciprobe/$e/enable"
done
shim "$BIN" --setup --tracefs "$F"
[ "$(last_rc)" = 0 ] && grep -q 'placed 6 of 8' "$TMP/last.out"; ok $? \
	"2 events there already, one as 'r10:' (how the kernel prints 'r:'): kept, the other 6 placed, exit 0" "$(cat "$TMP/last.out" "$TMP/last.err")"
# EEXIST: another --setup placed pdev between our look and our write
fake_tracefs 1
FAKE_RACE=pdev shim "$BIN" --setup --tracefs "$F"
[ "$(last_rc)" = 0 ] && grep -q 'placed 7 of 8' "$TMP/last.out" && [ "$(cat "$F/kprobe_events")" = "$DEFS" ]; ok $? \
	"EEXIST (placed meanwhile, same definition): taken as in place, exit 0" "$(cat "$TMP/last.out" "$TMP/last.err")"
# one of our names with another definition: exit 2, one line, nothing of ours left
fake_tracefs 1
echo 'p:pciprobe/pdev vfs_read' >"$F/kprobe_events"
shim "$BIN" --setup --tracefs "$F"
[ "$(last_rc)" = 2 ] && [ "$(wc -l <"$TMP/last.err")" = 1 ] && grep -q "pciprobe/pdev is already defined as 'p:pciprobe/pdev vfs_read'" "$TMP/last.err" &&
	[ "$(cat "$F/kprobe_events")" = 'p:pciprobe/pdev vfs_read' ]; ok $? \
	"pciprobe/pdev defined otherwise: one line, exit 2, what this run placed removed again, the other kept" "$(cat "$TMP/last.err" "$F/kprobe_events")"
# a symbol the kernel cannot probe
fake_tracefs 1
FAKE_NOSYM=__device_attach_async_helper shim "$BIN" --setup --tracefs "$F"
[ "$(last_rc)" = 2 ] && [ "$(wc -l <"$TMP/last.err")" = 1 ] && grep -q 'cannot place a kprobe on __device_attach_async_helper' "$TMP/last.err" &&
	grep -q 'kernel: error: Failed to register probe event' "$TMP/last.err" && [ ! -s "$F/kprobe_events" ]; ok $? \
	"a symbol that cannot be probed: one line naming it and the kernel's error_log, exit 2, nothing left behind" "$(cat "$TMP/last.err" "$F/kprobe_events")"
# no tracefs, no kprobe events, not root
run_cmd "$BIN" --setup --tracefs "$TMP/none"
[ "$(last_rc)" = 2 ] && [ "$(last_err)" = "pciprobe-report: no tracefs at $TMP/none (no trace, no kprobe_events there)" ]; ok $? \
	"no tracefs: one line, exit 2" "$(last_err)"
rm "$F/kprobe_events"
run_cmd "$BIN" --teardown --tracefs "$F"
[ "$(last_rc)" = 2 ] && [ "$(last_err)" = "pciprobe-report: $F has no kprobe_events: this kernel has no kprobe events (CONFIG_KPROBE_EVENTS is not set)" ]; ok $? \
	"tracefs without kprobe_events: one line, exit 2" "$(last_err)"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$TMP"
	for m in --setup --teardown "--boot enable"; do
		# shellcheck disable=SC2086
		run_cmd setpriv --reuid 65534 --regid 65534 --clear-groups "$BIN" $m
		[ "$(last_rc)" = 2 ] && [ "$(last_err)" = "pciprobe-report: ${m% *} needs root (kprobe events and tracefs are root's)" ]; ok $? \
			"$m as a user: one line, exit 2" "$(last_err)"
	done
else
	skip "--setup as a user" "needs root and setpriv to become another user"
fi

# --- --boot with stand-ins: an initramfs-tools tree, update-initramfs
export PCIPROBE_REPORT_ETC="$TMP/etc/pciprobe-report" PCIPROBE_REPORT_INITRAMFS_TOOLS="$TMP/root/irt"
export PCIPROBE_REPORT_UPDATE_INITRAMFS="$TMP/update-initramfs"
printf '#!/bin/sh\necho "$*" >>"%s/update.log"\nexit ${FAKE_UPDATE_RC:-0}\n' "$TMP" >"$TMP/update-initramfs"
chmod +x "$TMP/update-initramfs"
mkdir -p "$TMP/etc"
run_cmd "$BIN" --boot enable
[ "$(last_rc)" = 2 ] && [ "$(wc -l <"$TMP/last.err")" = 1 ] && grep -q 'boot-time pieces are not installed' "$TMP/last.err" &&
	[ ! -e "$PCIPROBE_REPORT_ETC" ] && [ ! -e "$TMP/update.log" ]; ok $? \
	"--boot enable without the hook and init-top script: one line, exit 2, nothing written" "$(last_err)"
make -s -C "$TOP/tools/probe-report" install-boot DESTDIR="$TMP/root" IRT=/irt >/dev/null
run_cmd "$BIN" --boot enable
[ "$(last_rc)" = 0 ] && grep -qx 'enabled=1' "$PCIPROBE_REPORT_ETC/boot.conf" && [ "$(cat "$TMP/update.log")" = "-u -k all" ] &&
	grep -q "wrote $PCIPROBE_REPORT_ETC/boot.conf" "$TMP/last.out" && grep -q 'ran .*update-initramfs -u -k all' "$TMP/last.out"; ok $? \
	"--boot enable: writes boot.conf (enabled=1), runs update-initramfs -u -k all, says both" "$(cat "$TMP/last.out" "$TMP/last.err")"
run_cmd "$BIN" --boot enable --kernel 6.12.117+deb12-amd64
( [ "$(last_rc)" = 0 ] && grep -q 'already says enabled=1' "$TMP/last.out" && [ "$(tail -1 "$TMP/update.log")" = "-u -k 6.12.117+deb12-amd64" ] ); ok $? \
	"--boot enable again, one kernel: already enabled, update-initramfs -u -k KVER" "$(cat "$TMP/last.out" "$TMP/last.err")"
run_cmd "$BIN" --boot enable --kernel ../../etc
[ "$(last_rc)" = 2 ] && [ "$(tail -1 "$TMP/update.log")" = "-u -k 6.12.117+deb12-amd64" ]; ok $? \
	"--kernel that is no release: exit 2, nothing run" "$(last_err)"
FAKE_UPDATE_RC=1 run_cmd "$BIN" --boot enable
( [ "$(last_rc)" = 2 ] && grep -q 'update-initramfs -u -k all failed (exit 1)' "$TMP/last.err" ); ok $? \
	"update-initramfs fails: said, exit 2" "$(last_err)"
# the hook, with initramfs-tools' copy_exec stood in for
mkdir -p "$TMP/dest"
printf '%s\n' 'copy_exec() { mkdir -p "$DESTDIR$(dirname "$2")"; cp "$1" "$DESTDIR$2"; }' >"$TMP/hook-functions"
hook() { DESTDIR=$TMP/dest PCIPROBE_REPORT_BIN=$BIN PCIPROBE_REPORT_HOOK_FUNCTIONS=$TMP/hook-functions sh "$TMP/root/irt/hooks/pciprobe-report"; }
hook
( [ $? = 0 ] && [ -x "$TMP/dest/usr/bin/pciprobe-report" ] && grep -qx enabled=1 "$TMP/dest/etc/pciprobe-report/boot.conf" ); ok $? \
	"initramfs hook, enabled: program and config into the initramfs" "$(cd "$TMP/dest" && find .)"
n=$(wc -l <"$TMP/update.log")
run_cmd "$BIN" --boot disable
[ "$(last_rc)" = 0 ] && [ ! -e "$PCIPROBE_REPORT_ETC" ] && [ "$(tail -1 "$TMP/update.log")" = "-u -k all" ] &&
	[ "$(wc -l <"$TMP/update.log")" = $((n + 1)) ] && grep -q "removed $PCIPROBE_REPORT_ETC/boot.conf" "$TMP/last.out"; ok $? \
	"--boot disable: boot.conf and its directory removed, update-initramfs run again, said" "$(cat "$TMP/last.out" "$TMP/last.err")"
rm -rf "${TMP:?}/dest"
mkdir -p "$TMP/dest"
hook
[ $? = 0 ] && [ -z "$(ls -A "$TMP/dest")" ]; ok $? "initramfs hook, not enabled: adds nothing" "$(cd "$TMP/dest" && find .)"
run_cmd "$BIN" --boot disable
[ "$(last_rc)" = 0 ] && grep -q 'not enabled' "$TMP/last.out" && [ "$(wc -l <"$TMP/update.log")" = $((n + 1)) ]; ok $? \
	"--boot disable again: not enabled, nothing changed, nothing run" "$(cat "$TMP/last.out")"
[ -z "$(sh "$TMP/root/irt/scripts/init-top/pciprobe-report" prereqs)" ] && [ -z "$(sh "$TMP/root/irt/hooks/pciprobe-report" prereqs)" ]; ok $? \
	"hook and init-top script answer initramfs-tools' prereqs (none: init-top/pciprobe-report sorts before init-top/udev)"
# The record a rollout gates on (fleet/): the boot it is of and the host's
# hardware fingerprint. The saved Debian stock boot with the ids its four
# NVMe (QEMU's 1b36:0010) and a boot id added as --save writes them; the
# expected hash computed here by a second implementation of FNV-1a 64
# (python3) over what the fingerprint says it covers.
sed -e 's/^\(# pciprobe-dev: 0000:21:0[1-4].0 node=1 class=0x010802 driver=nvme\)$/\1 id=1b36:0010/' \
	-e '1a # pciprobe-boot-id: 5f0c1e3a-0d5e-4b8e-9a51-2f6b7c1d9e42' \
	"$TOP/tests/samples/6.12-debian-stock-boot.trace" >"$TMP/fp.trace"
"$BIN" --json --driver nvme "$TMP/fp.trace" >"$TMP/fp.json" 2>/dev/null
want=$(python3 -c '
h = 0xcbf29ce484222325
def mix(b):
    global h
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
for c in b"1b36:0010@1": mix(c)
mix(4)
for n in (b"0:0-1", b"1:2-3"):
    for c in n: mix(c)
print("%016x" % h)')
jq -e --arg id "$want" '.boot_id == "5f0c1e3a-0d5e-4b8e-9a51-2f6b7c1d9e42" and .kernel == "6.12.117+deb12-amd64"
	and .fingerprint.devices == ["1b36:0010@1 x4"] and .fingerprint.nodes == ["0:0-1", "1:2-3"] and .fingerprint.id == $id' "$TMP/fp.json" >/dev/null; ok $? \
	"--json: the boot id, the kernel and the fingerprint (4 x 1b36:0010 on node 1, nodes 0:0-1 1:2-3, FNV-1a $want)" "$(jq -c '{boot_id, kernel, fingerprint}' "$TMP/fp.json")"
sed 's/ id=1b36:0010$/ id=8086:5845/' "$TMP/fp.trace" >"$TMP/fp2.trace"
"$BIN" --json --driver nvme "$TMP/fp2.trace" >"$TMP/fp2.json" 2>/dev/null
[ "$(jq -r .fingerprint.id "$TMP/fp2.json")" != "$want" ]; ok $? "--json: other devices, another fingerprint"
# --- A host with many PCI functions is judged whole: 1500 async probes,
# all open at once in their own unbound helpers (overlap), or one after
# another in CPU 2's per-CPU worker (serial). The tool once kept 256 open
# probes and 1024 probes in all and judged the rest away without a word.
# By hand: serial, probe i from 2 + i ms for 0.9 ms: window 1499.9 ms, sum
# 1500 x 0.9 = 1350 ms; overlap, probe i from 1 + 10i us + 2 us to
# 2 + 10i us: each 999998 us, window 2.01499 - 1.000002 s = 1014988 us.
# gen MODE N: a synthetic trace of N async nvme probes on node 1: overlap
# (each in its own unbound helper, CPUs 2 and 3, all open at once) or serial
# (one after another in the per-CPU worker of CPU 2, as on an unfixed kernel)
gen() {
	awk -v mode="$1" -v n="$2" 'BEGIN {
		print "# pciprobe-node: 0 cpus=0-1"
		print "# pciprobe-node: 1 cpus=2-3"
		for (i = 0; i < n; i++) {
			dev[i] = sprintf("0000:%02x:%02x.%d", 33 + int(i / 256), int(i / 8) % 32, i % 8)
			printf "# pciprobe-dev: %s node=1 class=0x010802 driver=nvme id=1b36:0010\n", dev[i]
		}
		for (i = 0; i < n; i++) {
			t = 1 + i * 0.00001
			printf " kworker/u8:%d-%d [%03d] ..... %.6f: async_drv: (__driver_attach_async_helper+0x0/0x3e) dev=\"%s\"\n", i, 1000 + i, 2 + i % 2, t, dev[i]
			if (mode == "overlap") {
				printf " kworker/u8:%d-%d [%03d] ..... %.6f: pstart: (local_pci_probe+0x0/0x6d)\n", i, 1000 + i, 2 + i % 2, t + 0.000002
				printf " kworker/u8:%d-%d [%03d] ..... %.6f: pdev: (__pm_runtime_resume+0x0/0x52) dev=\"%s\"\n", i, 1000 + i, 2 + i % 2, t + 0.000003, dev[i]
			}
		}
		for (i = 0; i < n; i++) {
			if (mode == "overlap") {
				t = 2 + i * 0.00001
				printf " kworker/u8:%d-%d [%03d] ..... %.6f: pend: (local_pci_probe+0x6d/0x6d <- pci_device_probe) ret=0x0\n", i, 1000 + i, 2 + i % 2, t
			} else {
				t = 2 + i * 0.001
				printf " kworker/2:1-20 [002] ..... %.6f: pstart: (local_pci_probe+0x0/0x6d)\n", t
				printf " kworker/2:1-20 [002] ..... %.6f: pdev: (__pm_runtime_resume+0x0/0x52) dev=\"%s\"\n", t + 0.000001, dev[i]
				printf " kworker/2:1-20 [002] ..... %.6f: pend: (work_for_cpu_fn+0xb/0x11 <- local_pci_probe) ret=0x0\n", t + 0.0009
			}
			printf " kworker/u8:%d-%d [%03d] ..... %.6f: pbound: (device_links_driver_bound+0x0/0x181) dev=\"%s\"\n", i, 1000 + i, 2 + i % 2, t + (mode == "overlap" ? 0.000005 : 0.00095), dev[i]
		}
	}'
}
for m in overlap serial; do
	gen $m 1500 >"$TMP/$m.trace"
	"$BIN" --driver nvme "$TMP/$m.trace" >"$TMP/$m.out" 2>&1
	echo $? >"$TMP/$m.rc"
	"$BIN" --json --driver nvme "$TMP/$m.trace" >"$TMP/$m.json" 2>/dev/null
done
[ "$(cat "$TMP/serial.rc")" = 1 ] && [ "$(jq '.probes | length' "$TMP/serial.json")" = 1500 ] &&
	grep -qx 'node 1 (CPUs 2-3): serialized: 1500 async probes on CPU 2 (all on one CPU in per-CPU workers), window 1499900000 ns, sum 1350000000 ns' "$TMP/serial.out"; ok $? "1500 serialized probes: all judged, serialized (exit 1), the window and sum by hand" "$(tail -3 "$TMP/serial.out")"
[ "$(cat "$TMP/overlap.rc")" = 0 ] && [ "$(jq '.probes | length' "$TMP/overlap.json")" = 1500 ] &&
	grep -q '^node 1 (CPUs 2-3): fixed: 1500 async probes on CPU 2,3 (unbound workers on more than one CPU), window 1014988000 ns' "$TMP/overlap.out"; ok $? "1500 probes open at once: all judged, fixed (exit 0), the window by hand" "$(tail -3 "$TMP/overlap.out")"

# --- --svg: the timeline picture. Its bars against the probes a person
# read off each saved real trace (tests/samples/*.oracle), the report on
# stdout and the exit the same as without --svg; the checker fails on a
# changed bar; the picture renders (rsvg-convert); bad paths and modes.
for o in "$TOP"/tests/samples/*.oracle; do
	b=${o%.oracle} n=$(basename "${o%.oracle}")
	read -r -a a <"$b.args"
	"$BIN" "${a[@]}" "$b.trace" >"$TMP/$n.plain" 2>/dev/null
	prc=$?
	"$BIN" "${a[@]}" --svg "$TMP/$n.svg" "$b.trace" >"$TMP/$n.withsvg" 2>/dev/null
	src=$?
	[ $src = $prc ] && cmp -s "$TMP/$n.plain" "$TMP/$n.withsvg" &&
		python3 "$TOP/tests/probe-report/svg-vs-oracle.py" "$o" "$TMP/$n.svg" >"$TMP/$n.check" 2>&1; ok $? \
		"--svg $n: one bar per probe at the oracle's device, CPU, start and duration; the same report and exit ($prc)" \
		"$(cat "$TMP/$n.check"; echo "exit $src, without --svg $prc")"
done
sed 's/data-duration-ns="845322000"/data-duration-ns="845322001"/' "$TMP/6.12-before.svg" >"$TMP/changed.svg"
! { python3 "$TOP/tests/probe-report/svg-vs-oracle.py" "$TOP/tests/samples/6.12-before.oracle" "$TMP/changed.svg" >/dev/null 2>&1; }; ok $? \
	"--svg: the oracle check fails on a bar 1 ns longer than the trace's"
if command -v rsvg-convert >/dev/null; then
	rsvg-convert -o "$TMP/before.png" "$TMP/6.12-before.svg" 2>"$TMP/rsvg.err"
	[ "$(head -c 8 "$TMP/before.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
		[ "$(od -An -tu1 -j16 -N4 "$TMP/before.png" | awk '{print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4}')" = 1100 ]; ok $? \
		"--svg: rsvg-convert renders the picture to a PNG 1100 px wide" "$(cat "$TMP/rsvg.err")"
else
	skip "--svg renders" "no rsvg-convert (librsvg2-bin; scripts/install-deps)"
fi
run_cmd "$BIN" --driver nvme --svg "$TMP/no/such/dir/x.svg" "$TOP/tests/samples/6.12-before.trace"
[ "$(last_rc)" = 2 ] && grep -q "cannot write $TMP/no/such/dir/x.svg" "$TMP/last.err"; ok $? \
	"--svg into a folder that does not exist: the message, exit 2" "$(last_err)"
run_cmd "$BIN" --setup --svg "$TMP/x.svg"
[ "$(last_rc)" = 2 ] && [ ! -e "$TMP/x.svg" ]; ok $? "--svg with --setup: usage, exit 2" "$(last_err)"

done_testing
