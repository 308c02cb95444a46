// The generated alert rules against the real things: Debian's promtool checks and unit-tests them
// (generic, and tuned to a real snapshot of this machine through the built CLI); a real Prometheus
// scraping a real node_exporter loads them, and a REAL OOM kill in a memory cgroup this test
// creates makes the generated OomKillDetected rule pending or firing. earlyoom reads its line.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CLI, isRoot, missingDependency, requireBuiltCli, skipLoudly, which } from './helpers';
import { NODE_EXPORTER, PROMETHEUS, PROMTOOL, instant, promtool, startNodeExporter, startPrometheus, type Running } from './support/prometheus';
import { memcgRoot, realOomKill } from './support/oomKill';

const dir = mkdtempSync(join(tmpdir(), 'oomlens-alerts-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes rules + tests through the built CLI; returns their paths. */
function generate(name: string, extra: string[] = []): { rules: string; tests: string; stderr: string } {
  const rules = join(dir, `${name}.rules.yml`);
  const tests = join(dir, `${name}.rules.test.yml`);
  const r = cli(['alerts', ...extra, '--out', rules, '--tests', tests]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '', 'with --out nothing goes to stdout');
  return { rules, tests, stderr: r.stderr };
}

const ruleCount = (file: string) => (parse(readFileSync(file, 'utf8')) as { groups: { rules: unknown[] }[] }).groups.flatMap((g) => g.rules).length;

describe('alert rules: real promtool (Prometheus 2.42)', function () {
  this.timeout(120_000);
  before(function () {
    if (!existsSync(PROMTOOL)) missingDependency(this, `${PROMTOOL} is missing (apt-get install prometheus)`);
    requireBuiltCli();
  });

  it('promtool check rules and test rules pass on the generic set, cAdvisor and kube-state-metrics rules included (on series shaped like theirs)', () => {
    const g = generate('generic');
    const n = ruleCount(g.rules);
    assert.equal(n, 14);
    const check = promtool(['check', 'rules', g.rules]);
    assert.equal(check.code, 0, check.out);
    assert.match(check.out, new RegExp(`SUCCESS: ${n} rules found`));
    const test = promtool(['test', 'rules', g.tests]);
    assert.equal(test.code, 0, test.out);
    assert.match(test.out, /SUCCESS/);
    const names = (parse(readFileSync(g.tests, 'utf8')) as { tests: { name: string }[] }).tests.map((t) => t.name);
    assert.ok(names.some((x) => x.startsWith('cAdvisor (series shaped like cAdvisor')));
    assert.ok(names.some((x) => x.startsWith('kube-state-metrics (series shaped like kube-state-metrics')));
  });

  it('promtool check rules and test rules pass on the rules tuned to this machine (oom-lens alerts --for-host, a real snapshot)', () => {
    const h = generate('host', ['--for-host']);
    const meminfo = readFileSync('/proc/meminfo', 'utf8');
    const swapKb = Number(/^SwapTotal:\s+(\d+)/m.exec(meminfo)![1]);
    const text = readFileSync(h.rules, 'utf8');
    assert.match(text, /--for-host \(tuned to /);
    // This machine's swap decides whether there are swap rules.
    if (swapKb === 0) {
      assert.doesNotMatch(text, /SwapFillingUp/);
      assert.match(h.stderr, /has no swap: no swap rules/);
    } else assert.match(text, /SwapFillingUp/);
    const check = promtool(['check', 'rules', h.rules]);
    assert.equal(check.code, 0, check.out);
    assert.match(check.out, new RegExp(`SUCCESS: ${ruleCount(h.rules)} rules found`));
    const test = promtool(['test', 'rules', h.tests]);
    assert.equal(test.code, 0, test.out);
  });

  it('the promtool tests really test: a changed threshold in the rules makes them fail', () => {
    const g = generate('changed');
    writeFileSync(g.rules, readFileSync(g.rules, 'utf8').replace('node_memory_MemTotal_bytes < 0.15\n', 'node_memory_MemTotal_bytes < 0.12\n'));
    const test = promtool(['test', 'rules', g.tests]);
    assert.notEqual(test.code, 0, test.out);
    assert.match(test.out, /alertname: MemoryAvailableLow/);
  });
});

describe('alert rules: earlyoom 1.7 reads the generated line', function () {
  this.timeout(30_000);
  it('earlyoom --dryrun with EARLYOOM_ARGS from oom-lens alerts --format earlyoom starts with those thresholds', async function () {
    const earlyoom = which('earlyoom');
    if (!earlyoom) missingDependency(this, 'earlyoom is not installed (apt-get install earlyoom)');
    requireBuiltCli();
    const r = cli(['alerts', '--format', 'earlyoom']);
    assert.equal(r.code, 0, r.stderr);
    const line = /^EARLYOOM_ARGS="(.*)"$/m.exec(r.stdout);
    assert.ok(line, r.stdout);
    // --dryrun: earlyoom never kills; it prints its thresholds and a memory report, then is stopped.
    const child = spawn(earlyoom, ['--dryrun', ...line[1].split(' ')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const seen = new Promise<void>((resolve) => {
      const on = (d: Buffer) => {
        out += d;
        if (/SIGKILL when/.test(out)) resolve();
      };
      child.stdout.on('data', on);
      child.stderr.on('data', on);
    });
    await Promise.race([seen, new Promise((r) => setTimeout(r, 10_000))]);
    child.kill('SIGTERM');
    assert.match(out, /sending SIGTERM when mem <= 10\.00% and swap <= 10\.00%/);
    assert.match(out, /SIGKILL when mem <=\s+5\.00% and swap <=\s+5\.00%/);
  });
});

describe('alert rules: a real Prometheus scraping a real node_exporter, and a real OOM kill', function () {
  this.timeout(180_000);
  let exporter: Running | null = null;
  let prom: (Running & { dataDir: string }) | null = null;

  before(async function () {
    if (!existsSync(PROMETHEUS) || !existsSync(PROMTOOL)) missingDependency(this, `${PROMETHEUS} is missing (apt-get install prometheus)`);
    if (!existsSync(NODE_EXPORTER)) missingDependency(this, `${NODE_EXPORTER} is missing (apt-get install prometheus-node-exporter)`);
    if (!isRoot) skipLoudly(this, 'creating a memory cgroup for the OOM kill needs root');
    if (!memcgRoot()) skipLoudly(this, 'this kernel has no memory cgroup controller');
    if (!which('gcc')) missingDependency(this, 'gcc is not installed (apt-get install gcc libc6-dev)');
    requireBuiltCli();
    // The generated generic rules, unchanged: the OOM-kill rule needs no `for:` and its 5m window
    // holds the samples from before the kill.
    const { rules } = generate('live');
    exporter = await startNodeExporter();
    prom = await startPrometheus({ targets: [`127.0.0.1:${exporter.port}`], scrapeIntervalSeconds: 1, evaluationIntervalSeconds: 1, ruleFiles: [rules] });
  });

  after(async () => {
    await prom?.stop();
    await exporter?.stop();
  });

  async function until<T>(what: string, fn: () => Promise<T | null>, timeoutMs = 30_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v !== null) return v;
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('loads every generated rule and evaluates each without error on real node_exporter series', async () => {
    // node_exporter really exports what the node rules read (PSI included on this kernel).
    for (const m of [
      'node_vmstat_oom_kill',
      'node_memory_MemAvailable_bytes',
      'node_memory_SUnreclaim_bytes',
      'node_vmstat_pgmajfault',
      'node_pressure_memory_waiting_seconds_total',
      'node_pressure_memory_stalled_seconds_total',
    ])
      await until(`${m} scraped`, async () => ((await instant(prom!.url, m)).length ? true : null));
    const scraped = Date.now();
    const groups = await until('every rule evaluated after the first scrapes', async () => {
      const j = (await (await fetch(`${prom!.url}/api/v1/rules`)).json()) as {
        data: { groups: { name: string; rules: { name: string; health: string; lastError?: string; lastEvaluation: string }[] }[] };
      };
      const rules = j.data.groups.flatMap((g) => g.rules);
      return rules.length && rules.every((r) => Date.parse(r.lastEvaluation) > scraped) ? j.data.groups : null;
    });
    const rules = groups.flatMap((g) => g.rules);
    assert.equal(rules.length, 14);
    for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError}`);
  });

  it('a real OOM kill in a test memory cgroup raises node_vmstat_oom_kill and makes OomKillDetected pending or firing', async () => {
    const value = async () => Number((await instant(prom!.url, 'node_vmstat_oom_kill'))[0]?.value[1] ?? NaN);
    // A few scrapes before the kill, so increase() over the window has a "before".
    const before = await until('node_vmstat_oom_kill scraped a few times', async () => {
      const r = await instant(prom!.url, 'count_over_time(node_vmstat_oom_kill[1m])');
      return Number(r[0]?.value[1] ?? 0) >= 3 ? value() : null;
    });
    const kill = await realOomKill(64);
    assert.equal(kill.signal, 'SIGKILL', 'the kernel OOM-killed the grower');
    const after = await until('node_vmstat_oom_kill to rise', async () => ((await value()) > before ? value() : null));
    assert.ok(after > before, `${before} -> ${after}`);
    const alert = await until('OomKillDetected in /api/v1/alerts', async () => {
      const j = (await (await fetch(`${prom!.url}/api/v1/alerts`)).json()) as {
        data: { alerts: { labels: Record<string, string>; annotations: Record<string, string>; state: string }[] };
      };
      return j.data.alerts.find((a) => a.labels.alertname === 'OomKillDetected' && (a.state === 'pending' || a.state === 'firing')) ?? null;
    });
    console.log(`    OomKillDetected is ${alert.state} (node_vmstat_oom_kill ${before} -> ${after}, victim pid ${kill.pid} in ${kill.cg.path})`);
    assert.equal(alert.labels.severity, 'warning');
    assert.equal(alert.labels.instance, `127.0.0.1:${exporter!.port}`);
    assert.equal(alert.annotations.summary, 'The kernel OOM-killed a process on 127.0.0.1');
    assert.match(alert.annotations.runbook, /^OOM Lens finding oom-killed\. Diagnose the host: oom-lens diagnose --host 127\.0\.0\.1 /);
  });
});
