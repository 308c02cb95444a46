// The alerting rules, as data: node_exporter (the host), cAdvisor (containers) and
// kube-state-metrics (pods). Every rule names the OOM Lens finding it matches and the command that
// diagnoses the host, so the person paged goes from the alert to the evidence in one step.
import { formatKb, formatShare } from '../format';
import type { AlertThresholds } from './thresholds';
import { HOST, VALUE, VALUE_PERCENT, ifLabel, label } from './templates';

export type AlertSeverity = 'warning' | 'critical';

/** One rule as Prometheus reads it (rule files are strict: no other field). */
export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: AlertSeverity };
  annotations: { summary: string; description: string; runbook: string };
}

/** A rule and what it belongs to: the family its tests share, and the finding it matches. */
export interface RuleSpec {
  family: string;
  finding: string;
  rule: AlertRule;
}

export interface RuleGroupSpec {
  name: string;
  /** Which exporter the rules read. */
  source: 'node_exporter' | 'cAdvisor' | 'kube-state-metrics';
  specs: RuleSpec[];
}

/** The host in `oom-lens diagnose --host …`: the scrape target, or a pod's node. */
function runbook(findings: string, host: string, more = ''): string {
  return `OOM Lens finding ${findings}. Diagnose the host: oom-lens diagnose --host ${host} (add --sample 60s to see what grows).${more ? ` ${more}` : ''}`;
}

const pct = (f: number) => formatShare(f);
const num = (f: number) => String(Number(f.toPrecision(6)));

function tunedNote(t: AlertThresholds, fraction: number, of: 'memTotalKb' | 'swapTotalKb'): string {
  const total = t.host?.[of];
  return t.host && total ? ` On ${t.host.name} (${formatKb(total)}) that is ${formatKb(total * fraction)}.` : '';
}

