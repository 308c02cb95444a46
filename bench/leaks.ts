// bench/leaks: (1) the leak-tool runners' own overhead against running each tool bare on the same
// program in the same run (target: within 10 %): the runner adds a prepare round trip, the report
// fetch and the parse; (2) time and peak memory to open a 50 MB valgrind XML with
// `oom-lens leaks FILE --json` (streamed: peak RSS must not grow with the file).
// Run: npm run build && npx tsx bench/leaks.ts   (BENCH_LEAKS_RUNS=5, BENCH_LEAKS_XML_MB=50)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHost } from '../src/core/host/localHost';
import { runLeakTool } from '../src/core/tools/runner';
import { quoteArgv, valgrindArgv, heaptrackArgv, heaptrackPrintArgv, nodeHeapArgv } from '../src/core/tools/argv';
import { DEFAULT_TOOL_SETTINGS, type ToolRequest } from '../src/core/tools/types';
import { measure } from './lib/measure';

const ROOT = join(__dirname, '..');
const PROGRAMS = join(ROOT, 'test', 'fixtures', 'programs');
const RUNS = Number(process.env.BENCH_LEAKS_RUNS || 5);
const XML_MB = Number(process.env.BENCH_LEAKS_XML_MB || 50);
const host = new LocalHost();

const have = (c: string) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function timeSh(cmd: string): Promise<number> {
  const t0 = performance.now();
  const r = await host.exec(`{ ${cmd}; } >/dev/null 2>&1`);
  if (r.code !== 0) throw new Error(`bare command failed (${r.code}): ${cmd.slice(0, 200)}`);
  return performance.now() - t0;
}

async function timeRunner(req: ToolRequest): Promise<number> {
  const t0 = performance.now();
  const r = await runLeakTool(host, req, { onOutput: () => {} });
  if (r.reports[0].report.sites.length === 0) throw new Error(`${req.tool}: no sites`);
  return performance.now() - t0;
}

interface Row {
  tool: string;
  bare: number;
  runner: number;
  bareMin: number;
  runnerMin: number;
  note: string;
}

async function overhead(): Promise<Row[]> {
  const rows: Row[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'oom-lens-bench-'));
  const bin = join(dir, 'leak');
  if (spawnSync('gcc', ['-g', '-O0', '-o', bin, join(PROGRAMS, 'leak.c')]).status !== 0) throw new Error('gcc failed');
  const cases: Array<{ tool: string; need: string[]; bare: () => string; req: ToolRequest; note: string }> = [
    {
      tool: 'valgrind',
      need: ['valgrind'],
      note: 'valgrind --xml to a file vs runner (prepare + run + parse XML)',
      bare: () => quoteArgv(valgrindArgv({ program: bin, args: ['20000'] }, join(dir, 'bare.xml'), DEFAULT_TOOL_SETTINGS)),
      req: { tool: 'valgrind', start: { program: bin, args: ['20000'] } },
    },
    {
      tool: 'heaptrack',
      need: ['heaptrack', 'heaptrack_print'],
      note: 'heaptrack + heaptrack_print vs runner (same + parse)',
      bare: () => {
        rmSync(join(dir, 'h.zst'), { force: true });
        rmSync(join(dir, 'h.gz'), { force: true });
        return `${quoteArgv(heaptrackArgv({ program: bin, args: ['200000'] }, join(dir, 'h')))} && f=$(ls ${dir}/h.*z*) && ${quoteArgv(heaptrackPrintArgv('F').slice(0, 2))} "$f" ${quoteArgv(heaptrackPrintArgv('F').slice(3))} > ${dir}/h.txt`;
      },
      req: { tool: 'heaptrack', start: { program: bin, args: ['200000'] } },
    },
    {
      tool: 'tracemalloc',
      need: ['python3'],
      note: 'python3 -X tracemalloc=25 vs runner (bootstrap: 2 snapshots + compare_to + parse)',
      bare: () => quoteArgv(['python3', '-X', 'tracemalloc=25', join(PROGRAMS, 'leak.py'), '20000']),
      req: { tool: 'tracemalloc', start: { program: join(PROGRAMS, 'leak.py'), args: ['20000'] } },
    },
    {
      tool: 'node-heap',
      need: ['node'],
      note: 'node --heap-prof vs runner without snapshots (+ parse)',
      bare: () => quoteArgv(nodeHeapArgv({ program: join(PROGRAMS, 'leak.js'), args: ['100000'] }, dir, DEFAULT_TOOL_SETTINGS, null)),
      req: { tool: 'node-heap', start: { program: join(PROGRAMS, 'leak.js'), args: ['100000'] }, snapshots: false },
    },
    {
      tool: 'node-heap + snapshots',
      need: ['node'],
      note: 'the same with heap snapshots at start and exit (extra work, not overhead)',
      bare: () => quoteArgv(nodeHeapArgv({ program: join(PROGRAMS, 'leak.js'), args: ['100000'] }, dir, DEFAULT_TOOL_SETTINGS, null)),
      req: { tool: 'node-heap', start: { program: join(PROGRAMS, 'leak.js'), args: ['100000'] } },
    },
  ];
  for (const c of cases) {
    if (!c.need.every(have)) {
      console.log(`  ${c.tool}: SKIPPED (${c.need.join(', ')} not installed)`);
      continue;
    }
    await timeSh(c.bare()); // warm caches
    const bare: number[] = [];
    const runner: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // interleaved, so machine noise hits both alike
      bare.push(await timeSh(c.bare()));
      runner.push(await timeRunner(c.req));
    }
    rows.push({ tool: c.tool, bare: median(bare), runner: median(runner), bareMin: Math.min(...bare), runnerMin: Math.min(...runner), note: c.note });
  }
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

