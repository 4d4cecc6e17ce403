// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test: where and when pci_call_probe() runs PCI probes.
 *
 * It binds test drivers to QEMU's pci-testdev devices (1b36:0005), which no
 * other driver claims, and records for every probe its CPU, task and start
 * and end time. Each probe burns a fixed amount of its own CPU time (not a
 * wall-clock delay: probes time-sliced on one CPU would finish together and
 * look parallel).
 *
 *  - async: a PROBE_PREFER_ASYNCHRONOUS driver on N devices of a node with
 *    at least two CPUs: the probes must not all run on one CPU in per-CPU
 *    workers, must overlap, and their window must stay well below N times
 *    the work of one probe. Fails while pci_call_probe() hands every probe
 *    of the node to the node's first CPU.
 *  - sync: a PROBE_FORCE_SYNCHRONOUS driver bound from process context
 *    still probes on a CPU of the device's node.
 *
 * Without such devices on a node with two CPUs the cases are skipped.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/sched/cputime.h>
#include <linux/topology.h>

#define TESTDEV_VENDOR	0x1b36
#define TESTDEV_DEVICE	0x0005
#define MAX_PROBES	32

static unsigned int budget_ms = 50;
module_param(budget_ms, uint, 0444);
MODULE_PARM_DESC(budget_ms, "CPU time each async probe burns, in ms");

#ifdef kunit_skip
#define probe_skip(test, fmt, ...) kunit_skip(test, fmt, ##__VA_ARGS__)
#else
/* KUnit before 5.13 cannot skip: say so on a line the harness counts. */
#define probe_skip(test, fmt, ...)					\
	do {								\
		kunit_info(test, "SKIP " fmt, ##__VA_ARGS__);		\
		return;							\
	} while (0)
#endif

struct probe_rec {
	struct pci_dev *pdev;
	int cpu_start;
	int cpu_end;
	bool percpu_worker;
	char comm[TASK_COMM_LEN];
	u64 start_ns;
	u64 end_ns;
};

static struct probe_rec recs[MAX_PROBES];
static atomic_t nrecs;
static u64 work_ns;

/* Spin until this task has run for @ns of its own CPU time. */
static void burn_cpu_time(u64 ns)
{
	u64 t0 = task_sched_runtime(current);

	while (task_sched_runtime(current) - t0 < ns)
		cond_resched();
}

static int rec_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int i = atomic_inc_return(&nrecs) - 1;
	struct probe_rec *r;

	if (i >= MAX_PROBES)
		return -ENOSPC;
	r = &recs[i];
	r->pdev = pdev;
	r->start_ns = ktime_get_ns();
	r->cpu_start = raw_smp_processor_id();
	/* A per-CPU workqueue worker is a worker bound to one CPU. */
	r->percpu_worker = (current->flags & PF_WQ_WORKER) &&
			   current->nr_cpus_allowed == 1;
	get_task_comm(r->comm, current);
	burn_cpu_time(work_ns);
	r->cpu_end = raw_smp_processor_id();
	r->end_ns = ktime_get_ns();
	return 0;
}

static void rec_remove(struct pci_dev *pdev)
{
}

static const struct pci_device_id testdev_ids[] = {
	{ PCI_DEVICE(TESTDEV_VENDOR, TESTDEV_DEVICE) },
	{ }
};

static struct pci_driver async_drv = {
	.name = "pci_probe_kunit_async",
	.id_table = testdev_ids,
	.probe = rec_probe,
	.remove = rec_remove,
	.driver.probe_type = PROBE_PREFER_ASYNCHRONOUS,
};

static struct pci_driver sync_drv = {
	.name = "pci_probe_kunit_sync",
	.id_table = testdev_ids,
	.probe = rec_probe,
	.remove = rec_remove,
	.driver.probe_type = PROBE_FORCE_SYNCHRONOUS,
};

/*
 * The node with the most unbound test devices that has at least two CPUs;
 * NUMA_NO_NODE if none. *count gets its number of devices.
 */
static int pick_node(int *count)
{
	int per_node[MAX_NUMNODES] = { 0 };
	struct pci_dev *pdev = NULL;
	int node, best = NUMA_NO_NODE;

	while ((pdev = pci_get_device(TESTDEV_VENDOR, TESTDEV_DEVICE, pdev))) {
		node = dev_to_node(&pdev->dev);
		if (node >= 0 && node < MAX_NUMNODES && !pdev->dev.driver)
			per_node[node]++;
	}
	*count = 0;
	for_each_online_node(node) {
		if (cpumask_weight(cpumask_of_node(node)) < 2)
			continue;
		if (per_node[node] > *count) {
			*count = per_node[node];
			best = node;
		}
	}
	return best;
}

