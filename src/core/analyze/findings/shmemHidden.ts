// shmem-hidden: Shmem (tmpfs, /dev/shm, SysV and memfd segments) is large and mostly not mapped by
// any process, so no process's RSS shows it, and without swap it cannot be freed. The sum of
// rssShmemKb over processes over-counts shared pages, so "Shmem minus that sum" is a lower bound of
// the unmapped part.
import { formatKb, formatPercent } from '../../format';
import type { Finding } from '../../model/report';
import { type FindingContext, sum, userProcesses } from './context';

export function shmemHidden(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  const { shmemKb, totalKb } = r.memory;
  if (shmemKb == null || !totalKb) return [];
  const procs = userProcesses(r);
  const mapped = sum(procs.map((p) => p.rssShmemKb));
  const unaccounted = shmemKb - mapped;
  if (shmemKb < 0.1 * totalKb || shmemKb < 256 * 1024 || unaccounted < 0.5 * shmemKb) return [];
  return [
    {
      id: 'shmem-hidden',
      severity: 'warning',
      title: `${formatKb(unaccounted)} of shared memory (tmpfs / shm) is not in any process's RSS (Shmem ${formatKb(shmemKb)}, ${formatPercent(shmemKb, totalKb)} of RAM)`,
      detail: `Shmem counts files in tmpfs (/dev/shm, /run, /tmp on tmpfs), SysV shared memory and memfd. Processes map only ${formatKb(mapped)} of it, so ps and top do not show the rest. It looks like buff/cache in free -h but cannot be dropped: it is freed only when the files or segments are removed (or swapped out).`,
      pids: [],
      evidence: { shmemKb, mappedByProcessesKb: mapped, unaccountedKb: unaccounted, totalKb },
      remedies: [
        {
          title: 'Find the tmpfs files and shared memory segments',
          commands: ['df -h -t tmpfs', 'sudo du -xsh /dev/shm /run /tmp 2>/dev/null', 'ipcs -m'],
          changesHost: false,
        },
        {
          title: 'Remove what is stale (check that no service still needs it)',
          commands: ['sudo rm /dev/shm/<file>', 'sudo ipcrm -m <shmid>'],
          changesHost: true,
        },
      ],
    },
  ];
}
