// Runs every rule over a report and sorts the findings by severity (critical, warning, info), then
// by rule order. Each rule is a pure (ctx) => Finding[]; one that throws becomes a warning, never a
// crash. The finding ids are stable: see README.md next to this file for the table.
import type { Finding, Report } from '../../model/report';
import { type FindingContext, type Rule, SEVERITY_RANK } from './context';
import { oomKilled } from './oomKilled';
import { runtimeOom } from './runtimeOom';
import { leakSuspect } from './leakSuspect';
import { grewThenFlat } from './grewThenFlat';
import { growing } from './growing';
import { lowAvailable } from './lowAvailable';
import { noSwap } from './noSwap';
import { swapHeavy } from './swapHeavy';
import { memoryPressure } from './memoryPressure';
import { overcommitAlways } from './overcommitAlways';
import { overcommitStrict } from './overcommitStrict';
import { oomScoreAdjDisabled } from './oomScoreAdjDisabled';
import { criticalUnprotected } from './criticalUnprotected';
import { jvmHeap } from './jvmHeap';
import { nodeHeap } from './nodeHeap';
import { apacheWorkers, nginxWorkers } from './webWorkers';
import { containerNoLimit } from './containerNoLimit';
import { containerNearLimit } from './containerNearLimit';
import { slabUnreclaimable } from './slabUnreclaimable';
import { shmemHidden } from './shmemHidden';
import { panicOnOom } from './panicOnOom';
import { killAllocatingTask } from './killAllocatingTask';
import { manyProcesses } from './manyProcesses';
import { userspaceKiller } from './userspaceKiller';

export type { FindingContext, Rule } from './context';

/** Every rule, with the ids it can emit (README.md documents each id). */
export const RULES: { name: string; ids: string[]; run: Rule }[] = [
  { name: 'oomKilled', ids: ['oom-killed'], run: oomKilled },
  { name: 'runtimeOom', ids: ['runtime-oom'], run: runtimeOom },
  { name: 'panicOnOom', ids: ['panic-on-oom'], run: panicOnOom },
  { name: 'leakSuspect', ids: ['leak-suspect'], run: leakSuspect },
  { name: 'grewThenFlat', ids: ['grew-then-flat'], run: grewThenFlat },
  { name: 'lowAvailable', ids: ['low-available'], run: lowAvailable },
  { name: 'memoryPressure', ids: ['memory-pressure'], run: memoryPressure },
  { name: 'containerNearLimit', ids: ['container-near-limit'], run: containerNearLimit },
  { name: 'swapHeavy', ids: ['swap-heavy'], run: swapHeavy },
  { name: 'noSwap', ids: ['no-swap'], run: noSwap },
  { name: 'overcommitStrict', ids: ['overcommit-strict-exceeded'], run: overcommitStrict },
  { name: 'overcommitAlways', ids: ['overcommit-always'], run: overcommitAlways },
  { name: 'jvmHeap', ids: ['jvm-heap-vs-limit'], run: jvmHeap },
  { name: 'nodeHeap', ids: ['node-heap-vs-limit'], run: nodeHeap },
  { name: 'criticalUnprotected', ids: ['critical-unprotected'], run: criticalUnprotected },
  { name: 'oomScoreAdjDisabled', ids: ['oom-score-adj-disabled'], run: oomScoreAdjDisabled },
  { name: 'killAllocatingTask', ids: ['kill-allocating-task'], run: killAllocatingTask },
  { name: 'containerNoLimit', ids: ['container-no-limit'], run: containerNoLimit },
  { name: 'slabUnreclaimable', ids: ['slab-unreclaimable'], run: slabUnreclaimable },
  { name: 'shmemHidden', ids: ['shmem-hidden'], run: shmemHidden },
  { name: 'nginxWorkers', ids: ['nginx-workers'], run: nginxWorkers },
  { name: 'apacheWorkers', ids: ['apache-workers'], run: apacheWorkers },
  { name: 'manyProcesses', ids: ['many-processes', 'zombies'], run: manyProcesses },
  { name: 'userspaceKiller', ids: ['userspace-oom-killer'], run: userspaceKiller },
  { name: 'growing', ids: ['growing'], run: growing },
];

export const FINDING_IDS: string[] = RULES.flatMap((r) => r.ids);

export interface FindingsResult {
  findings: Finding[];
  /** Rules that failed on this report (a bug or a very odd report), one line each, prefixed "analysis:". */
  warnings: string[];
}

/** Every rule's findings, sorted by severity then rule order (stable). */
export function analyzeFindings(ctx: FindingContext): FindingsResult {
  const all: { f: Finding; order: number }[] = [];
  const warnings: string[] = [];
  RULES.forEach((rule, order) => {
    try {
      for (const f of rule.run(ctx)) all.push({ f, order });
    } catch (err) {
      warnings.push(`analysis: rule ${rule.name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  all.sort((a, b) => SEVERITY_RANK[a.f.severity] - SEVERITY_RANK[b.f.severity] || a.order - b.order);
  // Every instance gets a key (rule + subject), unique in the list: UIs keep open/closed state by it.
  const seen = new Set<string>();
  const findings = all.map(({ f }) => {
    let key = f.key ?? f.id;
    for (let n = 2; seen.has(key); n++) key = `${f.key ?? f.id}#${n}`;
    seen.add(key);
    return key === f.key ? f : { ...f, key };
  });
  return { findings, warnings };
}

/** The findings of a report (rule failures are dropped; use analyzeFindings to see them). */
export function runFindings(report: Report, opts: Omit<FindingContext, 'report'> = {}): Finding[] {
  return analyzeFindings({ ...opts, report }).findings;
}
