// jvm-heap-vs-limit: a JVM's maximum heap (-Xmx, -XX:MaxHeapSize, -XX:MaxRAMPercentage/MaxRAMFraction
// of -XX:MaxRAM or of the memory it sees) plus the typical non-heap overhead (~200 MiB + 10 % of the
// heap: metaspace, code cache, thread stacks, GC, direct buffers) does not fit in its cgroup limit
// (or MemTotal). Heap alone >= limit -> critical. Several JVMs without a cgroup limit whose heaps
// together exceed RAM -> warning.
import { formatKb } from '../../format';
import type { Finding, ProcessInfo, Remedy } from '../../model/report';
import { type FindingContext, effectiveLimit, pidArg, userProcesses, procKey } from './context';
import { detectRuntime, jvmMaxHeapKb, jvmOverheadKb, parseJvmFlags, safeProgramCommand } from './runtime';
import { setContainerLimit } from './remedies';

function suggestXmxMb(limitKb: number): number {
  // heap + 200 MiB + 10 % heap <= 90 % of the limit
  const heapKb = (0.9 * limitKb - 200 * 1024) / 1.1;
  return Math.max(64, Math.floor(heapKb / 1024 / 64) * 64);
}

function xmxArg(mb: number): string {
  return mb % 1024 === 0 ? `${mb / 1024}g` : `${mb}m`;
}

export function jvmHeap(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  const out: Finding[] = [];
  const free: { p: ProcessInfo; heapKb: number }[] = [];
  for (const p of userProcesses(r)) {
    if (detectRuntime(p) !== 'java') continue;
    const flags = parseJvmFlags(p.cmdline);
    const lim = effectiveLimit(p, r);
    if (!lim) continue;
    const { heapKb, source } = jvmMaxHeapKb(flags, lim.limitKb);
    if (lim.source === 'MemTotal') free.push({ p, heapKb });
    if (source === 'default') continue; // 25 % of what it sees always fits
    const overhead = jvmOverheadKb(heapKb);
    if (heapKb + overhead <= lim.limitKb) continue;
    const where = lim.source === 'cgroup' ? `its cgroup limit ${formatKb(lim.limitKb)} (${lim.cgroup})` : `the host's RAM ${formatKb(lim.limitKb)}`;
    const sugg = suggestXmxMb(lim.limitKb);
    const cmd = safeProgramCommand(p);
    const remedies: Remedy[] = [
      {
        title: `Lower the heap to fit: -Xmx${xmxArg(sugg)} leaves room for the non-heap memory (or use -XX:MaxRAMPercentage=75 in containers)`,
        commands: [
          `java -Xmx${xmxArg(sugg)} -jar your_app.jar`,
          ...(cmd && flags.xmxKb !== null ? [cmd.replace(/(^|\s)-(Xmx|XX:MaxHeapSize=)\S+/g, `$1-Xmx${xmxArg(sugg)}`)] : []),
        ],
        changesHost: false,
      },
    ];
    if (lim.source === 'cgroup') {
      const need = Math.ceil((heapKb + overhead) / 1024 / 0.9 / 64) * 64;
      const c = p.container;
      remedies.push(...setContainerLimit(c ? c.runtime : 'systemd', c?.id ?? null, `${need}m`, `${need}Mi`, c?.runtime === 'systemd' ? c.name : null, true));
    }
    remedies.push({
      title: "See how full the heap really is, and the JVM's native memory (needs -XX:NativeMemoryTracking=summary)",
      commands: [`jstat -gcutil ${pidArg(p.pid)} 1000 10`, `jcmd ${pidArg(p.pid)} GC.heap_info`, `jcmd ${pidArg(p.pid)} VM.native_memory summary`],
      changesHost: false,
    });
    out.push({
      id: 'jvm-heap-vs-limit',
      key: `jvm-heap-vs-limit:${procKey(p)}`,
      severity: heapKb >= lim.limitKb ? 'critical' : 'warning',
      title: `java (${p.pid}) may grow its heap to ${formatKb(heapKb)} (${source}), but ${where} leaves no room for the JVM's ~${formatKb(overhead)} outside the heap`,
      detail: `The JVM can use heap ${formatKb(heapKb)} + about ${formatKb(overhead)} of metaspace, code cache, thread stacks, GC structures and direct buffers = ${formatKb(heapKb + overhead)}, more than ${where}. Before the heap fills and a full GC would reclaim it, the ${lim.source === 'cgroup' ? 'cgroup' : 'host'} runs out and the kernel OOM-kills the JVM (no OutOfMemoryError, no heap dump). RSS now: ${formatKb(p.rssKb)}.`,
      pids: [p.pid],
      evidence: {
        heapKb,
        heapSource: source,
        flags,
        overheadKb: overhead,
        limitKb: lim.limitKb,
        limitSource: lim.source,
        cgroup: lim.cgroup,
        rssKb: p.rssKb,
        suggestedXmxMb: sugg,
      },
      remedies,
    });
  }
  const total = r.memory.totalKb;
  const sumHeap = free.reduce((s, x) => s + x.heapKb + jvmOverheadKb(x.heapKb), 0);
  if (free.length >= 2 && total && sumHeap > total) {
    out.push({
      id: 'jvm-heap-vs-limit',
      key: 'jvm-heap-vs-limit:together',
      severity: 'warning',
      title: `${free.length} JVMs may together grow to ${formatKb(sumHeap)} (heaps + overhead), more than RAM ${formatKb(total)}`,
      detail: `Each JVM sizes its heap on its own (${free.map((x) => `${x.p.pid}: ${formatKb(x.heapKb)}`).join(', ')}); together they can outgrow the host, and the OOM killer then takes the largest. Give each an explicit -Xmx that fits together, or a memory limit.`,
      pids: free.map((x) => x.p.pid),
      evidence: { jvms: free.map((x) => ({ pid: x.p.pid, heapKb: x.heapKb, rssKb: x.p.rssKb })), sumKb: sumHeap, totalKb: total },
      remedies: [
        {
          title: 'Size the heaps explicitly so they fit together',
          commands: [`java -Xmx${xmxArg(suggestXmxMb(total / free.length))} -jar your_app.jar`],
          changesHost: false,
        },
      ],
    });
  }
  return out;
}
