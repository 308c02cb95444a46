// Memory cgroups (v1 and v2) from the control files the collector read, keyed by cgroup path
// relative to its hierarchy's mount point (the form /proc/PID/cgroup and the kernel log use).
import type { CgroupInfo } from '../model/report';

/** v1 reports "no limit" as a page-rounded LONG_MAX; anything this large means unlimited. */
const UNLIMITED_BYTES = 2 ** 60;

export interface CgroupMount {
  mountPoint: string;
  version: 1 | 2;
}

/** cgroup mounts from /proc/self/mounts lines ("cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0"). */
export function parseCgroupMounts(lines: string[] | undefined): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of lines ?? []) {
    const f = line.split(' ');
    if (f.length < 4) continue;
    if (f[2] === 'cgroup2') out.push({ mountPoint: f[1], version: 2 });
    else if (f[2] === 'cgroup' && f[3].split(',').includes('memory')) out.push({ mountPoint: f[1], version: 1 });
  }
  return out;
}

function bytesToKb(s: string | undefined): number | null {
  if (s == null) return null;
  const v = s.trim();
  if (v === 'max') return null;
  if (!/^\d+$/.test(v)) return null;
  const n = Number(v);
  return n >= UNLIMITED_BYTES ? null : Math.round(n / 1024);
}

function keyed(lines: string[] | undefined, key: string): number | null {
  for (const l of lines ?? []) {
    const m = /^(\S+)\s+(\d+)$/.exec(l.trim());
    if (m && m[1] === key) return Number(m[2]);
  }
  return null;
}

/** The mount that holds `dir` (longest mount point first, so /sys/fs/cgroup/memory wins over /sys/fs/cgroup). */
function mountOf(dir: string, mounts: CgroupMount[]): CgroupMount | undefined {
  return [...mounts].sort((a, b) => b.mountPoint.length - a.mountPoint.length).find((m) => dir === m.mountPoint || dir.startsWith(m.mountPoint + '/'));
}

/** A cgroup directory's path relative to its hierarchy (the form /proc/PID/cgroup uses). */
export function relativeCgroupPath(dir: string, mounts: CgroupMount[]): string {
  const mount = mountOf(dir, mounts);
  return mount ? dir.slice(mount.mountPoint.length) || '/' : dir;
}

export function buildCgroups(files: Map<string, string[]>, mounts: CgroupMount[]): CgroupInfo[] {
  const dirs = new Map<string, Map<string, string[]>>();
  for (const [path, lines] of files) {
    const slash = path.lastIndexOf('/');
    const dir = path.slice(0, slash);
    const m = dirs.get(dir) ?? new Map<string, string[]>();
    m.set(path.slice(slash + 1), lines);
    dirs.set(dir, m);
  }
  const out: CgroupInfo[] = [];
  for (const [dir, f] of dirs) {
    const mount = mountOf(dir, mounts);
    const version: 1 | 2 = mount ? mount.version : f.has('memory.limit_in_bytes') ? 1 : 2;
    if (version === 1 && !f.has('memory.limit_in_bytes')) continue;
    if (version === 2 && !f.has('memory.current')) continue;
    const rel = relativeCgroupPath(dir, mounts);
    const one = (name: string) => f.get(name)?.[0];
    if (version === 1) {
      out.push({
        path: rel,
        version,
        limitKb: bytesToKb(one('memory.limit_in_bytes')),
        usageKb: bytesToKb(one('memory.usage_in_bytes')),
        peakKb: bytesToKb(one('memory.max_usage_in_bytes')),
        oomKills: keyed(f.get('memory.oom_control'), 'oom_kill'),
        failcnt: one('memory.failcnt') != null && /^\d+$/.test(one('memory.failcnt')!.trim()) ? Number(one('memory.failcnt')) : null,
      });
    } else {
      out.push({
        path: rel,
        version,
        limitKb: bytesToKb(one('memory.max')),
        usageKb: bytesToKb(one('memory.current')),
        peakKb: bytesToKb(one('memory.peak')),
        oomKills: keyed(f.get('memory.events'), 'oom_kill'),
        failcnt: keyed(f.get('memory.events'), 'max'),
      });
    }
  }
  // Plain code-unit order: the first localeCompare loads ICU collation (~20 ms of a snapshot).
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
