// A tiny TCP proxy on loopback: optional one-way delay (latency in each direction, like a link with
// RTT = 2 × delayMs) and destroyAll() to cut every connection at once (a dropped network).
import { createServer, connect, Server, Socket } from 'node:net';

export class TcpProxy {
  private sockets = new Set<Socket>();
  private constructor(
    private server: Server,
    readonly port: number,
  ) {}

  /** While true, data in both directions is dropped without closing anything (a dead link). */
  frozen = false;

  /** Bytes forwarded server -> client (what the client received). */
  bytesToClient = 0;
  bytesToServer = 0;

  static start(targetPort: number, delayMs = 0, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    let self: TcpProxy;
    const server = createServer((client) => {
      client.setNoDelay(true);
      const upstream = connect(targetPort, targetHost);
      upstream.setNoDelay(true);
      self.sockets.add(client);
      self.sockets.add(upstream);
      const pipe = (from: Socket, to: Socket, count: (n: number) => void) => {
        // Delay each chunk by delayMs, strictly in order: one FIFO queue drained by one timer
        // (separate timers per chunk can fire out of order and corrupt the SSH stream).
        const queue: Array<{ at: number; d: Buffer | null }> = []; // null = end of stream
        let timer: NodeJS.Timeout | undefined;
        const drain = () => {
          timer = undefined;
          const t = Date.now();
          while (queue.length && queue[0].at <= t) {
            const { d } = queue.shift()!;
            if (to.destroyed) continue;
            if (d) to.write(d);
            else to.end();
          }
          if (queue.length) timer = setTimeout(drain, queue[0].at - t);
        };
        from.on('data', (d: Buffer) => {
          if (self.frozen) return; // a silent network: bytes vanish, nobody is told
          count(d.length);
          if (!delayMs) {
            to.write(d);
            return;
          }
          queue.push({ at: Date.now() + delayMs, d });
          if (!timer) timer = setTimeout(drain, delayMs);
        });
        from.on('end', () => {
          if (!delayMs) {
            to.end();
            return;
          }
          queue.push({ at: Date.now() + delayMs, d: null });
          if (!timer) timer = setTimeout(drain, delayMs);
        });
      };
      pipe(client, upstream, (n) => {
        self.bytesToServer += n;
      });
      pipe(upstream, client, (n) => {
        self.bytesToClient += n;
      });
      const kill = () => {
        client.destroy();
        upstream.destroy();
        self.sockets.delete(client);
        self.sockets.delete(upstream);
      };
      client.on('error', kill);
      upstream.on('error', kill);
      client.on('close', kill);
      upstream.on('close', kill);
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        self = new TcpProxy(server, (server.address() as { port: number }).port);
        resolve(self);
      });
    });
  }

  get connections(): number {
    return this.sockets.size / 2;
  }

  /** Cuts every proxied connection now (both sides see a reset). */
  destroyAll(): void {
    for (const s of this.sockets) {
      if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
      else s.destroy();
    }
    this.sockets.clear();
  }

  close(): Promise<void> {
    this.destroyAll();
    return new Promise((r) => this.server.close(() => r()));
  }
}
