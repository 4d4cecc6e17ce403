// SPDX-License-Identifier: GPL-2.0
/*
 * pciprobe-report: the report: text, JSON (every string escaped), the
 * --svg timeline, the exit status.
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
int cpulist(const char *list, int *out, int max)
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

enum verdict report_out(const struct report *r, const char *driver, bool json,
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
void notes(const struct report *r)
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
