// The kernel OOM killer's one-line messages, across kernels 2.6 to 6.x. Each parser takes the
// message (stamps already stripped) and returns null when the line is not that message. Names are
// cut by position (the last ")" before the size fields), never by a regex over the name, because
// process names can hold spaces, slashes, colons, brackets and parentheses, or be one letter.

import { int, pastedInt } from './numbers';
import type { OomVictim } from '../../model/oomEvent';

const N = String.raw`(-?\d{1,3}(?:,\d{3})+(?!\d)|-?\d+)`;
/** A size field: separators, even misplaced ones, as a paste leaves them. */
const NK = String.raw`(-?\d[\d,]{0,30})`;
const KB = (name: string): RegExp => new RegExp(`${name}:\\s?${NK}\\s?kB`, 'i');
const TOTAL_VM = KB('total-vm');
const VSZ = KB('vsz');
const ANON = KB('anon-rss');
const FILE = KB('file-rss');
const SHMEM = KB('shmem-rss');
const PGTABLES = KB('pgtables');
const OSA_COLON = new RegExp(`oom_score_adj:\\s?${N}`);
const UID_ANY = new RegExp(`\\bUID[: ]\\s?${N}`, 'i');

export interface TriggerLine {
  comm: string | null;
  gfpMask: string | null;
  gfpFlags: string | null;
  order: number | null;
  oomScoreAdj: number | null;
  oomAdj: number | null;
}

/** "X invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0" and older forms. */
export function parseTrigger(text: string): TriggerLine | null {
  let at = text.indexOf('invoked oom-killer');
  let comm: string | null = null;
  let rest: string;
  if (at >= 0) {
    comm = text.slice(0, at).trim() || null;
    rest = text.slice(at + 18);
  } else {
    // 2.6.1x: "oom-killer: gfp_mask=0x201d2, order=0" with no task name.
    at = text.indexOf('oom-killer: gfp_mask=');
    if (at !== 0) return null;
    rest = text.slice(11);
  }
  const gfp = /gfp_mask=(0x[0-9a-fA-F]+)(?:\(([^)]{0,400})\))?/.exec(rest);
  const order = new RegExp(`order=${N}`).exec(rest);
  const osa = new RegExp(`oom_score_adj=${N}`).exec(rest);
  const adj = new RegExp(`oom_adj=${N}`).exec(rest);
  return {
    comm,
    gfpMask: gfp ? gfp[1] : null,
    gfpFlags: gfp && gfp[2] !== undefined && gfp[2] !== '' ? gfp[2] : null,
    order: order ? int(order[1]) : null,
    oomScoreAdj: osa ? int(osa[1]) : null,
    oomAdj: adj ? int(adj[1]) : null,
  };
}

/** "CPU: 40 PID: 40785 Comm: virt-launcher Tainted: ..." (6.x: "CPU: 1 UID: 104 PID: ...") or 2.6's "Pid: 1205, comm: rsyslogd Not tainted". */
export function parseTaskLine(text: string): { pid: number; comm: string | null; uid: number | null } | null {
  let m = /^CPU: ?\d+ (?:UID: (\d+) )?PID: (\d+) Comm: /.exec(text);
  let start: number;
  let uid: number | null = null;
  let pid: number | null;
  if (m) {
    uid = m[1] !== undefined ? int(m[1]) : null;
    pid = int(m[2]);
    start = m[0].length;
  } else {
    m = /^Pid: (\d+), comm: /.exec(text);
    if (!m) return null;
    pid = int(m[1]);
    start = m[0].length;
  }
  if (pid === null) return null;
  const rest = text.slice(start);
  let cut = rest.search(/ (?:Not tainted|Tainted:) /);
  if (cut < 0) cut = rest.search(/ (?:Not tainted|Tainted:)/);
  const comm = (cut >= 0 ? rest.slice(0, cut) : rest.split(' ')[0]).trim();
  return { pid, comm: comm || null, uid };
}

export interface SelectLine {
  pid: number | null;
  comm: string | null;
  score: number | null;
  scope: 'memcg' | 'system' | null;
}

