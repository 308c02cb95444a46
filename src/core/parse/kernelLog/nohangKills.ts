// Kills by nohang (hakavlad/nohang, and nohang-desktop), another userspace OOM killer. Its kills
// are never in the kernel log. Its wording changed between releases; all of these are read:
//
//   Memory status that requires corrective actions:
//     MemAvailable [383 MiB, 5.0 %] <= soft_threshold_min_mem [384 MiB, 5.0 %]
//     SwapFree [104 MiB, 5.1 %] <= soft_threshold_min_swap [205 MiB, 10.0 %]   ("[0 MiB, - %]" without swap)
//   (or: PSI avg (92.25) > sigterm_psi_threshold (90.0))
//   Process with highest badness (found in 6 ms):          v0.1; v0.2: "…; process with highest badness:"
//     PID: 12297, Name: tail, badness: 727
//   Victim status (found in 3 ms):                          v0.2, either
//     Name: tail / PID: 24044 / VmRSS: 10432 MiB (Anon: …)   one field a line, or (Debian's 0.2.0)
//     PID: 2, name: tail, state: S (sleeping), …  /  Vm, MiB: Size: 4, RSS: 3 (Anon: 2, …), Swap: 0
//   Implement a corrective action:          (0.2.0: "Implementing a corrective action:")
//     Send SIGTERM to the victim; …         (0.2.0: "Sending SIGTERM to the victim")
//     (or: Run the command: kill -TERM 12297 / Executing the command: …)
//   The victim died in 0.041 sec            (0.2.0: "The victim died in 0.041s" / "became a zombie in 0.01s")
//
// Only the lines right after "Implement(ing) a corrective action:" are kills: the statistics
// ("Send SIGTERM to tail: 1", "[ OK ] Sending SIGTERM to tail: 1") are counters, and
// "badness (…) < min_badness (…); nothing to do" rounds are not kills at all.

import type { OomEvent, UserspaceKill } from '../../model/oomEvent';
import { int, num } from './numbers';
import { blankEvent, blankVictim, type Detector, type EventSink, type LineMeta } from './types';
import { blankKill, killerPidOf } from './userspaceKills';

const NOHANG_NAMES = ['nohang', 'nohang-desktop'];
const TAG = /^(nohang(?:-desktop)?)(?:\[(\d{1,10})\])?: /;
// "- %" when there is no swap: a percent that is not one
const PCT = String.raw`(\d{1,3}(?:\.\d{1,4})?|-) ?%`;
const MEM_STATUS = new RegExp(
  String.raw`^MemAvailable \[\d{1,12}(?:\.\d{1,3})? MiB, ${PCT}\] <= (?:soft|hard)_threshold_min_mem \[\d{1,12}(?:\.\d{1,3})? MiB, ${PCT}\]`,
);
const SWAP_STATUS = new RegExp(
  String.raw`^SwapFree \[\d{1,12}(?:\.\d{1,3})? MiB, ${PCT}\] <= (?:soft|hard)_threshold_min_swap \[\d{1,12}(?:\.\d{1,3})? MiB, ${PCT}\]`,
);
const PSI = /^PSI avg \((\d{1,3}(?:\.\d{1,4})?)\) > sig(?:term|kill)_psi_threshold \((\d{1,3}(?:\.\d{1,4})?)\)/;
const HIGHEST = /^PID: (\d{1,10}), [Nn]ame: (.{1,256}?), badness: (-?\d{1,6})\s*$/;
const STATUS_PID_NAME = /^PID: {1,12}(\d{1,10}), name: (.{1,256}?), state: /;
const STATUS_VM = /^Vm, MiB: {0,12}Size: \d{1,12}, RSS: (\d{1,12})\b/;
const VICTIM_NAME = /^Name: {1,12}(.{1,256}?)\s*$/;
const VICTIM_PID = /^PID: {1,12}(\d{1,10})\s*$/;
const VICTIM_RSS = /^VmRSS: {0,12}(\d{1,12}) MiB/;
const VICTIM_BADNESS = /^badness: {0,8}(-?\d{1,6})/;
const SEND = /^(?:Send|Sending) (SIG[A-Z]{2,8}) to the victim/;
const RUN = /^(?:Run the command|Executing the command): (.{1,4096})$/;
const DIED = /^The victim (?:died|became a zombie) in (\d{1,6}(?:\.\d{1,4})?) ?(?:sec|s)\b/;
/** "Implement a corrective action:" is followed by its action within this many lines. */
const ACTION_LINES = 3;

const KILL_CMD = /\bkill\s+-(?:s\s+)?(?:SIG)?([A-Z]{2,8}|\d{1,2})\b/;
const SIGNAL_NUMBERS: Record<string, string> = { '1': 'SIGHUP', '2': 'SIGINT', '9': 'SIGKILL', '15': 'SIGTERM' };
/** The signal of a configured `kill -TERM $PID` command; null for another command (systemctl restart…). */
function signalOf(command: string): string | null {
  const m = KILL_CMD.exec(command);
  if (!m) return null;
  return /^\d/.test(m[1]) ? (SIGNAL_NUMBERS[m[1]] ?? null) : `SIG${m[1]}`;
}

