// SPDX-License-Identifier: GPL-2.0
/*
 * svg.c: the timeline picture of one boot's probes (pciprobe-report --svg):
 * a self-contained SVG, one row per CPU, one bar per probe from its start
 * to its end, labelled with its device, coloured by its kind (asynchronous,
 * synchronous, not recorded), with the device, driver, task and times in
 * the bar's <title> and in data- attributes (the tests read those). Probes
 * that overlap on one CPU (a worker that migrated) go to lanes of the row.
 * The caller (pciprobe-report.c) gives the bars, the rows and the titles;
 * nothing here calls back into it.
 */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pciprobe-report.h"

#define W		1100	/* picture width, px */
#define LEFT		150	/* row labels */
#define RIGHT		30
#define LANE_H		22
#define ROW_GAP		8
#define AXIS_H		44

static const char *const kind_name[] = { "unknown", "async", "sync" };
static const char *const kind_fill[] = { "#7a9a5a", "#2f6fd0", "#9a9a9a" };

/* s with &, <, >, " escaped */
static void xml(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* a tick step of 1, 2 or 5 times a power of ten, giving about 8 ticks */
static uint64_t tick_step(uint64_t span)
{
	uint64_t step = 1;

	while (step * 10 <= span / 8 + 1)
		step *= 10;
	if (step * 5 <= span / 8)
		step *= 5;
	else if (step * 2 <= span / 8)
		step *= 2;
	return step ? step : 1;
}

static void fmt_ms(char *buf, size_t n, uint64_t ns)
{
	if (ns % 1000000)
		snprintf(buf, n, "%" PRIu64 ".%03" PRIu64 " ms", ns / 1000000, ns / 1000 % 1000);
	else
		snprintf(buf, n, "%" PRIu64 " ms", ns / 1000000);
}

int pp_svg_write(const char *path, const struct pp_svg *s)
{
	int *lane = calloc((size_t)s->nbars + 1, sizeof(*lane));
	int *lanes = calloc((size_t)s->nrows + 1, sizeof(*lanes));
	int *row_y = calloc((size_t)s->nrows + 1, sizeof(*row_y));
	uint64_t t0 = UINT64_MAX, t1 = 0, span;
	double scale;
	int plot_w = W - LEFT - RIGHT, top = 46 + 16 * s->nsub, y, h, err = 0;
	FILE *f;

	if (!lane || !lanes || !row_y) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		err = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < s->nbars; i++) {
		t0 = s->bars[i].start_ns < t0 ? s->bars[i].start_ns : t0;
		t1 = s->bars[i].end_ns > t1 ? s->bars[i].end_ns : t1;
	}
	if (!s->nbars)
		t0 = t1 = 0;
	span = t1 > t0 ? t1 - t0 : 1;
	scale = (double)plot_w / (double)span;
	/* lanes: a bar goes to the first lane of its row free at its start */
	for (int i = 0; i < s->nbars; i++) {
		const struct pp_svg_bar *b = &s->bars[i];
		int l = 0;

		for (bool clash = true; clash; ) {
			clash = false;
			for (int j = 0; j < i && !clash; j++)
				clash = s->bars[j].row == b->row && lane[j] == l &&
					b->start_ns < s->bars[j].end_ns && s->bars[j].start_ns < b->end_ns;
			if (clash)
				l++;
		}
		lane[i] = l;
		if (b->row >= 0 && b->row < s->nrows && l + 1 > lanes[b->row])
			lanes[b->row] = l + 1;
	}
	y = top;
	for (int r = 0; r < s->nrows; r++) {
		row_y[r] = y;
		y += (lanes[r] ? lanes[r] : 1) * LANE_H + ROW_GAP;
	}
	h = y + AXIS_H;

	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "%s: cannot write %s: %s\n", PROG, path, strerror(errno));
		err = -errno;
		goto out;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Verdana, sans-serif\" font-size=\"12\" "
		"data-t0-ns=\"%" PRIu64 "\" data-span-ns=\"%" PRIu64 "\">\n", W, h, W, h, t0, span);
	fprintf(f, "<title>");
	xml(f, s->title);
	fprintf(f, "</title>\n<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", W, h);
	fprintf(f, "<text class=\"title\" x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">");
	xml(f, s->title);
	fprintf(f, "</text>\n");
	for (int i = 0; i < s->nsub; i++) {
		fprintf(f, "<text class=\"node-verdict\" x=\"10\" y=\"%d\">", 42 + 16 * i);
		xml(f, s->sub[i]);
		fprintf(f, "</text>\n");
	}
	/* legend */
	for (int k = 0; k < 3; k++) {
		int x = W - RIGHT - 420 + 140 * k;

		fprintf(f, "<rect x=\"%d\" y=\"10\" width=\"14\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"21\">%s probe</text>\n", x, kind_fill[k], x + 18,
			k ? kind_name[k] : "not recorded");
	}
	/* rows */
	for (int r = 0; r < s->nrows; r++) {
		int rh = (lanes[r] ? lanes[r] : 1) * LANE_H;

		fprintf(f, "<g class=\"cpu\" data-cpu=\"%d\" data-node=\"%d\">"
			"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
			"<text x=\"10\" y=\"%d\">CPU %d (node %d)</text></g>\n",
			s->rows[r].cpu, s->rows[r].node, LEFT, row_y[r], plot_w, rh,
			r % 2 ? "#f4f4f4" : "#ebebeb", row_y[r] + rh / 2 + 4, s->rows[r].cpu,
			s->rows[r].node);
	}
	/* bars */
	for (int i = 0; i < s->nbars; i++) {
		const struct pp_svg_bar *b = &s->bars[i];
		double x, w;
		char st[32], du[32], label[96];
		bool migrated;

		if (b->row < 0 || b->row >= s->nrows)
			continue;
		x = LEFT + (double)(b->start_ns - t0) * scale;
		w = (double)(b->end_ns - b->start_ns) * scale;
		w = w < 1 ? 1 : w;
		fmt_ms(st, sizeof(st), b->start_ns - t0);
		fmt_ms(du, sizeof(du), b->end_ns - b->start_ns);
		migrated = b->cpu_end != b->cpu && b->end_row >= 0 && b->end_row < s->nrows;
		fprintf(f, "<g class=\"probe\" data-device=\"");
		xml(f, b->dev);
		fprintf(f, "\" data-cpu=\"%d\" data-cpu-end=\"%d\" data-kind=\"%s\" data-start-ns=\"%" PRIu64
			"\" data-duration-ns=\"%" PRIu64 "\">"
			"<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\" "
			"stroke=\"#ffffff\" stroke-width=\"0.5\"><title>",
			b->cpu, b->cpu_end, kind_name[b->kind], b->start_ns - t0, b->end_ns - b->start_ns, x,
			row_y[b->row] + lane[i] * LANE_H + 2, w, LANE_H - 4, kind_fill[b->kind]);
		xml(f, b->dev);
		fprintf(f, " (");
		xml(f, b->driver);
		fprintf(f, "): CPU %d", b->cpu);
		if (b->cpu_end != b->cpu)
			fprintf(f, ", ended on CPU %d", b->cpu_end);
		fprintf(f, ", ");
		xml(f, b->comm);
		fprintf(f, ", %s probe, from %s for %s</title></rect>", kind_name[b->kind], st, du);
		/* the device's name (and where it ended) inside a bar wide enough */
		snprintf(label, sizeof(label), "%s%s", b->dev, migrated ? " \xe2\x86\x92 CPU " : "");
		if (migrated)
			snprintf(label + strlen(label), sizeof(label) - strlen(label), "%d", b->cpu_end);
		if (w >= 7.0 * (double)strlen(label)) {
			fprintf(f, "<text x=\"%.2f\" y=\"%d\" fill=\"#ffffff\" font-size=\"11\">", x + 3,
				row_y[b->row] + lane[i] * LANE_H + LANE_H / 2 + 4);
			xml(f, label);
			fprintf(f, "</text>");
		}
		/* a worker that migrated: a line from the bar's end down (or up) to
		 * a dot on the row of the CPU it ended on (the trace records the
		 * CPU at the start and at the end only) */
		if (migrated) {
			int y0 = row_y[b->row] + lane[i] * LANE_H + LANE_H / 2;
			int y1 = row_y[b->end_row] + LANE_H / 2;

			fprintf(f, "<line class=\"migrated\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" "
				"stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"3,2\"/>"
				"<circle cx=\"%.2f\" cy=\"%d\" r=\"4\" fill=\"%s\"/>",
				x + w, y0, x + w, y1, kind_fill[b->kind], x + w, y1, kind_fill[b->kind]);
		}
		fprintf(f, "</g>\n");
	}
	/* time axis */
	fprintf(f, "<g class=\"axis\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333333\"/>\n",
		LEFT, y, LEFT + plot_w, y);
	for (uint64_t t = 0, step = tick_step(span); t <= span; t += step) {
		double x = LEFT + (double)t * scale;
		char lab[32];

		fmt_ms(lab, sizeof(lab), t);
		fprintf(f, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#333333\"/>"
			"<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\">%s</text>\n",
			x, y, x, y + 5, x, y + 18, lab);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time from the first probe's start</text></g>\n",
		LEFT + plot_w / 2, y + 36);
	fprintf(f, "</svg>\n");
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "%s: cannot write %s\n", PROG, path);
		err = -EIO;
	}
out:
	free(lane);
	free(lanes);
	free(row_y);
	return err;
}
