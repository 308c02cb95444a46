// oom-lens act: the host-changing actions of core/act, from a terminal. A dry run unless --apply:
// the exact commands, the current value, the warnings and the undo are printed and nothing runs.
// With --apply they run (as root, or through sudo -n), the value is read again, and the entry
// goes to the audit log; --json prints it (its id is what `act undo ID` takes).
import type { Host } from '../../core/host/host';
import { OomLensError } from '../../core/errors';
import { renderSteps, type Action } from '../../core/act/action';
import {
  addSwapAction,
  cgroupLimitAction,
  dropCachesAction,
  killAction,
  oomScoreAdjAction,
  sysctlAction,
  unitOomScoreAdjustAction,
  type Signal,
} from '../../core/act/actions';
import { applyAction, privilegeOf, readCurrent, undoEntry, type AuditEntry, type Privilege } from '../../core/act/runner';
import { checkKill, checkOomScoreAdj, checkSwapFile, checkSysctl, processFacts, type Checked } from '../../core/act/checks';
import { killWithEscalation } from '../../core/act/kill';
import { AuditLog } from '../../core/act/auditLog';
import { UsageError, type CliArgs } from '../args';
import { formatTime } from '../../core/format';

export class RefusedError extends OomLensError {}

type Out = (text: string) => void;

function usage(msg: string): never {
  throw new UsageError(`${msg} (see oom-lens --help, "act")`);
}

function int(text: string | undefined, what: string): number {
  if (text === undefined || !/^-?\d+$/.test(text)) usage(`${what} must be a whole number, not '${text ?? ''}'`);
  return Number(text);
}

/** "2G", "512M", "2048" (MiB) -> MiB. */
function sizeMb(text: string | undefined): number {
  const m = /^(-?\d+)([MG]?)i?B?$/i.exec(text ?? '');
  if (!m) usage(`a size like 2G or 512M, not '${text ?? ''}'`);
  const n = Number(m[1]);
  return m[2].toUpperCase() === 'G' ? n * 1024 : n;
}

const modeText = (p: Privilege) => (p.mode === 'root' ? `as ${p.user}` : `as ${p.user}, root steps through sudo -n`);

function dryRun(host: Host, action: Action, priv: Privilege, current: string, checked: Checked): string {
  const lines = [
    `${action.title} — DRY RUN on ${host.name} (${modeText(priv)}); nothing was changed.`,
    'Would run:',
    ...renderSteps(action.steps, priv.mode).map((c) => `  ${c}`),
  ];
  if (current) lines.push('Now:', ...current.split('\n').map((l) => `  ${l}`));
  for (const w of checked.warnings) lines.push(`Note: ${w}`);
  lines.push(action.undo ? `Undo: ${renderSteps(action.undo, priv.mode).join(' ; ')}` : 'Undo: none (this cannot be undone)');
  lines.push('Run it with --apply.');
  return lines.join('\n') + '\n';
}

function applied(e: AuditEntry): string {
  const lines = [`${e.ok ? 'Done' : 'FAILED'}: ${e.title} on ${e.host} [${e.id}]`, ...e.commands.map((c) => `  $ ${c}`)];
  if (e.before) lines.push('Before:', ...e.before.split('\n').map((l) => `  ${l}`));
  if (e.after) lines.push('After:', ...e.after.split('\n').map((l) => `  ${l}`));
  if (e.error) lines.push(`Error: ${e.error}`);
  lines.push(e.undo ? `Undo with: oom-lens act undo ${e.id} --apply` : 'This cannot be undone.');
  return lines.join('\n') + '\n';
}

/** One action: checked, then shown (dry run) or run and logged. */
async function one(host: Host, action: Action, checked: Checked, args: CliArgs, log: AuditLog, out: Out, signal: AbortSignal): Promise<number> {
  if (checked.refuse) throw new RefusedError(checked.refuse);
  const priv = await privilegeOf(host, signal);
  if (!args.actOptions!.apply) {
    out(
      args.json
        ? JSON.stringify(
            {
              dryRun: true,
              host: host.name,
              title: action.title,
              commands: renderSteps(action.steps, priv.mode),
              current: await readCurrent(host, action, priv, signal),
              warnings: checked.warnings,
              undo: action.undo ? renderSteps(action.undo, priv.mode) : null,
            },
            null,
            2,
          ) + '\n'
        : dryRun(host, action, priv, await readCurrent(host, action, priv, signal), checked),
    );
    return 0;
  }
  const e = await applyAction(host, action, { privilege: priv, signal });
  log.append(e);
  out(args.json ? JSON.stringify(e, null, 2) + '\n' : applied(e));
  return e.ok ? 0 : 1;
}

