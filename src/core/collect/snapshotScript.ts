// The generated POSIX sh script that collects a whole snapshot in ONE command: a few `grep -H`
// over many files at once (no fork per file), every section framed by an `@@` marker line, and
// per-file failures (ESRCH/EACCES/ENOENT) kept as grep's own "grep: FILE: reason" lines.
// Runs under dash and busybox sh; nothing here is bash.

export const FRAME = '@@oomlens';

const STATUS_KEYS = 'Name|State|PPid|Uid|VmRSS|RssAnon|RssFile|RssShmem|VmSwap';
const ROLLUP_KEYS = 'Rss|Pss|Private_Clean|Private_Dirty|Swap|SwapPss';
const SYSCTLS = ['overcommit_memory', 'overcommit_ratio', 'swappiness', 'panic_on_oom', 'oom_kill_allocating_task', 'min_free_kbytes']
  .map((s) => `sys/vm/${s}`).join(' ');
const CGROUP_FILES = ['memory.max', 'memory.current', 'memory.peak', 'memory.events',
  'memory.limit_in_bytes', 'memory.usage_in_bytes', 'memory.max_usage_in_bytes', 'memory.failcnt', 'memory.oom_control'];

export interface SnapshotScriptOptions {
  /** Read smaps_rollup (PSS/USS/swap) of every process: the costliest part. */
  rollup?: boolean;
}

export function snapshotScript(opts: SnapshotScriptOptions = {}): string {
  const rollup = opts.rollup ?? true;
  const cgroupFind = CGROUP_FILES.map((f) => `-name ${f}`).join(' -o ');
  return [
    'LC_ALL=C; export LC_ALL',
    `cd /proc 2>/dev/null || { echo '${FRAME} error /proc is not mounted'; exit 3; }`,
    `echo '${FRAME} meta'`,
    'echo "now $(date +%s)"',
    'echo "kernel $(uname -r)"',
    'echo "hostname $(uname -n)"',
    'echo "uid $(id -u)"',
    `echo '${FRAME} files'`,
    `grep -H '' meminfo uptime swaps pressure/memory ${SYSCTLS} 2>&1`,
    "grep -H '^oom_kill ' vmstat 2>&1",
    "grep -H '' /etc/passwd 2>&1",
    "grep -H ' cgroup' self/mounts 2>&1",
    `echo '${FRAME} procs'`,
    `grep -aHE '^(${STATUS_KEYS}):' [0-9]*/status 2>&1`,
    "grep -aH '' [0-9]*/oom_score [0-9]*/oom_score_adj [0-9]*/cgroup [0-9]*/cmdline 2>&1",
    ...(rollup ? [`echo '${FRAME} rollup'`, `grep -aHE '^(${ROLLUP_KEYS}):' [0-9]*/smaps_rollup 2>&1`] : []),
    `echo '${FRAME} cgroups'`,
    `find /sys/fs/cgroup -maxdepth 9 \\( ${cgroupFind} \\) -exec grep -H '' {} + 2>/dev/null`,
    `echo '${FRAME} end'`,
    '',
  ].join('\n');
}
