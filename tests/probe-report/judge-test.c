// SPDX-License-Identifier: GPL-2.0
/*
 * judge_node (tools/probe-report/judge.c), the per-node rule, on reports
 * made by hand: one case per branch of the rule. TAP on stdout; exit 1 if
 * a case fails. Built and run by tests/t-probe-report.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static int n, failed;

struct p { const char *dev, *comm; int cpu, cpu_end; unsigned start_ms, end_ms; enum ptype type; };

/* a report of the probes ps (devices 0000:21:0N.0 of driver nvme on node 1,
 * and 0000:00:05.0 of e1000 on node 0), async-ness recorded or not */
static void make(struct report *r, const struct p *ps, int np, bool async_recorded)
{
	static struct devinfo devs[] = {
		{ "0000:21:01.0", "nvme", "-", 1 }, { "0000:21:02.0", "nvme", "-", 1 },
		{ "0000:21:03.0", "nvme", "-", 1 }, { "0000:21:04.0", "nvme", "-", 1 },
		{ "0000:00:05.0", "e1000", "-", 0 },
	};

	memset(r, 0, sizeof(*r));
	r->devs = devs;
	r->ndevs = r->cap_devs = 5;
	r->probes = calloc((size_t)np, sizeof(*r->probes));
	r->nprobes = r->cap_probes = np;
	r->async_recorded = async_recorded;
	for (int i = 0; i < np; i++) {
		struct probe *q = &r->probes[i];

		snprintf(q->dev, sizeof(q->dev), "%s", ps[i].dev);
		snprintf(q->comm, sizeof(q->comm), "%s", ps[i].comm);
		q->cpu = ps[i].cpu;
		q->cpu_end = ps[i].cpu_end;
		q->start_ns = ps[i].start_ms * 1000000ULL;
		q->end_ns = ps[i].end_ms * 1000000ULL;
		q->done = true;
		q->type = ps[i].type;
	}
}

static void expect(const char *name, const struct p *ps, int np, bool rec, const char *driver,
		   enum verdict v, const char *why, int nprobes)
{
	struct report r;
	struct node_result nr;

	make(&r, ps, np, rec);
	judge_node(&r, driver, 1, &nr);
	n++;
	if (nr.v == v && !strcmp(nr.why, why) && nr.nprobes == nprobes) {
		printf("ok %d - %s: %s (%s)\n", n, name, verdict_name[v], why);
	} else {
		printf("not ok %d - %s\n# got %s (%s), %d probes; want %s (%s), %d\n", n, name,
		       verdict_name[nr.v], nr.why, nr.nprobes, verdict_name[v], why, nprobes);
		failed = 1;
	}
	free(r.probes);
}

#define D1 "0000:21:01.0"
#define D2 "0000:21:02.0"
#define D3 "0000:21:03.0"
#define D4 "0000:21:04.0"
#define E "0000:00:05.0"
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

