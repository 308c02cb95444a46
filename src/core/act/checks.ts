// What is known about an action's target before asking to run it: refusals (the process is gone,
// it is init, it runs this very tool, -1000 for a random process, not enough disk for a swap file)
// and warnings that change the decision ("its unit has Restart=always, so it will come back").
import type { Host } from '../host/host';
import { formatKb } from '../format';
import { unitOf } from '../analyze/findings/context';
import { EXPECTED_NEVER_KILL } from '../analyze/findings/oomScoreAdjDisabled';
import { memoryCgroupOf } from '../parse/procFiles';
import { addSwapAction, type SwapFill } from './actions';
import type { Action } from './action';

export interface Checked {
  refuse: string | null;
  warnings: string[];
}

export interface ProcessFacts {
  pid: number;
  comm: string;
  cmdline: string;
  nspid: number[];
  cgroup: string | null;
  rssKb: number | null;
  uid: number | null;
}

/** Reads what the checks need of a process in one command; null when it is not running. */
export async function processFacts(host: Host, pid: number, signal?: AbortSignal): Promise<ProcessFacts | null> {
  const p = String(Math.trunc(pid));
  const r = await host.exec(
    `cd /proc/${p} 2>/dev/null && { grep -E '^(Name|NSpid|VmRSS|Uid):' status; echo '@@cg'; cat cgroup; echo '@@cmd'; tr '\\0' ' ' < cmdline; echo; }`,
    { signal, timeoutMs: 15_000 },
  );
  if (r.code !== 0 || !r.stdout.includes('Name:')) return null;
  const [status, rest] = r.stdout.split('@@cg\n');
  const [cg, cmd] = (rest ?? '').split('@@cmd\n');
  const field = (k: string) => new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? '';
  return {
    pid,
    comm: field('Name'),
    cmdline: (cmd ?? '').trim(),
    nspid: field('NSpid').split(/\s+/).filter(Boolean).map(Number),
    cgroup: memoryCgroupOf((cg ?? '').split('\n').filter(Boolean))?.path ?? null,
    rssKb: Number(/(\d+)/.exec(field('VmRSS'))?.[1]) || null,
    uid: Number(field('Uid').split(/\s+/)[0]) || 0,
  };
}

/** Before a kill: refuse what must never be killed from here, and say what we know. */
export async function checkKill(host: Host, pid: number, o: { self?: number[]; signal?: AbortSignal } = {}): Promise<Checked & { facts: ProcessFacts | null }> {
  if (pid === 1) return { refuse: 'pid 1 (init) is never killed from here', warnings: [], facts: null };
  const facts = await processFacts(host, pid, o.signal);
  if (!facts) return { refuse: `pid ${pid} is not running on ${host.name}`, warnings: [], facts };
  if (host.via === 'local' && (o.self ?? [process.pid]).includes(pid))
    return { refuse: `pid ${pid} is this very process (${facts.comm}): it would stop OOM Lens itself`, warnings: [], facts };
  const warnings: string[] = [];
  const unit = unitOf(facts.cgroup);
  if (unit) {
    const r = await host
      .exec(`command -v systemctl >/dev/null 2>&1 && systemctl show -p Restart --value ${unit.replace(/[^A-Za-z0-9@._-]/g, '')}`, { timeoutMs: 10_000 })
      .catch(() => null);
    const restart = r?.stdout.trim();
    if (restart && restart !== 'no') warnings.push(`systemd unit ${unit} has Restart=${restart}, so it will come back`);
    else warnings.push(`it runs in systemd unit ${unit}: \`systemctl stop ${unit}\` stops it for good`);
  }
  if (facts.nspid.length > 1 && facts.nspid[facts.nspid.length - 1] === 1) warnings.push('it is PID 1 of a container: killing it stops the whole container');
  if (facts.comm === 'sshd') warnings.push('it is sshd: killing it can cut off SSH sessions, perhaps your own');
  if (/\.vscode-server|code-server|vscode-remote/.test(facts.cmdline)) warnings.push('it is part of a VS Code server: your own remote session may go with it');
  if (facts.rssKb !== null) warnings.push(`it frees about ${formatKb(facts.rssKb)} of RSS`);
  return { refuse: null, warnings, facts };
}

/** Before oom_score_adj -1000: only the usual daemons may never be killed (the guide's warning). */
export function checkOomScoreAdj(comm: string, value: number): Checked {
  if (value === -1000 && !EXPECTED_NEVER_KILL.test(comm)) {
    return {
      refuse: `oom_score_adj -1000 makes ${comm} unkillable by the OOM killer: the guide warns this can freeze the whole system when it is the one that grows. Use -500 or -900, or protect it through its unit`,
      warnings: [],
    };
  }
  return { refuse: null, warnings: value < 0 ? ['other processes will be killed first when memory runs out'] : [] };
}

/**
 * Filesystems whose fallocated files swapon takes (ext4 reports "ext2/ext3" to stat -f). Elsewhere
 * (btrfs, older XFS, f2fs, unknown) a file with unwritten extents can be refused, so dd writes it.
 */
