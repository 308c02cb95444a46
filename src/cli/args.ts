// Command-line parsing for oom-lens. Usage errors are UsageError (exit code 2).
import { parseArgs } from 'node:util';
import { parseDuration } from '../core/util/duration';
import { ALERT_FORMATS, type AlertFormat } from '../core/alerts/formats';

export class UsageError extends Error {}

export const COMMANDS = ['diagnose', 'snapshot', 'watch', 'events', 'leaks', 'run', 'act', 'alerts', 'fleet', 'help', 'version'] as const;
export type CommandName = (typeof COMMANDS)[number];

export type Format = 'text' | 'json' | 'md' | 'html';
const FORMATS: Format[] = ['text', 'json', 'md', 'html'];

export interface CliArgs {
  command: CommandName;
  json: boolean;
  format: Format;
  out: string | null;
  top: number;
  /** diagnose --sample: how long to watch growth (ms); null = a snapshot only. */
  sampleMs: number | null;
  /** Sampling interval (ms). */
  intervalMs: number;
  positionals: string[];
  /** --host: an ssh_config alias or user@host[:port]; null = this machine. */
  host: string | null;
  sshConfig: string | null;
  identity: string | null;
  /** --sudo: use `sudo -n` on the host for the kernel log and other users' smaps. */
  sudo: boolean;
  /** act only: run it (the default is a dry run), and the actions' own options. */
  actOptions?: { apply: boolean; signal: string | null; escalateMs: number | null; file: string | null; persist: boolean; unit: string | null };
  /** watch only: --events (JSON lines, docs/contracts/watch-events.md) and --fail-on kill (exit 3 after the first kill). */
  watchOptions?: { events: boolean; failOn: 'kill' | null };
  /** alerts only: tune to the host (--for-host), the promtool test file (--tests), what to write (--format). */
  alertOptions?: { forHost: boolean; tests: string | null; format: AlertFormat };
  /** fleet only: where the fleet is read from (Prometheus and/or kubectl, or SSH fan-out) and how. */
  fleetOptions?: {
    prometheus: string | null;
    windowMs: number;
    atMs: number | null;
    kubeContext: string | null;
    kubeconfig: string | null;
    hosts: string | null;
    concurrency: number;
    timeoutMs: number;
    ca: string | null;
    tokenFile: string | null;
    map: Record<string, string>;
  };
  /** leaks / run only: their own options (see src/cli/commands/run.ts). */
  leakOptions?: { pid: number | null; showLeakKinds: string | null; intervalSeconds: number | null; frames: number | null };
}

