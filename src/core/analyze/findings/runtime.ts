// Which language runtime a process is, from its comm and cmdline; JVM and Node heap flags; the leak
// tool to launch for each runtime.
import type { ProcessInfo, Remedy } from '../../model/report';
import { pidArg } from './context';
import { shQuote } from '../../shell';

export type Runtime = 'java' | 'node' | 'python' | 'native';

function argv0(cmdline: string | null | undefined): string {
  const first = (cmdline ?? '').trim().split(/\s+/)[0] ?? '';
  return first.slice(first.lastIndexOf('/') + 1);
}

export function detectRuntime(p: Pick<ProcessInfo, 'comm' | 'cmdline'>): Runtime {
  const comm = (p.comm ?? '').toLowerCase();
  const a0 = argv0(p.cmdline).toLowerCase();
  const is = (re: RegExp) => re.test(comm) || re.test(a0);
  if (is(/^java$/) || (/(^|\s)-(jar|Xmx\S*|XX:\S+)(\s|$)/.test(p.cmdline ?? '') && /java/.test(p.cmdline ?? ''))) return 'java';
  if (is(/^(node|nodejs)$/)) return 'node';
  if (is(/^python[0-9.]*$/) || is(/^(uwsgi|gunicorn|celery)$/)) return 'python';
  return 'native';
}

/** "2g", "512m", "1024k", "1073741824" (bytes) -> kB. JVM syntax: suffix k/m/g/t, either case. */
export function parseJavaSize(s: string): number | null {
  const m = /^(\d+(?:\.\d+)?)([kKmMgGtT]?)$/.exec(s.trim());
  if (!m) return null;
  const v = Number(m[1]);
  const unit = m[2].toLowerCase();
  const kbValue = unit === '' ? v / 1024 : unit === 'k' ? v : unit === 'm' ? v * 1024 : unit === 'g' ? v * 1024 * 1024 : v * 1024 ** 3;
  return Number.isFinite(kbValue) && kbValue > 0 ? kbValue : null;
}

export interface JvmHeapFlags {
  xmxKb: number | null;
  xmsKb: number | null;
  maxRamPercentage: number | null;
  maxRamKb: number | null;
  maxRamFraction: number | null;
  /** The flag text the heap came from, as written. */
  source: string | null;
}

const JAVA_ARG_OPTIONS = new Set([
  '-cp',
  '-classpath',
  '--class-path',
  '-p',
  '--module-path',
  '--upgrade-module-path',
  '--add-modules',
  '--add-opens',
  '--add-exports',
  '--add-reads',
  '--patch-module',
  '--limit-modules',
  '--enable-native-access',
]);

/** JVM heap flags of a command line; the last occurrence wins, as in the JVM. Tokens after -jar/main class are the app's. */
export function parseJvmFlags(cmdline: string | null | undefined): JvmHeapFlags {
  const out: JvmHeapFlags = { xmxKb: null, xmsKb: null, maxRamPercentage: null, maxRamKb: null, maxRamFraction: null, source: null };
  const tokens = (cmdline ?? '').split(/\s+/).filter(Boolean);
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === '-jar') break; // JVM options end at the jar ...
    if (!t.startsWith('-')) {
      if (JAVA_ARG_OPTIONS.has(tokens[i - 1])) continue; // the value of -cp, --module-path, ...
      break; // ... or at the main class
    }
    let m: RegExpExecArray | null;
    if ((m = /^-Xmx(.+)$/.exec(t)) || (m = /^-XX:MaxHeapSize=(.+)$/.exec(t))) {
      const v = parseJavaSize(m[1]);
      if (v !== null) {
        out.xmxKb = v;
        out.source = t;
      }
    } else if ((m = /^-Xms(.+)$/.exec(t)) || (m = /^-XX:InitialHeapSize=(.+)$/.exec(t))) {
      out.xmsKb = parseJavaSize(m[1]);
    } else if ((m = /^-XX:MaxRAMPercentage=(\d+(?:\.\d+)?)$/.exec(t))) {
      out.maxRamPercentage = Number(m[1]);
    } else if ((m = /^-XX:MaxRAM=(.+)$/.exec(t))) {
      out.maxRamKb = parseJavaSize(m[1]);
    } else if ((m = /^-XX:MaxRAMFraction=(\d+)$/.exec(t))) {
      out.maxRamFraction = Number(m[1]) || null;
    }
  }
  return out;
}

