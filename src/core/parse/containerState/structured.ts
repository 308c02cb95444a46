// Path/value streams out of JSON and YAML as kubectl and docker print them, read line by line and
// tolerant of truncation (a paste cut in the middle still yields what it holds). Consumers get
// (path, scalar) pairs and a call when an object or list item ends.

export type PathKey = string | number;

export interface PathSink {
  value(path: PathKey[], value: string | number | boolean | null): void;
  close(path: PathKey[]): void;
}

const MAX_DEPTH = 64;

interface Frame {
  kind: 'obj' | 'arr';
  key: PathKey | null; // key of this container in its parent
  index: number;
  pendingKey: string | null;
}

/** Streaming JSON reader over lines; `active` is false once the top-level value is complete or on an error. */
export class JsonPathReader {
  active = false;
  private stack: Frame[] = [];
  private expectKey = false;

  constructor(private readonly sink: PathSink) {}

  /** True when a line looks like the start of a JSON document (and starts the reader). */
  static startsJson(text: string): boolean {
    const c = text.charCodeAt(0);
    if (c !== 123 && c !== 91) return false;
    if (text.length === 1) return true;
    const d = text.charCodeAt(1);
    if (c === 123) return d === 34 || d === 32 || d === 125; // {"  { }
    return d === 123 || d === 91 || d === 34 || d === 93 || (d === 32 && /^\[\s*[{["\]]/.test(text)); // [{ [[ [" []
  }

  reset(): void {
    this.active = false;
    this.stack = [];
    this.expectKey = false;
  }

  private path(extra?: PathKey): PathKey[] {
    const p: PathKey[] = [];
    for (let i = 1; i < this.stack.length; i++) {
      const k = this.stack[i].key;
      if (k !== null) p.push(k);
    }
    if (extra !== undefined) p.push(extra);
    return p;
  }

  private slotKey(): PathKey | null {
    const top = this.stack[this.stack.length - 1];
    if (!top) return null;
    if (top.kind === 'arr') return top.index;
    return top.pendingKey;
  }

  private afterValue(): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) return;
    if (top.kind === 'arr') top.index++;
    else top.pendingKey = null;
  }

  feed(text: string): void {
    this.active = true;
    const s = text;
    const n = s.length;
    let i = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 9 || c === 44 /* , */ || c === 58 /* : */) {
        i++;
        continue;
      }
      if (c === 123 || c === 91) {
        if (this.stack.length >= MAX_DEPTH) return this.reset();
        const key = this.slotKey();
        this.stack.push({ kind: c === 123 ? 'obj' : 'arr', key, index: 0, pendingKey: null });
        this.expectKey = c === 123;
        i++;
        continue;
      }
      if (c === 125 || c === 93) {
        const top = this.stack.pop();
        if (!top) return this.reset();
        this.sink.close(this.path(top.key ?? undefined));
        this.afterValue();
        i++;
        if (this.stack.length === 0) {
          this.reset();
          return;
        }
        const t = this.stack[this.stack.length - 1];
        this.expectKey = t.kind === 'obj';
        continue;
      }
      const top = this.stack[this.stack.length - 1];
      if (!top) return this.reset();
      if (c === 34 /* " */) {
        let j = i + 1;
        let esc = false;
        while (j < n) {
          const d = s.charCodeAt(j);
          if (esc) esc = false;
          else if (d === 92) esc = true;
          else if (d === 34) break;
          j++;
        }
        if (j >= n) return; // string cut by the end of the line/paste
        let str: string;
        const raw = s.slice(i + 1, j);
        if (raw.indexOf('\\') >= 0) {
          try {
            str = JSON.parse(s.slice(i, j + 1)) as string;
          } catch {
            str = raw;
          }
        } else str = raw;
        i = j + 1;
        if (top.kind === 'obj' && top.pendingKey === null) {
          top.pendingKey = str;
          this.expectKey = false;
        } else {
          this.sink.value(this.path(this.slotKey() ?? undefined), str);
          this.afterValue();
        }
        continue;
      }
      // literal: number, true, false, null
      let j = i;
      while (j < n) {
        const d = s.charCodeAt(j);
        if (d === 44 || d === 125 || d === 93 || d === 32 || d === 9) break;
        j++;
      }
      const lit = s.slice(i, j);
      let v: string | number | boolean | null;
      if (lit === 'true') v = true;
      else if (lit === 'false') v = false;
      else if (lit === 'null') v = null;
      else if (/^-?\d{1,20}(?:\.\d{1,20})?(?:[eE][+-]?\d{1,3})?$/.test(lit)) v = Number(lit);
      else return this.reset();
      if (top.kind === 'obj' && top.pendingKey === null) return this.reset();
      this.sink.value(this.path(this.slotKey() ?? undefined), v);
      this.afterValue();
      i = j;
    }
  }

  /** End of input: close what is still open (truncated pastes). */
  finish(): void {
    while (this.stack.length > 0) {
      const top = this.stack.pop()!;
      this.sink.close(this.path(top.key ?? undefined));
    }
    this.reset();
  }
}

interface YamlEntry {
  indent: number;
  key: PathKey;
  next: number; // next list index for items under this key
}

const YAML_LINE = /^(- {1,8})?([A-Za-z_][\w./-]{0,252}|"[^"]{1,252}"):(?: (.{0,4000}))?$/;

/** Indentation-driven YAML path reader for kubectl -o yaml (block style only). */
export class YamlPathReader {
  private stack: YamlEntry[] = [];
  /** Lines since the last YAML-looking line; the reader goes quiet after a gap. */
  active = false;

