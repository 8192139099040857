// The ftserver process without its command line: start (lock, store recovery, users, pipeline,
// listeners, API), the periodic ticks and durability cycles, SIGHUP reload, and a stop that loses nothing.

import fs from 'node:fs';
import {
  IngestPipeline,
  ServiceNames,
  WorkerPool,
  MIN_IGNORE_OLD_FLOWS_US,
  STORE_DIR_MODE,
  diffConfig,
  ip2cFileOptions,
  openEnrichment,
  type ConfigChange,
  type ServerConfig,
} from '@opentraq/core';
import { acquireStoreLock, type StoreLock } from '../admin/index.js';
import { HttpApi } from '../api/http/httpapi.js';
import type { RowExtras } from '../api/render/index.js';
import { AlertStore, alertRoutes } from '../alerts/index.js';
import { Authenticator, UserStore } from '../auth/index.js';
import { TcpListener, UdpListener, type UdpKind } from '../listener/index.js';
import { Logger } from '../log/index.js';
import { ExporterTotals, ServerMetrics } from '../metrics/index.js';
import { QueryQueue } from '../query/index.js';
import { SessionStoreThread, type LeasedSource, type SessionRows } from '../storage/index.js';
import { tuneServerHeap } from '../heaptuning.js';

export interface FtServerOptions {
  readonly config: ServerConfig;
  readonly logger?: Logger;
  /** The first administrator's password on a new user store (else a random one is printed). */
  readonly initAdminPassword?: string;
  /** Told the random password of a new user store, once (main prints it). */
  onInitialPassword?(password: string): void;
  /** Seconds a token lives without use (default 900); OPENTRAQ_TOKEN_IDLE_SECONDS sets it for tests. */
  readonly tokenIdleSeconds?: number;
}

/** With at least this many active sessions, queries within SHARED_VIEW_MS of each other share one view. */
const SHARED_VIEW_ACTIVE = 50_000;
const SHARED_VIEW_MS = 1000;

/** Receive buffer asked for every UDP listener (server.md §1). */
const RECEIVE_BUFFER = 32 * 1024 * 1024;
const MAX_TCP_CONNECTIONS = 1024;

export class FtServer {
  config: ServerConfig;
  readonly logger: Logger;
  readonly pipeline: IngestPipeline;
  readonly sessions: SessionStoreThread;
  readonly users: UserStore;
  readonly auth: Authenticator;
  readonly alerts: AlertStore;
  readonly metrics: ServerMetrics;
  /** Per-exporter counters that outlive closed IPFIX/TCP connections, for /metrics. */
  private readonly exporterTotals = new ExporterTotals();
  readonly queue: QueryQueue;
  private pool: WorkerPool | undefined;
  private readonly extras: RowExtras;
  private api: HttpApi;
  private udp: UdpListener[] = [];
  private tcp: TcpListener[] = [];
  private readonly lock: StoreLock;
  private tickTimer: NodeJS.Timeout | undefined;
  private cycleTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  /** Flows decoded when the last cycle ran. */
  private flowsAtCycle = -1;
  /** The cycle being written, and whether another was asked for meanwhile. */
  private cycling: Promise<void> | undefined;
  private cycleAgain = false;
  /** Snapshots of the active sessions taken for queries, and the view queries close together share. */
  private snapshots = 0;
  private sharedView: { at: number; source: LeasedSource } | undefined;
  /** Errors from onSessions while ingesting (the store failing): logged, counted, retried. */
  sinkErrors = 0;

