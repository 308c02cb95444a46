// runtime-oom: a language runtime hit its own heap limit (Node "JavaScript heap out of memory",
// java.lang.OutOfMemoryError, Python MemoryError, Go "runtime: out of memory"): not a kernel kill.
import type { Finding, Remedy } from '../../model/report';
import type { OomEvent } from '../../model/oomEvent';
import { type FindingContext, pidArg } from './context';
import { eventTimeMs, REPEAT_KILLS } from './oomKilled';

function remediesFor(e: OomEvent): Remedy[] {
  const rt = e.runtime!;
  const pid = pidArg(rt.pid);
  switch (rt.name) {
    case 'node':
      return [
        {
          title: 'If the heap need is legitimate, raise the old-space limit (MB; keep it below the container/host memory)',
          commands: [`node --max-old-space-size=${rt.heapMb ? Math.round(rt.heapMb * 1.5) : 4096} app.js`],
          changesHost: false,
        },
        {
          title: 'Otherwise find the leak: heap snapshots on demand, compared in Chrome DevTools',
          commands: ['node --heapsnapshot-signal=SIGUSR2 app.js'],
          changesHost: false,
        },
        { title: 'Then write a snapshot now and again later (a signal to the process)', commands: ['kill -USR2 <PID of the new process>'], changesHost: true },
      ];
    case 'java':
      return [
        {
          title: 'Dump the heap at the next OutOfMemoryError and see which classes fill it',
          commands: ['java -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=/tmp -jar your_app.jar', `jcmd ${pid} GC.class_histogram`],
          changesHost: false,
        },
        {
          title: 'If the heap need is legitimate, raise -Xmx (keep heap + ~200 MiB + 10 % below the container/host memory)',
          commands: [`java -Xmx${rt.heapMb ? `${Math.ceil((rt.heapMb * 1.5) / 1024)}g` : '2g'} -jar your_app.jar`],
          changesHost: false,
        },
      ];
    case 'python':
      return [
        {
          title: 'Find what allocates with tracemalloc (objgraph and memory_profiler help too)',
          commands: ['python3 -X tracemalloc=25 app.py'],
          changesHost: false,
        },
      ];
    case 'go':
      return [
        {
          title: 'Profile the heap with pprof, and set a soft limit below the container limit',
          commands: [`go tool pprof http://localhost:6060/debug/pprof/heap`, 'GOMEMLIMIT=<limit>MiB ./app'],
          changesHost: false,
        },
      ];
    default:
      return [];
  }
}

export function runtimeOom(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  const groups = new Map<string, OomEvent[]>();
  for (const e of r.events ?? []) {
    if (e.kind !== 'runtime' || !e.runtime) continue;
    const k = `${e.runtime.name}:${e.runtime.message}`;
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  const out: Finding[] = [];
  for (const evs of groups.values()) {
    const e = evs[evs.length - 1];
    const rt = e.runtime!;
    const times = evs
      .map((x) => eventTimeMs(x, r))
      .filter((t): t is number => t !== null)
      .sort((a, b) => a - b);
    out.push({
      id: 'runtime-oom',
      key: `runtime-oom:${rt.name}:${rt.message.slice(0, 120)}`,
      severity: evs.length >= REPEAT_KILLS ? 'critical' : 'warning',
      title: `${rt.name} ran out of its own heap${rt.heapMb ? ` (${rt.heapMb} MB)` : ''}${evs.length > 1 ? ` ${evs.length} times` : ''}: "${rt.message.slice(0, 80)}"`,
      detail: `The ${rt.name} runtime hit its heap limit and failed (this is not the kernel OOM killer: the host may have had memory left). Either the limit is too small for the load, or the program leaks.`,
      pids: [...new Set(evs.map((x) => x.runtime?.pid).filter((p): p is number => p != null))],
      evidence: {
        runtime: rt.name,
        message: rt.message,
        heapMb: rt.heapMb,
        count: evs.length,
        first: times.length ? new Date(times[0]).toISOString() : null,
        last: times.length ? new Date(times[times.length - 1]).toISOString() : null,
        lines: evs.map((x) => x.lines),
      },
      remedies: remediesFor(e),
    });
  }
  return out;
}