export async function actCommand(args: CliArgs, host: Host, signal: AbortSignal, out: Out, log = AuditLog.forCli()): Promise<number> {
  const [what, ...rest] = args.positionals;
  const o = args.actOptions!;
  switch (what) {
    case 'kill': {
      if (!rest.length) usage('act kill needs one or more pids');
      const pids = rest.map((p) => int(p, 'a pid'));
      const signalName = (o.signal ?? 'TERM').toUpperCase().replace(/^SIG/, '') as Signal;
      const targets: { pid: number; comm: string | null }[] = [];
      const notes: string[] = [];
      for (const pid of pids) {
        const c = await checkKill(host, pid, { signal });
        if (c.refuse) throw new RefusedError(c.refuse);
        killAction(pid, c.facts?.comm ?? null, signalName); // checks the signal before anything runs
        targets.push({ pid, comm: c.facts?.comm ?? null });
        notes.push(...c.warnings.map((w) => `${c.facts?.comm ?? pid} (${pid}): ${w}`));
      }
      if (!o.apply || o.escalateMs === null || signalName !== 'TERM') {
        if (targets.length === 1)
          return one(host, killAction(targets[0].pid, targets[0].comm, signalName), { refuse: null, warnings: notes }, args, log, out, signal);
        if (!o.apply) {
          const priv = await privilegeOf(host, signal);
          out(
            [
              `Stop ${targets.length} processes — DRY RUN on ${host.name} (${modeText(priv)}); nothing was changed.`,
              'Would run:',
              ...targets.flatMap((t) => renderSteps(killAction(t.pid, t.comm, signalName).steps, priv.mode).map((c) => `  ${c}`)),
              ...(o.escalateMs !== null ? [`then, ${o.escalateMs / 1000} s later, SIGKILL for any still running`] : []),
              ...notes.map((n) => `Note: ${n}`),
              'Undo: none (this cannot be undone)',
              'Run it with --apply.',
            ].join('\n') + '\n',
          );
          return 0;
        }
      }
      const priv = await privilegeOf(host, signal);
      const r = await killWithEscalation(host, targets, {
        waitMs: o.escalateMs ?? 0,
        escalate: o.escalateMs !== null && signalName === 'TERM',
        privilege: priv,
        signal,
      });
      for (const e of r.entries) log.append(e);
      if (args.json) out(JSON.stringify({ entries: r.entries, aliveAfterTerm: r.aliveAfterTerm, aliveAtEnd: r.aliveAtEnd }, null, 2) + '\n');
      else {
        for (const e of r.entries) out(applied(e));
        out(r.aliveAtEnd.length ? `Still running: ${r.aliveAtEnd.join(', ')}\n` : 'All of them have ended.\n');
      }
      return r.entries.every((e) => e.ok) && r.aliveAtEnd.length === 0 ? 0 : 1;
    }
    case 'drop-caches':
      if (rest.length) usage('act drop-caches takes no arguments');
      return one(
        host,
        dropCachesAction(),
        { refuse: null, warnings: ['the kernel refills the caches; reads are slower until it has'] },
        args,
        log,
        out,
        signal,
      );
    case 'swap': {
      if (rest[0] !== 'add' || rest.length !== 2) usage('act swap add SIZE [--file PATH] [--persist]');
      const mb = sizeMb(rest[1]);
      const file = o.file ?? '/swapfile';
      addSwapAction(mb, file, o.persist); // checks the inputs before they reach a command
      const checked = await checkSwapFile(host, file, mb, signal);
      return one(host, addSwapAction(mb, file, o.persist, checked.fill), checked, args, log, out, signal);
    }
    case 'oom-adj': {
      if (rest.length !== 2) usage('act oom-adj PID VALUE [--unit UNIT]');
      const pid = int(rest[0], 'a pid');
      const value = int(rest[1], 'oom_score_adj');
      if (o.unit)
        return one(
          host,
          unitOomScoreAdjustAction(o.unit, value),
          { refuse: null, warnings: [`restarts ${o.unit} so the setting takes effect`] },
          args,
          log,
          out,
          signal,
        );
      const facts = await processFacts(host, pid, signal);
      if (!facts) throw new RefusedError(`pid ${pid} is not running on ${host.name}`);
      const prev = (await host.exec(`cat /proc/${pid}/oom_score_adj`, { signal, timeoutMs: 10_000 })).stdout.trim();
      return one(
        host,
        oomScoreAdjAction(pid, value, /^-?\d+$/.test(prev) ? Number(prev) : null, facts.comm),
        checkOomScoreAdj(facts.comm, value),
        args,
        log,
        out,
        signal,
      );
    }
    case 'sysctl': {
      const m = rest.length === 1 ? /^([a-z_.]+)=(\d+)$/.exec(rest[0]) : null;
      if (!m) usage('act sysctl NAME=VALUE, e.g. vm.swappiness=10');
      const prev = (await host.exec(`sysctl -n ${m[1].replace(/[^a-z_.]/g, '')}`, { signal, timeoutMs: 10_000 })).stdout.trim();
      const action = sysctlAction(m[1], Number(m[2]), /^\d+$/.test(prev) ? Number(prev) : null, o.persist);
      return one(host, action, await checkSysctl(host, m[1], Number(m[2]), signal), args, log, out, signal);
    }
    case 'cgroup-limit': {
      if (rest.length !== 2) usage('act cgroup-limit CGROUP SIZE, e.g. /my-service 512M');
      const v2 =
        (
          await host.exec('[ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers && echo 2 || echo 1', {
            signal,
            timeoutMs: 10_000,
          })
        ).stdout.trim() === '2'
          ? 2
          : 1;
      const limit = `${sizeMb(rest[1])}M`;
      const file =
        v2 === 2 ? `/sys/fs/cgroup/${rest[0].replace(/^\/+/, '')}/memory.max` : `/sys/fs/cgroup/memory/${rest[0].replace(/^\/+/, '')}/memory.limit_in_bytes`;
      cgroupLimitAction(rest[0], v2, limit); // checks the path before it reaches a command
      const prev = (await host.exec(`cat ${file}`, { signal, timeoutMs: 10_000 })).stdout.trim();
      if (!prev) throw new RefusedError(`no memory cgroup ${rest[0]} on ${host.name} (${file} does not exist)`);
      return one(host, cgroupLimitAction(rest[0], v2, limit, /^(\d+|max)$/.test(prev) ? prev : null), { refuse: null, warnings: [] }, args, log, out, signal);
    }
    case 'undo': {
      if (rest.length !== 1) usage('act undo ID (see act log)');
      const entry = log.find(host.name, rest[0]);
      if (!entry) throw new RefusedError(`no action ${rest[0]} in the log of ${host.name} (${log.fileFor(host.name)})`);
      if (!entry.undoSteps) throw new RefusedError(`"${entry.title}" cannot be undone`);
      const priv = await privilegeOf(host, signal);
      if (!o.apply) {
        out(
          `Undo: ${entry.title} [${entry.id}] — DRY RUN on ${host.name} (${modeText(priv)}); nothing was changed.\nWould run:\n${renderSteps(
            entry.undoSteps,
            priv.mode,
          )
            .map((c) => `  ${c}`)
            .join('\n')}\nRun it with --apply.\n`,
        );
        return 0;
      }
      const e = await undoEntry(host, entry, { privilege: priv, signal });
      log.append(e);
      out(args.json ? JSON.stringify(e, null, 2) + '\n' : applied(e));
      return e.ok ? 0 : 1;
    }
    case 'log': {
      const { entries, unreadable } = log.entries(host.name);
      if (args.json) out(JSON.stringify({ file: log.fileFor(host.name), entries, unreadable }, null, 2) + '\n');
      else {
        out(
          entries.length
            ? entries
                .map(
                  (e) =>
                    `${formatTime(e.time)}  ${e.id}  ${e.ok ? 'ok    ' : 'FAILED'}  ${e.title}${e.undoOf ? ` (undo of ${e.undoOf})` : ''}${e.undo ? '' : '  [no undo]'}`,
                )
                .join('\n') + '\n'
            : `No actions recorded for ${host.name} (${log.fileFor(host.name)}).\n`,
        );
        if (unreadable) out(`(${unreadable} unreadable lines skipped)\n`);
      }
      return 0;
    }
    default:
      usage(`act needs one of: kill, drop-caches, swap add, oom-adj, sysctl, cgroup-limit, undo, log${what ? ` (not '${what}')` : ''}`);
  }
}