  private constructor(config: ServerConfig, logger: Logger, lock: StoreLock, sessions: SessionStoreThread, users: UserStore, auth: Authenticator, alerts: AlertStore) {
    this.alerts = alerts;
    this.config = config;
    this.logger = logger;
    this.lock = lock;
    this.sessions = sessions;
    this.users = users;
    this.auth = auth;
    const services = ServiceNames.open(config.servicesfile);
    const enrichment = openEnrichment({
      ...ip2cFileOptions(config.ip2cfile),
      onWarning: (m) => logger.log('HIGH', m),
    });
    this.pipeline = new IngestPipeline({
      onSessions: (cols, rows) => sessions.accept(cols, rows),
      conntracksize: config.sessiontables.conntracksize,
      timeout: config.sessiontables.timeout,
      toolong: config.sessiontables.toolong,
      enrichment,
      services,
      decoder: { samplingOverrides: config.netflow.samplingrate, ignoreOldFlowsUs: 0 },
    });
    this.queue = new QueryQueue(config.querythreads);
    this.pool = config.querythreads > 1 ? new WorkerPool(config.querythreads) : undefined;
    this.metrics = new ServerMetrics({
      pipeline: () => {
        const c = this.pipeline.counters();
        return { ...c, exporters: this.exporterTotals.byAddress(c.exporters) };
      },
      rejectedStreams: () => this.exporterTotals.rejectedStreams(),
      listeners: () => [
        ...this.udp.map((l) => ({ kind: l.kind, transport: 'udp' as const, port: l.boundPort, datagrams: l.datagrams, bytes: l.bytes, receiveBuffer: l.receiveBuffer })),
        ...this.tcp.map((l) => ({ kind: 'ipfix', transport: 'tcp' as const, port: l.boundPort, datagrams: 0, bytes: l.bytes, receiveBuffer: 0 })),
      ],
      store: () => {
        const s = this.sessions.stats();
        return { ...s, cycles: this.sessions.cycles, lastCycleSeconds: (this.sessions.lastCycle?.ms ?? 0) / 1000 };
      },
      auth: () => this.auth.throttleStats(),
      queries: () => ({ running: this.queue.running, queued: this.queue.queued, rejected: this.queue.rejected, snapshots: this.snapshots }),
    });
    this.extras = {
      asnOf: (ip) => {
        const asn = enrichment.asns.asnOf(ip);
        return asn === 0 ? null : { asn, name: enrichment.asName(asn) };
      },
      countryOf: (ip) => {
        const cc = enrichment.countries.countryOf(ip);
        return cc === '--' ? null : cc;
      },
      serviceOf: (port, proto) => services.name(port, proto) ?? null,
      asName: (asn) => enrichment.asName(asn) || null,
    };
    this.api = this.newApi();
  }

  private newApi(): HttpApi {
    return new HttpApi({
      auth: this.auth,
      users: this.users,
      queue: this.queue,
      pool: () => this.pool,
      source: () => this.querySource(),
      extras: this.extras,
      metrics: this.metrics,
      logger: this.logger,
      maxClientLatencyMs: () => this.config.maxclientlatency * 1000,
      extraRoutes: alertRoutes(this.alerts),
    });
  }

  /** Start everything; throws (with the listeners closed again) when a port, the store or the users file cannot be used. */
  static async start(opts: FtServerOptions): Promise<FtServer> {
    const config = opts.config;
    const heap = tuneServerHeap();
    const logger = opts.logger ?? new Logger({ level: config.debuglevel, file: config.logfile });
    logger.log('LOW', 'V8 heap settings', heap);
    fs.mkdirSync(config.storage.databasepath, { recursive: true, mode: STORE_DIR_MODE });
    const lock = acquireStoreLock(config.storage.databasepath);
    if (lock.note !== undefined) logger.log('MEDIUM', lock.note);
    let sessions: SessionStoreThread | undefined;
    try {
      const opened = await SessionStoreThread.open({
        databasePath: config.storage.databasepath,
        segmentCount: config.storage.segmentcount,
        segmentSize: config.storage.segmentsize,
        computeCrc: config.storage.computecrc,
        maxHeldRows: config.sessiontables.memcachesize,
        logger: { warn: (details, message) => logger.log('CRITICAL', message, details) },
        onWorkerError: (e) => logger.log('CRITICAL', e.message),
      });
      sessions = opened.store;
      const rec = opened.recovery;
      if (rec.checkpoint && rec.finishedRestored + rec.activeRestored > 0) {
        logger.log('ALWAYS', 'restored sessions from the checkpoint of the last run', {
          finished: rec.finishedRestored,
          active: rec.activeRestored,
          already_stored: rec.finishedAlreadyStored,
        });
      }
      const onError = (e: Error): void => logger.log('CRITICAL', e.message);
      const { store: users, initialAdminPassword, warnings } = UserStore.open(config.userdata.userdatapath, {
        ...(opts.initAdminPassword === undefined ? {} : { initAdminPassword: opts.initAdminPassword }),
        onError,
      });
      for (const w of warnings) logger.log('HIGH', w);
      if (initialAdminPassword !== null) {
        logger.log('ALWAYS', 'created the user store with one administrator, admin; its password is printed once on standard output');
        opts.onInitialPassword?.(initialAdminPassword);
      }
      const auth = new Authenticator(users, {
        userdataDir: config.userdata.userdatapath,
        maxSessionKeyAge: config.userdata.maxsessionkeyage,
        onError,
        ...(opts.tokenIdleSeconds === undefined ? {} : { tokenIdleSeconds: opts.tokenIdleSeconds }),
      });
      const alerts = AlertStore.open(config.userdata.userdatapath, { onWarning: (m) => logger.log('HIGH', m) });
      const server = new FtServer(config, logger, lock, sessions, users, auth, alerts);
      try {
        await server.startNetwork();
      } catch (e) {
        await server.stopNetwork();
        await server.pool?.close();
        throw e;
      }
      server.startTimers();
      const s = sessions.stats();
      logger.log('ALWAYS', 'ftserver started', {
        api: server.api.port,
        netflow: server.udp.filter((l) => l.kind === 'netflow').map((l) => l.boundPort).join(',') || 'off',
        sflow: server.udp.filter((l) => l.kind === 'sflow').map((l) => l.boundPort).join(',') || 'off',
        ipfixtcp: server.tcp.map((l) => l.boundPort).join(',') || 'off',
        store: config.storage.databasepath,
        sessions: s.rows,
        segments: s.segments,
      });
      return server;
    } catch (e) {
      await sessions?.close().catch(() => undefined);
      lock.release();
      throw e;
    }
  }

