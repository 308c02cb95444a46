// LeakSanitizer reports (standalone -fsanitize=leak, or the leak check of -fsanitize=address), read
// line by line so that a log can be streamed:
//
//   ==1234==ERROR: LeakSanitizer: detected memory leaks
//   Direct leak of 36 byte(s) in 3 object(s) allocated from:
//       #0 0x4c2f in malloc (/path/bin+0x4c2f) (BuildId: 1f2e…)
//       #1 0x55de in make_record /src/leak.c:14:5
//   SUMMARY: AddressSanitizer: 276 byte(s) leaked in 4 allocation(s).
//
// Pastes lose the `==PID==` prefix, gain CRLF, quoting or leading spaces, or sit behind a log
// prefix: every pattern is searched for in the line, not anchored at its start.
import type { LeakFrame, LeakReport, LeakSite } from '../../model/leakReport';
import { emptyLeakSummary } from '../../model/leakReport';
import { int, markInlined, site } from './util';
import { SiteList } from './siteList';

const PID_PREFIX = /==(\d+)==/;
const ERROR_LINE = /ERROR: (LeakSanitizer|AddressSanitizer): (.*?)\s*$/;
const HEADER = /\b(Direct|Indirect) leak of ([\d,]+) byte\(s\) in ([\d,]+) object\(s\) allocated from:/;
const FRAME = /(?:^|[\s>|:])#(\d+) +(0x[0-9a-fA-F]+)(?: +(.*?))?\s*$/;
const SUMMARY = /SUMMARY: (AddressSanitizer|LeakSanitizer): ([\d,]+) byte\(s\) leaked in ([\d,]+) allocation\(s\)/;
const OTHER_SUMMARY = /SUMMARY: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer): (.*?)\s*$/;
const BUILD_ID = /\s*\(BuildId: [0-9a-fA-F]+\)$/;
const MODULE = /^\((.+?)\+(0x[0-9a-fA-F]+)\)$/;
const LOCATION = /^(.*) +(\S+?):(\d+)(?::(\d+))?$/;

/** The part of a frame after `#N 0xADDR`: `in fn file:line:col`, `in fn (module+0xoff)`, `(module+0xoff)`. */
export function parseSanitizerFrame(rest: string, address: string | null): LeakFrame {
  let s = rest.trim().replace(BUILD_ID, '');
  const f: LeakFrame = { function: null, file: null, line: null, object: null, address };
  if (s.startsWith('in ')) s = s.slice(3).trim();
  else {
    const m = MODULE.exec(s);
    if (m) f.object = m[1];
    else if (s !== '') f.function = s;
    return f;
  }
  // `fn (module+0xoff)`: an unsymbolized frame with a function name from the dynamic symbol table
  const mod = / \(([^()]+?)\+(0x[0-9a-fA-F]+)\)$/.exec(s);
  if (mod) {
    f.object = mod[1];
    f.function = s.slice(0, mod.index).trim() || null;
    return f;
  }
  const loc = LOCATION.exec(s);
  if (loc && !/[()<>,]$/.test(loc[2]) && !/^\d/.test(loc[2])) {
    f.function = loc[1].trim() || null;
    f.file = loc[2];
    f.line = Number(loc[3]);
    if (loc[4] !== undefined) f.column = Number(loc[4]);
    return f;
  }
  f.function = s || null;
  return f;
}

export class LsanParser {
  private sites = new SiteList();
  private current: LeakSite | null = null;
  private pids: number[] = [];
  private lastPid: number | null = null;
  private sanitizer: string | null = null;
  private reports = 0;
  private totals: { bytes: number; allocations: number } | null = null;
  private warnings: string[] = [];
  private otherErrors = new Set<string>();

