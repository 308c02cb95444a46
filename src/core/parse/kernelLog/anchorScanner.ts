// The reader's two byte scans over skipped text: where the next anchor word starts, and how many
// lines a stretch holds. WebAssembly SIMD does both in one pass of 16-byte loads (see
// anchorScan.wat); where a runtime lacks it, Buffer.indexOf does the same job more slowly.
import { ANCHOR_SCAN_WASM } from './anchorScanWasm';

/** Every OOM report has one of these words within a few lines (the reader's INTEREST list). */
export const ANCHOR_WORDS = ['oom', 'emor', 'Kill'] as const;
/** The largest buffer the scanner takes at once; the reader cuts bigger pieces. */
export const MAX_SCAN_BYTES = 1 << 20;
/** Size of the inbox a caller can read input into directly (no copy). */
export const INBOX_BYTES = 64 * 1024;
// Wasm memory layout (anchorScan.wat): the inbox at 0, then room for one copied buffer. Loads
// read up to 51 bytes past the end of a buffer; what they find there is at worst a false
// candidate, which the reader checks against the line itself.
const COPY_AT = 128 * 1024;

export interface AnchorScanner {
  readonly kind: 'wasm' | 'indexof';
  /** Offset of the first anchor word starting at or after `from` in `data`, or -1. */
  nextAnchor(data: Buffer, from: number): number;
  /** Number of '\n' bytes in data[from, to). */
  countNewlines(data: Buffer, from: number, to: number): number;
  /** The caller may refill a buffer it passed before: drop anything remembered about it. */
  forget(): void;
  /** A buffer of INBOX_BYTES to read input into, which the scanner then reads without a copy (or null). */
  inbox(): Buffer | null;
}

// The few WebAssembly names used here (this project's lib settings do not declare them).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

interface ScanExports {
  memory: { buffer: ArrayBuffer };
  count(from: number, to: number): number;
  find(from: number, to: number): number;
}

let wasmModule: object | null | undefined;

function scanModule(): object | null {
  if (wasmModule === undefined) {
    try {
      wasmModule = new WebAssembly.Module(Buffer.from(ANCHOR_SCAN_WASM, 'base64'));
    } catch {
      wasmModule = null; // no SIMD in this runtime: the indexOf scanner does the work
    }
  }
  return wasmModule;
}

class WasmAnchorScanner implements AnchorScanner {
  readonly kind = 'wasm';
  private readonly mem: Uint8Array;
  private readonly inboxBuf: Buffer;
  private loaded: Buffer | null = null;
  /** Where `loaded` starts in wasm memory. */
  private base = 0;

  constructor(
    private readonly x: ScanExports,
    private readonly fallback: AnchorScanner,
  ) {
    // The memory never grows, so these views stay valid.
    this.mem = new Uint8Array(x.memory.buffer);
    this.inboxBuf = Buffer.from(x.memory.buffer, 0, INBOX_BYTES);
  }

  private load(data: Buffer): boolean {
    if (this.loaded === data) return true;
    if (data.buffer === this.mem.buffer && data.byteOffset + data.length <= INBOX_BYTES) {
      this.base = data.byteOffset; // read into the inbox: already in place
    } else {
      if (data.length > MAX_SCAN_BYTES) return false;
      this.mem.set(data, COPY_AT);
      this.base = COPY_AT;
    }
    this.loaded = data;
    return true;
  }

  nextAnchor(data: Buffer, from: number): number {
    if (!this.load(data)) return this.fallback.nextAnchor(data, from);
    const i = this.x.find(this.base + from, this.base + data.length);
    if (i < 0) return -1;
    // A word that would run past the end was matched against stale bytes: ask indexOf there.
    return i - this.base + 4 > data.length ? this.fallback.nextAnchor(data, i - this.base) : i - this.base;
  }

  countNewlines(data: Buffer, from: number, to: number): number {
    return this.load(data) ? this.x.count(this.base + from, this.base + to) : this.fallback.countNewlines(data, from, to);
  }

  forget(): void {
    this.loaded = null;
    this.fallback.forget();
  }

  inbox(): Buffer {
    return this.inboxBuf;
  }
}

const ANCHOR_BYTES = ANCHOR_WORDS.map((w) => Buffer.from(w));

/** Buffer.indexOf per anchor word, remembering each word's next hit so a buffer is searched once per word. */
export class IndexOfAnchorScanner implements AnchorScanner {
  readonly kind = 'indexof';
  private data: Buffer | null = null;
  private pos: number[] = [];

  nextAnchor(data: Buffer, from: number): number {
    if (this.data !== data) {
      this.data = data;
      this.pos = ANCHOR_BYTES.map(() => -2);
    }
    let best = -1;
    for (let k = 0; k < ANCHOR_BYTES.length; k++) {
      let p = this.pos[k];
      if (p === -2 || (p >= 0 && p < from)) {
        p = data.indexOf(ANCHOR_BYTES[k], from);
        this.pos[k] = p;
      }
      if (p >= 0 && (best < 0 || p < best)) best = p;
    }
    return best;
  }

  countNewlines(data: Buffer, from: number, to: number): number {
    let c = 0;
    let p = from;
    for (;;) {
      const i = data.indexOf(10, p);
      if (i < 0 || i >= to) return c;
      c++;
      p = i + 1;
    }
  }

  forget(): void {
    this.data = null;
  }

  inbox(): null {
    return null;
  }
}

/** The fastest scanner this runtime has (`OOM_LENS_SCAN=indexof` forces the fallback, for comparison). */
export function createAnchorScanner(kind: 'auto' | 'indexof' = process.env.OOM_LENS_SCAN === 'indexof' ? 'indexof' : 'auto'): AnchorScanner {
  const fallback = new IndexOfAnchorScanner();
  const mod = kind === 'auto' ? scanModule() : null;
  if (!mod) return fallback;
  const inst = new WebAssembly.Instance(mod, {});
  return new WasmAnchorScanner(inst.exports as unknown as ScanExports, fallback);
}