const FALLOCATE_SWAP_OK = /^(ext2\/ext3|ext4|xfs)$/;
/** Filesystems where a swap file cannot work or means nothing (RAM-backed, network, layered). */
const NO_SWAP_FS = /^(tmpfs|ramfs|nfs|nfs4|cifs|smb2|fuseblk|fuse|overlayfs|overlay|squashfs|proc|sysfs)$/;

/** Before a swap file: its folder exists and has room for it, the file is not there yet, and how to write it. */
export async function checkSwapFile(host: Host, path: string, sizeMb: number, signal?: AbortSignal): Promise<Checked & { fill: SwapFill }> {
  const dir = path.replace(/\/[^/]*$/, '') || '/';
  const r = await host.exec(`[ -e ${path} ] && echo exists; echo "fs=$(stat -f -c %T ${dir} 2>/dev/null)"; df -Pk ${dir} | tail -1`, {
    signal,
    timeoutMs: 15_000,
  });
  const fs = /^fs=(.*)$/m.exec(r.stdout)?.[1].trim() ?? '';
  const fill: SwapFill = FALLOCATE_SWAP_OK.test(fs) ? 'fallocate' : 'dd';
  if (/^exists$/m.test(r.stdout)) return { refuse: `${path} already exists`, warnings: [], fill };
  if (NO_SWAP_FS.test(fs)) return { refuse: `${dir} is on ${fs}: a swap file cannot live there; pick a --file on a disk filesystem`, warnings: [], fill };
  const fields = r.stdout.trim().split('\n').pop()?.split(/\s+/) ?? [];
  const availKb = Number(fields[3]);
  if (!Number.isFinite(availKb)) return { refuse: `cannot read the free space of ${dir}: ${(r.stderr || r.stdout).trim().slice(0, 200)}`, warnings: [], fill };
  const needKb = sizeMb * 1024;
  if (availKb < needKb + 256 * 1024)
    return { refuse: `${dir} has ${formatKb(availKb)} free: not enough for a ${formatKb(needKb)} swap file (and 256 MiB to spare)`, warnings: [], fill };
  const warnings = [`${formatKb(availKb)} free on ${dir} before, ${formatKb(availKb - needKb)} after`];
  if (fill === 'dd')
    warnings.push(`${dir} is on ${fs || 'an unknown filesystem'}: the file is written with dd (slower than fallocate, which swapon can refuse there)`);
  if (fs === 'btrfs') warnings.push('on btrfs a swap file also needs No_COW and no compression (chattr +C on an empty file) and no snapshots of its subvolume');
  return { refuse: null, warnings, fill };
}

/** Before vm.overcommit_memory=2: the guide's caution, with the host's own numbers. */
export async function checkSysctl(host: Host, name: string, value: number, signal?: AbortSignal): Promise<Checked> {
  if (name !== 'vm.overcommit_memory' || value !== 2) return { refuse: null, warnings: [] };
  const r = await host.exec("grep -E '^(Committed_AS|CommitLimit):' /proc/meminfo", { signal, timeoutMs: 10_000 });
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(r.stdout)?.[1]);
  const committed = kb('Committed_AS');
  const limit = kb('CommitLimit');
  const warnings = [
    'mode 2 makes allocations fail ("Cannot allocate memory") once Committed_AS reaches CommitLimit: programs that reserve a lot (JVMs, Redis, browsers) may fail to start',
  ];
  if (Number.isFinite(committed) && Number.isFinite(limit))
    warnings.push(
      `here now: Committed_AS ${formatKb(committed)}, CommitLimit ${formatKb(limit)}${committed > limit ? ': already over the limit, new allocations would fail at once' : ''}`,
    );
  return { refuse: null, warnings };
}

/**
 * The checks for any action before it is offered (the VS Code Fix… path, where the action comes
 * from a remedy): refusals, warnings, and the action adjusted to the host (how a swap file is written).
 */
export async function checkAction(host: Host, action: Action, signal?: AbortSignal): Promise<Checked & { action: Action }> {
  const i = action.inputs as Record<string, unknown>;
  switch (action.kind) {
    case 'kill': {
      const c = await checkKill(host, Number(i.pid), { signal });
      return { ...c, action };
    }
    case 'swap-add': {
      const c = await checkSwapFile(host, String(i.path), Number(i.sizeMb), signal);
      return { ...c, action: c.fill === i.fill ? action : addSwapAction(Number(i.sizeMb), String(i.path), Boolean(i.persist), c.fill) };
    }
    case 'sysctl':
      return { ...(await checkSysctl(host, String(i.name), Number(i.value), signal)), action };
    case 'oom-score-adj': {
      const facts = await processFacts(host, Number(i.pid), signal);
      if (!facts) return { refuse: `process ${String(i.pid)} is not running`, warnings: [], action };
      return { ...checkOomScoreAdj(facts.comm, Number(i.value)), action };
    }
    default:
      return { refuse: null, warnings: [], action };
  }
}
