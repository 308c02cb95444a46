// valgrind memcheck --xml=yes (protocol 4, and the older <what>-only protocols), read with saxes as a
// stream: feed chunks with write(), call finish(). Only the leak errors are kept, never a DOM.
import { SaxesParser } from 'saxes';
import type { LeakFrame, LeakKind, LeakReport } from '../../model/leakReport';
import { emptyLeakSummary } from '../../model/leakReport';
import { errMessage, int, markInlined, site } from './util';
import { SiteList } from './siteList';

const LEAK_KINDS: Record<string, LeakKind> = {
  Leak_DefinitelyLost: 'definitely lost',
  Leak_IndirectlyLost: 'indirectly lost',
  Leak_PossiblyLost: 'possibly lost',
  Leak_StillReachable: 'still reachable',
};

const WHAT_RE = /^([\d,]+)(?: \(([\d,]+) direct, ([\d,]+) indirect\))? bytes in ([\d,]+) blocks? are .*?loss record ([\d,]+) of ([\d,]+)/;

interface FrameAcc {
  ip: string | null;
  obj: string | null;
  fn: string | null;
  dir: string | null;
  file: string | null;
  line: string | null;
}
interface ErrorAcc {
  kind: string | null;
  what: string | null;
  xwhatText: string | null;
  leakedBytes: number | null;
  leakedBlocks: number | null;
  stacks: LeakFrame[][];
}

const MAX_PENDING = 1 << 20;

export class MemcheckXmlParser {
  private sax: SaxesParser;
  private path: string[] = [];
  private text = '';
  private started = false;
  private pending = '';
  private dead = false;
  private xmlErrors = 0;
  private warnings: string[] = [];

  private protocolVersion: number | null = null;
  private protocolTool: string | null = null;
  private toolVersion: string | null = null;
  private preambleCommand: string | null = null;
  private pid: number | null = null;
  private ppid: number | null = null;
  private argv: string[] = [];
  private vargv: string[] = [];
  private states: string[] = [];
  private statuses: Array<{ state: string | null; time: string | null; elapsedSeconds: number | null }> = [];
  private status: { state: string | null; time: string | null; elapsedSeconds: number | null } | null = null;
  private err: ErrorAcc | null = null;
  private frame: FrameAcc | null = null;
  private sites = new SiteList();
  private otherErrors = new Set<string>();
  private errorCountTotal = 0;
  private errorCountPairs = 0;
  private pairCount: number | null = null;
  private sawRoot = false;
  private closedRoot = false;
  private finishedDoc = false;
  private secondDoc = false;
  /** A pasted `<error>…</error>` with no document around it: read inside a root of our own. */
  private fragment = false;
  private fragmentErrors = 0;

  constructor() {
    this.sax = new SaxesParser({ position: false });
    this.sax.on('opentag', (tag) => {
      this.path.push(tag.name);
      this.text = '';
      this.open(tag.name);
    });
    this.sax.on('text', (t) => {
      this.text += t;
    });
    this.sax.on('cdata', (t) => {
      this.text += t;
    });
    this.sax.on('closetag', (tag) => {
      this.close(tag.name, this.text.trim());
      this.path.pop();
      this.text = '';
    });
    this.sax.on('error', (e) => {
      this.xmlErrors++;
      if (this.xmlErrors <= 3) this.warnings.push(`XML problem: ${errMessage(e)}`);
    });
  }

  write(chunk: string): void {
    if (this.dead) return;
    if (this.finishedDoc) {
      if (!this.secondDoc && /<valgrindoutput\b/.test(chunk)) {
        this.secondDoc = true;
        this.warnings.push('another valgrind XML document follows the first one: only the first is read');
      }
      return;
    }
    if (!this.started) {
      // Drop whatever precedes the document (a shell prompt, program output, a BOM).
      this.pending += chunk;
      const i = this.pending.search(/<\?xml|<valgrindoutput/);
      const e = i < 0 ? this.pending.search(/<error>\s*<unique>/) : -1;
      if (i < 0 && e < 0) {
        if (this.pending.length > MAX_PENDING) {
          this.pending = this.pending.slice(-64);
        }
        return;
      }
      if (i >= 0) chunk = this.pending.slice(i);
      else {
        this.fragment = true;
        chunk = `<valgrindoutput>${this.pending.slice(e)}`;
      }
      this.pending = '';
      this.started = true;
    }
    const end = chunk.indexOf('</valgrindoutput>');
    if (end >= 0) {
      // stop at the end of the document: a closing ``` fence or a second document may follow
      const rest = chunk.slice(end + '</valgrindoutput>'.length);
      chunk = chunk.slice(0, end + '</valgrindoutput>'.length);
      this.finishedDoc = true;
      if (/<valgrindoutput\b/.test(rest)) {
        this.secondDoc = true;
        this.warnings.push('another valgrind XML document follows the first one: only the first is read');
      }
    }
    try {
      this.sax.write(chunk);
    } catch (e) {
      this.dead = true;
      this.warnings.push(`XML parsing stopped: ${errMessage(e)}`);
    }
  }

