// A real Prometheus and node_exporter (Debian's binaries) on 127.0.0.1 with a temp config and
// data dir, for the fleet and alert tests. The packages' services never start (policy-rc.d):
// the binaries are started here and stopped by pid.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';
export const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';

/** A free TCP port on 127.0.0.1 (asked of the kernel). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, log: () => string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before it was ready:\n${log().slice(-2000)}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready at ${url} after ${timeoutMs} ms:\n${log().slice(-2000)}`);
}

export interface Running {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

function started(cmd: string, args: string[], readyUrl: (port: number) => string, port: number, cleanup: () => void): Promise<Running> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-20_000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-20_000)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    cleanup();
  };
  return waitReady(readyUrl(port), child, () => out).then(
    () => ({ url: `http://127.0.0.1:${port}`, port, child, stop }),
    async (e) => {
      await stop();
      throw e;
    },
  );
}

/** node_exporter with its default collectors (node_vmstat_oom_kill and PSI among them). */
export async function startNodeExporter(): Promise<Running> {
  const port = await freePort();
  return started(
    NODE_EXPORTER,
    [`--web.listen-address=127.0.0.1:${port}`],
    (p) => `http://127.0.0.1:${p}/metrics`,
    port,
    () => {},
  );
}

export interface PrometheusOptions {
  /** host:port targets scraped as job "node". */
  targets?: string[];
  scrapeIntervalSeconds?: number;
  evaluationIntervalSeconds?: number;
  /** Rule files (absolute paths). */
  ruleFiles?: string[];
  /** An existing TSDB folder (a backfilled one); a temp folder otherwise (removed on stop). */
  dataDir?: string;
  /** Extra flags, e.g. --storage.tsdb.retention.time. */
  flags?: string[];
}

export async function startPrometheus(o: PrometheusOptions = {}): Promise<Running & { dataDir: string; configFile: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'oomlens-prom-'));
  const dataDir = o.dataDir ?? join(dir, 'data');
  const configFile = join(dir, 'prometheus.yml');
  const every = o.scrapeIntervalSeconds ?? 1;
  // JSON is YAML: no YAML writer needed for the test's own config.
  writeFileSync(
    configFile,
    JSON.stringify({
      global: { scrape_interval: `${every}s`, evaluation_interval: `${o.evaluationIntervalSeconds ?? every}s` },
      rule_files: o.ruleFiles ?? [],
      scrape_configs: o.targets?.length ? [{ job_name: 'node', static_configs: [{ targets: o.targets }] }] : [],
    }),
  );
  const port = await freePort();
  const args = [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-lifecycle',
    // A backfilled TSDB holds old blocks: keep them.
    '--storage.tsdb.retention.time=3650d',
    ...(o.flags ?? []),
  ];
  const r = await started(
    PROMETHEUS,
    args,
    (p) => `http://127.0.0.1:${p}/-/ready`,
    port,
    () => rmSync(dir, { recursive: true, force: true }),
  );
  return { ...r, dataDir, configFile };
}

/** promtool, synchronously; returns its exit code and output. */
export function promtool(args: string[], timeoutMs = 600_000): { code: number | null; out: string } {
  const r = spawnSync(PROMTOOL, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** An instant query against a running Prometheus: the result vector. */
export async function instant(url: string, promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const j = (await r.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] }; error?: string };
  if (j.status !== 'success') throw new Error(`${promql}: ${j.error}`);
  return j.data.result;
}