int main(void)
{
	const struct p serial[] = {
		{ D1, "kworker/2:1", 2, 2, 0, 10, P_UNKNOWN }, { D2, "kworker/2:1", 2, 2, 10, 20, P_UNKNOWN },
		{ D3, "kworker/2:2", 2, 2, 20, 30, P_UNKNOWN }, { D4, "kworker/2:0", 2, 2, 30, 40, P_UNKNOWN },
	};
	const struct p spread[] = {
		{ D1, "kworker/u18:0", 2, 2, 0, 10, P_UNKNOWN }, { D2, "kworker/u18:1", 3, 3, 1, 11, P_UNKNOWN },
	};
	const struct p migrated[] = {	/* both start on CPU 3, one ends on 2 */
		{ D1, "kworker/u18:0", 3, 3, 0, 10, P_UNKNOWN }, { D2, "kworker/u18:1", 3, 2, 10, 20, P_UNKNOWN },
	};
	const struct p overlap[] = {
		{ D1, "kworker/u18:0", 2, 2, 0, 10, P_UNKNOWN }, { D2, "kworker/u18:1", 2, 2, 5, 15, P_UNKNOWN },
	};
	const struct p one_cpu[] = {
		{ D1, "kworker/u18:0", 2, 2, 0, 10, P_UNKNOWN }, { D2, "kworker/u18:1", 2, 2, 10, 20, P_UNKNOWN },
	};
	const struct p mixed[] = {
		{ D1, "kworker/2:1", 2, 2, 0, 10, P_UNKNOWN }, { D2, "kworker/u18:1", 3, 3, 0, 10, P_UNKNOWN },
	};
	const struct p percpu_two_cpus[] = {	/* per-CPU workers, but on two CPUs */
		{ D1, "kworker/2:1", 2, 2, 0, 10, P_UNKNOWN }, { D2, "kworker/3:1", 3, 3, 10, 20, P_UNKNOWN },
	};
	const struct p only_sync[] = {
		{ D1, "kworker/2:1", 2, 2, 0, 10, P_SYNC }, { D2, "kworker/2:1", 2, 2, 10, 20, P_SYNC },
	};
	const struct p async_and_sync[] = {	/* the sync rebind on CPU 2 is not judged */
		{ D1, "kworker/u18:0", 2, 2, 0, 10, P_ASYNC }, { D2, "kworker/u18:1", 3, 3, 0, 10, P_ASYNC },
		{ D1, "kworker/2:1", 2, 2, 50, 60, P_SYNC },
	};
	const struct p single[] = { { D1, "kworker/2:1", 2, 2, 0, 10, P_UNKNOWN } };
	const struct p other_driver[] = {	/* e1000 on node 0: not node 1's */
		{ D1, "kworker/2:1", 2, 2, 0, 10, P_UNKNOWN }, { E, "kworker/0:1", 0, 0, 0, 10, P_UNKNOWN },
	};

	expect("4 probes in per-CPU workers on CPU 2", serial, N(serial), false, "nvme",
	       V_SERIALIZED, "all on one CPU in per-CPU workers", 4);
	expect("unbound workers on CPUs 2 and 3", spread, N(spread), false, "nvme",
	       V_FIXED, "unbound workers on more than one CPU", 2);
	expect("unbound, started on CPU 3, one ended on CPU 2", migrated, N(migrated), false, "nvme",
	       V_FIXED, "unbound workers on more than one CPU", 2);
	expect("unbound on one CPU, overlapping", overlap, N(overlap), false, "nvme",
	       V_FIXED, "unbound workers, overlapping in time", 2);
	expect("unbound on one CPU, one after another", one_cpu, N(one_cpu), false, "nvme",
	       V_CANNOT_TELL, "unbound workers, but on one CPU only", 2);
	expect("a per-CPU and an unbound worker", mixed, N(mixed), false, "nvme",
	       V_CANNOT_TELL, "mixed workers", 2);
	expect("per-CPU workers on two CPUs", percpu_two_cpus, N(percpu_two_cpus), false, "nvme",
	       V_CANNOT_TELL, "mixed workers", 2);
	expect("only synchronous probes (async-ness recorded)", only_sync, N(only_sync), true, "nvme",
	       V_CANNOT_TELL, "only synchronous probes: the fix changes nothing for them", 0);
	expect("two async probes on CPUs 2 and 3, a sync one on CPU 2", async_and_sync, N(async_and_sync), true, "nvme",
	       V_FIXED, "unbound workers on more than one CPU", 2);
	expect("one probe", single, N(single), false, "nvme",
	       V_CANNOT_TELL, "fewer than 2 probes", 1);
	expect("one nvme probe of node 1 and one e1000 probe of node 0, no driver filter", other_driver, N(other_driver), false, NULL,
	       V_CANNOT_TELL, "fewer than 2 probes", 1);
	printf("1..%d\n", n);
	return failed;
}
