// Reads every OOM event a host's kernel log holds, through the Host interface, in one command.
// Sources are tried in order and each one reported ("read from journald, boots -3..0",
// "dmesg: not permitted for user x"). A log we could not read is a clear error with the fixes,
// never an empty list that looks like "no OOM kills".
import { formatDuration } from '../format';
import type { Host } from '../host/host';
import type { OomEvent, OomEventsResult } from '../model/oomEvent';
import { OomEventReader } from '../parse/kernelLog';
import { kernelLogScript, OOM_DAEMONS } from './kernelLogScript';
import { FRAME } from '../parse/frame';

export interface LogSourceReport {
  /** Kernel log sources, the container platforms' own records of OOM-killed containers, and the userspace OOM killers' journal. */
  source: 'journal' | 'dmesg' | 'file' | 'docker' | 'kubectl' | 'oom-daemons';
  path: string | null;
  ok: boolean;
  events: number;
  lines: number;
  detail: string;
}

export interface KernelLogResult extends OomEventsResult {
  sources: LogSourceReport[];
  /** True when no source could be read at all: the UI must not say "no OOM kills". */
  unreadable: boolean;
  /** How to get access, when something was refused. */
  fixes: string[];
}

export interface KernelLogOptions {
  signal?: AbortSignal;
  sudo?: boolean;
  timeoutMs?: number;
  filesOnly?: boolean;
}

interface Section {
  kind: LogSourceReport['source'];
  path: string | null;
  reader: OomEventReader;
  lines: number;
  first: string | null;
  tail: string[];
}

/** Sources besides the kernel log: read when there, never what makes the kernel log readable. */
const PLATFORMS = new Set<LogSourceReport['source']>(['docker', 'kubectl', 'oom-daemons']);

const DENIED =
  /Operation not permitted|Permission denied|No journal files were opened due to insufficient permissions|you are not seeing messages from other users and the system|a password is required/i;

/**
 * The same kill seen in two sources (journal and dmesg, dmesg and kern.log) is one event: same
 * victim and trigger, and the same uptime stamp or wall-clock times within 2 s.
 */
export class Dedup {
  private readonly byWho = new Map<string, { uptime: number | null; timeMs: number | null; ev: OomEvent }[]>();
  isNew(e: OomEvent): boolean {
    const c = e.containerState;
    const container = c ? `${c.id ?? ''}|${c.namespace ?? ''}/${c.pod ?? ''}/${c.name ?? ''}|${c.finishedAt ?? ''}` : '';
    // oomd's kill is in its journal (with the pids) and in the kernel log (without): one kill of one cgroup
    const who =
      e.userspace?.killer === 'oomd'
        ? `oomd|${e.userspace.cgroup ?? ''}`
        : `${e.kind}|${e.victim?.pid ?? ''}|${e.victim?.comm ?? ''}|${e.trigger?.pid ?? ''}|${e.panic ?? ''}|${container}`;
    const timeMs = e.time ? Date.parse(e.time) : null;
    const seen = this.byWho.get(who) ?? [];
    const dup = seen.find(
      (s) =>
        (s.uptime !== null && e.uptimeSeconds !== null && Math.abs(s.uptime - e.uptimeSeconds) < 0.001) ||
        (s.timeMs !== null && timeMs !== null && Math.abs(s.timeMs - timeMs) <= 2000),
    );
    if (dup) {
      // the copy kept may lack what this one has (oomd's pids)
      if (!dup.ev.victim && e.victim) dup.ev.victim = e.victim;
      if (dup.ev.userspace && e.userspace) dup.ev.userspace.processesKilled ??= e.userspace.processesKilled;
      return false;
    }
    seen.push({ uptime: e.uptimeSeconds, timeMs, ev: e });
    this.byWho.set(who, seen);
    return true;
  }
}