function nodeSpecs(t: AlertThresholds): RuleSpec[] {
  const ratio = 'node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes';
  const a = t.available;
  const specs: RuleSpec[] = [
    {
      family: 'available',
      finding: 'low-available',
      rule: {
        alert: 'MemoryAvailableLow',
        expr: `${ratio} < ${num(a.warn)}`,
        for: a.warnFor,
        labels: { severity: 'warning' },
        annotations: {
          summary: `MemAvailable on ${HOST} is ${VALUE_PERCENT} of RAM`,
          description: `Less than ${pct(a.warn)} of RAM can be allocated without swapping or reclaiming hard, for ${a.warnFor}.${tunedNote(t, a.warn, 'memTotalKb')} Find the largest processes and whether one of them grows.`,
          runbook: runbook('low-available', HOST),
        },
      },
    },
    {
      family: 'available',
      finding: 'low-available',
      rule: {
        alert: 'MemoryAvailableCritical',
        // Hysteresis without keep_firing_for (Prometheus 2.42 has none): once firing, the rule
        // holds until MemAvailable is back above the warning level, as Netdata's ram_available
        // does, so a host hovering at the critical level does not flap.
        expr: `${ratio} < ${num(a.critical)}\nor (\n  ${ratio} < ${num(a.warn)}\n  and ignoring(alertname, alertstate, severity) ALERTS{alertname="MemoryAvailableCritical", alertstate="firing"}\n)`,
        for: a.criticalFor,
        labels: { severity: 'critical' },
        annotations: {
          summary: `MemAvailable on ${HOST} is ${VALUE_PERCENT} of RAM: an OOM kill is near`,
          description: `Less than ${pct(a.critical)} of RAM is available for ${a.criticalFor}; it clears only above ${pct(a.warn)}.${tunedNote(t, a.critical, 'memTotalKb')} The kernel will OOM-kill a process soon unless memory is freed.`,
          runbook: runbook('low-available', HOST, 'Its remedies: kill the hog, add swap, drop caches if they are large.'),
        },
      },
    },
  ];
  if (t.swap) {
    const used = '(node_memory_SwapTotal_bytes - node_memory_SwapFree_bytes) / (node_memory_SwapTotal_bytes > 0)';
    specs.push(
      {
        family: 'swap',
        finding: 'swap-heavy',
        rule: {
          alert: 'SwapFillingUp',
          expr: `${used} > ${num(t.swap.warn)}`,
          for: t.swap.warnFor,
          labels: { severity: 'warning' },
          annotations: {
            summary: `Swap on ${HOST} is ${VALUE_PERCENT} used`,
            description: `More than ${pct(t.swap.warn)} of swap is in use for ${t.swap.warnFor}: RAM has not been enough for a while.${tunedNote(t, t.swap.warn, 'swapTotalKb')}`,
            runbook: runbook('swap-heavy', HOST),
          },
        },
      },
      {
        family: 'swap',
        finding: 'swap-heavy',
        rule: {
          alert: 'SwapAlmostFull',
          expr: `${used} > ${num(t.swap.critical)}`,
          for: t.swap.criticalFor,
          labels: { severity: 'critical' },
          annotations: {
            summary: `Swap on ${HOST} is ${VALUE_PERCENT} used: the next shortage is an OOM kill`,
            description: `More than ${pct(t.swap.critical)} of swap is in use for ${t.swap.criticalFor}.${tunedNote(t, t.swap.critical, 'swapTotalKb')} When swap is full the kernel can only OOM-kill.`,
            runbook: runbook('swap-heavy', HOST, 'Its remedies: add swap, find what fills it.'),
          },
        },
      },
    );
  }
  specs.push({
    family: 'oom-kill',
    finding: 'oom-killed',
    rule: {
      alert: 'OomKillDetected',
      expr: `increase(node_vmstat_oom_kill[${t.oomKill.window}]) > 0`,
      labels: { severity: 'warning' },
      annotations: {
        summary: `The kernel OOM-killed a process on ${HOST}`,
        description: `node_vmstat_oom_kill rose by ${VALUE} in the last ${t.oomKill.window}: the OOM killer ended a process (the "Killed process" line of the kernel log). OOM Lens reads that line: the victim, its size, its cgroup and why it was chosen.`,
        runbook: runbook('oom-killed', HOST, 'It lists every kill in the kernel log with the victim and the cgroup.'),
      },
    },
  });
  if (t.psi) {
    specs.push(
      {
        family: 'psi',
        finding: 'memory-pressure',
        rule: {
          alert: 'MemoryPressureStalls',
          expr: `rate(node_pressure_memory_waiting_seconds_total[${t.psi.window}]) > ${num(t.psi.someWarn)}`,
          for: t.psi.for,
          labels: { severity: 'warning' },
          annotations: {
            summary: `Tasks on ${HOST} wait for memory ${VALUE_PERCENT} of the time (PSI some)`,
            description: `At least one task stalled on memory (reclaim, swap-in, refaults) more than ${pct(t.psi.someWarn)} of the time over ${t.psi.window}, for ${t.psi.for}: the host thrashes before any OOM kill.`,
            runbook: runbook('memory-pressure', HOST),
          },
        },
      },
      {
        family: 'psi',
        finding: 'memory-pressure',
        rule: {
          alert: 'MemoryPressureFullStalls',
          expr: `rate(node_pressure_memory_stalled_seconds_total[${t.psi.window}]) > ${num(t.psi.fullCritical)}`,
          for: t.psi.for,
          labels: { severity: 'critical' },
          annotations: {
            summary: `Every task on ${HOST} stalls on memory ${VALUE_PERCENT} of the time (PSI full)`,
            description: `All non-idle tasks were stalled on memory at once more than ${pct(t.psi.fullCritical)} of the time over ${t.psi.window}, for ${t.psi.for}: the host does almost nothing but reclaim.`,
            runbook: runbook('memory-pressure', HOST),
          },
        },
      },
    );
  }
  const e = t.exhaustion;
  specs.push(
    {
      family: 'exhaustion',
      finding: 'low-available, leak-suspect',
      rule: {
        alert: 'MemoryExhaustionProjected',
        expr: `predict_linear(node_memory_MemAvailable_bytes[${e.window}], ${e.horizonHours} * 3600) < 0`,
        for: e.for,
        labels: { severity: 'warning' },
        annotations: {
          summary: `MemAvailable on ${HOST} will run out within ${e.horizonHours}h at its current trend`,
          description: `A linear fit of MemAvailable over the last ${e.window} reaches zero within ${e.horizonHours} hours, and has for ${e.for}: something grows steadily (often a leak).`,
          runbook: runbook('low-available / leak-suspect', HOST, 'With --sample it names the processes that grow and their rate.'),
        },
      },
    },
    {
      family: 'slab',
      finding: 'slab-unreclaimable',
      rule: {
        alert: 'SlabUnreclaimableHigh',
        expr: `node_memory_SUnreclaim_bytes / node_memory_MemTotal_bytes > ${num(t.slab.warn)}`,
        for: t.slab.for,
        labels: { severity: 'warning' },
        annotations: {
          summary: `Unreclaimable kernel slab on ${HOST} is ${VALUE_PERCENT} of RAM`,
          description: `SUnreclaim is more than ${pct(t.slab.warn)} of RAM for ${t.slab.for}: kernel memory no process RSS shows and drop_caches cannot free (a driver, conntrack, leaked sockets or inodes).`,
          runbook: runbook('slab-unreclaimable', HOST, 'Then see the largest caches: sudo slabtop -o -s c.'),
        },
      },
    },
    {
      family: 'slab',
      finding: 'slab-unreclaimable',
      rule: {
        alert: 'SlabUnreclaimableCritical',
        expr: `node_memory_SUnreclaim_bytes / node_memory_MemTotal_bytes > ${num(t.slab.critical)}`,
        for: t.slab.for,
        labels: { severity: 'critical' },
        annotations: {
          summary: `Unreclaimable kernel slab on ${HOST} is ${VALUE_PERCENT} of RAM`,
          description: `SUnreclaim is more than ${pct(t.slab.critical)} of RAM for ${t.slab.for}: a kernel-side leak is likely.`,
          runbook: runbook('slab-unreclaimable', HOST, 'Then see the largest caches: sudo slabtop -o -s c.'),
        },
      },
    },
    {
      family: 'major-faults',
      finding: 'memory-pressure',
      rule: {
        alert: 'MajorPageFaultsHigh',
        expr: `rate(node_vmstat_pgmajfault[${t.majorFaults.window}]) > ${num(t.majorFaults.perSecond)}`,
        for: t.majorFaults.for,
        labels: { severity: 'warning' },
        annotations: {
          summary: `${HOST} reads ${VALUE} pages per second back from disk (major faults)`,
          description: `More than ${t.majorFaults.perSecond} major page faults per second over ${t.majorFaults.window}, for ${t.majorFaults.for}: pages are evicted and read back (swap-in, file refaults), a sign of thrashing.`,
          runbook: runbook('memory-pressure', HOST),
        },
      },
    },
  );
  if (t.commit) {
    specs.push({
      family: 'commit',
      finding: 'overcommit-strict-exceeded',
      rule: {
        alert: 'CommitLimitNear',
        expr: `node_memory_Committed_AS_bytes / node_memory_CommitLimit_bytes > ${num(t.commit.warn)}`,
        for: t.commit.for,
        labels: { severity: 'warning' },
        annotations: {
          summary: `Committed memory on ${HOST} is ${VALUE_PERCENT} of CommitLimit (strict overcommit)`,
          description: `With vm.overcommit_memory = 2, allocations fail with "Cannot allocate memory" once Committed_AS reaches CommitLimit, while RAM may look free.`,
          runbook: runbook('overcommit-strict-exceeded', HOST),
        },
      },
    });
  }
  return specs;
}

