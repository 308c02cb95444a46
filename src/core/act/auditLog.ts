// The record of what OOM Lens changed, one JSON line per action, a file per host (the CLI keeps
// it in its state folder, the extension in its storage). Appended, never rewritten; a line that
// does not parse is skipped (and counted), never fatal.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntry } from './runner';

export class AuditLog {
  constructor(readonly dir: string) {}

  /** The CLI's state folder ($XDG_STATE_HOME/oom-lens, or ~/.local/state/oom-lens). */
  static forCli(): AuditLog {
    return new AuditLog(join(process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'oom-lens'));
  }

  fileFor(host: string): string {
    return join(this.dir, `actions-${host.replace(/[^A-Za-z0-9_.@-]/g, '_')}.jsonl`);
  }

  append(e: AuditEntry): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    appendFileSync(this.fileFor(e.host), JSON.stringify(e) + '\n', { mode: 0o600 });
  }

  /** Every entry of a host, oldest first. */
  entries(host: string): { entries: AuditEntry[]; unreadable: number } {
    const f = this.fileFor(host);
    if (!existsSync(f)) return { entries: [], unreadable: 0 };
    const out: AuditEntry[] = [];
    let unreadable = 0;
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const e = JSON.parse(line) as AuditEntry;
        if (e && typeof e.id === 'string' && typeof e.title === 'string') out.push(e);
        else unreadable++;
      } catch {
        unreadable++;
      }
    }
    return { entries: out, unreadable };
  }

  find(host: string, id: string): AuditEntry | undefined {
    return this.entries(host).entries.find((e) => e.id === id);
  }
}
