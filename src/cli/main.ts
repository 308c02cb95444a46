#!/usr/bin/env node
// oom-lens: the command-line front end on the same core as the extension.
import { writeFileAtomic } from './writeFileAtomic';
import { formatBytes } from '../core/format';
import { parseCli, UsageError, HELP, CliArgs } from './args';
import { LocalHost } from '../core/host/localHost';
import { setMaxOutputBytes } from '../core/host/host';
import { PrefetchingHost, type PrefetchedExec } from '../core/host/prefetchingHost';
import type { Host } from '../core/host/host';
import { diagnose } from '../core/diagnose';
import { renderText } from '../core/report/text';
import { errorText } from '../core/errors';
import { VERSION } from '../core/version';
import { eventsCommand } from './commands/events';
import { watchCommand, watchEventsCommand } from './commands/watch';
import { renderMarkdown } from '../core/report/markdown';
import { renderHtml } from '../core/report/html';
import { htmlAssets } from './assets';
import { exitQuietlyOnClosedPipe } from './closedPipe';
import { terminalSafe, terminalSafeLine } from '../core/util/terminalText';

function emit(args: CliArgs, text: string): void {
  // Names, command lines and log lines come from the host: their control characters are shown, never obeyed (JSON escapes its own).
  if (args.format !== 'json' && args.format !== 'html') text = terminalSafe(text);
  if (!args.out) {
    process.stdout.write(text);
    return;
  }
  writeFileAtomic(args.out, text); // temp file, fsync, rename: a kill mid-write keeps the previous report
  // Say where it went (on stderr: stdout stays for data).
  process.stderr.write(`oom-lens: wrote ${args.out} (${formatBytes(Buffer.byteLength(text))})\n`);
}

/** Runs `fn` against the selected host with Ctrl-C as cancellation, and closes the host after. */
/** Commands the entry file (bin.ts) already started on this machine. */
let prefetched: PrefetchedExec[] = [];

async function withHost<T>(args: CliArgs, fn: (host: Host, signal: AbortSignal) => Promise<T>): Promise<T> {
  // Over SSH the CLI never prompts unless stdin is a terminal: an unknown host key is refused with its fingerprint.
  // ssh2 and the leak tools load only when a command needs them: start-up is most of a snapshot's time.
  const ssh = args.host ? await import('../core/host/ssh') : null;
  const prompts = args.host ? await import('./sshPrompts') : null;
  const host: Host =
    ssh && prompts && args.host
      ? ssh.hostFromSpec(args.host, {
          sshConfigPath: args.sshConfig ?? undefined,
          identity: args.identity ?? undefined,
          callbacks: prompts.cliCallbacks(),
          useSudo: args.sudo,
        })
      : prefetched.length
        ? new PrefetchingHost(new LocalHost(), prefetched.splice(0))
        : new LocalHost();
  const ac = new AbortController();
  const onInt = () => ac.abort();
  process.once('SIGINT', onInt);
  try {
    return await fn(host, ac.signal);
  } finally {
    process.removeListener('SIGINT', onInt);
    await host.close();
  }
}