  constructor(private readonly sink: PathSink) {}

  static startsYaml(text: string): boolean {
    return /^(?:- )?(?:apiVersion|kind|metadata|containerStatuses|initContainerStatuses|lastState|status):/.test(text);
  }

  /** Returns true when the line was read as YAML. */
  feed(text: string, indent: number): boolean {
    if (text.startsWith('#') || text === '---') return text === '---' ? (this.finish(), true) : true;
    if (text.startsWith('- ') && !YAML_LINE.test(text)) {
      // "- scalar" list element: just keep the structure.
      this.popTo(indent, true);
      return true;
    }
    const m = YAML_LINE.exec(text);
    if (!m) return false;
    let ind = indent;
    if (m[1]) {
      this.popTo(ind, true);
      const parent = this.stack[this.stack.length - 1];
      const idx = parent ? parent.next++ : 0;
      this.stack.push({ indent: ind, key: idx, next: 0 });
      ind += m[1].length;
    }
    this.popTo(ind, false);
    const key = m[2].startsWith('"') ? m[2].slice(1, -1) : m[2];
    const raw = (m[3] ?? '').trim();
    if (raw === '' || raw === '|' || raw === '>' || raw === '|-' || raw === '>-') {
      this.stack.push({ indent: ind, key, next: 0 });
      return true;
    }
    const path = this.stack.map((e) => e.key);
    path.push(key);
    this.sink.value(path, scalar(raw));
    return true;
  }

  finish(): void {
    this.popTo(-1, true);
    this.active = false;
  }

  /** Pops entries deeper than `indent` (and, for a list item, the previous item at the same indent). */
  private popTo(indent: number, item: boolean): void {
    while (this.stack.length > 0) {
      const top = this.stack[this.stack.length - 1];
      const deeper = top.indent > indent || (top.indent === indent && (!item || typeof top.key === 'number'));
      if (!deeper) break;
      const path = this.stack.map((e) => e.key);
      this.stack.pop();
      this.sink.close(path);
    }
  }
}

function scalar(raw: string): string | number | boolean | null {
  let v = raw;
  const hash = v.indexOf(' #');
  if (hash >= 0 && !v.startsWith('"') && !v.startsWith("'")) v = v.slice(0, hash).trim();
  if ((v.startsWith('"') && v.endsWith('"') && v.length >= 2) || (v.startsWith("'") && v.endsWith("'") && v.length >= 2)) return v.slice(1, -1);
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v === 'null' || v === '~') return null;
  if (/^-?\d{1,15}$/.test(v)) return Number(v);
  return v;
}
