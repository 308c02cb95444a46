// Privileged commands over SSH: `sudo -n` (never prompts: a prompt would hang a non-interactive
// exec) and a typed error with the fix when sudo wants a password or is not there.
import type { ExecResult } from '../host';
import { shQuote } from '../../shell';
import { SudoError } from './errors';

/** `sudo -n -- sh -c 'command'`: the command runs as root, or fails at once (no prompt). */
export function sudoWrap(command: string): string {
  return `sudo -n -- sh -c ${shQuote(command)}`;
}

/** Throws a SudoError when `res` shows that sudo itself refused; returns `res` otherwise. */
export function checkSudoResult(res: ExecResult, host: string, user: string): ExecResult {
  if (res.code === 0) return res;
  const err = res.stderr;
  if (/sudo: (a password is required|a terminal is required|no tty present)/.test(err)) {
    throw new SudoError(
      `sudo on ${host} wants a password for ${user} (sudo: a password is required)`,
      `allow password-less sudo for the commands OOM Lens needs, e.g. in /etc/sudoers.d/oom-lens on ${host}: "${user} ALL=(root) NOPASSWD: /bin/sh" — or connect as root, or turn off "use sudo" (you then see less: other users' PSS/USS and dmesg need root)`,
    );
  }
  if (/is not in the sudoers file|is not allowed to execute|may not run sudo/.test(err)) {
    throw new SudoError(
      `${user} may not use sudo on ${host}`,
      `ask an administrator of ${host} to allow "${user}" password-less sudo, or connect as root, or turn off "use sudo"`,
    );
  }
  if ((res.code === 127 && /sudo/.test(err)) || /sudo: (command )?not found|sudo: No such file/.test(err)) {
    throw new SudoError(`sudo is not installed on ${host}`, `install sudo on ${host} (apt-get install sudo), or connect as root, or turn off "use sudo"`);
  }
  return res;
}
