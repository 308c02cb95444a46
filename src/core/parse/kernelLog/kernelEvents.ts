// Groups kernel OOM-killer lines into events. A report usually runs: "X invoked oom-killer" header,
// CPU/Pid line, call trace, Mem-Info, memcg lines, task table, oom-kill: summary, "Out of memory:
// Kill process"/"Killed process", oom_reaper. Excerpts start and end anywhere, reports are rate-
// limited (kill lines without headers), and tables of several events sit next to each other, so an
// event opens on any OOM-only fact and a second kill line always opens a new event.

import type { OomEvent, OomScope } from '../../model/oomEvent';
import { eventContainer } from '../containerFromCgroup';
import {
  lmkContinuation,
  parseKilled,
  parseLmkStart,
  parseMemcgStatsFor,
  parseMemcgUsage,
  parseOomKillSummary,
  parsePanic,
  parseReaper,
  parseSelect,
  parseTaskIn,
  parseTaskLine,
  parseTrigger,
  type LmkLine,
} from './killLines';
import { isRowStart, parseHeader, parseRow, type KernelHint, type Layout } from './taskTable';
import { blankEvent, blankVictim, fillTime, type Detector, type EventSink, type LineMeta } from './types';

/** Lines with nothing for an open event before it is considered over (task tables can be long). */
const STALE_LINES = 400;

export class KernelEventAssembler implements Detector {
  private cur: OomEvent | null = null;
  private anchored = false;
  private victimFromKill = false;
  private layout: Layout | null = null;
  private lastLayout: Layout | null = null;
  private hint: KernelHint = null;
  private statsPath: string | null = null;
  private lastLine = 0;
  private lmk: LmkLine | null = null;
  private lmkLines = 0;
  private rowErrors = 0;
  /** Recently closed kill events, for oom_reaper lines that arrive after the next event began. */
  private recent: OomEvent[] = [];
  /** The last report that had a header but no victim, for a panic that comes after a long Mem-Info. */
  private headerOnly: OomEvent | null = null;

  constructor(private readonly sink: EventSink) {}

  idle(): boolean {
    if (this.lmk) return false;
    if (!this.cur) return true;
    return this.victimFromKill || this.cur.kind === 'panic';
  }

  finish(): void {
    this.close();
  }

  line(text: string, meta: LineMeta): void {
    const cur = this.cur;
    if (cur && meta.first - this.lastLine > STALE_LINES) this.close();
    const c0 = text.charCodeAt(0);
    if (c0 === 91 /* [ */ && this.tableLine(text, meta)) return;
    if (c0 >= 48 && c0 <= 57 && this.dockerMacRow(text, meta)) return;
    if (c0 === 112 /* p */ && text.startsWith('pid ') && this.tableLine(text, meta)) return;
    if (this.lmk) {
      if (this.lmkLines < 6 && text.indexOf('lowmemorykiller: Kill') < 0 && lmkContinuation(this.lmk, text)) {
        this.lmkLines++;
        this.applyLmk(meta);
        return;
      }
      this.lmk = null;
    }
    if (text.indexOf('oom') >= 0) {
      if (text.indexOf('invoked oom-killer') >= 0 || text.startsWith('oom-killer: gfp_mask=')) return this.trigger(text, meta);
      if (text.indexOf('oom-kill:') >= 0) return this.summary(text, meta);
      if (text.indexOf('oom_reaper') >= 0) return this.reaper(text, meta);
    }
    if (c0 === 67 /* C */ || c0 === 80 /* P */) {
      if (text.startsWith('CPU: ') || text.startsWith('Pid: ')) return this.taskLine(text, meta);
    }
    if (text.indexOf('ill') >= 0) {
      if (text.indexOf('Killed process ') >= 0) return this.killed(text, meta);
      if (/[Kk]ill process /.test(text)) return this.select(text, meta);
      if (text.indexOf('lowmemorykiller: Kill') >= 0) return this.lmkStart(text, meta);
      if (text.startsWith('Task in ')) return this.taskIn(text, meta);
    }
    if (text.indexOf('emory') >= 0) {
      if (text.startsWith('memory: usage ')) return this.memcgUsage(text, meta);
      if (text.startsWith('Memory cgroup stats for ')) return this.statsFor(text, meta);
      if (text.indexOf('Out of memory and no killable processes') >= 0) return this.panic(text.trim(), meta, false);
    }
    if (text.indexOf('Kernel panic') >= 0) {
      const p = parsePanic(text);
      if (p) return this.panic(p, meta, true);
      return;
    }
    if (text.startsWith('Tasks state') || text.startsWith('Mem-Info:')) return this.fragment(meta);
    if (text.indexOf('Manual OOM execution') >= 0) {
      this.open('kill', meta, false);
      return;
    }
    if (this.cur && !this.victimFromKill && (text.startsWith('Free swap') || text.startsWith('Total swap'))) this.touch(meta);
  }

