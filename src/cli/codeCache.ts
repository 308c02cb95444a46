// Loads a CommonJS bundle with a V8 code cache: on the next run V8 takes the bytecode of every
// function the last run compiled instead of compiling the CLI again (compiling took 36–42 ms of a
// ~250 ms snapshot on the test machine, when the bundle was still 1.26 MB). The cache is this tool's own file under
// $XDG_CACHE_HOME/oom-lens (or ~/.cache/oom-lens), keyed by the bundle's size and mtime and
// Node's version; any problem with it just means compiling as usual.
// OOM_LENS_NO_CODE_CACHE=1 turns it off.
import { readFileSync, statSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
import Module from 'node:module';
import { Script, constants } from 'node:vm';

type ModuleInternals = typeof Module & {
  wrap(src: string): string;
  _nodeModulePaths(dir: string): string[];
  new (id: string, parent?: unknown): { exports: unknown; filename: string; paths: string[]; loaded: boolean };
};

function cacheDir(): string | null {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : '');
  return base ? join(base, 'oom-lens') : null;
}

/** A short, stable hash of a path (FNV-1a, 32 bits). */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** require(file), through the code cache when it can. */
export function requireWithCodeCache(file: string): unknown {
  const dir = cacheDir();
  if (process.env.OOM_LENS_NO_CODE_CACHE === '1' || !dir) return require(file);
  let source: string;
  let key: string;
  try {
    const st = statSync(file);
    key = `${st.size}-${Math.round(st.mtimeMs)}-${process.version}-${process.arch}`;
    source = readFileSync(file, 'utf8').replace(/^#!.*/, '');
  } catch {
    return require(file);
  }
  // One cache per installed copy (two checkouts must not keep replacing each other's).
  const cacheFile = join(dir, `${file.replace(/.*\//, '')}-${fnv1a(file)}.v8cache`);
  let cached: Buffer | undefined;
  try {
    const buf = readFileSync(cacheFile);
    const nl = buf.indexOf(10);
    if (nl > 0 && buf.toString('utf8', 0, nl) === key) cached = buf.subarray(nl + 1);
  } catch {
    /* no cache yet */
  }
  const M = Module as ModuleInternals;
  // import() inside the bundle (esbuild keeps it for some modules) must work as under require().
  const loader = (constants as unknown as { USE_MAIN_CONTEXT_DEFAULT_LOADER?: symbol } | undefined)?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  const script = new Script(M.wrap(source), { filename: file, cachedData: cached, ...(loader ? { importModuleDynamically: loader as never } : {}) });
  const mod = new M(file, module);
  mod.filename = file;
  mod.paths = M._nodeModulePaths(dirname(file));
  const fn = script.runInThisContext() as (...a: unknown[]) => void;
  fn.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  if (!cached || script.cachedDataRejected) {
    // Written at exit, so the functions this run compiled are in it.
    process.once('exit', () => {
      try {
        mkdirSync(dir, { recursive: true });
        const tmp = `${cacheFile}.${process.pid}`;
        writeFileSync(tmp, Buffer.concat([Buffer.from(key + '\n'), script.createCachedData()]));
        renameSync(tmp, cacheFile);
      } catch {
        /* read-only home: no cache */
      }
    });
  }
  return mod.exports;
}
