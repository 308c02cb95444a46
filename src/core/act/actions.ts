// The actions of the domain guide's Method 2 (stabilise) and Method 3 (OOM policy), each from a
// checked factory. Running them (with confirmation, re-read and the audit log) is the runner's job.
import { ActionInputError, asRoot, plain, type Action, type Step } from './action';
import { isSafeWord, safePath, shQuote } from '../shell';

/** A root step that only means something where systemd runs. */
const systemd = (run: string): Step => ({ ...asRoot(run), when: 'systemd' });

function pid(p: number): number {
  if (!Number.isInteger(p) || p <= 0) throw new ActionInputError(`not a process id: ${p}`);
  if (p === 1) throw new ActionInputError('pid 1 (init) is never an action target');
  return p;
}

function word(w: string, what: string): string {
  if (!isSafeWord(w)) throw new ActionInputError(`not a plain ${what}: ${JSON.stringify(w).slice(0, 80)}`);
  return w;
}

const SIGNALS = ['TERM', 'KILL', 'INT', 'HUP'] as const;
export type Signal = (typeof SIGNALS)[number];

/** Stops a process with a signal (TERM first; KILL is the blunt one). Cannot be undone. */
export function killAction(p: number, comm: string | null, signal: Signal = 'TERM'): Action {
  pid(p);
  if (!SIGNALS.includes(signal)) throw new ActionInputError(`not a signal this tool sends: ${signal}`);
  return {
    kind: 'kill',
    title: `${signal === 'KILL' ? 'Force-kill' : 'Stop'} ${comm ?? 'process'} (${p})${signal === 'KILL' ? ' with SIGKILL' : ''}`,
    inputs: { pid: p, signal },
    read: [plain(`ps -o pid=,user=,rss=,args= -p ${p}`)],
    // The guide's forms: plain kill (TERM is its default), kill -9.
    steps: [asRoot(signal === 'TERM' ? `kill ${p}` : signal === 'KILL' ? `kill -9 ${p}` : `kill -${signal} ${p}`)],
    undo: null,
    needsRoot: true,
  };
}

/** Frees the page cache, dentries and inodes (the kernel refills them). Nothing to undo. */
export function dropCachesAction(): Action {
  return {
    kind: 'drop-caches',
    title: 'Drop the page cache, dentries and inodes',
    inputs: {},
    read: [plain("grep -E '^(Cached|Buffers|SReclaimable):' /proc/meminfo")],
    steps: [asRoot('sync'), asRoot('tee /proc/sys/vm/drop_caches', '3')],
    undo: null,
    needsRoot: true,
  };
}

/** How the swap file's blocks are written: fallocate is instant, dd where fallocated files cannot be swap. */
export type SwapFill = 'fallocate' | 'dd';

/** Adds a swap file (fallocate or dd, chmod 600, mkswap, swapon), optionally in /etc/fstab. */
export function addSwapAction(sizeMb: number, path = '/swapfile', persist = true, fill: SwapFill = 'fallocate'): Action {
  if (!Number.isInteger(sizeMb) || sizeMb < 16 || sizeMb > 1024 * 1024) throw new ActionInputError(`a swap size in MiB from 16 to 1048576: ${sizeMb}`);
  const file = safePath(path, '');
  if (!file || !file.startsWith('/')) throw new ActionInputError(`not a plain absolute path: ${JSON.stringify(path)}`);
  const size = sizeMb % 1024 === 0 ? `${sizeMb / 1024}G` : `${sizeMb}M`;
  const fstab = `${file} none swap sw 0 0`;
  return {
    kind: 'swap-add',
    title: `Add a ${size} swap file at ${file}${persist ? ' (kept in /etc/fstab)' : ''}`,
    inputs: { sizeMb, path: file, persist, fill },
    read: [plain('cat /proc/swaps'), plain(`df -Pk ${shQuote(file.replace(/\/[^/]*$/, '') || '/')}`)],
    steps: [
      asRoot(fill === 'dd' ? `dd if=/dev/zero of=${file} bs=1M count=${sizeMb} status=none` : `fallocate -l ${size} ${file}`),
      asRoot(`chmod 600 ${file}`),
      asRoot(`mkswap ${file}`),
      asRoot(`swapon ${file}`),
      ...(persist ? [asRoot('tee -a /etc/fstab', fstab)] : []),
    ],
    undo: [asRoot(`swapoff ${file}`), asRoot(`rm -f ${file}`), ...(persist ? [asRoot(`sed -i '\\#^${file} none swap sw 0 0$#d' /etc/fstab`)] : [])],
    needsRoot: true,
  };
}