/** "Out of memory: Kill process 40738 (mysqld) score 16 or sacrifice child" (and 2.6 "kill process ... or a child"). */
export function parseSelect(text: string): SelectLine | null {
  const lower = text.toLowerCase();
  const at = lower.indexOf('kill process ');
  if (at < 0) return null;
  const head = lower.slice(0, at);
  if (lower.indexOf('killed process') >= 0) return null;
  const m = new RegExp(`^kill process ${N}\\s?\\(`).exec(text.slice(at).toLowerCase());
  if (!m) return null;
  const nameStart = at + m[0].length;
  const scoreAt = text.lastIndexOf(') score ');
  let nameEnd = scoreAt >= nameStart ? scoreAt : text.lastIndexOf(')');
  if (nameEnd < nameStart) nameEnd = text.length;
  let score: number | null = null;
  if (scoreAt >= nameStart) {
    const s = new RegExp(`^\\) score ${N}`).exec(text.slice(scoreAt));
    if (s) score = int(s[1]);
  }
  return {
    pid: int(m[1]),
    comm: text.slice(nameStart, nameEnd) || null,
    score,
    scope: scopeOfPrefix(head),
  };
}

function scopeOfPrefix(head: string): 'memcg' | 'system' | null {
  if (head.indexOf('memory cgroup out of memory') >= 0) return 'memcg';
  if (head.indexOf('out of memory') >= 0) return 'system';
  return null;
}

/** A "Killed process" line: the victim's facts as the contract names them (no score here), and more. */
export interface KilledLine extends Omit<OomVictim, 'score'> {
  scope: 'memcg' | 'system' | null;
  /** The size fields were all found (the line is not cut short). */
  complete: boolean;
}

/**
 * "Killed process 3581527 (uwsgi) total-vm:517892kB, anon-rss:263092kB, file-rss:29128kB,
 * shmem-rss:0kB, UID:33 pgtables:740kB oom_score_adj:0", RHEL6's "Killed process 40738, UID 27,
 * (mysqld) total-vm:...", RHEL7's "Killed process 799153 (node), UID 1000, total-vm:...", and
 * 2.6's "Killed process 1234 (x) vsz:..kB, anon-rss:..kB, file-rss:..kB".
 */
export function parseKilled(text: string): KilledLine | null {
  const at = text.indexOf('Killed process ');
  if (at < 0) return null;
  const rest = text.slice(at + 15);
  const pm = new RegExp(`^${N}`).exec(rest);
  if (!pm) return null;
  const pid = int(pm[1]);
  let p = pm[0].length;
  let uid: number | null = null;
  const uidBefore = new RegExp(`^,?\\s?UID:?\\s?${N},?\\s?`, 'i').exec(rest.slice(p));
  if (uidBefore) {
    uid = int(uidBefore[1]);
    p += uidBefore[0].length;
  }
  while (rest.charCodeAt(p) === 32 || rest.charCodeAt(p) === 44) p++;
  // The kernel always prints "(name)" after the pid; "Killed process 55 with SIGKILL" is someone else.
  if (rest.charCodeAt(p) !== 40 /* ( */) return null;
  let comm: string | null;
  let tailStart: number;
  {
    const fieldsAt = firstOf(rest, p, ['total-vm:', 'vsz:']);
    const limit = fieldsAt >= 0 ? fieldsAt : rest.length;
    // RHEL7 puts ", UID N," between the name and the sizes: "(node), UID 1000, total-vm:".
    let close = rest.lastIndexOf('), UID', limit);
    if (close <= p) close = rest.lastIndexOf(')', limit - 1);
    if (close <= p) close = limit;
    comm = rest.slice(p + 1, close);
    tailStart = Math.min(close + 1, rest.length);
  }
  const tail = rest.slice(tailStart);
  if (uid === null) {
    const u = UID_ANY.exec(tail);
    if (u) uid = int(u[1]);
  }
  const num = (re: RegExp): number | null => {
    const m = re.exec(tail);
    return m ? pastedInt(m[1]) : null;
  };
  const totalVm = num(TOTAL_VM) ?? num(VSZ);
  const anon = num(ANON);
  const file = num(FILE);
  return {
    pid,
    comm: comm || null,
    uid,
    totalVmKb: totalVm,
    anonRssKb: anon,
    fileRssKb: file,
    shmemRssKb: num(SHMEM),
    pgtablesKb: num(PGTABLES),
    oomScoreAdj: num(OSA_COLON),
    scope: scopeOfPrefix(text.slice(0, at).toLowerCase()),
    complete: (totalVm !== null && anon !== null && file !== null) || /\)\.?$/.test(rest),
  };
}