  /** The ports actually bound (tests bind port 0). */
  ports(): { api: number; netflow: number[]; sflow: number[]; ipfixtcp: number[] } {
    return {
      api: this.api.port,
      netflow: this.udp.filter((l) => l.kind === 'netflow').map((l) => l.boundPort),
      sflow: this.udp.filter((l) => l.kind === 'sflow').map((l) => l.boundPort),
      ipfixtcp: this.tcp.map((l) => l.boundPort),
    };
  }

  private addresses(): string[] {
    return this.config.netflow.listenaddress.length === 0 ? [''] : [...this.config.netflow.listenaddress];
  }

  private onDatagram = (kind: UdpKind, buf: Buffer, from: string): void => {
    try {
      const r = this.pipeline.datagram(kind, buf, from, Date.now());
      if (r.dropped !== null) this.logger.limited(`drop:${from}:${r.dropped}`, 'MEDIUM', 'dropped export input', { exporter: from, kind, reason: r.dropped });
    } catch (e) {
      this.sinkFailed(e);
    }
  };

  private sinkFailed(e: unknown): void {
    this.sinkErrors++;
    this.logger.limited('sink', 'CRITICAL', 'sessions could not be stored; they are kept and retried', { error: e });
  }

  private async startNetwork(): Promise<void> {
    const c = this.config;
    for (const address of this.addresses()) {
      for (const port of c.netflow.netflowport) this.udp.push(new UdpListener({ kind: 'netflow', port, address, receiveBuffer: RECEIVE_BUFFER, onDatagram: this.onDatagram }));
      for (const port of c.sflow.sflowport) this.udp.push(new UdpListener({ kind: 'sflow', port, address, receiveBuffer: RECEIVE_BUFFER, onDatagram: this.onDatagram }));
      for (const port of c.netflow.ipfixtcpport) {
        this.tcp.push(
          new TcpListener({
            port,
            address,
            maxConnections: MAX_TCP_CONNECTIONS,
            onMessage: (msg, from, conn) => {
              try {
                this.pipeline.tcpMessage(msg, from, conn, Date.now());
              } catch (e) {
                this.sinkFailed(e);
              }
            },
            onClosed: (from, conn) => {
              this.exporterTotals.retire(`${from}#${conn}`, this.pipeline.decoder.counters(`${from}#${conn}`));
              this.pipeline.tcpClosed(from, conn);
            },
            onStreamError: (from, err) => {
              this.exporterTotals.streamRejected(from);
              this.logger.limited(`tcp:${from}`, 'MEDIUM', 'closed an IPFIX TCP connection: the stream is not IPFIX', { exporter: from, error: err.message });
            },
          }),
        );
      }
    }
    for (const l of this.udp) {
      await l.start();
      if (l.receiveBuffer < RECEIVE_BUFFER) {
        this.logger.log('HIGH', 'the kernel granted a smaller UDP receive buffer than asked; bursts may be dropped. Raise net.core.rmem_max (sysctl -w net.core.rmem_max=33554432)', {
          port: l.boundPort,
          granted: l.receiveBuffer,
          asked: RECEIVE_BUFFER,
        });
      }
    }
    for (const l of this.tcp) await l.start();
    const tls = c.tls.cert !== '' && c.tls.key !== '' ? { cert: c.tls.cert, key: c.tls.key } : null;
    await this.api.start(c.listenport, tls, c.apiaddress[0] ?? '::');
  }

  private async stopNetwork(): Promise<void> {
    await Promise.all([...this.udp.map((l) => l.stop()), ...this.tcp.map((l) => l.stop())]);
    this.udp = [];
    this.tcp = [];
    await this.api.stop();
  }

