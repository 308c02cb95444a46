// Pure parsers for small /proc files: meminfo, pressure, status values, passwd, cgroup lines.
import type { MemoryInfo, Pressure } from '../model/report';

/** "12345 kB" -> 12345; anything unreadable -> null (never 0). */
export function kb(value: string | undefined | null): number | null {
  if (value == null) return null;
  const m = /^\s*(\d+)(?:\s*kB)?\s*$/i.exec(value);
  return m ? Number(m[1]) : null;
}

export function int(value: string | undefined | null): number | null {
  if (value == null) return null;
  const m = /^\s*(-?\d+)\s*$/.exec(value);
  return m ? Number(m[1]) : null;
}

/** /proc/meminfo lines -> key -> kB. */
export function parseMeminfoLines(lines: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of lines) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

export function memoryInfo(mem: Map<string, number>): MemoryInfo {
  const g = (k: string) => mem.get(k) ?? null;
  return {
    totalKb: g('MemTotal'),
    availableKb: g('MemAvailable'),
    freeKb: g('MemFree'),
    buffersKb: g('Buffers'),
    cachedKb: g('Cached'),
    shmemKb: g('Shmem'),
    slabUnreclaimKb: g('SUnreclaim'),
    committedAsKb: g('Committed_AS'),
    commitLimitKb: g('CommitLimit'),
    swapTotalKb: g('SwapTotal'),
    swapFreeKb: g('SwapFree'),
  };
}

/** /proc/pressure/memory: "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" and a "full" line. */
export function parsePressure(lines: string[] | undefined): Pressure | null {
  if (!lines || lines.length === 0) return null;
  const read = (kind: string, key: string) => {
    const line = lines.find((l) => l.startsWith(kind + ' '));
    const m = line ? new RegExp(`${key}=([0-9.]+)`).exec(line) : null;
    return m ? Number(m[1]) : null;
  };
  const some10 = read('some', 'avg10');
  if (some10 === null) return null;
  return { someAvg10: some10, someAvg60: read('some', 'avg60') ?? 0, fullAvg10: read('full', 'avg10') ?? 0, fullAvg60: read('full', 'avg60') ?? 0 };
}

/** /etc/passwd lines -> uid -> user name. */
export function parsePasswd(lines: string[] | undefined): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of lines ?? []) {
    const f = line.split(':');
    if (f.length >= 3 && /^\d+$/.test(f[2])) out.set(Number(f[2]), f[0]);
  }
  return out;
}

/** The memory cgroup of a process from /proc/PID/cgroup lines: v1 "N:memory:/p", else v2 "0::/p". */
export function memoryCgroupOf(lines: string[]): { path: string; version: 1 | 2 } | null {
  for (const line of lines) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (m && m[1].split(',').includes('memory')) return { path: m[2], version: 1 };
  }
  for (const line of lines) {
    const m = /^0::(.*)$/.exec(line);
    if (m) return { path: m[1], version: 2 };
  }
  return null;
}