/**
 * The heap the JVM may grow to, given the memory it sees (its cgroup limit or MemTotal): -Xmx wins;
 * else MaxRAMPercentage (or the old MaxRAMFraction) of MaxRAM, or of the memory it sees. With none
 * of these the JVM default (25 % of what it sees) applies: returned with source 'default'.
 */
export function jvmMaxHeapKb(f: JvmHeapFlags, seenKb: number): { heapKb: number; source: string } {
  if (f.xmxKb !== null) return { heapKb: f.xmxKb, source: f.source ?? '-Xmx' };
  const base = f.maxRamKb !== null ? Math.min(f.maxRamKb, seenKb) : seenKb;
  const baseText = f.maxRamKb !== null ? '-XX:MaxRAM' : 'the memory it sees';
  if (f.maxRamPercentage !== null) return { heapKb: (base * f.maxRamPercentage) / 100, source: `-XX:MaxRAMPercentage=${f.maxRamPercentage} of ${baseText}` };
  if (f.maxRamFraction !== null) return { heapKb: base / f.maxRamFraction, source: `-XX:MaxRAMFraction=${f.maxRamFraction} of ${baseText}` };
  return { heapKb: base * 0.25, source: f.maxRamKb !== null ? 'default 25 % of -XX:MaxRAM' : 'default' };
}

/** Typical JVM memory outside the heap: metaspace, code cache, thread stacks, GC structures, direct buffers. */
export function jvmOverheadKb(heapKb: number): number {
  return 200 * 1024 + 0.1 * heapKb;
}

/** --max-old-space-size=N (MB) from a node command line (either spelling); null when not on the command line. */
export function parseNodeOldSpace(cmdline: string | null | undefined): number | null {
  let out: number | null = null;
  for (const t of (cmdline ?? '').split(/\s+/)) {
    const m = /^--max[-_]old[-_]space[-_]size=(\d+)$/.exec(t);
    if (m) out = Number(m[1]) * 1024;
  }
  return out;
}

/** Typical Node.js memory outside the old space: young generation, code, Buffers, native addons. */
export function nodeOverheadKb(heapKb: number): number {
  return 128 * 1024 + 0.1 * heapKb;
}

/**
 * Options that make an interpreter run code given on the command line or load it from elsewhere:
 * a remedy that repeats them would run what a process (anyone's) chose to put there.
 */
const CODE_LOADING = /^(-r|--require|--import|--loader|--experimental-loader|-e|--eval|-p|--print|-c|--inspect(-brk|-port)?|--env-file|-i|--interactive)(=|$)/;

type ProgramOf = Pick<ProcessInfo, 'cmdline'> & Partial<Pick<ProcessInfo, 'argv' | 'exe'>>;

/**
 * The process's own program and arguments, quoted word by word, when it is safe to repeat in a
 * copy-ready command; else null (the caller shows a placeholder). Safe means: argv[0] names the
 * program /proc/PID/exe really runs (`exec -a rm x -rf /` claims to be rm and is not), no
 * argument loads code (--require, -r, -e, -c, --import…), no control characters, a sane length.
 */