  private startTimers(): void {
    this.applyClockOptions();
    this.tickTimer = setInterval(() => {
      try {
        this.pipeline.tick(Date.now());
      } catch (e) {
        this.sinkFailed(e);
      }
      for (const ev of this.pipeline.drainEvents()) this.logger.log(ev.type === 'clock_normal' ? 'MEDIUM' : 'HIGH', ev.message, { exporter: ev.exporter, skew_ms: Math.round(ev.skewMs), corrected: ev.corrected });
      // the in-memory cache of finished sessions is bounded by memcachesize: a full one starts a cycle early
      if (this.sessions.waitingRows >= this.config.sessiontables.memcachesize) void this.cycle();
    }, 1000);
    this.restartCycleTimer();
  }

  private restartCycleTimer(): void {
    if (this.cycleTimer !== undefined) clearInterval(this.cycleTimer);
    // Twice per storageinterval: a flow waits at most half the interval for the next cycle, which leaves
    // the other half for the cycle's own writes, so it is durable within storageinterval of arriving.
    this.cycleTimer = setInterval(() => void this.cycle(), (this.config.storage.storageinterval * 1000) / 2);
  }

  /**
   * What a query reads: the store, the finished sessions in memory and a snapshot of the active ones.
   * The snapshot costs this (receiving) thread about 0.2 s per 500,000 active sessions, so with many
   * of them, queries that start within SHARED_VIEW_MS of each other share one view: a burst of queries
   * cannot stall ingestion. A shared view is consistent (everything taken in one instant), at most
   * that old. Each query holds its own lease on the view's files (released when it is over).
   */
  private querySource(): LeasedSource {
    const now = performance.now();
    const shared = this.sharedView;
    if (shared !== undefined && now - shared.at < SHARED_VIEW_MS) {
      // unless the storage thread may since have deleted files of that view
      const again = shared.source.share();
      if (again !== undefined) return again;
    }
    const active = this.activeSnapshot();
    this.snapshots++;
    const source = this.sessions.querySource(active);
    this.sharedView = active !== null && active.rows >= SHARED_VIEW_ACTIVE ? { at: now, source } : undefined;
    return source;
  }

  private activeSnapshot(): SessionRows | null {
    const snap = this.pipeline.snapshot();
    return snap.rows === 0 ? null : snap;
  }

  /**
   * netflow.ignoreoldnetflows: flows older than what the store reaches back to are dropped instead of
   * stored (and clocks are then not corrected). The window follows the store's oldest session; while
   * the store is empty nothing is old.
   */
  private applyClockOptions(): void {
    let window = 0;
    if (this.config.netflow.ignoreoldnetflows) {
      const oldest = this.sessions.list().reduce((m, s) => Math.min(m, s.startMin), Infinity);
      if (Number.isFinite(oldest)) window = Math.max(MIN_IGNORE_OLD_FLOWS_US, Date.now() * 1000 - oldest);
    }
    this.pipeline.decoder.setClockOptions({ ignoreOldFlowsUs: window });
  }

  /**
   * A durability cycle: finished and active sessions into a checkpoint, finished ones into the store,
   * written by the storage thread while this one goes on receiving. A cycle asked for while one is
   * being written runs right after it (once, however often it was asked). Resolves when done.
   */
  cycle(): Promise<void> {
    if (this.cycling !== undefined) {
      this.cycleAgain = true;
      return this.cycling;
    }
    const run = (async () => {
      do {
        this.cycleAgain = false;
        await this.cycleOnce();
      } while (this.cycleAgain && this.stopping === undefined);
    })();
    this.cycling = run.finally(() => {
      this.cycling = undefined;
    });
    return this.cycling;
  }

  private async cycleOnce(): Promise<void> {
    this.applyClockOptions();
    try {
      this.pipeline.flush();
      // nothing arrived and nothing finished since the last cycle: the committed checkpoint is current
      // (a cycle still runs when it would delete files that the queries which held them no longer read)
      const flows = this.pipeline.flowsDecoded;
      if (flows === this.flowsAtCycle && this.sessions.pendingRows === 0 && this.sessions.cycles > 0 && !this.sessions.filesToDelete) return;
      const r = await this.sessions.cycle(() => {
        this.pipeline.flush();
        this.flowsAtCycle = this.pipeline.flowsDecoded;
        return this.activeSnapshot();
      });
      if (r.finished + r.active > 0) this.logger.log('LOW', 'storage cycle', { finished: r.finished, active: r.active, ms: Math.round(r.ms) });
      const half = (this.config.storage.storageinterval * 1000) / 2;
      if (r.ms > half) {
        this.logger.limited('slowcycle', 'HIGH', 'a storage cycle took longer than half the storage interval: flows may wait longer than storageinterval to become durable', { ms: Math.round(r.ms), storageinterval: this.config.storage.storageinterval, active: r.active });
      }
    } catch (e) {
      this.flowsAtCycle = -1;
      if ((e as { code?: unknown }).code === 'WORKER_FAILED') {
        this.logger.limited('cycle', 'CRITICAL', 'the storage thread is gone: nothing is written until ftserver is restarted (it then recovers the last committed checkpoint)', { error: e });
      } else {
        this.logger.limited('cycle', 'CRITICAL', 'the storage cycle failed; sessions stay in memory and are written at the next cycle', { error: e });
      }
    }
  }