  // ---- event bookkeeping ----

  private open(kind: OomEvent['kind'], meta: LineMeta, anchored: boolean): OomEvent {
    this.close();
    this.headerOnly = null;
    const ev = blankEvent(kind, meta);
    this.cur = ev;
    this.anchored = false;
    this.victimFromKill = false;
    this.layout = null;
    this.hint = null;
    this.statsPath = null;
    this.rowErrors = 0;
    this.lastLine = meta.last;
    if (anchored) this.anchor();
    return ev;
  }

  /** The event has an OOM-only fact: it is real, emit it (it is still filled in afterwards). */
  private anchor(): void {
    if (this.cur && !this.anchored) {
      this.anchored = true;
      this.sink.emit(this.cur);
    }
  }

  private touch(meta: LineMeta): void {
    const ev = this.cur;
    if (!ev) return;
    if (meta.last > ev.lines.last) ev.lines.last = meta.last;
    this.lastLine = meta.last;
    fillTime(ev, meta);
  }

  /** Current event if it can still take facts of a kill report, else a new one. */
  private forKill(meta: LineMeta, ok: (ev: OomEvent) => boolean): OomEvent {
    const cur = this.cur;
    if (cur && !this.victimFromKill && cur.kind === 'kill' && ok(cur)) {
      this.touch(meta);
      return cur;
    }
    return this.open('kill', meta, false);
  }

  private close(): void {
    const ev = this.cur;
    if (!ev) return;
    this.cur = null;
    this.lmk = null;
    if (!this.anchored) return;
    if (ev.scope === null && ev.constraint) ev.scope = scopeOfConstraint(ev.constraint);
    const path = ev.taskMemcg ?? ev.memcg ?? this.statsPath;
    const c = eventContainer(path);
    if (c) ev.container = c;
    if (ev.victim) {
      this.recent.push(ev);
      if (this.recent.length > 32) this.recent.shift();
    }
    this.headerOnly = ev.kind === 'kill' && ev.trigger && !ev.victim && !ev.selected ? ev : null;
  }

  /**
   * Docker for Mac printed a row's "[ pid]" as a stamp ("[19417.000000]     0 19417 ..."): the
   * stamp's whole seconds are the pid. Only inside a table whose header was read.
   */
  private dockerMacRow(text: string, meta: LineMeta): boolean {
    const cur = this.cur;
    if (!cur || !this.layout || this.victimFromKill || cur.kind !== 'kill' || cur.victim !== null) return false;
    const up = meta.uptime;
    if (up === null || !Number.isInteger(up) || up <= 0) return false;
    if (!/^\d{1,10}\s+\d{1,10}\s+-?\d/.test(text)) return false;
    return this.tableLine(`[${up}] ${text}`, meta);
  }

  // ---- line kinds ----

  private trigger(text: string, meta: LineMeta): void {
    const t = parseTrigger(text);
    if (!t) return;
    const ev = this.open('kill', meta, true);
    ev.trigger = { comm: t.comm, pid: null, gfpMask: t.gfpMask, gfpFlags: t.gfpFlags, order: t.order, oomScoreAdj: t.oomScoreAdj };
    if (t.oomAdj !== null) {
      ev.trigger.oomAdj = t.oomAdj;
      this.hint = 'v26';
    }
  }

  private taskLine(text: string, meta: LineMeta): void {
    const ev = this.cur;
    if (!ev || !ev.trigger || ev.trigger.pid !== null || this.victimFromKill || meta.first - ev.lines.first > 8) return;
    const t = parseTaskLine(text);
    if (!t) return;
    ev.trigger.pid = t.pid;
    if (ev.trigger.comm === null) ev.trigger.comm = t.comm;
    if (t.uid !== null) ev.trigger.uid = t.uid;
    this.hint = text.startsWith('Pid: ') ? 'v26' : 'modern';
    this.touch(meta);
  }

