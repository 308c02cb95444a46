// Comparing two leak reports: which sites were fixed, which appeared, which grew; and turning two
// reports of the same tool into a growth report.
import type { LeakReport, LeakSite } from '../../model/leakReport';
import { emptyLeakSummary } from '../../model/leakReport';
import { siteKey } from './frames';
import { growthByLabel } from './java';
import { sortSites } from './util';

export interface LeakComparison {
  fixed: LeakSite[];
  added: LeakSite[];
  grown: Array<{ before: LeakSite; after: LeakSite }>;
  /** Extra: sites present in both whose bytes went down. */
  shrunk: Array<{ before: LeakSite; after: LeakSite }>;
}

/** Sites with the same key merged (bytes, counts summed; the first site's frames kept), in order. */
function mergeByKey(sites: LeakSite[]): Map<string, LeakSite> {
  const out = new Map<string, LeakSite>();
  for (const s of sites) {
    const k = siteKey(s);
    const p = out.get(k);
    if (!p) {
      out.set(k, s);
      continue;
    }
    const merged: LeakSite = {
      ...p,
      bytes: p.bytes + s.bytes,
      count: p.count !== null || s.count !== null ? (p.count ?? 0) + (s.count ?? 0) : null,
      directBytes: p.directBytes !== null || s.directBytes !== null ? (p.directBytes ?? 0) + (s.directBytes ?? 0) : null,
      indirectBytes: p.indirectBytes !== null || s.indirectBytes !== null ? (p.indirectBytes ?? 0) + (s.indirectBytes ?? 0) : null,
    };
    out.set(k, merged);
  }
  return out;
}

/**
 * Matches sites by a stable key (kind + function/file/line of the first few non-allocator frames,
 * addresses ignored; the label for frame-less sites). Sites sharing a key within one report are
 * summed first.
 */
export function compareLeakReports(before: LeakReport, after: LeakReport): LeakComparison {
  const b = mergeByKey(before?.sites ?? []);
  const a = mergeByKey(after?.sites ?? []);
  const fixed: LeakSite[] = [];
  const added: LeakSite[] = [];
  const grown: LeakComparison['grown'] = [];
  const shrunk: LeakComparison['shrunk'] = [];
  for (const [k, s] of b) if (!a.has(k)) fixed.push(s);
  for (const [k, s] of a) {
    const p = b.get(k);
    if (!p) added.push(s);
    else if (s.bytes > p.bytes) grown.push({ before: p, after: s });
    else if (s.bytes < p.bytes) shrunk.push({ before: p, after: s });
  }
  grown.sort((x, y) => y.after.bytes - y.before.bytes - (x.after.bytes - x.before.bytes));
  shrunk.sort((x, y) => x.after.bytes - x.before.bytes - (y.after.bytes - y.before.bytes));
  return { fixed: sortSites(fixed), added: sortSites(added), grown, shrunk };
}

/**
 * A growth report from two reports of the same kind of tool (two heap snapshots, two class
 * histograms, two tracemalloc/heap-profile/memcheck outputs): kind "growth", bytes = after,
 * bytesDiff / countDiff = after - before. Unchanged sites are left out; vanished ones have bytes 0.
 */
export function diffLeakReports(before: LeakReport, after: LeakReport): LeakReport {
  const warnings: string[] = [];
  for (const w of before.warnings) warnings.push(`before: ${w}`);
  for (const w of after.warnings) warnings.push(`after: ${w}`);
  if (before.tool !== after.tool) warnings.push(`comparing output of different tools (${before.tool} vs ${after.tool})`);
  const labelled = (r: LeakReport) => r.sites.length > 0 && r.sites.every((s) => s.frames.length === 0 && s.label !== null);
  let sites: LeakSite[];
  if (labelled(before) || labelled(after)) {
    sites = growthByLabel(before.sites, after.sites);
  } else {
    const key = (s: LeakSite) => siteKey(s, 4, false);
    const merge = (list: LeakSite[]) => {
      const m = new Map<string, LeakSite>();
      for (const s of list) {
        const k = key(s);
        const p = m.get(k);
        m.set(k, p ? { ...p, bytes: p.bytes + s.bytes, count: (p.count ?? 0) + (s.count ?? 0) } : s);
      }
      return m;
    };
    const b = merge(before.sites);
    const a = merge(after.sites);
    sites = [];
    for (const [k, s] of a) {
      const p = b.get(k);
      const bytesDiff = s.bytes - (p?.bytes ?? 0);
      const countDiff = s.count !== null ? s.count - (p?.count ?? 0) : null;
      if (bytesDiff === 0 && (countDiff ?? 0) === 0) continue;
      sites.push({ ...s, kind: 'growth', bytesDiff, countDiff });
    }
    for (const [k, p] of b) {
      if (a.has(k)) continue;
      sites.push({ ...p, kind: 'growth', bytes: 0, count: p.count !== null ? 0 : null, bytesDiff: -p.bytes, countDiff: p.count !== null ? -p.count : null });
    }
    sites = sortSites(sites);
  }
  const summary = { ...emptyLeakSummary(), ...after.summary };
  return {
    tool: after.tool ?? before.tool,
    toolVersion: after.toolVersion ?? before.toolVersion,
    pid: after.pid ?? before.pid,
    command: after.command ?? before.command,
    summary,
    sites,
    warnings,
    details: {
      comparison: true,
      before: { liveBytes: before.summary.liveBytes ?? null, liveCount: before.summary.liveCount ?? null, sites: before.sites.length },
      after: { liveBytes: after.summary.liveBytes ?? null, liveCount: after.summary.liveCount ?? null, sites: after.sites.length },
    },
  };
}
