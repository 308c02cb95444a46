import type { ExecOptions, ExecResult, Host } from '../../src/core/host/host';

/** A Host that answers from a script: checks the runner's protocol (quoting, one prepare round trip, cat back) without processes. */
export class FakeHost implements Host {
  readonly name = 'fake-remote';
  readonly via = 'ssh' as const;
  readonly commands: string[] = [];
  constructor(private readonly answer: (cmd: string, o: ExecOptions) => Partial<ExecResult>) {}
  async exec(command: string, o: ExecOptions = {}): Promise<ExecResult> {
    this.commands.push(command);
    const a = { stdout: '', stderr: '', code: 0, signal: null, timedOut: false, ...this.answer(command, o) };
    if (o.onStdout && a.stdout) {
      for (let i = 0; i < a.stdout.length; i += 1000) o.onStdout(a.stdout.slice(i, i + 1000));
      if (o.discardStdout) a.stdout = '';
    }
    return a;
  }
  async close(): Promise<void> {}
}
