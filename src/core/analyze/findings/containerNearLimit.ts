// container-near-limit: a memory cgroup is at >= 90 % of its limit (warning; information when the
// processes' anonymous memory is under half the limit, i.e. the rest is reclaimable page cache), has
// OOM-killed (critical), or has hit its limit (failcnt / memory.events max > 0: information).
import { formatKb, formatPercent, plural } from '../../format';
import type { CgroupInfo, Finding, ProcessInfo, Severity } from '../../model/report';
import { type FindingContext, niceKb, sizeArg, sum, unitOf, userProcesses } from './context';
import { dockerStats, kubectlDescribe, setContainerLimit } from './remedies';
import { containerLabel } from './containerNoLimit';

/** Usage / limit at which a cgroup is near its limit. */
export const NEAR_LIMIT_FRACTION = 0.9;

function members(c: CgroupInfo, procs: ProcessInfo[]): ProcessInfo[] {
  const prefix = c.path.endsWith('/') ? c.path : c.path + '/';
  return procs.filter((p) => p.cgroup != null && (p.cgroup === c.path || p.cgroup.startsWith(prefix)));
}

export function containerNearLimit(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  const procs = userProcesses(r);
  const out: Finding[] = [];
  for (const c of r.cgroups ?? []) {
    if (c.limitKb == null || c.path === '/') continue;
    const ms = members(c, procs);
    const usage = c.usageKb;
    const f = usage != null && c.limitKb > 0 ? usage / c.limitKb : null;
    const kills = c.oomKills ?? 0;
    const fails = c.failcnt ?? 0;
    const anonKnown = ms.length > 0 && ms.every((p) => p.rssAnonKb != null);
    const anon = anonKnown ? sum(ms.map((p) => (p.rssAnonKb ?? 0) + (p.swapKb ?? 0))) : null;
    let severity: Severity | null = null;
    if (kills > 0) severity = 'critical';
    else if (f !== null && f >= NEAR_LIMIT_FRACTION) severity = anon !== null && anon < 0.5 * c.limitKb ? 'info' : 'warning';
    else if (fails > 0) severity = 'info';
    if (!severity) continue;
    const container = ms.find((p) => p.container && p.container.runtime !== 'systemd')?.container ?? null;
    const unit = unitOf(c.path);
    const label = container ? containerLabel(container) : (unit ?? `cgroup ${c.path}`);
    const next = niceKb(Math.max(c.limitKb * 1.5, (c.peakKb ?? usage ?? 0) * 1.25));
    const parts = [
      kills > 0 ? plural(kills, 'OOM kill') : null,
      // After a kill the cgroup may be nearly empty: say it is now, not at the kill.
      f !== null ? `${kills > 0 ? 'now ' : ''}${formatPercent(usage as number, c.limitKb)} of its ${formatKb(c.limitKb)} limit` : null,
      fails > 0 ? `hit the limit ${plural(fails, 'time')} so far${c.version === 1 ? ' (failcnt)' : ''}` : null,
    ].filter(Boolean);
    out.push({
      id: 'container-near-limit',
      key: `container-near-limit:${c.path}`,
      severity,
      title: `${label}: ${parts.join(', ')}`,
      detail:
        `Usage ${formatKb(usage)} of ${formatKb(c.limitKb)}${c.peakKb != null ? `, peak ${formatKb(c.peakKb)}` : ''}${anon !== null ? `; its processes' anonymous memory + swap is ${formatKb(anon)}` : ''}. ` +
        (kills > 0 ? 'The kernel OOM-killed inside this cgroup: it needs more than its limit at peak (a leak, or a limit too small for its load). ' : '') +
        (severity === 'info' && f !== null && f >= NEAR_LIMIT_FRACTION
          ? 'Most of the usage is page cache, which the kernel reclaims at the limit: not a problem by itself. '
          : '') +
        (fails > 0 && kills === 0
          ? `Reaching the limit${c.version === 1 ? ' (failcnt)' : ' (memory.events max)'} makes the kernel reclaim inside the cgroup: fine for cache, a warning sign for anonymous memory. `
          : '') +
        `Members: ${
          ms.length
            ? ms
                .slice(0, 5)
                .map((p) => `${p.comm} (${p.pid}) ${formatKb(p.rssKb)}`)
                .join(', ')
            : 'none seen'
        }.`,
      pids: ms.map((p) => p.pid),
      evidence: {
        cgroup: c.path,
        version: c.version,
        limitKb: c.limitKb,
        usageKb: usage,
        peakKb: c.peakKb,
        usedFraction: f === null ? null : Math.round(f * 1000) / 1000,
        oomKills: kills,
        failcnt: fails,
        anonPlusSwapKb: anon,
        container,
        unit,
        suggestedLimitKb: next,
      },
      remedies: [
        ...(container?.runtime === 'kubernetes' ? [kubectlDescribe(null)] : container ? [dockerStats(container.id)] : []),
        ...setContainerLimit(container ? container.runtime : unit ? 'systemd' : null, container?.id ?? null, sizeArg(next), sizeArg(next, 'k8s'), unit, true, {
          path: c.path,
          version: c.version,
        }),
      ],
    });
  }
  return out;
}
