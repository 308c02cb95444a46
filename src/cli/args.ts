// Command-line parsing for oom-lens. Usage errors are UsageError (exit code 2).
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

export const COMMANDS = ['diagnose', 'snapshot', 'events', 'help', 'version'] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface CliArgs {
  command: CommandName;
  json: boolean;
  format: 'text' | 'json';
  out: string | null;
  top: number;
  positionals: string[];
}

export const HELP = `oom-lens — find out why a Linux host runs out of memory and which code leaks

Usage:
  oom-lens diagnose [--json | --format text|json] [--out FILE] [--top N]
      Memory now on this machine: the free -h picture, the top processes by RSS with
      PSS/USS/swap and oom_score/oom_score_adj, memory cgroups with limits.
  oom-lens snapshot [--json]
      One snapshot of memory and every process (no kernel log, no analysis).
  oom-lens events [FILE | -] [--json]
      OOM events (kills, panics, runtime and container OOMs) from a log FILE you have
      (dmesg, journalctl, syslog, kern.log[.gz], kubectl/docker output, app logs, pastes),
      from standard input with -, or with no FILE from this machine's kernel log.
  oom-lens help | --help        this text
  oom-lens version | --version  the version

Options:
  --json            print the report as JSON (the report contract)
  --format FORMAT   text (default) or json
  --out FILE        write the report to FILE instead of standard output
  --top N           processes shown in text output (default 15)

Exit codes: 0 ok, 1 failure (one-line reason on stderr), 2 usage error.
`;

export function parseCli(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        format: { type: 'string' },
        out: { type: 'string', short: 'o' },
        top: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'V', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  let command: CommandName;
  if (values.help) command = 'help';
  else if (values.version) command = 'version';
  else {
    const first = positionals.shift();
    if (first === undefined) throw new UsageError('missing command: try `oom-lens diagnose` or `oom-lens --help`');
    if (!(COMMANDS as readonly string[]).includes(first)) throw new UsageError(`unknown command '${first}': try \`oom-lens --help\``);
    command = first as CommandName;
  }
  const maxPositionals = command === 'events' ? 1 : 0;
  if (positionals.length > maxPositionals) throw new UsageError(`unexpected argument '${positionals[maxPositionals]}'`);
  const format = values.format ?? (values.json ? 'json' : 'text');
  if (format !== 'text' && format !== 'json') throw new UsageError(`unknown format '${format}': use text or json`);
  if (values.json && values.format && values.format !== 'json') throw new UsageError('--json conflicts with --format ' + values.format);
  let top = 15;
  if (values.top !== undefined) {
    if (!/^\d+$/.test(values.top) || Number(values.top) < 1) throw new UsageError(`--top needs a positive whole number, not '${values.top}'`);
    top = Number(values.top);
  }
  return { command, json: format === 'json', format, out: values.out ?? null, top, positionals };
}
