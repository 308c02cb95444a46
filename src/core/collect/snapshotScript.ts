// The generated POSIX sh script that collects a whole snapshot in ONE command: a few `grep -H`
// over many files at once (no fork per file), every section framed by an `@@` marker line, and
// per-file failures (ESRCH/EACCES/ENOENT) kept as grep's own "grep: FILE: reason" lines.
// Runs under dash and busybox sh; nothing here is bash.

import { FRAME } from '../parse/frame';
/** How the collector runs: the script comes on standard input. */
export const SNAPSHOT_COMMAND = 'sh -s';
export const SNAPSHOT_TIMEOUT_MS = 60_000;

const STATUS_KEYS = 'Name|State|PPid|Uid|VmRSS|RssAnon|RssFile|RssShmem|VmSwap';
// What processFrom() uses: PSS, USS (= Private_Clean + Private_Dirty) and swap.
const ROLLUP_KEYS = 'Pss|Private_Clean|Private_Dirty|Swap';
const SYSCTLS = ['overcommit_memory', 'overcommit_ratio', 'swappiness', 'panic_on_oom', 'oom_kill_allocating_task', 'min_free_kbytes']
  .map((s) => `sys/vm/${s}`)
  .join(' ');
const CGROUP_FILES = [
  'memory.max',
  'memory.current',
  'memory.peak',
  'memory.events',
  'memory.limit_in_bytes',
  'memory.usage_in_bytes',
  'memory.max_usage_in_bytes',
  'memory.failcnt',
  'memory.oom_control',
];

export interface SnapshotScriptOptions {
  /** Read smaps_rollup (PSS/USS/swap) of every process: the costliest part. */
  rollup?: boolean;
}

/**
 * Process directories in two halves by the pid's last digit, 0-4 and 5-9 (not even and odd: a
 * shell's fork-and-exec gives pids in pairs); single-digit pids go with the first.
 */
const HALVES: [string[], string[]] = [['[0-9]', '[0-9]*[0-4]'], ['[0-9]*[5-9]']];

/**
 * The per-process greps for some process directories (globs or pids): one for the lines that matter
 * of status, stat, smaps_rollup,
 * cgroup (only the memory controller's line, and cgroup v2's "0::" line) and the two oom files
 * (a number each), and one for cmdline whole (any bytes).
 */
export function procGreps(dirs: string[], rollup: boolean): string[] {
  const files = (...names: string[]) => names.flatMap((f) => dirs.map((d) => `${d}/${f}`)).join(' ');
  const keys = rollup ? `${STATUS_KEYS}|${ROLLUP_KEYS}` : STATUS_KEYS;
  // stat's one line starts "PID (": its start time (field 22) makes pid + start the identity.
  const pattern = `^(${keys}):|^-?[0-9]+$|^[0-9]+ \\(|^[0-9]+:([^:]*,)?memory(,[^:]*)?:|^0::`;
  return [
    `echo '${FRAME} procs'`,
    `grep -aHE '${pattern}' ${files('status', 'stat', ...(rollup ? ['smaps_rollup'] : []), 'cgroup', 'oom_score', 'oom_score_adj')} 2>&1`,
    `grep -aH '' ${files('cmdline')} 2>&1`,
    // Where each exe points (the real program, whatever argv[0] claims): a copy-ready remedy may name only that.
    `echo '${FRAME} exe'`,
    `ls -l ${files('exe')} 2>/dev/null`,
  ];
}

/**
 * The collector. Reading six /proc files of every process is most of its time, so the processes
 * are read in two halves at once: one in the background, framed on standard error (two
 * writers on one pipe would cut each other's lines), the rest on standard output. The meta values
 * come from /proc and shell builtins rather than forked commands.
 */
export function snapshotScript(opts: SnapshotScriptOptions = {}): string {
  const rollup = opts.rollup ?? true;
  const cgroupFind = CGROUP_FILES.map((f) => `-name ${f}`).join(' -o ');
  return [
    'LC_ALL=C; export LC_ALL',
    `cd /proc 2>/dev/null || { echo '${FRAME} error /proc is not mounted'; exit 3; }`,
    // The background half also runs the date fork and the cgroup files (about the foreground's
    // meta and small files, so both halves take about as long).
    `{ echo '${FRAME} meta'; echo "now $(date +%s)"; ${procGreps(HALVES[1], rollup).join('; ')}; ` +
      `echo '${FRAME} cgroups'; find /sys/fs/cgroup -maxdepth 9 \\( ${cgroupFind} \\) -exec grep -H '' {} + 2>/dev/null; echo '${FRAME} end'; } >&2 &`,
    `echo '${FRAME} meta'`,
    'read k < sys/kernel/osrelease; echo "kernel $k"',
    'read h < sys/kernel/hostname; echo "hostname $h"',
    'while read k v r; do if [ "$k" = Uid: ]; then echo "uid $v"; break; fi; done < self/status',
    `echo '${FRAME} files'`,
    `grep -H '' meminfo uptime swaps pressure/memory ${SYSCTLS} vmstat self/mounts /etc/passwd 2>&1`,
    ...procGreps(HALVES[0], rollup),
    'wait',
    `echo '${FRAME} end'`,
    '',
  ].join('\n');
}

/**
 * The same per-process reads for a few pids only (processes that appeared while sampling), plus
 * /etc/passwd for their users: the live view then knows their command line, user and cgroup.
 */
export function processesScript(pids: number[]): string {
  const dirs = pids.filter((p) => Number.isInteger(p) && p > 0).map(String);
  return [
    'LC_ALL=C; export LC_ALL',
    `cd /proc 2>/dev/null || { echo '${FRAME} error /proc is not mounted'; exit 3; }`,
    `echo '${FRAME} files'`,
    `grep -H '' /etc/passwd 2>&1`,
    ...(dirs.length ? procGreps(dirs, true) : []),
    `echo '${FRAME} end'`,
    '',
  ].join('\n');
}
