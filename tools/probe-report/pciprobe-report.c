// SPDX-License-Identifier: GPL-2.0
/*
 * pciprobe-report: one line per PCI probe from a kprobe trace, a verdict
 * per NUMA node, and an exit status a rollout script can act on.
 *
 * Input: tracefs text with the events of pp_events[] (tracefs.c; --setup
 * places them):
 *   pstart  local_pci_probe             (entry)
 *   pend    local_pci_probe             (return)
 *   pdev    __pm_runtime_resume         dev=<name>
 *   pbound  device_links_driver_bound   dev=<name>
 *   async_drv, async_dev   __driver_attach_async_helper,
 *                          __device_attach_async_helper   dev=<name>
 *   async_drv_end, async_dev_end   their returns
 * pstart opens a probe in its task, the first pdev in it names the device,
 * pend closes it; where the return probe does not fire (seen on 6.12 with
 * a tiny config), the device's pbound, its bind right after the probe,
 * closes it instead (the end then includes the wake-up of the waiter).
 * plus, in a saved file, annotation lines written by the guest:
 *   # pciprobe-dev: 0000:21:01.0 node=1 class=0x010802 driver=nvme id=1b36:0010
 *   # pciprobe-node: 1 cpus=2-3
 *   # pciprobe-profile: <event> <hits> <misses>   (kprobe_profile)
 * With --live the trace is read from tracefs and the annotations from sysfs;
 * --save FILE keeps what was read, the trace with those annotations, so the
 * same verdict can be had again from FILE on another machine.
 *
 * Asynchronous or synchronous: the driver core runs an asynchronous probe
 * inside an async helper for the device. A helper entry for device D in
 * task T opens a window; it ends at whichever comes first: D's bind
 * (pbound), T's helper return, or T's next helper entry (a return that was
 * not recorded: a kretprobe may miss). A probe of
 * D that starts inside a window of D is asynchronous: in T itself (probed
 * in place: the fix, or no node) or in a per-CPU worker that T waits for in
 * work_on_cpu() (the bug); the helper holds D's lock, so no other probe of
 * D can start meanwhile. Every other probe is synchronous (a sysfs bind, a
 * driver that does not ask for async probing): the fix changes nothing for
 * it, it goes to kworker/N:M with or without the fix. Async-ness counts as
 * recorded when the trace holds helper events, its profile lines name them,
 * or (--live) kprobe_events has them; then only asynchronous probes are
 * judged. A trace without (an older --setup or guest) is judged as before,
 * every probe, with a note on stderr.
 *
 * A node is "serialized" when all its judged probes ran on one CPU in
 * per-CPU workqueue workers (kworker/N:M), "fixed" when they ran in unbound
 * workers (kworker/uN:M) on more than one CPU (start or end: unbound
 * workers migrate) or overlapping in time, else "cannot tell" (also: only
 * synchronous probes, with a hint on how to ask for async probing).
 *
 * Exit: 0 fixed (no node serialized, at least one parallel), 1 serialized,
 * 2 cannot tell (also bad usage, unreadable input, a failed --setup,
 * --teardown or --boot; those exit 0 when done).
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include "pciprobe-report.h"
#include "report.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pciprobe-report [--json] [--svg PICTURE] [--driver NAME] [FILE | --live [--tracefs DIR] [--save FILE]]\n"
		"       pciprobe-report --setup | --teardown [--tracefs DIR]\n"
		"       pciprobe-report --boot enable|disable [--kernel KVER]\n"
		"  FILE         a saved trace (default: standard input)\n"
		"  --live       read DIR/trace and sysfs on this host (DIR: /sys/kernel/tracing)\n"
		"  --save       with --live: write the trace read and its annotations (nodes,\n"
		"               devices, kernel) to FILE, a saved trace for a later report\n"
		"  --setup      place the kprobe events in DIR and enable them (root)\n"
		"  --teardown   disable and remove them again (root)\n"
		"  --boot       record from the initramfs on at the next boots, or stop that\n"
		"               (initramfs-tools; runs update-initramfs -u -k KVER, default all)\n"
		"  --driver     only probes of devices bound to NAME\n"
		"  --json       JSON instead of text\n"
		"  --svg        also draw the probes' timeline into PICTURE (SVG): a row per\n"
		"               CPU, a bar per probe, the verdict per node in the title\n"
		"exit: 0 fixed, 1 serialized, 2 cannot tell or error (--setup, --teardown,\n"
		"      --boot: 0 done, 2 error)\n");
}

enum mode { M_REPORT, M_SETUP, M_TEARDOWN, M_BOOT };

struct opts {
	enum mode mode;
	const char *file, *driver, *tracefs, *boot, *kver, *save, *svg;
	bool json, live, tracefs_given;
};

/* 0, or -EINVAL on bad usage */
static int parse_args(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->tracefs = TRACEFS_DIR;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;

		if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--live")) {
			o->live = true;
		} else if (!strcmp(a, "--setup") && !o->mode) {
			o->mode = M_SETUP;
		} else if (!strcmp(a, "--teardown") && !o->mode) {
			o->mode = M_TEARDOWN;
		} else if (!strcmp(a, "--boot") && has_val && !o->mode) {
			o->mode = M_BOOT;
			o->boot = argv[++i];
		} else if (!strcmp(a, "--kernel") && has_val) {
			o->kver = argv[++i];
		} else if (!strcmp(a, "--save") && has_val) {
			o->save = argv[++i];
		} else if (!strcmp(a, "--svg") && has_val) {
			o->svg = argv[++i];
		} else if (!strcmp(a, "--driver") && has_val) {
			o->driver = argv[++i];
		} else if (!strcmp(a, "--tracefs") && has_val) {
			o->tracefs = argv[++i];
			o->tracefs_given = true;
		} else if ((a[0] == '-' && a[1]) || o->file) {
			return -EINVAL;
		} else {
			o->file = a;
		}
	}
	if (o->mode == M_BOOT && strcmp(o->boot, "enable") && strcmp(o->boot, "disable"))
		return -EINVAL;
	if (o->kver && o->mode != M_BOOT)
		return -EINVAL;
	if (o->mode && (o->file || o->live || o->json || o->driver || o->save || o->svg))
		return -EINVAL;
	if (o->mode == M_BOOT && o->tracefs_given)
		return -EINVAL;
	if (o->live && o->file)
		return -EINVAL;
	if (o->save && !o->live)
		return -EINVAL;
	return 0;
}

