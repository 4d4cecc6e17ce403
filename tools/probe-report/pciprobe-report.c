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

/* nodes: the kernel's own limit (NODES_SHIFT 10); probes, helpers' windows
 * and devices grow as the trace needs (a host with hundreds of PCI
 * functions must be judged whole, never in part) */
#define MAX_NODES	1024
#define NAME_LEN	64

enum verdict { V_FIXED, V_SERIALIZED, V_CANNOT_TELL };
enum ptype { P_UNKNOWN, P_ASYNC, P_SYNC };

struct probe {
	char dev[NAME_LEN];
	char comm[NAME_LEN];
	char caller[NAME_LEN];
	int pid;
	int cpu;
	int cpu_end;
	uint64_t start_ns;
	uint64_t end_ns;
	bool done;
	bool by_bind;		/* ended by pbound, not pend */
	enum ptype type;	/* P_UNKNOWN: async-ness not recorded */
};

/* an async helper's run for one device: the async probes of dev start in it */
struct async_win {
	char dev[NAME_LEN];
	int pid;		/* the helper's task */
	uint64_t start_ns;
	uint64_t end_ns;	/* dev's bind, pid's return or next helper: the first */
	bool open;		/* no end seen yet */
	bool bound;		/* end_ns is dev's bind (pbound), not a return */
};

struct devinfo {
	char addr[NAME_LEN];
	char driver[NAME_LEN];
	char id[NAME_LEN];	/* vendor:device ("1b36:0010"), "-" when unknown */
	int node;
};

struct nodeinfo {
	int node;
	char cpus[NAME_LEN];
};

struct report {
	struct probe *probes;
	int nprobes, cap_probes;
	int *open;			/* indices of probes not yet returned */
	int nopen, cap_open;
	struct devinfo *devs;
	int ndevs, cap_devs;
	struct nodeinfo nodes[MAX_NODES];
	int nnodes;
	struct async_win *wins;
	int nwins, cap_wins;
	bool async_recorded;		/* helper events placed: async told from sync */
	uint64_t dropped;		/* events the ring buffer overwrote */
	char kernel[NAME_LEN];
	char boot_id[NAME_LEN];		/* the boot the trace is of ("" unknown) */
	char async[NAME_LEN];
	int skipped_lines;
};

static const char *verdict_name[] = { "fixed", "serialized", "cannot-tell" };

/* room for one more element in the array *p of *cap elements of size sz;
 * out of memory ends the program (exit 2): a partial trace is never judged */
static void *grow(void *p, int *cap, int n, size_t sz)
{
	if (n < *cap)
		return p;
	*cap = *cap ? 2 * *cap : 64;
	p = realloc(p, (size_t)*cap * sz);
	if (!p) {
		fprintf(stderr, "%s: out of memory reading the trace\n", PROG);
		exit(2);
	}
	return p;
}

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

