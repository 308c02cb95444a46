// Java class histograms: `jmap -histo[:live] PID` and `jcmd PID GC.class_histogram`:
//
//   12345:                                   <- jcmd prints the pid first
//    num     #instances         #bytes  class name (module)
//   -------------------------------------------------------
//      1:         36468        3009288  [B (java.base@11.0.2)
//      2:          4370        1096552  java.lang.String (java.base@11.0.2)
//   Total        175468        8887864
//
// One histogram: sites by class (kind "retained"). Two or more in one input (a histogram taken
// twice into one file): growth per class between the first and the last (kind "growth").
import type { LeakReport, LeakSite } from '../../model/leakReport';
import { emptyLeakSummary } from '../../model/leakReport';
import { site, sortSites } from './util';

interface Row {
  cls: string;
  module: string | null;
  count: number;
  bytes: number;
}
interface Histo {
  rows: Row[];
  totalCount: number | null;
  totalBytes: number | null;
  pid: number | null;
}

const HEADER = /^\s*num\s+#instances\s+#bytes\s+class name/;
const ROW = /^\s*(\d+):\s+(\d+)\s+(\d+)\s+(\S+)(?:\s+\(([^()]*)\))?\s*$/;
const TOTAL = /^\s*Total\s+(\d+)\s+(\d+)\s*$/;

export function readHistograms(text: string): Histo[] {
  const out: Histo[] = [];
  let cur: Histo | null = null;
  let pendingPid: number | null = null;
  for (const raw of text.split(/\r?\n/)) {
    let m: RegExpExecArray | null;
    if ((m = /^\s*(\d+):\s*$/.exec(raw))) {
      pendingPid = Number(m[1]);
      continue;
    }
    if (HEADER.test(raw)) {
      cur = { rows: [], totalCount: null, totalBytes: null, pid: pendingPid };
      out.push(cur);
      pendingPid = null;
      continue;
    }
    if ((m = ROW.exec(raw))) {
      if (!cur) {
        cur = { rows: [], totalCount: null, totalBytes: null, pid: pendingPid };
        out.push(cur);
      }
      cur.rows.push({ cls: m[4], module: m[5] ?? null, count: Number(m[2]), bytes: Number(m[3]) });
      continue;
    }
    if ((m = TOTAL.exec(raw)) && cur) {
      cur.totalCount = Number(m[1]);
      cur.totalBytes = Number(m[2]);
      cur = null;
    }
  }
  return out.filter((h) => h.rows.length > 0 || h.totalBytes !== null);
}

function histoSites(h: Histo): LeakSite[] {
  return h.rows.map((r) => site('retained', r.bytes, { count: r.count, label: r.cls, module: r.module }));
}

export function parseJavaHistogram(text: string): LeakReport {
  const report: LeakReport = {
    tool: 'java-histogram',
    toolVersion: null,
    pid: null,
    command: null,
    summary: emptyLeakSummary(),
    sites: [],
    warnings: [],
  };
  const hs = readHistograms(text);
  if (hs.length === 0) {
    report.warnings.push('no class histogram rows found');
    return report;
  }
  const last = hs[hs.length - 1];
  report.pid = last.pid ?? hs[0].pid;
  report.summary.liveBytes = last.totalBytes ?? last.rows.reduce((a, r) => a + r.bytes, 0);
  report.summary.liveCount = last.totalCount ?? last.rows.reduce((a, r) => a + r.count, 0);
  for (const h of hs) {
    if (h.totalBytes !== null) {
      const sum = h.rows.reduce((a, r) => a + r.bytes, 0);
      if (sum !== h.totalBytes) report.warnings.push(`histogram rows sum to ${sum} bytes but its Total line says ${h.totalBytes} (cut short?)`);
    } else {
      report.warnings.push('a histogram without its Total line (cut short?)');
    }
  }
  if (hs.length === 1) {
    report.sites = sortSites(histoSites(hs[0]));
    return report;
  }
  if (hs.length > 2) report.warnings.push(`${hs.length} histograms in the input: growth between the first and the last`);
  report.sites = growthByLabel(histoSites(hs[0]), histoSites(last));
  return report;
}

/** Growth by label between two lists of labelled sites (heap snapshots, class histograms). */
export function growthByLabel(before: LeakSite[], after: LeakSite[]): LeakSite[] {
  const b = new Map<string, LeakSite>();
  for (const s of before) b.set(s.label ?? '', s);
  const out: LeakSite[] = [];
  const seen = new Set<string>();
  for (const a of after) {
    const key = a.label ?? '';
    seen.add(key);
    const p = b.get(key);
    const bytesDiff = a.bytes - (p?.bytes ?? 0);
    const countDiff = a.count !== null ? a.count - (p?.count ?? 0) : null;
    if (bytesDiff === 0 && (countDiff ?? 0) === 0) continue;
    out.push({ ...a, kind: 'growth', bytesDiff, countDiff });
  }
  for (const p of before) {
    const key = p.label ?? '';
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...p, kind: 'growth', bytes: 0, count: 0, bytesDiff: -p.bytes, countDiff: p.count !== null ? -p.count : null });
  }
  return sortSites(out);
}