interface Victim {
  pid: number | null;
  name: string | null;
  badness: number | null;
  vmRssKb: number | null;
}

export class NohangKillDetector implements Detector {
  private memAvail: number | null = null;
  private memLimit: number | null = null;
  private swapFree: number | null = null;
  private swapLimit: number | null = null;
  private psi: { avg: number | null; limit: number | null } | null = null;
  private victim: Victim | null = null;
  /** The line of "Implement a corrective action:", while its action is awaited. */
  private actionAt = -1;
  private last: OomEvent | null = null;

  constructor(private readonly sink: EventSink) {}

  idle(): boolean {
    return true;
  }

  finish(): void {}

  line(rawText: string, meta: LineMeta): void {
    let text = rawText.trim();
    let tagPid: string | undefined;
    if (text.charCodeAt(0) === 110 /* n */) {
      const t = TAG.exec(text);
      if (t) {
        tagPid = t[2];
        text = text.slice(t[0].length).trim();
      }
    }
    const c = text.charCodeAt(0);
    if (this.actionAt >= 0 && meta.first - this.actionAt > ACTION_LINES) this.actionAt = -1;
    switch (c) {
      case 77 /* M */: {
        const m = MEM_STATUS.exec(text);
        if (m) {
          this.memAvail = num(m[1]);
          this.memLimit = num(m[2]);
        } else if (text.startsWith('Memory status that requires')) {
          // a new round: what was read for the previous one does not carry over
          this.memAvail = this.memLimit = this.swapFree = this.swapLimit = null;
          this.psi = null;
        }
        return;
      }
      case 83 /* S */: {
        const s = SWAP_STATUS.exec(text);
        if (s) {
          this.swapFree = num(s[1]);
          this.swapLimit = num(s[2]);
          return;
        }
        const send = this.actionAt >= 0 ? SEND.exec(text) : null;
        if (send) this.kill(send[1], text, meta, tagPid);
        return;
      }
      case 80 /* P */: {
        const p = PSI.exec(text);
        if (p) this.psi = { avg: num(p[1]), limit: num(p[2]) };
        const h = HIGHEST.exec(text);
        if (h) this.victim = { pid: int(h[1]), name: h[2], badness: int(h[3]), vmRssKb: null };
        const st = h ? null : STATUS_PID_NAME.exec(text);
        if (st) this.victim = { pid: int(st[1]), name: st[2], badness: this.victim?.name === st[2] ? this.victim.badness : null, vmRssKb: null };
        const v = this.victim && !h && !st ? VICTIM_PID.exec(text) : null;
        if (v && this.victim) this.victim.pid = int(v[1]);
        return;
      }
      case 78 /* N */: {
        const n = VICTIM_NAME.exec(text);
        if (n) {
          // the status block of the process picked above keeps its pid and badness; another name starts afresh
          const same = this.victim?.name === n[1] ? this.victim : null;
          this.victim = { pid: same?.pid ?? null, name: n[1], badness: same?.badness ?? null, vmRssKb: null };
        }
        return;
      }
      case 86 /* V */: {
        const r = this.victim ? (VICTIM_RSS.exec(text) ?? STATUS_VM.exec(text)) : null;
        if (r && this.victim) {
          const mib = int(r[1]);
          this.victim.vmRssKb = mib === null ? null : mib * 1024;
        }
        return;
      }
      case 98 /* b */: {
        const b = this.victim ? VICTIM_BADNESS.exec(text) : null;
        if (b && this.victim) this.victim.badness = int(b[1]);
        return;
      }
      case 73 /* I */:
        if (text.startsWith('Implement a corrective action') || text.startsWith('Implementing a corrective action')) this.actionAt = meta.first;
        return;
      case 82 /* R */:
      case 69 /* E */: {
        const r = this.actionAt >= 0 ? RUN.exec(text) : null;
        if (r) this.kill(signalOf(r[1]), text, meta, tagPid);
        return;
      }
      case 84 /* T */: {
        const d = DIED.exec(text);
        if (d && this.last?.userspace && this.last.userspace.exitedAfterSeconds === null) this.last.userspace.exitedAfterSeconds = num(d[1]);
        return;
      }
    }
  }

  private kill(signal: string | null, text: string, meta: LineMeta, tagPid: string | undefined): void {
    this.actionAt = -1;
    const u: UserspaceKill = blankKill('nohang', this.psi ? 'memory-pressure' : 'low-memory', text, killerPidOf(meta.tag, NOHANG_NAMES, tagPid));
    u.signal = signal;
    u.memAvailablePercent = this.memAvail;
    u.memLimitPercent = this.memLimit;
    u.swapFreePercent = this.swapFree;
    u.swapLimitPercent = this.swapLimit;
    if (this.psi) {
      u.pressurePercent = this.psi.avg;
      u.pressureLimitPercent = this.psi.limit;
    }
    const ev = blankEvent('userspace-kill', meta);
    ev.scope = 'system';
    if (this.victim) {
      ev.victim = blankVictim(this.victim.pid, this.victim.name);
      u.badness = this.victim.badness;
      u.vmRssKb = this.victim.vmRssKb;
    }
    ev.userspace = u;
    this.victim = null;
    this.last = ev;
    this.sink.emit(ev);
  }
}
