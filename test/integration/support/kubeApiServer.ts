// A stand-in Kubernetes API server for the real kubectl client (no cluster can run here): HTTPS on
// 127.0.0.1 with a self-signed certificate made by openssl, a bearer token, and recorded answers
// from test/fixtures/fleet/kubeApi in the API's own schema. It serves the legacy discovery kubectl
// falls back to (/api, /apis, /api/v1), the three lists, and real Status objects for 401 and 404.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './prometheus';

export const KUBECTL = '/usr/bin/kubectl';
export const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'fleet', 'kubeApi');

export interface KubeApiServer {
  kubeconfig: string;
  context: string;
  url: string;
  /** Request paths (with their query) in the order they came, e.g. "/api/v1/pods?limit=500". */
  requests: string[];
  /** Rewrites the kubeconfig with another token (discovery kubectl cached stays cached). */
  useToken(token: string): void;
  stop(): Promise<void>;
}

export interface KubeApiOptions {
  /** The token the kubeconfig carries (default: the one the server accepts). */
  clientToken?: string;
  /** Nothing listens on the port: the kubeconfig points at a server that is down. */
  down?: boolean;
  /** Accepts connections and never answers: a server that hangs. */
  hang?: boolean;
  /** Another folder of recorded answers (pods.json, events.json, nodes.json). */
  fixtures?: string;
}

const TOKEN = 'oom-lens-recorded-7f3c1a9e';

/** The API's Status object, as kube-apiserver writes it for an error. */
const status = (code: number, reason: string, message: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  code,
});

function selfSigned(dir: string): { cert: string; key: string } {
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-days',
      '1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl req failed (${r.status}): ${r.stderr}`);
  return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
}

export async function startKubeApiServer(o: KubeApiOptions = {}): Promise<KubeApiServer> {
  const dir = mkdtempSync(join(tmpdir(), 'oom-lens-kubeapi-'));
  const { cert, key } = selfSigned(dir);
  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const context = 'recorded';
  const kubeconfig = join(dir, 'kubeconfig');
  // kubectl reads YAML, and JSON is YAML: no YAML writer needed.
  const writeKubeconfig = (token: string) =>
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'recorded-cluster', cluster: { server: url, 'certificate-authority-data': Buffer.from(cert).toString('base64') } }],
        users: [{ name: 'recorded-user', user: { token } }],
        contexts: [{ name: context, context: { cluster: 'recorded-cluster', user: 'recorded-user' } }],
        'current-context': context,
      }),
      { mode: 0o600 },
    );
  writeKubeconfig(o.clientToken ?? TOKEN);
  const fixtures = o.fixtures ?? FIXTURES;
  const answers: Record<string, string> = {
    '/version': 'version.json',
    '/api': 'api.json',
    '/apis': 'apis.json',
    '/api/v1': 'api-v1.json',
    '/api/v1/pods': 'pods.json',
    '/api/v1/events': 'events.json',
    '/api/v1/nodes': 'nodes.json',
  };
  const requests: string[] = [];
  let server: Server | null = null;
  if (!o.down) {
    server = createServer({ cert, key }, (req, res) => {
      requests.push(req.url ?? '');
      if (o.hang) return;
      const send = (code: number, body: unknown) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
      const u = new URL(req.url ?? '/', url);
      const file = answers[u.pathname] && (u.pathname.startsWith('/api/v1/') ? join(fixtures, answers[u.pathname]) : join(FIXTURES, answers[u.pathname]));
      if (!file || req.method !== 'GET') return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
      const body = JSON.parse(readFileSync(file, 'utf8')) as { items?: unknown[]; metadata?: Record<string, unknown> };
      const limit = Number(u.searchParams.get('limit') ?? 0);
      if (!Array.isArray(body.items) || !(limit > 0)) return send(200, body);
      // Pages the way kube-apiserver does: `limit` items, then an opaque `continue` token until the last page.
      const from = Number(Buffer.from(u.searchParams.get('continue') ?? '', 'base64url').toString() || 0);
      const page = body.items.slice(from, from + limit);
      const rest = body.items.length - from - page.length;
      const metadata = {
        ...body.metadata,
        ...(rest > 0 ? { continue: Buffer.from(String(from + limit)).toString('base64url'), remainingItemCount: rest } : {}),
      };
      send(200, { ...body, metadata, items: page });
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => resolve());
    });
  }
  return {
    kubeconfig,
    context,
    url,
    requests,
    useToken: writeKubeconfig,
    stop: async () => {
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((r) => server!.close(() => r()));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
