#!/usr/bin/env node
// The `oom-lens` command (dist/cli.js). Kept small on purpose: for a snapshot or diagnosis of this
// machine it starts the collector first, then loads the rest of the CLI (dist/cli-main.js), whose
// compilation takes about as long as the collection itself, so the two overlap; and it loads that
// file with a V8 code cache (codeCache.ts).
import { localExec } from '../core/host/localExec';
import { snapshotScript, SNAPSHOT_COMMAND, SNAPSHOT_TIMEOUT_MS } from '../core/collect/snapshotScript';
import type { PrefetchedExec } from '../core/host/prefetchingHost';
import { requireWithCodeCache } from './codeCache';
import { exitQuietlyOnClosedPipe } from './closedPipe';
import { parseCli } from './args';

/** `snapshot`/`diagnose` of this machine without sudo: exactly the run collectSnapshot() will ask for. */
function wantsLocalSnapshot(argv: string[]): boolean {
  try {
    const a = parseCli(argv);
    return (a.command === 'snapshot' || a.command === 'diagnose') && !a.host && !a.sudo;
  } catch {
    return false; // a usage error: main() reports it
  }
}

exitQuietlyOnClosedPipe();
const argv = process.argv.slice(2);
const prefetched: PrefetchedExec[] = [];
if (wantsLocalSnapshot(argv)) {
  const ac = new AbortController();
  const stdin = snapshotScript();
  const result = localExec(SNAPSHOT_COMMAND, { stdin, signal: ac.signal, timeoutMs: SNAPSHOT_TIMEOUT_MS, spool: true });
  result.catch(() => {
    /* seen by whoever takes it */
  });
  prefetched.push({ command: SNAPSHOT_COMMAND, stdin, result, abort: () => ac.abort() });
}

const cli = requireWithCodeCache(require('node:path').join(__dirname, 'cli-main.js')) as typeof import('./main');
cli.main(argv, { prefetched }).then((code) => {
  process.exitCode = code;
});