/** oom_score_adj of a running process (lost when it restarts). */
export function oomScoreAdjAction(p: number, value: number, previous: number | null = null, comm: string | null = null): Action {
  pid(p);
  if (!Number.isInteger(value) || value < -1000 || value > 1000) throw new ActionInputError(`oom_score_adj is -1000..1000: ${value}`);
  return {
    kind: 'oom-score-adj',
    title: `Set oom_score_adj of ${comm ?? 'process'} (${p}) to ${value}`,
    inputs: { pid: p, value, previous },
    read: [plain(`cat /proc/${p}/oom_score_adj`), plain(`cat /proc/${p}/oom_score`)],
    steps: [asRoot(`tee /proc/${p}/oom_score_adj`, String(value))],
    undo: previous === null ? null : [asRoot(`tee /proc/${p}/oom_score_adj`, String(previous))],
    needsRoot: true,
  };
}

/** The guide's permanent setting: OOMScoreAdjust= in a drop-in of our own (undo removes only it). */
export function unitOomScoreAdjustAction(unit: string, value: number, restart = true): Action {
  word(unit, 'unit name');
  if (!Number.isInteger(value) || value < -1000 || value > 1000) throw new ActionInputError(`OOMScoreAdjust is -1000..1000: ${value}`);
  const dir = `/etc/systemd/system/${unit}.d`;
  const file = `${dir}/90-oom-lens.conf`;
  return {
    kind: 'unit-oom-score-adjust',
    title: `Make ${unit} less likely to be OOM-killed: OOMScoreAdjust=${value} (drop-in)`,
    inputs: { unit, value },
    read: [plain(`systemctl show -p OOMScoreAdjust ${unit}`)],
    steps: [
      asRoot(`mkdir -p ${dir}`),
      asRoot(`tee ${file}`, `[Service]\nOOMScoreAdjust=${value}\n`),
      systemd('systemctl daemon-reload'),
      ...(restart ? [systemd(`systemctl restart ${unit}`)] : []),
    ],
    undo: [asRoot(`rm -f ${file}`), systemd('systemctl daemon-reload')],
    needsRoot: true,
  };
}

/** The vm.* settings the guide changes, and nothing else. */
export const SYSCTLS = [
  'vm.overcommit_memory',
  'vm.overcommit_ratio',
  'vm.swappiness',
  'vm.panic_on_oom',
  'vm.oom_kill_allocating_task',
  'vm.min_free_kbytes',
] as const;

/** sysctl -w now, optionally in /etc/sysctl.d/90-oom-lens.conf; undo writes the previous value back. */
export function sysctlAction(name: string, value: number, previous: number | null = null, persist = false): Action {
  if (!(SYSCTLS as readonly string[]).includes(name)) throw new ActionInputError(`not a setting this tool changes: ${name} (one of ${SYSCTLS.join(', ')})`);
  if (!Number.isInteger(value) || value < 0) throw new ActionInputError(`${name} takes a whole number ≥ 0: ${value}`);
  const file = '/etc/sysctl.d/90-oom-lens.conf';
  const line = `${name} = ${value}`;
  return {
    kind: 'sysctl',
    title: `Set ${name} to ${value}${persist ? ' (kept across reboots)' : ''}`,
    inputs: { name, value, previous, persist },
    read: [plain(`sysctl -n ${name}`)],
    // Persisted in a file of our own, one line per setting (its earlier line replaced).
    steps: [
      asRoot(`sysctl -w ${name}=${value}`),
      ...(persist ? [asRoot(`touch ${file}`), asRoot(`sed -i '/^${name.replace(/\./g, '\\.')} *=/d' ${file}`), asRoot(`tee -a ${file}`, line)] : []),
    ],
    undo:
      previous === null
        ? null
        : [asRoot(`sysctl -w ${name}=${previous}`), ...(persist ? [asRoot(`sed -i '/^${name.replace(/\./g, '\\.')} *=/d' ${file}`)] : [])],
    needsRoot: true,
  };
}

