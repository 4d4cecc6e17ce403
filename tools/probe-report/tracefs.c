// SPDX-License-Identifier: GPL-2.0
/*
 * pciprobe-report --setup / --teardown: the kprobe events of the pciprobe
 * group in tracefs.
 *
 * kprobe_events is written with open(O_WRONLY | O_APPEND) and one write()
 * per definition: glibc's fopen(path, "a") seeks to the end first, and
 * tracefs refuses that (EINVAL); an open with O_TRUNC would remove every
 * kprobe event of the system. Writing an event that exists fails with
 * EEXIST, so --setup first reads what is there: the same definition is
 * kept (idempotent; the kernel prints "r:" back as "rN:" with its default
 * maxactive N, so that number is not compared), another definition under one of our names is an
 * error (never replaced: its records in the trace buffer would become
 * unreadable). --teardown disables and removes exactly our events, and
 * switches tracing_on off again only if --setup switched it on (a note in
 * PCIPROBE_REPORT_RUN, default /run/pciprobe-report).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <limits.h>

#include "pciprobe-report.h"

/*
 * The events. The first four are those of scripts/guest/init (same
 * definitions, so a trace of either reads the same). The async helpers are
 * where the driver core runs an asynchronous probe: a probe that starts
 * while a helper for its device is running is asynchronous. Their return
 * probes get 128 instances: every async probe of a boot may wait at once.
 */
const struct pp_event pp_events[] = {
	{ "pstart", "p:pciprobe/pstart local_pci_probe" },
	{ "pend", "r:pciprobe/pend local_pci_probe ret=$retval" },
	{ "pdev", "p:pciprobe/pdev __pm_runtime_resume dev=+0(+0(%di)):string" },
	{ "pbound", "p:pciprobe/pbound device_links_driver_bound dev=+0(+0(%di)):string" },
	{ "async_drv", "p:pciprobe/async_drv __driver_attach_async_helper dev=+0(+0(%di)):string" },
	{ "async_drv_end", "r128:pciprobe/async_drv_end __driver_attach_async_helper" },
	{ "async_dev", "p:pciprobe/async_dev __device_attach_async_helper dev=+0(+0(%di)):string" },
	{ "async_dev_end", "r128:pciprobe/async_dev_end __device_attach_async_helper" },
};
const size_t pp_nevents = sizeof(pp_events) / sizeof(pp_events[0]);

#define MAX_LINES	512
#define PDEV_FILTER	"dev ~ \"*:??:??.?\""
#define LINE_LEN	512

/* the lines of kprobe_events */
struct kdefs {
	char line[MAX_LINES][LINE_LEN];
	int n;
};

int pp_need_root(const char *what)
{
	if (geteuid() == 0)
		return 0;
	fprintf(stderr, "%s: %s needs root (kprobe events and tracefs are root's)\n", PROG, what);
	return -EPERM;
}

