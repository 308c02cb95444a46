// The one interface every collector talks to. LocalHost runs commands here; SshHost (its own
// issue) runs them over one SSH connection. Collectors never know which.
import { OomLensError } from '../errors';

export interface ExecOptions {
  /** Text written to the command's standard input (the generated collector script). */
  stdin?: string;
  /** Cancels the command: the process (local) or the remote command (ssh) really stops. */
  signal?: AbortSignal;
  /** Kills the command after this long; the result then says so. */
  timeoutMs?: number;
  /** Streamed standard output, for long-running commands that print a frame per interval. */
  onStdout?: (chunk: string) => void;
  /** Do not keep stdout in the result: for big streamed outputs (kernel logs) read via onStdout. */
  discardStdout?: boolean;
  /** Kept stdout past this many bytes stops the command with an OutputLimitError (default: maxOutputBytes()). */
  maxOutputBytes?: number;
}

/**
 * A host that streams without end must not take the process down (in VS Code that is the
 * extension host, and every other extension with it): kept output is capped per command.
 * 256 MiB is far above any snapshot (a few MiB at 500 processes); streamed reads (onStdout +
 * discardStdout) are bounded by their consumers instead. Stderr keeps its first 1 MiB.
 */
let defaultMaxOutput = 256 * 2 ** 20;
export const MAX_STDERR_BYTES = 2 ** 20;
export function maxOutputBytes(): number {
  return defaultMaxOutput;
}
/** Set from OOM_LENS_MAX_OUTPUT_MIB (CLI) or oomLens.maxOutputMiB (VS Code). */
export function setMaxOutputBytes(bytes: number): void {
  if (Number.isFinite(bytes) && bytes >= 2 ** 20) defaultMaxOutput = Math.floor(bytes);
}

/** The cap was reached: the command was stopped, and this says where and how to raise it. */
export class OutputLimitError extends OomLensError {
  constructor(host: string, limit: number) {
    super(
      `a command on ${host} printed more than ${Math.round(limit / 2 ** 20)} MiB: stopped (the cap on one command's output)`,
      'raise it with OOM_LENS_MAX_OUTPUT_MIB (CLI) or the oomLens.maxOutputMiB setting, if the host really has that much to say',
    );
  }
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit code, or null when the command was ended by a signal. */
  code: number | null;
  signal: string | null;
  timedOut: boolean;
}

export interface Host {
  /** A name for people: the hostname, or the ssh alias. */
  readonly name: string;
  readonly via: 'local' | 'ssh';
  /** Runs a POSIX sh command line. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
}