/** A plain memory cgroup's limit through its control file (v2 memory.max, v1 memory.limit_in_bytes). */
export function cgroupLimitAction(path: string, version: 1 | 2, limit: string, previous: string | null = null): Action {
  const p = safePath(path.replace(/^\/+/, ''), '');
  if (!p) throw new ActionInputError(`not a plain cgroup path: ${JSON.stringify(path)}`);
  if (!/^\d+[KMG]?$/i.test(limit)) throw new ActionInputError(`a limit like 512M or 2G: ${limit}`);
  const file = version === 2 ? `/sys/fs/cgroup/${p}/memory.max` : `/sys/fs/cgroup/memory/${p}/memory.limit_in_bytes`;
  return {
    kind: 'cgroup-limit',
    title: `Set the memory limit of cgroup /${p} to ${limit.toUpperCase()}`,
    inputs: { path: `/${p}`, version, limit, previous },
    read: [plain(`cat ${file}`)],
    steps: [asRoot(`tee ${file}`, limit.toUpperCase())],
    undo: previous === null ? null : [asRoot(`tee ${file}`, previous)],
    needsRoot: true,
  };
}

/** docker/podman update --memory --memory-swap of a running container. */
export function containerLimitAction(cli: 'docker' | 'podman', id: string, limit: string, previous: string | null = null): Action {
  word(id, 'container id');
  if (!/^\d+[kmg]?$/i.test(limit)) throw new ActionInputError(`a limit like 512m or 2g: ${limit}`);
  return {
    kind: 'container-limit',
    title: `Set the memory limit of ${cli} container ${id.slice(0, 12)} to ${limit}`,
    inputs: { cli, id, limit, previous },
    read: [plain(`${cli} inspect --format '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' ${id}`)],
    steps: [plain(`${cli} update --memory ${limit} --memory-swap ${limit} ${id}`)],
    undo: previous === null ? null : [plain(`${cli} update --memory ${previous} --memory-swap ${previous} ${id}`)],
    needsRoot: false,
  };
}

/** systemctl set-property UNIT MemoryMax= (or MemoryHigh=), --runtime when asked. */
export function unitMemoryAction(unit: string, property: 'MemoryMax' | 'MemoryHigh', limit: string, runtime = false): Action {
  word(unit, 'unit name');
  if (!/^(\d+[KMGT]?|infinity)$/i.test(limit)) throw new ActionInputError(`a limit like 512M, 2G or infinity: ${limit}`);
  return {
    kind: 'unit-memory',
    title: `Set ${property}=${limit.toUpperCase()} on ${unit}${runtime ? ' until reboot' : ''}`,
    inputs: { unit, property, limit, runtime },
    read: [plain(`systemctl show -p ${property} ${unit}`)],
    steps: [asRoot(`systemctl set-property${runtime ? ' --runtime' : ''} ${unit} ${property}=${limit.toUpperCase()}`)],
    // set-property writes its own drop-in; putting "infinity" back undoes the limit without `systemctl revert` (which would also remove the administrator's drop-ins).
    undo: [asRoot(`systemctl set-property${runtime ? ' --runtime' : ''} ${unit} ${property}=infinity`)],
    needsRoot: true,
  };
}