function containerSpecs(t: AlertThresholds): RuleSpec[] {
  if (!t.container) return [];
  const c = t.container;
  const who = `${ifLabel('pod', `pod ${label('namespace')}/${label('pod')} container ${label('container')}`)}${ifLabel('name', ` (${label('name')})`)}`;
  return [
    {
      family: 'container',
      finding: 'container-near-limit',
      rule: {
        alert: 'ContainerNearMemoryLimit',
        // A limit of 0 is "no limit" in cAdvisor; image!="" keeps containers (Docker and
        // Kubernetes alike), not the slices and the root cgroup.
        expr: `container_memory_working_set_bytes{image!=""}\n  / (container_spec_memory_limit_bytes{image!=""} > 0)\n> ${num(c.nearLimit)}`,
        for: c.for,
        labels: { severity: 'warning' },
        annotations: {
          summary: `Container ${label('id')} on ${HOST} is at ${VALUE_PERCENT} of its memory limit`,
          description: `The working set of ${who}cgroup ${label('id')} is above ${pct(c.nearLimit)} of container_spec_memory_limit_bytes for ${c.for}: at the limit the kernel OOM-kills inside it.`,
          runbook: runbook('container-near-limit', HOST, 'It shows the cgroup, its members, its peak and a limit that fits.'),
        },
      },
    },
  ];
}