static bool exists(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* where tracefs is not mounted yet (an initramfs): mount it */
static int mount_tracefs(const char *dir)
{
	if (mount("tracefs", dir, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		return -errno;
	return 0;
}

/*
 * Find the tracefs directory with kprobe_events into dir. The default
 * place is mounted if it is not (then debugfs' tracing is tried); a
 * directory given with --tracefs is used as it is.
 */
int pp_tracefs(const char *want, bool is_default, char *dir, size_t n)
{
	int err = 0;

	snprintf(dir, n, "%s", want);
	if (exists(dir, "kprobe_events"))
		return 0;
	if (is_default && !exists(dir, "trace")) {
		err = mount_tracefs(dir);
		if (!err && exists(dir, "kprobe_events"))
			return 0;
		if (exists("/sys/kernel/debug/tracing", "kprobe_events")) {
			snprintf(dir, n, "/sys/kernel/debug/tracing");
			return 0;
		}
	}
	if (exists(dir, "trace"))
		fprintf(stderr, "%s: %s has no kprobe_events: this kernel has no kprobe events "
			"(CONFIG_KPROBE_EVENTS is not set)\n", PROG, dir);
	else if (err)
		fprintf(stderr, "%s: no tracefs at %s (mount -t tracefs: %s)\n", PROG, dir,
			strerror(-err));
	else
		fprintf(stderr, "%s: no tracefs at %s (no trace, no kprobe_events there)\n",
			PROG, dir);
	return -ENOENT;
}

static int read_defs(const char *dir, struct kdefs *k)
{
	char path[PATH_MAX], buf[LINE_LEN];
	FILE *f;

	snprintf(path, sizeof(path), "%s/kprobe_events", dir);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s: cannot read %s: %s\n", PROG, path, strerror(errno));
		return -errno;
	}
	k->n = 0;
	while (fgets(buf, sizeof(buf), f) && k->n < MAX_LINES) {
		buf[strcspn(buf, "\n")] = '\0';
		if ((buf[0] == 'p' || buf[0] == 'r') && strchr(buf, ':'))
			snprintf(k->line[k->n++], LINE_LEN, "%s", buf);
	}
	fclose(f);
	return 0;
}

/* "r128:pciprobe/pend sym ..." -> "pciprobe/pend" */
static void def_name(const char *def, char *out, size_t n)
{
	const char *c = strchr(def, ':');

	c = c ? c + 1 : def;
	snprintf(out, n, "%.*s", (int)strcspn(c, " \t"), c);
}

/* past the "p" or "r128" of a definition: the kernel prints a return
 * probe's maxactive even where none was given ("r:" reads back as "r10:"
 * on 4 CPUs) */
static const char *past_type(const char *def)
{
	def++;
	while (isdigit((unsigned char)*def))
		def++;
	return def;
}

/* the same definition, blanks and a return probe's maxactive aside */
static bool same_def(const char *a, const char *b)
{
	if (*a != *b)
		return false;	/* p or r */
	a = past_type(a);
	b = past_type(b);
	for (;;) {
		while (*a == ' ' || *a == '\t')
			a++;
		while (*b == ' ' || *b == '\t')
			b++;
		if (*a != *b)
			return false;
		if (!*a)
			return true;
		a++;
		b++;
	}
}

/* the kprobe_events line of our event ev, or NULL */
static const char *find_def(const struct kdefs *k, const struct pp_event *ev)
{
	char want[128], name[128];

	snprintf(want, sizeof(want), PP_GROUP "/%s", ev->name);
	for (int i = 0; i < k->n; i++) {
		def_name(k->line[i], name, sizeof(name));
		if (!strcmp(name, want))
			return k->line[i];
	}
	return NULL;
}

/* write all of buf to path opened with flags (one write(): tracefs
 * takes a command per write) */
static int write_all(const char *path, int flags, const char *buf, size_t len)
{
	ssize_t w;
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags), err = 0;

	if (fd < 0)
		return -errno;
	w = write(fd, buf, len);
	if (w < 0)
		err = -errno;
	else if ((size_t)w != len)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/* one line onto kprobe_events: O_APPEND, one write, no fopen("a") */
static int append_line(const char *dir, const char *line)
{
	char path[PATH_MAX], buf[LINE_LEN];
	size_t len = (size_t)snprintf(buf, sizeof(buf), "%s\n", line);

	snprintf(path, sizeof(path), "%s/kprobe_events", dir);
	return write_all(path, O_APPEND, buf, len);
}

/* a small control file (enable, tracing_on): truncate and write */
static int write_file(const char *path, const char *s)
{
	return write_all(path, O_TRUNC, s, strlen(s));
}

/* the first word of a small file */
static int read_word(const char *path, char *buf, size_t n)
{
	return pp_read_line(path, buf, n, " \n");
}

/* the last line of tracefs' error_log (5.5+), what the kernel disliked */
static void kernel_says(const char *dir, char *out, size_t n)
{
	char path[PATH_MAX], buf[LINE_LEN];
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/error_log", dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		if (strstr(buf, "error:"))
			snprintf(out, n, "; kernel: %s", strstr(buf, "error:"));
	}
	fclose(f);
}

static int remove_event(const char *dir, const char *name)
{
	char line[128];

	snprintf(line, sizeof(line), "-:" PP_GROUP "/%s", name);
	return append_line(dir, line);
}

static int enable_event(const char *dir, const char *name, const char *on)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/events/" PP_GROUP "/%s/enable", dir, name);
	return write_file(path, on);
}

