// The factory the front ends call: `--host NAME` (an ssh config alias or user@host[:port]),
// `--ssh-config FILE` (default ~/.ssh/config), `--identity FILE`.
import type { Logger } from '../../logger';
import { loadSshConfig, resolveTarget, defaultSshConfigPath } from './sshConfig';
import { SshHost, SshCallbacks } from './sshHost';

export interface HostFromSpecOptions {
  /** Default ~/.ssh/config; a missing file is an empty config. */
  sshConfigPath?: string;
  /** Private key(s) tried before the config's IdentityFile entries. */
  identity?: string | string[];
  callbacks?: SshCallbacks;
  logger?: Logger;
  useSudo?: boolean;
  idleTimeoutMs?: number;
  /** Override the agent socket (default IdentityAgent / $SSH_AUTH_SOCK); null disables the agent. */
  agentSocket?: string | null;
}

/** Resolves `spec` through the ssh config now (config errors throw here, typed) and returns a host
 * that connects on its first exec. */
export function hostFromSpec(spec: string, opts: HostFromSpecOptions = {}): SshHost {
  const config = loadSshConfig(opts.sshConfigPath ?? defaultSshConfigPath());
  const identity = opts.identity === undefined ? undefined : Array.isArray(opts.identity) ? opts.identity : [opts.identity];
  const target = resolveTarget(spec, config, { identity });
  return new SshHost(target, {
    config,
    callbacks: opts.callbacks,
    logger: opts.logger,
    useSudo: opts.useSudo,
    idleTimeoutMs: opts.idleTimeoutMs,
    agentSocket: opts.agentSocket,
    name: spec,
  });
}
