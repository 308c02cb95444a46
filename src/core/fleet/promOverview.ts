// The fleet overview from Prometheus: one PromQL per signal across every instance (never one per
// host), so the number of queries stays the same for 5 hosts or 5,000. Exporters that are not
// there are reported as absent ("no kube-state-metrics series"), never read as zero.
import type { MetricsSource, Sample } from '../source/source';
import type { FleetHost, FleetPod, FleetReport, FleetSignal } from '../model/fleet';
import { formatDuration, formatPercent, formatShare, plural } from '../format';
import { THRESHOLDS, rankRows, severityOf, withWorst } from './rank';
import { safeWord } from '../shell';

export interface OverviewOptions {
  /** How far back: kills counted, lowest available taken, over this window. */
  windowMs: number;
  /** Evaluate at this time (default now): a recorded TSDB is read at its end. */
  atMs?: number;
  /** Range of rate() for the PSI counters; at least 4 scrape intervals. */
  rateMs?: number;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** PromQL durations are whole seconds here (Prometheus 2.42 takes "86400s"). */
const dur = (ms: number) => `${Math.max(1, Math.round(ms / 1000))}s`;

export function overviewQueries(o: { windowMs: number; rateMs?: number }) {
  const W = dur(o.windowMs);
  const R = dur(o.rateMs ?? 5 * 60_000);
  // Subquery resolution: ~300 points over the window, never finer than 1 min.
  const S = dur(Math.max(60_000, Math.round(o.windowMs / 300 / 60_000) * 60_000));
  return {
    present: [
      'label_replace(count(node_memory_MemTotal_bytes), "exporter", "node_exporter", "", "")',
      'label_replace(count(container_memory_working_set_bytes), "exporter", "cadvisor", "", "")',
      'label_replace(count(kube_pod_info), "exporter", "kube-state-metrics", "", "")',
    ].join(' or '),
    kills: `increase(node_vmstat_oom_kill[${W}])`,
    minAvailable: `min_over_time((node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)[${W}:${S}])`,
    swap: `max_over_time(((node_memory_SwapTotal_bytes - node_memory_SwapFree_bytes) / (node_memory_SwapTotal_bytes > 0))[${W}:${S}])`,
    psiFull: `max_over_time((rate(node_pressure_memory_stalled_seconds_total[${R}]) * 100)[${W}:${S}])`,
    psiSome: `max_over_time((rate(node_pressure_memory_waiting_seconds_total[${R}]) * 100)[${W}:${S}])`,
    // Seconds until MemAvailable reaches 0 at the last hour's rate, where it falls.
    exhaustion: 'node_memory_MemAvailable_bytes / -(deriv(node_memory_MemAvailable_bytes[1h]) < 0)',
    nodename: 'max by (instance, nodename) (node_uname_info)',
    containers:
      'max by (instance, namespace, pod, container) (container_memory_working_set_bytes{container!="", container!="POD"} / (container_spec_memory_limit_bytes > 0))',
    oomKilledPods: `max by (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{reason="OOMKilled"} == 1)`,
    restarts: `max by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total[${W}]))`,
    podNodes: 'max by (namespace, pod, node) (kube_pod_info)',
  };
}

const key = (l: Record<string, string>) => `${l.namespace ?? ''}/${l.pod ?? ''}/${l.container ?? ''}`;

export async function prometheusOverview(src: MetricsSource, o: OverviewOptions): Promise<FleetReport> {
  const q = overviewQueries(o);
  const at = o.atMs ?? Date.now();
  let asked = 0;
  const ask = (promql: string) => (asked++, src.query(promql, { atMs: at, signal: o.signal, timeoutMs: o.timeoutMs }));
  const present = new Set((await ask(q.present)).filter((s) => s.value > 0).map((s) => s.labels.exporter));
  const sources: FleetReport['sources'] = [
    { name: src.name, ok: true, detail: 'reachable' },
    ...['node_exporter', 'cadvisor', 'kube-state-metrics'].map((e) => ({
      name: e,
      ok: present.has(e),
      detail: present.has(e) ? 'series found' : `no ${e} series: its signals are absent, not zero`,
    })),
  ];
  const none = Promise.resolve([] as Sample[]);
  const node = present.has('node_exporter');
  // The signal queries are independent: asked together.
  const [kills, avail, swap, psiFull, psiSome, exhaust, names, containers, oomPods, restarts, podNodes] = await Promise.all([
    node ? ask(q.kills) : none,
    node ? ask(q.minAvailable) : none,
    node ? ask(q.swap) : none,
    node ? ask(q.psiFull) : none,
    node ? ask(q.psiSome) : none,
    node ? ask(q.exhaustion) : none,
    node ? ask(q.nodename) : none,
    present.has('cadvisor') ? ask(q.containers) : none,
    present.has('kube-state-metrics') ? ask(q.oomKilledPods) : none,
    present.has('kube-state-metrics') ? ask(q.restarts) : none,
    present.has('kube-state-metrics') ? ask(q.podNodes) : none,
  ]);

  const hosts = new Map<string, FleetHost>();
  const host = (instance: string) => {
    let h = hosts.get(instance);
    if (!h) hosts.set(instance, (h = { instance, sshHost: null, nodename: null, signals: [], worst: null }));
    return h;
  };
  const add = (instance: string | undefined, s: FleetSignal | null) => {
    if (!instance) return;
    const h = host(instance);
    if (s) h.signals.push(s);
  };
  const psiSomeBy = new Map(psiSome.map((s) => [s.labels.instance, s.value]));
  for (const s of avail) host(s.labels.instance);
  for (const s of names) if (s.labels.instance) host(s.labels.instance).nodename = s.labels.nodename ?? null;

  for (const s of kills) {
    const n = Math.round(s.value);
    const sev = severityOf.kills(n);
    add(s.labels.instance, sev && { id: 'oom-killed', severity: sev, value: n, text: `${plural(n, 'OOM kill')} in ${formatDuration(o.windowMs)}` });
  }
  for (const s of avail) {
    const sev = severityOf.available(s.value);
    add(
      s.labels.instance,
      sev && {
        id: 'low-available',
        severity: sev,
        value: s.value,
        text: `MemAvailable fell to ${formatShare(s.value)} (lowest in ${formatDuration(o.windowMs)})`,
      },
    );
  }
  for (const s of swap) {
    const sev = severityOf.swap(s.value);
    add(
      s.labels.instance,
      sev && { id: 'swap-heavy', severity: sev, value: s.value, text: `swap ${formatShare(s.value)} used (highest in ${formatDuration(o.windowMs)})` },
    );
  }
  const fullBy = new Map(psiFull.map((s) => [s.labels.instance, s.value]));
  for (const inst of new Set([...fullBy.keys(), ...psiSomeBy.keys()])) {
    const full = fullBy.get(inst) ?? 0;
    const some = psiSomeBy.get(inst) ?? 0;
    const sev = severityOf.psi(some, full);
    add(
      inst,
      sev && {
        id: 'memory-pressure',
        severity: sev,
        // The value is the share that set the severity: full when it made it critical, else some.
        value: full > THRESHOLDS.psiFullCritical ? full : some,
        text: `memory pressure (PSI): some ${percent(some)}, full ${percent(full)} at worst`,
      },
    );
  }
  for (const s of exhaust) {
    const ms = s.value * 1000;
    if (!Number.isFinite(ms) || ms < 0) continue;
    const sev = severityOf.exhaustion(ms);
    add(
      s.labels.instance,
      sev && { id: 'projected-exhaustion', severity: sev, value: s.value, text: `MemAvailable runs out in ${formatDuration(ms)} at the last hour's rate` },
    );
  }

  // Pods: containers near their limit (cAdvisor) and OOMKilled ones (kube-state-metrics).
  const pods = new Map<string, FleetPod>();
  const pod = (l: Record<string, string>) => {
    const k = key(l);
    let p = pods.get(k);
    if (!p)
      pods.set(k, (p = { namespace: l.namespace ?? '', pod: l.pod ?? '', container: l.container ?? '', node: null, instance: null, signals: [], worst: null }));
    return p;
  };
  const nodeOfPod = new Map(podNodes.map((s) => [`${s.labels.namespace}/${s.labels.pod}`, s.labels.node ?? null]));
  for (const s of containers) {
    const sev = severityOf.container(s.value);
    if (!sev) continue;
    const p = pod(s.labels);
    p.instance = s.labels.instance ?? null;
    p.signals.push({ id: 'container-near-limit', severity: sev, value: s.value, text: `working set ${formatShare(s.value)} of its limit` });
  }
  const restartsBy = new Map(restarts.map((s) => [key(s.labels), Math.round(s.value)]));
  for (const s of oomPods) {
    const p = pod(s.labels);
    const r = restartsBy.get(key(s.labels)) ?? 0;
    p.signals.push({
      id: 'container-oom-killed',
      severity: r >= 1 ? 'critical' : 'warning',
      value: r,
      text: `last terminated OOMKilled${r ? `, ${plural(r, 'restart')} in ${formatDuration(o.windowMs)}` : ''}`,
    });
  }
  for (const p of pods.values()) p.node = nodeOfPod.get(`${p.namespace}/${p.pod}`) ?? null;

  // The kill Kubernetes never shows: the node's kernel killed, no container on it is OOMKilled.
  const findings: FleetReport['findings'] = [];
  if (present.has('kube-state-metrics')) {
    for (const h of hosts.values()) {
      const k = h.signals.find((s) => s.id === 'oom-killed');
      if (!k || !h.nodename) continue;
      const onNode = [...nodeOfPod.entries()].filter(([, n]) => n === h.nodename).map(([p]) => p);
      const shown = [...pods.values()].some((p) => p.node === h.nodename && p.signals.some((s) => s.id === 'container-oom-killed'));
      if (shown) continue;
      h.signals.push({ id: 'hidden-oom-kill', severity: 'critical', value: k.value, text: `${k.text}, but no pod on node ${h.nodename} shows OOMKilled` });
      findings.push(hiddenKillFinding(h.nodename, h.instance, Number(k.value), onNode));
    }
  }

  const rows = rankRows([...hosts.values()].map(withWorst), (h) => h.instance);
  return {
    version: 1,
    takenAt: new Date(at).toISOString(),
    windowMs: o.windowMs,
    sources,
    hosts: rows,
    pods: rankRows([...pods.values()].map(withWorst), (p) => `${p.namespace}/${p.pod}/${p.container}`),
    findings,
    // What was asked: a signal whose exporter is absent is not queried.
    queries: asked,
  };
}

const percent = (pct: number) => formatPercent(pct, 100);

export function hiddenKillFinding(
  node: string,
  instance: string | null,
  kills: number,
  podsOnNode: string[],
  victims: { comm: string; pid: number | null }[] = [],
): FleetReport['findings'][number] {
  const named = victims.slice(0, 10).map((v) => `${v.comm}${v.pid !== null ? ` (${v.pid})` : ''}`);
  return {
    id: 'hidden-oom-kill',
    key: `hidden-oom-kill:${node}`,
    severity: 'critical',
    title: `OOM kill inside a container, not visible to Kubernetes, on node ${node}`,
    detail:
      `The kernel of ${node}${instance ? ` (${instance})` : ''} OOM-killed ${plural(kills, 'process', 'processes')}, but no pod on it shows OOMKilled: ` +
      `a child process inside a container was killed while the container's main process lived on (kubernetes #78973, #88522). ` +
      (named.length
        ? `The node reported ${named.length === 1 ? 'the victim' : 'victims'} ${named.join(', ')}${victims.length > 10 ? ` and ${victims.length - 10} more` : ''}. `
        : '') +
      (podsOnNode.length
        ? `Pods on that node: ${podsOnNode.slice(0, 20).join(', ')}${podsOnNode.length > 20 ? ` and ${podsOnNode.length - 20} more` : ''}.`
        : ''),
    pids: [],
    evidence: { node, instance, kills, podsOnNode, victims },
    remedies: [
      {
        title: 'Read the node kernel log for the victim and its cgroup (the pod UID is in the path)',
        // The node name comes from the API: only a plain word goes into the command.
        commands: [`oom-lens events --host ${safeWord(node, '<node>')}`],
        changesHost: false,
      },
    ],
  };
}
