// SPDX-License-Identifier: GPL-2.0
/*
 * pciprobe-report: one line per PCI probe from a kprobe trace, a verdict
 * per NUMA node, and an exit status a rollout script can act on.
 *
 * Input: tracefs text with these events (pciprobe-report --setup places them):
 *   p:pciprobe/pstart local_pci_probe
 *   r:pciprobe/pend   local_pci_probe ret=$retval
 *   p:pciprobe/pdev   __pm_runtime_resume dev=+0(+0(%di)):string
 *   p:pciprobe/pbound device_links_driver_bound dev=+0(+0(%di)):string
 * pstart opens a probe in its task, the first pdev in it names the device,
 * pend closes it; where the return probe does not fire (seen on 6.12 with
 * a tiny config), the device's pbound, its bind right after the probe,
 * closes it instead (the end then includes the wake-up of the waiter).
 * plus, in a saved file, annotation lines written by the guest:
 *   # pciprobe-dev: 0000:21:01.0 node=1 class=0x010802 driver=nvme
 *   # pciprobe-node: 1 cpus=2-3
 * With --live the trace is read from tracefs and the annotations from sysfs.
 *
 * A node is "serialized" when all its probes ran on one CPU in per-CPU
 * workqueue workers (kworker/N:M), "fixed" when they ran in unbound
 * workers (kworker/uN:M) on more than one CPU (start or end: unbound
 * workers migrate) or overlapping in time, else "cannot tell".
 *
 * Exit: 0 fixed (no node serialized, at least one parallel), 1 serialized,
 * 2 cannot tell (also bad usage or unreadable input).
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
#include <unistd.h>

#define MAX_PROBES	1024
#define MAX_OPEN	256
#define MAX_DEVS	1024
#define MAX_NODES	64
#define NAME_LEN	64

enum verdict { V_FIXED, V_SERIALIZED, V_CANNOT_TELL };

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
};

struct devinfo {
	char addr[NAME_LEN];
	char driver[NAME_LEN];
	int node;
};

struct nodeinfo {
	int node;
	char cpus[NAME_LEN];
};

struct report {
	struct probe probes[MAX_PROBES];
	int nprobes;
	int open[MAX_OPEN];		/* indices of probes not yet returned */
	int nopen;
	struct devinfo devs[MAX_DEVS];
	int ndevs;
	struct nodeinfo nodes[MAX_NODES];
	int nnodes;
	char kernel[NAME_LEN];
	char async[NAME_LEN];
	int skipped_lines;
};

static const char *verdict_name[] = { "fixed", "serialized", "cannot-tell" };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pciprobe-report [--json] [--driver NAME] [FILE | --live [--tracefs DIR]]\n"
		"       pciprobe-report --setup [--tracefs DIR]\n"
		"  FILE         a saved trace (default: standard input)\n"
		"  --live       read DIR/trace and sysfs on this host (DIR: /sys/kernel/tracing)\n"
		"  --setup      place the kprobe events in DIR and enable them (root)\n"
		"  --driver     only probes of devices bound to NAME\n"
		"  --json       JSON instead of text\n"
		"exit: 0 fixed, 1 serialized, 2 cannot tell or error\n");
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

static int add_dev(struct report *r, const char *addr, int node, const char *driver)
{
	struct devinfo *d = find_dev(r, addr);

	if (!d) {
		if (r->ndevs >= MAX_DEVS)
			return -ENOSPC;
		d = &r->devs[r->ndevs++];
		copy_str(d->addr, addr, sizeof(d->addr));
	}
	d->node = node;
	copy_str(d->driver, driver, sizeof(d->driver));
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
	char addr[NAME_LEN], drv[NAME_LEN], cpus[NAME_LEN], cls[NAME_LEN];
	int node;

	if (sscanf(line, "# pciprobe-dev: %63s node=%d class=%63s driver=%63s",
		   addr, &node, cls, drv) == 4)
		add_dev(r, addr, node, drv);
	else if (sscanf(line, "# pciprobe-node: %d cpus=%63s", &node, cpus) == 2)
		add_node(r, node, cpus);
	else if (sscanf(line, "# pciprobe-kernel: %63s", r->kernel) == 1)
		;
	else if (!strncmp(line, "# pciprobe-async: ", 18))
		copy_str(r->async, line + 18, sizeof(r->async));
}