const char *pp_env(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

int pp_join(char *out, size_t n, const char *a, const char *b)
{
	int len = snprintf(out, n, "%s%s", a, b);

	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

/* copy at most n - 1 bytes of src and terminate: names are truncated */
static void copy_str(char *dst, const char *src, size_t n)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* "12.345678" -> ns; returns -EINVAL if not a timestamp */
static int parse_ts(const char *s, uint64_t *ns)
{
	uint64_t sec = 0, frac = 0;
	int digits = 0;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	while (isdigit((unsigned char)*s))
		sec = sec * 10 + (uint64_t)(*s++ - '0');
	if (*s++ != '.')
		return -EINVAL;
	while (isdigit((unsigned char)*s) && digits < 9) {
		frac = frac * 10 + (uint64_t)(*s++ - '0');
		digits++;
	}
	while (digits++ < 9)
		frac *= 10;
	*ns = sec * 1000000000ULL + frac;
	return 0;
}

static struct devinfo *find_dev(struct report *r, const char *addr)
{
	for (int i = 0; i < r->ndevs; i++)
		if (!strcmp(r->devs[i].addr, addr))
			return &r->devs[i];
	return NULL;
}

static int add_dev(struct report *r, const char *addr, int node, const char *driver,
		   const char *id)
{
	struct devinfo *d = find_dev(r, addr);

	if (!d) {
		r->devs = grow(r->devs, &r->cap_devs, r->ndevs, sizeof(*r->devs));
		d = &r->devs[r->ndevs++];
		copy_str(d->addr, addr, sizeof(d->addr));
	}
	d->node = node;
	copy_str(d->driver, driver, sizeof(d->driver));
	copy_str(d->id, id, sizeof(d->id));
	return 0;
}

static int add_node(struct report *r, int node, const char *cpus)
{
	if (r->nnodes >= MAX_NODES)
		return -ENOSPC;
	r->nodes[r->nnodes].node = node;
	copy_str(r->nodes[r->nnodes].cpus, cpus, sizeof(r->nodes[0].cpus));
	r->nnodes++;
	return 0;
}

/* "# pciprobe-...: ..." annotation lines */
static void parse_annotation(struct report *r, const char *line)
{
	char addr[NAME_LEN], drv[NAME_LEN], cpus[NAME_LEN], cls[NAME_LEN], id[NAME_LEN] = "-";
	const char *idp;
	int node;

	if (sscanf(line, "# pciprobe-dev: %63s node=%d class=%63s driver=%63s",
		   addr, &node, cls, drv) == 4) {
		/* " id=vendor:device" since the fingerprint; older files lack it */
		idp = strstr(line, " id=");
		if (idp)
			sscanf(idp, " id=%63s", id);
		add_dev(r, addr, node, drv, id);
	} else if (sscanf(line, "# pciprobe-boot-id: %63s", r->boot_id) == 1)
		;
	else if (sscanf(line, "# pciprobe-node: %d cpus=%63s", &node, cpus) == 2)
		add_node(r, node, cpus);
	else if (sscanf(line, "# pciprobe-kernel: %63s", r->kernel) == 1)
		;
	else if (!strncmp(line, "# pciprobe-async: ", 18))
		copy_str(r->async, line + 18, sizeof(r->async));
	else if (sscanf(line, "# pciprobe-profile: %63s", drv) == 1 && !strncmp(drv, "async_", 6))
		r->async_recorded = true;	/* the helper events were placed */
}

static int open_probe_of(struct report *r, int pid)
{
	for (int i = r->nopen - 1; i >= 0; i--)
		if (r->probes[r->open[i]].pid == pid)
			return i;
	return -1;
}

/* the dev="..." argument of an event into name; -EINVAL if there is none */
static int dev_arg(const char *rest, char *name, size_t n)
{
	const char *d = strstr(rest, "dev=\"");

	if (!d)
		return -EINVAL;
	d += 5;
	snprintf(name, n, "%.*s", (int)strcspn(d, "\""), d);
	return 0;
}

static void close_open(struct report *r, int o)
{
	memmove(&r->open[o], &r->open[o + 1], (size_t)(r->nopen - o - 1) * sizeof(int));
	r->nopen--;
}

static void ev_pstart(struct report *r, const char *comm, int pid, int cpu, uint64_t ts)
{
	struct probe *pr;

	r->probes = grow(r->probes, &r->cap_probes, r->nprobes, sizeof(*r->probes));
	r->open = grow(r->open, &r->cap_open, r->nopen, sizeof(*r->open));
	pr = &r->probes[r->nprobes];
	memset(pr, 0, sizeof(*pr));
	pr->pid = pid;
	pr->cpu = cpu;
	pr->start_ns = ts;
	copy_str(pr->comm, comm, sizeof(pr->comm));
	r->open[r->nopen++] = r->nprobes++;
}

static void ev_pdev(struct report *r, int pid, const char *rest)
{
	int o = open_probe_of(r, pid);
	struct probe *pr;

	if (o < 0)
		return;
	pr = &r->probes[r->open[o]];
	if (pr->dev[0])
		return;		/* the first device named inside the probe */
	dev_arg(rest, pr->dev, sizeof(pr->dev));
}

/* D bound: an async window of D without a return ends here at the latest */
static void bound_wins(struct report *r, const char *name, uint64_t ts)
{
	for (int i = 0; i < r->nwins; i++) {
		struct async_win *w = &r->wins[i];

		if (w->open && !w->bound && !strcmp(w->dev, name)) {
			w->end_ns = ts;
			w->bound = true;
		}
	}
}

static void ev_pbound(struct report *r, const char *rest, uint64_t ts)
{
	char name[NAME_LEN];

	if (dev_arg(rest, name, sizeof(name)))
		return;
	bound_wins(r, name, ts);
	for (int i = 0; i < r->nopen; i++) {
		struct probe *pr = &r->probes[r->open[i]];

		if (strcmp(pr->dev, name))
			continue;
		pr->end_ns = ts;
		pr->cpu_end = pr->cpu;	/* the bind runs in the waiting task */
		pr->done = true;
		pr->by_bind = true;
		copy_str(pr->caller, "driver-bound", sizeof(pr->caller));
		close_open(r, i);
		break;
	}
}

static void ev_pend(struct report *r, int pid, int cpu, const char *rest, uint64_t ts)
{
	int o = open_probe_of(r, pid);
	const char *c = strchr(rest, '(');
	struct probe *pr;

	if (o < 0)
		return;
	pr = &r->probes[r->open[o]];
	pr->end_ns = ts;
	pr->cpu_end = cpu;
	pr->done = true;
	if (c)	/* "(work_for_cpu_fn+0x1a/0x30 <- local_pci_probe)" */
		snprintf(pr->caller, sizeof(pr->caller), "%.*s",
			 (int)strcspn(c + 1, "+ )"), c + 1);
	close_open(r, o);
}

/* the helper of pid returned (or ran another one): its window ends */
static void end_win_of(struct report *r, int pid, uint64_t ts)
{
	for (int i = r->nwins - 1; i >= 0; i--) {
		struct async_win *w = &r->wins[i];

		if (w->open && w->pid == pid) {
			w->open = false;
			if (!w->bound)
				w->end_ns = ts;
			return;
		}
	}
}

static void ev_async(struct report *r, int pid, const char *rest, uint64_t ts)
{
	struct async_win *w;

	r->async_recorded = true;
	end_win_of(r, pid, ts);		/* a task runs one helper at a time */
	r->wins = grow(r->wins, &r->cap_wins, r->nwins, sizeof(*r->wins));
	w = &r->wins[r->nwins];
	memset(w, 0, sizeof(*w));
	if (dev_arg(rest, w->dev, sizeof(w->dev)))
		return;
	w->pid = pid;
	w->start_ns = ts;
	w->end_ns = UINT64_MAX;
	w->open = true;
	r->nwins++;
}

static bool is_async_event(const char *ev, bool *is_end)
{
	*is_end = false;
	if (!strcmp(ev, "async_drv") || !strcmp(ev, "async_dev"))
		return true;
	*is_end = true;
	return !strcmp(ev, "async_drv_end") || !strcmp(ev, "async_dev_end");
}

/*
 * One trace line: "<comm>-<pid> [<cpu>] <flags> <secs>.<usecs>: <event>: <rest>".
 * The comm may hold spaces and dashes: split at the " [NNN]" CPU field.
 */
static void parse_event(struct report *r, const char *line)
{
	const char *p = line, *lb = NULL, *ev, *rest;
	char comm[NAME_LEN], evname[NAME_LEN];
	uint64_t ts = 0;
	int pid, cpu;
	bool is_end;

	while ((p = strstr(p, " [")) != NULL) {
		const char *q = p + 2;

		while (isdigit((unsigned char)*q))
			q++;
		if (q > p + 2 && *q == ']') {
			lb = p;
			break;
		}
		p += 2;
	}
	if (!lb) {
		r->skipped_lines++;
		return;
	}
	/* comm-pid before the CPU field */
	const char *start = line, *dash = NULL;

	while (*start == ' ')
		start++;
	for (const char *q = start; q < lb; q++)
		if (*q == '-')
			dash = q;
	if (!dash || dash == start)
		return;
	snprintf(comm, sizeof(comm), "%.*s", (int)(dash - start), start);
	pid = atoi(dash + 1);
	cpu = atoi(lb + 2);
	/* flags (optional), then the timestamp ending in ':' */
	p = strchr(lb, ']') + 1;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!parse_ts(p, &ts))
			break;
		while (*p && *p != ' ')
			p++;
	}
	if (!*p)
		return;
	ev = strchr(p, ':');
	if (!ev)
		return;
	ev++;
	while (*ev == ' ')
		ev++;
	rest = strchr(ev, ':');
	if (!rest)
		return;
	snprintf(evname, sizeof(evname), "%.*s", (int)(rest - ev), ev);
	rest++;

	if (!strcmp(evname, "pstart"))
		ev_pstart(r, comm, pid, cpu, ts);
	else if (!strcmp(evname, "pdev"))
		ev_pdev(r, pid, rest);
	else if (!strcmp(evname, "pbound"))
		ev_pbound(r, rest, ts);
	else if (!strcmp(evname, "pend"))
		ev_pend(r, pid, cpu, rest, ts);
	else if (is_async_event(evname, &is_end) && !is_end)
		ev_async(r, pid, rest, ts);
	else if (is_async_event(evname, &is_end) && is_end) {
		r->async_recorded = true;
		end_win_of(r, pid, ts);
	}
}