  private select(text: string, meta: LineMeta): void {
    const s = parseSelect(text);
    if (!s) return;
    const ev = this.forKill(meta, (e) => e.selected === null && e.victim === null);
    ev.selected = { pid: s.pid, comm: s.comm, score: s.score };
    if (ev.scope === null && s.scope) ev.scope = s.scope;
    this.anchor();
  }

  private killed(text: string, meta: LineMeta): void {
    const k = parseKilled(text);
    if (!k) return;
    if (!k.complete) this.sink.warn(meta.first, 'kill line cut short: some of its sizes are missing');
    const ev = this.forKill(meta, (e) => e.victim === null || e.victim.pid === k.pid);
    const prev = ev.victim;
    ev.victim = {
      pid: k.pid,
      comm: k.comm ?? prev?.comm ?? null,
      uid: k.uid ?? prev?.uid ?? null,
      score: null,
      totalVmKb: k.totalVmKb,
      anonRssKb: k.anonRssKb,
      fileRssKb: k.fileRssKb,
      shmemRssKb: k.shmemRssKb,
      pgtablesKb: k.pgtablesKb,
      oomScoreAdj: k.oomScoreAdj,
    };
    if (ev.selected && ev.selected.pid === k.pid) {
      ev.victim.score = ev.selected.score;
      ev.selected = null;
    }
    if (ev.scope === null && k.scope) ev.scope = k.scope;
    this.victimFromKill = true;
    this.anchor();
  }

  private summary(text: string, meta: LineMeta): void {
    const s = parseOomKillSummary(text);
    if (!s) return;
    const ev = this.forKill(meta, (e) => e.constraint === null && e.victim === null);
    ev.constraint = s.constraint;
    ev.memcg = s.memcg;
    ev.taskMemcg = s.taskMemcg;
    if (s.constraint) ev.scope = scopeOfConstraint(s.constraint);
    else if (s.globalOom) ev.scope = 'system';
    if (!ev.victim && (s.pid !== null || s.task !== null)) {
      ev.victim = blankVictim(s.pid, s.task, s.uid);
    }
    this.anchor();
  }

  private reaper(text: string, meta: LineMeta): void {
    const r = parseReaper(text);
    if (!r) return;
    const reaped = { pid: r.pid, comm: r.comm, anonRssKb: r.anonRssKb, fileRssKb: r.fileRssKb, shmemRssKb: r.shmemRssKb };
    const match = (e: OomEvent | null): boolean => !!e && e.reaped === null && !!e.victim && e.victim.pid === r.pid;
    if (this.cur && this.anchored && match(this.cur)) {
      this.cur.reaped = reaped;
      this.touch(meta);
      return;
    }
    for (let i = this.recent.length - 1; i >= 0; i--) {
      const e = this.recent[i];
      if (match(e)) {
        e.reaped = reaped;
        if (meta.last > e.lines.last) e.lines.last = meta.last;
        return;
      }
    }
    // Reaped with no kill line in the input: the reaper only reaps OOM victims, so it is a kill.
    const ev = this.open('kill', meta, true);
    ev.victim = blankVictim(r.pid, r.comm);
    ev.reaped = reaped;
    this.victimFromKill = true;
  }

  private memcgUsage(text: string, meta: LineMeta): void {
    const u = parseMemcgUsage(text);
    if (!u) return;
    const ev = this.forKill(meta, (e) => e.memcgUsage === null && e.victim === null);
    ev.memcgUsage = u;
    if (ev.scope === null) ev.scope = 'memcg';
    this.anchor();
  }

  private taskIn(text: string, meta: LineMeta): void {
    const t = parseTaskIn(text);
    if (!t) return;
    const ev = this.forKill(meta, (e) => e.taskMemcg === null && e.victim === null);
    ev.taskMemcg = t.taskMemcg;
    ev.memcg = t.memcg;
    if (ev.scope === null) ev.scope = 'memcg';
    this.anchor();
  }

