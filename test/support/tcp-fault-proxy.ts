/**
 * A TCP proxy in front of a server that breaks connections on request, for testing how a client survives
 * the network: refuse new connections (the server is down), or let a request through and cut the
 * connection before its answer comes back (the request applied, the answer lost).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class TcpFaultProxy {
  /** Connections accepted (refused ones included). */
  connections = 0;
  /** Connections cut by {@link loseAnswerTo}. */
  cuts = 0;
  /** While true, new connections are closed at once. */
  refusing = false;
  /** New connections still to close at once before the proxy lets them through again. */
  private toRefuse = 0;
  /** The request text whose answer is to be lost (`''`: the next request's), if armed. */
  private marker: string | undefined;
  private readonly open = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpFaultProxy> {
    let proxy: TcpFaultProxy | undefined;
    const server = createServer((client) => proxy?.accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    proxy = new TcpFaultProxy(server, address.port);
    return proxy;
  }

  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  /**
   * The next request (on any connection) whose bytes contain `marker` goes through, and its connection is
   * cut when the server's answer arrives: the answer is never delivered.
   */
  loseAnswerTo(marker = ''): void {
    this.marker = marker;
  }

  /** Closes the next `count` new connections at once: a server that is down, then back. */
  refuseNext(count: number): void {
    this.toRefuse = count;
  }

  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    this.connections += 1;
    if (this.refusing || this.toRefuse > 0) {
      this.toRefuse = Math.max(0, this.toRefuse - 1);
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      this.open.add(s);
      s.on('error', cut);
      s.on('close', () => {
        this.open.delete(s);
        cut();
      });
    }
    let doomed = false;
    client.on('data', (chunk: Buffer) => {
      if (this.marker !== undefined && chunk.includes(this.marker)) {
        this.marker = undefined;
        doomed = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (doomed) {
        this.cuts += 1;
        cut();
        return;
      }
      client.write(chunk);
    });
  }
}
