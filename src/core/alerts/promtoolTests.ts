// The `promtool test rules` file for a rules file: input series that make every rule fire, and
// for every family a case that must not. cAdvisor and kube-state-metrics cannot run on a test
// machine, so their rules are proven only here, on series shaped like theirs (their metric names
// and labels); the test names say so.
import { parseDuration } from '../util/duration';
import type { AlertThresholds } from './thresholds';
import { ruleGroups, type AlertRule, type RuleGroupSpec } from './rules';
import { expandTemplate } from './templates';

type Labels = Record<string, string>;

interface InputSeries {
  series: string;
  values: string;
}

interface Expectation {
  /** The alert's labels from the expression (the rule's severity is added). */
  labels: Labels;
  /** $value at the evaluation time, as Prometheus computes it from the series. */
  value: number;
}

interface Check {
  alert: string;
  atMinutes: number;
  expect: Expectation[];
}

export interface Scenario {
  name: string;
  series: InputSeries[];
  checks: Check[];
}

const NODE: Labels = { instance: 'host-a:9100', job: 'node' };
const MEM_TOTAL = 8e9;
const SWAP_TOTAL = 4e9;
/** Series run this long (minutes); every check is before the end. */
const SPAN = 40;

function selector(name: string, labels: Labels): string {
  return `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;
}
const flat = (name: string, labels: Labels, v: number): InputSeries => ({ series: selector(name, labels), values: `${v}x${SPAN}` });
/** A counter from 0 rising `perMinute` each minute. */
const counter = (name: string, labels: Labels, perMinute: number): InputSeries => ({ series: selector(name, labels), values: `0+${perMinute}x${SPAN}` });
/** 0 (or absent) until minute `at`, then 1. */
const stepAt = (name: string, labels: Labels, at: number, absentBefore = false): InputSeries => ({
  series: selector(name, labels),
  // "0x5" is six zeros but "_x5" five gaps (promtool's notation): both end before minute `at`.
  values: `${absentBefore ? `_x${at}` : `0x${at - 1}`} 1x${SPAN - at}`,
});
const minutes = (d: string | undefined) => (d ? Math.ceil((parseDuration(d) ?? 0) / 60_000) : 0);
/** Firing needs the expression true for `for`; counters need a second sample first. */
const firingAt = (rule: AlertRule, from = 1) => from + minutes(rule.for) + 1;
/** A rate over `window` of a counter rising `perMinute`, as Prometheus computes it from 1m samples. */
const rateOf = (perMinute: number, window: string) => (perMinute * minutes(window)) / (minutes(window) * 60);

function nodeScenarios(t: AlertThresholds, rules: Map<string, AlertRule>): Scenario[] {
  const out: Scenario[] = [];
  const a = t.available;
  const low = rules.get('MemoryAvailableLow')!;
  const crit = rules.get('MemoryAvailableCritical')!;
  const between = MEM_TOTAL * ((a.warn + a.critical) / 2);
  const below = MEM_TOTAL * a.critical * 0.75;
  const above = MEM_TOTAL * Math.min(1, a.warn + 0.1);
  out.push(
    {
      name: 'node_exporter: MemAvailable below the warning level fires MemoryAvailableLow, not the critical rule',
      series: [flat('node_memory_MemTotal_bytes', NODE, MEM_TOTAL), flat('node_memory_MemAvailable_bytes', NODE, between)],
      checks: [
        { alert: low.alert, atMinutes: firingAt(low, 0), expect: [{ labels: NODE, value: between / MEM_TOTAL }] },
        { alert: crit.alert, atMinutes: firingAt(low, 0), expect: [] },
      ],
    },
    {
      name: 'node_exporter: MemAvailable below the critical level fires MemoryAvailableCritical, which clears only above the warning level (hysteresis)',
      series: [
        flat('node_memory_MemTotal_bytes', NODE, MEM_TOTAL),
        { series: selector('node_memory_MemAvailable_bytes', NODE), values: `${below}x9 ${between}x10 ${above}x${SPAN - 20}` },
      ],
      checks: [
        { alert: crit.alert, atMinutes: firingAt(crit, 0), expect: [{ labels: NODE, value: below / MEM_TOTAL }] },
        { alert: crit.alert, atMinutes: 15, expect: [{ labels: NODE, value: between / MEM_TOTAL }] },
        { alert: crit.alert, atMinutes: 25, expect: [] },
        { alert: low.alert, atMinutes: 25, expect: [] },
      ],
    },
    {
      name: 'node_exporter: plenty of MemAvailable fires nothing',
      series: [flat('node_memory_MemTotal_bytes', NODE, MEM_TOTAL), flat('node_memory_MemAvailable_bytes', NODE, above)],
      checks: [
        { alert: low.alert, atMinutes: 15, expect: [] },
        { alert: crit.alert, atMinutes: 15, expect: [] },
      ],
    },
  );
  if (t.swap) {
    const warn = rules.get('SwapFillingUp')!;
    const full = rules.get('SwapAlmostFull')!;
    const freeAt = (used: number) => SWAP_TOTAL * (1 - used);
    const mid = freeAt((t.swap.warn + t.swap.critical) / 2);
    const nearly = freeAt((t.swap.critical + 1) / 2);
    const usedShare = (free: number) => (SWAP_TOTAL - free) / SWAP_TOTAL;
    out.push(
      {
        name: 'node_exporter: swap over the warning level fires SwapFillingUp only',
        series: [flat('node_memory_SwapTotal_bytes', NODE, SWAP_TOTAL), flat('node_memory_SwapFree_bytes', NODE, mid)],
        checks: [
          { alert: warn.alert, atMinutes: firingAt(warn, 0), expect: [{ labels: NODE, value: usedShare(mid) }] },
          { alert: full.alert, atMinutes: firingAt(warn, 0), expect: [] },
        ],
      },
      {
        name: 'node_exporter: swap nearly full fires SwapAlmostFull',
        series: [flat('node_memory_SwapTotal_bytes', NODE, SWAP_TOTAL), flat('node_memory_SwapFree_bytes', NODE, nearly)],
        checks: [{ alert: full.alert, atMinutes: firingAt(full, 0), expect: [{ labels: NODE, value: usedShare(nearly) }] }],
      },
      {
        name: 'node_exporter: a host without swap (SwapTotal 0) fires no swap rule',
        series: [flat('node_memory_SwapTotal_bytes', NODE, 0), flat('node_memory_SwapFree_bytes', NODE, 0)],
        checks: [
          { alert: warn.alert, atMinutes: 15, expect: [] },
          { alert: full.alert, atMinutes: 15, expect: [] },
        ],
      },
    );
  }
  const kill = rules.get('OomKillDetected')!;
  out.push(
    {
      name: 'node_exporter: node_vmstat_oom_kill rising by one fires OomKillDetected at once',
      series: [stepAt('node_vmstat_oom_kill', NODE, 6)],
      checks: [{ alert: kill.alert, atMinutes: 8, expect: [{ labels: NODE, value: 1 }] }],
    },
    {
      name: 'node_exporter: an old OOM kill (the counter flat) fires nothing',
      series: [flat('node_vmstat_oom_kill', NODE, 3)],
      checks: [{ alert: kill.alert, atMinutes: 15, expect: [] }],
    },
  );
  if (t.psi) {
    const some = rules.get('MemoryPressureStalls')!;
    const full = rules.get('MemoryPressureFullStalls')!;
    const w = t.psi.window;
    // Stall seconds per minute: 2.5 times the threshold, and half of it.
    const hot = (share: number) => share * 2.5 * 60;
    const cool = (share: number) => share * 0.5 * 60;
    out.push(
      {
        name: 'node_exporter: memory PSI over the thresholds fires both pressure rules',
        series: [
          counter('node_pressure_memory_waiting_seconds_total', NODE, hot(t.psi.someWarn)),
          counter('node_pressure_memory_stalled_seconds_total', NODE, hot(t.psi.fullCritical)),
        ],
        checks: [
          { alert: some.alert, atMinutes: firingAt(some), expect: [{ labels: NODE, value: rateOf(hot(t.psi.someWarn), w) }] },
          { alert: full.alert, atMinutes: firingAt(full), expect: [{ labels: NODE, value: rateOf(hot(t.psi.fullCritical), w) }] },
        ],
      },
      {
        name: 'node_exporter: light memory PSI fires no pressure rule',
        series: [
          counter('node_pressure_memory_waiting_seconds_total', NODE, cool(t.psi.someWarn)),
          counter('node_pressure_memory_stalled_seconds_total', NODE, cool(t.psi.fullCritical)),
        ],
        checks: [
          { alert: some.alert, atMinutes: 15, expect: [] },
          { alert: full.alert, atMinutes: 15, expect: [] },
        ],
      },
    );
  }
  const exh = rules.get('MemoryExhaustionProjected')!;
  // Falls MemTotal / 100 each minute from 80 %: zero in 80 minutes, well within the horizon.
  const step = MEM_TOTAL / 100;
  out.push(
    {
      name: 'node_exporter: MemAvailable falling steadily fires MemoryExhaustionProjected',
      series: [{ series: selector('node_memory_MemAvailable_bytes', NODE), values: `${MEM_TOTAL * 0.8}-${step}x${SPAN}` }],
      checks: [{ alert: exh.alert, atMinutes: firingAt(exh), expect: [{ labels: NODE, value: 0 }] }],
    },
    {
      name: 'node_exporter: MemAvailable steady fires no projection',
      series: [flat('node_memory_MemAvailable_bytes', NODE, MEM_TOTAL * 0.3)],
      checks: [{ alert: exh.alert, atMinutes: firingAt(exh), expect: [] }],
    },
  );
  const slabW = rules.get('SlabUnreclaimableHigh')!;
  const slabC = rules.get('SlabUnreclaimableCritical')!;
  const slabMid = MEM_TOTAL * ((t.slab.warn + t.slab.critical) / 2);
  const slabHigh = MEM_TOTAL * (t.slab.critical + 0.05);
  out.push(
    {
      name: 'node_exporter: SUnreclaim between the levels fires SlabUnreclaimableHigh only',
      series: [flat('node_memory_MemTotal_bytes', NODE, MEM_TOTAL), flat('node_memory_SUnreclaim_bytes', NODE, slabMid)],
      checks: [
        { alert: slabW.alert, atMinutes: firingAt(slabW, 0), expect: [{ labels: NODE, value: slabMid / MEM_TOTAL }] },
        { alert: slabC.alert, atMinutes: firingAt(slabC, 0), expect: [] },
      ],
    },
    {
      name: 'node_exporter: SUnreclaim over the critical level fires SlabUnreclaimableCritical',
      series: [flat('node_memory_MemTotal_bytes', NODE, MEM_TOTAL), flat('node_memory_SUnreclaim_bytes', NODE, slabHigh)],
      checks: [{ alert: slabC.alert, atMinutes: firingAt(slabC, 0), expect: [{ labels: NODE, value: slabHigh / MEM_TOTAL }] }],
    },
    {
      name: 'node_exporter: a small SUnreclaim fires no slab rule',
      series: [flat('node_memory_MemTotal_bytes', NODE, MEM_TOTAL), flat('node_memory_SUnreclaim_bytes', NODE, MEM_TOTAL * t.slab.warn * 0.5)],
      checks: [{ alert: slabW.alert, atMinutes: firingAt(slabW, 0), expect: [] }],
    },
  );
  const pf = rules.get('MajorPageFaultsHigh')!;
  const faults = t.majorFaults.perSecond * 2 * 60;
  out.push(
    {
      name: 'node_exporter: major faults at twice the threshold fire MajorPageFaultsHigh',
      series: [counter('node_vmstat_pgmajfault', NODE, faults)],
      checks: [
        { alert: pf.alert, atMinutes: firingAt(pf) + minutes(t.majorFaults.window), expect: [{ labels: NODE, value: rateOf(faults, t.majorFaults.window) }] },
      ],
    },
    {
      name: 'node_exporter: a few major faults fire nothing',
      series: [counter('node_vmstat_pgmajfault', NODE, t.majorFaults.perSecond * 0.1 * 60)],
      checks: [{ alert: pf.alert, atMinutes: 15, expect: [] }],
    },
  );
  if (t.commit) {
    const c = rules.get('CommitLimitNear')!;
    const limit = 10e9;
    const over = limit * ((t.commit.warn + 1) / 2);
    out.push(
      {
        name: 'node_exporter: Committed_AS near CommitLimit fires CommitLimitNear',
        series: [flat('node_memory_CommitLimit_bytes', NODE, limit), flat('node_memory_Committed_AS_bytes', NODE, over)],
        checks: [{ alert: c.alert, atMinutes: firingAt(c, 0), expect: [{ labels: NODE, value: over / limit }] }],
      },
      {
        name: 'node_exporter: Committed_AS well under CommitLimit fires nothing',
        series: [flat('node_memory_CommitLimit_bytes', NODE, limit), flat('node_memory_Committed_AS_bytes', NODE, limit / 2)],
        checks: [{ alert: c.alert, atMinutes: 15, expect: [] }],
      },
    );
  }
  return out;
}

// Series shaped like cAdvisor's (the kubelet's /metrics/cadvisor, and a standalone cAdvisor
// next to Docker): the same metric names and labels.
const K8S_CONTAINER: Labels = {
  container: 'web',
  id: '/kubepods/burstable/pod0d1f7c2e/3c5e9a',
  image: 'registry.example/shop/web:1.4',
  instance: 'node-1:10250',
  job: 'kubelet',
  metrics_path: '/metrics/cadvisor',
  name: 'k8s_web_web-0_shop_0d1f7c2e_0',
  namespace: 'shop',
  pod: 'web-0',
};
const DOCKER_CONTAINER: Labels = { id: '/docker/9b2f4d', image: 'nginx:1.25', instance: 'host-a:8080', job: 'cadvisor', name: 'web' };

function containerScenarios(t: AlertThresholds, rules: Map<string, AlertRule>): Scenario[] {
  if (!t.container) return [];
  const rule = rules.get('ContainerNearMemoryLimit')!;
  const limit = 1e9;
  const near = limit * ((t.container.nearLimit + 1) / 2);
  const at = firingAt(rule, 0);
  return [
    {
      name: 'cAdvisor (series shaped like cAdvisor: it cannot run here): a Kubernetes and a Docker container near their limits fire ContainerNearMemoryLimit',
      series: [
        flat('container_memory_working_set_bytes', K8S_CONTAINER, near),
        flat('container_spec_memory_limit_bytes', K8S_CONTAINER, limit),
        flat('container_memory_working_set_bytes', DOCKER_CONTAINER, near),
        flat('container_spec_memory_limit_bytes', DOCKER_CONTAINER, limit),
      ],
      checks: [
        {
          alert: rule.alert,
          atMinutes: at,
          expect: [
            { labels: K8S_CONTAINER, value: near / limit },
            { labels: DOCKER_CONTAINER, value: near / limit },
          ],
        },
      ],
    },
    {
      name: 'cAdvisor (series shaped like cAdvisor: it cannot run here): no limit (0), a slice without an image, and a container with room fire nothing',
      series: [
        flat('container_memory_working_set_bytes', K8S_CONTAINER, 50e9),
        flat('container_spec_memory_limit_bytes', K8S_CONTAINER, 0),
        flat('container_memory_working_set_bytes', { id: '/system.slice', instance: 'host-a:8080', job: 'cadvisor' }, near),
        flat('container_spec_memory_limit_bytes', { id: '/system.slice', instance: 'host-a:8080', job: 'cadvisor' }, limit),
        flat('container_memory_working_set_bytes', DOCKER_CONTAINER, limit * t.container.nearLimit * 0.5),
        flat('container_spec_memory_limit_bytes', DOCKER_CONTAINER, limit),
      ],
      checks: [{ alert: rule.alert, atMinutes: at, expect: [] }],
    },
  ];
}

// Series shaped like kube-state-metrics' (its metric names and labels, scraped as one target).
const KSM: Labels = { instance: 'kube-state-metrics:8080', job: 'kube-state-metrics' };
const podOf = (namespace: string, pod: string, uid: string): Labels => ({ ...KSM, namespace, pod, uid });
const containerOf = (pod: Labels, container: string): Labels => ({ ...pod, container });
const podInfo = (pod: Labels, node: string): InputSeries =>
  flat(
    'kube_pod_info',
    {
      ...pod,
      created_by_kind: 'StatefulSet',
      created_by_name: 'web',
      host_ip: '10.0.0.11',
      host_network: 'false',
      node,
      pod_ip: '10.1.0.5',
      priority_class: '',
    },
    1,
  );
const nodeInfo = (node: string): InputSeries =>
  flat('kube_node_info', { ...KSM, node, internal_ip: '10.0.0.11', kernel_version: '6.1.0-18-amd64', os_image: 'Debian GNU/Linux 12' }, 1);
/** A container restarted at minute `at` whose last termination has this reason. */
const restarted = (c: Labels, at: number, reason: string): InputSeries[] => [
  stepAt('kube_pod_container_status_restarts_total', c, at),
  stepAt('kube_pod_container_status_last_terminated_reason', { ...c, reason }, at, true),
];
const KSM_NOTE = '(series shaped like kube-state-metrics and node_exporter on a Kubernetes node: no cluster can run here)';

function kubeScenarios(t: AlertThresholds, rules: Map<string, AlertRule>): Scenario[] {
  if (!t.kubernetes) return [];
  const killed = rules.get('KubernetesContainerOomKilled')!;
  const hidden = rules.get('NodeOomKillWithoutOomKilledContainer')!;
  const web = podOf('shop', 'web-0', '0d1f7c2e');
  const batch = podOf('jobs', 'batch-7', '5a6b7c8d');
  const webC = containerOf(web, 'web');
  const batchC = containerOf(batch, 'worker');
  const node1 = { instance: 'node-1:9100', job: 'node' };
  const killAt = 6;
  const hiddenAt = killAt + minutes(hidden.for) + 1;
  return [
    {
      name: `kube-state-metrics ${KSM_NOTE}: a container OOMKilled and restarted fires KubernetesContainerOomKilled, with its node when kube_pod_info knows it`,
      series: [...restarted(webC, killAt, 'OOMKilled'), podInfo(web, 'node-1'), ...restarted(batchC, killAt, 'OOMKilled')],
      checks: [
        {
          alert: killed.alert,
          atMinutes: killAt + 2,
          expect: [
            { labels: { ...webC, node: 'node-1' }, value: 1 },
            { labels: batchC, value: 1 },
          ],
        },
      ],
    },
    {
      name: `kube-state-metrics ${KSM_NOTE}: a restart for another reason, and an OOMKilled long ago, fire nothing`,
      series: [
        ...restarted(webC, killAt, 'Error'),
        podInfo(web, 'node-1'),
        flat('kube_pod_container_status_restarts_total', batchC, 3),
        flat('kube_pod_container_status_last_terminated_reason', { ...batchC, reason: 'OOMKilled' }, 1),
      ],
      checks: [{ alert: killed.alert, atMinutes: killAt + 2, expect: [] }],
    },
    {
      name: `kube-state-metrics ${KSM_NOTE}: the node OOM-killed a process and no container there was OOMKilled (a child in a pod) fires NodeOomKillWithoutOomKilledContainer`,
      series: [
        stepAt('node_vmstat_oom_kill', node1, killAt),
        nodeInfo('node-1'),
        flat('kube_pod_container_status_restarts_total', webC, 0),
        podInfo(web, 'node-1'),
      ],
      checks: [{ alert: hidden.alert, atMinutes: hiddenAt, expect: [{ labels: { ...node1, node: 'node-1' }, value: 1 }] }],
    },
    {
      name: `kube-state-metrics ${KSM_NOTE}: a kill that Kubernetes reports (the container OOMKilled a minute later), or on a host that is no node, fires no hidden-kill alert`,
      series: [
        stepAt('node_vmstat_oom_kill', node1, killAt),
        nodeInfo('node-1'),
        ...restarted(webC, killAt + 1, 'OOMKilled'),
        podInfo(web, 'node-1'),
        stepAt('node_vmstat_oom_kill', { instance: 'db-1:9100', job: 'node' }, killAt),
      ],
      checks: [{ alert: hidden.alert, atMinutes: hiddenAt, expect: [] }],
    },
  ];
}

/** Every scenario for these thresholds; throws if a rule has none that makes it fire. */
export function scenarios(t: AlertThresholds, groups: RuleGroupSpec[] = ruleGroups(t)): Scenario[] {
  const rules = new Map(groups.flatMap((g) => g.specs.map((s) => [s.rule.alert, s.rule] as const)));
  const all = [...nodeScenarios(t, rules), ...containerScenarios(t, rules), ...kubeScenarios(t, rules)];
  for (const alert of rules.keys()) {
    if (!all.some((s) => s.checks.some((c) => c.alert === alert && c.expect.length))) throw new Error(`no promtool scenario makes ${alert} fire`);
  }
  return all;
}

/** The `promtool test rules` file; `rulesPath` as the test file should name the rules file (relative to the test file). */
export function promtoolTestFile(t: AlertThresholds, rulesPath: string): Record<string, unknown> {
  const groups = ruleGroups(t);
  const rules = new Map(groups.flatMap((g) => g.specs.map((s) => [s.rule.alert, s.rule] as const)));
  return {
    rule_files: [rulesPath],
    evaluation_interval: '1m',
    tests: scenarios(t, groups).map((s) => ({
      name: s.name,
      interval: '1m',
      input_series: s.series,
      alert_rule_test: s.checks.map((c) => {
        const rule = rules.get(c.alert);
        if (!rule) throw new Error(`scenario ${s.name} checks ${c.alert}, which is not in the rules`);
        return {
          eval_time: `${c.atMinutes}m`,
          alertname: c.alert,
          exp_alerts: c.expect.map((e) => ({
            exp_labels: { ...e.labels, ...rule.labels },
            exp_annotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, expandTemplate(v, e.labels, e.value)])),
          })),
        };
      }),
    })),
  };
}
