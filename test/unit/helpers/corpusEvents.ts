// Maps the corpus' hand-written readings (snake_case, their own layout) onto the oom-events
// contract, so tests can assert every stated fact. Keys that name facts the contract has no field
// for are listed in IGNORED with the reason; any other key fails the test, so nothing is skipped
// by accident.

import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { OomEvent, OomEventsResult, OomTask } from '../../../src/core/model/oomEvent';

export const CORPUS = process.env.OOM_CORPUS ?? '/work/shared/corpus';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form JSON readings
type Obj = Record<string, any>;

export interface Sample {
  name: string;
  text: string;
  expected: Obj;
}

export function samples(category: string): Sample[] {
  const dir = join(CORPUS, category);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => ({
      name: f.replace(/\.txt$/, ''),
      text: readFileSync(join(dir, f), 'utf8'),
      expected: JSON.parse(readFileSync(join(dir, f.replace(/\.txt$/, '.expected.json')), 'utf8')),
    }));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reading contract fields by mapped name
type Loose = any;

function eq(actual: unknown, expected: unknown, what: string): void {
  assert.deepEqual(actual, expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

const TASK_COLUMNS: Record<string, keyof OomTask | 'cpu' | 'oomAdj' | 'nrPtes' | 'nrPmds'> = {
  pid: 'pid',
  uid: 'uid',
  tgid: 'tgid',
  total_vm: 'totalVmPages',
  rss: 'rssPages',
  rss_anon: 'rssAnonPages',
  rss_file: 'rssFilePages',
  rss_shmem: 'rssShmemPages',
  pgtables_bytes: 'pgtablesBytes',
  swapents: 'swapEntries',
  oom_score_adj: 'oomScoreAdj',
  name: 'name',
  cpu: 'cpu',
  oom_adj: 'oomAdj',
  nr_ptes: 'nrPtes',
  nr_pmds: 'nrPmds',
};

function checkRow(tasks: OomTask[], row: Obj, what: string): void {
  const t = tasks.find((x) => x.pid === row.pid);
  assert.ok(t, `${what}: no task row with pid ${row.pid}`);
  for (const [k, v] of Object.entries(row)) {
    const field = TASK_COLUMNS[k];
    assert.ok(field, `${what}: unknown task column ${k}`);
    eq((t as Loose)[field] ?? null, v, `${what}.${k}`);
  }
}

const VICTIM: Record<string, string> = {
  pid: 'pid',
  comm: 'comm',
  uid: 'uid',
  score: 'score',
  total_vm_kb: 'totalVmKb',
  anon_rss_kb: 'anonRssKb',
  file_rss_kb: 'fileRssKb',
  shmem_rss_kb: 'shmemRssKb',
  pgtables_kb: 'pgtablesKb',
  oom_score_adj: 'oomScoreAdj',
  adj: 'oomScoreAdj',
};

/** Facts in the kernel-oom readings the contract has no field for (kept out on purpose). */
const IGNORED_KERNEL = new Set([
  'tainted', // kernel taint flags: not in the contract
  'preempt',
  'cpuset', // the trigger's cpuset name (a cgroup name, not the memcg)
  'mems_allowed',
  'nodemask',
  'mem_info', // Mem-Info block totals: not in the contract
  'memcg_stats_for', // used only to derive the container when no task_memcg is printed
  'memcg_stats_kb',
  'complete',
  'note',
  'victim_differs_from_selected', // checked through selected/victim pids
  'victim_known_only_from',
  'kill_line_prefix',
  'cause',
  'sysrq_line',
  'panic_task', // the task that was running when the panic was printed, not an OOM trigger
  'select_line', // checked through selected/victim.score
]);

export function checkKernelEvent(ev: OomEvent, exp: Obj, what: string): void {
  for (const [key, value] of Object.entries(exp)) {
    const w = `${what}.${key}`;
    if (IGNORED_KERNEL.has(key)) continue;
    switch (key) {
      case 'kind':
        eq(ev.kind, value, w);
        break;
      case 'killer':
        eq(ev.kind, value, w);
        break;
      case 'trigger':
        if (value === null) eq(ev.trigger, null, w);
        else {
          assert.ok(ev.trigger, `${w}: missing`);
          const map: Record<string, string> = {
            comm: 'comm',
            pid: 'pid',
            gfp_mask: 'gfpMask',
            gfp_flags: 'gfpFlags',
            order: 'order',
            oom_score_adj: 'oomScoreAdj',
            uid: 'uid',
            oom_adj: 'oomAdj',
          };
          for (const [k, v] of Object.entries(value as Obj)) {
            if (k === 'cpuset' || k === 'mems_allowed') continue;
            assert.ok(map[k], `${w}: unknown key ${k}`);
            eq((ev.trigger as Loose)[map[k]] ?? null, v, `${w}.${k}`);
          }
        }
        break;
      case 'on_behalf_of':
        assert.ok(ev.trigger);
        eq(ev.trigger!.comm, value.comm, w + '.comm');
        eq(ev.trigger!.pid, value.pid, w + '.pid');
        break;
      case 'constraint':
        if (value === null) eq(ev.constraint, null, w);
        else if (/^CONSTRAINT_/.test(value)) eq(ev.constraint, value, w);
        else if (/^memcg \(inferred/.test(value)) {
          eq(ev.constraint, null, w + ' (no oom-kill: line)');
          eq(ev.scope, 'memcg', w + ' -> scope');
        } else assert.fail(`${w}: unmapped value ${value}`);
        break;
      case 'oom_memcg':
        eq(ev.memcg, value, w);
        break;
      case 'task_memcg':
        eq(ev.taskMemcg, value, w);
        break;
      case 'memcg':
        eq(ev.memcg, value, w);
        break;
      case 'memcg_usage':
        assert.ok(ev.memcgUsage, `${w}: missing`);
        eq(ev.memcgUsage!.usageKb, value.memory_usage_kb, w + '.usage');
        eq(ev.memcgUsage!.limitKb, value.memory_limit_kb, w + '.limit');
        eq(ev.memcgUsage!.failcnt, value.memory_failcnt, w + '.failcnt');
        break;
      case 'k8s':
        assert.ok(ev.container, `${w}: no container`);
        eq(ev.container!.runtime, 'kubernetes', w + '.runtime');
        eq(ev.container!.podUid, value.pod_uid, w + '.pod_uid');
        eq(ev.container!.qosClass, String(value.qos_class).split(' ')[0], w + '.qos_class');
        eq(ev.container!.id, value.container_id, w + '.container_id');
        break;
      case 'task_table': {
        const t = value as Obj;
        if (t.row_count !== undefined) eq(ev.tasks.length, t.row_count, w + '.row_count');
        for (const rk of ['victim_row', 'first_row']) if (t[rk]) checkRow(ev.tasks, t[rk], `${w}.${rk}`);
        if (t.rows) for (const r of t.rows) checkRow(ev.tasks, r, `${w}.rows`);
        if (t.largest_rss_row) {
          const largest = ev.tasks.reduce((a, b) => ((b.rssPages ?? 0) > (a.rssPages ?? 0) ? b : a));
          eq({ pid: largest.pid, name: largest.name, rss: largest.rssPages }, t.largest_rss_row, w + '.largest_rss_row');
        }
        break;
      }
      case 'task_table_tail_row':
        checkRow(ev.tasks, value, w);
        break;
      case 'selected':
        if (value && exp.victim && exp.victim.pid === value.pid) {
          // Contract: "selected" only when it names a different process; the score goes to the victim.
          eq(ev.selected, null, w + ' (same pid as victim)');
          eq(ev.victim?.score, value.score, w + ' -> victim.score');
        } else eq(ev.selected, value, w);
        break;
      case 'victim':
        if (value === null) eq(ev.victim, null, w);
        else {
          assert.ok(ev.victim, `${w}: missing`);
          for (const [k, v] of Object.entries(value as Obj)) {
            if (k === 'source') continue;
            assert.ok(VICTIM[k], `${w}: unknown key ${k}`);
            eq((ev.victim as Loose)[VICTIM[k]], v, `${w}.${k}`);
          }
        }
        break;
      case 'oom_reaper':
        if (value === null) eq(ev.reaped, null, w);
        else {
          assert.ok(ev.reaped, `${w}: missing`);
          for (const [k, v] of Object.entries(value as Obj)) eq((ev.reaped as Loose)[VICTIM[k]], v, `${w}.${k}`);
        }
        break;
      case 'timestamp_text':
      case 'syslog_time':
        eq(ev.timeText, value, w);
        break;
      case 'panic_message':
        eq(ev.panic, value, w);
        break;
      case 'to_free_kb':
        eq(ev.lowMemoryKiller?.toFreeKb, value, w);
        break;
      case 'cache_kb':
        eq(ev.lowMemoryKiller?.cacheKb, value, w);
        break;
      case 'limit_kb':
        eq(ev.lowMemoryKiller?.limitKb, value, w);
        break;
      case 'min_oom_score_adj':
        eq(ev.lowMemoryKiller?.minOomScoreAdj, value, w);
        break;
      case 'free_above_reserved_kb':
        eq(ev.lowMemoryKiller?.freeKb, value, w);
        break;
      default:
        assert.fail(`${w}: fact not mapped to the contract`);
    }
  }
}

/** Facts at the top level of a kernel-oom reading. */
export function checkKernelSample(result: OomEventsResult, exp: Obj, name: string): void {
  const events = result.events;
  const expEvents = exp.events as Obj[];
  eq(events.length, expEvents.length, `${name}: event count`);
  if (exp.kill_count !== undefined) eq(events.length, exp.kill_count, `${name}: kill_count`);
  expEvents.forEach((e, i) => checkKernelEvent(events[i], e, `${name}: event ${i}`));
  if (exp.aggregates) {
    const a = exp.aggregates;
    eq(new Set(events.map((e) => e.victim?.pid)).size, a.distinct_victim_pids, `${name}: distinct victims`);
    eq(Math.max(...events.map((e) => e.victim?.anonRssKb ?? 0)), a.max_anon_rss_kb, `${name}: max anon`);
    eq(
      events.reduce((s, e) => s + (e.victim?.anonRssKb ?? 0), 0),
      a.total_anon_rss_kb,
      `${name}: total anon`,
    );
  }
}

const RUNTIME_NAMES: Record<string, string> = {
  js_heap: 'node',
  metaspace: 'java',
  java_heap: 'java',
  android_art_heap: 'android-art',
  jvm_native_mmap: 'java',
};

/** Node/JVM/ART readings: one event per distinct OOM. */
export function checkRuntimeSample(result: OomEventsResult, exp: Obj, name: string): void {
  const events = result.events.filter((e) => e.kind === 'runtime');
  eq(result.events.length, events.length, `${name}: only runtime events`);
  const expected = exp.exceptions ? (exp.distinct_oom_events ?? exp.exceptions.length) : 1;
  eq(events.length, expected, `${name}: event count`);
  const ev = events[0];
  const rt = ev.runtime!;
  if (exp.oom_kind) eq(rt.name, RUNTIME_NAMES[exp.oom_kind], `${name}: runtime name`);
  if (exp.fatal_error) eq(rt.message, exp.fatal_error, `${name}: message`);
  if (exp.pid !== undefined) eq(rt.pid, exp.pid, `${name}: pid`);
  if (exp.heap_at_death_mb !== undefined) eq(rt.heapMb, exp.heap_at_death_mb, `${name}: heapMb`);
  if (exp.exceptions) {
    const x = exp.exceptions[0];
    eq(rt.name, RUNTIME_NAMES[x.oom_kind], `${name}: runtime name`);
    if (x.class && x.message) eq(rt.message, `${x.class}: ${x.message}`, `${name}: message`);
    if (x.class === 'java.lang.OutOfMemoryError' && x.requested_bytes !== undefined) {
      assert.ok(
        rt.message.startsWith(
          `${x.class}: Failed to allocate a ${x.requested_bytes} byte allocation with ${x.free_bytes} free bytes and ${x.until_oom} until OOM`,
        ),
        `${name}: ART message ${rt.message}`,
      );
    }
    if (x.failed_bytes !== undefined)
      assert.ok(
        rt.message.includes(`Native memory allocation (${x.allocator}) failed to map ${x.failed_bytes} bytes for ${x.purpose}`),
        `${name}: native message ${rt.message}`,
      );
    eq(rt.pid, x.pid ?? null, `${name}: pid`);
    eq(rt.heapMb, null, `${name}: heapMb (not stated)`);
  }
}

/** kubectl/docker readings: an event for every container the reading calls OOM-killed (or exit 137). */
export function checkContainerSample(result: OomEventsResult, exp: Obj, name: string): void {
  const want: Obj[] = [];
  for (const c of (exp.containers ?? []) as Obj[]) {
    const term = c.state === 'Terminated' ? { reason: c.state_reason, exit_code: c.exit_code, finished: c.finished } : (c.last_state ?? null);
    if (c.oom_killed || term?.exit_code === 137) {
      want.push({
        oomKilled: !!c.oom_killed,
        reason: term?.reason ?? (c.oom_killed ? 'OOMKilled' : null),
        exitCode: term?.exit_code ?? c.exit_code ?? null,
        restartCount: c.restart_count ?? null,
        memoryLimitBytes: c.limits?.memory_bytes ?? null,
        finishedAt: term?.finished ?? null,
        id: c.container_id ?? null,
      });
    }
  }
  for (const p of (exp.oom_pods ?? []) as Obj[]) {
    want.push({ oomKilled: true, reason: p.status, pod: p.name, namespace: p.namespace, restartCount: p.restarts });
  }
  const events = result.events;
  eq(events.length, want.length, `${name}: event count`);
  want.forEach((w, i) => {
    const ev = events[i];
    eq(ev.kind, 'container', `${name}: kind`);
    for (const [k, v] of Object.entries(w)) eq((ev.containerState as Loose)[k], v, `${name}: event ${i}.${k}`);
  });
}
