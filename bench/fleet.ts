// bench/fleet: the Prometheus fleet overview of a backfilled TSDB (500 node_exporter instances ×
// 24 h; and 50, to show the query count does not grow with the hosts), against a real Prometheus
// (Debian's) started here. Prints per size: the overview's wall time, its queries, the time in our
// own code (CPU of this process during the overview, and the ranking alone on replayed answers),
// and a baseline in the same run: the same PromQL sent with plain fetch, bodies read, nothing
// parsed — what Prometheus itself needs. Targets: our side < 200 ms, the whole overview < 2 s.
// Run: npx tsx bench/fleet.ts   (first run builds the TSDB with promtool: ~10 s per size)
import { rmSync } from 'node:fs';
import { PrometheusSource } from '../src/core/source/prometheus';
import type { MetricsSource, Sample } from '../src/core/source/source';
import { overviewQueries, prometheusOverview } from '../src/core/fleet/promOverview';
import { FLEET_END_MS, fleetTsdb } from '../test/fixtures/fleet/fleetTsdb';
import { startPrometheus } from '../test/integration/support/prometheus';

const WINDOW = 24 * 3600_000;
const RUNS = 5;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** Answers recorded from a live run, replayed instantly: what is left is our ranking code. */
class Replay implements MetricsSource {
  readonly name = 'replay';
  constructor(private readonly answers: Map<string, Sample[]>) {}
  async query(q: string) {
    return this.answers.get(q) ?? [];
  }
  async queryRange(): Promise<never> {
    throw new Error('not recorded');
  }
  async close() {}
}

async function benchSize(size: number) {
  const { dir, builtMs } = await fleetTsdb(undefined, size);
  if (builtMs !== null) console.log(`(built the ${size}-instance TSDB with promtool in ${(builtMs / 1000).toFixed(1)} s)`);
  const prom = await startPrometheus({ dataDir: dir });
  try {
    const src = new PrometheusSource({ url: prom.url });
    const o = { windowMs: WINDOW, atMs: FLEET_END_MS, rateMs: 15 * 60_000 };
    await prometheusOverview(src, o); // warm Prometheus' caches and our JIT
    const wall: number[] = [];
    const cpu: number[] = [];
    let hosts = 0;
    let queries = 0;
    for (let i = 0; i < RUNS; i++) {
      src.queries = 0;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await prometheusOverview(src, o);
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      hosts = r.hosts.length;
      queries = src.queries;
    }
    // Our ranking alone: the live answers recorded, replayed with no I/O.
    const answers = new Map<string, Sample[]>();
    const recorder: MetricsSource = {
      name: 'rec',
      query: async (q, opts) => {
        const s = await src.query(q, opts);
        answers.set(q, s);
        return s;
      },
      queryRange: () => Promise.reject(new Error('unused')),
      close: async () => {},
    };
    await prometheusOverview(recorder, o);
    // Baseline: the queries the overview asked (recorded below), plain fetch, the same shape (the presence query first, then the rest at once).
    const qs = overviewQueries(o);
    const form = (q: string) => new URLSearchParams({ query: q, time: String(FLEET_END_MS / 1000) });
    const ask = (q: string) => fetch(`${prom.url}/api/v1/query`, { method: 'POST', body: form(q) }).then((x) => x.text());
    const base: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await ask(qs.present);
      await Promise.all(
        Object.entries(qs)
          .filter(([k]) => k !== 'present')
          .map(([, q]) => ask(q)),
      );
      base.push(performance.now() - t0);
    }
    const replay = new Replay(answers);
    const rank: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await prometheusOverview(replay, o);
      rank.push(performance.now() - t0);
    }
    const w = median(wall);
    const b = median(base);
    console.log(
      `${String(size).padStart(4)} instances (${hosts} ranked): overview ${w.toFixed(0)} ms (target < 2000), ${queries} queries, ` +
        `our CPU ${median(cpu).toFixed(0)} ms (target < 200), ranking alone ${median(rank).toFixed(1)} ms; ` +
        `baseline plain fetch of the same PromQL ${b.toFixed(0)} ms; ratio overview / baseline ${(w / b).toFixed(2)}x`,
    );
    return { queries, w };
  } finally {
    await prom.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const small = await benchSize(50);
  const big = await benchSize(500);
  console.log(`queries: ${small.queries} for 50 instances, ${big.queries} for 500 (${small.queries === big.queries ? 'constant' : 'GROWS: a defect'})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
