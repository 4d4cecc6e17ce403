# shellcheck shell=bash
# lib/bench.sh: benchmark statistics.
# Sourced after scripts/lib.sh, never run.

# median: the median of the numbers on stdin, one a line (the lower middle
# one of an even count)
median() { sort -n | awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]}'; }

# ncpus_list LIST: number of CPUs in a cpulist such as 0-1,3
ncpus_list() {
	echo "$1" | tr ',' '\n' | awk -F- 'NF == 2 {n += $2 - $1 + 1; next} NF == 1 && $1 != "" {n++} END {print n + 0}'
}
