/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pciprobe-report: what the report (pciprobe-report.c and report.h's parts:
 * trace.c, judge.c, output.c), the kprobe events (tracefs.c), the boot-time
 * recording (boot.c) and the timeline picture (svg.c) share; util.c holds
 * the helpers below. No file calls back into one that calls it. Functions return
 * 0 or a negative errno and print their own one-line message on failure;
 * main() turns that into the exit status.
 */
#ifndef PCIPROBE_REPORT_H
#define PCIPROBE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROG		"pciprobe-report"
#define TRACEFS_DIR	"/sys/kernel/tracing"
#define PP_GROUP	"pciprobe"

/* one kprobe event of the pciprobe group: its name and its definition */
struct pp_event {
	const char *name;
	const char *def;
};

extern const struct pp_event pp_events[];
extern const size_t pp_nevents;

/* tracefs.c */
int pp_need_root(const char *what);
int pp_tracefs(const char *want, bool is_default, char *dir, size_t n);
int pp_setup(const char *dir);
int pp_teardown(const char *dir);
bool pp_async_events_placed(const char *dir);

/* boot.c */
int pp_boot(const char *action, const char *kver);

/* util.c: getenv() with a default */
const char *pp_env(const char *name, const char *def);
/* a then b into out: 0, or -ENAMETOOLONG */
int pp_join(char *out, size_t n, const char *a, const char *b);
int pp_read_line(const char *path, char *buf, size_t n, const char *stop);

/* svg.c: the timeline picture of --svg: one row per CPU, one bar per
 * probe (kind: 0 not recorded, 1 asynchronous, 2 synchronous) */
struct pp_svg_bar {
	int row;			/* index into rows: the CPU it started on */
	int end_row;			/* the CPU it ended on (a migrated worker) */
	int cpu, cpu_end;
	int kind;
	uint64_t start_ns, end_ns;
	const char *dev, *driver, *comm;
};

struct pp_svg_row {
	int cpu;
	int node;			/* -1: in no node's CPU list */
};

struct pp_svg {
	const char *title;
	const char *const *sub;		/* one line per node: its verdict */
	int nsub;
	const struct pp_svg_row *rows;
	int nrows;
	const struct pp_svg_bar *bars;
	int nbars;
};

int pp_svg_write(const char *path, const struct pp_svg *s);

#endif