/** A memcheck XML of about `mb` MB: many loss records with distinct 12-frame stacks. */
async function makeXml(file: string, mb: number): Promise<number> {
  const out = createWriteStream(file);
  const w = (s: string) =>
    new Promise<void>((res) => {
      if (out.write(s)) res();
      else out.once('drain', res);
    });
  await w(
    `<?xml version="1.0"?>\n\n<valgrindoutput>\n\n<protocolversion>4</protocolversion>\n<protocoltool>memcheck</protocoltool>\n\n<preamble>\n  <line>Memcheck, a memory error detector</line>\n  <line>Using Valgrind-3.19.0 and LibVEX; rerun with -h for copyright info</line>\n  <line>Command: ./server</line>\n</preamble>\n\n<pid>4242</pid>\n<ppid>1</ppid>\n<tool>memcheck</tool>\n\n`,
  );
  let bytes = 0;
  let n = 0;
  const target = mb * 1024 * 1024;
  while (bytes < target) {
    n++;
    const frames = [
      `    <frame>\n      <ip>0x4848899</ip>\n      <obj>/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so</obj>\n      <fn>malloc</fn>\n      <dir>./coregrind/m_replacemalloc</dir>\n      <file>vg_replace_malloc.c</file>\n      <line>381</line>\n    </frame>\n`,
    ];
    for (let f = 0; f < 11; f++)
      frames.push(
        `    <frame>\n      <ip>0x${(0x400000 + n * 16 + f).toString(16)}</ip>\n      <obj>/srv/app/server</obj>\n      <fn>module${n % 97}::handler_${f}_${n}(request&amp;)</fn>\n      <dir>/srv/app/src/module${n % 97}</dir>\n      <file>handler${f}.cc</file>\n      <line>${((n * 7 + f) % 5000) + 1}</line>\n    </frame>\n`,
      );
    const rec = `<error>\n  <unique>0x${n.toString(16)}</unique>\n  <tid>1</tid>\n  <kind>Leak_DefinitelyLost</kind>\n  <xwhat>\n    <text>${n * 8} bytes in ${(n % 13) + 1} blocks are definitely lost in loss record ${n} of 99999</text>\n    <leakedbytes>${n * 8}</leakedbytes>\n    <leakedblocks>${(n % 13) + 1}</leakedblocks>\n  </xwhat>\n  <stack>\n${frames.join('')}  </stack>\n</error>\n\n`;
    await w(rec);
    bytes += rec.length;
  }
  await w('<errorcounts>\n</errorcounts>\n\n<suppcounts>\n</suppcounts>\n\n</valgrindoutput>\n');
  await new Promise<void>((res) => out.end(res));
  return n;
}

