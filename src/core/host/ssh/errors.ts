// Typed SSH errors. `message` is the one line a front end prints; `hint` says what to do.
import { OomLensError } from '../../errors';

export class SshError extends OomLensError {}

/** The ssh config or the host spec is unusable (bad syntax, unsupported directive). */
export class SshConfigError extends SshError {}

/** TCP connect, DNS, handshake or timeout failure: nothing was authenticated. Retryable. */
export class SshConnectError extends SshError {
  constructor(
    message: string,
    hint?: string,
    readonly code?: string,
  ) {
    super(message, hint);
  }
}

/** No authentication method worked. `tried` lists what was attempted, for the log. */
export class SshAuthError extends SshError {
  constructor(
    message: string,
    hint: string | undefined,
    readonly tried: string[],
  ) {
    super(message, hint);
  }
}

/** An established connection went away while a command ran (network drop, sshd killed). */
export class SshDisconnectedError extends SshError {
  constructor(
    message: string,
    readonly at: number = Date.now(),
  ) {
    super(message, 'the connection dropped; OOM Lens reconnects for sampling, run the command again for a snapshot');
  }
}

export type HostKeyProblem = 'unknown' | 'changed' | 'revoked' | 'refused';

/** A host key was not accepted. Carries what a user needs to check it out of band. */
export class HostKeyError extends SshError {
  constructor(
    message: string,
    hint: string | undefined,
    readonly host: string,
    readonly port: number,
    readonly keyType: string,
    /** 'SHA256:…' as `ssh-keygen -lf` prints it. */
    readonly fingerprint: string,
    readonly problem: HostKeyProblem,
    /** For 'changed' / 'revoked': the known_hosts file and 1-based line that disagree. */
    readonly knownHostsFile?: string,
    readonly knownHostsLine?: number,
  ) {
    super(message, hint);
  }
}

/** sudo -n could not run the command (password needed, not allowed, not installed). */
export class SudoError extends SshError {}
