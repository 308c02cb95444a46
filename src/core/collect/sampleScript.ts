// The long-running sh script behind sampling: ONE command that prints a frame per interval
// (system memory, PSI, the OOM kill counter, every process's RSS split and start time, chosen
// cgroups' usage; PSS every Nth frame).
// Time comes from /proc/uptime (centiseconds), turned into wall clock with the boot time.
import { shQuote } from '../shell';
import { FRAME } from '../parse/frame';

export interface SampleScriptOptions {
  intervalMs: number;
  /** Frames to print before exiting; 0 = until stopped. */
  count?: number;
  /** Read smaps_rollup (PSS) every this many frames; 0 = never. */
  pssEvery?: number;
  /** cgroup control files (absolute paths) whose usage to follow, e.g. .../memory.current. */
  cgroupFiles?: string[];
}

const MEM_KEYS = 'MemTotal|MemFree|MemAvailable|Buffers|Cached|Shmem|SUnreclaim|SwapTotal|SwapFree|Committed_AS|CommitLimit';
const STATUS_KEYS = 'Name|VmRSS|RssAnon|RssFile|RssShmem|VmSwap';
// Besides the keys: PSI's some/full lines, vmstat's OOM kill counter, and every /proc/PID/stat
// line (the only lines starting with a digit): its start time tells a reused pid from the process
// that had it before.
const PATTERN = `^(${MEM_KEYS}|${STATUS_KEYS}):|^some |^full |^oom_kill |^[0-9]`;

export function sampleScript(o: SampleScriptOptions): string {
  const seconds = Math.max(0.05, o.intervalMs / 1000).toFixed(3);
  const count = Math.max(0, Math.floor(o.count ?? 0));
  const pssEvery = Math.max(0, Math.floor(o.pssEvery ?? 10));
  const cg = (o.cgroupFiles ?? []).map(shQuote).join(' ');
  return [
    'LC_ALL=C; export LC_ALL',
    `cd /proc 2>/dev/null || { echo '${FRAME} error /proc is not mounted'; exit 3; }`,
    'n=0',
    'while :; do',
    // Builtins and one grep per frame: every fork is paid again each interval.
    '  read up rest < uptime',
    `  echo "${FRAME} frame $n $up"`,
    `  grep -aHE '${PATTERN}' meminfo pressure/memory vmstat [0-9]*/status [0-9]*/stat 2>/dev/null`,
    // PSS and oom_score (it follows the process's size) every Nth frame: costlier, and slower to change.
    ...(pssEvery > 0
      ? [`  if [ $((n % ${pssEvery})) -eq 0 ]; then grep -aH '^Pss:' [0-9]*/smaps_rollup 2>/dev/null; grep -aH '' [0-9]*/oom_score 2>/dev/null; fi`]
      : []),
    ...(cg ? [`  grep -H '' ${cg} 2>/dev/null`] : []),
    `  echo '${FRAME} done'`,
    '  n=$((n + 1))',
    ...(count > 0 ? [`  [ $n -ge ${count} ] && break`] : []),
    `  sleep ${seconds}`,
    'done',
    `echo '${FRAME} end'`,
    '',
  ].join('\n');
}
