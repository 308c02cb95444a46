// A V8 .heapsnapshot read as a stream, never whole: DevTools snapshots of big heaps are larger than
// one JS string, and their `nodes` array (tens of millions of numbers) is larger than V8's arrays
// allow. Only what the constructor summary needs is kept: `snapshot.meta` (small, parsed with
// JSON.parse), per (type, name) the summed self size and count of `nodes`, and the few `strings`
// those names point at. Memory is bounded by the number of distinct constructors, not the file.

export interface ConstructorStat {
  label: string;
  bytes: number;
  count: number;
}

interface Meta {
  node_fields?: unknown;
  node_types?: unknown;
}

/** DevTools' grouping of heap snapshot nodes into "constructors" (the Summary view). */
function className(type: string, name: string): string {
  switch (type) {
    case 'object':
    case 'native':
      return name;
    case 'hidden':
      return '(system)';
    case 'code':
      return '(compiled code)';
    case 'string':
    case 'concatenated string':
    case 'sliced string':
      return '(string)';
    case 'closure':
      return '(closure)';
    case 'regexp':
      return '(regexp)';
    case 'number':
    case 'heap number':
      return '(number)';
    case 'array':
      return '(array)';
    case 'synthetic':
      return `(${name || 'synthetic'})`;
    default:
      return `(${type})`;
  }
}
/** Types whose label is the node's name: only these need their name strings kept. */
const NAMED = new Set(['object', 'native', 'synthetic']);

const enum S {
  Value, // a value is expected
  AfterValue, // ',' or a closing bracket is expected
  Key, // an object key (a string) or '}' is expected
  Colon,
  Str, // inside a string
  Num, // inside a number
  Lit, // inside true/false/null
}

const WS = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

export class HeapSnapshotScanner {
  readonly warnings: string[] = [];
  private st = S.Value;
  /** Open containers: true for an object. */
  private stack: boolean[] = [];
  private topKey: string | null = null;
  /** Index of the next element of the top-level array being read. */
  private index = 0;
  // string state
  private esc = false;
  private strParts: string[] | null = null;
  private strIsKey = false;
  // number state
  private num = 0;
  private numText: string | null = null;
  // "snapshot" captured as text, then parsed
  private capture: string[] | null = null;
  private meta: Meta | null = null;
  private sawNodes = false;
  private sawStrings = false;
  // nodes
  private width = 0;
  private iType = -1;
  private iName = -1;
  private iSelf = -1;
  private types: string[] = [];
  private row: number[] = [];
  /** Nodes that came before the meta (never in V8's own files): kept until it arrives. */
  private early: number[] | null = null;
  private nodeValues = 0;
  /** Per (type index, name index or -1): [bytes, count]. */
  private agg = new Map<number, [number, number]>();
  private needed = new Set<number>();
  private strings = new Map<number, string>();
  private stringsBeforeNodes = false;
  private failed: string | null = null;

  /** The text is not a heap snapshot: reading more would change nothing. */
  get stopped(): boolean {
    return this.failed !== null;
  }

  write(chunk: string): void {
    if (this.failed) return;
    try {
      this.scan(chunk);
    } catch (e) {
      this.failed = e instanceof Error ? e.message : String(e);
    }
  }

  /** The constructors, or null (with a warning) when the text is not a heap snapshot. */
  finish(): ConstructorStat[] | null {
    if (this.failed) {
      this.warnings.push(`invalid heap snapshot (${this.failed}): truncated file?`);
      return null;
    }
    if (this.st === S.Num) this.endNumber();
    if (this.stack.length !== 0 || this.st === S.Str) this.warnings.push('heap snapshot ends early (truncated file?): what was read is shown');
    if (!this.meta || !this.sawNodes || !this.sawStrings) {
      this.warnings.push('heap snapshot without snapshot.meta.node_fields / nodes / strings');
      return null;
    }
    if (this.width === 0) {
      this.warnings.push('heap snapshot node_fields lack type/name/self_size');
      return null;
    }
    if (this.nodeValues % this.width !== 0) this.warnings.push('heap snapshot nodes array is not a multiple of node_fields (truncated?)');
    const byLabel = new Map<string, ConstructorStat>();
    for (const [key, [bytes, count]] of this.agg) {
      const t = Math.floor(key / 2 ** 32);
      const n = (key % 2 ** 32) - 1;
      const type = this.types[t] ?? String(t);
      const label = className(type, n >= 0 ? (this.strings.get(n) ?? '') : '');
      let a = byLabel.get(label);
      if (!a) byLabel.set(label, (a = { label, bytes: 0, count: 0 }));
      a.bytes += bytes;
      a.count += count;
    }
    return [...byLabel.values()];
  }