function firstOf(s: string, from: number, needles: string[]): number {
  let best = -1;
  for (const n of needles) {
    const i = s.indexOf(n, from);
    if (i >= 0 && (best < 0 || i < best)) best = i;
  }
  return best;
}

export interface OomKillSummary {
  constraint: string | null;
  cpuset: string | null;
  memcg: string | null;
  taskMemcg: string | null;
  task: string | null;
  pid: number | null;
  uid: number | null;
  globalOom: boolean;
}

/** "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=...,mems_allowed=0,oom_memcg=/a,task_memcg=/a/b,task=x,pid=1,uid=0" (4.19+). */
export function parseOomKillSummary(text: string): OomKillSummary | null {
  const at = text.indexOf('oom-kill:');
  if (at < 0) return null;
  const s = ',' + text.slice(at + 9);
  // Values can hold commas (paths, names): cut at the known keys, searching from the end.
  const uidAt = s.lastIndexOf(',uid=');
  const pidAt = s.lastIndexOf(',pid=', uidAt >= 0 ? uidAt : s.length);
  const taskAt = s.lastIndexOf(',task=', pidAt >= 0 ? pidAt : s.length);
  const taskMemcgAt = s.lastIndexOf(',task_memcg=', taskAt >= 0 ? taskAt : s.length);
  const oomMemcgAt = s.lastIndexOf(',oom_memcg=', taskMemcgAt >= 0 ? taskMemcgAt : s.length);
  const val = (from: number, keyLen: number, to: number): string | null => {
    if (from < 0) return null;
    const end = to > from ? to : s.length;
    const v = s.slice(from + keyLen, end);
    return v === '' ? null : v;
  };
  const simple = (key: string): string | null => {
    const i = s.indexOf(',' + key + '=');
    if (i < 0) return null;
    const j = s.indexOf(',', i + key.length + 2);
    return s.slice(i + key.length + 2, j < 0 ? s.length : j) || null;
  };
  const firstKeyAfter = (i: number): number => {
    const cands = [oomMemcgAt, taskMemcgAt, taskAt, pidAt, uidAt].filter((x) => x > i);
    return cands.length ? Math.min(...cands) : s.length;
  };
  const uidText = uidAt >= 0 ? /^-?\d+/.exec(s.slice(uidAt + 5)) : null;
  const pidText = pidAt >= 0 ? /^-?\d+/.exec(s.slice(pidAt + 5)) : null;
  return {
    constraint: simple('constraint'),
    cpuset: simple('cpuset'),
    memcg: oomMemcgAt >= 0 ? val(oomMemcgAt, 11, firstKeyAfter(oomMemcgAt)) : null,
    taskMemcg: taskMemcgAt >= 0 ? val(taskMemcgAt, 12, firstKeyAfter(taskMemcgAt)) : null,
    task: taskAt >= 0 ? val(taskAt, 6, firstKeyAfter(taskAt)) : null,
    pid: pidText ? int(pidText[0]) : null,
    uid: uidText ? int(uidText[0]) : null,
    globalOom: s.indexOf(',global_oom') >= 0,
  };
}

/** "oom_reaper: reaped process 4254 (python3), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB". */
export function parseReaper(
  text: string,
): { pid: number | null; comm: string | null; anonRssKb: number | null; fileRssKb: number | null; shmemRssKb: number | null } | null {
  const at = text.indexOf('reaped process ');
  if (at < 0 || text.indexOf('oom_reaper') < 0) return null;
  const rest = text.slice(at + 15);
  const pm = new RegExp(`^${N}\\s?\\(`).exec(rest);
  if (!pm) return null;
  const nowAt = rest.lastIndexOf('), now');
  const close = nowAt >= 0 ? nowAt : rest.lastIndexOf(')');
  const comm = close >= pm[0].length ? rest.slice(pm[0].length, close) : null;
  const tail = close >= 0 ? rest.slice(close) : '';
  const num = (re: RegExp): number | null => {
    const m = re.exec(tail);
    return m ? pastedInt(m[1]) : null;
  };
  return { pid: int(pm[1]), comm: comm || null, anonRssKb: num(ANON), fileRssKb: num(FILE), shmemRssKb: num(SHMEM) };
}

/** "memory: usage 65536kB, limit 65536kB, failcnt 36" (cgroup v1 and v2 memcg OOM info). */
export function parseMemcgUsage(text: string): { usageKb: number | null; limitKb: number | null; failcnt: number | null } | null {
  const m = new RegExp(`^memory: usage ${N}kB, limit ${N}kB, failcnt ${N}`).exec(text);
  if (!m) return null;
  return { usageKb: int(m[1]), limitKb: int(m[2]), failcnt: int(m[3]) };
}

