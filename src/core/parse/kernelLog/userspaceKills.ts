// Kills by the userspace OOM killers, systemd-oomd and earlyoom: they act before the kernel's OOM
// killer would, so their victims never get a "Killed process" line. What each prints:
//
// systemd-oomd (oomd-manager.c; "Marked … for killing" since v257, "Killed …" before):
//   Killed <cgroup> due to memory pressure for <monitored> being 62.13% > 50.00% for > 20s with reclaim activity
//   Killed <cgroup> due to memory used (M) / total (T) and swap used (S) / total (T) being more than 90.00%
//   Killed <cgroup> due to swap used (S) / total (T) being more than 90.00%            (v248-v249)
//   then systemd: "<unit>: systemd-oomd killed 12 process(es) in this unit."
// earlyoom (v1.x, on stderr, or in the journal as earlyoom[pid]):
//   mem avail: 1234 of 7820 MiB (15.78%), swap free: 0 of 0 MiB ( 0.00%)
//   low memory! at or below SIGTERM limits: mem 10.00%, swap 10.00%
//   sending SIGTERM to process 1234 uid 1000 "firefox": badness 700, VmRSS 2100 MiB
//   process exited after 0.3 seconds
// A "sending" line is a kill only if the next earlyoom line does not say "dryrun, not actually
// sending any signal" (--dryrun) or "kill failed", so it is held until that line (or the end).

import type { OomEvent, UserspaceKill } from '../../model/oomEvent';
import { eventContainer } from '../containerFromCgroup';
import { int, num } from './numbers';
import { blankEvent, blankVictim, type Detector, type EventSink, type LineMeta } from './types';

/** The daemon's own tag when the prefix reader left it on the line (dmesg-stamped journal, `journalctl -o cat` of several units). */
const TAG = /^(systemd-oomd|earlyoom)(?:\[(\d{1,10})\])?: /;
const OOMD_KILL = /^(?:Killed (\S{1,4096}) due to |Marked (\S{1,4096}) for killing due to )/;
const PRESSURE = /^memory pressure for (\S{1,4096}) being (\d{1,3}(?:\.\d{1,4})?)% > (\d{1,3}(?:\.\d{1,4})?)% for > (.{1,64}?) with reclaim activity/;
const MEM_AND_SWAP =
  /^memory used \(([\d,]{1,30})\) \/ total \(([\d,]{1,30})\) and swap used \(([\d,]{1,30})\) \/ total \(([\d,]{1,30})\) being more than (\d{1,3}(?:\.\d{1,4})?)%/;
const SWAP_ONLY = /^swap used \(([\d,]{1,30})\) \/ total \(([\d,]{1,30})\) being more than (\d{1,3}(?:\.\d{1,4})?)%/;
const UNIT_KILLED = /^(?:systemd\[\d{1,10}\]: )?(\S{1,512}): systemd-oomd killed (\d{1,9}) process\(es\) in this unit/;

const SENDING = /^sending (SIG[A-Z]{2,8}) to process (\d{1,10})(?: uid (\d{1,10}))? "/;
const BADNESS = /^": badness (-?\d{1,6}), VmRSS (\d{1,12}) MiB/;
const LIMITS = /^low memory! at or below (SIG[A-Z]{2,8}) limits: mem\s{0,3}(\d{1,3}(?:\.\d{1,4})?)\s?%, swap\s{0,3}(\d{1,3}(?:\.\d{1,4})?)\s?%/;
const MEM_AVAIL = /^mem avail:.{0,40}?\(\s{0,3}(\d{1,3}(?:\.\d{1,4})?)\s?%\)(?:, swap free:.{0,40}?\(\s{0,3}(\d{1,3}(?:\.\d{1,4})?)\s?%\))?/;
const EXITED = /^process exited after (\d{1,6}(?:\.\d{1,3})?) seconds/;
const ESCALATING = /^escalating to (SIG[A-Z]{2,8})/;

/** An earlyoom kill line waits this many lines for the line that says whether it was real. */
const PENDING_LINES = 50;

/** systemd time span as oomd prints it ("20s", "1min 30s", "500ms"), in seconds; null if not one. */
export function parseTimespan(text: string): number | null {
  const units: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, sec: 1, min: 60, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  let any = false;
  for (const part of text.trim().split(/\s+/)) {
    const m = /^(\d{1,9}(?:\.\d{1,6})?)(us|ms|s|sec|min|m|h|d|w)$/.exec(part);
    if (!m) return null;
    total += Number(m[1]) * units[m[2]];
    any = true;
  }
  return any ? Math.round(total * 1e6) / 1e6 : null;
}

