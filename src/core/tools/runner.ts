// Runs a leak tool on a Host (this machine or one over SSH): checks the tool is there, makes a work
// dir on the host, runs the tool with its output streamed, brings the report file back and parses
// it. Nothing here knows which kind of Host it talks to: every command is one `sh` command line with
// every path and argument quoted (argv.ts), and files come back through `cat`.
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Host, ExecResult } from '../host/host';
import { shQuote } from '../shell';
import { CancelledError, OomLensError } from '../errors';
import { firstUserFrame } from '../parse/leaks';
import { parseLeakReportFile, parseLeakReportFiles } from '../collect/leakFile';
import type { LeakReport } from '../model/leakReport';
import {
  commandLine,
  heaptrackArgv,
  heaptrackAttachArgv,
  heaptrackPrintArgv,
  heaptrackStopArgv,
  javaHistogramCommand,
  missingToolsCommand,
  nodeHeapArgv,
  quoteArgv,
  tracemallocArgv,
  valgrindArgv,
  checkPid,
  lsanEnv,
  sanitizerCheckCommand,
  LSAN_BUILD_FLAGS,
} from './argv';
import { installHint, toolExecutables } from './runtime';
import { NODE_ATTACH_SCRIPT, NODE_SNAPSHOT_PRELOAD } from './scripts';
import { DEFAULT_TOOL_SETTINGS, type ProducedReport, type RunOptions, type RunResult, type ToolId, type ToolRequest, type ToolSettings } from './types';

