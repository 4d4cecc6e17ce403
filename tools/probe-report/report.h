/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pciprobe-report's report: the probes, helper windows, devices and nodes
 * of one trace, and each node's result. trace.c fills it, judge.c judges
 * it, output.c prints it, pciprobe-report.c (main) runs them in that
 * order; util.c serves them all. Internal to the program; what tracefs.c,
 * boot.c and svg.c share with it is in pciprobe-report.h.
 */
#ifndef PCIPROBE_REPORT_REPORT_H
#define PCIPROBE_REPORT_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

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
	char wq[4 * NAME_LEN];		/* where unbound workers may run ("" unknown) */
	int skipped_lines;
};

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

/* util.c */
void *pp_grow(void *p, int *cap, int n, size_t sz);
int pp_join(char *out, size_t n, const char *a, const char *b);
void pp_copy_str(char *dst, const char *src, size_t n);
int pp_read_file_str(const char *path, char *buf, size_t n);

/* trace.c: fills a report */
struct devinfo *find_dev(struct report *r, const char *addr);
void classify(struct report *r);
int read_trace(struct report *r, FILE *f, FILE *save);
void read_sysfs(struct report *r);
int save_annotations(const struct report *r, FILE *save);

/* judge.c: the per-node rule */
extern const char *verdict_name[];
bool is_percpu_worker(const char *comm);
bool is_unbound_worker(const char *comm);
const struct devinfo *probe_dev(const struct report *r, const struct probe *p);
bool selected(const struct report *r, const struct probe *p, const char *driver);
int node_of(const struct report *r, const struct probe *p);
bool judged(const struct report *r, const struct probe *p);
void judge_node(const struct report *r, const char *driver, int node,
		       struct node_result *nr);
const char *node_cpus(const struct report *r, int node);
int nodes_with_probes(const struct report *r, const char *driver, int *out);

/* output.c: prints a report */
int cpulist(const char *list, int *out, int max);
enum verdict report_out(const struct report *r, const char *driver, bool json,
			       const char *svg, int *svg_err);
void notes(const struct report *r);

#endif
