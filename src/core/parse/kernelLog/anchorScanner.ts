// The reader's two byte scans over skipped text: where the next anchor word starts, and how many
// lines a stretch holds. WebAssembly SIMD does both in one pass of 16-byte loads (see
// anchorScan.wat); where a runtime lacks it, Buffer.indexOf does the same job more slowly.
import { ANCHOR_SCAN_WASM } from './anchorScanWasm';

/** Every OOM report has one of these words within a few lines (the reader's INTEREST list). */
export const ANCHOR_WORDS = ['oom', 'emor', 'Kill'] as const;
/** The largest buffer the scanner takes at once; the reader cuts bigger pieces. */
export const MAX_SCAN_BYTES = 1 << 20;
const PAD = 64;

export interface AnchorScanner {
  /** Offset of the first anchor word starting at or after `from` in `data`, or -1. */
  nextAnchor(data: Buffer, from: number): number;
  /** Number of '\n' bytes in data[from, to). */
  countNewlines(data: Buffer, from: number, to: number): number;
  /** The caller may refill a buffer it passed before: drop anything remembered about it. */
  forget(): void;
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
  private readonly mem: Uint8Array;
  private loaded: Buffer | null = null;

  constructor(private readonly x: ScanExports, private readonly fallback: AnchorScanner) {
    this.mem = new Uint8Array(x.memory.buffer);
  }

  private load(data: Buffer): boolean {
    if (this.loaded === data) return true;
    if (data.length > MAX_SCAN_BYTES) return false;
    this.mem.set(data, 0);
    this.mem.fill(0, data.length, data.length + PAD);
    this.loaded = data;
    return true;
  }

  nextAnchor(data: Buffer, from: number): number {
    return this.load(data) ? this.x.find(from, data.length) : this.fallback.nextAnchor(data, from);
  }

  countNewlines(data: Buffer, from: number, to: number): number {
    return this.load(data) ? this.x.count(from, to) : this.fallback.countNewlines(data, from, to);
  }

  forget(): void {
    this.loaded = null;
    this.fallback.forget();
  }
}

const ANCHOR_BYTES = ANCHOR_WORDS.map((w) => Buffer.from(w));

/** Buffer.indexOf per anchor word, remembering each word's next hit so a buffer is searched once per word. */
export class IndexOfAnchorScanner implements AnchorScanner {
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
}

/** The fastest scanner this runtime has (`OOM_LENS_SCAN=indexof` forces the fallback, for comparison). */
export function createAnchorScanner(kind: 'auto' | 'indexof' = process.env.OOM_LENS_SCAN === 'indexof' ? 'indexof' : 'auto'): AnchorScanner {
  const fallback = new IndexOfAnchorScanner();
  const mod = kind === 'auto' ? scanModule() : null;
  if (!mod) return fallback;
  const inst = new WebAssembly.Instance(mod, {});
  return new WasmAnchorScanner(inst.exports as unknown as ScanExports, fallback);
}
