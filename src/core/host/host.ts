// The one interface every collector talks to. LocalHost runs commands here; SshHost (its own
// issue) runs them over one SSH connection. Collectors never know which.

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
