import { hostname } from 'node:os';
import { Host, ExecOptions, ExecResult } from './host';
import { localExec } from './localExec';

/** The machine this process runs on (in a Remote-SSH window: the remote host). */
export class LocalHost implements Host {
  readonly via = 'local' as const;
  readonly name = hostname();

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return localExec(command, options);
  }

  async close(): Promise<void> {
    /* nothing held open */
  }
}