export const HELP = `oom-lens — find out why a Linux host runs out of memory and which code leaks

Usage:
  oom-lens diagnose [--sample 60s] [--interval 1s] [--format text|json|md|html] [--out FILE] [--top N]
      The diagnosis of this machine: memory now (the free -h picture, the top processes by
      RSS with PSS/USS/swap and oom_score/oom_score_adj, memory cgroups), every OOM kill in
      the kernel log, and with --sample each process's growth over that time.
  oom-lens snapshot [--json]
      One snapshot of memory and every process (no kernel log, no analysis).
  oom-lens watch [--interval 1s] [--top N]
      A live table of the top processes by RSS with their growth, until Ctrl-C.
  oom-lens watch --events [--interval 5s] [--fail-on kill]
      Tells you first: one JSON line per event on stdout (a new OOM kill, a new leak suspect,
      MemAvailable below 15 %/10 % or a cgroup at 90 % of its limit, each cleared with a
      5-point margin), from the kernel log followed live and a sample every 5 s. With
      --fail-on kill it exits 3 right after the first OOM kill (for CI). --host works here too.
  oom-lens events [FILE | -] [--json]
      OOM events (kills, panics, runtime and container OOMs) from a log FILE you have
      (dmesg, journalctl, syslog, kern.log[.gz], kubectl/docker output, app logs, pastes),
      from standard input with -, or with no FILE from this machine's kernel log.
  oom-lens leaks FILE [FILE2] [--json] [--top N]
      Leak sites from a leak tool's output (valgrind memcheck text/XML, massif, tracemalloc,
      memray, Node .heapprofile/.heapsnapshot, Java histograms, heaptrack_print, LeakSanitizer), with the
      first frame in your code; the format is detected. Two files: what grew, was fixed, is new.
  oom-lens run valgrind|heaptrack|tracemalloc|node-heap|lsan [--out FILE] [--json] -- COMMAND [ARG...]
  oom-lens run heaptrack|node-heap|java-histogram --pid PID [--interval 10s]
      Runs COMMAND under the tool on this machine (or attaches to PID), writes the report
      (its path is printed; --out copies it) and prints the top leak sites.
      --show-leak-kinds KINDS (valgrind, default definite,indirect,possible), --frames N (tracemalloc)
      lsan: COMMAND built with -fsanitize=leak -g -fno-omit-frame-pointer (or -fsanitize=address)
  oom-lens act kill PID... [--signal TERM|KILL] [--escalate 10s]
  oom-lens act drop-caches
  oom-lens act swap add SIZE [--file /swapfile] [--persist]
  oom-lens act oom-adj PID VALUE [--unit UNIT]
  oom-lens act sysctl NAME=VALUE [--persist]
  oom-lens act cgroup-limit CGROUP SIZE
  oom-lens act undo ID      oom-lens act log [--json]
      Changes the host, safely: every act is a DRY RUN unless --apply is given (it prints the
      exact commands, the current value and the warnings). With --apply it runs them (as root,
      or through sudo -n), reads the value again, and records it in the audit log
      (~/.local/state/oom-lens/actions-HOST.jsonl; --json prints the entry and its id, which
      "act undo ID" takes). A refusal exits 1 and changes nothing. --host works as everywhere.
  oom-lens alerts [--for-host] [--out FILE] [--tests FILE] [--format prometheus|earlyoom|oomd]
      Prometheus alerting rules (a groups: file for rule_files:) with the thresholds of the
      findings, for node_exporter, cAdvisor and kube-state-metrics; --tests writes their
      promtool test rules file (needs --out). --for-host diagnoses the host (this machine, or
      --host) and tunes the rules to it (its swap, PSI, limits, Kubernetes). --format earlyoom
      prints the /etc/default/earlyoom line, oomd a systemd-oomd drop-in, for the same numbers.
  oom-lens fleet --prometheus URL [--window 24h] [--at TIME] [--kube-context CTX] [--json]
  oom-lens fleet --hosts PATTERN|FILE [--concurrency 16] [--timeout 30s] [--json]
      Which of many hosts and pods run out of memory, ranked worst first with the thresholds of
      the findings: from Prometheus (one query per signal for every instance: OOM kills,
      lowest MemAvailable, swap, PSI, projected exhaustion, cAdvisor containers near their
      limit, kube-state-metrics OOMKilled), plus with --kube-context the Kubernetes API through
      your kubectl (OOMKilled pods, OOMKilling/SystemOOM events, MemoryPressure, and kills inside
      a container that Kubernetes never shows). Without Prometheus, --hosts runs the snapshot on
      each ssh_config Host matching PATTERN (web-*, a,b) or listed in FILE, 16 at a time
      (it never prompts: unknown host keys and keys that need a passphrase are refused).
      Credentials: OOM_LENS_PROMETHEUS_TOKEN, or OOM_LENS_PROMETHEUS_USER and _PASSWORD, or
      --token-file FILE; --ca FILE trusts a private CA. --map INSTANCE=SSHHOST (repeatable)
      names the SSH host a Prometheus instance is diagnosed over.
  oom-lens help | --help        this text
  oom-lens version | --version  the version

Options:
  --json            print the report as JSON (the report contract); same as --format json
  --format FORMAT   text (default), json, md (Markdown for a ticket) or html (self-contained)
  --sample DURATION watch growth for this long before reporting (e.g. 20s, 5m, 1h)
  --interval DUR    sampling interval (default 1s)
  --out FILE        write the report to FILE instead of standard output
  --host HOST       diagnose HOST over SSH: an ssh_config alias or user@host[:port]
                    (agent, keys, ProxyJump, known_hosts as with ssh; nothing installed there)
  --ssh-config FILE the OpenSSH config to read (default ~/.ssh/config), as with ssh -F
  --identity FILE   a private key to try first, as with ssh -i
  --sudo            use sudo -n on the host for the kernel log and other users' processes
  --top N           processes shown in text output (default 15)
  --for-host        alerts: tune the rules to the diagnosed host
  --tests FILE      alerts: also write the promtool test rules file for the rules in --out

Exit codes: 0 ok, 1 failure (one-line reason on stderr), 2 usage error,
            3 watch --fail-on kill saw an OOM kill.
`;