/** The tool (or something it needs) is not installed on the host; the message says how to install it. */
export class ToolMissingError extends OomLensError {
  constructor(
    readonly tool: ToolId,
    readonly host: string,
    readonly missing: string[],
    readonly installCommands: string[],
  ) {
    super(
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed on ${host}`,
      `install with: ${[...new Set(installCommands)].join(' && ')}`,
    );
  }
}

/** The tool ran but left no report. */
export class ToolRunError extends OomLensError {}

/** `run lsan` on a program built without a sanitizer: the message gives the build flags. */
export class NotSanitizedError extends ToolRunError {
  readonly buildFlags = LSAN_BUILD_FLAGS;
  constructor(readonly program: string) {
    super(
      `${program} is not built with LeakSanitizer or AddressSanitizer`,
      `rebuild it with ${LSAN_BUILD_FLAGS} (or -fsanitize=address -g -fno-omit-frame-pointer), compiling and linking, then run it again`,
    );
  }
}

/** Keeps the last N characters of a stream (for error messages). */
class Tail {
  private s = '';
  constructor(private readonly max = 4000) {}
  push(t: string): void {
    this.s = (this.s + t).slice(-this.max);
  }
  lastLines(n = 3): string {
    return this.s.trim().split('\n').slice(-n).join(' | ');
  }
}

function settingsOf(o: RunOptions): ToolSettings {
  return { ...DEFAULT_TOOL_SETTINGS, ...(o.settings ?? {}) };
}

function requestMode(r: ToolRequest): 'attach' | 'start' {
  return 'pid' in r ? 'attach' : 'start';
}

/**
 * One round trip before the run: which executables are missing, the host's package manager (for the
 * install hint) and a fresh work dir.
 */
export async function prepareHost(
  host: Host,
  executables: string[],
  opts: { signal?: AbortSignal; workDir?: string } = {},
): Promise<{ workDir: string; missing: string[]; packageManager: string | null }> {
  const dirCmd = opts.workDir
    ? `mkdir -p ${shQuote(opts.workDir)} && echo ${shQuote(`dir:${opts.workDir}`)}`
    : `d=$(mktemp -d "\${TMPDIR:-/tmp}/oom-lens-XXXXXX") && echo "dir:$d"`;
  const cmd = [
    ...(executables.length > 0 ? [missingToolsCommand(executables)] : []),
    'for pm in apt-get dnf yum apk pacman zypper; do if command -v "$pm" >/dev/null 2>&1; then echo "pm:$pm"; break; fi; done',
    dirCmd,
  ].join('; ');
  const r = await host.exec(cmd, { signal: opts.signal, timeoutMs: 30_000 });
  const lines = r.stdout.split('\n');
  const missing = lines.filter((l) => l.startsWith('missing:')).map((l) => l.slice(8));
  const pmRaw = lines.find((l) => l.startsWith('pm:'))?.slice(3) ?? null;
  const packageManager = pmRaw === 'apt-get' ? 'apt' : pmRaw === 'yum' ? 'dnf' : pmRaw;
  const workDir = lines.find((l) => l.startsWith('dir:'))?.slice(4) ?? '';
  if (!workDir) throw new ToolRunError(`cannot create a work directory on ${host.name}: ${r.stderr.trim().split('\n')[0] || `exit ${r.code}`}`);
  return { workDir, missing, packageManager };
}

type StreamResult = ExecResult & { missing: string[] };

/**
 * Runs one command with its output (stdout and stderr together) streamed to onOutput. In the same
 * round trip: `after` (e.g. heaptrack_print) and a check that the report files exist and are not
 * empty (`missing` lists those that do not). The exit code is the command's own.
 */
async function stream(host: Host, cmd: string, o: RunOptions, tail: Tail, check: string[] = [], after = ''): Promise<StreamResult> {
  const checks = check.map((f) => `[ -s ${shQuote(f)} ] || echo ${shQuote(`oom-lens-missing:${f}`)} >&2`).join('; ');
  // `cmd` may `exec` the tool: a subshell keeps the checks after it alive.
  const line = check.length === 0 && !after ? `{ ${cmd}; } 2>&1` : `( ${cmd} ) 2>&1; rc=$?; ${after ? `${after}; ` : ''}${checks ? `${checks}; ` : ''}exit $rc`;
  const res = await host.exec(line, {
    signal: o.signal,
    discardStdout: true,
    onStdout: (t) => {
      tail.push(t);
      o.onOutput?.(t);
    },
  });
  const missing = res.stderr
    .split('\n')
    .filter((l) => l.startsWith('oom-lens-missing:'))
    .map((l) => l.slice('oom-lens-missing:'.length));
  return { ...res, missing };
}

/** Writes a text file on the host (scripts the runners inject). */
async function writeHostFile(host: Host, path: string, text: string, signal?: AbortSignal): Promise<void> {
  const r = await host.exec(`cat > ${shQuote(path)}`, { stdin: text, signal, timeoutMs: 30_000 });
  if (r.code !== 0) throw new ToolRunError(`cannot write ${path} on ${host.name}: ${r.stderr.trim().split('\n')[0]}`);
}

/** Does a non-empty file exist on the host? */
async function hostFileExists(host: Host, path: string, signal?: AbortSignal): Promise<boolean> {
  const r = await host.exec(`test -s ${shQuote(path)}`, { signal, timeoutMs: 30_000 });
  return r.code === 0;
}

/**
 * A report file on this machine: the file itself on a local host, else a copy streamed through
 * `cat` into `localDir` (bounded memory: chunks go straight to disk).
 */
export async function fetchHostFile(host: Host, hostPath: string, o: { signal?: AbortSignal; localDir?: string } = {}): Promise<string> {
  if (host.via === 'local') return hostPath;
  const dir = o.localDir ?? mkdtempSync(join(tmpdir(), 'oom-lens-'));
  const local = join(dir, hostPath.split('/').pop() || 'report');
  const out = createWriteStream(local);
  let writeError: Error | null = null;
  out.on('error', (e) => {
    writeError = e;
  });
  const r = await host.exec(`cat ${shQuote(hostPath)}`, {
    signal: o.signal,
    discardStdout: true,
    onStdout: (t) => {
      out.write(t);
    },
  });
  await new Promise<void>((res) => out.end(res));
  if (writeError) throw new ToolRunError(`cannot write ${local}: ${(writeError as Error).message}`);
  if (r.code !== 0) throw new ToolRunError(`cannot read ${hostPath} on ${host.name}: ${r.stderr.trim().split('\n')[0] || `exit ${r.code}`}`);
  return local;
}

async function produced(
  host: Host,
  label: string,
  hostPath: string,
  o: RunOptions,
  parse: (local: string) => Promise<LeakReport> = parseLeakReportFile,
): Promise<ProducedReport> {
  const localPath = await fetchHostFile(host, hostPath, o);
  return { label, report: await parse(localPath), hostPath, localPath };
}

function sleep(ms: number, signal?: AbortSignal, stop?: Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(t);
      reject(new CancelledError());
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    void stop?.then(done, done);
  });
}

function noReport(tool: string, path: string, res: ExecResult | null, tail: Tail): ToolRunError {
  const why = res ? (res.code !== null ? `exit code ${res.code}` : `ended by ${res.signal ?? 'a signal'}`) : 'no result';
  const last = tail.lastLines();
  return new ToolRunError(`${tool} wrote no report (${path}; ${why})${last ? `: ${last}` : ''}`);
}

/** Runs a leak tool as the request says. Throws ToolMissingError / ToolRunError / CancelledError. */
export async function runLeakTool(host: Host, req: ToolRequest, o: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const s = settingsOf(o);
  const step = (m: string) => {
    o.onStep?.(m);
    o.log?.info(`[${req.tool}] ${m}`);
  };
  if ('pid' in req) checkPid(req.pid);
  // Build the argv first: a bad setting is refused before anything runs on the host.
  if (req.tool === 'valgrind') valgrindArgv(req.start, '/x', s);
  if (req.tool === 'tracemalloc') tracemallocArgv(req.start, '/x', s);
  if (req.tool === 'node-heap' && 'start' in req) nodeHeapArgv(req.start, '/x', s, null);

  step(`checking ${req.tool} on ${host.name}`);
  const exes = toolExecutables(req.tool, requestMode(req));
  if (req.tool === 'tracemalloc' && req.python) exes[0] = req.python;
  if (req.tool === 'node-heap' && req.node) exes[0] = req.node;
  const prep = await prepareHost(host, exes, { signal: o.signal, workDir: o.workDir });
  const javaOk =
    req.tool === 'java-histogram' &&
    prep.missing.length === 1 &&
    prep.missing[0] === 'jcmd' &&
    (await host.exec('command -v jmap', { signal: o.signal })).code === 0;
  if (prep.missing.length > 0 && !javaOk) {
    throw new ToolMissingError(
      req.tool,
      host.name,
      prep.missing,
      prep.missing.map((m) => installHint(m, prep.packageManager)),
    );
  }
  const wd = prep.workDir;
  const tail = new Tail();
  const warnings: string[] = [];
  const result = (commandLineShown: string, exitCode: number | null, reports: ProducedReport[]): RunResult => ({
    tool: req.tool,
    commandLine: commandLineShown,
    exitCode,
    reports,
    workDir: wd,
    host: host.name,
    durationMs: Date.now() - started,
    warnings: [...warnings, ...reports.flatMap((r) => r.report.warnings.map((w) => `${r.label}: ${w}`))],
  });

  switch (req.tool) {
    case 'valgrind': {
      const xml = `${wd}/memcheck.xml`;
      const cmd = commandLine(valgrindArgv(req.start, xml, s), req.start);
      step(`running ${req.start.program} under valgrind`);
      o.onOutput?.(`$ ${cmd}\r\n`);
      const res = await stream(host, cmd, o, tail, [xml]);
      step('reading the report');
      if (res.missing.length) throw noReport('valgrind', xml, res, tail);
      return result(cmd, res.code, [await produced(host, 'leaks', xml, o)]);
    }
    case 'lsan': {
      const base = `${wd}/lsan`;
      const txt = `${wd}/lsan.txt`;
      step(`checking that ${req.start.program} is built with a sanitizer`);
      const cdPart = req.start.cwd ? `cd ${shQuote(req.start.cwd)} && ` : '';
      const chk = await host.exec(`( ${cdPart}${sanitizerCheckCommand(req.start.program)} )`, { signal: o.signal, timeoutMs: 30_000 });
      if (chk.code === 2) throw new ToolRunError(`${req.start.program} not found on ${host.name}${req.start.cwd ? ` (in ${req.start.cwd})` : ''}`);
      if (chk.code !== 0) throw new NotSanitizedError(req.start.program);
      const env = lsanEnv(base, req.start.env);
      const cmd = commandLine([req.start.program, ...(req.start.args ?? [])], { cwd: req.start.cwd, env });
      step(`running ${req.start.program} with LeakSanitizer`);
      o.onOutput?.(`$ ${cmd}\r\n`);
      // One file per process (LOG_BASE.PID, forks included): joined into one report. No leak, no file.
      const join = `for f in ${shQuote(base)}.[0-9]*; do [ -f "$f" ] && cat "$f"; done > ${shQuote(txt)}`;
      const res = await stream(host, cmd, o, tail, [], join);
      step('reading the report');
      const rep = await produced(host, 'leaks (LeakSanitizer)', txt, o);
      if (rep.report.tool === null) {
        // an empty file: the leak check ran and found nothing (the program was checked above)
        rep.report = { ...rep.report, tool: 'lsan', warnings: ['LeakSanitizer found no leaks'] };
        if (res.code !== null && res.code !== 0) rep.report.warnings.push(`the program exited with code ${res.code}: ${tail.lastLines()}`);
      }
      return result(cmd, res.code, [rep]);
    }
    case 'heaptrack': {
      const base = `${wd}/heaptrack`;
      const txt = `${wd}/heaptrack.txt`;
      const pa = heaptrackPrintArgv('DATA');
      const printCmd = `cd ${shQuote(wd)} && f=$(ls -1 heaptrack.*z* 2>/dev/null | head -n 1) && [ -n "$f" ] && ${quoteArgv(pa.slice(0, 2))} "$f" ${quoteArgv(pa.slice(3))} > ${shQuote(txt)}`;
      let cmd: string;
      let res: ExecResult;
      if ('start' in req) {
        cmd = commandLine(heaptrackArgv(req.start, base), req.start);
        step(`running ${req.start.program} under heaptrack, then heaptrack_print`);
        o.onOutput?.(`$ ${cmd}\r\n`);
        const sr = await stream(host, cmd, o, tail, [txt], `${printCmd} 2>/dev/null`);
        if (sr.missing.length) throw noReport('heaptrack', `${base}.zst`, sr, tail);
        return result(cmd, sr.code, [await produced(host, 'leaks', txt, o)]);
      } else {
        cmd = commandLine(heaptrackAttachArgv(req.pid, base));
        step(`attaching heaptrack to process ${req.pid}`);
        o.onOutput?.(`$ ${cmd}\r\n`);
        res = await attachHeaptrack(host, req.pid, cmd, req.durationSeconds ?? s.intervalSeconds, o, tail, step);
      }
      step('analysing the data with heaptrack_print');
      const pr = await host.exec(`${printCmd} 2>&1`, { signal: o.signal, onStdout: (t) => tail.push(t), discardStdout: true });
      if (pr.code !== 0 || !(await hostFileExists(host, txt, o.signal))) throw noReport('heaptrack', `${base}.zst`, res.code !== 0 ? res : pr, tail);
      return result(cmd, null, [await produced(host, 'leaks', txt, o)]);
    }
    case 'tracemalloc': {
      const out = `${wd}/tracemalloc.txt`;
      const argv = tracemallocArgv(req.start, out, s, req.python ?? 'python3');
      const cmd = commandLine(argv, req.start);
      const shown = commandLine([argv[0], '-c', '<oom-lens tracemalloc bootstrap>', ...argv.slice(3)], req.start);
      step(`running ${req.start.program} with tracemalloc (${s.tracemallocFrames} frames, a snapshot every ${s.intervalSeconds} s)`);
      o.onOutput?.(`$ ${shown}\r\n`);
      const res = await stream(host, cmd, o, tail, [out]);
      step('reading the snapshot differences');
      if (res.missing.length) throw noReport('tracemalloc', out, res, tail);
      return result(shown, res.code, [await produced(host, 'growth since start (tracemalloc)', out, o)]);
    }
    case 'node-heap': {
      const node = req.node ?? 'node';
      if ('start' in req) {
        const snapshots = req.snapshots !== false;
        const preload = snapshots ? `${wd}/oom-lens-snapshots.js` : null;
        if (preload) await writeHostFile(host, preload, NODE_SNAPSHOT_PRELOAD, o.signal);
        const cmd = commandLine(nodeHeapArgv(req.start, wd, s, preload, node), {
          cwd: req.start.cwd,
          env: { ...(req.start.env ?? {}), ...(snapshots ? { OOM_LENS_SNAPSHOT_DIR: wd } : {}) },
        });
        step(`running ${req.start.program} with a sampling heap profile${snapshots ? ' and heap snapshots at start and exit' : ''}`);
        o.onOutput?.(`$ ${cmd}\r\n`);
        const prof = `${wd}/heap.heapprofile`;
        const after = `${wd}/after.heapsnapshot`;
        const res = await stream(host, cmd, o, tail, snapshots ? [prof, after] : [prof]);
        step('reading the heap profile');
        if (res.missing.includes(prof)) throw noReport('node --heap-prof', prof, res, tail);
        const reports = [await produced(host, 'allocation sites (sampling heap profile)', prof, o)];
        dropOwnSites(reports[0].report, wd);
        if (snapshots) {
          const before = `${wd}/before.heapsnapshot`;
          if (!res.missing.includes(after)) {
            step('comparing the heap snapshots');
            const lb = await fetchHostFile(host, before, o);
            const la = await fetchHostFile(host, after, o);
            reports.push({ label: 'growth by constructor (heap snapshots)', report: await parseLeakReportFiles(lb, la), hostPath: after, localPath: la });
          } else {
            warnings.push('no heap snapshot at exit (the process was killed?): only the heap profile');
          }
        }
        return result(cmd, res.code, reports);
      }
      const script = `${wd}/oom-lens-attach.js`;
      const prof = `${wd}/heap.heapprofile`;
      await writeHostFile(host, script, NODE_ATTACH_SCRIPT, o.signal);
      const seconds = req.durationSeconds ?? s.intervalSeconds;
      const args = quoteArgv([script, String(req.pid), String(seconds), String(Math.round(s.nodeSamplingIntervalBytes)), prof]);
      const n = shQuote(node);
      const cmd = `if ${n} -e 'typeof WebSocket==="function"||process.exit(1)' >/dev/null 2>&1; then exec ${n} ${args}; else exec ${n} --experimental-websocket ${args}; fi`;
      step(`recording a heap profile of process ${req.pid} for ${seconds} s (inspector)`);
      o.onOutput?.(`$ ${node} oom-lens-attach.js ${req.pid} ${seconds}\r\n`);
      const res = await stream(host, cmd, o, tail, [prof]);
      if (res.missing.length) throw noReport('the Node inspector', prof, res, tail);
      return result(cmd, null, [await produced(host, 'allocation sites (sampling heap profile)', prof, o)]);
    }
    case 'java-histogram': {
      const before = `${wd}/histogram-before.txt`;
      const after = `${wd}/histogram-after.txt`;
      const interval = req.intervalSeconds ?? s.intervalSeconds;
      const histo = (path: string) => `{ ${javaHistogramCommand(req.pid)}; } > ${shQuote(path)}`;
      step(`class histogram of process ${req.pid}`);
      o.onOutput?.(`$ ${histo(before)}\r\n`);
      const r1 = await stream(host, histo(before), o, tail, [before]);
      if (r1.code !== 0 || r1.missing.length) throw noReport('jcmd GC.class_histogram', before, r1, tail);
      step(`waiting ${interval} s for the second histogram`);
      await sleep(interval * 1000, o.signal, o.stop);
      step(`second class histogram of process ${req.pid}`);
      const r2 = await stream(host, histo(after), o, tail, [after]);
      if (r2.code !== 0 || r2.missing.length) throw noReport('jcmd GC.class_histogram', after, r2, tail);
      const lb = await fetchHostFile(host, before, o);
      const la = await fetchHostFile(host, after, o);
      return result(javaHistogramCommand(req.pid), null, [
        { label: `growth per class over ${interval} s`, report: await parseLeakReportFiles(lb, la), hostPath: after, localPath: la },
      ]);
    }
  }
}

/** Allocations of OOM Lens's own preload (the first heap snapshot) are not the user's: leave them out. */
function dropOwnSites(r: LeakReport, workDir: string): void {
  const before = r.sites.length;
  r.sites = r.sites.filter((s) => !(firstUserFrame(s)?.file ?? '').startsWith(workDir + '/'));
  if (r.sites.length < before) r.details = { ...(r.details ?? {}), ownSitesDropped: before - r.sites.length };
}

/** What gdb prints when heaptrack's injection into the process failed (heaptrack then waits forever). */
const INJECTION_FAILED =
  /No symbol "heaptrack_inject"|Couldn't write extended state status[^\n]*|ptrace: Operation not permitted[^\n]*|Cannot access memory at address[^\n]*|Could not attach to process[^\n]*/;

/**
 * heaptrack -p records until the process exits. To record for a while and leave the process
 * running, stop the injected recorder the way heaptrack's own cleanup does (gdb: heaptrack_stop),
 * after which heaptrack finishes writing its data file.
 * When gdb cannot call into the process (ptrace refused, or gdb 13's "Couldn't write extended
 * state status" on CPUs with AMX), heaptrack says "injection finished" and then waits for data that
 * never comes: that is an error at once, never a hang.
 */
async function attachHeaptrack(
  host: Host,
  pid: number,
  cmd: string,
  seconds: number,
  o: RunOptions,
  tail: Tail,
  step: (m: string) => void,
): Promise<ExecResult> {
  // Our own abort as well as the caller's: a failed injection or a stop that never ends the run.
  const ours = new AbortController();
  const onAbort = () => ours.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let injected: () => void = () => {};
  const injectedP = new Promise<void>((r) => {
    injected = r;
  });
  let seen = '';
  const run = host.exec(`${cmd} 2>&1`, {
    signal: ours.signal,
    discardStdout: true,
    onStdout: (t) => {
      tail.push(t);
      o.onOutput?.(t);
      if (seen.length < 8192) {
        seen += t;
        if (/injection finished/.test(seen)) injected();
      }
    },
  });
  let finished = false;
  const settled = run.then(
    () => {
      finished = true;
      injected();
    },
    () => {
      finished = true;
      injected();
    },
  );
  const giveUp = async (why: string): Promise<never> => {
    ours.abort();
    await settled;
    throw new ToolRunError(
      `heaptrack could not record process ${pid}: ${why}`,
      'start the program under heaptrack instead (Run with heaptrack… / oom-lens run heaptrack -- PROGRAM); attaching needs gdb to call into the process (ptrace allowed, and a gdb that works on this CPU)',
    );
  };
  try {
    await injectedP;
    const failed = INJECTION_FAILED.exec(seen);
    if (!finished && failed) return await giveUp(`gdb could not inject the recorder (${failed[0].trim()})`);
    if (!finished) {
      step(`recording for ${seconds} s (or until the process exits)`);
      await Promise.race([sleep(seconds * 1000, o.signal, o.stop), settled]);
    }
    if (!finished) {
      step('stopping heaptrack (the process keeps running)');
      const stop = await host.exec(`${quoteArgv(heaptrackStopArgv(pid))} 2>&1`, { signal: o.signal, timeoutMs: 60_000, onStdout: (t) => o.onOutput?.(t) });
      // heaptrack writes the rest of its data and exits soon after the recorder stops
      await Promise.race([settled, sleep(30_000, o.signal)]);
      if (!finished)
        return await giveUp(
          `heaptrack did not finish within 30 s of stopping the recorder${stop.stdout.trim() ? ` (gdb: ${stop.stdout.trim().split('\n').pop()})` : ''}`,
        );
    }
    return await run;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}
