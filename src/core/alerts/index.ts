// Alert rules for Prometheus (and the same thresholds for earlyoom and systemd-oomd), generic or
// tuned to a diagnosed host. Pure: the caller brings the Report; YAML comes from the yaml library.
import { Document } from 'yaml';
import type { AlertThresholds } from './thresholds';
import { ruleFile } from './rules';
import { promtoolTestFile } from './promtoolTests';

export { genericThresholds, thresholdsForHost, type AlertThresholds } from './thresholds';
export { ruleFile, ruleGroups, type AlertRule, type RuleGroupSpec } from './rules';
export { promtoolTestFile, scenarios } from './promtoolTests';
export { earlyoomArgs, earlyoomDefaults } from './earlyoom';
export { oomdDropIn } from './oomd';

export { ALERT_FORMATS, type AlertFormat } from './formats';

function yaml(value: unknown, comment: string[]): string {
  const doc = new Document(value);
  doc.commentBefore = comment.map((l) => ` ${l}`).join('\n');
  // No folding: a PromQL expression stays on the lines it was written on.
  return doc.toString({ lineWidth: 0 });
}

function header(t: AlertThresholds): string[] {
  return [
    `Prometheus alerting rules written by oom-lens alerts${t.host ? ` --for-host (tuned to ${t.host.name})` : ''}.`,
    'The thresholds are those of the OOM Lens findings; each rule names its finding in the runbook annotation.',
    'Load: add this file to rule_files: in prometheus.yml, check it with promtool check rules FILE, then reload Prometheus.',
    ...t.notes,
  ];
}

export function rulesYaml(t: AlertThresholds): string {
  return yaml(ruleFile(t), header(t));
}

/** The promtool test file; `rulesPath` is the rules file relative to the test file. */
export function rulesTestYaml(t: AlertThresholds, rulesPath: string): string {
  return yaml(promtoolTestFile(t, rulesPath), [
    `promtool test rules for the rules written by oom-lens alerts${t.host ? ` --for-host (${t.host.name})` : ''}: every rule fires once, every family has a case that must not.`,
    'cAdvisor and kube-state-metrics rules are proven only here, on series shaped like theirs.',
    'Run: promtool test rules THIS_FILE',
  ]);
}
