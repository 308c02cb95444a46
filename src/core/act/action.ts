// The home of host-changing actions: one typed object per action, made by a checked factory
// (pids are integers, names and paths checked words: a bad input throws ActionInputError and
// nothing is built). Each knows the exact commands it runs, how to read the current value first,
// how to undo it (or that it cannot be undone), and whether it needs root. A finding's remedy is
// rendered from the same action, so the remedy and what "Fix…" runs can never disagree.
import { shQuote } from '../shell';

/** One shell step. `root`: needs root (run as is by root, else through sudo). `input`: its stdin. */
export interface Step {
  run: string;
  root: boolean;
  input?: string;
  /** Only where systemd runs (daemon-reload, restart): skipped, and said, on a host without it. */
  when?: 'systemd';
}

export interface Action {
  kind: string;
  /** Named after what it does: "Kill python3 (9390)". */
  title: string;
  /** The checked inputs, as given. */
  inputs: Record<string, string | number | boolean | null>;
  /** Reads the current value(s) first (no root needed unless said). */
  read: Step[];
  /** What it does. */
  steps: Step[];
  /** How to put it back, or null when it cannot be undone (a kill). */
  undo: Step[] | null;
  needsRoot: boolean;
}

export class ActionInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionInputError';
  }
}

/** How a step is written: for a person to copy (with sudo), or to run as root, or through sudo -n. */
export type RenderMode = 'copy' | 'root' | 'sudo';

/**
 * Text that goes into a command's stdin, always ending in a newline: echo for one line (quoted
 * unless it is a plain word), printf for plain lines, a quoted printf argument otherwise.
 */
function feed(input: string): string {
  const text = input.replace(/\n$/, '');
  if (/^-?[A-Za-z0-9_.:=+-]+$/.test(text)) return `echo ${text} | `;
  if (!text.includes('\n') && !/['\\]/.test(text)) return `echo '${text}' | `;
  if (/^[A-Za-z0-9_.:=+\-[\] /\n]+$/.test(text)) return `printf '${text.replace(/\n/g, '\\n')}\\n' | `;
  return `printf '%s\\n' ${shQuote(text)} | `;
}

export function renderStep(s: Step, mode: RenderMode = 'copy'): string {
  const prefix = !s.root || mode === 'root' ? '' : mode === 'sudo' ? 'sudo -n ' : 'sudo ';
  return `${s.input !== undefined ? feed(s.input) : ''}${prefix}${s.run}`;
}

export function renderSteps(steps: Step[], mode: RenderMode = 'copy'): string[] {
  return steps.map((s) => renderStep(s, mode));
}

/** A step that runs as the user. */
export const plain = (run: string): Step => ({ run, root: false });
/** A step that needs root. */
export const asRoot = (run: string, input?: string): Step => (input === undefined ? { run, root: true } : { run, root: true, input });
