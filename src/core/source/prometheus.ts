// Prometheus' HTTP API (/api/v1/query, /api/v1/query_range) as a MetricsSource. node:http(s) rather
// than fetch: a custom CA and a hard timeout that also covers a server that accepts and never
// answers. Prometheus' own error text is passed through ("bad_data: parse error …").
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { MetricsSource, QueryOptions, Sample, SeriesPoints } from './source';

export interface PrometheusAuth {
  bearerToken?: string;
  basic?: { user: string; password: string };
}

export interface PrometheusOptions {
  /** Base URL, e.g. http://prometheus:9090 (a path prefix such as /prometheus is kept). */
  url: string;
  auth?: PrometheusAuth;
  /** PEM of a CA to trust for https (besides the system's). */
  ca?: string;
  /** Per query, unless a query says otherwise. */
  timeoutMs?: number;
}

/** A query that Prometheus refused, or that never reached it: the message says which and why. */
export class PrometheusError extends Error {
  constructor(
    message: string,
    readonly kind: 'unreachable' | 'timeout' | 'auth' | 'http' | 'prometheus' | 'cancelled',
  ) {
    super(message);
    this.name = 'PrometheusError';
  }
}

type ApiAnswer = { status: 'success' | 'error'; data?: { resultType: string; result: unknown[] }; errorType?: string; error?: string; warnings?: string[] };

export class PrometheusSource implements MetricsSource {
  readonly name: string;
  private readonly base: URL;
  /** Every query sent (the bench counts them: they must not grow with the host count). */
  queries = 0;

  constructor(private readonly o: PrometheusOptions) {
    let u: URL;
    try {
      u = new URL(o.url);
    } catch {
      throw new PrometheusError(`not a Prometheus URL: ${JSON.stringify(o.url)} (expected e.g. http://prometheus:9090)`, 'http');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new PrometheusError(`not an http(s) URL: ${o.url}`, 'http');
    if (!u.pathname.endsWith('/')) u.pathname += '/';
    this.base = u;
    this.name = `prometheus ${u.host}${u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '')}`;
  }

  async query(promql: string, opts: QueryOptions & { atMs?: number } = {}): Promise<Sample[]> {
    const params: Record<string, string> = { query: promql };
    if (opts.atMs !== undefined) params.time = String(opts.atMs / 1000);
    const data = await this.call('api/v1/query', params, opts);
    if (data.resultType === 'scalar') {
      const [t, v] = data.result as unknown as [number, string];
      return [{ labels: {}, value: Number(v), timeMs: t * 1000 }];
    }
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
      labels: r.metric,
      value: Number(r.value[1]),
      timeMs: r.value[0] * 1000,
    }));
  }

  async queryRange(promql: string, startMs: number, endMs: number, stepSeconds: number, opts: QueryOptions = {}): Promise<SeriesPoints[]> {
    const data = await this.call(
      'api/v1/query_range',
      { query: promql, start: String(startMs / 1000), end: String(endMs / 1000), step: String(stepSeconds) },
      opts,
    );
    return (data.result as { metric: Record<string, string>; values: [number, string][] }[]).map((r) => ({
      labels: r.metric,
      points: r.values.map(([t, v]) => [t * 1000, Number(v)] as [number, number]),
    }));
  }

  async close(): Promise<void> {}

  private call(path: string, params: Record<string, string>, opts: QueryOptions): Promise<{ resultType: string; result: unknown[] }> {
    this.queries++;
    const url = new URL(path, this.base);
    const body = new URLSearchParams(params).toString();
    const timeoutMs = opts.timeoutMs ?? this.o.timeoutMs ?? 30_000;
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
      accept: 'application/json',
    };
    if (this.o.auth?.bearerToken) headers.authorization = `Bearer ${this.o.auth.bearerToken}`;
    else if (this.o.auth?.basic) headers.authorization = `Basic ${Buffer.from(`${this.o.auth.basic.user}:${this.o.auth.basic.password}`).toString('base64')}`;
    const where = `${this.base.origin}${this.base.pathname}`;
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new PrometheusError('cancelled', 'cancelled'));
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      // POST: long PromQL stays out of URLs and proxy logs; Prometheus takes both.
      const req = send(url, { method: 'POST', headers, ...(this.o.ca ? { ca: this.o.ca } : {}) }, (res) => {
        readBody(res, 64 << 20).then((text) => {
          // answer() throws the clear message; inside then() it must reach reject, not vanish.
          try {
            resolve(this.answer(res.statusCode ?? 0, text, where, params.query));
          } catch (e) {
            reject(e);
          }
        }, reject);
      });
      const timer = setTimeout(() => {
        req.destroy(new PrometheusError(`Prometheus at ${where} did not answer within ${Math.round(timeoutMs / 1000)} s (${short(params.query)})`, 'timeout'));
      }, timeoutMs);
      const onAbort = () => req.destroy(new PrometheusError('cancelled', 'cancelled'));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('close', () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      });
      req.on('error', (e: Error & { code?: string }) => {
        if (e instanceof PrometheusError) return reject(e);
        reject(
          new PrometheusError(`cannot reach Prometheus at ${where}: ${NET_ERRORS[e.code ?? ''] ?? e.message}${e.code ? ` (${e.code})` : ''}`, 'unreachable'),
        );
      });
      req.end(body);
    });
  }

  private answer(status: number, text: string, where: string, promql: string): { resultType: string; result: unknown[] } {
    if (status === 401 || status === 403)
      throw new PrometheusError(
        `Prometheus at ${where} refused the credentials (HTTP ${status}${this.o.auth ? '' : ', and none were given: set a bearer token or user/password'})`,
        'auth',
      );
    let j: ApiAnswer | null = null;
    try {
      j = JSON.parse(text) as ApiAnswer;
    } catch {
      // not JSON: a wrong URL, a proxy's error page
    }
    if (j?.status === 'error') throw new PrometheusError(`Prometheus: ${j.errorType ?? 'error'}: ${j.error ?? '?'} (${short(promql)})`, 'prometheus');
    if (status === 404 || !j || !j.data)
      throw new PrometheusError(
        `${where} does not answer like Prometheus (HTTP ${status}${text ? `: ${short(text.replace(/<[^>]*>/g, ' '))}` : ''}): check the URL`,
        'http',
      );
    if (status >= 400) throw new PrometheusError(`Prometheus at ${where}: HTTP ${status}`, 'http');
    return j.data;
  }
}

const NET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (nothing listens there)',
  ENOTFOUND: 'no such host name',
  EAI_AGAIN: 'the host name does not resolve (DNS)',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed: pass its CA',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain has a CA we do not trust: pass its CA',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is signed by a CA we do not trust: pass its CA',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate does not name this host',
  CERT_HAS_EXPIRED: 'its certificate has expired',
};

function short(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 120 ? `${t.slice(0, 117)}…` : t;
}

function readBody(res: IncomingMessage, cap: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    res.on('data', (c: Buffer) => {
      n += c.length;
      if (n > cap) {
        res.destroy(new PrometheusError(`the answer is larger than ${cap >> 20} MiB: narrow the query`, 'http'));
        return;
      }
      chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}
