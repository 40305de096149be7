import { request as httpRequest, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A round-robin HTTP balancer for the replica tests, as a load balancer in front of replicas
 * runs: a backend that refuses the connection is skipped for a while and the request goes to
 * the next (nothing was sent, so that is safe for any request); a backend that fails after the
 * request was sent is answered 502, never retried (a POST may have run). It adds the client's
 * address to X-Forwarded-For, as balancers do.
 */
export class Balancer {
  private readonly backends: { origin: string; downUntil: number }[] = [];
  private next = 0;
  private readonly server: Server;
  /** How many requests found a backend refusing and went on to another. */
  rerouted = 0;

  private constructor(server: Server) {
    this.server = server;
  }

  static async start(): Promise<Balancer> {
    let balancer!: Balancer;
    const server = createServer((request, response) => void balancer.forward(request, response));
    balancer = new Balancer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return balancer;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  add(origin: string): void {
    this.backends.push({ origin, downUntil: 0 });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async forward(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    for (let tried = 0; tried < this.backends.length; tried += 1) {
      const backend = this.pick();
      if (!backend) break;
      const outcome = await this.send(backend.origin, request, body, response);
      if (outcome === 'answered') return;
      if (outcome === 'failed') {
        if (!response.headersSent) response.writeHead(502).end();
        else response.destroy();
        return;
      }
      // Refused: nothing was sent. Leave it aside for a while and try the next.
      backend.downUntil = Date.now() + 2_000;
      this.rerouted += 1;
    }
    response.writeHead(503).end();
  }

  private pick() {
    const now = Date.now();
    for (let i = 0; i < this.backends.length; i += 1) {
      const backend = this.backends[(this.next + i) % this.backends.length]!;
      if (backend.downUntil <= now) {
        this.next = (this.next + i + 1) % this.backends.length;
        return backend;
      }
    }
    return undefined;
  }

  private send(origin: string, request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<'answered' | 'refused' | 'failed'> {
    return new Promise((resolve) => {
      const forwardedFor = [request.headers['x-forwarded-for'], request.socket.remoteAddress].filter(Boolean).join(', ');
      const outgoing = httpRequest(
        new URL(request.url ?? '/', origin),
        { method: request.method, headers: { ...request.headers, host: new URL(origin).host, 'x-forwarded-for': forwardedFor, 'content-length': String(body.length) } },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
          answer.on('end', () => resolve('answered'));
          answer.on('error', () => resolve('failed'));
        },
      );
      outgoing.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED' ? 'refused' : 'failed'));
      outgoing.end(body);
    });
  }
}
