// SPDX-License-Identifier: GPL-2.0
/*
 * pciprobe-report: the per-node rule: which probes are judged, and
 * serialized, fixed or cannot tell for each node.
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

const char *verdict_name[] = { "fixed", "serialized", "cannot-tell" };

bool is_percpu_worker(const char *comm)
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

bool is_unbound_worker(const char *comm)
{
	return !strncmp(comm, "kworker/u", 9) && isdigit((unsigned char)comm[9]);
}

const struct devinfo *probe_dev(const struct report *r, const struct probe *p)
{
	return find_dev((struct report *)r, p->dev);
}

bool selected(const struct report *r, const struct probe *p, const char *driver)
{
	const struct devinfo *d = probe_dev(r, p);

	if (!p->done)
		return false;
	return !driver || (d && !strcmp(d->driver, driver));
}

int node_of(const struct report *r, const struct probe *p)
{
	const struct devinfo *d = probe_dev(r, p);

	return d ? d->node : -1;
}

/* a probe the verdict looks at: async ones, or all when that is not recorded */
bool judged(const struct report *r, const struct probe *p)
{
	return !r->async_recorded || p->type == P_ASYNC;
}

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

void judge_node(const struct report *r, const char *driver, int node,
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

const char *node_cpus(const struct report *r, int node)
{
	for (int i = 0; i < r->nnodes; i++)
		if (r->nodes[i].node == node)
			return r->nodes[i].cpus;
	return "?";
}

int nodes_with_probes(const struct report *r, const char *driver, int *out)
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
