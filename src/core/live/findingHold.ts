// Findings that a live view can read: each instance keeps its key, a finding that stops firing
// stays for a while (a threshold crossed back and forth does not make it blink), and the order is
// stable: by severity, then by when the finding first appeared, so a new one never reshuffles
// the list under the user's cursor.
import type { Finding } from '../model/report';
import { SEVERITY_RANK } from '../analyze/findings/context';

export const FINDING_HOLD_MS = 30_000;

interface Held {
  finding: Finding;
  firstSeen: number;
  lastSeen: number;
  seq: number;
}

export class FindingHold {
  private readonly held = new Map<string, Held>();
  private seq = 0;

  constructor(private readonly holdMs = FINDING_HOLD_MS) {}

  /**
   * The findings to show after a fresh analysis at `nowMs`. `drop` tells a finding that must not be
   * held once it stops firing: its subject is gone (every pid it names has exited), or its rule
   * has hysteresis of its own (growth verdicts), so an old copy would contradict the new one.
   */
  update(fresh: Finding[], nowMs: number, drop: (f: Finding) => boolean = () => false): Finding[] {
    for (const f of fresh) {
      const key = f.key ?? f.id;
      const h = this.held.get(key);
      if (h) {
        h.finding = f;
        h.lastSeen = nowMs;
      } else this.held.set(key, { finding: f, firstSeen: nowMs, lastSeen: nowMs, seq: this.seq++ });
    }
    for (const [key, h] of this.held) {
      if (h.lastSeen === nowMs) continue;
      if (nowMs - h.lastSeen > this.holdMs || drop(h.finding)) this.held.delete(key);
    }
    return [...this.held.values()]
      .sort((a, b) => SEVERITY_RANK[a.finding.severity] - SEVERITY_RANK[b.finding.severity] || a.firstSeen - b.firstSeen || a.seq - b.seq)
      .map((h) => h.finding);
  }
}
