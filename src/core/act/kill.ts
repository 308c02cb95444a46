// Kill, as earlyoom does it: SIGTERM first, wait, show what is still alive, then SIGKILL what
// is left when asked. Several pids at once; each signal is an action of its own in the log.
import type { Host } from '../host/host';
import { killAction } from './actions';
import { applyAction, type AuditEntry, type Privilege } from './runner';

/** The pids of `pids` still running (a zombie is dead: it only waits to be reaped). */
export async function stillAlive(host: Host, pids: number[], signal?: AbortSignal): Promise<number[]> {
  if (!pids.length) return [];
  const list = pids.map((p) => String(Math.trunc(p))).join(' ');
  const r = await host.exec(`for p in ${list}; do [ -r /proc/$p/status ] && ! grep -q '^State:.*Z' /proc/$p/status 2>/dev/null && echo $p; done; true`, {
    signal,
    timeoutMs: 15_000,
  });
  return r.stdout
    .split('\n')
    .map(Number)
    .filter((p) => pids.includes(p));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitGone(host: Host, pids: number[], waitMs: number, signal?: AbortSignal): Promise<number[]> {
  const until = Date.now() + waitMs;
  let alive = await stillAlive(host, pids, signal);
  while (alive.length && Date.now() < until) {
    await sleep(Math.min(250, Math.max(0, until - Date.now())));
    alive = await stillAlive(host, alive, signal);
  }
  return alive;
}

export interface KillResult {
  entries: AuditEntry[];
  aliveAfterTerm: number[];
  aliveAtEnd: number[];
}

export async function killWithEscalation(
  host: Host,
  targets: { pid: number; comm: string | null }[],
  o: { waitMs: number; escalate: boolean; privilege: Privilege; signal?: AbortSignal; onStep?: (message: string) => void },
): Promise<KillResult> {
  const entries: AuditEntry[] = [];
  for (const t of targets) entries.push(await applyAction(host, killAction(t.pid, t.comm, 'TERM'), { privilege: o.privilege, signal: o.signal }));
  const aliveAfterTerm = await waitGone(
    host,
    targets.map((t) => t.pid),
    o.waitMs,
    o.signal,
  );
  o.onStep?.(
    aliveAfterTerm.length ? `still running ${Math.round(o.waitMs / 1000)} s after SIGTERM: ${aliveAfterTerm.join(', ')}` : 'every process ended after SIGTERM',
  );
  if (!aliveAfterTerm.length || !o.escalate) return { entries, aliveAfterTerm, aliveAtEnd: aliveAfterTerm };
  for (const pid of aliveAfterTerm)
    entries.push(
      await applyAction(host, killAction(pid, targets.find((t) => t.pid === pid)?.comm ?? null, 'KILL'), { privilege: o.privilege, signal: o.signal }),
    );
  const aliveAtEnd = await waitGone(host, aliveAfterTerm, 3000, o.signal);
  return { entries, aliveAfterTerm, aliveAtEnd };
}