static void reset_recs(u64 ns)
{
	memset(recs, 0, sizeof(recs));
	atomic_set(&nrecs, 0);
	work_ns = ns;
}

static void print_rec(struct kunit *test, const struct probe_rec *r, u64 t0)
{
	kunit_info(test, "%s %s: CPU: %d, COMM: %s, probe cost: %llu ns, start: +%llu ns%s\n",
		   dev_driver_string(&r->pdev->dev), pci_name(r->pdev),
		   r->cpu_start, r->comm, r->end_ns - r->start_ns,
		   r->start_ns - t0, r->percpu_worker ? ", per-CPU worker" : "");
}

static void pci_probe_async_parallel(struct kunit *test)
{
	int node, ndev, n, i, j, cpu0;
	bool one_cpu_percpu = true, overlap = false;
	u64 first = U64_MAX, last = 0, window, serial;

	node = pick_node(&ndev);
	if (node == NUMA_NO_NODE || ndev < 2)
		probe_skip(test, "needs 2+ pci-testdev devices (1b36:0005) on a node with 2+ CPUs, found %d", ndev);

	reset_recs((u64)budget_ms * NSEC_PER_MSEC);
	KUNIT_ASSERT_EQ(test, pci_register_driver(&async_drv), 0);
	wait_for_device_probe();
	n = min(atomic_read(&nrecs), MAX_PROBES);

	cpu0 = recs[0].cpu_start;
	for (i = 0; i < n; i++) {
		const struct probe_rec *r = &recs[i];

		first = min(first, r->start_ns);
		last = max(last, r->end_ns);
		if (r->cpu_start != cpu0 || r->cpu_end != cpu0 || !r->percpu_worker)
			one_cpu_percpu = false;
		for (j = 0; j < i; j++)
			if (r->start_ns < recs[j].end_ns && recs[j].start_ns < r->end_ns)
				overlap = true;
	}
	for (i = 0; i < n; i++)
		print_rec(test, &recs[i], first);
	window = last - first;
	serial = (u64)n * work_ns;
	kunit_info(test, "node %d: %d probes of %u ms CPU time each, window %llu ms, one after another %llu ms\n",
		   node, n, budget_ms, window / NSEC_PER_MSEC, serial / NSEC_PER_MSEC);
	pci_unregister_driver(&async_drv);

	KUNIT_ASSERT_GE(test, n, 2);
	KUNIT_EXPECT_FALSE_MSG(test, one_cpu_percpu,
			       "all %d probes of node %d ran on CPU %d in per-CPU workers", n, node, cpu0);
	KUNIT_EXPECT_TRUE_MSG(test, overlap, "no two probes overlapped in time");
	KUNIT_EXPECT_LT_MSG(test, window, serial * 3 / 4,
			    "probe window %llu ms is not well below %d x %u ms",
			    window / NSEC_PER_MSEC, n, budget_ms);
}

static void pci_probe_sync_on_node(struct kunit *test)
{
	int node, ndev, n, i;

	node = pick_node(&ndev);
	if (node == NUMA_NO_NODE || ndev < 1)
		probe_skip(test, "needs a pci-testdev device (1b36:0005) on a node with 2+ CPUs");
	KUNIT_ASSERT_FALSE(test, !!(current->flags & PF_WQ_WORKER));

	reset_recs(NSEC_PER_MSEC);
	KUNIT_ASSERT_EQ(test, pci_register_driver(&sync_drv), 0);
	n = min(atomic_read(&nrecs), MAX_PROBES);
	for (i = 0; i < n; i++)
		print_rec(test, &recs[i], recs[0].start_ns);
	KUNIT_EXPECT_GE(test, n, 1);
	for (i = 0; i < n; i++) {
		int dnode = dev_to_node(&recs[i].pdev->dev);

		KUNIT_EXPECT_EQ_MSG(test, cpu_to_node(recs[i].cpu_start), dnode,
				    "%s probed on CPU %d, off its node %d",
				    pci_name(recs[i].pdev), recs[i].cpu_start, dnode);
	}
	pci_unregister_driver(&sync_drv);
}

static struct kunit_case pci_probe_numa_cases[] = {
	KUNIT_CASE(pci_probe_async_parallel),
	KUNIT_CASE(pci_probe_sync_on_node),
	{}
};

static struct kunit_suite pci_probe_numa_suite = {
	.name = "pci_probe_numa",
	.test_cases = pci_probe_numa_cases,
};
kunit_test_suite(pci_probe_numa_suite);

MODULE_DESCRIPTION("KUnit test of the CPU and parallelism of PCI probes");
MODULE_LICENSE("GPL");
