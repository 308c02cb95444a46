// How to log in, in the order ssh tries: the agent, the identity files (asking for a key's
// passphrase when needed), keyboard-interactive, the password. One plan per connection attempt;
// it keeps what was tried and why a method could not be used, for the error message.
import { terminalSafeLine } from '../../util/terminalText';
import { existsSync, readFileSync } from 'node:fs';
import type { AnyAuthMethod } from 'ssh2';
import { CancelledError } from '../../errors';
import { parseKey } from './keys';
import { SshAuthError } from './errors';
import type { SshTarget } from './sshConfig';
import type { SshCallbacks } from './connectClient';

type AuthMethod = AnyAuthMethod;
type Step = { kind: string; label: string; make: () => Promise<AuthMethod | null> };

export interface AuthContext {
  target: SshTarget;
  callbacks: SshCallbacks;
  /** The agent socket to use (null: none); undefined: the config's IdentityAgent or SSH_AUTH_SOCK. */
  agentSocket?: string | null;
  /** Runs a prompt with the connect timer paused (a person is answering). */
  during: <T>(p: () => T | Promise<T>) => Promise<T>;
  /** A reason that ends the whole attempt (a cancelled prompt). */
  setFatal: (e: Error) => void;
  isFatal: () => boolean;
}

export class AuthPlan {
  readonly tried: string[] = [];
  readonly notes: string[] = [];
  private wrongPassphrase: string | undefined;
  private readonly steps: Step[] = [];
  private stepIndex = 0;
  private passwordAttempts = 0;

  constructor(private readonly c: AuthContext) {
    const t = c.target;
    const cb = c.callbacks;
    const notes = this.notes;
    const steps = this.steps;
    const timer = { during: c.during };
    const agent = c.agentSocket !== undefined ? c.agentSocket : t.identityAgent !== undefined ? t.identityAgent : process.env.SSH_AUTH_SOCK;
    if (agent && !t.identitiesOnly) {
      steps.push({
        kind: 'publickey',
        label: 'agent',
        make: async () =>
          existsSync(agent) ? ({ type: 'agent', username: t.user, agent } as AuthMethod) : (notes.push(`agent socket ${agent} does not exist`), null),
      });
    }
    for (const file of t.identityFiles) {
      steps.push({
        kind: 'publickey',
        label: `key ${file}`,
        make: async () => {
          let data: Buffer;
          try {
            data = readFileSync(file);
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'ENOENT') notes.push(`cannot read key ${file}: ${(e as Error).message}`);
            return null;
          }
          const k = parseKey(data);
          if (k.ok) return { type: 'publickey', username: t.user, key: k.key } as AuthMethod;
          if (!k.encrypted) {
            notes.push(`cannot use key ${file}: ${k.error}`);
            return null;
          }
          if (!cb.askPassphrase || t.batchMode) {
            notes.push(`key ${file} is encrypted and no passphrase can be asked (add it to ssh-agent: ssh-add ${file})`);
            return null;
          }
          for (let attempt = 1; attempt <= 3; attempt++) {
            const pass = await timer.during(() => cb.askPassphrase!({ keyPath: file, attempt, wrong: attempt > 1 }));
            if (pass === undefined) {
              notes.push(`no passphrase given for key ${file}`);
              return null;
            }
            const k2 = parseKey(data, pass);
            if (k2.ok) return { type: 'publickey', username: t.user, key: k2.key } as AuthMethod; // parsed once: decrypting is slow
            if (!k2.badPassphrase) {
              notes.push(`cannot use key ${file}: ${k2.error}`);
              return null;
            }
          }
          this.wrongPassphrase = file;
          notes.push(`wrong passphrase for key ${file} (3 attempts)`);
          return null;
        },
      });
    }
    const ask = (prompt: string, echo: boolean) =>
      timer.during(() => cb.askPassword!({ host: t.host, user: t.user, prompt, echo, attempt: this.passwordAttempts }));
    const passwordStep = (): Step => ({
      kind: 'password',
      label: 'password',
      make: async () => {
        this.passwordAttempts++;
        const pw = await ask(`${t.user}@${t.host}'s password: `, false);
        if (pw === undefined) {
          c.setFatal(new CancelledError());
          return null;
        }
        return { type: 'password', username: t.user, password: pw } as AuthMethod;
      },
    });
    if (cb.askPassword && !t.batchMode) {
      if (t.kbdInteractiveAuthentication) {
        steps.push({
          kind: 'keyboard-interactive',
          label: 'keyboard-interactive',
          make: async () =>
            ({
              type: 'keyboard-interactive',
              username: t.user,
              prompt: (
                _name: string,
                _instr: string,
                _lang: string,
                prompts: Array<{ prompt: string; echo?: boolean }>,
                finish: (answers: string[]) => void,
              ) => {
                (async () => {
                  const answers: string[] = [];
                  this.passwordAttempts++;
                  for (const p of prompts) {
                    // The server wrote this text: it is shown made safe and marked as the server's, as OpenSSH
                    // does, so it can neither draw on the terminal nor pass for our own passphrase prompt.
                    const a = await ask(`(${t.user}@${t.host}) ${terminalSafeLine(String(p.prompt ?? ''))}`, !!p.echo);
                    if (a === undefined) {
                      c.setFatal(new CancelledError());
                      break;
                    }
                    answers.push(a);
                  }
                  finish(answers);
                })().catch(() => finish([]));
              },
            }) as AuthMethod,
        });
      }
      if (t.passwordAuthentication) for (let i = 0; i < 3; i++) steps.push(passwordStep());
    }
  }

  /** ssh2's authHandler: the next method the server still accepts, or false when none is left. */
  readonly handler = (methodsLeft: string[] | null, _partial: boolean | null, next: (m: AuthMethod) => void): void => {
    (async () => {
      while (this.stepIndex < this.steps.length) {
        if (this.c.isFatal()) break;
        const s = this.steps[this.stepIndex++];
        if (methodsLeft && !methodsLeft.includes(s.kind)) continue;
        if (s.kind === 'password' && this.passwordAttempts >= 3) continue;
        const m = await s.make();
        if (m) {
          this.tried.push(s.label);
          return m;
        }
      }
      return false as unknown as AuthMethod;
    })().then(next, (e: Error) => {
      this.c.setFatal(e);
      next(false as unknown as AuthMethod);
    });
  };

  /** The error when every method failed: what was tried, why others could not be used, the fix. */
  failure(where: string): SshAuthError {
    const t = this.c.target;
    const msg = this.wrongPassphrase
      ? `wrong passphrase for key ${this.wrongPassphrase}: cannot log in to ${where}`
      : `authentication failed for ${where} (tried: ${this.tried.length ? this.tried.join(', ') : 'nothing usable'})`;
    return new SshAuthError(
      this.notes.length ? `${msg}; ${this.notes.join('; ')}` : msg,
      `check the user name, that your public key is in ~${t.user}/.ssh/authorized_keys on ${t.host}, and that ssh-agent has the key (ssh-add -l); or pass --identity FILE`,
      this.tried,
    );
  }
}