const NEGATIVE = '\u0000neg:';

export function parseCli(argv: string[]): CliArgs {
  let parsed;
  try {
    // A negative number is a value ("oom-adj 1234 -500"), never an option: keep it a positional.
    parsed = parseArgs({
      args: argv.map((a) => (/^-\d+(\.\d+)?[A-Za-z]*$/.test(a) ? `${NEGATIVE}${a.slice(1)}` : a)),
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        format: { type: 'string' },
        out: { type: 'string', short: 'o' },
        top: { type: 'string' },
        sample: { type: 'string' },
        host: { type: 'string', short: 'H' },
        'ssh-config': { type: 'string', short: 'F' },
        identity: { type: 'string', short: 'i' },
        sudo: { type: 'boolean', default: false },
        interval: { type: 'string' },
        pid: { type: 'string' },
        'show-leak-kinds': { type: 'string' },
        frames: { type: 'string' },
        apply: { type: 'boolean', default: false },
        signal: { type: 'string' },
        escalate: { type: 'string' },
        file: { type: 'string' },
        persist: { type: 'boolean', default: false },
        unit: { type: 'string' },
        events: { type: 'boolean', default: false },
        'fail-on': { type: 'string' },
        'for-host': { type: 'boolean', default: false },
        tests: { type: 'string' },
        prometheus: { type: 'string' },
        window: { type: 'string' },
        at: { type: 'string' },
        'kube-context': { type: 'string' },
        kubeconfig: { type: 'string' },
        hosts: { type: 'string' },
        concurrency: { type: 'string' },
        timeout: { type: 'string' },
        ca: { type: 'string' },
        'token-file': { type: 'string' },
        map: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'V', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values } = parsed;
  const positionals = parsed.positionals.map((p) => (p.startsWith(NEGATIVE) ? `-${p.slice(NEGATIVE.length)}` : p));
  let command: CommandName;
  if (values.help) command = 'help';
  else if (values.version) command = 'version';
  else {
    const first = positionals.shift();
    if (first === undefined) throw new UsageError('missing command: try `oom-lens diagnose` or `oom-lens --help`');
    if (!(COMMANDS as readonly string[]).includes(first)) throw new UsageError(`unknown command '${first}': try \`oom-lens --help\``);
    command = first as CommandName;
  }
  const maxPositionals = command === 'events' ? 1 : command === 'leaks' ? 2 : command === 'run' || command === 'act' ? Infinity : 0;
  const actOnly = ['apply', 'signal', 'escalate', 'file', 'persist', 'unit'] as const;
  for (const k of actOnly) if (command !== 'act' && values[k] !== undefined && values[k] !== false) throw new UsageError(`--${k} applies to act`);
  if (positionals.length > maxPositionals) throw new UsageError(`unexpected argument '${positionals[maxPositionals]}'`);
  if ((values['for-host'] || values.tests !== undefined) && command !== 'alerts') throw new UsageError('--for-host and --tests apply to alerts');
  const fleetOnly = ['prometheus', 'window', 'at', 'kube-context', 'kubeconfig', 'hosts', 'concurrency', 'timeout', 'ca', 'token-file', 'map'] as const;
  for (const k of fleetOnly) if (command !== 'fleet' && values[k] !== undefined) throw new UsageError(`--${k} applies to fleet`);
  let alertFormat: AlertFormat = 'prometheus';
  if (command === 'alerts') {
    if (values.format !== undefined && !(ALERT_FORMATS as readonly string[]).includes(values.format))
      throw new UsageError(`unknown alerts format '${values.format}': use ${ALERT_FORMATS.join(', ')}`);
    if (values.json) throw new UsageError('--json does not apply to alerts: use --format prometheus, earlyoom or oomd');
    alertFormat = (values.format as AlertFormat | undefined) ?? 'prometheus';
    if (values.tests !== undefined && (alertFormat !== 'prometheus' || values.out === undefined))
      throw new UsageError('--tests needs --out (the rules file it tests)');
    if ((values.host !== undefined || values.sudo) && !values['for-host'])
      throw new UsageError('--host and --sudo apply to alerts --for-host (the host to tune to)');
  }
  if (command === 'fleet' && (values.format === 'md' || values.format === 'html')) throw new UsageError('fleet prints text or --json');
  if (command === 'fleet' && values.host !== undefined) throw new UsageError('--host applies to one host: fleet takes --prometheus or --hosts');
  if (command === 'fleet' && values.sudo && values.hosts === undefined) throw new UsageError('--sudo applies to fleet --hosts (the snapshot on each host)');
  const format = command === 'alerts' ? 'text' : (values.format ?? (values.json ? 'json' : 'text'));
  if (!(FORMATS as string[]).includes(format)) throw new UsageError(`unknown format '${format}': use ${FORMATS.join(', ')}`);
  if (values.json && values.format && values.format !== 'json') throw new UsageError('--json conflicts with --format ' + values.format);
  let top = 15;
  if (values.top !== undefined) {
    if (!/^\d+$/.test(values.top) || Number(values.top) < 1) throw new UsageError(`--top needs a positive whole number, not '${values.top}'`);
    top = Number(values.top);
  }
  const duration = (name: string, v: string | undefined): number | null => {
    if (v === undefined) return null;
    const ms = parseDuration(v);
    if (ms === null || ms <= 0) throw new UsageError(`--${name} needs a duration like 500ms, 20s, 5m or 1h, not '${v}'`);
    return ms;
  };
  const sampleMs = duration('sample', values.sample);
  if ((values.events || values['fail-on'] !== undefined) && command !== 'watch') throw new UsageError('--events and --fail-on apply to watch');
  if (values['fail-on'] !== undefined && values['fail-on'] !== 'kill') throw new UsageError(`--fail-on takes 'kill', not '${values['fail-on']}'`);
  if (values['fail-on'] !== undefined && !values.events) throw new UsageError('--fail-on needs --events');
  // The event watch samples slowly by default: it must cost next to nothing while it waits.
  const intervalMs = duration('interval', values.interval) ?? (values.events ? 5000 : 1000);
  if (intervalMs < 100) throw new UsageError('--interval must be at least 100ms');
  if (sampleMs !== null && sampleMs < intervalMs * 2) throw new UsageError('--sample must cover at least two intervals');
  if (
    (values.sample !== undefined || values.interval !== undefined) &&
    command !== 'diagnose' &&
    command !== 'watch' &&
    !(command === 'run' && values.sample === undefined)
  ) {
    throw new UsageError('--sample and --interval apply to diagnose and watch');
  }
  const hostOpts = values.host !== undefined || values['ssh-config'] !== undefined || values.identity !== undefined || values.sudo;
  if (hostOpts && (command === 'help' || command === 'version' || command === 'leaks' || (command === 'events' && positionals.length > 0))) {
    throw new UsageError(`--host, --ssh-config, --identity and --sudo do not apply to ${command === 'events' ? 'events FILE (a file is read here)' : command}`);
  }
  if (values.host !== undefined && values.host.trim() === '') throw new UsageError('--host needs a host name');
  if ((values['ssh-config'] !== undefined || values.identity !== undefined) && values.host === undefined && command !== 'fleet')
    throw new UsageError('--ssh-config and --identity need --host');
  const args: CliArgs = {
    command,
    json: format === 'json',
    format: format as Format,
    out: values.out ?? null,
    top,
    sampleMs,
    intervalMs,
    positionals,
    host: values.host ?? null,
    sshConfig: values['ssh-config'] ?? null,
    identity: values.identity ?? null,
    sudo: !!values.sudo,
  };
  if (command === 'alerts') args.alertOptions = { forHost: !!values['for-host'], tests: values.tests ?? null, format: alertFormat };
  if (command === 'watch') args.watchOptions = { events: !!values.events, failOn: values['fail-on'] === 'kill' ? 'kill' : null };
  if (command === 'act') {
    args.actOptions = {
      apply: !!values.apply,
      signal: values.signal ?? null,
      escalateMs: duration('escalate', values.escalate),
      file: values.file ?? null,
      persist: !!values.persist,
      unit: values.unit ?? null,
    };
  }
  if (command === 'fleet') args.fleetOptions = fleetOptions(values, duration);
  if (command === 'run' || command === 'leaks') {
    const whole = (name: string, v: string | undefined): number | null => {
      if (v === undefined) return null;
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--${name} needs a positive whole number, not '${v}'`);
      return Number(v);
    };
    args.leakOptions = {
      pid: whole('pid', values.pid),
      showLeakKinds: values['show-leak-kinds'] ?? null,
      intervalSeconds: values.interval !== undefined ? intervalMs / 1000 : null,
      frames: whole('frames', values.frames),
    };
  } else if (values.pid !== undefined || values['show-leak-kinds'] !== undefined || values.frames !== undefined) {
    throw new UsageError('--pid, --show-leak-kinds and --frames apply to run');
  }
  return args;
}

type FleetValues = Partial<
  Record<'prometheus' | 'window' | 'at' | 'kube-context' | 'kubeconfig' | 'hosts' | 'concurrency' | 'timeout' | 'ca' | 'token-file', string>
> & {
  map?: string[];
};

function fleetOptions(v: FleetValues, duration: (name: string, v: string | undefined) => number | null): NonNullable<CliArgs['fleetOptions']> {
  if (v.prometheus === undefined && v.hosts === undefined && v['kube-context'] === undefined)
    throw new UsageError('fleet needs --prometheus URL, --kube-context CTX or --hosts PATTERN|FILE');
  if (v.hosts !== undefined && (v.prometheus !== undefined || v['kube-context'] !== undefined))
    throw new UsageError('--hosts is the fan-out over SSH for when there is no Prometheus: use it alone');
  if (v.hosts !== undefined && v.hosts.trim() === '') throw new UsageError('--hosts needs a pattern, a list or a file');
  if (v.hosts === undefined && (v.concurrency !== undefined || v.timeout !== undefined)) throw new UsageError('--concurrency and --timeout apply to --hosts');
  let atMs: number | null = null;
  if (v.at !== undefined) {
    atMs = /^\d+(\.\d+)?$/.test(v.at) ? Number(v.at) * 1000 : Date.parse(v.at);
    if (!Number.isFinite(atMs)) throw new UsageError(`--at needs a time like 2026-11-30T00:00:00Z or Unix seconds, not '${v.at}'`);
  }
  let concurrency = 16;
  if (v.concurrency !== undefined) {
    if (!/^\d+$/.test(v.concurrency) || Number(v.concurrency) < 1 || Number(v.concurrency) > 256)
      throw new UsageError(`--concurrency needs a whole number from 1 to 256, not '${v.concurrency}'`);
    concurrency = Number(v.concurrency);
  }
  const map: Record<string, string> = {};
  for (const m of v.map ?? []) {
    const i = m.indexOf('=');
    if (i <= 0 || i === m.length - 1) throw new UsageError(`--map needs INSTANCE=SSHHOST, not '${m}'`);
    map[m.slice(0, i)] = m.slice(i + 1);
  }
  return {
    prometheus: v.prometheus ?? null,
    windowMs: duration('window', v.window) ?? 24 * 3600_000,
    atMs,
    kubeContext: v['kube-context'] ?? null,
    kubeconfig: v.kubeconfig ?? null,
    hosts: v.hosts ?? null,
    concurrency,
    timeoutMs: duration('timeout', v.timeout) ?? 30_000,
    ca: v.ca ?? null,
    tokenFile: v['token-file'] ?? null,
    map,
  };
}