export function blankKill(killer: UserspaceKill['killer'], reason: UserspaceKill['reason'], message: string, killerPid: number | null): UserspaceKill {
  return {
    killer,
    killerPid,
    reason,
    signal: null,
    cgroup: null,
    monitoredCgroup: null,
    pressurePercent: null,
    pressureLimitPercent: null,
    pressureDurationSeconds: null,
    memoryUsedBytes: null,
    memoryTotalBytes: null,
    swapUsedBytes: null,
    swapTotalBytes: null,
    usedLimitPercent: null,
    memLimitPercent: null,
    swapLimitPercent: null,
    memAvailablePercent: null,
    swapFreePercent: null,
    badness: null,
    vmRssKb: null,
    exitedAfterSeconds: null,
    processesKilled: null,
    message,
  };
}

/** The killer daemon's pid: from the tag left on the line, else from the prefix's tag when it names one of `names`. */
export function killerPidOf(tag: string | null | undefined, names: string | string[], fromText?: string): number | null {
  if (fromText !== undefined) return int(fromText);
  if (!tag) return null;
  const m = /^([^[\s]{1,80})\[(\d{1,10})\]$/.exec(tag);
  return m && (typeof names === 'string' ? m[1] === names : names.includes(m[1])) ? int(m[2]) : null;
}

export class UserspaceKillDetector implements Detector {
  /** earlyoom printed "dryrun mode enabled": its "sending" lines are not kills until it restarts. */
  private dryrun = false;
  private memAvail: number | null = null;
  private swapFree: number | null = null;
  private limits: { signal: string; mem: number | null; swap: number | null } | null = null;
  private pending: OomEvent | null = null;
  private pendingLine = 0;
  /** The last earlyoom kill, for the "process exited"/"escalating" lines after it. */
  private lastEarlyoom: OomEvent | null = null;
  /** Recent oomd kills, for systemd's "N process(es)" line that names the unit. */
  private recentOomd: OomEvent[] = [];

  constructor(private readonly sink: EventSink) {}

  idle(): boolean {
    return this.pending === null;
  }

  finish(): void {
    // A kill line at the very end: nothing said it was a dry run.
    this.settle();
  }

  line(rawText: string, meta: LineMeta): void {
    if (this.pending && meta.first - this.pendingLine > PENDING_LINES) this.settle();
    let text = rawText;
    let tagName: string | null = null;
    let tagPid: string | undefined;
    const c0 = text.charCodeAt(0);
    if (c0 === 115 /* s */ || c0 === 101 /* e */) {
      const t = TAG.exec(text);
      if (t) {
        tagName = t[1];
        tagPid = t[2];
        text = text.slice(t[0].length);
      }
    }
    const c = text.charCodeAt(0);
    if (c === 75 /* K */ || c === 77 /* M */) {
      if (this.oomd(text, meta, tagPid)) return;
    }
    if (text.indexOf('systemd-oomd killed ') > 0) {
      this.unitKilled(text);
      return;
    }
    if (tagName === 'systemd-oomd') return;
    this.earlyoom(text, meta, tagPid);
  }

  private oomd(text: string, meta: LineMeta, tagPid: string | undefined): boolean {
    const k = OOMD_KILL.exec(text);
    if (!k) return false;
    const cgroup = k[1] ?? k[2];
    const rest = text.slice(k[0].length);
    let u: UserspaceKill | null = null;
    const killerPid = killerPidOf(meta.tag, 'systemd-oomd', tagPid);
    const p = PRESSURE.exec(rest);
    if (p) {
      u = blankKill('systemd-oomd', 'memory-pressure', text, killerPid);
      u.monitoredCgroup = p[1];
      u.pressurePercent = num(p[2]);
      u.pressureLimitPercent = num(p[3]);
      u.pressureDurationSeconds = parseTimespan(p[4]);
    } else {
      const ms = MEM_AND_SWAP.exec(rest);
      const so = ms ? null : SWAP_ONLY.exec(rest);
      if (ms) {
        u = blankKill('systemd-oomd', 'swap-used', text, killerPid);
        u.memoryUsedBytes = int(ms[1].replace(/,/g, ''));
        u.memoryTotalBytes = int(ms[2].replace(/,/g, ''));
        u.swapUsedBytes = int(ms[3].replace(/,/g, ''));
        u.swapTotalBytes = int(ms[4].replace(/,/g, ''));
        u.usedLimitPercent = num(ms[5]);
      } else if (so) {
        u = blankKill('systemd-oomd', 'swap-used', text, killerPid);
        u.swapUsedBytes = int(so[1].replace(/,/g, ''));
        u.swapTotalBytes = int(so[2].replace(/,/g, ''));
        u.usedLimitPercent = num(so[3]);
      }
    }
    // Another program's "Killed /x due to …": not oomd's wording, not a kill we can read.
    if (!u) return false;
    u.signal = 'SIGKILL';
    u.cgroup = cgroup;
    const ev = blankEvent('userspace-kill', meta);
    ev.scope = u.reason === 'memory-pressure' ? 'memcg' : 'system';
    ev.taskMemcg = cgroup;
    ev.memcg = u.monitoredCgroup;
    ev.userspace = u;
    ev.container = eventContainer(cgroup);
    this.sink.emit(ev);
    this.recentOomd.push(ev);
    if (this.recentOomd.length > 16) this.recentOomd.shift();
    return true;
  }

  private unitKilled(text: string): void {
    const m = UNIT_KILLED.exec(text);
    if (!m) return;
    for (let i = this.recentOomd.length - 1; i >= 0; i--) {
      const ev = this.recentOomd[i];
      const cg = ev.userspace?.cgroup ?? '';
      if (ev.userspace && ev.userspace.processesKilled === null && (cg === m[1] || cg.endsWith('/' + m[1]))) {
        ev.userspace.processesKilled = int(m[2]);
        return;
      }
    }
  }

  private earlyoom(text: string, meta: LineMeta, tagPid: string | undefined): void {
    const c = text.charCodeAt(0);
    if (c === 115 /* s */ && text.startsWith('sending ')) return this.sending(text, meta, tagPid);
    if (c === 100 /* d */) {
      if (text.startsWith('dryrun, not actually sending')) this.drop();
      else if (text.startsWith('dryrun mode enabled')) this.dryrun = true;
      return;
    }
    if (c === 112 /* p */) {
      const e = EXITED.exec(text);
      if (e) {
        const ev = this.settle() ?? this.lastEarlyoom;
        if (ev?.userspace && ev.userspace.exitedAfterSeconds === null) ev.userspace.exitedAfterSeconds = num(e[1]);
      }
      return;
    }
    if (c === 101 /* e */) {
      if (text.startsWith('earlyoom v')) {
        this.settle();
        this.dryrun = false;
        this.limits = null;
        return;
      }
      const e = ESCALATING.exec(text);
      if (e) {
        const ev = this.settle() ?? this.lastEarlyoom;
        if (ev?.userspace) ev.userspace.signal = e[1];
      }
      return;
    }
    if (c === 107 /* k */ && text.startsWith('kill failed')) {
      this.sink.warn(meta.first, `earlyoom could not kill the process it chose: ${text}`);
      this.drop();
      return;
    }
    if (c === 108 /* l */) {
      const l = LIMITS.exec(text);
      if (l) this.limits = { signal: l[1], mem: num(l[2]), swap: num(l[3]) };
      return;
    }
    if (c === 109 /* m */) {
      const a = MEM_AVAIL.exec(text);
      if (a) {
        this.memAvail = num(a[1]);
        this.swapFree = a[2] !== undefined ? num(a[2]) : null;
      }
    }
  }

  private sending(text: string, meta: LineMeta, tagPid: string | undefined): void {
    const s = SENDING.exec(text);
    if (!s) return;
    // The name is quoted but may itself hold quotes: it ends at the last `": badness`.
    const nameStart = s[0].length;
    const end = text.lastIndexOf('": badness ');
    if (end < nameStart) return;
    const b = BADNESS.exec(text.slice(end));
    this.settle();
    const u = blankKill('earlyoom', 'low-memory', text, killerPidOf(meta.tag, 'earlyoom', tagPid));
    u.signal = s[1];
    if (this.limits) {
      u.memLimitPercent = this.limits.mem;
      u.swapLimitPercent = this.limits.swap;
    }
    u.memAvailablePercent = this.memAvail;
    u.swapFreePercent = this.swapFree;
    if (b) {
      u.badness = int(b[1]);
      const mib = int(b[2]);
      u.vmRssKb = mib === null ? null : mib * 1024;
    }
    const ev = blankEvent('userspace-kill', meta);
    ev.scope = 'system';
    ev.victim = blankVictim(int(s[2]), text.slice(nameStart, end) || null, s[3] !== undefined ? int(s[3]) : null);
    ev.userspace = u;
    this.limits = null;
    if (this.dryrun) return; // --dryrun said so at start: nothing is sent
    this.pending = ev;
    this.pendingLine = meta.first;
  }

  /** Emits the held kill (nothing said it was a dry run) and returns it. */
  private settle(): OomEvent | null {
    const ev = this.pending;
    if (!ev) return null;
    this.pending = null;
    this.sink.emit(ev);
    this.lastEarlyoom = ev;
    return ev;
  }

  private drop(): void {
    this.pending = null;
  }
}
