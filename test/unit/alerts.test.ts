import { strict as assert } from 'node:assert';
import { parse } from 'yaml';
import {
  genericThresholds,
  thresholdsForHost,
  ruleFile,
  ruleGroups,
  rulesYaml,
  rulesTestYaml,
  scenarios,
  earlyoomArgs,
  earlyoomDefaults,
  oomdDropIn,
  type AlertRule,
} from '../../src/core/alerts';
import { expandTemplate, goG4, humanize } from '../../src/core/alerts/templates';
import { FINDING_IDS } from '../../src/core/analyze/findings';
import { WARN_FRACTION, CRITICAL_FRACTION } from '../../src/core/analyze/findings/lowAvailable';
import { parseCli, UsageError } from '../../src/cli/args';
import { quietReport, withProcs, proc, container, GiB } from '../fixtures/analyze/reports';

const rulesOf = (yamlText: string): AlertRule[] => (parse(yamlText) as { groups: { rules: AlertRule[] }[] }).groups.flatMap((g) => g.rules);
const byName = (rules: AlertRule[], name: string) => rules.find((r) => r.alert === name);

describe('alert rules', () => {
  const generic = genericThresholds();

  it('the YAML parses back to the same groups: object, with the three exporters', () => {
    const text = rulesYaml(generic);
    assert.match(text, /^# Prometheus alerting rules written by oom-lens alerts/);
    const parsed = parse(text);
    assert.deepEqual(parsed, ruleFile(generic));
    assert.deepEqual(
      parsed.groups.map((g: { name: string }) => g.name),
      ['oom-lens-node', 'oom-lens-cadvisor', 'oom-lens-kube-state-metrics'],
    );
  });

  it('every rule has a severity, summary, description and a runbook naming a real finding id and oom-lens diagnose --host', () => {
    const rules = rulesOf(rulesYaml(generic));
    assert.equal(rules.length, 14);
    for (const r of rules) {
      assert.match(r.labels.severity, /^(warning|critical)$/, r.alert);
      assert.deepEqual(Object.keys(r.labels), ['severity'], r.alert);
      assert.ok(r.annotations.summary && r.annotations.description, r.alert);
      const m = /^OOM Lens finding ([a-z, /-]+)\. Diagnose the host: oom-lens diagnose --host \{\{/.exec(r.annotations.runbook);
      assert.ok(m, `${r.alert}: ${r.annotations.runbook}`);
      for (const id of m[1].split(/, | \/ /)) assert.ok(FINDING_IDS.includes(id), `${r.alert} names unknown finding ${id}`);
      assert.ok(!('keep_firing_for' in r), 'Prometheus 2.42 has no keep_firing_for');
    }
  });

  it('uses the findings’ thresholds: MemAvailable 15 %/10 %, swap 50 %/90 %, PSI 10 %, slab 10 %/25 %, limit 90 %', () => {
    const rules = rulesOf(rulesYaml(generic));
    assert.equal(WARN_FRACTION, 0.15);
    assert.equal(CRITICAL_FRACTION, 0.1);
    assert.match(byName(rules, 'MemoryAvailableLow')!.expr, /< 0\.15$/);
    assert.match(byName(rules, 'MemoryAvailableCritical')!.expr, /^node_memory_MemAvailable_bytes \/ node_memory_MemTotal_bytes < 0\.1\n/);
    assert.match(byName(rules, 'SwapFillingUp')!.expr, /> 0\.5$/);
    assert.match(byName(rules, 'SwapAlmostFull')!.expr, /> 0\.9$/);
    assert.equal(byName(rules, 'OomKillDetected')!.expr, 'increase(node_vmstat_oom_kill[5m]) > 0');
    assert.match(byName(rules, 'MemoryPressureStalls')!.expr, /^rate\(node_pressure_memory_waiting_seconds_total\[1m\]\) > 0\.1$/);
    assert.match(byName(rules, 'MemoryPressureFullStalls')!.expr, /^rate\(node_pressure_memory_stalled_seconds_total\[1m\]\) > 0\.1$/);
    assert.match(byName(rules, 'MemoryExhaustionProjected')!.expr, /^predict_linear\(node_memory_MemAvailable_bytes\[1h\], 4 \* 3600\) < 0$/);
    assert.match(byName(rules, 'SlabUnreclaimableHigh')!.expr, /SUnreclaim_bytes \/ node_memory_MemTotal_bytes > 0\.1$/);
    assert.match(byName(rules, 'SlabUnreclaimableCritical')!.expr, /> 0\.25$/);
    assert.match(byName(rules, 'MajorPageFaultsHigh')!.expr, /^rate\(node_vmstat_pgmajfault\[5m\]\) > 1000$/);
    assert.match(byName(rules, 'ContainerNearMemoryLimit')!.expr, /container_spec_memory_limit_bytes\{image!=""\} > 0\)\n> 0\.9$/);
    assert.match(byName(rules, 'KubernetesContainerOomKilled')!.expr, /last_terminated_reason\{reason="OOMKilled"\} == 1/);
    assert.match(byName(rules, 'NodeOomKillWithoutOomKilledContainer')!.expr, /unless on\(node\)/);
    for (const r of rules.filter((x) => !/OomKill/.test(x.alert))) assert.ok(r.for, `${r.alert} has a for:`);
  });

  it('tuned to a host without swap, PSI or Kubernetes: no rules for what it lacks, a shorter critical for:, its sizes in the text', () => {
    const r = quietReport({ swap: false });
    const tuned = thresholdsForHost({ ...r, pressure: null });
    const rules = rulesOf(rulesYaml(tuned));
    const names = rules.map((x) => x.alert);
    for (const gone of [
      'SwapFillingUp',
      'SwapAlmostFull',
      'MemoryPressureStalls',
      'MemoryPressureFullStalls',
      'KubernetesContainerOomKilled',
      'NodeOomKillWithoutOomKilledContainer',
    ])
      assert.ok(!names.includes(gone), gone);
    assert.ok(names.includes('ContainerNearMemoryLimit'), 'the host has a memory-limited docker cgroup');
    const crit = byName(rules, 'MemoryAvailableCritical')!;
    assert.equal(crit.for, '1m');
    assert.equal(byName(rulesOf(rulesYaml(generic)), 'MemoryAvailableCritical')!.for, '2m');
    assert.match(crit.annotations.description, /On web-1 \(8 GiB\) that is 819 MiB\./);
    const text = rulesYaml(tuned);
    assert.match(text, /--for-host \(tuned to web-1\)/);
    assert.match(text, /# web-1 has no swap: no swap rules/);
    assert.doesNotMatch(earlyoomDefaults(tuned), / -s /);
    assert.match(oomdDropIn(tuned), /# No swap on this host: no SwapUsedLimit\./);
  });

  it('tuned to a Kubernetes node with swap and strict overcommit: swap sizes, the kube rules, a CommitLimit rule', () => {
    const r = withProcs(quietReport(), proc({ comm: 'java', container: container('kubernetes', 'abc', { podUid: 'u1' }) }));
    const tuned = thresholdsForHost({ ...r, settings: { ...r.settings, overcommitMemory: 2 } });
    const rules = rulesOf(rulesYaml(tuned));
    assert.ok(byName(rules, 'NodeOomKillWithoutOomKilledContainer'));
    assert.match(byName(rules, 'CommitLimitNear')!.expr, /Committed_AS_bytes \/ node_memory_CommitLimit_bytes > 0\.9$/);
    assert.match(byName(rules, 'SwapAlmostFull')!.annotations.description, /On web-1 \(2 GiB\) that is 1\.8 GiB\./);
    assert.ok(!byName(rulesOf(rulesYaml(generic)), 'CommitLimitNear'), 'generic rules assume no overcommit mode');
    assert.equal(tuned.host?.memTotalKb, 8 * GiB);
  });

  it('the promtool tests make every rule fire and give every family a case that must not fire', () => {
    for (const t of [generic, thresholdsForHost(quietReport({ swap: false }))]) {
      const tests = parse(rulesTestYaml(t, 'rules.yml'));
      assert.deepEqual(tests.rule_files, ['rules.yml']);
      assert.equal(tests.evaluation_interval, '1m');
      const checks = tests.tests.flatMap((g: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }) => g.alert_rule_test);
      const rules = rulesOf(rulesYaml(t));
      for (const r of rules)
        assert.ok(
          checks.some((c: { alertname: string; exp_alerts: unknown[] }) => c.alertname === r.alert && c.exp_alerts.length),
          `${r.alert} never fires`,
        );
      const familyOf = new Map(ruleGroups(t).flatMap((g) => g.specs.map((x) => [x.rule.alert, x.family] as const)));
      const quiet = new Set(scenarios(t).flatMap((x) => x.checks.filter((c) => c.expect.length === 0).map((c) => familyOf.get(c.alert))));
      for (const family of new Set(familyOf.values())) assert.ok(quiet.has(family), `family ${family} has no must-not-fire case`);
    }
    const names = scenarios(generic).map((s) => s.name);
    assert.ok(names.some((n) => n.startsWith('cAdvisor (series shaped like cAdvisor')));
    assert.ok(names.some((n) => n.startsWith('kube-state-metrics (series shaped like kube-state-metrics')));
  });

  it('expands the annotation templates as Prometheus does (humanize, humanizePercentage, reReplaceAll, if/else)', () => {
    assert.equal(goG4(12.5), '12.5');
    assert.equal(goG4(1234.5), '1234');
    assert.equal(goG4(1235.5), '1236');
    assert.equal(goG4(9999.7), '1e+04');
    assert.equal(goG4(-0.075), '-0.075');
    assert.equal(goG4(7.5), '7.5');
    assert.equal(goG4(100), '100');
    assert.equal(goG4(12345), '1.234e+04');
    assert.equal(goG4(0.00001234), '1.234e-05');
    assert.equal(humanize(2000), '2k');
    assert.equal(humanize(0.25), '250m');
    assert.equal(humanize(1), '1');
    assert.equal(
      expandTemplate('{{ $labels.instance | reReplaceAll ":[0-9]+$" "" }} {{ $value | humanizePercentage }}', { instance: 'db-1:9100' }, 0.125),
      'db-1 12.5%',
    );
    assert.equal(expandTemplate('{{ if $labels.node }}on {{ $labels.node }}{{ else }}NODE{{ end }}', {}, 0), 'NODE');
    assert.throws(() => expandTemplate('{{ $value | humanize1024 }}', {}, 1), /not supported/);
  });

  it('earlyoom and systemd-oomd get the critical levels', () => {
    assert.deepEqual(earlyoomArgs(generic), ['-m', '10,5', '-s', '10,5', '-r', '3600']);
    assert.match(earlyoomDefaults(generic), /^EARLYOOM_ARGS="-m 10,5 -s 10,5 -r 3600"$/m);
    const oomd = oomdDropIn(generic);
    assert.match(oomd, /^\[OOM\]$/m);
    assert.match(oomd, /^SwapUsedLimit=90%$/m);
    assert.match(oomd, /^DefaultMemoryPressureLimit=10%$/m);
    assert.match(oomd, /^DefaultMemoryPressureDurationSec=60s$/m);
  });

  it('oom-lens alerts: its options parse, and misuse is a usage error', () => {
    assert.deepEqual(parseCli(['alerts']).alertOptions, { forHost: false, tests: null, format: 'prometheus' });
    const a = parseCli(['alerts', '--for-host', '--host', 'db-1', '--out', 'r.yml', '--tests', 't.yml']);
    assert.deepEqual(a.alertOptions, { forHost: true, tests: 't.yml', format: 'prometheus' });
    assert.equal(a.host, 'db-1');
    assert.equal(parseCli(['alerts', '--format', 'oomd']).alertOptions?.format, 'oomd');
    for (const bad of [
      ['alerts', '--format', 'json'],
      ['alerts', '--json'],
      ['alerts', '--tests', 't.yml'],
      ['alerts', '--format', 'earlyoom', '--out', 'x', '--tests', 't.yml'],
      ['alerts', '--host', 'db-1'],
      ['diagnose', '--for-host'],
      ['alerts', 'extra'],
    ])
      assert.throws(() => parseCli(bad), UsageError, bad.join(' '));
  });
});
