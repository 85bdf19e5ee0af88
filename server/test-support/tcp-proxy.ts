/**
 * A TCP proxy for fault-injection tests: forwards to a target until told to `cut` (every
 * connection is destroyed and new ones are refused) or to `blackhole` (bytes are swallowed,
 * nothing is closed: packets dropped, not refused), and `restore`s afterwards.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<[Socket, Socket]>();
  private mode: 'forward' | 'cut' | 'blackhole' = 'forward';
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<number> {
    this.server = createServer((client) => {
      if (this.mode === 'cut') return client.destroy();
      const upstream = createConnection(this.targetPort, this.targetHost);
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      const forward = (from: Socket, to: Socket) =>
        from.on('data', (d) => {
          if (this.mode === 'forward') to.write(d);
        });
      forward(client, upstream);
      forward(upstream, client);
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server!.address() as { port: number }).port;
    return this.port;
  }

  cut(): void {
    this.mode = 'cut';
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  blackhole(): void {
    this.mode = 'blackhole';
  }

  restore(): void {
    this.mode = 'forward';
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
