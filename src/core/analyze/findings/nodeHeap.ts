// node-heap-vs-limit: a Node.js process's --max-old-space-size (from its command line only: NODE_OPTIONS
// is in the environment, which we do not read) plus the typical overhead outside the old space
// (~128 MiB + 10 %: young generation, code, Buffers, native addons) does not fit in its cgroup
// limit (or MemTotal). Old space alone >= limit -> critical.
import { formatKb } from '../../format';
import type { Finding, Remedy } from '../../model/report';
import { type FindingContext, effectiveLimit, userProcesses, procKey } from './context';
import { detectRuntime, nodeOverheadKb, parseNodeOldSpace, safeProgramCommand } from './runtime';
import { setContainerLimit } from './remedies';

export function nodeHeap(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  const out: Finding[] = [];
  for (const p of userProcesses(r)) {
    if (detectRuntime(p) !== 'node') continue;
    const heapKb = parseNodeOldSpace(p.cmdline);
    if (heapKb === null) continue;
    const lim = effectiveLimit(p, r);
    if (!lim) continue;
    const overhead = nodeOverheadKb(heapKb);
    if (heapKb + overhead <= lim.limitKb) continue;
    const suggMb = Math.max(64, Math.floor((0.9 * lim.limitKb - 128 * 1024) / 1.1 / 1024 / 64) * 64);
    const where = lim.source === 'cgroup' ? `its cgroup limit ${formatKb(lim.limitKb)} (${lim.cgroup})` : `the host's RAM ${formatKb(lim.limitKb)}`;
    const cmd = safeProgramCommand(p);
    const remedies: Remedy[] = [
      {
        title: `Lower the old space to fit: --max-old-space-size=${suggMb}`,
        commands: cmd ? [cmd.replace(/--max[-_]old[-_]space[-_]size=\d+/g, `--max-old-space-size=${suggMb}`)] : [`node --max-old-space-size=${suggMb} app.js`],
        changesHost: false,
      },
    ];
    if (lim.source === 'cgroup') {
      const need = Math.ceil((heapKb + overhead) / 1024 / 0.9 / 64) * 64;
      const c = p.container;
      remedies.push(...setContainerLimit(c ? c.runtime : 'systemd', c?.id ?? null, `${need}m`, `${need}Mi`, c?.runtime === 'systemd' ? c.name : null, true));
    }
    out.push({
      id: 'node-heap-vs-limit',
      key: `node-heap-vs-limit:${procKey(p)}`,
      severity: heapKb >= lim.limitKb ? 'critical' : 'warning',
      title: `node (${p.pid}) has --max-old-space-size=${Math.round(heapKb / 1024)} (${formatKb(heapKb)}), more than ${where} leaves room for`,
      detail: `V8 may grow the old space to ${formatKb(heapKb)} before it collects hard; with ~${formatKb(overhead)} outside it (young generation, code, Buffers, native memory) that is ${formatKb(heapKb + overhead)}, above ${where}. The ${lim.source === 'cgroup' ? 'cgroup' : 'host'} runs out first and the kernel OOM-kills node instead of V8 reporting "heap out of memory". Only the command line was read: a NODE_OPTIONS setting is not visible. RSS now: ${formatKb(p.rssKb)}.`,
      pids: [p.pid],
      evidence: {
        heapKb,
        source: 'cmdline',
        overheadKb: overhead,
        limitKb: lim.limitKb,
        limitSource: lim.source,
        cgroup: lim.cgroup,
        rssKb: p.rssKb,
        suggestedMb: suggMb,
      },
      remedies,
    });
  }
  return out;
}
