// Causes a REAL OOM kill, safely: a memory cgroup the test creates (v2 `memory.max` where the host
// has the memory controller there, else v1 `memory.limit_in_bytes`), a small C program that grows
// past the limit, the kernel's OOM killer. The cgroup is removed afterwards. Root only.
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers';

export interface MemcgInfo {
  version: 1 | 2;
  fsPath: string;
  path: string;
}

export function memcgRoot(): { version: 1 | 2; mount: string } | null {
  const v2 = '/sys/fs/cgroup/cgroup.controllers';
  if (existsSync(v2) && readFileSync(v2, 'utf8').split(/\s+/).includes('memory')) return { version: 2, mount: '/sys/fs/cgroup' };
  if (existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes')) return { version: 1, mount: '/sys/fs/cgroup/memory' };
  return null;
}

let counter = 0;

/** Creates a memory cgroup with a limit; returns its paths. Call removeMemcg when done. */
export function createMemcg(limitMb: number): MemcgInfo {
  const root = memcgRoot();
  if (!root) throw new Error('no memory cgroup controller on this host');
  const name = `oomlens-test-${process.pid}-${++counter}`;
  const fsPath = join(root.mount, name);
  mkdirSync(fsPath);
  const bytes = String(limitMb * 1024 * 1024);
  if (root.version === 2) {
    writeFileSync(join(fsPath, 'memory.max'), bytes);
    try {
      writeFileSync(join(fsPath, 'memory.swap.max'), '0');
    } catch {
      /* no swap accounting */
    }
  } else {
    writeFileSync(join(fsPath, 'memory.limit_in_bytes'), bytes);
    try {
      writeFileSync(join(fsPath, 'memory.swappiness'), '0');
    } catch {
      /* root cgroup only on some kernels */
    }
  }
  return { version: root.version, fsPath, path: `/${name}` };
}

export function removeMemcg(cg: MemcgInfo): void {
  for (let i = 0; i < 50; i++) {
    try {
      rmdirSync(cg.fsPath);
      return;
    } catch {
      spawnSync('sleep', ['0.1']);
    }
  }
}

let grower: string | null = null;

/** Compiles test/fixtures/programs/grow.c once per test process into a binary named oomlens-grow (removed at exit). */
export function growBinary(): string {
  if (grower) return grower;
  const dir = mkdtempSync(join(tmpdir(), 'oomlens-grow-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'oomlens-grow');
  const r = spawnSync('gcc', ['-O0', '-o', out, join(ROOT, 'test', 'fixtures', 'programs', 'grow.c')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gcc failed: ${r.stderr || r.error}`);
  grower = out;
  return out;
}

export interface GrowRun {
  pid: number;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the grower (args: step MiB, step ms, max MiB) and resolves once it printed "ready". */
export function startGrower(binary: string, args: string[]): Promise<GrowRun & { child: ChildProcess }> {
  return started(spawn(binary, args, { stdio: ['ignore', 'pipe', 'inherit'] }));
}

/** Starts the grower inside the cgroup (it joins before exec, so every byte is charged there). */
export function startGrowerIn(cg: MemcgInfo, binary: string, args: string[]): Promise<GrowRun & { child: ChildProcess }> {
  return started(spawn('sh', ['-c', `echo $$ > ${cg.fsPath}/cgroup.procs && exec "$0" "$@"`, binary, ...args], { stdio: ['ignore', 'pipe', 'inherit'] }));
}

function started(child: ChildProcess): Promise<GrowRun & { child: ChildProcess }> {
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve({ pid: child.pid!, exit, child }));
    void exit.then((e) => reject(new Error(`grower exited before it started: ${JSON.stringify(e)}`)));
  });
}

/** The whole thing: a real OOM kill of a process that grows past `limitMb`. */
export async function realOomKill(limitMb = 64): Promise<{ pid: number; cg: MemcgInfo; signal: string | null; binary: string }> {
  const binary = growBinary();
  const cg = createMemcg(limitMb);
  try {
    const run = await startGrowerIn(cg, binary, ['4', '20']);
    const exit = await run.exit;
    return { pid: run.pid, cg, signal: exit.signal, binary };
  } finally {
    removeMemcg(cg);
  }
}
