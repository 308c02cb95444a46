// The whole fleet overview: Prometheus (one query per signal) and, when a kube context is given,
// the Kubernetes API through kubectl, merged into one FleetReport. The cross-check that needs
// both: a node whose kernel kill counter rose while no pod on it shows OOMKilled.
import type { MetricsSource, ObjectsSource } from '../source/source';
import type { FleetReport } from '../model/fleet';
import { hiddenKillFinding, prometheusOverview, type OverviewOptions } from './promOverview';
import { kubeOverview } from './kubeOverview';
import { rankRows, withWorst } from './rank';
import { sshHostFor, type SshAlias } from './sshMapping';
import { errorText } from '../errors';

export interface FleetOptions extends OverviewOptions {
  prometheus?: MetricsSource | null;
  kube?: ObjectsSource | null;
  /** For the drill-down: ssh_config aliases and an explicit instance → SSH host mapping. */
  sshAliases?: SshAlias[];
  sshMapping?: Record<string, string>;
}

export async function fleetOverview(o: FleetOptions): Promise<FleetReport> {
  const at = o.atMs ?? Date.now();
  const report: FleetReport = o.prometheus
    ? await prometheusOverview(o.prometheus, { ...o, atMs: at })
    : { version: 1, takenAt: new Date(at).toISOString(), windowMs: o.windowMs, sources: [], hosts: [], pods: [], findings: [], queries: 0 };
  for (const h of report.hosts) h.sshHost = sshHostFor(h.instance, o.sshAliases ?? [], o.sshMapping);
  if (!o.kube) return report;

  // Kernel kills by Kubernetes node name (node_uname_info's nodename is the node's name).
  const killsByNode = new Map<string, number>();
  for (const h of report.hosts) {
    const k = h.signals.find((s) => s.id === 'oom-killed');
    if (k && h.nodename) killsByNode.set(h.nodename, Number(k.value ?? 0));
  }
  try {
    const kube = await kubeOverview(o.kube, killsByNode, { signal: o.signal, timeoutMs: o.timeoutMs });
    report.sources.push({ name: o.kube.name, ok: true, detail: `${kube.nodes.length} nodes, ${kube.pods.length} OOMKilled containers` });
    // One row per container: the API's OOMKilled state (with limit and restarts) replaces the metrics' one.
    const byKey = new Map(report.pods.map((p) => [`${p.namespace}/${p.pod}/${p.container}`, p]));
    for (const k of kube.pods) {
      const m = byKey.get(`${k.namespace}/${k.pod}/${k.container}`);
      if (!m) byKey.set(`${k.namespace}/${k.pod}/${k.container}`, k);
      else
        Object.assign(m, {
          node: k.node ?? m.node,
          limitBytes: k.limitBytes,
          restarts: k.restarts,
          signals: [...m.signals.filter((s) => s.id !== 'container-oom-killed'), ...k.signals],
        });
    }
    const pods = [...byKey.values()].map(withWorst);
    for (const p of pods) {
      const h = report.hosts.find((x) => x.nodename && x.nodename === p.node);
      p.instance ??= h?.instance ?? null;
      // The node is diagnosed over SSH by its host's mapping, else by its name like any instance.
      p.nodeSshHost = h?.sshHost ?? (p.node ? sshHostFor(p.node, o.sshAliases ?? [], o.sshMapping) : null);
    }
    report.pods = rankRows(pods, (p) => `${p.namespace}/${p.pod}/${p.container}`);
    // Nodes under MemoryPressure are a signal on their host.
    for (const n of kube.nodes) {
      const h = report.hosts.find((x) => x.nodename === n.name);
      if (!h) continue;
      if (!n.memoryPressure) continue;
      // One signal per id: a PSI memory-pressure signal already there says it too.
      const psi = h.signals.find((s) => s.id === 'memory-pressure');
      if (psi) psi.text += '; Kubernetes reports MemoryPressure on this node';
      else h.signals.push({ id: 'memory-pressure', severity: 'warning', value: null, text: 'Kubernetes reports MemoryPressure on this node' });
    }
    // One hidden-kill finding per node, whichever side found it; the API side knows the pods.
    const findings = report.findings.filter((f) => f.id !== 'hidden-oom-kill');
    const hidden = new Map<string, FleetReport['findings'][number]>();
    for (const f of report.findings) if (f.id === 'hidden-oom-kill') hidden.set(f.key ?? f.title, f);
    // The API side knows the pods but not the instance: the host with that nodename gives it.
    for (const f of kube.findings) {
      if (f.id !== 'hidden-oom-kill') continue;
      const e = f.evidence as { node: string; kills: number; podsOnNode: string[]; victims?: { comm: string; pid: number | null }[] };
      const instance = report.hosts.find((h) => h.nodename === e.node)?.instance ?? null;
      hidden.set(f.key ?? f.title, instance ? hiddenKillFinding(e.node, instance, e.kills, e.podsOnNode, e.victims) : f);
    }
    // A node where the API shows an OOMKilled pod is not hidden, even if the metrics side said so.
    const shown = new Set(kube.pods.filter((p) => p.node).map((p) => p.node!));
    for (const [k, f] of hidden)
      if (!shown.has(String((f.evidence as { node?: string }).node))) findings.push(f);
      else hidden.delete(k);
    for (const h of report.hosts) {
      const isHidden = h.nodename ? [...hidden.values()].some((f) => (f.evidence as { node?: string }).node === h.nodename) : false;
      h.signals = h.signals.filter((s) => s.id !== 'hidden-oom-kill');
      if (isHidden) {
        const k = h.signals.find((s) => s.id === 'oom-killed');
        h.signals.push({
          id: 'hidden-oom-kill',
          severity: 'critical',
          value: k?.value ?? null,
          text: `OOM kill inside a container on node ${h.nodename}, not visible to Kubernetes`,
        });
      }
      withWorst(h);
    }
    report.findings = findings;
    report.hosts = rankRows(report.hosts, (h) => h.instance);
  } catch (e) {
    // The metrics side still stands; the Kubernetes side says why it is missing.
    report.sources.push({ name: o.kube.name, ok: false, detail: errorText(e) });
  }
  return report;
}
