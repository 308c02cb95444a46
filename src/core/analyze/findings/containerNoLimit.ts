// container-no-limit: a container (docker, Kubernetes, podman, lxc) runs processes but neither its
// cgroup nor any parent has a memory limit: "Without limits, a container can eat all host memory."
// Warning when it is big (>= 10 % of RAM) or memory is tight / OOM kills happened; else info.
import { formatKb, formatPercent } from '../../format';
import type { ContainerRef, Finding, ProcessInfo } from '../../model/report';
import { type FindingContext, limitsOf, memoryTight, niceKb, oomHappened, sizeArg, userProcesses } from './context';
import { dockerStats, kubectlDescribe, setContainerLimit } from './remedies';

export function containerKey(c: ContainerRef): string {
  return `${c.runtime}:${c.podUid ?? c.id ?? c.name ?? '?'}`;
}

export function containerLabel(c: ContainerRef): string {
  if (c.runtime === 'kubernetes') return `pod ${c.podUid ?? '?'}${c.id ? ` container ${c.id.slice(0, 12)}` : ''}`;
  return `${c.runtime} container ${c.name ?? (c.id ? c.id.slice(0, 12) : '?')}`;
}

export function containerNoLimit(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  const total = r.memory.totalKb ?? 0;
  const groups = new Map<string, ProcessInfo[]>();
  for (const p of userProcesses(r)) {
    const c = p.container;
    if (!c || c.runtime === 'systemd') continue;
    const k = containerKey(c);
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  const risk = memoryTight(r) || oomHappened(r);
  const out: Finding[] = [];
  for (const ps of groups.values()) {
    if (ps.some((p) => limitsOf(p.cgroup, r.cgroups).length > 0)) continue;
    const c = ps[0].container!;
    const rss = ps.reduce((s, p) => s + (p.rssKb ?? 0), 0);
    const big = total > 0 && rss >= 0.1 * total;
    const limit = niceKb(Math.max(rss * 1.5, rss + 128 * 1024));
    out.push({
      id: 'container-no-limit',
      key: `container-no-limit:${c.runtime}:${c.id ?? c.name ?? ps[0].cgroup}`,
      severity: big || risk ? 'warning' : 'info',
      title: `${containerLabel(c)} has no memory limit (${ps.length} process${ps.length === 1 ? '' : 'es'}, ${formatKb(rss)} RSS${total ? `, ${formatPercent(rss, total)} of RAM` : ''})`,
      detail: `Neither its cgroup (${ps[0].cgroup ?? '?'}) nor a parent has memory.max / memory.limit_in_bytes set: it can take all of the host's memory, and the OOM killer then picks from every process on the host. Set a limit (and in Kubernetes a request) sized to its real peak; ${formatKb(limit)} would be 1.5 × what it uses now.`,
      pids: ps.map((p) => p.pid),
      evidence: { container: c, processes: ps.length, rssKb: rss, cgroup: ps[0].cgroup, suggestedLimitKb: limit, totalKb: total || null },
      remedies: [
        c.runtime === 'kubernetes' ? kubectlDescribe(null) : dockerStats(c.id),
        ...setContainerLimit(c.runtime, c.id, sizeArg(limit), sizeArg(limit, 'k8s'), null),
      ],
    });
  }
  return out;
}