export function safeProgramArgv(p: ProgramOf): string[] | null {
  const argv = p.argv;
  const exe = p.exe;
  if (!argv || argv.length === 0 || !exe || !exe.startsWith('/') || exe.endsWith(' (deleted)')) return null;
  const base = (s: string) => s.slice(s.lastIndexOf('/') + 1);
  const a0 = argv[0];
  // "python3" for /usr/bin/python3.11, "node" for /usr/bin/node, "./app" for /srv/app.
  const named = a0 === exe || base(a0) === base(exe) || (!a0.includes('/') && base(exe).startsWith(a0) && /^[0-9.]*$/.test(base(exe).slice(a0.length)));
  // The program itself must be a plain path: a name with shell or option characters is no program of the user's.
  if (!named || !/^[A-Za-z0-9_.+@/][A-Za-z0-9_.+@/-]*$/.test(a0)) return null;
  if (argv.join(' ').length > 2000) return null;
  // eslint-disable-next-line no-control-regex -- a newline or escape in an argument never goes into a command
  if (argv.some((a) => /[\u0000-\u001f\u007f]/.test(a))) return null;
  if (argv.slice(1).some((a) => CODE_LOADING.test(a))) return null;
  return argv;
}

/** safeProgramArgv as one quoted command line, or null. */
export function safeProgramCommand(p: ProgramOf, from = 0): string | null {
  const argv = safeProgramArgv(p);
  if (!argv) return null;
  const words = argv.slice(from);
  return words.length ? words.map(shQuote).join(' ') : null;
}

/** Arguments after the interpreter ("python3 app.py --x" -> "app.py --x"), checked and quoted, or a placeholder. */
function scriptArgs(p: ProgramOf, placeholder: string): string {
  return safeProgramCommand(p, 1) ?? placeholder;
}

/** The leak tool of the guide for this runtime, ready to run (profiler launches do not change the host). */
export function leakToolRemedies(p: Pick<ProcessInfo, 'pid' | 'comm' | 'cmdline'> & Partial<Pick<ProcessInfo, 'argv' | 'exe'>>): Remedy[] {
  const rt = detectRuntime(p);
  const pid = pidArg(p.pid);
  switch (rt) {
    case 'java':
      return [
        {
          title: 'See which classes fill the heap (a live histogram; forces a full GC, a short pause)',
          commands: [`jcmd ${pid} GC.class_histogram`, `jstat -gcutil ${pid} 1000 10`],
          changesHost: false,
        },
        {
          title: 'Take a heap dump to open in VisualVM / Eclipse MAT',
          commands: [`jmap -dump:live,format=b,file=/tmp/heap-${pid}.hprof ${pid}`],
          changesHost: false,
        },
      ];
    case 'node':
      return [
        {
          title: 'Restart it with heap snapshots on demand (--heapsnapshot-signal); compare two snapshots in Chrome DevTools',
          commands: [`node --heapsnapshot-signal=SIGUSR2 ${scriptArgs(p, 'app.js')}`],
          changesHost: false,
        },
        {
          title: 'Then write a snapshot now and again later (a signal to the process; it pauses while writing)',
          commands: ['kill -USR2 <PID of the new process>'],
          changesHost: true,
        },
        {
          title: 'Or attach the inspector (chrome://inspect → Memory), or profile with clinic.js / heapdump',
          commands: [`node --inspect ${scriptArgs(p, 'app.js')}`, `clinic heapprofiler -- node ${scriptArgs(p, 'app.js')}`],
          changesHost: false,
        },
      ];
    case 'python':
      return [
        {
          title: 'Restart it with tracemalloc (25 frames), then compare tracemalloc.take_snapshot() over time; objgraph and memory_profiler help too',
          commands: [`python3 -X tracemalloc=25 ${scriptArgs(p, 'app.py')}`, `PYTHONTRACEMALLOC=25 python3 ${scriptArgs(p, 'app.py')}`],
          changesHost: false,
        },
      ];
    default: {
      const c = safeProgramCommand(p) ?? '<program> <args>';
      return [
        {
          title: 'Run it under valgrind to list the leaked blocks and where they were allocated',
          commands: [`valgrind --leak-check=full ${c}`],
          changesHost: false,
        },
        {
          title: 'Or heaptrack (much faster than valgrind), and look at its mappings now',
          commands: [`heaptrack ${c}`, `cat /proc/${pid}/smaps`, 'smem -t -p'],
          changesHost: false,
        },
      ];
    }
  }
}
