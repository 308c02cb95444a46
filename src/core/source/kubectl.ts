// The Kubernetes API through the user's own kubectl and kubeconfig context (no client library, no
// credentials of ours): `kubectl get KIND -A -o json`. kubectl's own error line is passed through.
import type { Host } from '../host/host';
import { shQuote } from '../shell';
import type { ObjectsSource, QueryOptions } from './source';

export class KubectlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubectlError';
  }
}

const KINDS = new Set(['pods', 'events', 'nodes']);

export class KubectlSource implements ObjectsSource {
  readonly name: string;
  constructor(
    private readonly host: Host,
    private readonly o: { context?: string | null; kubeconfig?: string | null; kubectl?: string } = {},
  ) {
    this.name = `kubectl${o.context ? ` --context ${o.context}` : ''}`;
  }

  async list(kind: string, opts: QueryOptions & { namespace?: string } = {}): Promise<unknown[]> {
    if (!KINDS.has(kind)) throw new KubectlError(`not a kind this tool lists: ${kind}`);
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const args = [
      this.o.kubectl ?? 'kubectl',
      ...(this.o.kubeconfig ? ['--kubeconfig', this.o.kubeconfig] : []),
      ...(this.o.context ? ['--context', this.o.context] : []),
      'get',
      kind,
      ...(kind === 'nodes' ? [] : opts.namespace ? ['-n', opts.namespace] : ['-A']),
      '-o',
      'json',
      `--request-timeout=${Math.max(1, Math.round(timeoutMs / 1000))}s`,
    ];
    const r = await this.host.exec(args.map(shQuote).join(' '), { signal: opts.signal, timeoutMs: timeoutMs + 5000 });
    if (r.code === 127 || /kubectl: (command )?not found/.test(r.stderr)) throw new KubectlError(`kubectl is not installed on ${this.host.name}`);
    if (r.code !== 0 || r.timedOut) {
      // kubectl prints retries first; the last line says why.
      const last = r.stderr.trim().split('\n').pop() ?? '';
      throw new KubectlError(`${this.name} get ${kind}: ${r.timedOut ? 'timed out' : last || `exit ${r.code}`}`);
    }
    let j: { items?: unknown[] };
    try {
      j = JSON.parse(r.stdout) as { items?: unknown[] };
    } catch {
      throw new KubectlError(`${this.name} get ${kind}: the answer is not JSON (${r.stdout.slice(0, 80)})`);
    }
    return Array.isArray(j.items) ? j.items : [];
  }

  async close(): Promise<void> {}
}