  /** SIGHUP: apply a freshly read configuration; settings that cannot change are logged and kept. */
  async reload(next: ServerConfig): Promise<void> {
    const diff = diffConfig(this.config, next);
    for (const w of diff.warnings) this.logger.log('HIGH', w.message);
    const before = this.config;
    this.config = diff.config;
    const changed = new Set(diff.changed.map((c: ConfigChange) => c.setting.path as string));
    const any = (...paths: string[]): boolean => paths.some((p) => changed.has(p));
    this.logger.reconfigure(this.config.debuglevel, this.config.logfile);
    if (any('querythreads')) {
      this.queue.resize(this.config.querythreads);
      const old = this.pool;
      this.pool = this.config.querythreads > 1 ? new WorkerPool(this.config.querythreads) : undefined;
      // queries already running keep the old pool until they finish
      setTimeout(() => void old?.close(), 60_000).unref();
    }
    if (any('userdata.maxsessionkeyage')) this.auth.setMaxSessionKeyAge(this.config.userdata.maxsessionkeyage);
    if (any('sessiontables.timeout', 'sessiontables.toolong')) this.pipeline.setSessionTimeouts(this.config.sessiontables.timeout, this.config.sessiontables.toolong);
    if (any('storage.storageinterval')) this.restartCycleTimer();
    if (any('sessiontables.memcachesize')) this.sessions.maxHeldRows = this.config.sessiontables.memcachesize;
    if (any('storage.segmentcount', 'storage.segmentsize', 'storage.computecrc')) {
      await this.cycle();
      await this.sessions.reconfigure({ segmentCount: this.config.storage.segmentcount, segmentSize: this.config.storage.segmentsize, computeCrc: this.config.storage.computecrc });
    }
    const network = any('listenport', 'apiaddress', 'tls.cert', 'tls.key', 'netflow.netflowport', 'netflow.ipfixtcpport', 'netflow.listenaddress', 'sflow.sflowport');
    if (network) {
      try {
        await this.stopNetwork();
        this.api = this.newApi();
        await this.startNetwork();
      } catch (e) {
        this.logger.log('CRITICAL', 'cannot apply the new listeners; going back to the previous ones', { error: e });
        await this.stopNetwork();
        this.config = { ...this.config, listenport: before.listenport, apiaddress: before.apiaddress, tls: before.tls, netflow: { ...this.config.netflow, netflowport: before.netflow.netflowport, ipfixtcpport: before.netflow.ipfixtcpport, listenaddress: before.netflow.listenaddress }, sflow: before.sflow };
        this.api = this.newApi();
        await this.startNetwork();
      }
    }
    this.logger.log('ALWAYS', 'configuration reloaded', { changed: diff.changed.map((c) => c.setting.path).join(',') || 'nothing', kept: diff.kept.map((c) => c.setting.path).join(',') || undefined });
  }

  /** A clean stop: no more input, every tracked session stored, files closed. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.tickTimer !== undefined) clearInterval(this.tickTimer);
      if (this.cycleTimer !== undefined) clearInterval(this.cycleTimer);
      await Promise.all([...this.udp.map((l) => l.stop()), ...this.tcp.map((l) => l.stop())]);
      this.udp = [];
      this.tcp = [];
      try {
        await this.cycling;
        this.pipeline.drain();
        await this.sessions.cycle(() => null);
      } catch (e) {
        this.logger.log('CRITICAL', 'could not store every session at stop; the checkpoint keeps what it holds', { error: e });
      }
      await this.api.stop();
      await this.pool?.close();
      await this.auth.flush();
      this.alerts.close();
      await this.sessions.close();
      this.lock.release();
      this.logger.log('ALWAYS', 'ftserver stopped', { sessions_stored: this.sessions.accepted });
    })();
    return this.stopping;
  }
}
