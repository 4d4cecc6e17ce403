// SPDX-License-Identifier: GPL-2.0
/*
 * pciprobe-report: reading a trace: its events (pstart, pdev, pbound,
 * pend, the async helpers) into probes and helper windows, its annotation
 * lines (and writing them: --save), the annotations from sysfs (--live).
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

struct devinfo *find_dev(struct report *r, const char *addr)
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
		r->devs = pp_grow(r->devs, &r->cap_devs, r->ndevs, sizeof(*r->devs));
		d = &r->devs[r->ndevs++];
		pp_copy_str(d->addr, addr, sizeof(d->addr));
	}
	d->node = node;
	pp_copy_str(d->driver, driver, sizeof(d->driver));
	pp_copy_str(d->id, id, sizeof(d->id));
	return 0;
}

static int add_node(struct report *r, int node, const char *cpus)
{
	if (r->nnodes >= MAX_NODES)
		return -ENOSPC;
	r->nodes[r->nnodes].node = node;
	pp_copy_str(r->nodes[r->nnodes].cpus, cpus, sizeof(r->nodes[0].cpus));
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
		pp_copy_str(r->async, line + 18, sizeof(r->async));
	else if (!strncmp(line, "# pciprobe-wq: ", 15))
		pp_copy_str(r->wq, line + 15, sizeof(r->wq));
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

	r->probes = pp_grow(r->probes, &r->cap_probes, r->nprobes, sizeof(*r->probes));
	r->open = pp_grow(r->open, &r->cap_open, r->nopen, sizeof(*r->open));
	pr = &r->probes[r->nprobes];
	memset(pr, 0, sizeof(*pr));
	pr->pid = pid;
	pr->cpu = cpu;
	pr->start_ns = ts;
	pp_copy_str(pr->comm, comm, sizeof(pr->comm));
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
		pp_copy_str(pr->caller, "driver-bound", sizeof(pr->caller));
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
	r->wins = pp_grow(r->wins, &r->cap_wins, r->nwins, sizeof(*r->wins));
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
void classify(struct report *r)
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
int read_trace(struct report *r, FILE *f, FILE *save)
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

/* a PCI device's sysfs attribute such as "vendor" (0x1b36) without its
 * "0x", in buf; "?" when it cannot be read */
static const char *sysfs_hex(const char *addr, const char *attr, char *buf, size_t n)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", addr, attr);
	if (pp_read_file_str(path, buf, n))
		pp_copy_str(buf, "?", n);
	return strncmp(buf, "0x", 2) ? buf : buf + 2;
}

/* --live: where unbound workers may run: per-node pools ("node": no
 * affinity scopes, before 6.6) or the default affinity scope, over the
 * workqueue cpumask, and the online CPUs */
static void read_wq(struct report *r)
{
	char scope[NAME_LEN] = "node", mask[NAME_LEN] = "-", online[NAME_LEN] = "-";

	pp_read_file_str("/sys/module/workqueue/parameters/default_affinity_scope", scope, sizeof(scope));
	pp_read_file_str("/sys/devices/virtual/workqueue/cpumask", mask, sizeof(mask));
	pp_read_file_str("/sys/devices/system/cpu/online", online, sizeof(online));
	snprintf(r->wq, sizeof(r->wq), "scope=%s cpumask=%s online=%s", scope, mask, online);
}

/* --live: devices and nodes from sysfs */
void read_sysfs(struct report *r)
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
			if (pp_read_file_str(path, buf, sizeof(buf)))
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
			if (!pp_read_file_str(path, buf, sizeof(buf)))
				add_node(r, atoi(de->d_name + 4), buf);
		}
		closedir(d);
	}
	if (!pp_read_file_str("/proc/sys/kernel/osrelease", buf, sizeof(buf)))
		pp_copy_str(r->kernel, buf, sizeof(r->kernel));
	if (!pp_read_file_str("/proc/sys/kernel/random/boot_id", buf, sizeof(buf)))
		pp_copy_str(r->boot_id, buf, sizeof(r->boot_id));
	read_wq(r);
}

/* --save: the annotations that --live took from sysfs and tracefs, after
 * the trace; read_trace() takes them from anywhere in a file */
int save_annotations(const struct report *r, FILE *save)
{
	fprintf(save, "# pciprobe-kernel: %s\n", r->kernel[0] ? r->kernel : "-");
	if (r->boot_id[0])
		fprintf(save, "# pciprobe-boot-id: %s\n", r->boot_id);
	for (int i = 0; i < r->nnodes; i++)
		fprintf(save, "# pciprobe-node: %d cpus=%s\n", r->nodes[i].node, r->nodes[i].cpus);
	for (int i = 0; i < r->ndevs; i++)
		fprintf(save, "# pciprobe-dev: %s node=%d class=- driver=%s id=%s\n", r->devs[i].addr,
			r->devs[i].node, r->devs[i].driver, r->devs[i].id);
	if (r->wq[0])
		fprintf(save, "# pciprobe-wq: %s\n", r->wq);
	if (r->async_recorded)
		fprintf(save, "# pciprobe-profile: async_drv (placed)\n");
	return ferror(save) ? -EIO : 0;
}