  private setMeta(text: string): void {
    const snap = JSON.parse(text) as { meta?: Meta } | null;
    const meta = snap?.meta;
    if (!meta || !Array.isArray(meta.node_fields)) return;
    this.meta = meta;
    const fields = meta.node_fields as unknown[];
    const iType = fields.indexOf('type');
    const iName = fields.indexOf('name');
    const iSelf = fields.indexOf('self_size');
    if (fields.length > 0 && iType >= 0 && iName >= 0 && iSelf >= 0) {
      this.width = fields.length;
      this.iType = iType;
      this.iName = iName;
      this.iSelf = iSelf;
    }
    const nt = meta.node_types;
    this.types = Array.isArray(nt) && Array.isArray(nt[0]) ? (nt[0] as unknown[]).map(String) : [];
    if (this.early) {
      const early = this.early;
      this.early = null;
      for (const v of early) this.nodeValue(v);
    }
  }

  private nodeValue(v: number): void {
    if (!this.meta) {
      (this.early ??= []).push(v);
      return;
    }
    if (this.width === 0) return;
    this.row.push(v);
    if (this.row.length < this.width) return;
    const r = this.row;
    const t = r[this.iType];
    const typeIdx = Number.isInteger(t) && t >= 0 && t < 2 ** 20 ? t : 2 ** 20;
    const named = NAMED.has(this.types[typeIdx] ?? '');
    const nameIdx = named && Number.isInteger(r[this.iName]) && r[this.iName] >= 0 && r[this.iName] < 2 ** 32 - 1 ? r[this.iName] : -1;
    const self = Number.isFinite(r[this.iSelf]) && r[this.iSelf] > 0 ? r[this.iSelf] : 0;
    const key = typeIdx * 2 ** 32 + (nameIdx + 1);
    const a = this.agg.get(key);
    if (a) {
      a[0] += self;
      a[1]++;
    } else {
      this.agg.set(key, [self, 1]);
      if (nameIdx >= 0) this.needed.add(nameIdx);
    }
    this.row.length = 0;
  }

  /** A finished scalar value inside the top-level array `topKey`. */
  private element(value: number | string | null): void {
    const i = this.index++;
    if (this.topKey === 'nodes') {
      this.nodeValues++;
      this.nodeValue(typeof value === 'number' ? value : NaN);
    } else if (this.topKey === 'strings' && typeof value === 'string') {
      this.strings.set(i, value);
    }
  }

  private endNumber(): void {
    const v = this.numText !== null ? Number(this.numText) : this.num;
    this.numText = null;
    this.num = 0;
    this.st = S.AfterValue;
    if (this.stack.length === 2 && this.capture === null) this.element(v);
  }

  /** Whether the string that starts now must be decoded (keys at depth 1, kept strings). */
  private wantString(isKey: boolean): boolean {
    if (isKey) return this.stack.length === 1;
    if (this.stack.length !== 2 || this.topKey !== 'strings' || this.capture) return false;
    return this.stringsBeforeNodes || this.needed.has(this.index);
  }