/* --setup, --teardown: 0 done, 2 error */
static int run_tracefs(const struct opts *o)
{
	char dir[PATH_MAX];
	const char *what = o->mode == M_SETUP ? "--setup" : "--teardown";
	int err = pp_need_root(what);

	if (!err)
		err = pp_tracefs(o->tracefs, !o->tracefs_given, dir, sizeof(dir));
	if (!err)
		err = o->mode == M_SETUP ? pp_setup(dir) : pp_teardown(dir);
	return err ? 2 : 0;
}

static int open_input(const struct opts *o, char *dir, size_t n, const char **name, FILE **f)
{
	static char path[PATH_MAX];

	*f = stdin;
	*name = o->file ? o->file : "stdin";
	if (o->live) {
		if (pp_tracefs(o->tracefs, !o->tracefs_given, dir, n))
			return -ENOENT;
		if (pp_join(path, sizeof(path), dir, "/trace"))
			return -ENAMETOOLONG;
		*name = path;
	}
	if ((o->live || o->file) && strcmp(*name, "-")) {
		*f = fopen(*name, "r");
		if (!*f) {
			fprintf(stderr, "%s: cannot read %s: %s%s\n", PROG, *name, strerror(errno),
				errno == EACCES ? " (run as root)" : "");
			return -errno;
		}
	}
	return 0;
}

/* remove a --save file left half-written; never a device such as /dev/full */
static void unlink_partial(const char *path)
{
	struct stat st;

	if (!lstat(path, &st) && S_ISREG(st.st_mode))
		unlink(path);
}

/* the report: 0 fixed, 1 serialized, 2 cannot tell or error */
static int run_report(const struct opts *o)
{
	char dir[PATH_MAX];
	const char *name;
	struct report *r = NULL;
	enum verdict v;
	FILE *f, *save = NULL;
	int ret = 2, svg_err = 0;

	if (open_input(o, dir, sizeof(dir), &name, &f))
		return 2;
	if (o->save) {
		save = fopen(o->save, "w");
		if (!save) {
			fprintf(stderr, "%s: cannot write %s: %s\n", PROG, o->save, strerror(errno));
			goto out;
		}
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		goto out;
	}
	if (read_trace(r, f, save)) {
		fprintf(stderr, "%s: error reading %s\n", PROG, name);
		goto out;
	}
	if (o->live) {
		read_sysfs(r);
		r->async_recorded |= pp_async_events_placed(dir);
	}
	if (save) {
		int err = save_annotations(r, save);

		err |= fclose(save);

		save = NULL;
		if (err) {
			fprintf(stderr, "%s: cannot write %s\n", PROG, o->save);
			unlink_partial(o->save);
			goto out;
		}
	}
	classify(r);
	notes(r);
	v = report_out(r, o->driver, o->json, o->svg, &svg_err);
	ret = svg_err ? 2 : v == V_FIXED ? 0 : v == V_SERIALIZED ? 1 : 2;
out:
	/* on an error, no half-written --save file is left behind */
	if (save) {
		fclose(save);
		unlink_partial(o->save);
	}
	if (f != stdin)
		fclose(f);
	if (r) {
		free(r->probes);
		free(r->open);
		free(r->devs);
		free(r->wins);
	}
	free(r);
	return ret;
}

int main(int argc, char **argv)
{
	struct opts o;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (parse_args(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	switch (o.mode) {
	case M_SETUP:
	case M_TEARDOWN:
		return run_tracefs(&o);
	case M_BOOT:
		return pp_boot(o.boot, o.kver) ? 2 : 0;
	default:
		return run_report(&o);
	}
}