/* "# entries-in-buffer/entries-written: 20/20   #P:4": events overwritten? */
static void parse_header(struct report *r, const char *line)
{
	unsigned long long in, written;

	if (sscanf(line, "# entries-in-buffer/entries-written: %llu/%llu", &in, &written) == 2 &&
	    written > in)
		r->dropped += written - in;
}

/* each probe async (inside a window of its device) or sync; after reading */
static void classify(struct report *r)
{
	for (int i = 0; i < r->nprobes; i++) {
		struct probe *p = &r->probes[i];

		p->type = P_UNKNOWN;
		if (!r->async_recorded)
			continue;
		p->type = P_SYNC;
		for (int k = 0; k < r->nwins; k++) {
			const struct async_win *w = &r->wins[k];

			if (!strcmp(w->dev, p->dev) && w->start_ns <= p->start_ns &&
			    p->start_ns <= w->end_ns)
				p->type = P_ASYNC;
		}
	}
}

/* the trace into r; each line also to save, unless NULL */
static int read_trace(struct report *r, FILE *f, FILE *save)
{
	char line[4096];

	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (save)
			fprintf(save, "%s\n", line);
		if (!strncmp(line, "# pciprobe-", 11))
			parse_annotation(r, line);
		else if (!strncmp(line, "# entries-in-buffer/", 20))
			parse_header(r, line);
		else if (line[0] != '#' && line[0])
			parse_event(r, line);
	}
	return ferror(f) ? -EIO : 0;
}

