// Kills by oomd (facebookincubator/oomd, Debian's 0.5.0 here), a userspace OOM killer that kills
// whole cgroups. Unlike the others it also writes each kill to the kernel log (/dev/kmsg), so a
// plain dmesg shows it. What it prints (its own log on stderr/journal, then the kmsg line):
//
//   [KillPressure-inl.h:87] Picked "workload.slice/app.scope" (812MB) based on pressure generation at 10s=63 60s=40
//   [BaseKillPlugin.cpp:429] Trying to kill /sys/fs/cgroup/workload.slice/app.scope
//   [BaseKillPlugin.cpp:478] Killed 2: 6582(app) 6590(worker)        ("[E1]" after a pid it failed to kill)
//   [Log.cpp:117] 63.10 40.02 9.87 workload.slice/app.scope 851443712 ruleset:[protection] detectorgroup:[pressure above 60] killer:kill_by_pressure v2
//   kernel log:  oomd kill: 63.10 40.02 9.87 workload.slice/app.scope 851443712 ruleset:[…] detectorgroup:[…] killer:kill_by_pressure v2
//
// One kill is one event: the summary line (either form) ends it, with the pids of the "Killed"
// line before it. "killer:(dry)…" and "In dry-run mode; would have tried to kill" are not kills.
// A "Killed" line with no summary after it (older oomd) still is one, emitted when the next round starts.

import type { OomEvent, UserspaceKill } from '../../model/oomEvent';
import { eventContainer } from '../containerFromCgroup';
import { int, num } from './numbers';
import { blankEvent, blankVictim, type Detector, type EventSink, type LineMeta } from './types';
import { blankKill, killerPidOf } from './userspaceKills';

/** oomd's own log prefix ("[BaseKillPlugin.cpp:478] "), and a journal tag when the reader left it. */
const SOURCE = /^(?:oomd(?:\[\d{1,10}\])?: )?\[[A-Za-z0-9_.-]{1,64}\.(?:cpp|h):\d{1,6}\] /;
const PF = String.raw`(\d{1,3}(?:\.\d{1,4})?)`;
const SUMMARY = new RegExp(String.raw`^(?:oomd kill: )?${PF} ${PF} ${PF} (\S{1,4096}) {1,2}(\d{1,20}) (.{0,2048}?)\s*$`);
const RULESET = /\bruleset:\[([^\]]{0,256})\]/;
const GROUP = /\bdetectorgroup:\[([^\]]{0,256})\]/;
const KILLER = /\bkiller:(\(dry\))?([A-Za-z0-9_]{1,64})/;
const KILLED = /^Killed (\d{1,9}): (.{0,8192})$/;
const PID_COMM = /(\d{1,10})\(([^()]{0,64}(?:\([^()]{0,64}\)[^()]{0,64})?)\)(\[E\d{1,4}\])?/g;
const PICKED = /^Picked "([^"]{1,4096})" \((\d{1,12})MB\) based on (.{1,256})$/;
const DRY = /^OOMD: In dry-run mode; would have tried to kill /;
/** A "Killed" line waits this many lines for its summary. */
const SUMMARY_LINES = 12;

/** What a kill plugin ("kill_by_pressure") or a "Picked … based on pressure …" reason says the kill was for. */
function reasonOf(text: string): UserspaceKill['reason'] {
  return /pressure/.test(text) ? 'memory-pressure' : /swap/.test(text) ? 'swap-used' : 'low-memory';
}

/** oomd prints cgroups relative to the cgroup root; events carry them as the kernel does, from "/". */
const rooted = (cgroup: string) => (cgroup.startsWith('/') ? cgroup : `/${cgroup}`);

interface Pending {
  pids: { pid: number; comm: string }[];
  killed: number | null;
  line: number;
  meta: LineMeta;
}

export class OomdKillDetector implements Detector {
  private picked: { cgroup: string; reason: string } | null = null;
  private pending: Pending | null = null;
  /** The last summary emitted: oomd's own log line and its kmsg copy in one input are one kill. */
  private last: { key: string; line: number; ev: OomEvent } | null = null;

  constructor(private readonly sink: EventSink) {}

  idle(): boolean {
    return this.pending === null;
  }

  finish(): void {
    this.settle();
  }

