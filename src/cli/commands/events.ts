// oom-lens events [FILE|-]: OOM events from a log file, standard input, or this machine's kernel log.
import { readKernelLog } from '../../core/collect/kernelLog';
import { eventsFromFile, eventsFromStream } from '../../core/collect/logFile';
import { renderEventsText } from '../../core/report/eventsText';
import { OomLensError } from '../../core/errors';
import type { Host } from '../../core/host/host';

export async function eventsCommand(file: string | undefined, host: Host, opts: { json: boolean; sudo: boolean; signal: AbortSignal }): Promise<string> {
  const { json } = opts;
  if (file) {
    const r = file === '-' ? await eventsFromStream(process.stdin, { kind: 'stdin' }) : await eventsFromFile(file);
    return json
      ? JSON.stringify(r, null, 2) + '\n'
      : renderEventsText(
          r.events,
          r.warnings.map((w) => `warning: ${w}`),
        );
  }
  const r = await readKernelLog(host, { signal: opts.signal, sudo: opts.sudo });
  if (r.unreadable && !json) {
    throw new OomLensError(`${r.warnings[0]}${r.fixes.length ? ` — fix: ${r.fixes.join('; or ')}` : ''}`);
  }
  if (json) return JSON.stringify(r, null, 2) + '\n';
  return renderEventsText(r.events, [
    ...r.sources.map((s) => `source: ${s.detail}`),
    ...r.warnings.map((w) => `warning: ${w}`),
    ...r.fixes.map((f) => `fix: ${f}`),
  ]);
}
