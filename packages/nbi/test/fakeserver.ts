// A small HTTP server speaking the parts of ftserver's API the detectors use (auth, stat, alerts),
// with knobs to fail: busy answers, a forgotten login (a restart), refusals. For the link's tests.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StatAnswer } from '@opentraq/cli';
import { statCsv } from './fakes.js';

export interface Knobs {
  /** Answer the next N stat requests with 503. */
  busy: number;
  /** Answer stat requests with 400 and a filter error. */
  refuse: boolean;
  /** The ranking for stat parameters. */
  stat: (params: Record<string, string>) => StatAnswer;
  /** While it says so, every connection is cut at once, as when the process is away; when it is back, logins are forgotten (a restart). */
  down?: () => boolean;
}

export class FakeFtserver {
  readonly tokens = new Set<string>();
  readonly logins: unknown[] = [];
  readonly statCalls: Record<string, string>[] = [];
  readonly alerts: Record<string, unknown>[] = [];
  private server: http.Server | null = null;
  private next = 0;
  private wasDown = false;
  port = 0;

  constructor(
    readonly knobs: Knobs,
    readonly password = 'secret',
  ) {}

  async start(port = 0): Promise<void> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Stops answering; open connections are cut, as when the process ends. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s === null) return;
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }

  /** A restart: logins are forgotten (tokens live in memory), the port stays. */
  async restart(): Promise<void> {
    await this.stop();
    this.tokens.clear();
    await this.start(this.port);
  }

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (this.knobs.down?.() === true) {
      this.wasDown = true;
      req.socket.destroy();
      return;
    }
    if (this.wasDown) {
      this.wasDown = false;
      this.tokens.clear();
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const body = chunks.length === 0 ? undefined : (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>);
    if (url.pathname === '/healthz') return this.send(res, 200, { status: 'ok' });
    if (url.pathname === '/api/v1/auth') {
      this.logins.push(body);
      if (body?.username !== 'admin' || body.password !== this.password) return this.send(res, 401, { error: 'wrong user name or password', code: 'BAD_CREDENTIALS' });
      const token = `t${++this.next}`;
      this.tokens.add(token);
      return this.send(res, 200, { auth_token: token, username: 'admin', admin: true });
    }
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!this.tokens.has(token)) return this.send(res, 401, { error: 'unknown or expired token: log in again', code: 'BAD_TOKEN' });
    if (url.pathname === '/api/v1/stat') {
      const params = Object.fromEntries(url.searchParams);
      this.statCalls.push(params);
      if (this.knobs.busy > 0) {
        this.knobs.busy--;
        return this.send(res, 503, { error: 'too many queries are waiting', code: 'QUEUE_FULL' });
      }
      if (this.knobs.refuse) return this.send(res, 400, { error: 'bad filter', code: 'BAD_FILTER', caret: "query: bad filter: unknown field 'SRCIP'" });
      const ranking = this.knobs.stat(params);
      // format=csv&header=1 as ftserver writes it (training reads rankings so)
      if (params.format === 'csv') {
        res.writeHead(200, { 'content-type': 'text/csv' });
        return void res.end(statCsv(ranking));
      }
      return this.send(res, 200, ranking);
    }
    if (url.pathname === '/api/v1/alerts' && req.method === 'POST') {
      this.alerts.push(body!);
      return this.send(res, 201, { id: body!.id, created: true });
    }
    return this.send(res, 404, { error: 'no such endpoint', code: 'NOT_FOUND' });
  }
}