  private statsFor(text: string, meta: LineMeta): void {
    const p = parseMemcgStatsFor(text);
    if (!p) return;
    this.forKill(meta, (e) => e.victim === null);
    if (this.statsPath === null) this.statsPath = p;
  }

  private fragment(meta: LineMeta): void {
    this.forKill(meta, (e) => e.victim === null);
  }

  private panic(message: string, meta: LineMeta, kernelPanic: boolean): void {
    // "invoked oom-killer" came before a Mem-Info longer than STALE_LINES, which closed its event:
    // a panic with no victim is that report's end, not a report of its own.
    const held = this.headerOnly;
    if (!this.cur && held && held.panic === null && meta.first - held.lines.last < 20 * STALE_LINES) {
      this.headerOnly = null;
      held.kind = 'panic';
      held.panic = message;
      held.lines.last = meta.last;
      this.cur = held;
      this.anchored = true;
      this.victimFromKill = false;
      this.lastLine = meta.last;
      return;
    }
    let ev = this.cur;
    if (!ev || this.victimFromKill || (ev.kind !== 'kill' && ev.kind !== 'panic') || (ev.kind === 'panic' && ev.panic !== null && !kernelPanic)) {
      ev = this.open('panic', meta, false);
    } else {
      this.touch(meta);
    }
    ev.kind = 'panic';
    if (ev.panic === null || kernelPanic) ev.panic = message;
    this.anchor();
  }

  private lmkStart(text: string, meta: LineMeta): void {
    const l = parseLmkStart(text);
    if (!l) return;
    const ev = this.open('lowmemorykiller', meta, true);
    this.victimFromKill = true;
    this.lmk = l;
    this.lmkLines = 0;
    ev.victim = blankVictim(l.pid, l.comm, null, l.adj);
    this.applyLmk(meta);
  }

  private applyLmk(meta: LineMeta): void {
    const ev = this.cur;
    const l = this.lmk;
    if (!ev || !l) return;
    this.touch(meta);
    if (l.onBehalfComm !== null || l.onBehalfPid !== null) {
      ev.trigger = { comm: l.onBehalfComm, pid: l.onBehalfPid, gfpMask: null, gfpFlags: null, order: null, oomScoreAdj: null };
    }
    ev.lowMemoryKiller = { toFreeKb: l.toFreeKb, cacheKb: l.cacheKb, limitKb: l.limitKb, minOomScoreAdj: l.minAdj, freeKb: l.freeKb };
  }

  /** Task table header or row; false when the line is neither. */
  private tableLine(text: string, meta: LineMeta): boolean {
    const header = parseHeader(text);
    if (header) {
      this.forKill(meta, (e) => e.victim === null && e.tasks.length === 0);
      this.layout = header;
      this.lastLayout = header;
      return true;
    }
    if (!isRowStart(text)) return false;
    // Rows come before the oom-kill:/kill lines; a row after them starts another event's table.
    const inEvent = this.cur !== null && !this.victimFromKill && this.cur.kind === 'kill' && this.cur.victim === null;
    const r = parseRow(text, inEvent ? this.layout : null, inEvent ? this.hint : null, this.lastLayout);
    if (!r.task) {
      if (inEvent && this.layout && r.error && this.rowErrors++ < 20) this.sink.warn(meta.first, `task table row could not be read: ${r.error}`);
      return true;
    }
    const ev = inEvent ? this.cur! : this.open('kill', meta, false);
    if (!inEvent || !this.layout) {
      this.layout = r.layout;
      this.lastLayout = r.layout;
    }
    // A table is the host's processes (thousands at most); a paste that never ends stops growing it.
    if (ev.tasks.length < MAX_TASK_ROWS) ev.tasks.push(r.task);
    else ev.tasksOmitted = (ev.tasksOmitted ?? 0) + 1;
    this.touch(meta);
    return true;
  }
}

/** Task-table rows kept per event. */
export const MAX_TASK_ROWS = 20_000;

export function scopeOfConstraint(c: string): OomScope | null {
  switch (c) {
    case 'CONSTRAINT_NONE':
      return 'system';
    case 'CONSTRAINT_MEMCG':
      return 'memcg';
    case 'CONSTRAINT_CPUSET':
      return 'cpuset';
    case 'CONSTRAINT_MEMORY_POLICY':
      return 'mempolicy';
    default:
      return null;
  }
}
