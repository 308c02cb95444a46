// valgrind memcheck text output (stderr or --log-file), read line by line so that a file can be
// streamed in bounded memory (only the loss records are kept).
//
// Lines are `==PID== body` (also `**PID**`, and `--PID--` debug lines with -v), possibly behind any
// prefix such as `grep -H`'s `file.log:` or mail quoting `> `, and possibly with --time-stamp=yes.
// Unprefixed valgrind lines (people strip the prefix when pasting) are read too, but only the
// unmistakable ones (loss record headers, their frames, summary blocks).
import type { LeakKind, LeakReport, LeakRun, LeakSite, LeakSummary } from '../../model/leakReport';
import { emptyLeakSummary } from '../../model/leakReport';
import { int, markInlined, parseValgrindFrameText, site, sortSites } from './util';

const PREFIXED = /^(.*?)(==|\*\*|--)(\d+)\2(?: (.*)|)$/;
const TIME_STAMP = /^\d\d:\d\d:\d\d:\d\d\.\d\d\d\s/;
const N = '([\\d,]+)';
const DELTA = '(?: \\([+-][\\d,]+\\))?';
const LOSS_RECORD = new RegExp(
  `^${N}${DELTA}(?: \\(${N}${DELTA} direct, ${N}${DELTA} indirect\\))? bytes in ${N}${DELTA} blocks? are ` +
    `(definitely lost|indirectly lost|possibly lost|still reachable)\\b.*?\\bin (?:[a-z]+ )?loss record ${N} of ${N}`,
);
const FRAME = /^(at|by) (0x[0-9A-Fa-f]+): (.*)$/;
const SUMMARY_ITEM = new RegExp(`^(definitely lost|indirectly lost|possibly lost|still reachable|suppressed): ${N}${DELTA} bytes in ${N}${DELTA} blocks?`);
const IN_USE = new RegExp(`^in use at exit: ${N} bytes in ${N} blocks?`);
const TOTAL_USAGE = new RegExp(`^total heap usage: ${N} allocs, ${N} frees, ${N} bytes allocated`);
const ERROR_SUMMARY = new RegExp(`^ERROR SUMMARY: ${N} errors? from ${N} contexts?`);
const OTHER_ERROR =
  /^(Invalid (?:read|write) of size \d+|Invalid free\(\) \/ delete \/ delete\[\] \/ realloc\(\)|Invalid free\(\)|Mismatched free\(\) \/ delete \/ delete ?\[\]|Conditional jump or move depends on uninitialised value\(s\)|Use of uninitialised value of size \d+|Syscall param .*|Source and destination overlap in .*|Argument '.*' of function .* has a fishy .*|Jump to the invalid address .*|Process terminating with default action of signal .*|Invalid alignment value.*|.*has a fishy \(possibly negative\) value.*)$/;

interface RunState {
  pid: number | null;
  command: string | null;
  toolVersion: string | null;
  isMemcheck: boolean;
  summary: LeakSummary;
  section: 'none' | 'heap' | 'leak';
  current: LeakSite | null;
  currentError: { what: string; frames: number; where: string | null } | null;
  seenRecords: Set<string>;
  sites: LeakSite[];
  touched: boolean;
  order: number;
}

const KIND_FIELD: Record<string, [keyof LeakSummary, keyof LeakSummary]> = {
  'definitely lost': ['definitelyLostBytes', 'definitelyLostBlocks'],
  'indirectly lost': ['indirectlyLostBytes', 'indirectlyLostBlocks'],
  'possibly lost': ['possiblyLostBytes', 'possiblyLostBlocks'],
  'still reachable': ['stillReachableBytes', 'stillReachableBlocks'],
  suppressed: ['suppressedBytes', 'suppressedBlocks'],
};

export class MemcheckTextParser {
  private runs = new Map<string, RunState>();
  private prefixedLines = 0;
  private otherErrors = new Set<string>();
  private lineCount = 0;
  private firstNonEmpty: string | null = null;
  /** A prefixed line that looked cut (mail wrapping): the next unprefixed line may complete it. */
  private continuation: { run: RunState; text: string; kind: 'frame' | 'header' } | null = null;
  private otherTools = new Set<string>();