static void symbol_of(const char *def, char *out, size_t n)
{
	const char *s = strchr(def, ' ');

	s = s ? s + 1 : def;
	snprintf(out, n, "%.*s", (int)strcspn(s, " "), s);
}

static void place_error(const char *dir, const struct pp_event *ev, int err)
{
	char sym[128], why[LINE_LEN];

	symbol_of(ev->def, sym, sizeof(sym));
	kernel_says(dir, why, sizeof(why));
	fprintf(stderr, "%s: cannot place a kprobe on %s ('%s' into %s/kprobe_events): %s%s\n",
		PROG, sym, ev->def, dir, strerror(-err), why);
}

/* place ev unless it is there; *placed tells which. -EEXIST: another definition */
static int place_event(const char *dir, const struct pp_event *ev, bool *placed)
{
	struct kdefs *k = malloc(sizeof(*k));
	const char *have;
	int err;

	*placed = false;
	if (!k)
		return -ENOMEM;
	err = read_defs(dir, k);
	if (err)
		goto out;
	have = find_def(k, ev);
	if (!have) {
		err = append_line(dir, ev->def);
		if (!err) {
			*placed = true;
			goto out;
		}
		/* EEXIST: placed meanwhile (another --setup at the same time)? */
		if (err != -EEXIST || read_defs(dir, k) || !(have = find_def(k, ev))) {
			place_error(dir, ev, err);
			goto out;
		}
		err = 0;
	}
	if (!same_def(have, ev->def)) {
		fprintf(stderr, "%s: " PP_GROUP "/%s is already defined as '%s', not '%s': "
			"run %s --teardown first\n", PROG, ev->name, have, ev->def, PROG);
		err = -EEXIST;
	}
out:
	free(k);
	return err;
}

static const char *run_dir(void)
{
	return pp_env("PCIPROBE_REPORT_RUN", "/run/pciprobe-report");
}