/* the first line of a small file, cut at the first of the characters in stop */
int pp_read_line(const char *path, char *buf, size_t n, const char *stop)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	if (!fgets(buf, (int)n, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[strcspn(buf, stop)] = '\0';
	return 0;
}

static int read_file_str(const char *path, char *buf, size_t n)
{
	return pp_read_line(path, buf, n, "\n");
}

/* a PCI device's sysfs attribute such as "vendor" (0x1b36) without its
 * "0x", in buf; "?" when it cannot be read */
static const char *sysfs_hex(const char *addr, const char *attr, char *buf, size_t n)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", addr, attr);
	if (read_file_str(path, buf, n))
		copy_str(buf, "?", n);
	return strncmp(buf, "0x", 2) ? buf : buf + 2;
}

/* --live: devices and nodes from sysfs */
static void read_sysfs(struct report *r)
{
	char path[PATH_MAX], buf[NAME_LEN], link[PATH_MAX], ven[NAME_LEN], dev[NAME_LEN];
	char id[NAME_LEN];
	struct dirent *de;
	DIR *d = opendir("/sys/bus/pci/devices");

	if (d) {
		while ((de = readdir(d))) {
			const char *drv = "-";
			ssize_t n;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/numa_node", de->d_name);
			if (read_file_str(path, buf, sizeof(buf)))
				continue;
			snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", de->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n > 0) {
				link[n] = '\0';
				drv = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
			}
			/* "0x1b36" and "0x0010" become "1b36:0010" */
			snprintf(id, sizeof(id), "%.20s:%.20s", sysfs_hex(de->d_name, "vendor", ven, sizeof(ven)),
				 sysfs_hex(de->d_name, "device", dev, sizeof(dev)));
			add_dev(r, de->d_name, atoi(buf), drv, id);
		}
		closedir(d);
	}
	d = opendir("/sys/devices/system/node");
	if (d) {
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, "node", 4) || !isdigit((unsigned char)de->d_name[4]))
				continue;
			snprintf(path, sizeof(path), "/sys/devices/system/node/%s/cpulist", de->d_name);
			if (!read_file_str(path, buf, sizeof(buf)))
				add_node(r, atoi(de->d_name + 4), buf);
		}
		closedir(d);
	}
	if (!read_file_str("/proc/sys/kernel/osrelease", buf, sizeof(buf)))
		copy_str(r->kernel, buf, sizeof(r->kernel));
	if (!read_file_str("/proc/sys/kernel/random/boot_id", buf, sizeof(buf)))
		copy_str(r->boot_id, buf, sizeof(r->boot_id));
}

static bool is_percpu_worker(const char *comm)
{
	const char *p = comm;

	if (strncmp(p, "kworker/", 8))
		return false;
	p += 8;
	if (!isdigit((unsigned char)*p))
		return false;	/* kworker/uN:M is unbound */
	while (isdigit((unsigned char)*p))
		p++;
	return *p == ':';
}

static bool is_unbound_worker(const char *comm)
{
	return !strncmp(comm, "kworker/u", 9) && isdigit((unsigned char)comm[9]);
}

static const struct devinfo *probe_dev(const struct report *r, const struct probe *p)
{
	return find_dev((struct report *)r, p->dev);
}

static bool selected(const struct report *r, const struct probe *p, const char *driver)
{
	const struct devinfo *d = probe_dev(r, p);

	if (!p->done)
		return false;
	return !driver || (d && !strcmp(d->driver, driver));
}

static int node_of(const struct report *r, const struct probe *p)
{
	const struct devinfo *d = probe_dev(r, p);

	return d ? d->node : -1;
}

/* a probe the verdict looks at: async ones, or all when that is not recorded */
static bool judged(const struct report *r, const struct probe *p)
{
	return !r->async_recorded || p->type == P_ASYNC;
}

struct node_result {
	int node;
	int nprobes;		/* judged */
	int nsync;		/* synchronous, not judged */
	int ncpus;
	int cpus[64];
	bool all_percpu;
	bool all_unbound;
	bool overlap;		/* two probes ran at the same time */
	uint64_t window_ns;
	uint64_t sum_ns;
	enum verdict v;
	const char *why;
};

static void add_cpu(struct node_result *nr, int cpu)
{
	for (int c = 0; c < nr->ncpus; c++)
		if (nr->cpus[c] == cpu)
			return;
	if (nr->ncpus < 64)
		nr->cpus[nr->ncpus++] = cpu;
}

