// oom-lens run TOOL [--pid PID] -- COMMAND…: runs a leak tool on this machine, writes the report
// (path printed; --out copies it) and prints the top sites.
import { copyFileSync } from 'node:fs';
import type { Host } from '../../core/host/host';
import { OomLensError } from '../../core/errors';
import { runLeakTool } from '../../core/tools/runner';
import { renderLeakText } from '../../core/tools/render';
import type { ToolId, ToolRequest, ToolSettings } from '../../core/tools/types';
import { TOOL_IDS } from '../../core/tools/types';
import type { CliArgs } from '../args';
import { UsageError } from '../args';

/** The request a `run` command line asks for. Throws UsageError. */
export function runRequest(positionals: string[], o: NonNullable<CliArgs['leakOptions']>): ToolRequest {
  const [tool, ...command] = positionals;
  if (!tool) throw new UsageError(`run needs a tool: ${TOOL_IDS.join(', ')}`);
  if (!(TOOL_IDS as readonly string[]).includes(tool)) throw new UsageError(`unknown tool '${tool}': use ${TOOL_IDS.join(', ')}`);
  const t = tool as ToolId;
  if (o.pid !== null) {
    if (command.length > 0) throw new UsageError('give either --pid PID or -- COMMAND, not both');
    if (t === 'heaptrack') return { tool: t, pid: o.pid, durationSeconds: o.intervalSeconds ?? undefined };
    if (t === 'node-heap') return { tool: t, pid: o.pid, durationSeconds: o.intervalSeconds ?? undefined };
    if (t === 'java-histogram') return { tool: t, pid: o.pid, intervalSeconds: o.intervalSeconds ?? undefined };
    throw new UsageError(`${t} cannot attach to a running process: run the command under it (-- COMMAND)`);
  }
  if (t === 'java-histogram') throw new UsageError('java-histogram needs --pid PID of a running JVM');
  if (command.length === 0) throw new UsageError(`run ${t} needs a command after --, e.g. oom-lens run ${t} -- ./a.out`);
  const start = { program: command[0], args: command.slice(1), cwd: process.cwd() };
  return { tool: t, start } as ToolRequest;
}

export async function runCommand(args: CliArgs, host: Host, signal: AbortSignal): Promise<string> {
  const o = args.leakOptions ?? { pid: null, showLeakKinds: null, intervalSeconds: null, frames: null };
  const req = runRequest(args.positionals, o);
  const settings: Partial<ToolSettings> = {};
  if (o.showLeakKinds !== null) settings.valgrindShowLeakKinds = o.showLeakKinds;
  if (o.frames !== null) settings.tracemallocFrames = o.frames;
  if (o.intervalSeconds !== null) settings.intervalSeconds = o.intervalSeconds;
  const result = await runLeakTool(host, req, {
    signal,
    settings,
    // The program's own output goes to stderr, so stdout stays the report.
    onOutput: (t) => process.stderr.write(t.replace(/\r\n/g, '\n')),
  });
  const main = result.reports[0];
  if (!main) throw new OomLensError(`${req.tool} produced no report`);
  if (args.out && main.localPath) copyFileSync(main.localPath, args.out);
  if (args.json) {
    return (
      JSON.stringify(
        result.reports.length === 1
          ? main.report
          : { ...main.report, related: result.reports.slice(1).map((r) => ({ label: r.label, path: r.localPath, report: r.report })) },
        null,
        2,
      ) + '\n'
    );
  }
  const out: string[] = [];
  for (const r of result.reports) {
    out.push(`report: ${r.localPath ?? r.hostPath}${args.out && r === main ? ` (copied to ${args.out})` : ''}`);
    out.push(renderLeakText(r.report, { top: args.top, title: r.label }));
  }
  if (result.exitCode !== null && result.exitCode !== 0) out.push(`note: the program exited with code ${result.exitCode}`);
  return out.join('\n');
}
