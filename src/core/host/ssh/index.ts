// SSH hosts for OOM Lens. Front ends import from here.
export { SshHost, wrapForCancel } from './sshHost';
export type { SshCallbacks, SshHostOptions, UnknownHostKeyInfo, UnknownHostKeyAnswer, ExecStreamOptions, ReconnectInfo } from './sshHost';
export { hostFromSpec } from './hostFromSpec';
export type { HostFromSpecOptions } from './hostFromSpec';
export { listConfiguredHosts, configuredHostNames, loadSshConfig, resolveTarget, parseSpec, jumpChain, defaultSshConfigPath, expandPath } from './sshConfig';
export type { SshTarget, StrictHostKeyChecking } from './sshConfig';
export { sudoWrap, checkSudoResult } from './sudo';
export { SshError, SshConfigError, SshConnectError, SshAuthError, SshDisconnectedError, HostKeyError, SudoError } from './errors';
export type { HostKeyProblem } from './errors';
export { fingerprintSha256, knownHostName, knownHostsLine, parseKnownHosts, checkHostKey } from './knownHosts';