/** "Task in /a/b killed as a result of limit of /a" (3.x-4.x memcg OOM). */
export function parseTaskIn(text: string): { taskMemcg: string; memcg: string } | null {
  if (!text.startsWith('Task in ')) return null;
  const at = text.indexOf(' killed as a result of limit of ');
  if (at < 0) return null;
  return { taskMemcg: text.slice(8, at), memcg: text.slice(at + 32).trim() };
}

/** "Memory cgroup stats for /a/b:" (memcg OOM dump, first is the OOM memcg's hierarchy). */
export function parseMemcgStatsFor(text: string): string | null {
  if (!text.startsWith('Memory cgroup stats for ')) return null;
  const rest = text.slice(24);
  const colon = rest.indexOf(':');
  const path = (colon >= 0 ? rest.slice(0, colon) : rest).trim();
  return path || null;
}

/** An OOM-related kernel panic line; returns the message to keep, or null. */
export function parsePanic(text: string): string | null {
  const at = text.indexOf('Kernel panic - not syncing:');
  if (at < 0) return null;
  const msg = text.slice(at).trim();
  const tail = msg.slice(27).toLowerCase();
  if (tail.indexOf('out of memory') >= 0 || tail.indexOf('deadlocked on memory') >= 0 || tail.indexOf('panic_on_oom') >= 0 || tail.indexOf('oom') >= 0) {
    return msg;
  }
  return null;
}

export interface LmkLine {
  comm: string | null;
  pid: number | null;
  adj: number | null;
  toFreeKb: number | null;
  onBehalfComm: string | null;
  onBehalfPid: number | null;
  cacheKb: number | null;
  limitKb: number | null;
  minAdj: number | null;
  freeKb: number | null;
}

/** "lowmemorykiller: Killing 'd.play.games.ui' (2613), adj 1000," (the record may continue on more lines). */
export function parseLmkStart(text: string): LmkLine | null {
  const at = text.indexOf('lowmemorykiller: Kill');
  if (at < 0) return null;
  const rest = text.slice(at + 21);
  const q1 = rest.indexOf("'");
  if (q1 < 0 || q1 > 8) return null;
  const pidAt = rest.search(/' \((\d+)\)/);
  if (pidAt < q1) return null;
  const comm = rest.slice(q1 + 1, pidAt);
  const pm = /^' \((\d+)\)/.exec(rest.slice(pidAt));
  const lmk: LmkLine = {
    comm: comm || null,
    pid: pm ? int(pm[1]) : null,
    adj: null,
    toFreeKb: null,
    onBehalfComm: null,
    onBehalfPid: null,
    cacheKb: null,
    limitKb: null,
    minAdj: null,
    freeKb: null,
  };
  const tail = pm ? rest.slice(pidAt + pm[0].length) : '';
  const adj = new RegExp(`(?:^|[ ,])(?:adj|oom_score_adj|oom_adj) ${N}`).exec(tail);
  if (adj) lmk.adj = int(adj[1]);
  lmkContinuation(lmk, tail);
  return lmk;
}

/** Folds the continuation parts of a lowmemorykiller record ("to free ...", "cache ...", "Free memory ..."). */
export function lmkContinuation(lmk: LmkLine, text: string): boolean {
  let hit = false;
  const free = new RegExp(`to free ${N}kB(?: on behalf of '([^']{0,64})' \\((\\d+)\\))?`).exec(text);
  if (free) {
    lmk.toFreeKb = int(free[1]);
    if (free[2] !== undefined) lmk.onBehalfComm = free[2];
    if (free[3] !== undefined) lmk.onBehalfPid = int(free[3]);
    hit = true;
  }
  const cache = new RegExp(`cache ${N}kB is below limit ${N}kB for (?:oom_score_adj|oom_adj) ${N}`).exec(text);
  if (cache) {
    lmk.cacheKb = int(cache[1]);
    lmk.limitKb = int(cache[2]);
    lmk.minAdj = int(cache[3]);
    hit = true;
  }
  const fm = new RegExp(`Free memory is ${N}kB above reserved`).exec(text);
  if (fm) {
    lmk.freeKb = int(fm[1]);
    hit = true;
  }
  return hit;
}
