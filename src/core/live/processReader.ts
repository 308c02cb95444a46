// What the sampler does not read of a process that appeared while sampling (command line, user,
// cgroup, oom_score_adj…): one small command for a batch of new pids, parsed like the snapshot.
import type { Host } from '../host/host';
import type { ProcessInfo } from '../model/report';
import { processesScript } from '../collect/snapshotScript';
import { parseSnapshotFrames } from '../parse/snapshotFrames';
import { parsePasswd } from '../parse/procFiles';
import { processesFrom } from '../collect/snapshot';

/** At most this many pids per read: a fork storm must not make one huge command. */
export const MAX_PIDS_PER_READ = 200;

export async function readProcesses(
  host: Host,
  pids: number[],
  bootMs: number | null,
  opts: { signal?: AbortSignal; sudo?: boolean } = {},
): Promise<ProcessInfo[]> {
  const batch = pids.slice(0, MAX_PIDS_PER_READ);
  if (batch.length === 0) return [];
  const res = await host.exec(opts.sudo ? 'sudo -n sh -s' : 'sh -s', { stdin: processesScript(batch), signal: opts.signal, timeoutMs: 15_000 });
  const raw = parseSnapshotFrames(res.stdout);
  return processesFrom(raw, parsePasswd(raw.files.get('/etc/passwd')), bootMs);
}
