// Carries out an action on a host (this machine or SSH, through the same Host): reads the current
// value first, runs the exact steps (as root as they are, otherwise through `sudo -n`, never
// asking for a password), reads again to show whether it took effect, and returns the audit entry
// (with the undo commands). Also logs to the host's syslog with `logger -t oom-lens` when it can.
import { randomBytes } from 'node:crypto';
import type { Host } from '../host/host';
import { OomLensError } from '../errors';
import { renderStep, renderSteps, type Action, type RenderMode, type Step } from './action';
import { shQuote } from '../shell';

export class ActionError extends OomLensError {}

/** One line of the audit log (JSON lines, per host). */
export interface AuditEntry {
  id: string;
  time: string;
  host: string;
  user: string;
  action: string;
  title: string;
  inputs: Action['inputs'];
  commands: string[];
  before: string;
  after: string;
  exitCode: number | null;
  ok: boolean;
  /** The commands that put it back (null: cannot be undone), and the steps to run them. */
  undo: string[] | null;
  undoSteps: Step[] | null;
  /** How the value was read (an undo reads it the same way). */
  readSteps: Step[];
  /** Set on an entry that undid another. */
  undoOf?: string;
  error?: string;
}

/** Who runs the commands on that host, and how root steps are run there. */
export interface Privilege {
  user: string;
  uid: number;
  mode: RenderMode;
}

export async function privilegeOf(host: Host, signal?: AbortSignal): Promise<Privilege> {
  const r = await host.exec('id -un; id -u', { signal, timeoutMs: 15_000 });
  const [user, uid] = r.stdout.trim().split('\n');
  const n = Number(uid);
  return { user: user || '?', uid: Number.isFinite(n) ? n : -1, mode: n === 0 ? 'root' : 'sudo' };
}

/** Runs steps one by one (stopping at the first that fails); the output of all, and the failing exit code. */
async function runSteps(
  host: Host,
  steps: Step[],
  mode: RenderMode,
  signal?: AbortSignal,
): Promise<{ out: string; code: number | null; failed: string | null }> {
  let out = '';
  let systemd: boolean | null = null;
  for (const step of steps) {
    if (step.when === 'systemd') {
      systemd ??= (await host.exec('[ -d /run/systemd/system ]', { signal, timeoutMs: 10_000 })).code === 0;
      if (!systemd) {
        out += `(skipped, systemd is not running on ${host.name}: ${step.run})\n`;
        continue;
      }
    }
    const cmd = renderStep(step, mode);
    const r = await host.exec(cmd, { signal, timeoutMs: 120_000 });
    out += r.stdout + r.stderr;
    if (r.code !== 0) {
      if (mode === 'sudo' && /a password is required|a terminal is required|sudo: .*not allowed|is not in the sudoers/.test(r.stderr)) {
        throw new ActionError(
          `sudo on ${host.name} needs a password (or is not allowed) for: ${cmd}`,
          `run as root, or allow it without a password (sudoers: <user> ALL=(root) NOPASSWD: ...); OOM Lens never asks for or stores a password`,
        );
      }
      return { out, code: r.code, failed: cmd };
    }
  }
  return { out, code: 0, failed: null };
}

/** The current value(s), as the read steps print them. */
export async function readCurrent(host: Host, action: Action, priv: Privilege, signal?: AbortSignal): Promise<string> {
  if (!action.read.length) return '';
  const r = await runSteps(host, action.read, priv.mode, signal).catch((e: Error) => ({ out: `(not readable: ${e.message})`, code: 1, failed: null }));
  return r.out.trim();
}

export interface ApplyOptions {
  signal?: AbortSignal;
  privilege?: Privilege;
  undoOf?: string;
}

/** Runs the action's steps and returns the audit entry (also on failure: `ok` false, `error` says why). */
export async function applyAction(host: Host, action: Action, o: ApplyOptions = {}): Promise<AuditEntry> {
  const priv = o.privilege ?? (await privilegeOf(host, o.signal));
  const before = await readCurrent(host, action, priv, o.signal);
  const r = await runSteps(host, action.steps, priv.mode, o.signal);
  const after = await readCurrent(host, action, priv, o.signal);
  const entry: AuditEntry = {
    id: `${new Date()
      .toISOString()
      .replace(/[-:.TZ]/g, '')
      .slice(0, 14)}-${randomBytes(3).toString('hex')}`,
    time: new Date().toISOString(),
    host: host.name,
    user: priv.user,
    action: action.kind,
    title: action.title,
    inputs: action.inputs,
    commands: renderSteps(action.steps, priv.mode),
    before,
    after,
    exitCode: r.code,
    ok: r.failed === null,
    undo: action.undo ? renderSteps(action.undo, priv.mode) : null,
    undoSteps: action.undo,
    readSteps: action.read,
    ...(o.undoOf ? { undoOf: o.undoOf } : {}),
    ...(r.failed ? { error: `${r.failed} exited ${r.code}: ${r.out.trim().split('\n').slice(-3).join(' ').slice(0, 300)}` } : {}),
  };
  // The host's own record of what changed it (best effort: logger may be missing).
  void host
    .exec(
      `command -v logger >/dev/null 2>&1 && logger -t oom-lens ${shQuote(`${entry.ok ? 'did' : 'FAILED'}: ${entry.title} [${entry.id}]: ${entry.commands.join(' ; ')}`.slice(0, 900))}`,
      { timeoutMs: 10_000 },
    )
    .catch(() => undefined);
  return entry;
}

/** Undoes an entry of the log: runs its undo steps, and returns the new entry (which names it). */
export async function undoEntry(host: Host, entry: AuditEntry, o: ApplyOptions = {}): Promise<AuditEntry> {
  if (!entry.undoSteps) throw new ActionError(`"${entry.title}" cannot be undone`);
  if (entry.host !== host.name) throw new ActionError(`entry ${entry.id} was done on ${entry.host}, not on ${host.name}`);
  const undo: Action = {
    kind: `undo:${entry.action}`,
    title: `Undo: ${entry.title}`,
    inputs: { of: entry.id },
    read: entry.readSteps ?? [],
    steps: entry.undoSteps,
    undo: null,
    needsRoot: true,
  };
  return applyAction(host, undo, { ...o, undoOf: entry.id });
}
