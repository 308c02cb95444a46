// Words and text for leak sites: "8 KiB definitely lost in 2 blocks", and the CLI's text report.
import type { LeakFrame, LeakReport, LeakSite, LeakTool } from '../model/leakReport';
import { firstUserFrame, type LeakComparison } from '../parse/leaks';
import { formatBytes, plural } from '../format';

/** The kind as a phrase: "definitely lost", "leaked", "grew", "retained". */
export function leakKindPhrase(site: LeakSite, tool: LeakTool | null = null): string {
  if (site.kind === 'retained' && tool === 'heaptrack') return 'leaked';
  return site.kind;
}

/** One line for a site: "8 KiB definitely lost in 2 blocks", "+600 KiB (now 610 KiB) in 2001 allocations". */
export function siteSummary(site: LeakSite, tool: LeakTool | null = null): string {
  const count = site.count;
  const unit = tool === 'valgrind-memcheck' ? 'block' : tool === 'node-heap-snapshot' || tool === 'java-histogram' || tool === 'lsan' ? 'object' : 'allocation';
  const label = site.label ? `${site.label}: ` : '';
  if (site.kind === 'growth' || site.bytesDiff !== null) {
    const d = site.bytesDiff ?? 0;
    const cd = site.countDiff !== null && site.countDiff !== undefined ? ` (${site.countDiff >= 0 ? '+' : ''}${plural(site.countDiff, unit)})` : '';
    return `${label}${d >= 0 ? '+' : ''}${formatBytes(d)} grew (now ${formatBytes(site.bytes)}${count !== null ? ` in ${plural(count, unit)}` : ''})${cd}`;
  }
  // memcheck's "N (D direct, I indirect)": the direct bytes are this kind, the rest is indirectly
  // lost through it (and counted there), as valgrind's own LEAK SUMMARY counts them.
  if (site.directBytes != null && site.indirectBytes) {
    return `${label}${formatBytes(site.directBytes)} ${leakKindPhrase(site, tool)} (+${formatBytes(site.indirectBytes)} indirectly)${count !== null ? ` in ${plural(count, unit)}` : ''}`;
  }
  return `${label}${formatBytes(site.bytes)} ${leakKindPhrase(site, tool)}${count !== null ? ` in ${plural(count, unit)}` : ''}`;
}

/**
 * What a report's sites add up to, each byte once: a memcheck record's indirect bytes are also
 * the bytes of the "indirectly lost" records, so when those are listed only the direct part of
 * the others counts. Growth reports add what grew.
 */
export function leakedBytes(r: LeakReport): number {
  const indirectListed = r.sites.some((s) => s.kind === 'indirectly lost');
  return r.sites.reduce(
    (a, s) =>
      a + (s.kind === 'growth' || s.bytesDiff !== null ? Math.max(0, s.bytesDiff ?? 0) : indirectListed && s.directBytes != null ? s.directBytes : s.bytes),
    0,
  );
}

export function frameText(f: LeakFrame): string {
  const where = f.file ? `${f.file}${f.line !== null ? `:${f.line}` : ''}` : (f.object ?? '?');
  return f.function ? `${f.function} (${where})` : where;
}

function summaryLine(r: LeakReport): string | null {
  const s = r.summary;
  const parts: string[] = [];
  const add = (name: string, bytes: number | null | undefined, blocks: number | null | undefined) => {
    if (bytes != null) parts.push(`${name} ${formatBytes(bytes)}${blocks != null ? ` in ${plural(blocks, 'block')}` : ''}`);
  };
  add('definitely lost', s.definitelyLostBytes, s.definitelyLostBlocks);
  add('indirectly lost', s.indirectlyLostBytes, s.indirectlyLostBlocks);
  add('possibly lost', s.possiblyLostBytes, s.possiblyLostBlocks);
  add('still reachable', s.stillReachableBytes, s.stillReachableBlocks);
  if (s.peakBytes != null) parts.push(`peak ${formatBytes(s.peakBytes)}`);
  if (s.liveBytes != null) parts.push(`live ${formatBytes(s.liveBytes)}`);
  if (s.inUseAtExitBytes != null && s.definitelyLostBytes == null) parts.push(`in use at exit ${formatBytes(s.inUseAtExitBytes)}`);
  return parts.length ? parts.join(', ') : null;
}

/** The CLI's text output: what ran, the summary, the top sites with their first user frame. */
export function renderLeakText(r: LeakReport, opts: { top?: number; isUserFile?: (file: string) => boolean; title?: string } = {}): string {
  const top = opts.top ?? 10;
  const out: string[] = [];
  const head = [r.tool ?? 'unknown format', r.toolVersion, r.pid !== null ? `pid ${r.pid}` : null, r.command ? `command: ${r.command}` : null]
    .filter(Boolean)
    .join(' · ');
  out.push(opts.title ? `${opts.title}: ${head}` : head);
  const sl = summaryLine(r);
  if (sl) out.push(`summary: ${sl}`);
  if (r.sites.length === 0) out.push('no leak sites');
  else out.push(`${plural(r.sites.length, 'site')}${r.sites.length > top ? `, top ${top}` : ''}:`);
  r.sites.slice(0, top).forEach((s, i) => {
    out.push(`${String(i + 1).padStart(3)}. ${siteSummary(s, r.tool)}`);
    const uf = firstUserFrame(s, opts.isUserFile);
    if (uf) out.push(`      at ${frameText(uf)}`);
    else if (s.frames.length > 0) out.push(`      at ${frameText(s.frames[0])} (no frame in your code)`);
  });
  for (const w of r.warnings) out.push(`warning: ${w}`);
  return out.join('\n') + '\n';
}

/** Text for a comparison of two runs: fixed, new, grown sites. */
export function renderComparisonText(c: LeakComparison, tool: LeakTool | null, top = 10): string {
  const out: string[] = [];
  const where = (s: LeakSite) => {
    const f = firstUserFrame(s) ?? s.frames[0];
    return f ? ` at ${frameText(f)}` : '';
  };
  out.push(`fixed: ${c.fixed.length}, new: ${c.added.length}, grown: ${c.grown.length}, shrunk: ${c.shrunk.length}`);
  if (c.fixed.length) out.push('fixed (gone in the second run):', ...c.fixed.slice(0, top).map((s) => `  - ${siteSummary(s, tool)}${where(s)}`));
  if (c.added.length) out.push('new in the second run:', ...c.added.slice(0, top).map((s) => `  + ${siteSummary(s, tool)}${where(s)}`));
  if (c.grown.length)
    out.push(
      'grown:',
      ...c.grown.slice(0, top).map((g) => `  ^ ${formatBytes(g.before.bytes)} -> ${formatBytes(g.after.bytes)} ${g.after.kind}${where(g.after)}`),
    );
  return out.join('\n') + '\n';
}