  line(rawText: string, meta: LineMeta): void {
    if (this.pending && meta.first - this.pending.line > SUMMARY_LINES) this.settle();
    let text = rawText.trim();
    // every line of every log comes here: the prefix is tried only where it can start ('[' or "oomd[")
    const c0 = text.charCodeAt(0);
    const src = c0 === 91 /* [ */ || c0 === 111 /* o */ ? SOURCE.exec(text) : null;
    const fromOomdLog = src !== null || meta.tag === 'oomd' || killerPidOf(meta.tag, 'oomd') !== null;
    if (src) text = text.slice(src[0].length);
    const c = text.charCodeAt(0);
    if (c === 111 /* o */ && text.startsWith('oomd kill: ')) return this.summary(text, meta);
    if (!fromOomdLog) return;
    if (c >= 48 && c <= 57) return this.summary(text, meta);
    if (c === 80 /* P */) {
      const p = PICKED.exec(text);
      if (p) {
        this.settle();
        this.picked = { cgroup: p[1], reason: p[3] };
      }
      return;
    }
    if (c === 75 /* K */) {
      const k = KILLED.exec(text);
      if (!k) return;
      const pids: Pending['pids'] = [];
      for (const m of k[2].matchAll(PID_COMM)) if (!m[3] && pids.length < 1000) pids.push({ pid: Number(m[1]), comm: m[2] });
      // oomd prints the line again for the same kill: keep the first
      if (this.pending && this.pending.killed === int(k[1]) && this.pending.pids[0]?.pid === pids[0]?.pid) return;
      this.settle();
      // a copy: the reader reuses one LineMeta for every line
      this.pending = { pids, killed: int(k[1]), line: meta.first, meta: { ...meta } };
      return;
    }
    if (c === 79 /* O */ && DRY.test(text)) {
      this.pending = null;
      this.picked = null;
    }
  }

  private summary(text: string, meta: LineMeta): void {
    const m = SUMMARY.exec(text);
    if (!m) return;
    const rest = m[6];
    const killer = KILLER.exec(rest);
    // "v2" lines carry ruleset/detectorgroup/killer; the older form has at least a killer
    if (!killer) return;
    const pending = this.pending;
    this.pending = null;
    const key = text.replace(/^oomd kill: /, '');
    if (this.last && this.last.key === key && meta.first - this.last.line <= 50) {
      // the same kill again (stderr + kmsg): fill in what the first copy lacked
      if (!this.last.ev.victim && pending?.pids.length) this.last.ev.victim = blankVictim(pending.pids[0].pid, pending.pids[0].comm);
      return;
    }
    if (killer[1]) {
      this.picked = null;
      return; // (dry): oomd would have killed, and did not
    }
    const plugin = killer[2];
    const u: UserspaceKill = blankKill('oomd', reasonOf(plugin), text, killerPidOf(meta.tag, 'oomd'));
    u.signal = 'SIGKILL';
    u.cgroup = rooted(m[4]);
    u.pressurePercent = num(m[1]);
    u.cgroupUsageBytes = int(m[5]);
    u.ruleset = RULESET.exec(rest)?.[1] ?? null;
    u.detectorGroup = GROUP.exec(rest)?.[1] ?? null;
    u.plugin = plugin;
    this.last = { key, line: meta.first, ev: this.emit(u, pending, meta) };
    this.picked = null;
  }

  /** A "Killed" line whose summary never came (older oomd, or a cut log). */
  private settle(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    const reason = this.picked ? reasonOf(this.picked.reason) : 'low-memory';
    const u = blankKill('oomd', reason, `Killed ${p.killed ?? '?'}: ${p.pids.map((x) => `${x.pid}(${x.comm})`).join(' ')}`, killerPidOf(p.meta.tag, 'oomd'));
    u.signal = 'SIGKILL';
    u.cgroup = this.picked ? rooted(this.picked.cgroup) : null;
    this.picked = null;
    this.emit(u, p, p.meta);
  }

  private emit(u: UserspaceKill, p: Pending | null, meta: LineMeta): OomEvent {
    const ev: OomEvent = blankEvent('userspace-kill', p && !meta.time && !meta.timeText && meta.uptime === null ? p.meta : meta);
    ev.scope = 'memcg';
    if (p) {
      u.processesKilled = p.killed;
      if (p.pids.length) ev.victim = blankVictim(p.pids[0].pid, p.pids[0].comm);
    }
    ev.taskMemcg = u.cgroup;
    ev.userspace = u;
    ev.container = eventContainer(u.cgroup);
    this.sink.emit(ev);
    return ev;
  }
}
