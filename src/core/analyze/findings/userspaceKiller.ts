// userspace-oom-killer: earlyoom, systemd-oomd, nohang or oomd runs on the host. Their kills are not kernel
// kills (no "Killed process" in the kernel log; the journal has them), and they act before the
// kernel would, at thresholds of their own: the diagnosis says who watches, and at what.
import type { Finding, ProcessInfo, Remedy } from '../../model/report';
import type { FindingContext } from './context';
import { formatKb } from '../../format';

export interface EarlyoomThresholds {
  /** SIGTERM / SIGKILL at or below these shares of MemTotal available, and of swap free (percent). */
  memTermPct: number;
  memKillPct: number;
  swapTermPct: number;
  swapKillPct: number;
  /** -M / -S: absolute sizes (KiB), when given; earlyoom then uses the lower of size and percent. */
  memTermKb: number | null;
  swapTermKb: number | null;
  dryRun: boolean;
  prefer: string | null;
  avoid: string | null;
}

/** earlyoom's options as its man page (1.7) defines them: -m PERCENT[,KILL_PERCENT], -s …, -M SIZE[,KILL_SIZE], -S …, --prefer, --avoid, --dryrun. */
export function earlyoomThresholds(argv: string[]): EarlyoomThresholds {
  const t: EarlyoomThresholds = {
    memTermPct: 10,
    memKillPct: 5,
    swapTermPct: 10,
    swapKillPct: 5,
    memTermKb: null,
    swapTermKb: null,
    dryRun: false,
    prefer: null,
    avoid: null,
  };
  const pair = (v: string | undefined): [number, number | null] | null => {
    const m = /^(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?$/.exec(v ?? '');
    return m ? [Number(m[1]), m[2] !== undefined ? Number(m[2]) : null] : null;
  };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    // "--prefer=X", "--prefer X", "-m10", "-m 10"
    const [flag, inline]: [string, string | undefined] = a.startsWith('--')
      ? eq > 0
        ? [a.slice(0, eq), a.slice(eq + 1)]
        : [a, undefined]
      : [a.slice(0, 2), a.length > 2 ? a.slice(2) : undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '-m' || flag === '-s') {
      const p = pair(value());
      if (!p) continue;
      if (flag === '-m') [t.memTermPct, t.memKillPct] = [p[0], p[1] ?? p[0] / 2];
      else [t.swapTermPct, t.swapKillPct] = [p[0], p[1] ?? p[0] / 2];
    } else if (flag === '-M' || flag === '-S') {
      const p = pair(value());
      if (p && flag === '-M') t.memTermKb = p[0];
      else if (p) t.swapTermKb = p[0];
    } else if (a === '--dryrun') t.dryRun = true;
    else if (flag === '--prefer') t.prefer = value() ?? null;
    else if (flag === '--avoid') t.avoid = value() ?? null;
  }
  return t;
}

const argvOf = (p: ProcessInfo) => p.argv ?? (p.cmdline ? p.cmdline.split(/\s+/) : [p.comm]);