  push(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.indexOf('#') >= 0 && this.current) {
      const m = FRAME.exec(line);
      if (m) {
        // a new `#0` under the same header would be a second stack: LSan never prints one, so stop
        if (m[1] === '0' && this.current.frames.length > 0) this.endSite();
        else {
          this.current.frames.push(parseSanitizerFrame(m[3] ?? '', m[2]));
          return;
        }
      }
    }
    const pidM = line.indexOf('==') >= 0 ? PID_PREFIX.exec(line) : null;
    if (pidM) this.lastPid = Number(pidM[1]);
    if (line.indexOf(' leak of ') >= 0) {
      const h = HEADER.exec(line);
      if (h) {
        this.endSite();
        this.current = site(h[1] === 'Direct' ? 'definitely lost' : 'indirectly lost', int(h[2]) ?? 0, {
          count: int(h[3]),
          pid: this.lastPid,
        });
        return;
      }
    }
    if (line.indexOf('ERROR: ') >= 0) {
      const e = ERROR_LINE.exec(line);
      if (e) {
        this.endSite();
        this.sanitizer = this.sanitizer ?? e[1];
        if (/detected memory leaks/.test(e[2])) {
          this.reports++;
          if (this.lastPid !== null && !this.pids.includes(this.lastPid)) this.pids.push(this.lastPid);
        } else this.otherErrors.add(`${e[1]}: ${e[2]}`);
        return;
      }
    }
    if (line.indexOf('SUMMARY: ') >= 0) {
      this.endSite();
      const s = SUMMARY.exec(line);
      if (s) {
        const t = this.totals ?? { bytes: 0, allocations: 0 };
        t.bytes += int(s[2]) ?? 0;
        t.allocations += int(s[3]) ?? 0;
        this.totals = t;
        return;
      }
      const o = OTHER_SUMMARY.exec(line);
      if (o) this.otherErrors.add(`${o[1]}: ${o[2]}`);
      return;
    }
    if (line.indexOf('LeakSanitizer has encountered a fatal error') >= 0) {
      this.warnings.push('LeakSanitizer hit a fatal error: the leak check did not finish (running under ptrace, e.g. gdb or strace?)');
      return;
    }
    // a blank line ends a stack (LSan prints one after each)
    if (this.current && this.current.frames.length > 0 && line.trim() === '') this.endSite();
  }

  private endSite(): void {
    const c = this.current;
    this.current = null;
    if (!c) return;
    markInlined(c.frames);
    this.sites.push(c);
  }

  finish(): LeakReport {
    this.endSite();
    const summary = emptyLeakSummary();
    const warnings = [...this.warnings];
    const sum = (kind: LeakSite['kind']) => this.sites.total(kind);
    if (this.sites.length > 0 || this.totals) {
      const d = sum('definitely lost');
      const i = sum('indirectly lost');
      summary.definitelyLostBytes = d.bytes;
      summary.definitelyLostBlocks = d.blocks;
      summary.indirectlyLostBytes = i.bytes;
      summary.indirectlyLostBlocks = i.blocks;
      const listed = d.bytes + i.bytes;
      // max_leaks / a cut paste: the SUMMARY line counts more than the stacks shown
      if (this.totals && this.totals.bytes > listed && this.sites.length > 0)
        warnings.push(`the SUMMARY counts ${this.totals.bytes} bytes leaked, the stacks shown ${listed}: some leak stacks are not in the input`);
    }
    if (this.reports === 0 && this.sites.length > 0) warnings.push('no "ERROR: LeakSanitizer: detected memory leaks" line: a part of a report?');
    const dropped = this.sites.droppedNote();
    if (dropped) warnings.push(dropped);
    const errs = [...this.otherErrors];
    for (const e of errs.slice(0, 10)) warnings.push(`sanitizer error (not a leak): ${e}`);
    if (this.pids.length > 1) warnings.push(`reports of ${this.pids.length} processes (${this.pids.join(', ')}): sites carry their pid`);
    return {
      tool: 'lsan',
      toolVersion: null,
      pid: this.pids[0] ?? this.sites.first?.pid ?? null,
      command: null,
      summary,
      sites: this.sites.sites(),
      warnings,
      details: {
        ...(this.sites.dropped ? { sitesDropped: this.sites.dropped } : {}),
        sanitizer: this.sanitizer,
        reports: this.reports,
        pids: this.pids,
        leakedBytes: this.totals?.bytes ?? null,
        leakedAllocations: this.totals?.allocations ?? null,
      },
    };
  }
}

export function parseLsan(text: string): LeakReport {
  const p = new LsanParser();
  for (const l of text.split('\n')) p.push(l);
  return p.finish();
}
