// SshCallbacks for the command line: ask on a terminal (the prompts go to stderr, so stdout stays
// clean for --json), and refuse — never hang — when stdin is not a terminal (pipes, CI, cron).
import { createInterface } from 'node:readline';
import { EventEmitter } from 'node:events';
import type { SshCallbacks, UnknownHostKeyInfo, UnknownHostKeyAnswer } from '../core/host/ssh/sshHost';
import { HostKeyError } from '../core/host/ssh/errors';
import { knownHostName } from '../core/host/ssh/knownHosts';

export interface CliPromptOptions {
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  output?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Default: input.isTTY. */
  interactive?: boolean;
}

/** Reads one line; `hidden` does not echo it. Resolves undefined on Ctrl-C / Ctrl-D. */
export function askLine(question: string, hidden: boolean, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<string | undefined> {
  let mute = false;
  // A synchronous sink (a stream.Writable may buffer a write past the moment `mute` changes).
  const sink = Object.assign(new EventEmitter(), {
    write(chunk: string | Uint8Array): boolean {
      if (!mute) output.write(chunk);
      return true;
    },
    columns: (output as { columns?: number }).columns ?? 200,
  }) as unknown as NodeJS.WritableStream;
  const rl = createInterface({ input, output: sink, terminal: true });
  return new Promise((resolve) => {
    let done = false;
    const end = (v: string | undefined) => {
      if (done) return;
      done = true;
      rl.close(); // still muted: readline redraws the line as it closes
      mute = false;
      if (hidden || v === undefined) output.write('\n');
      resolve(v);
    };
    rl.on('SIGINT', () => end(undefined));
    rl.on('close', () => end(undefined));
    if (hidden) {
      // Everything readline writes is muted (it echoes and redraws); the question goes out directly.
      mute = true;
      rl.question('', (a) => end(a));
      output.write(question);
    } else {
      rl.question(question, (a) => end(a));
    }
  });
}

export function describeUnknownKey(i: UnknownHostKeyInfo): string {
  return (
    `The authenticity of host ${knownHostName(i.host, i.port)} can't be established.\n` +
    `${i.keyType} key fingerprint is ${i.fingerprint}.\n` +
    (i.otherKnownTypes.length
      ? `This host is already known by other key types (${i.otherKnownTypes.join(', ')}).\n`
      : 'This key is not known by any other names.\n')
  );
}

/** The refusal used when nobody can be asked: names host, key type and fingerprint, and the fix. */
export function unknownKeyRefusal(i: UnknownHostKeyInfo, why: string): HostKeyError {
  const name = knownHostName(i.host, i.port);
  return new HostKeyError(
    `the host key of ${name} is not known (${i.keyType} ${i.fingerprint}) and ${why}; refusing to connect`,
    `check the fingerprint with the host's administrator, then add it: run ssh ${i.port === 22 ? '' : `-p ${i.port} `}${i.host} once in a terminal and answer yes, or run oom-lens in a terminal`,
    i.host,
    i.port,
    i.keyType,
    i.fingerprint,
    'unknown',
  );
}

export function cliCallbacks(opts: CliPromptOptions = {}): SshCallbacks {
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stderr;
  const interactive = opts.interactive ?? !!input.isTTY;
  if (!interactive) {
    return {
      onUnknownHostKey: (i) => {
        throw unknownKeyRefusal(i, 'stdin is not a terminal to ask whether to trust it');
      },
      // No askPassphrase / askPassword: encrypted keys are skipped with a note naming ssh-add, and
      // password logins fail with the list of what was tried.
    };
  }
  return {
    async onUnknownHostKey(i): Promise<UnknownHostKeyAnswer> {
      output.write(describeUnknownKey(i));
      for (;;) {
        const a = await askLine(
          `Are you sure you want to continue connecting (yes = trust and remember in ${i.knownHostsFile} / once / no)? `,
          false,
          input,
          output,
        );
        if (a === undefined) return 'cancel';
        const v = a.trim().toLowerCase();
        if (v === 'yes' || v === i.fingerprint.toLowerCase()) return 'remember';
        if (v === 'once') return 'once';
        if (v === 'no' || v === '') return 'cancel';
        output.write("Please type 'yes', 'once' or 'no': ");
      }
    },
    askPassphrase: ({ keyPath, wrong }) => askLine(`${wrong ? 'Wrong passphrase. ' : ''}Enter passphrase for key '${keyPath}': `, true, input, output),
    askPassword: ({ prompt, echo }) => askLine(prompt, !echo, input, output),
  };
}