  private in(...suffix: string[]): boolean {
    const p = this.path;
    if (p.length < suffix.length) return false;
    for (let i = 0; i < suffix.length; i++) if (p[p.length - suffix.length + i] !== suffix[i]) return false;
    return true;
  }

  private open(name: string): void {
    if (name === 'valgrindoutput') this.sawRoot = true;
    else if (name === 'status' && this.path.length === 2) this.status = { state: null, time: null, elapsedSeconds: null };
    else if (name === 'error' && this.path.length === 2) {
      this.err = { kind: null, what: null, xwhatText: null, leakedBytes: null, leakedBlocks: null, stacks: [] };
    } else if (name === 'stack' && this.err && this.in('error', 'stack')) {
      this.err.stacks.push([]);
    } else if (name === 'frame' && this.err && this.in('error', 'stack', 'frame')) {
      this.frame = { ip: null, obj: null, fn: null, dir: null, file: null, line: null };
    } else if (name === 'pair' && this.in('errorcounts', 'pair')) {
      this.pairCount = null;
    }
  }

  private close(name: string, t: string): void {
    const depth = this.path.length; // includes `name`
    if (this.frame && this.in('frame', name) && name !== 'frame') {
      if (name === 'ip' || name === 'obj' || name === 'fn' || name === 'dir' || name === 'file' || name === 'line') this.frame[name] = t;
      return;
    }
    switch (name) {
      case 'valgrindoutput':
        this.closedRoot = true;
        return;
      case 'protocolversion':
        if (depth === 2) this.protocolVersion = int(t);
        return;
      case 'protocoltool':
        if (depth === 2) this.protocolTool = t;
        return;
      case 'line':
        if (this.in('preamble', 'line')) {
          const v = /Using valgrind-(\d+(?:\.\d+)+)/i.exec(t);
          if (v) this.toolVersion = v[1];
          const c = /^Command: (.*)$/.exec(t);
          if (c) this.preambleCommand = c[1].trim();
        }
        return;
      case 'pid':
        if (depth === 2) this.pid = int(t);
        return;
      case 'ppid':
        if (depth === 2) this.ppid = int(t);
        return;
      case 'exe':
      case 'arg':
        if (this.in('args', 'argv', name)) this.argv.push(t);
        else if (this.in('args', 'vargv', name)) this.vargv.push(t);
        return;
      case 'state':
        if (this.in('status', 'state')) {
          this.states.push(t);
          if (this.status) this.status.state = t;
        }
        return;
      case 'time':
        if (this.in('status', 'time') && this.status) {
          this.status.time = t;
          const tm = /^(\d+):(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(t);
          if (tm) this.status.elapsedSeconds = Math.round(((+tm[1] * 24 + +tm[2]) * 3600 + +tm[3] * 60 + +tm[4]) * 1000) / 1000;
        }
        return;
      case 'status':
        if (this.status && depth === 2) {
          this.statuses.push(this.status);
          this.status = null;
        }
        return;
      case 'count':
        if (this.in('errorcounts', 'pair', 'count')) this.pairCount = int(t);
        return;
      case 'pair':
        if (this.in('errorcounts', 'pair')) {
          this.errorCountPairs++;
          this.errorCountTotal += this.pairCount ?? 0;
        }
        return;
      case 'frame':
        if (this.frame && this.err) {
          const f = this.frame;
          const file = f.file ? (f.dir ? `${f.dir.replace(/\/+$/, '')}/${f.file}` : f.file) : null;
          const line = int(f.line);
          const fn = f.fn && f.fn !== '???' ? f.fn : null;
          const stack = this.err.stacks[this.err.stacks.length - 1];
          if (stack) stack.push({ function: fn, file, line, object: f.obj || null, address: f.ip });
          this.frame = null;
        }
        return;
    }
    if (!this.err) return;
    if (name === 'kind' && this.in('error', 'kind')) this.err.kind = t;
    else if (name === 'what' && this.in('error', 'what')) this.err.what = t;
    else if (name === 'text' && this.in('error', 'xwhat', 'text')) this.err.xwhatText = t;
    else if (name === 'leakedbytes') this.err.leakedBytes = int(t);
    else if (name === 'leakedblocks') this.err.leakedBlocks = int(t);
    else if (name === 'error' && depth === 2) {
      this.fragmentErrors++;
      this.endError(this.err);
      this.err = null;
    }
  }

  private endError(e: ErrorAcc): void {
    const text = e.xwhatText ?? e.what ?? '';
    const kind = e.kind ? LEAK_KINDS[e.kind] : undefined;
    if (!kind) {
      const f = e.stacks[0]?.[0];
      const where = f ? ` at ${f.function ?? '???'}${f.file ? ` (${f.file}:${f.line})` : ''}` : '';
      this.otherErrors.add(`${text || e.kind || 'unknown error'}${where}`);
      return;
    }
    const m = WHAT_RE.exec(text);
    const bytes = e.leakedBytes ?? int(m?.[1]) ?? 0;
    this.sites.push(
      site(kind, bytes, {
        directBytes: m?.[2] !== undefined ? int(m[2]) : null,
        indirectBytes: m?.[3] !== undefined ? int(m[3]) : null,
        count: e.leakedBlocks ?? int(m?.[4]),
        frames: markInlined(e.stacks[0] ?? []),
        pid: this.pid,
        record: m ? int(m[5]) : null,
        recordsTotal: m ? int(m[6]) : null,
      }),
    );
  }

  finish(): LeakReport {
    if (!this.dead && this.started) {
      try {
        if (this.fragment) this.sax.write('</valgrindoutput>');
        this.sax.close();
      } catch (e) {
        this.warnings.push(`XML ended early: ${errMessage(e)}`);
      }
    }
    const warnings = [...this.warnings];
    if (this.fragment)
      warnings.push(
        `a fragment of valgrind XML (${this.fragmentErrors} <error> element${this.fragmentErrors === 1 ? '' : 's'}) without its document: no run facts, totals from the records shown`,
      );
    else if (!this.sawRoot) warnings.push('no <valgrindoutput> element: not a valgrind XML file?');
    else if (!this.closedRoot) warnings.push('the XML file ends before </valgrindoutput> (valgrind still running or killed?): leaks may be missing');
    if (this.protocolTool && this.protocolTool !== 'memcheck') warnings.push(`XML written by valgrind tool '${this.protocolTool}', not memcheck`);
    if (this.protocolVersion !== null && this.protocolVersion > 4) warnings.push(`XML protocol ${this.protocolVersion} is newer than 4: read as protocol 4`);
    const errs = [...this.otherErrors];
    for (const w of errs.slice(0, 10)) warnings.push(`memcheck error (not a leak): ${w}`);
    if (errs.length > 10) warnings.push(`… and ${errs.length - 10} more non-leak memcheck error contexts`);

    const summary = emptyLeakSummary();
    const finished = this.states.includes('FINISHED');
    const opt = (name: string): string | null => {
      let v: string | null = null;
      for (const a of this.vargv) if (a.startsWith(`--${name}=`)) v = a.slice(name.length + 3);
      return v;
    };
    const leakCheck = opt('leak-check');
    const showKinds = (opt('show-leak-kinds') ?? 'definite,possible').split(',');
    const shows = (k: string) => showKinds.includes('all') || showKinds.includes(k);
    const showReachable = opt('show-reachable') === 'yes';
    const ran = finished && leakCheck !== 'no';
    if (!finished && this.sawRoot && !this.fragment) warnings.push('the run did not reach FINISHED: the leak totals are unknown');
    const sum = (k: LeakKind) => this.sites.total(k);
    const fill = (k: LeakKind, shown: boolean, b: 'definitelyLost' | 'indirectlyLost' | 'possiblyLost' | 'stillReachable') => {
      const s = sum(k);
      if ((ran && shown) || s.n > 0) {
        summary[`${b}Bytes`] = s.bytes;
        summary[`${b}Blocks`] = s.blocks;
      }
    };
    fill('definitely lost', shows('definite'), 'definitelyLost');
    fill('possibly lost', shows('possible') && opt('show-possibly-lost') !== 'no', 'possiblyLost');
    fill('indirectly lost', shows('indirect') || showReachable, 'indirectlyLost');
    if (summary.indirectlyLostBytes === null) {
      // XML has no LEAK SUMMARY: the indirect bytes are in the definite records' "(N direct, M indirect)"
      // (valgrind attributes each indirectly lost block to the definitely lost block that points to it)
      const definite = this.sites.total('definitely lost');
      if ((ran && shows('definite')) || definite.n > 0) {
        summary.indirectlyLostBytes = definite.indirectBytes;
        // the block count is not printed; zero bytes are zero blocks
        if (summary.indirectlyLostBytes === 0) summary.indirectlyLostBlocks = 0;
      }
    }
    fill('still reachable', shows('reachable') || showReachable, 'stillReachable');

    const dropped = this.sites.droppedNote();
    if (dropped) warnings.push(dropped);
    const command = this.argv.length > 0 ? this.argv.join(' ') : this.preambleCommand;
    return {
      tool: 'valgrind-memcheck',
      toolVersion: this.toolVersion,
      pid: this.pid,
      command,
      summary,
      sites: this.sites.sites(),
      warnings,
      details: {
        ...(this.sites.dropped ? { sitesDropped: this.sites.dropped } : {}),
        format: this.fragment ? 'xml-fragment' : 'xml',
        protocolVersion: this.protocolVersion,
        ppid: this.ppid,
        valgrindArgs: this.vargv.slice(1),
        states: this.states,
        status: this.statuses,
        nonLeakErrors: this.errorCountTotal,
        nonLeakErrorContexts: this.errorCountPairs,
      },
    };
  }
}

export function parseMemcheckXml(text: string): LeakReport {
  const p = new MemcheckXmlParser();
  const CHUNK = 1 << 16;
  for (let i = 0; i < text.length; i += CHUNK) p.write(text.slice(i, i + CHUNK));
  return p.finish();
}