function kubeSpecs(t: AlertThresholds): RuleSpec[] {
  if (!t.kubernetes) return [];
  const k = t.kubernetes;
  const nodeOf = 'on(namespace, pod) group_left(node) max by (namespace, pod, node) (kube_pod_info)';
  const oomKilled = (window: string) =>
    `increase(kube_pod_container_status_restarts_total[${window}]) > 0\n  and on(namespace, pod, container) kube_pod_container_status_last_terminated_reason{reason="OOMKilled"} == 1`;
  const node = label('node');
  return [
    {
      family: 'kubernetes',
      finding: 'oom-killed',
      rule: {
        alert: 'KubernetesContainerOomKilled',
        // The node comes from kube_pod_info; without it the alert still fires, without a node.
        expr: `(\n  ${oomKilled(k.window)}\n) * ${nodeOf}\nor on(namespace, pod, container) (\n  ${oomKilled(k.window)}\n)`,
        labels: { severity: 'warning' },
        annotations: {
          summary: `Container ${label('container')} of pod ${label('namespace')}/${label('pod')} was OOMKilled${ifLabel('node', ` on ${node}`)}`,
          description: `It restarted ${VALUE} times in ${k.window} and its last termination reason is OOMKilled: it needs more than its memory limit at peak (a leak, or a limit too small for its load).`,
          runbook: runbook(
            'oom-killed, container-near-limit',
            ifLabel('node', node, 'NODE (the node of the pod)'),
            'kubectl describe pod shows the limit; OOM Lens shows the kill and the growth.',
          ),
        },
      },
    },
    {
      family: 'kubernetes',
      finding: 'oom-killed',
      rule: {
        alert: 'NodeOomKillWithoutOomKilledContainer',
        // The kill Kubernetes never shows: a child process OOM-killed inside a pod (the
        // container's main process lives on), or a process outside every pod. The node_exporter
        // target's instance must be the node name (optionally with a port), as kube-prometheus
        // relabels it. The OOMKilled side looks back longer: the kubelet reports it late.
        expr:
          `(\n  label_replace(increase(node_vmstat_oom_kill[${k.window}]) > 0, "node", "$1", "instance", "([^:]+)(:[0-9]+)?")\n  and on(node) kube_node_info\n)\n` +
          `unless on(node) (\n  (\n    ${oomKilled(k.catchUpWindow).replace(/\n {2}/g, '\n    ')}\n  ) * ${nodeOf}\n)`,
        for: k.nodeKillFor,
        labels: { severity: 'warning' },
        annotations: {
          summary: `Node ${node} OOM-killed a process, but no container there was OOMKilled`,
          description: `node_vmstat_oom_kill rose by ${VALUE} in ${k.window} on ${node}, and no container on that node has an OOMKilled termination with a restart: a child process inside a pod (kubernetes #78973, #88522) or a process outside every pod was killed. Kubernetes shows nothing; the node's kernel log names the victim and its cgroup.`,
          runbook: runbook('oom-killed', node, 'It reads the kernel log of the node: the victim, its cgroup (hence its pod) and why it was chosen.'),
        },
      },
    },
  ];
}

/** Every rule group for these thresholds (empty groups left out). */
export function ruleGroups(t: AlertThresholds): RuleGroupSpec[] {
  const groups: RuleGroupSpec[] = [
    { name: 'oom-lens-node', source: 'node_exporter', specs: nodeSpecs(t) },
    { name: 'oom-lens-cadvisor', source: 'cAdvisor', specs: containerSpecs(t) },
    { name: 'oom-lens-kube-state-metrics', source: 'kube-state-metrics', specs: kubeSpecs(t) },
  ];
  return groups.filter((g) => g.specs.length);
}

/** The rules file as Prometheus reads it: `groups:` of `name` and `rules`. */
export function ruleFile(t: AlertThresholds): { groups: { name: string; rules: AlertRule[] }[] } {
  return { groups: ruleGroups(t).map((g) => ({ name: g.name, rules: g.specs.map((s) => s.rule) })) };
}