static int open_probe_of(struct report *r, int pid)
{
	for (int i = r->nopen - 1; i >= 0; i--)
		if (r->probes[r->open[i]].pid == pid)
			return i;
	return -1;
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

	if (!strcmp(evname, "pstart")) {
		struct probe *pr;

		if (r->nprobes >= MAX_PROBES || r->nopen >= MAX_OPEN)
			return;
		pr = &r->probes[r->nprobes];
		memset(pr, 0, sizeof(*pr));
		pr->pid = pid;
		pr->cpu = cpu;
		pr->start_ns = ts;
		copy_str(pr->comm, comm, sizeof(pr->comm));
		r->open[r->nopen++] = r->nprobes++;
	} else if (!strcmp(evname, "pdev")) {
		int o = open_probe_of(r, pid);
		const char *d = strstr(rest, "dev=\"");
		struct probe *pr;

		if (o < 0 || !d)
			return;
		pr = &r->probes[r->open[o]];
		if (pr->dev[0])
			return;		/* the first device named inside the probe */
		d += 5;
		snprintf(pr->dev, sizeof(pr->dev), "%.*s", (int)strcspn(d, "\""), d);
	} else if (!strcmp(evname, "pbound")) {
		const char *d = strstr(rest, "dev=\"");
		char name[NAME_LEN];

		if (!d)
			return;
		d += 5;
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(d, "\""), d);
		for (int i = 0; i < r->nopen; i++) {
			struct probe *pr = &r->probes[r->open[i]];

			if (strcmp(pr->dev, name))
				continue;
			pr->end_ns = ts;
			pr->cpu_end = pr->cpu;	/* the bind runs in the waiting task */
			pr->done = true;
			pr->by_bind = true;
			copy_str(pr->caller, "driver-bound", sizeof(pr->caller));
			memmove(&r->open[i], &r->open[i + 1], (size_t)(r->nopen - i - 1) * sizeof(int));
			r->nopen--;
			break;
		}
	} else if (!strcmp(evname, "pend")) {
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
		memmove(&r->open[o], &r->open[o + 1], (size_t)(r->nopen - o - 1) * sizeof(int));
		r->nopen--;
	}
}

static int read_trace(struct report *r, FILE *f)
{
	char line[4096];

	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!strncmp(line, "# pciprobe-", 11))
			parse_annotation(r, line);
		else if (line[0] != '#' && line[0])
			parse_event(r, line);
	}
	return ferror(f) ? -EIO : 0;
}

