// The sites of a streamed leak report, bounded: a valgrind or sanitizer run can print hundreds of
// thousands of loss records. The totals per kind count every site; only the largest are kept.
import type { LeakKind, LeakSite } from '../../model/leakReport';
import { sortSites } from './util';

/** Sites listed in one report; the rest are counted (details.sitesDropped) and said in a warning. */
export const MAX_SITES_KEPT = 20_000;

export interface KindTotal {
  /** Σ direct bytes (the record's own, without what it points to). */
  bytes: number;
  blocks: number;
  /** Σ the "(N direct, M indirect)" indirect parts. */
  indirectBytes: number;
  n: number;
}

export class SiteList {
  private kept: LeakSite[] = [];
  private totals = new Map<LeakKind, KindTotal>();
  /** Sites counted in the totals but not kept. */
  dropped = 0;
  /** The first site pushed (its pid names the run). */
  first: LeakSite | null = null;

  constructor(private readonly cap = MAX_SITES_KEPT) {}

  get length(): number {
    return this.kept.length + this.dropped;
  }

  push(s: LeakSite): void {
    this.first ??= s;
    let t = this.totals.get(s.kind);
    if (!t) this.totals.set(s.kind, (t = { bytes: 0, blocks: 0, indirectBytes: 0, n: 0 }));
    t.bytes += s.directBytes ?? s.bytes;
    t.blocks += s.count ?? 0;
    t.indirectBytes += s.indirectBytes ?? 0;
    t.n++;
    this.kept.push(s);
    // trimmed in batches: sorting on every push would be quadratic
    if (this.kept.length >= 2 * this.cap) this.trim();
  }

  total(kind: LeakKind): KindTotal {
    return this.totals.get(kind) ?? { bytes: 0, blocks: 0, indirectBytes: 0, n: 0 };
  }

  /** The kept sites, largest first. */
  sites(): LeakSite[] {
    this.trim();
    return this.kept;
  }

  /** The warning and detail to add when sites were dropped, else null. */
  droppedNote(): string | null {
    this.trim();
    return this.dropped > 0 ? `${this.dropped} smaller leak sites not listed: only the ${this.cap} largest are (the totals count all ${this.length})` : null;
  }

  private trim(): void {
    this.kept = sortSites(this.kept);
    if (this.kept.length > this.cap) {
      this.dropped += this.kept.length - this.cap;
      this.kept.length = this.cap;
    }
  }
}