export async function readKernelLog(host: Host, opts: KernelLogOptions = {}): Promise<KernelLogResult> {
  const sections: Section[] = [];
  const meta: Record<string, string> = {};
  let boots: string[] = [];
  let current: Section | null = null;
  const finished: { section: Section; status: number | null }[] = [];
  let rest = '';
  let sawEnd = false;

  const onLine = (line: string) => {
    if (line.startsWith(FRAME + ' ')) {
      const words = line.slice(FRAME.length + 1).split(' ');
      const what = words[0];
      if (what === 'meta') {
        for (let i = 1; i + 1 < words.length; i += 2) meta[words[i]] = words[i + 1];
      } else if (what === 'boots') {
        boots = (words[1] ?? '').split(',').filter(Boolean);
      } else if (what === 'source') {
        const kind = words[1] as Section['kind'];
        current = { kind, path: kind === 'file' ? words.slice(2).join(' ') : null, reader: new OomEventReader(), lines: 0, first: null, tail: [] };
        sections.push(current);
      } else if (what === 'status' && current) {
        finished.push({ section: current, status: Number(words[1]) });
        current = null;
      } else if (what === 'end') sawEnd = true;
      return;
    }
    if (!current) return;
    const s: Section = current;
    s.lines++;
    if (s.first === null && line.trim() !== '') s.first = line.trim();
    s.tail.push(line);
    if (s.tail.length > 3) s.tail.shift();
    s.reader.push(line + '\n');
  };

  const res = await host.exec('sh -s', {
    stdin: kernelLogScript({ sudo: opts.sudo, filesOnly: opts.filesOnly }),
    signal: opts.signal,
    timeoutMs: opts.timeoutMs ?? 120_000,
    discardStdout: true,
    onStdout: (chunk) => {
      const text = rest + chunk;
      const parts = text.split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) onLine(p);
    },
  });
  if (rest) onLine(rest);

  const user = meta.user ?? `uid ${meta.uid ?? '?'}`;
  const bootNow = meta.now && meta.uptime ? Number(meta.now) * 1000 - Number(meta.uptime) * 1000 : null;
  const reports: LogSourceReport[] = [];
  const fixes = new Set<string>();
  const dedup = new Dedup();
  const events: OomEvent[] = [];
  const warnings: string[] = [];

  for (const { section, status } of finished) {
    const result = section.reader.end();
    const tailText = section.tail.join(' ').trim();
    const denied = DENIED.test(tailText) && result.events.length === 0;
    const emptyOk = section.kind === 'file' && status === 1 && section.lines === 0; // grep found no kernel lines
    const ok = !denied && (status === 0 || emptyOk);
    let detail: string;
    if (PLATFORMS.has(section.kind)) {
      // A platform that answers with an error (no daemon, no cluster) is reported, not a failure.
      const what =
        section.kind === 'docker'
          ? 'docker inspect (every container)'
          : section.kind === 'kubectl'
            ? 'kubectl get pods -A'
            : `the journal of ${OOM_DAEMONS.join(', ')}`;
      if (section.kind === 'oom-daemons' && denied) {
        detail = `the journal of the userspace OOM killers: not permitted for user ${user}`;
        fixes.add(`add ${user} to the group systemd-journal (or adm) to read the journal: sudo usermod -aG systemd-journal ${user}`);
      } else if (section.kind === 'oom-daemons' && (section.lines === 0 || (result.events.length === 0 && /^No journal files/.test(section.first ?? '')))) {
        detail = 'no userspace OOM killer in the journal';
      } else if (denied && section.kind === 'docker') {
        detail = `docker: not permitted for user ${user}`;
        fixes.add(`add ${user} to the group docker to read containers' OOM state (sudo usermod -aG docker ${user}), or enable sudo in OOM Lens`);
      } else if (status === 0) {
        detail = section.lines === 0 ? `${section.kind}: no containers` : `read ${what}: ${section.lines} lines`;
      } else {
        // The last line says why (kubectl prints its retries first).
        const why =
          [...section.tail]
            .reverse()
            .find((l) => l.trim() !== '')
            ?.trim() ?? section.first;
        detail = `${section.kind}: not read (${status === 124 ? 'timed out' : (why ?? `exit code ${status}`).slice(0, 160)})`;
      }
      reports.push({ source: section.kind, path: null, ok: status === 0, events: 0, lines: section.lines, detail });
      const report = reports[reports.length - 1];
      for (const e of result.events) {
        if (!dedup.isNew(e)) continue;
        events.push(e);
        report.events++;
      }
      continue;
    }
    if (denied) {
      detail = `${section.kind === 'file' ? section.path : section.kind}: not permitted for user ${user}`;
      if (section.kind === 'dmesg') {
        fixes.add(
          `dmesg is restricted (kernel.dmesg_restrict=${meta.dmesg_restrict ?? '?'}): run as root, allow \`sudo -n dmesg\` for ${user} (and enable sudo in OOM Lens), or point OOM Lens at a readable log file`,
        );
      } else if (section.kind === 'journal') {
        fixes.add(`add ${user} to the group systemd-journal (or adm) to read the kernel's journal: sudo usermod -aG systemd-journal ${user}`);
      } else {
        fixes.add(`add ${user} to the group adm to read ${section.path}: sudo usermod -aG adm ${user}`);
      }
    } else if (section.kind === 'journal' && section.lines === 0) {
      detail = 'journald: no kernel messages (no journal files, or not kept)';
    } else if (section.kind === 'journal') {
      detail = `read from journald${boots.length ? `, boots ${boots[0]}..${boots[boots.length - 1]}` : ''}: ${section.lines} lines`;
    } else {
      detail = `read ${section.kind === 'file' ? section.path : 'dmesg (current boot)'}: ${section.lines} lines`;
    }
    if (!ok && !denied) detail += ` (exit code ${status}${tailText ? `: ${tailText.slice(0, 200)}` : ''})`;
    let added = 0;
    for (const e of result.events) {
      // Uptime stamps from the ring buffer belong to the current boot: give them a wall clock.
      if (section.kind === 'dmesg' && e.time === null && e.uptimeSeconds !== null && bootNow !== null) {
        e.time = new Date(Math.round(bootNow + e.uptimeSeconds * 1000)).toISOString();
      }
      if (!dedup.isNew(e)) continue;
      events.push(e);
      added++;
    }
    for (const w of result.warnings.slice(0, 20)) warnings.push(`${section.path ?? section.kind}: ${w}`);
    reports.push({ source: section.kind, path: section.path, ok, events: added, lines: section.lines, detail });
  }
  if (!sawEnd) warnings.push(`the kernel log reader on ${host.name} did not finish${res.timedOut ? ' (timed out)' : ''}: events may be missing`);
  // The kernel log itself: container platforms answering does not make it readable.
  const readable = reports.filter((r) => r.ok && r.lines > 0 && !PLATFORMS.has(r.source));
  const unreadable = readable.length === 0;
  if (unreadable) {
    const kernelReports = reports.filter((r) => !PLATFORMS.has(r.source));
    const timeoutMs = opts.timeoutMs ?? 120_000;
    warnings.unshift(
      kernelReports.length
        ? `could not read the kernel log of ${host.name} as ${user}: ${kernelReports.map((r) => r.detail).join('; ')}`
        : res.timedOut
          ? // Silence is not "no kernel log": say that the host never answered.
            `${host.name} did not answer within ${formatDuration(timeoutMs)}: its kernel log was not read`
          : `${host.name} has no kernel log OOM Lens can read (no journalctl, no dmesg, no /var/log/kern.log, messages or syslog)`,
    );
  }
  // Rotated files come newest-first from the glob: put events in time order when every one has a time.
  if (events.every((e) => e.time)) events.sort((a, b) => (a.time! < b.time! ? -1 : a.time! > b.time! ? 1 : 0)); // ISO times: code-unit order
  return {
    events,
    warnings,
    source: { kind: readable[0]?.source ?? 'none', detail: reports.map((r) => r.detail).join('; ') },
    sources: reports,
    unreadable,
    fixes: [...fixes],
  };
}