/* switch tracing_on on; note it if it was off (for --teardown) */
static int tracing_on(const char *dir)
{
	char path[PATH_MAX], note[PATH_MAX], was[16] = "";
	int err, fd;

	snprintf(path, sizeof(path), "%s/tracing_on", dir);
	read_word(path, was, sizeof(was));
	if (!strcmp(was, "1"))
		return 0;
	err = write_file(path, "1\n");
	if (err) {
		fprintf(stderr, "%s: cannot write 1 to %s: %s\n", PROG, path, strerror(-err));
		return err;
	}
	snprintf(note, sizeof(note), "%s/tracing_on-set-by-setup", run_dir());
	if (mkdir(run_dir(), 0755) && errno != EEXIST)
		return 0;	/* no note: --teardown leaves tracing_on as it is */
	fd = open(note, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	return 0;
}

/*
 * pdev fires on every runtime resume of any device (a serial console: each
 * write): keep only PCI names ("0000:21:01.0", also a 5-digit domain), or
 * the buffer may overwrite a boot's probes before anyone reads them. Not
 * fatal: without the filter the report reads the same, from more lines.
 */
static void filter_pdev(const char *dir)
{
	char path[PATH_MAX];
	int err;

	snprintf(path, sizeof(path), "%s/events/" PP_GROUP "/pdev/filter", dir);
	err = write_file(path, PDEV_FILTER "\n");
	if (err)
		fprintf(stderr, "%s: warning: no filter on " PP_GROUP "/pdev (%s: %s): every runtime "
			"resume is recorded\n", PROG, path, strerror(-err));
}

static void rollback(const char *dir, const bool *placed)
{
	for (size_t i = pp_nevents; i-- > 0;) {
		if (!placed[i])
			continue;
		enable_event(dir, pp_events[i].name, "0\n");
		remove_event(dir, pp_events[i].name);
	}
}

int pp_setup(const char *dir)
{
	bool placed[16] = { false };
	int err = 0, nplaced = 0;

	for (size_t i = 0; i < pp_nevents && !err; i++) {
		err = place_event(dir, &pp_events[i], &placed[i]);
		nplaced += placed[i];
	}
	if (!err)
		filter_pdev(dir);
	for (size_t i = 0; i < pp_nevents && !err; i++) {
		err = enable_event(dir, pp_events[i].name, "1\n");
		if (err)
			fprintf(stderr, "%s: cannot enable " PP_GROUP "/%s in %s/events: %s\n",
				PROG, pp_events[i].name, dir, strerror(-err));
	}
	if (!err)
		err = tracing_on(dir);
	if (err) {
		rollback(dir, placed);
		return err;
	}
	if (nplaced)
		printf("%s: placed %d of %zu kprobe events (" PP_GROUP " group) in %s%s, enabled, tracing on\n",
		       PROG, nplaced, pp_nevents, dir, nplaced < (int)pp_nevents ? " (the others were there)" : "");
	else
		printf("%s: all %zu kprobe events (" PP_GROUP " group) already in place in %s "
		       "with the same definitions: enabled, tracing on\n", PROG, pp_nevents, dir);
	return 0;
}

static int tracing_restore(const char *dir)
{
	char path[PATH_MAX], note[PATH_MAX];
	int err;

	snprintf(note, sizeof(note), "%s/tracing_on-set-by-setup", run_dir());
	if (access(note, F_OK))
		return 0;
	snprintf(path, sizeof(path), "%s/tracing_on", dir);
	err = write_file(path, "0\n");
	if (err) {
		fprintf(stderr, "%s: cannot write 0 to %s: %s\n", PROG, path, strerror(-err));
		return err;
	}
	unlink(note);
	printf("%s: tracing_on switched off again (--setup had switched it on)\n", PROG);
	return 0;
}

int pp_teardown(const char *dir)
{
	struct kdefs *k = malloc(sizeof(*k));
	int err, nremoved = 0, first_err = 0;

	if (!k)
		return -ENOMEM;
	err = read_defs(dir, k);
	for (size_t i = pp_nevents; i-- > 0 && !err;) {
		if (!find_def(k, &pp_events[i]))
			continue;
		enable_event(dir, pp_events[i].name, "0\n");
		err = remove_event(dir, pp_events[i].name);
		if (err) {
			fprintf(stderr, "%s: cannot remove " PP_GROUP "/%s: %s%s\n", PROG,
				pp_events[i].name, strerror(-err),
				err == -EBUSY ? " (in use: perf or another tracer has it open)" : "");
			first_err = first_err ? first_err : err;
			err = 0;
			continue;
		}
		nremoved++;
	}
	free(k);
	if (err)
		return err;
	if (nremoved)
		printf("%s: disabled and removed %d kprobe events (" PP_GROUP " group) from %s\n",
		       PROG, nremoved, dir);
	else
		printf("%s: no " PP_GROUP " kprobe events in %s: nothing to remove\n", PROG, dir);
	err = tracing_restore(dir);
	return first_err ? first_err : err;
}

/* --live: did --setup place the async helper events (async told from sync)? */
bool pp_async_events_placed(const char *dir)
{
	struct kdefs *k = malloc(sizeof(*k));
	bool yes = false;

	if (!k)
		return false;
	if (!read_defs(dir, k))
		for (size_t i = 0; i < pp_nevents; i++)
			if (!strncmp(pp_events[i].name, "async_", 6) && find_def(k, &pp_events[i]))
				yes = true;
	free(k);
	return yes;
}