/* the probes of node (and driver) that the verdict looks at: CPUs, time */
static void gather_node(const struct report *r, const char *driver, struct node_result *nr)
{
	uint64_t first = UINT64_MAX, last = 0;
	/* judged probes of this node, marked once (selected() and node_of()
	 * look the device up: not again for every pair below) */
	bool *in = calloc((size_t)r->nprobes + 1, sizeof(*in));

	if (!in) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		exit(2);
	}
	for (int i = 0; i < r->nprobes; i++) {
		const struct probe *p = &r->probes[i];

		if (!selected(r, p, driver) || node_of(r, p) != nr->node)
			continue;
		if (!judged(r, p)) {
			nr->nsync++;
			continue;
		}
		in[i] = true;
		nr->nprobes++;
		first = p->start_ns < first ? p->start_ns : first;
		last = p->end_ns > last ? p->end_ns : last;
		nr->sum_ns += p->end_ns - p->start_ns;
		nr->all_percpu &= is_percpu_worker(p->comm) && p->cpu == p->cpu_end;
		nr->all_unbound &= is_unbound_worker(p->comm);
		/* An unbound worker may migrate: count where it ended too. */
		add_cpu(nr, p->cpu);
		add_cpu(nr, p->cpu_end);
		for (int j = 0; j < i && !nr->overlap; j++) {
			const struct probe *q = &r->probes[j];

			if (in[j] && p->start_ns < q->end_ns && q->start_ns < p->end_ns)
				nr->overlap = true;
		}
	}
	free(in);
	nr->window_ns = nr->nprobes ? last - first : 0;
}

static void judge_node(const struct report *r, const char *driver, int node,
		       struct node_result *nr)
{
	memset(nr, 0, sizeof(*nr));
	nr->node = node;
	nr->all_percpu = nr->all_unbound = true;
	gather_node(r, driver, nr);
	if (!nr->nprobes && nr->nsync) {
		nr->v = V_CANNOT_TELL;
		nr->why = "only synchronous probes: the fix changes nothing for them";
	} else if (nr->nprobes < 2) {
		nr->v = V_CANNOT_TELL;
		nr->why = r->async_recorded ? "fewer than 2 asynchronous probes" :
					      "fewer than 2 probes";
	} else if (nr->all_percpu && nr->ncpus == 1) {
		nr->v = V_SERIALIZED;
		nr->why = "all on one CPU in per-CPU workers";
	} else if (nr->all_unbound && nr->ncpus > 1) {
		nr->v = V_FIXED;
		nr->why = "unbound workers on more than one CPU";
	} else if (nr->all_unbound && nr->overlap) {
		nr->v = V_FIXED;
		nr->why = "unbound workers, overlapping in time";
	} else {
		nr->v = V_CANNOT_TELL;
		nr->why = nr->all_unbound ? "unbound workers, but on one CPU only" :
					    "mixed workers";
	}
}

static const char *node_cpus(const struct report *r, int node)
{
	for (int i = 0; i < r->nnodes; i++)
		if (r->nodes[i].node == node)
			return r->nodes[i].cpus;
	return "?";
}