async function run(args: CliArgs): Promise<void> {
  switch (args.command) {
    case 'help':
      process.stdout.write(HELP);
      return;
    case 'version':
      process.stdout.write(`oom-lens ${VERSION}\n`);
      return;
    case 'watch':
      if (args.watchOptions?.events) {
        const failOn = args.watchOptions.failOn;
        const code = await withHost(args, (host, signal) => {
          // CI stops a watch with SIGTERM: end it as Ctrl-C does, so its commands on the host end too.
          const ac = new AbortController();
          const onTerm = () => ac.abort();
          signal.addEventListener('abort', onTerm, { once: true });
          process.once('SIGTERM', onTerm);
          return watchEventsCommand(host, { intervalMs: args.intervalMs, sudo: args.sudo, failOn }, ac.signal, (s) => process.stdout.write(s)).finally(() =>
            process.removeListener('SIGTERM', onTerm),
          );
        });
        if (code !== 0) process.exitCode = code;
        return;
      }
      await withHost(args, (host, signal) => watchCommand(host, args.intervalMs, args.top, signal, (s) => process.stdout.write(s), !!process.stdout.isTTY));
      return;
    case 'act': {
      const code = await withHost(args, async (host, signal) =>
        (await import('./commands/act')).actCommand(args, host, signal, (t) => process.stdout.write(args.json ? t : terminalSafe(t))),
      );
      if (code !== 0) process.exitCode = code;
      return;
    }
    case 'alerts': {
      const { alertsCommand } = await import('./commands/alerts');
      await alertsCommand(
        args,
        (fn) => withHost(args, fn),
        (t) => process.stdout.write(t),
        (t) => process.stderr.write(t),
      );
      return;
    }
    case 'fleet': {
      const ac = new AbortController();
      const onInt = () => ac.abort();
      process.once('SIGINT', onInt);
      try {
        let text = '';
        await (
          await import('./commands/fleet')
        ).fleetCommand(
          args,
          ac.signal,
          (t) => (text += t),
          (t) => {
            if (process.stderr.isTTY) process.stderr.write(t);
          },
        );
        emit(args, text);
      } finally {
        process.removeListener('SIGINT', onInt);
      }
      return;
    }
    case 'events':
      emit(args, await withHost(args, (host, signal) => eventsCommand(args.positionals[0], host, { json: args.json, sudo: args.sudo, signal })));
      return;
    case 'leaks':
      emit(args, await (await import('./commands/leaks')).leaksCommand(args.positionals, { json: args.json, top: args.top }));
      return;
    case 'run':
      // --out is the report file's copy here, so the text always goes to standard output.
      process.stdout.write(terminalSafe(await withHost(args, async (host, signal) => (await import('./commands/run')).runCommand(args, host, signal))));
      return;
    case 'diagnose':
    case 'snapshot': {
      await withHost(args, async (host, signal) => {
        const report = await diagnose(host, {
          signal,
          kernelLog: args.command === 'diagnose',
          sudo: args.sudo,
          sampleMs: args.sampleMs ?? undefined,
          intervalMs: args.intervalMs,
          onStep: (m) => {
            if (process.stderr.isTTY) process.stderr.write(`${m}\n`);
          },
        });
        const text =
          args.format === 'json'
            ? JSON.stringify(report, null, 2) + '\n'
            : args.format === 'md'
              ? renderMarkdown(report, { top: args.top })
              : args.format === 'html'
                ? renderHtml(report, htmlAssets())
                : renderText(report, { top: args.top, width: process.stdout.columns ? Math.max(30, process.stdout.columns - 90) : 60 });
        emit(args, text);
      });
      return;
    }
  }
}

export async function main(argv: string[], opts: { prefetched?: PrefetchedExec[] } = {}): Promise<number> {
  prefetched = opts.prefetched ?? [];
  try {
    return await runMain(argv);
  } finally {
    for (const p of prefetched.splice(0)) p.abort(); // started for a command that did not need it
  }
}

async function runMain(argv: string[]): Promise<number> {
  const cap = process.env.OOM_LENS_MAX_OUTPUT_MIB;
  if (cap) {
    if (!/^\d+$/.test(cap) || Number(cap) < 1) {
      process.stderr.write(`oom-lens: OOM_LENS_MAX_OUTPUT_MIB must be a whole number of MiB (1 or more), not '${terminalSafeLine(cap)}'\n`);
      return 2;
    }
    setMaxOutputBytes(Number(cap) * 2 ** 20);
  }
  let args: CliArgs;
  try {
    args = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`oom-lens: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  try {
    await run(args);
    // A command may end with a failure it already explained (act: an action that did not take).
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      // leaks/run check their arguments against each other when they start
      process.stderr.write(`oom-lens: ${terminalSafeLine(e.message)}\n`);
      return 2;
    }
    const msg = errorText(e);
    process.stderr.write(`oom-lens: ${terminalSafeLine(msg.split('\n')[0])}\n`);
    return 1;
  }
}

if (require.main === module) {
  exitQuietlyOnClosedPipe();
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