static int read_file_str(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	if (!fgets(buf, (int)n, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* --live: devices and nodes from sysfs */
static void read_sysfs(struct report *r)
{
	char path[PATH_MAX], buf[NAME_LEN], link[PATH_MAX];
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
			add_dev(r, de->d_name, atoi(buf), drv);
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
}

static int write_str(const char *path, const char *s, bool append)
{
	FILE *f = fopen(path, append ? "a" : "w");

	if (!f)
		return -errno;
	if (fputs(s, f) < 0 || fclose(f)) {
		return -EIO;
	}
	return 0;
}

static int setup_events(const char *tracefs)
{
	static const char *const ev[] = {
		"p:pciprobe/pstart local_pci_probe\n",
		"r:pciprobe/pend local_pci_probe ret=$retval\n",
		"p:pciprobe/pdev __pm_runtime_resume dev=+0(+0(%di)):string\n",
		"p:pciprobe/pbound device_links_driver_bound dev=+0(+0(%di)):string\n",
	};
	char path[PATH_MAX];
	int err;

	snprintf(path, sizeof(path), "%s/kprobe_events", tracefs);
	for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
		err = write_str(path, ev[i], true);
		if (err && err != -EBUSY) {
			fprintf(stderr, "pciprobe-report: cannot add '%.*s' to %s: %s\n",
				(int)strcspn(ev[i], "\n"), ev[i], path, strerror(-err));
			return err;
		}
	}
	snprintf(path, sizeof(path), "%s/events/pciprobe/enable", tracefs);
	err = write_str(path, "1\n", false);
	if (!err) {
		snprintf(path, sizeof(path), "%s/tracing_on", tracefs);
		err = write_str(path, "1\n", false);
	}
	if (err)
		fprintf(stderr, "pciprobe-report: cannot enable %s: %s\n", path, strerror(-err));
	return err;
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

struct node_result {
	int node;
	int nprobes;
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

static void judge_node(const struct report *r, const char *driver, int node,
		       struct node_result *nr)
{
	uint64_t first = UINT64_MAX, last = 0;

	memset(nr, 0, sizeof(*nr));
	nr->node = node;
	nr->all_percpu = nr->all_unbound = true;
	for (int i = 0; i < r->nprobes; i++) {
		const struct probe *p = &r->probes[i];
		bool seen = false;

		if (!selected(r, p, driver) || node_of(r, p) != node)
			continue;
		nr->nprobes++;
		first = p->start_ns < first ? p->start_ns : first;
		last = p->end_ns > last ? p->end_ns : last;
		nr->sum_ns += p->end_ns - p->start_ns;
		nr->all_percpu &= is_percpu_worker(p->comm) && p->cpu == p->cpu_end;
		nr->all_unbound &= is_unbound_worker(p->comm);
		/* An unbound worker may migrate: count where it ended too. */
		for (int e = 0; e < 2; e++) {
			int cpu = e ? p->cpu_end : p->cpu;

			seen = false;
			for (int c = 0; c < nr->ncpus; c++)
				seen |= nr->cpus[c] == cpu;
			if (!seen && nr->ncpus < 64)
				nr->cpus[nr->ncpus++] = cpu;
		}
		for (int j = 0; j < i; j++) {
			const struct probe *q = &r->probes[j];

			if (selected(r, q, driver) && node_of(r, q) == node &&
			    p->start_ns < q->end_ns && q->start_ns < p->end_ns)
				nr->overlap = true;
		}
	}
	nr->window_ns = nr->nprobes ? last - first : 0;
	if (nr->nprobes < 2) {
		nr->v = V_CANNOT_TELL;
		nr->why = "fewer than 2 probes";
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

static enum verdict report_out(const struct report *r, const char *driver, bool json)
{
	int nodes[MAX_NODES], nn = nodes_with_probes(r, driver, nodes);
	struct node_result res[MAX_NODES];
	enum verdict v = V_CANNOT_TELL;
	uint64_t t0 = UINT64_MAX;
	bool any_fixed = false, any_serial = false;
	int k;

	for (int i = 0; i < r->nprobes; i++)
		if (selected(r, &r->probes[i], driver) && r->probes[i].start_ns < t0)
			t0 = r->probes[i].start_ns;
	for (k = 0; k < nn; k++) {
		judge_node(r, driver, nodes[k], &res[k]);
		any_fixed |= res[k].v == V_FIXED;
		any_serial |= res[k].v == V_SERIALIZED;
	}
	if (any_serial)
		v = V_SERIALIZED;
	else if (any_fixed)
		v = V_FIXED;

	if (!json) {
		for (int i = 0; i < r->nprobes; i++) {
			const struct probe *p = &r->probes[i];
			const struct devinfo *d = probe_dev(r, p);

			if (!selected(r, p, driver))
				continue;
			printf("%s %s: CPU: %d, COMM: %s, probe cost: %llu ns\n",
			       d ? d->driver : "?", p->dev[0] ? p->dev : "?", p->cpu, p->comm,
			       (unsigned long long)(p->end_ns - p->start_ns));
		}
		for (k = 0; k < nn; k++) {
			printf("node %d (CPUs %s): %s: %d probes on CPU", res[k].node,
			       node_cpus(r, res[k].node), verdict_name[res[k].v] , res[k].nprobes);
			for (int c = 0; c < res[k].ncpus; c++)
				printf("%s%d", c ? "," : " ", res[k].cpus[c]);
			printf(" (%s), window %llu ns, sum %llu ns\n", res[k].why,
			       (unsigned long long)res[k].window_ns, (unsigned long long)res[k].sum_ns);
		}
		printf("verdict: %s\n", verdict_name[v]);
		return v;
	}
	printf("{\n  \"kernel\": ");
	json_str(r->kernel);
	printf(",\n  \"async\": ");
	json_str(r->async);
	printf(",\n  \"probes\": [");
	for (int i = 0, first = 1; i < r->nprobes; i++) {
		const struct probe *p = &r->probes[i];
		const struct devinfo *d = probe_dev(r, p);

		if (!selected(r, p, driver))
			continue;
		printf("%s\n    {\"device\": ", first ? "" : ",");
		json_str(p->dev);
		printf(", \"driver\": ");
		json_str(d ? d->driver : "");
		printf(", \"node\": %d, \"cpu\": %d, \"cpu_end\": %d, \"comm\": ",
		       d ? d->node : -1, p->cpu, p->cpu_end);
		json_str(p->comm);
		printf(", \"worker\": \"%s\", \"caller\": ",
		       is_percpu_worker(p->comm) ? "per-cpu" :
		       is_unbound_worker(p->comm) ? "unbound" : "other");
		json_str(p->caller);
		printf(", \"start_ns\": %llu, \"duration_ns\": %llu}",
		       (unsigned long long)(p->start_ns - t0),
		       (unsigned long long)(p->end_ns - p->start_ns));
		first = 0;
	}
	printf("\n  ],\n  \"nodes\": [");
	for (k = 0; k < nn; k++) {
		printf("%s\n    {\"node\": %d, \"cpus\": ", k ? "," : "", res[k].node);
		json_str(node_cpus(r, res[k].node));
		printf(", \"probes\": %d, \"cpus_used\": [", res[k].nprobes);
		for (int c = 0; c < res[k].ncpus; c++)
			printf("%s%d", c ? ", " : "", res[k].cpus[c]);
		printf("], \"serialized\": %s, \"verdict\": \"%s\", \"why\": ",
		       res[k].v == V_SERIALIZED ? "true" : "false", verdict_name[res[k].v]);
		json_str(res[k].why);
		printf(", \"window_ns\": %llu, \"sum_ns\": %llu}",
		       (unsigned long long)res[k].window_ns, (unsigned long long)res[k].sum_ns);
	}
	printf("\n  ],\n  \"verdict\": \"%s\"\n}\n", verdict_name[v]);
	return v;
}

int main(int argc, char **argv)
{
	const char *file = NULL, *driver = NULL, *tracefs = "/sys/kernel/tracing";
	bool json = false, live = false, setup = false;
	struct report *r;
	FILE *f = stdin;
	char path[PATH_MAX];
	enum verdict v;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--live")) {
			live = true;
		} else if (!strcmp(argv[i], "--setup")) {
			setup = true;
		} else if (!strcmp(argv[i], "--driver") && i + 1 < argc) {
			driver = argv[++i];
		} else if (!strcmp(argv[i], "--tracefs") && i + 1 < argc) {
			tracefs = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			usage(stderr);
			return 2;
		} else if (!file) {
			file = argv[i];
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (setup)
		return setup_events(tracefs) ? 2 : 0;
	if (live && file) {
		usage(stderr);
		return 2;
	}
	if (live) {
		snprintf(path, sizeof(path), "%s/trace", tracefs);
		file = path;
	}
	if (file && strcmp(file, "-")) {
		f = fopen(file, "r");
		if (!f) {
			fprintf(stderr, "pciprobe-report: cannot read %s: %s\n", file, strerror(errno));
			return 2;
		}
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(stderr, "pciprobe-report: out of memory\n");
		return 2;
	}
	if (read_trace(r, f)) {
		fprintf(stderr, "pciprobe-report: error reading %s\n", file ? file : "stdin");
		return 2;
	}
	if (f != stdin)
		fclose(f);
	if (live)
		read_sysfs(r);
	if (!r->nprobes)
		fprintf(stderr, "pciprobe-report: no pciprobe/pstart events in the trace "
			"(run --setup before the driver loads)\n");
	v = report_out(r, driver, json);
	free(r);
	return v == V_FIXED ? 0 : v == V_SERIALIZED ? 1 : 2;
}