static int nodes_with_probes(const struct report *r, const char *driver, int *out)
{
	int n = 0;

	for (int i = 0; i < r->nprobes; i++) {
		int node = node_of(r, &r->probes[i]);
		bool seen = false;

		if (!selected(r, &r->probes[i], driver) || node < 0)
			continue;
		for (int k = 0; k < n; k++)
			seen |= out[k] == node;
		if (!seen && n < MAX_NODES)
			out[n++] = node;
	}
	return n;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static const char *const ptype_name[] = { "unknown", "async", "sync" };

/* the driver of a node's sync probes (for the hint), "" if several */
static const char *sync_driver(const struct report *r, const char *driver, int node)
{
	const char *name = NULL;

	for (int i = 0; i < r->nprobes; i++) {
		const struct probe *p = &r->probes[i];
		const struct devinfo *d = probe_dev(r, p);

		if (!selected(r, p, driver) || node_of(r, p) != node || judged(r, p) || !d)
			continue;
		if (name && strcmp(name, d->driver))
			return "";
		name = d->driver;
	}
	return name ? name : "";
}

static void text_hint(const struct report *r, const char *driver, const struct node_result *res, int nn)
{
	const char *drv = NULL;

	for (int k = 0; k < nn && !drv; k++)
		if (!res[k].nprobes && res[k].nsync)
			drv = sync_driver(r, driver, res[k].node);
	if (!drv)
		return;
	if (!*drv)
		drv = "DRIVER";
	printf("hint: only synchronous probes (a sysfs bind, or a driver that does not ask for "
	       "async probing): for a verdict boot with %s.async_probe=1 or driver_async_probe=%s "
	       "on the kernel command line (or: modprobe %s async_probe=1)\n", drv, drv, drv);
}

static void text_node(const struct report *r, const struct node_result *nr)
{
	printf("node %d (CPUs %s): %s: ", nr->node, node_cpus(r, nr->node), verdict_name[nr->v]);
	if (r->async_recorded && !nr->nprobes) {
		printf("0 async probes (%s)", nr->why);
	} else {
		printf("%d %sprobes on CPU", nr->nprobes, r->async_recorded ? "async " : "");
		for (int c = 0; c < nr->ncpus; c++)
			printf("%s%d", c ? "," : " ", nr->cpus[c]);
		printf(" (%s), window %llu ns, sum %llu ns", nr->why,
		       (unsigned long long)nr->window_ns, (unsigned long long)nr->sum_ns);
	}
	if (nr->nsync)
		printf("; %d sync probes not judged", nr->nsync);
	putchar('\n');
}

static void text_out(const struct report *r, const char *driver, const struct node_result *res,
		     int nn, enum verdict v)
{
	for (int i = 0; i < r->nprobes; i++) {
		const struct probe *p = &r->probes[i];
		const struct devinfo *d = probe_dev(r, p);

		if (!selected(r, p, driver))
			continue;
		printf("%s %s: CPU: %d, COMM: %s, probe cost: %llu ns", d ? d->driver : "?",
		       p->dev[0] ? p->dev : "?", p->cpu, p->comm,
		       (unsigned long long)(p->end_ns - p->start_ns));
		if (r->async_recorded)
			printf(", %s", ptype_name[p->type]);
		putchar('\n');
	}
	for (int k = 0; k < nn; k++)
		text_node(r, &res[k]);
	text_hint(r, driver, res, nn);
	printf("verdict: %s\n", verdict_name[v]);
}

static void json_probe(const struct report *r, const struct probe *p, uint64_t t0)
{
	const struct devinfo *d = probe_dev(r, p);

	printf("\n    {\"device\": ");
	json_str(p->dev);
	printf(", \"driver\": ");
	json_str(d ? d->driver : "");
	printf(", \"node\": %d, \"cpu\": %d, \"cpu_end\": %d, \"comm\": ",
	       d ? d->node : -1, p->cpu, p->cpu_end);
	json_str(p->comm);
	printf(", \"worker\": \"%s\", \"probe_type\": \"%s\", \"caller\": ",
	       is_percpu_worker(p->comm) ? "per-cpu" :
	       is_unbound_worker(p->comm) ? "unbound" : "other", ptype_name[p->type]);
	json_str(p->caller);
	printf(", \"start_ns\": %llu, \"duration_ns\": %llu}",
	       (unsigned long long)(p->start_ns - t0),
	       (unsigned long long)(p->end_ns - p->start_ns));
}

static void json_node(const struct report *r, const struct node_result *nr)
{
	printf("\n    {\"node\": %d, \"cpus\": ", nr->node);
	json_str(node_cpus(r, nr->node));
	printf(", \"probes\": %d, \"sync_probes\": %d, \"cpus_used\": [", nr->nprobes, nr->nsync);
	for (int c = 0; c < nr->ncpus; c++)
		printf("%s%d", c ? ", " : "", nr->cpus[c]);
	printf("], \"serialized\": %s, \"verdict\": \"%s\", \"why\": ",
	       nr->v == V_SERIALIZED ? "true" : "false", verdict_name[nr->v]);
	json_str(nr->why);
	printf(", \"window_ns\": %llu, \"sum_ns\": %llu}",
	       (unsigned long long)nr->window_ns, (unsigned long long)nr->sum_ns);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The host's hardware as the fix sees it, for a rollout's cohorts: the
 * vendor:device ids and nodes of the devices whose probes were selected
 * (each "id@node xCOUNT"), the nodes' CPUs, and a 64-bit FNV-1a hash of
 * the two lists as its id. Hosts with the same id have the same devices on
 * the same NUMA layout.
 */
/* FNV-1a 64 of s, continuing from h */
static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static void json_fingerprint(const struct report *r, const char *driver)
{
	char (*items)[2 * NAME_LEN] = calloc((size_t)r->ndevs + 1, sizeof(*items));
	const char **sorted = calloc((size_t)r->ndevs + 1, sizeof(*sorted));
	uint64_t h = 0xcbf29ce484222325ULL;
	int n = 0, first = 1;

	if (!items || !sorted) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		exit(2);
	}

	for (int i = 0; i < r->ndevs; i++) {
		const struct devinfo *d = &r->devs[i];
		bool probed = false;

		for (int k = 0; k < r->nprobes && !probed; k++)
			probed = !strcmp(r->probes[k].dev, d->addr) && selected(r, &r->probes[k], driver);
		if (probed) {
			snprintf(items[n], sizeof(items[n]), "%s@%d", d->id, d->node);
			sorted[n] = items[n];
			n++;
		}
	}
	qsort(sorted, n, sizeof(sorted[0]), cmp_str);
	printf(",\n  \"fingerprint\": {\"devices\": [");
	for (int i = 0; i < n; ) {
		int j = i;

		while (j < n && !strcmp(sorted[j], sorted[i]))
			j++;
		/* then the count, XORed in as one step */
		h = (fnv1a(h, sorted[i]) ^ (unsigned)(j - i)) * 0x100000001b3ULL;
		printf("%s\"%s x%d\"", first ? "" : ", ", sorted[i], j - i);
		first = 0;
		i = j;
	}
	printf("], \"nodes\": [");
	for (int i = 0; i < r->nnodes; i++) {
		char node[2 * NAME_LEN];

		snprintf(node, sizeof(node), "%d:%s", r->nodes[i].node, r->nodes[i].cpus);
		h = fnv1a(h, node);
		printf("%s", i ? ", " : "");
		json_str(node);
	}
	printf("], \"id\": \"%016llx\"}", (unsigned long long)h);
	free(sorted);
	free(items);
}

static void json_out(const struct report *r, const char *driver, const struct node_result *res,
		     int nn, enum verdict v)
{
	uint64_t t0 = UINT64_MAX;
	int first = 1;

	for (int i = 0; i < r->nprobes; i++)
		if (selected(r, &r->probes[i], driver) && r->probes[i].start_ns < t0)
			t0 = r->probes[i].start_ns;
	printf("{\n  \"kernel\": ");
	json_str(r->kernel);
	printf(",\n  \"boot_id\": ");
	json_str(r->boot_id);
	printf(",\n  \"async\": ");
	json_str(r->async);
	printf(",\n  \"async_recorded\": %s,\n  \"dropped_events\": %llu,\n  \"probes\": [",
	       r->async_recorded ? "true" : "false", (unsigned long long)r->dropped);
	for (int i = 0; i < r->nprobes; i++) {
		if (!selected(r, &r->probes[i], driver))
			continue;
		printf("%s", first ? "" : ",");
		json_probe(r, &r->probes[i], t0);
		first = 0;
	}
	printf("\n  ],\n  \"nodes\": [");
	for (int k = 0; k < nn; k++) {
		printf("%s", k ? "," : "");
		json_node(r, &res[k]);
	}
	printf("\n  ]");
	json_fingerprint(r, driver);
	printf(",\n  \"verdict\": \"%s\"\n}\n", verdict_name[v]);
}

/* the CPUs of a cpulist ("0-1,3") in out (at most max); their count */
static int cpulist(const char *list, int *out, int max)
{
	int n = 0;

	for (const char *p = list; *p; ) {
		char *end;
		long a = strtol(p, &end, 10), b = a;

		if (end == p)
			break;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (long c = a; c <= b && n < max; c++)
			out[n++] = (int)c;
		p = *end == ',' ? end + 1 : end;
		if (*end != ',')
			break;
	}
	return n;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* --svg: the rows are the CPUs of the nodes judged and every CPU a probe
 * ran on; the bars are the probes the report lists */
static int svg_out(const struct report *r, const char *driver, const struct node_result *res,
		   int nn, enum verdict v, const char *path)
{
	int cap = 4096 + 2 * r->nprobes, ncpu = 0, nrows = 0, nbars = 0, err = -ENOMEM;
	int *cpus = calloc((size_t)cap, sizeof(*cpus));
	struct pp_svg_row *rows = calloc((size_t)cap, sizeof(*rows));
	struct pp_svg_bar *bars = calloc((size_t)r->nprobes + 1, sizeof(*bars));
	char (*sub)[256] = calloc((size_t)nn + 1, sizeof(*sub));
	const char **subp = calloc((size_t)nn + 1, sizeof(*subp));
	char title[512];

	if (!cpus || !rows || !bars || !sub || !subp) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		goto out;
	}
	for (int k = 0; k < nn; k++)
		ncpu += cpulist(node_cpus(r, res[k].node), cpus + ncpu, cap - 2 * r->nprobes - ncpu);
	for (int i = 0; i < r->nprobes && ncpu + 1 < cap; i++)
		if (selected(r, &r->probes[i], driver)) {
			cpus[ncpu++] = r->probes[i].cpu;
			cpus[ncpu++] = r->probes[i].cpu_end;
		}
	qsort(cpus, (size_t)ncpu, sizeof(*cpus), cmp_int);
	for (int i = 0; i < ncpu; i++) {
		if (nrows && rows[nrows - 1].cpu == cpus[i])
			continue;
		rows[nrows].cpu = cpus[i];
		rows[nrows].node = -1;
		nrows++;
	}
	/* each row's node: every node's cpulist read once (cpus is free now) */
	for (int k = 0; k < r->nnodes; k++) {
		int m = cpulist(r->nodes[k].cpus, cpus, cap);

		for (int j = 0; j < m; j++)
			for (int w = 0; w < nrows; w++)
				if (rows[w].cpu == cpus[j])
					rows[w].node = r->nodes[k].node;
	}
	for (int i = 0; i < r->nprobes; i++) {
		const struct probe *p = &r->probes[i];
		const struct devinfo *d = probe_dev(r, p);
		struct pp_svg_bar *b = &bars[nbars];

		if (!selected(r, p, driver))
			continue;
		for (b->row = 0; b->row < nrows && rows[b->row].cpu != p->cpu; b->row++)
			;
		for (b->end_row = 0; b->end_row < nrows && rows[b->end_row].cpu != p->cpu_end; b->end_row++)
			;
		b->cpu = p->cpu;
		b->cpu_end = p->cpu_end;
		b->kind = p->type;
		b->start_ns = p->start_ns;
		b->end_ns = p->end_ns;
		b->dev = p->dev[0] ? p->dev : "?";
		b->driver = d ? d->driver : "?";
		b->comm = p->comm;
		nbars++;
	}
	for (int k = 0; k < nn; k++) {
		snprintf(sub[k], sizeof(sub[k]), "node %d (CPUs %s): %s: %d %sprobes, %s; window %llu.%03llu ms",
			 res[k].node, node_cpus(r, res[k].node), verdict_name[res[k].v], res[k].nprobes,
			 r->async_recorded ? "async " : "", res[k].why,
			 (unsigned long long)(res[k].window_ns / 1000000),
			 (unsigned long long)(res[k].window_ns / 1000 % 1000));
		subp[k] = sub[k];
	}
	snprintf(title, sizeof(title), "%s probes of %s: %s",
		 driver ? driver : "all", r->kernel[0] ? r->kernel : "an unnamed kernel", verdict_name[v]);
	err = pp_svg_write(path, &(struct pp_svg){ .title = title, .sub = subp, .nsub = nn,
						    .rows = rows, .nrows = nrows,
						    .bars = bars, .nbars = nbars });
out:
	free(cpus);
	free(rows);
	free(bars);
	free(sub);
	free(subp);
	return err;
}

static enum verdict report_out(const struct report *r, const char *driver, bool json,
			       const char *svg, int *svg_err)
{
	int nodes[MAX_NODES], nn = nodes_with_probes(r, driver, nodes);
	struct node_result res[MAX_NODES];
	bool any_fixed = false, any_serial = false;
	enum verdict v = V_CANNOT_TELL;

	for (int k = 0; k < nn; k++) {
		judge_node(r, driver, nodes[k], &res[k]);
		any_fixed |= res[k].v == V_FIXED;
		any_serial |= res[k].v == V_SERIALIZED;
	}
	if (any_serial)
		v = V_SERIALIZED;
	else if (any_fixed)
		v = V_FIXED;
	if (json)
		json_out(r, driver, res, nn, v);
	else
		text_out(r, driver, res, nn, v);
	if (svg)
		*svg_err = svg_out(r, driver, res, nn, v, svg);
	return v;
}

/* the notes that do not change the verdict: on stderr */
static void notes(const struct report *r)
{
	if (!r->nprobes)
		fprintf(stderr, "%s: no pciprobe/pstart events in the trace "
			"(run --setup before the driver loads)\n", PROG);
	else if (!r->async_recorded)
		fprintf(stderr, "%s: note: async-ness was not recorded (no async helper events: an "
			"older --setup or trace): every probe is judged\n", PROG);
	if (r->dropped)
		fprintf(stderr, "%s: warning: the trace buffer overwrote %llu events: early probes "
			"may be missing\n", PROG, (unsigned long long)r->dropped);
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

/* --save: the annotations that --live took from sysfs and tracefs, after
 * the trace; read_trace() takes them from anywhere in a file */
static int save_annotations(const struct report *r, FILE *save)
{
	fprintf(save, "# pciprobe-kernel: %s\n", r->kernel[0] ? r->kernel : "-");
	if (r->boot_id[0])
		fprintf(save, "# pciprobe-boot-id: %s\n", r->boot_id);
	for (int i = 0; i < r->nnodes; i++)
		fprintf(save, "# pciprobe-node: %d cpus=%s\n", r->nodes[i].node, r->nodes[i].cpus);
	for (int i = 0; i < r->ndevs; i++)
		fprintf(save, "# pciprobe-dev: %s node=%d class=- driver=%s id=%s\n", r->devs[i].addr,
			r->devs[i].node, r->devs[i].driver, r->devs[i].id);
	if (r->async_recorded)
		fprintf(save, "# pciprobe-profile: async_drv (placed)\n");
	return ferror(save) ? -EIO : 0;
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