export function userspaceKiller(ctx: FindingContext): Finding[] {
  const procs = ctx.report.processes ?? [];
  const out: Finding[] = [];
  const kills = (killer: string) => (ctx.report.events ?? []).filter((e) => e.kind === 'userspace-kill' && e.userspace?.killer === killer).length;
  for (const p of procs.filter((x) => x.comm === 'earlyoom')) {
    const t = earlyoomThresholds(argvOf(p));
    const n = kills('earlyoom');
    const mem = `${t.memTermPct} %${t.memTermKb !== null ? ` (or ${formatKb(t.memTermKb)})` : ''}`;
    out.push({
      id: 'userspace-oom-killer',
      key: `userspace-oom-killer:earlyoom:${p.pid}`,
      severity: 'info',
      title: `earlyoom runs here (pid ${p.pid})${t.dryRun ? ' in --dryrun: it reports, never kills' : `: it kills before the kernel would, at ${mem} MemAvailable and ${t.swapTermPct} % free swap`}`,
      detail:
        `earlyoom sends SIGTERM when MemAvailable is at or below ${mem} of RAM and free swap at or below ${t.swapTermPct} % (both), and SIGKILL at ${t.memKillPct} % / ${t.swapKillPct} %. ` +
        `Its kills are not in the kernel log ("Killed process" never appears): read them in its output (journalctl -u earlyoom).` +
        (t.prefer ? ` It prefers to kill /${t.prefer}/.` : '') +
        (t.avoid ? ` It avoids /${t.avoid}/.` : '') +
        (n ? ` ${n} of its kills are in the logs read here.` : ''),
      pids: [p.pid],
      evidence: { killer: 'earlyoom', pid: p.pid, ...t, killsInLog: n },
      remedies: [{ title: 'Read what earlyoom did', commands: ['journalctl -u earlyoom --no-pager -n 200'], changesHost: false }],
    });
  }
  for (const p of procs.filter((x) => x.comm === 'systemd-oomd')) {
    out.push(
      daemonFinding(
        'systemd-oomd',
        p,
        kills('systemd-oomd'),
        'it kills whole cgroups under memory pressure or swap use',
        'systemd-oomd acts on units with ManagedOOMMemoryPressure=kill (default limit 60 % pressure for 30 s) or ManagedOOMSwap=kill (default 90 % of swap used), ' +
          'killing the cgroup that uses most, not one process. Its kills are not kernel kills: journalctl -u systemd-oomd has them, and oomctl shows what it watches and its limits.',
        {
          title: 'See what systemd-oomd watches, its limits, and what it killed',
          commands: ['oomctl', 'journalctl -u systemd-oomd --no-pager -n 200'],
          changesHost: false,
        },
      ),
    );
  }
  // nohang is a Python script: its comm is the script's name (nohang, or nohang-desktop's nohang)
  for (const p of procs.filter((x) => x.comm === 'nohang' || x.comm === 'nohang-desktop')) {
    const unit = p.comm === 'nohang-desktop' || (p.cmdline ?? '').includes('desktop') ? 'nohang-desktop' : 'nohang';
    out.push(
      daemonFinding(
        'nohang',
        p,
        kills('nohang'),
        'it kills before the kernel would, at the thresholds of its config',
        'nohang sends SIGTERM (soft) or SIGKILL (hard) to the process of highest badness when MemAvailable and SwapFree fall below its soft/hard thresholds, or when PSI memory pressure stays above its limit ' +
          `(nohang.conf). Its kills are not in the kernel log: journalctl -u ${unit} has them ("Implement a corrective action").`,
        { title: 'Read what nohang did', commands: [`journalctl -u ${unit} --no-pager -n 200`], changesHost: false },
      ),
    );
  }
  for (const p of procs.filter((x) => x.comm === 'oomd')) {
    out.push(
      daemonFinding(
        'oomd',
        p,
        kills('oomd'),
        'it kills whole cgroups when its rules fire (memory pressure, swap, size)',
        'oomd (facebookincubator) watches the cgroups its rulesets name (/etc/oomd/oomd.json) and kills the one its kill plugin picks, before the kernel would. ' +
          'Each kill is written to the kernel log as "oomd kill: …" (dmesg shows it, with the ruleset and plugin); its own journal (journalctl -u oomd) says which processes died.',
        { title: 'Read what oomd did and its rules', commands: ['journalctl -u oomd --no-pager -n 200', 'cat /etc/oomd/oomd.json'], changesHost: false },
      ),
    );
  }
  return out;
}

/** The finding for a userspace OOM killer without thresholds of its own to read (earlyoom's are read above). */
function daemonFinding(killer: string, p: ProcessInfo, killsInLog: number, what: string, detail: string, remedy: Remedy): Finding {
  return {
    id: 'userspace-oom-killer',
    key: `userspace-oom-killer:${killer}:${p.pid}`,
    severity: 'info',
    title: `${killer} runs here (pid ${p.pid}): ${what}`,
    detail: detail + (killsInLog ? ` ${killsInLog} of its kills are in the logs read here.` : ''),
    pids: [p.pid],
    evidence: { killer, pid: p.pid, killsInLog },
    remedies: [remedy],
  };
}
