// The query API on `listenport` (server.md §6): routing, authentication of every call but /auth,
// the query queue, streaming with maxclientlatency, and JSON errors — never a crash — for bad requests.

import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import os from 'node:os';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { QueryError, StoreError, TimeError, rank, streamSessions, type SkippedSegment, type WorkerPool } from '@opentraq/core';
import { AuthError, type Authenticator, type UserInfo, type UserStore } from '../../auth/index.js';
import type { Logger } from '../../log/index.js';
import type { ServerMetrics } from '../../metrics/index.js';
import type { LeasedSource } from '../../storage/index.js';
import { DamagedSegments, ProgressRegistry, ProgressRegistryError, QueryQueueFullError, type QueryQueue, type TrackedScan } from '../../query/index.js';
import { ApiError, parseProgressParams, parseSessionsParams, parseStatParams, type SessionsRequest, type StatRequest } from '../params/index.js';
import { EncoderPool, columnsForFields, createSessionWriter, renderStatCsv, renderStatJson, type RowExtras } from '../render/index.js';
import { HttpError } from './httperror.js';
import { CLIENT_TOO_SLOW, booleanField, readJsonBody, sendJson, sendText, stringField, writeChunk } from './io.js';

/** What the API needs from the rest of the server. */
export interface ApiContext {
  readonly auth: Authenticator;
  readonly users: UserStore;
  readonly queue: QueryQueue;
  /** Worker threads for rankings; undefined: rank on the main thread. Read at each query (a reload may replace it). */
  pool(): WorkerPool | undefined;
  /**
   * Everything queryable now: the store, this cycle's finished sessions, the tracker's active ones.
   * Its files stay on disk until release(), which the query calls once when it is over.
   */
  source(): LeasedSource;
  readonly extras: RowExtras;
  readonly metrics: ServerMetrics;
  readonly logger: Logger;
  /** maxclientlatency, ms (0: never disconnect a slow reader). */
  maxClientLatencyMs(): number;
  /** Optional routes served under /api/v1/ by other components (alerts). */
  readonly extraRoutes?: readonly ApiRoute[];
}

export interface ApiRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly remote: string;
  /** The authenticated user (every route but /api/v1/auth). */
  readonly user: UserInfo;
}

export interface ApiRoute {
  readonly method: string;
  /** Path below /api/v1/, e.g. 'alerts'. */
  readonly path: string;
  handle(r: ApiRequest): Promise<void>;
}

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

/** Threads that format session answers at most (each answer's batches are spread over them). */
const MAX_ENCODER_THREADS = 2;
/** Batches of one answer being formatted at once (bounds the memory an answer holds). */
const BATCHES_IN_FLIGHT = 4;

/** Least time between two progress lines of a ranking (progress=1). */
const PROGRESS_MS = 100;