  push(raw: string): void {
    this.lineCount++;
    const lineText = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.firstNonEmpty === null && lineText.trim() !== '') this.firstNonEmpty = lineText.trim().slice(0, 80);
    const m = PREFIXED.exec(lineText);
    if (m) {
      this.prefixedLines++;
      if (m[2] === '--') return; // -v debug lines (--PID-- Reading syms ...)
      let body = m[4] ?? '';
      if (TIME_STAMP.test(body)) body = body.replace(TIME_STAMP, '');
      this.continuation = null;
      this.body(this.run(m[3]), body, true);
      return;
    }
    const cont = this.continuation;
    if (cont && lineText.trim() !== '') {
      // a hard-wrapped valgrind line: join and read again
      this.continuation = null;
      const joined = `${cont.text} ${lineText.trim().replace(/^(?:>\s?)+/, '')}`;
      if (cont.kind === 'frame') {
        if (cont.run.current) cont.run.current.frames.pop();
        else if (cont.run.currentError && cont.run.currentError.frames > 0) cont.run.currentError.frames--;
      }
      this.body(cont.run, joined, true);
      return;
    }
    // Unprefixed: only unmistakable valgrind lines.
    this.body(this.run('?'), lineText.replace(/^\s*(?:>\s?)+/, ''), false);
  }

  private run(key: string): RunState {
    let r = this.runs.get(key);
    if (!r) {
      r = {
        pid: key === '?' ? null : Number(key),
        command: null,
        toolVersion: null,
        isMemcheck: false,
        summary: emptyLeakSummary(),
        section: 'none',
        current: null,
        currentError: null,
        seenRecords: new Set(),
        sites: [],
        touched: false,
        order: this.runs.size,
      };
      this.runs.set(key, r);
    }
    return r;
  }

  private endRecord(r: RunState): void {
    r.current = null;
    if (r.currentError) {
      const key = `${r.currentError.what}${r.currentError.where ? ' at ' + r.currentError.where : ''}`;
      this.otherErrors.add(key);
      r.currentError = null;
    }
  }

  private body(r: RunState, bodyRaw: string, prefixed: boolean): void {
    const body = bodyRaw.trim();
    if (body === '') {
      if (prefixed || r.current || r.currentError) this.endRecord(r);
      r.section = 'none';
      return;
    }
    const fm = FRAME.exec(body);
    if (fm) {
      if (prefixed && unbalanced(fm[3])) this.continuation = { run: r, text: body, kind: 'frame' };
      if (r.current) {
        r.current.frames.push(parseValgrindFrameText(fm[3], fm[2]));
      } else if (r.currentError) {
        if (r.currentError.frames === 0) {
          const f = parseValgrindFrameText(fm[3], fm[2]);
          r.currentError.where = `${f.function ?? '???'}${f.file ? ` (${f.file}:${f.line})` : f.object ? ` (in ${f.object})` : ''}`;
        }
        r.currentError.frames++;
      }
      return;
    }
    const lr = LOSS_RECORD.exec(body);
    if (lr) {
      this.endRecord(r);
      r.touched = true;
      r.section = 'none';
      const kind = lr[5] as LeakKind;
      const rec = int(lr[6]);
      const total = int(lr[7]);
      const bytes = int(lr[1]) ?? 0;
      const blocks = int(lr[4]);
      const id = `${kind}|${rec}|${total}|${bytes}|${blocks}`;
      if (rec !== null && r.seenRecords.has(id)) {
        // -v repeats errors after the ERROR SUMMARY; keep the first copy only.
        r.current = site(kind, bytes); // collect frames into a throwaway site
        return;
      }
      r.seenRecords.add(id);
      const s = site(kind, bytes, {
        directBytes: lr[2] !== undefined ? int(lr[2]) : null,
        indirectBytes: lr[3] !== undefined ? int(lr[3]) : null,
        count: blocks,
        pid: r.pid,
        record: rec,
        recordsTotal: total,
      });
      r.sites.push(s);
      r.current = s;
      return;
    }
    if (prefixed && /^[\d,]+(?: \(| bytes\b)/.test(body)) {
      // looks like a loss record header cut by mail wrapping
      this.continuation = { run: r, text: body, kind: 'header' };
    }
    // Anything else ends a frame list (a new error, the summary, auxiliary lines).
    if (r.current) r.current = null;

    if (body === 'HEAP SUMMARY:') {
      this.endRecord(r);
      r.section = 'heap';
      r.touched = true;
      return;
    }
    if (body === 'LEAK SUMMARY:') {
      this.endRecord(r);
      r.section = 'leak';
      r.touched = true;
      return;
    }
    if (/^All heap blocks were freed -- no leaks are possible/.test(body)) {
      r.touched = true;
      const s = r.summary;
      for (const [b, k] of Object.values(KIND_FIELD)) {
        (s[b] as number) = 0;
        (s[k] as number) = 0;
      }
      if (s.inUseAtExitBytes === null) {
        s.inUseAtExitBytes = 0;
        s.inUseAtExitBlocks = 0;
      }
      return;
    }
    const inUse = IN_USE.exec(body);
    if (inUse && (prefixed || r.section === 'heap')) {
      r.summary.inUseAtExitBytes = int(inUse[1]);
      r.summary.inUseAtExitBlocks = int(inUse[2]);
      r.touched = true;
      return;
    }
    const tu = TOTAL_USAGE.exec(body);
    if (tu && (prefixed || r.section === 'heap')) {
      r.summary.totalAllocs = int(tu[1]);
      r.summary.totalFrees = int(tu[2]);
      r.summary.totalBytesAllocated = int(tu[3]);
      r.touched = true;
      return;
    }
    const si = SUMMARY_ITEM.exec(body);
    if (si && (prefixed || r.section === 'leak')) {
      const [b, k] = KIND_FIELD[si[1]];
      (r.summary[b] as number | null) = int(si[2]);
      (r.summary[k] as number | null) = int(si[3]);
      r.touched = true;
      return;
    }
    const es = ERROR_SUMMARY.exec(body);
    if (es && (prefixed || r.isMemcheck)) {
      r.summary.errorCount = int(es[1]);
      r.summary.errorContexts = int(es[2]);
      r.section = 'none';
      return;
    }
    if (/^Memcheck, a memory error detector/.test(body)) {
      r.isMemcheck = true;
      r.touched = true;
      return;
    }
    // the rest needs the valgrind prefix (or a pasted memcheck banner) to be trusted
    if (!prefixed && !r.isMemcheck) return;
    const other = /^(Helgrind|DRD|Massif|Cachegrind|Callgrind|DHAT|Lackey|Nulgrind|exp-\w+), a /.exec(body);
    if (other) {
      this.otherTools.add(other[1]);
      return;
    }
    const ver = /^Using valgrind-(\d+(?:\.\d+)+)/i.exec(body);
    if (ver) {
      r.toolVersion = ver[1];
      r.touched = true;
      return;
    }
    const cmd = /^Command: (.*)$/.exec(body);
    if (cmd && r.command === null) {
      r.command = cmd[1].trim();
      return;
    }
    if (OTHER_ERROR.test(body)) {
      this.endRecord(r);
      r.currentError = { what: body, frames: 0, where: null };
      return;
    }
  }

  finish(): LeakReport {
    for (const r of this.runs.values()) this.endRecord(r);
    const runs = [...this.runs.values()].filter((r) => r.touched || r.sites.length > 0).sort((a, b) => a.order - b.order);
    const warnings: string[] = [];
    const hasSummary = (r: RunState) => Object.values(r.summary).some((v) => v !== null && v !== undefined);
    const main = runs.find(hasSummary) ?? runs[0] ?? null;
    const allSites = sortSites(runs.flatMap((r) => r.sites));
    for (const s of allSites) markInlined(s.frames);
    if (runs.length === 0) {
      warnings.push(
        this.lineCount === 0 || this.firstNonEmpty === null
          ? 'empty input'
          : `no valgrind memcheck leak information found (first line '${this.firstNonEmpty}')`,
      );
    }
    if (runs.length > 1) {
      warnings.push(
        `${runs.length} valgrind runs in one input (pids ${runs.map((r) => r.pid ?? '?').join(', ')}); ` +
          `the summary is from pid ${main?.pid ?? '?'}; each site carries its own pid`,
      );
    }
    if (main && !hasSummary(main) && allSites.length > 0) {
      warnings.push('no HEAP/LEAK SUMMARY in the input (cut short?): summary unknown');
    }
    if (this.otherTools.size > 0 && !runs.some((r) => r.isMemcheck)) {
      warnings.push(`written by valgrind ${[...this.otherTools].join(', ')}, not memcheck: no leak information expected`);
    }
    const errs = [...this.otherErrors];
    const shown = errs.slice(0, 10);
    for (const what of shown) warnings.push(`memcheck error (not a leak): ${what}`);
    if (errs.length > shown.length) warnings.push(`… and ${errs.length - shown.length} more non-leak memcheck error contexts`);

    const runInfo: LeakRun[] = runs.map((r) => ({
      pid: r.pid,
      command: r.command,
      toolVersion: r.toolVersion,
      summary: r.summary,
      sites: r.sites.length,
    }));
    return {
      tool: 'valgrind-memcheck',
      toolVersion: main?.toolVersion ?? runs.find((r) => r.toolVersion)?.toolVersion ?? null,
      pid: main?.pid ?? null,
      command: main?.command ?? runs.find((r) => r.command)?.command ?? null,
      summary: main ? main.summary : emptyLeakSummary(),
      sites: allSites,
      warnings,
      runs: runInfo,
      details: { format: 'text' },
    };
  }
}

function unbalanced(s: string): boolean {
  let d = 0;
  for (const c of s) {
    if (c === '(') d++;
    else if (c === ')') d--;
  }
  return d > 0;
}

export function parseMemcheckText(text: string): LeakReport {
  const p = new MemcheckTextParser();
  for (const l of text.split('\n')) p.push(l);
  return p.finish();
}
