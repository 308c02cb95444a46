// The smaps drill-down for ONE chosen process. Reading smaps walks every mapping under the
// process's mmap lock: on a huge process that can stall it, so the read is bounded in time and size.
import type { Host } from '../host/host';
import { OomLensError } from '../errors';
import { parseSmaps, smapsBreakdown, BreakdownRow } from '../parse/smaps';

export interface SmapsResult {
  pid: number;
  rows: BreakdownRow[];
  mappings: number;
  truncated: boolean;
  ms: number;
}

const MAX_BYTES = 32 * 1024 * 1024;

export async function collectSmaps(host: Host, pid: number, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<SmapsResult> {
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new OomLensError(`not a process id: ${pid}`);
  const t0 = Date.now();
  // `head -c` bounds the size; the Host timeout bounds the time. The pid is an integer, never text from a host.
  const res = await host.exec(`head -c ${MAX_BYTES} /proc/${pid}/smaps`, { signal: opts.signal, timeoutMs: opts.timeoutMs ?? 10_000 });
  if (res.timedOut)
    throw new OomLensError(
      `reading /proc/${pid}/smaps took longer than ${Math.round((opts.timeoutMs ?? 10_000) / 1000)} s: stopped so as not to stall the process`,
    );
  if (res.code !== 0 && res.stdout.length === 0) {
    const why = res.stderr.trim().split('\n')[0] || `exit code ${res.code}`;
    if (/No such file|No such process/.test(why)) throw new OomLensError(`process ${pid} has exited`);
    if (/Permission denied/.test(why)) throw new OomLensError(`/proc/${pid}/smaps is not readable (another user's process: run as root or enable sudo)`);
    throw new OomLensError(`cannot read /proc/${pid}/smaps: ${why}`);
  }
  const maps = parseSmaps(res.stdout);
  return { pid, rows: smapsBreakdown(maps), mappings: maps.length, truncated: res.stdout.length >= MAX_BYTES, ms: Date.now() - t0 };
}