const JSON_TYPES = { json: 'application/json; charset=utf-8', ndjson: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' } as const;

function remoteOf(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const h = req.headers.authorization;
  if (h !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (m === null) throw new HttpError(401, 'BAD_AUTHORIZATION', 'the Authorization header must be "Bearer <auth_token>"');
    return m[1];
  }
  return url.searchParams.get('auth_token') ?? undefined;
}

/** Errors of the query engine and parameter parsing, as HTTP answers. */
function toHttp(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  if (e instanceof ApiError) {
    const extra: Record<string, unknown> = {};
    if (e.param !== undefined) extra.param = e.param;
    if (e.caret !== undefined) extra.caret = e.caret;
    return new HttpError(e.status, e.code, e.message, extra);
  }
  if (e instanceof AuthError) {
    const headers: Record<string, string> = {};
    const extra: Record<string, unknown> = {};
    if (e.retryAfterSeconds !== undefined) {
      headers['Retry-After'] = String(Math.ceil(e.retryAfterSeconds));
      extra.retry_after = Math.ceil(e.retryAfterSeconds);
    }
    return new HttpError(e.status, e.code, e.message, extra, headers);
  }
  if (e instanceof QueryQueueFullError) return new HttpError(503, e.code, e.message, {}, { 'Retry-After': '1' });
  if (e instanceof ProgressRegistryError) return new HttpError(e.status, e.code, e.message, { param: 'progress' });
  if (e instanceof TimeError) return new HttpError(400, e.code, e.message);
  if (e instanceof QueryError) {
    const server = e.code === 'WORKER_FAILED';
    return new HttpError(server ? 500 : 400, e.code, e.message);
  }
  if (e instanceof StoreError) return new HttpError(500, `STORE_${e.code}`, `the store could not be read: ${e.message}`);
  return new HttpError(500, 'INTERNAL', `internal error: ${(e as Error)?.message ?? String(e)}`);
}

export class HttpApi {
  private server: http.Server | https.Server | undefined;
  private readonly routes: ApiRoute[];
  /** Threads formatting session answers, made at the first one; null: formatted on this thread (two cores or fewer). */
  private encoders: EncoderPool | null | undefined;
  /** The scan progress of the session queries running with progress=ID. */
  private readonly progress = new ProgressRegistry();
  /** Segment files queries found damaged: logged and counted once, skipped unread by later queries. */
  private readonly damaged: DamagedSegments;

  constructor(private readonly ctx: ApiContext) {
    this.damaged = new DamagedSegments(ctx.logger, () => ctx.metrics.queryCorruptSegments.inc());
    this.routes = [
      { method: 'GET', path: 'stat', handle: (r) => this.stat(r) },
      { method: 'GET', path: 'sessions', handle: (r) => this.sessions(r) },
      { method: 'GET', path: 'sessions/progress', handle: (r) => this.sessionsProgress(r) },
      { method: 'GET', path: 'users', handle: (r) => this.listUsers(r) },
      { method: 'POST', path: 'users', handle: (r) => this.addUser(r) },
      ...(ctx.extraRoutes ?? []),
    ];
  }

  get port(): number {
    const a = this.server?.address();
    return a !== null && typeof a === 'object' ? (a as AddressInfo).port : 0;
  }

  /** Listen on `port` (all addresses, IPv4 and IPv6); HTTPS only when `tls` is given. */
  start(port: number, tls: TlsFiles | null, host = '::'): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch((e: unknown) => this.fail(res, toHttp(e)));
    };
    const server = tls === null ? http.createServer(handler) : https.createServer({ cert: fs.readFileSync(tls.cert), key: fs.readFileSync(tls.key) }, handler);
    server.headersTimeout = 20_000;
    server.requestTimeout = 60_000;
    server.maxHeadersCount = 100;
    server.keepAliveTimeout = 5_000;
    server.on('clientError', (_e, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":"malformed HTTP request","code":"BAD_REQUEST"}\n');
      else socket.destroy();
    });
    // node hands CONNECT to this event, not to the request handler; without a listener it drops the connection unanswered
    server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
      if (socket.writable) socket.end('HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":"CONNECT is not supported: this is not a proxy","code":"METHOD_NOT_ALLOWED"}\n');
      else socket.destroy();
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host, ipv6Only: false }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    const encoders = this.encoders;
    this.encoders = undefined;
    if (s !== undefined) {
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    }
    await encoders?.close();
  }

  /**
   * Threads that format session answers when the machine has cores to spare: all but two (this thread,
   * which reads the store, and the reader of the answer or the exporters), at most MAX_ENCODER_THREADS.
   * Handing a batch to a thread costs a copy of its columns (~20 % more CPU in all, measured on two busy
   * cores), so with two cores or fewer the answers are formatted here.
   */
  private encoderPool(): EncoderPool | null {
    if (this.encoders === undefined) {
      const threads = Math.min(MAX_ENCODER_THREADS, os.availableParallelism() - 2);
      this.encoders = threads >= 1 ? new EncoderPool(threads) : null;
    }
    return this.encoders;
  }

  private fail(res: ServerResponse, e: HttpError): void {
    if (e.status >= 500) this.ctx.logger.log('HIGH', 'API request failed', { code: e.code, error: e.message });
    if (e.code === CLIENT_TOO_SLOW) this.ctx.logger.log('MEDIUM', 'disconnected a client that stopped reading its answer (maxclientlatency)', { from: remoteOf(res.req), path: res.req.url?.split('?')[0] });
    if (res.headersSent) {
      // a streamed answer already started: cutting the connection is the only way to say it is incomplete
      // (unless it has said so itself and ended: the progress stream's error line)
      if (!res.writableEnded) res.destroy();
      return;
    }
    if (e.status === 499 || res.destroyed) return;
    sendJson(res, e.status, { error: e.message, code: e.code, ...e.extra }, e.headers);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    const target = req.url ?? '/';
    try {
      // a path is read as a path: '//api/v1/stat' would otherwise name the host "api"
      url = target.startsWith('/') ? new URL(`http://localhost${target}`) : new URL(target, 'http://localhost');
    } catch {
      throw new HttpError(400, 'BAD_URL', 'the request URL cannot be parsed');
    }
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    if (path === '/healthz') {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} ${path} is not supported; use GET`);
      return sendJson(res, 200, { status: 'ok' });
    }
    if (path === '/metrics') {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} ${path} is not supported; use GET`);
      return sendText(res, 200, this.ctx.metrics.contentType, await this.ctx.metrics.text());
    }
    if (!path.startsWith('/api/v1/')) throw new HttpError(404, 'NOT_FOUND', `no such endpoint: ${path} (the API lives under /api/v1/)`);
    const rest = path.slice('/api/v1/'.length);
    const remote = remoteOf(req);
    if (rest === 'auth') {
      if (method !== 'POST') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} /api/v1/auth is not supported; use POST with a JSON body`);
      return this.login(req, res, remote);
    }
    const token = tokenOf(req, url);
    if (token === undefined) {
      throw new HttpError(401, 'NO_TOKEN', 'this call needs an auth_token (query parameter or Authorization: Bearer); get one from POST /api/v1/auth', {}, { 'WWW-Authenticate': 'Bearer' });
    }
    const user = this.ctx.auth.check(token);
    if (user === null) throw new HttpError(401, 'BAD_TOKEN', 'the auth_token is unknown or expired; log in again', {}, { 'WWW-Authenticate': 'Bearer' });
    const r: ApiRequest = { req, res, url, remote, user };
    const m = /^users\/([^/]+)(?:\/(password|admin))?$/.exec(rest);
    if (m !== null) {
      let name: string;
      try {
        name = decodeURIComponent(m[1]!);
      } catch {
        throw new HttpError(400, 'BAD_URL', `the user name in ${path} is not valid percent-encoding`);
      }
      return this.userAction(r, name, m[2]);
    }
    const matching = this.routes.filter((x) => x.path === rest);
    if (matching.length === 0) throw new HttpError(404, 'NOT_FOUND', `no such endpoint: ${path}`);
    const route = matching.find((x) => x.method === method || (method === 'HEAD' && x.method === 'GET'));
    if (route === undefined) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} ${path} is not supported; use ${matching.map((x) => x.method).join(' or ')}`);
    return route.handle(r);
  }

  private async login(req: IncomingMessage, res: ServerResponse, remote: string): Promise<void> {
    const body = await readJsonBody(req);
    const want = booleanField(body, 'want_session_key') ?? false;
    const key = stringField(body, 'session_key', false);
    if (key !== undefined) {
      if (body.username !== undefined || body.password !== undefined) throw new HttpError(400, 'BAD_LOGIN', 'give either session_key or username and password, not both');
      const r = this.ctx.auth.loginWithSessionKey(key, remote);
      return sendJson(res, 200, { auth_token: r.token, username: r.user.name, admin: r.user.admin });
    }
    const username = stringField(body, 'username')!;
    const password = stringField(body, 'password')!;
    const r = await this.ctx.auth.login(username, password, remote, want);
    this.ctx.logger.log('LOW', 'login', { user: r.user.name, from: remote, session_key: r.sessionKey !== undefined });
    const out: Record<string, unknown> = { auth_token: r.token, username: r.user.name, admin: r.user.admin };
    if (r.sessionKey !== undefined) out.session_key = r.sessionKey;
    return sendJson(res, 200, out);
  }

  private async timed<T>(endpoint: string, work: () => Promise<T>): Promise<T> {
    const release = await this.ctx.queue.acquire();
    const end = this.ctx.metrics.queryDuration.startTimer({ endpoint });
    let status = '200';
    try {
      return await work();
    } catch (e) {
      status = String(toHttp(e).status);
      throw e;
    } finally {
      release();
      end({ status });
    }
  }

  /**
   * What a query reads, its files held until release(): called by the query when it is over, however
   * it ends, and when its connection closes, which comes even to a query that never ends.
   */
  private takeSource(res: ServerResponse): LeasedSource {
    const source = this.ctx.source();
    // a client gone already has closed the connection: nobody waits for this answer
    if (res.closed) source.release();
    else res.once('close', () => source.release());
    return source;
  }

  private async stat(r: ApiRequest): Promise<void> {
    const p = parseStatParams(r.url.searchParams, Date.now() * 1000);
    if (p.progress) return this.statWithProgress(r, p);
    await this.timed('stat', async () => {
      const source = this.takeSource(r.res);
      try {
        const pool = this.ctx.pool();
        const result = await rank(this.damaged.guard(source), p.query, pool === undefined ? {} : { pool });
        if (p.format === 'csv') sendText(r.res, 200, JSON_TYPES.csv, renderStatCsv(result, this.ctx.extras, p.header));
        else sendText(r.res, 200, JSON_TYPES.json, renderStatJson(result, this.ctx.extras));
      } finally {
        source.release();
      }
    });
  }

  /**
   * progress=1: NDJSON lines `{"progress":{"scanned":N,"total":M}}` while the ranking runs (the first at
   * once, then at most every PROGRESS_MS), then one last line: `{"result":{...}}` (the JSON answer) or
   * `{"csv":"..."}` (the CSV answer as a string), or `{"error":"...","code":"..."}` when the query failed
   * after the answer began.
   */
  private async statWithProgress(r: ApiRequest, p: StatRequest): Promise<void> {
    await this.timed('stat', async () => {
      const res = r.res;
      res.writeHead(200, { 'Content-Type': JSON_TYPES.ndjson, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      let lastAt = 0;
      let last = -1;
      const onProgress = (scanned: number, total: number): void => {
        const now = Date.now();
        if (res.destroyed || scanned === last || (scanned < total && now - lastAt < PROGRESS_MS)) return;
        lastAt = now;
        last = scanned;
        res.write(`{"progress":{"scanned":${scanned},"total":${total}}}\n`);
      };
      const latency = this.ctx.maxClientLatencyMs();
      const source = this.takeSource(res);
      try {
        const pool = this.ctx.pool();
        const result = await rank(this.damaged.guard(source), p.query, pool === undefined ? { onProgress } : { pool, onProgress });
        const answer = p.format === 'csv' ? `{"csv":${JSON.stringify(renderStatCsv(result, this.ctx.extras, p.header))}}\n` : `{"result":${renderStatJson(result, this.ctx.extras).trimEnd()}}\n`;
        await writeChunk(res, answer, latency);
        res.end();
      } catch (e) {
        const h = toHttp(e);
        if (!res.destroyed && h.status !== 499) res.end(`${JSON.stringify({ error: h.message, code: h.code, ...h.extra })}\n`);
        throw e;
      } finally {
        source.release();
      }
    });
  }

  /**
   * progress=ID: the scan is followed under (user, ID) from the request's arrival (waiting for a slot)
   * to the end of its answer or of its connection, whichever comes first; the stream then hands back
   * control after every segment, even when nothing in it matches, so the polls are answered meanwhile.
   */
  private async sessions(r: ApiRequest): Promise<void> {
    const p = parseSessionsParams(r.url.searchParams, Date.now() * 1000);
    const tracked: TrackedScan | undefined = p.progressId === undefined ? undefined : this.progress.track(r.user.name, p.progressId);
    if (tracked !== undefined) r.res.once('close', () => tracked.end());
    try {
      await this.timed('sessions', () => this.writeSessions(r, p, tracked));
    } finally {
      tracked?.end();
    }
  }

  private async writeSessions(r: ApiRequest, p: SessionsRequest, tracked: TrackedScan | undefined): Promise<void> {
    tracked?.scanning();
    const writer = createSessionWriter(p.format, p.fields, p.header, p.zone);
    const onProgress = tracked === undefined ? undefined : (scanned: number, total: number): void => tracked.update(scanned, total);
    const skipped: SkippedSegment[] = [];
    const onSkipped = (s: SkippedSegment): void => {
      skipped.push(s);
    };
    const columns = columnsForFields(p.fields);
    const source = this.takeSource(r.res);
    const batches = streamSessions(this.damaged.guard(source), { ...p.query, columns }, onProgress === undefined ? { onSkipped } : { onProgress, onSkipped });
    try {
      // the first batch is read before the status line, so that a query that fails at once gets a proper error
      let next = batches.next();
      const latency = this.ctx.maxClientLatencyMs();
      r.res.writeHead(200, { 'Content-Type': JSON_TYPES[p.format], 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      await writeChunk(r.res, writer.begin(), latency);
      // batches are formatted on the encoder threads while the next ones are read, and written in order
      const pool = this.encoderPool();
      const formatting: Promise<Uint8Array>[] = [];
      const writeOldest = async (): Promise<void> => writeChunk(r.res, await formatting.shift()!, latency);
      while (next.done !== true) {
        const bytes = pool === null ? Promise.resolve(writer.batch(next.value)) : writer.batchOn(pool, next.value);
        // awaited in turn below; until then a failure must not count as unhandled
        bytes.catch(() => undefined);
        formatting.push(bytes);
        while (formatting.length >= (pool === null ? 1 : BATCHES_IN_FLIGHT)) await writeOldest();
        // let the listeners (and the progress polls) run between batches: a long answer must not stall ingest
        await new Promise<void>((resolve) => setImmediate(resolve));
        next = batches.next();
      }
      while (formatting.length > 0) await writeOldest();
      await writeChunk(r.res, writer.end(skipped), latency);
      r.res.end();
    } finally {
      // a client that went away leaves the stream unfinished: close the segments it holds open
      batches.return(undefined);
      source.release();
    }
  }

  /** GET /api/v1/sessions/progress?id=ID: how far the caller's own running query ID has scanned. Never queued: it must answer while queries run. */
  private async sessionsProgress(r: ApiRequest): Promise<void> {
    const id = parseProgressParams(r.url.searchParams);
    const p = this.progress.get(r.user.name, id);
    if (p === undefined) {
      throw new HttpError(404, 'NO_SUCH_QUERY', `no session query of ${r.user.name} with progress=${id} is running: it has ended, or has not reached the server yet`, { param: 'id' });
    }
    sendJson(r.res, 200, { id, state: p.state, scanned: p.scanned, total: p.total });
  }

  private requireAdmin(r: ApiRequest, what: string): void {
    if (!r.user.admin) throw new HttpError(403, 'NOT_ADMIN', `${what} needs an administrator; ${r.user.name} is not one`);
  }

  private async listUsers(r: ApiRequest): Promise<void> {
    this.requireAdmin(r, 'listing users');
    const users = this.ctx.users.list().map((u) => ({ username: u.name, admin: u.admin, created: u.created, last_login: u.lastLogin }));
    sendJson(r.res, 200, { users });
  }

  private async addUser(r: ApiRequest): Promise<void> {
    this.requireAdmin(r, 'adding a user');
    const body = await readJsonBody(r.req);
    const name = stringField(body, 'username')!;
    const password = stringField(body, 'password')!;
    const admin = booleanField(body, 'admin') ?? false;
    await this.ctx.users.add(name, password, admin);
    this.ctx.logger.log('MEDIUM', 'user added', { user: name, admin, by: r.user.name });
    sendJson(r.res, 201, { username: name, admin });
  }

  private async userAction(r: ApiRequest, name: string, sub: string | undefined): Promise<void> {
    const method = r.req.method ?? 'GET';
    if (sub === undefined) {
      if (method === 'GET') {
        if (!r.user.admin && r.user.name !== name) throw new HttpError(403, 'NOT_ADMIN', `reading another user needs an administrator; ${r.user.name} is not one`);
        const u = this.ctx.users.get(name);
        if (u === undefined) throw new HttpError(404, 'NO_SUCH_USER', `there is no user ${JSON.stringify(name)}`);
        return sendJson(r.res, 200, { username: u.name, admin: u.admin, created: u.created, last_login: u.lastLogin });
      }
      if (method !== 'DELETE') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} /api/v1/users/NAME is not supported; use GET or DELETE`);
      this.requireAdmin(r, 'deleting a user');
      await this.ctx.users.remove(name);
      this.ctx.logger.log('MEDIUM', 'user deleted', { user: name, by: r.user.name });
      return sendJson(r.res, 200, { deleted: name });
    }
    if (method !== 'PUT' && method !== 'POST') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} /api/v1/users/NAME/${sub} is not supported; use PUT`);
    const body = await readJsonBody(r.req);
    if (sub === 'password') {
      if (!r.user.admin && r.user.name !== name) throw new HttpError(403, 'NOT_ADMIN', `changing another user's password needs an administrator; ${r.user.name} is not one`);
      await this.ctx.users.setPassword(name, stringField(body, 'password')!);
      this.ctx.logger.log('MEDIUM', 'password changed', { user: name, by: r.user.name });
      return sendJson(r.res, 200, { username: name, password_changed: true });
    }
    this.requireAdmin(r, 'granting or revoking administrative rights');
    const admin = booleanField(body, 'admin');
    if (admin === undefined) throw new HttpError(400, 'MISSING_FIELD', 'the request body needs "admin": true or false', { param: 'admin' });
    await this.ctx.users.setAdmin(name, admin);
    this.ctx.logger.log('MEDIUM', admin ? 'administrative rights granted' : 'administrative rights revoked', { user: name, by: r.user.name });
    return sendJson(r.res, 200, { username: name, admin });
  }
}