async function main() {
  const cli = join(ROOT, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('run `npm run build` first');
  console.log(`bench/leaks — runner overhead (median of ${RUNS} interleaved runs each)`);
  const rows = await overhead();
  for (const r of rows) {
    const pct = (r.runner / r.bare - 1) * 100;
    const pctMin = (r.runnerMin / r.bareMin - 1) * 100;
    const ok = r.tool.includes('snapshots') ? 'info' : pctMin <= 10 ? 'OK' : 'OVER';
    const sgn = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
    console.log(
      `  ${r.tool.padEnd(22)} bare ${r.bare.toFixed(0).padStart(6)} ms  runner ${r.runner.toFixed(0).padStart(6)} ms  overhead median ${sgn(pct).padStart(6)} %, best-of ${sgn(pctMin).padStart(6)} %  [${ok}]  ${r.note}`,
    );
  }

  const dir = join(ROOT, 'bench', 'out');
  mkdirSync(dir, { recursive: true });
  const sizes = [XML_MB / 10, XML_MB].map((m) => Math.max(1, Math.round(m)));
  console.log(`\nopening valgrind XML with \`oom-lens leaks FILE --json\` (streamed parse)`);
  for (const mb of sizes) {
    const file = join(dir, `memcheck-${mb}MB.xml`);
    const records = existsSync(file) ? null : await makeXml(file, mb);
    const size = statSync(file).size;
    const m = await measure(process.execPath, [cli, 'leaks', file, '--json']);
    if (m.code !== 0) throw new Error(`oom-lens leaks exited ${m.code}`);
    console.log(
      `  ${(size / 1048576).toFixed(1).padStart(6)} MB${records ? ` (${records} loss records)` : ''}: ${m.ms.toFixed(0)} ms (${(size / 1048576 / (m.ms / 1000)).toFixed(1)} MB/s), peak RSS ${(m.peakKb / 1024).toFixed(0)} MB, JSON out ${(m.stdoutBytes / 1048576).toFixed(1)} MB`,
    );
  }
  // The parse alone (what "Open Leak Report…" does), in a child process: time and peak RSS against
  // the same child that only loads the parser.
  const parseScript = (f: string | null) =>
    `const t=performance.now();const p=require(${JSON.stringify(join(ROOT, 'src/core/parse/leaks'))});${f ? `p.parseLeakReportFile(${JSON.stringify(f)}).then(r=>console.error('    parsed '+r.sites.length+' sites in '+(performance.now()-t).toFixed(0)+' ms'))` : ''}`;
  const tsx = require.resolve('tsx/cjs');
  const base = await measure(process.execPath, ['-r', tsx, '-e', parseScript(null)]);
  for (const mb of sizes) {
    const file = join(dir, `memcheck-${mb}MB.xml`);
    const m = await measure(process.execPath, ['-r', tsx, '-e', parseScript(file)]);
    console.log(
      `  parse only, ${mb} MB: ${m.ms.toFixed(0)} ms wall, peak RSS ${(m.peakKb / 1024).toFixed(0)} MB (${((m.peakKb - base.peakKb) / 1024).toFixed(0)} MB over the ${(base.peakKb / 1024).toFixed(0)} MB of loading the parser)`,
    );
  }
  const wc = await measure('sh', ['-c', `wc -l ${join(dir, `memcheck-${sizes[1]}MB.xml`)}`]);
  console.log(`  baseline: wc -l on the ${sizes[1]} MB file takes ${wc.ms.toFixed(0)} ms`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