  private scan(s: string): void {
    const n = s.length;
    let i = 0;
    let capFrom = this.capture ? 0 : -1;
    while (i < n) {
      switch (this.st) {
        case S.Str: {
          // to the closing quote, minding escapes
          let j = i;
          let esc = this.esc;
          for (; j < n; j++) {
            const c = s.charCodeAt(j);
            if (esc) esc = false;
            else if (c === 92) esc = true;
            else if (c === 34) break;
          }
          this.esc = esc;
          if (this.strParts) this.strParts.push(s.slice(i, j));
          if (j === n) {
            i = n;
            break;
          }
          i = j + 1;
          const text = this.strParts ? (JSON.parse(`"${this.strParts.join('')}"`) as string) : null;
          this.strParts = null;
          if (this.strIsKey) {
            if (this.stack.length === 1) this.topKey = text;
            this.st = S.Colon;
          } else {
            this.st = S.AfterValue;
            if (this.stack.length === 2 && this.capture === null) this.element(text);
          }
          break;
        }
        case S.Num: {
          let j = i;
          if (this.numText === null) {
            // the fast path: plain digits, as every number of `nodes` is
            let v = this.num;
            for (; j < n; j++) {
              const c = s.charCodeAt(j);
              if (c < 48 || c > 57) break;
              v = v * 10 + (c - 48);
            }
            this.num = v;
          }
          for (; j < n; j++) {
            const c = s.charCodeAt(j);
            if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69) {
              this.numText ??= String(this.num);
              this.numText += s[j];
            } else break;
          }
          i = j;
          if (j < n) this.endNumber();
          break;
        }
        case S.Lit: {
          let j = i;
          while (j < n && s.charCodeAt(j) >= 97 && s.charCodeAt(j) <= 122) j++;
          i = j;
          if (j < n) {
            this.st = S.AfterValue;
            if (this.stack.length === 2 && this.capture === null) this.element(null);
          }
          break;
        }
        default: {
          const c = s.charCodeAt(i);
          if (WS(c)) {
            i++;
            break;
          }
          i++;
          if (this.st === S.Colon) {
            if (c !== 58) throw new Error(`expected ':' but found ${JSON.stringify(s[i - 1])}`);
            this.st = S.Value;
            if (this.stack.length === 1 && this.topKey === 'snapshot' && !this.capture) {
              this.capture = [];
              capFrom = i;
            }
            break;
          }
          if (this.st === S.Key) {
            if (c === 125 /* } */) {
              this.close(true);
              break;
            }
            if (c !== 34) throw new Error(`expected a key but found ${JSON.stringify(s[i - 1])}`);
            this.strIsKey = true;
            this.strParts = this.wantString(true) ? [] : null;
            this.st = S.Str;
            break;
          }
          if (this.st === S.AfterValue) {
            if (c === 44 /* , */) {
              this.st = this.stack[this.stack.length - 1] ? S.Key : S.Value;
            } else if (c === 125 || c === 93) {
              this.close(c === 125);
            } else throw new Error(`expected ',' but found ${JSON.stringify(s[i - 1])}`);
            break;
          }
          // S.Value
          if (c === 123 /* { */ || c === 91 /* [ */) {
            this.stack.push(c === 123);
            if (this.stack.length === 2 && !this.stack[0]) throw new Error('not a heap snapshot (an array at the top)');
            if (this.stack.length === 2 && c === 91 && !this.capture) {
              this.index = 0;
              if (this.topKey === 'nodes') this.sawNodes = true;
              if (this.topKey === 'strings') {
                this.sawStrings = true;
                this.stringsBeforeNodes = !this.sawNodes;
              }
            }
            this.st = c === 123 ? S.Key : S.Value;
          } else if (c === 93 && !this.stack[this.stack.length - 1]) {
            this.close(false); // an empty array
          } else if (c === 34) {
            this.strIsKey = false;
            this.strParts = this.wantString(false) ? [] : null;
            this.st = S.Str;
          } else if ((c >= 48 && c <= 57) || c === 45) {
            this.num = c === 45 ? 0 : c - 48;
            this.numText = c === 45 ? '-' : null;
            this.st = S.Num;
          } else if (c === 116 || c === 102 || c === 110) {
            this.st = S.Lit;
          } else throw new Error(`unexpected ${JSON.stringify(s[i - 1])}`);
        }
      }
      if (this.capture && this.stack.length === 1 && this.st === S.AfterValue) {
        // the "snapshot" value closed: parse what was captured
        this.capture.push(s.slice(capFrom, i));
        const text = this.capture.join('');
        this.capture = null;
        capFrom = -1;
        this.setMeta(text);
      }
    }
    if (this.capture) this.capture.push(s.slice(capFrom, n));
  }

  private close(object: boolean): void {
    const top = this.stack.pop();
    if (top === undefined || top !== object) throw new Error(`unbalanced '${object ? '}' : ']'}'`);
    this.st = S.AfterValue;
    if (this.stack.length === 1 && !this.capture) {
      if (this.topKey === 'nodes' && this.row.length) this.row.length = 0;
    }
  }
}

/** The constructor summary of a whole snapshot held as text (tests, small inputs). */
export function heapSnapshotStats(text: string, warnings: string[]): ConstructorStat[] | null {
  const sc = new HeapSnapshotScanner();
  sc.write(text);
  const r = sc.finish();
  warnings.push(...sc.warnings);
  return r;
}
