// The detectors' connection to ftserver: the query tools' API client, logged in once, and kept
// working for days — lost connections and server errors retried with backoff and reported on stderr
// (sparingly once it lasts), a login the server forgot (a restart) renewed, everything unwound at once on stop.

import type { Readable } from 'node:stream';
import {
  AuthFailure,
  ConnectFailure,
  RuntimeFailure,
  connect,
  promptPassword,
  type ApiClient,
  type ConnectionPlan,
  type HttpMethod,
  type LoginPlan,
  type RequestOptions,
} from '@opentraq/cli';
import type { ApiLink } from './apilink.js';
import type { Clock } from './clock.js';
import type { Notices } from './notices.js';
import { Stopped, stopReason } from './stopped.js';
import { untilStopped } from './untilstopped.js';

/** Waits between attempts, seconds: doubling, then every 15 s — a recovered server is back in use within 15 s. */
const BACKOFF_S = [1, 2, 4, 8, 15] as const;
/**
 * Once the waits stop growing, a failure that goes on is said again after 1, 2, 4 … minutes of it, then
 * every hour: an outage of a day costs stderr some thirty lines, not one every 15 s.
 */
const FIRST_REMINDER_S = 60;
const MAX_REMINDER_GAP_S = 3600;

/** How long a failure has lasted, for its reminders: `1 min`, `32 min`, `3 h`. */
function lasted(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h`;
}

export interface ServerLinkOptions {
  readonly tool: string;
  readonly version: string;
  readonly clock: Clock;
  readonly notices: Notices;
  /**
   * Aborting it ends the link: retries stop and requests in flight are cut off. The detectors abort
   * it a grace period after they were asked to stop, once queued alert records had their chance.
   */
  readonly signal: AbortSignal;
  /**
   * Aborting it abandons the first login (open() throws Stopped): a detector asked to stop while its
   * server has not answered yet has nothing to finish. Default: only `signal` does.
   */
  readonly loginSignal?: AbortSignal;
  /** For the first login; default: the terminal prompt of the query tools. */
  readonly askPassword?: (what: string) => Promise<string>;
}

type Failure = 'retry' | 'login' | 'fatal';

function classify(e: unknown): Failure {
  if (e instanceof ConnectFailure) return 'retry';
  if (e instanceof AuthFailure) return e.code === 'TOKEN_EXPIRED' ? 'login' : e.code === 'THROTTLED' ? 'retry' : 'fatal';
  if (e instanceof RuntimeFailure) return e.code === 'NOT_AVAILABLE' ? 'fatal' : 'retry';
  return 'fatal';
}

export class ServerLink implements ApiLink {
  private client: ApiClient | null;
  private relogin: Promise<ApiClient> | null = null;
  private readonly onAbort = (): void => void this.client?.destroy();

  private constructor(
    client: ApiClient,
    private readonly plan: ConnectionPlan,
    private readonly options: ServerLinkOptions,
  ) {
    this.client = client;
    options.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * Connects and logs in. A failure here ends the tool with the query tools' exit codes (4 cannot
   * connect, 3 authentication): a detector that never reached its server has nothing to resume.
   * Stopped when the login signal (or the link's) aborts first, whatever the server or the terminal is doing.
   */
  static async open(plan: ConnectionPlan, options: ServerLinkOptions): Promise<ServerLink> {
    const signal = options.loginSignal === undefined ? options.signal : AbortSignal.any([options.signal, options.loginSignal]);
    let typed: string | undefined;
    const ask = options.askPassword ?? ((what: string) => promptPassword(what));
    let client: ApiClient;
    try {
      client = await connect(plan, {
        tool: options.tool,
        version: options.version,
        signal,
        // a password prompt cannot be cancelled: it is left unanswered
        askPassword: async (what) => (typed = await untilStopped(ask(what), signal)),
      });
    } catch (e) {
      if (signal.aborted) throw new Stopped(stopReason(signal));
      throw e;
    }
    if (signal.aborted) {
      await client.destroy();
      throw new Stopped(stopReason(signal));
    }
    // logins after a server restart reuse the typed password, and ask for no second session key
    const login: LoginPlan = plan.login.kind === 'password' ? { ...plan.login, password: plan.login.password ?? typed, wantSessionKey: false } : plan.login;
    return new ServerLink(client, { ...plan, login }, options);
  }

  /** The user the server logged in. */
  get username(): string {
    return this.client?.username ?? '';
  }

  /**
   * A JSON answer of the API. Lost connections, server errors and a forgotten login are retried
   * until an answer comes (said on stderr with what was being done, `what`: each failure while the
   * waits grow, then reminders after 1, 2, 4 … minutes, then hourly; and the answer at last); refusals
   * (a request the server rejects, a login it no longer accepts) are thrown; Stopped once stopping.
   */
  json<T>(method: HttpMethod, path: string, opts: RequestOptions, what: string, callSignal?: AbortSignal): Promise<T> {
    return this.retried(what, callSignal, (client) => client.json<T>(method, path, opts));
  }

  /** A streamed answer of `GET path` given to `read` as it arrives; retried as json is, the reading included. */
  read<T>(path: string, opts: RequestOptions, what: string, read: (body: Readable) => Promise<T>, callSignal?: AbortSignal): Promise<T> {
    return this.retried(what, callSignal, async (client) => {
      const body = await client.stream(path, opts);
      try {
        return await read(body);
      } catch (e) {
        body.destroy();
        // an answer that is not what was asked for is the server's fault, not the connection's
        if (e instanceof RuntimeFailure || e instanceof Stopped) throw e;
        throw client.lost(e);
      }
    });
  }

  /** `call` until it gives an answer, as json() describes. */
  private async retried<T>(what: string, callSignal: AbortSignal | undefined, call: (client: ApiClient) => Promise<T>): Promise<T> {
    const { clock, notices } = this.options;
    const signal = callSignal === undefined ? this.options.signal : AbortSignal.any([this.options.signal, callSignal]);
    let attempt = 0;
    let failingSince: number | null = null;
    let remindAfterS = FIRST_REMINDER_S;
    // a forgotten login is renewed at once; only a fresh login refused again waits like a failure
    let renewed = false;
    for (;;) {
      if (signal.aborted) throw new Stopped(stopReason(signal));
      try {
        // a login the server leaves unanswered must not hold up a detector that is stopping (the link's own
        // stop cuts it off later); a request in flight may still bring its answer until then
        const client = this.client ?? (await untilStopped(this.loginAgain(), signal));
        const answer = await call(client);
        if (failingSince !== null) notices.say(`the server answers again (after ${Math.round((clock.now() - failingSince) / 1000)} s); ${what} done`);
        return answer;
      } catch (e) {
        if (signal.aborted) throw new Stopped(stopReason(signal));
        const kind = classify(e);
        if (kind === 'fatal') throw e;
        if (kind === 'login') {
          this.dropClient();
          if (!renewed) {
            renewed = true;
            notices.say(`the server no longer knows this login (was it restarted?): logging in again`);
            continue;
          }
        }
        failingSince ??= clock.now();
        const wait = BACKOFF_S[Math.min(attempt, BACKOFF_S.length - 1)]!;
        const failingS = (clock.now() - failingSince) / 1000;
        if (attempt < BACKOFF_S.length - 1) {
          notices.say(`${what} failed: ${(e as Error).message}; retrying in ${wait} s`);
        } else if (failingS >= remindAfterS) {
          notices.say(`${what} still fails after ${lasted(failingS)}: ${(e as Error).message}; retrying every ${wait} s`);
          while (remindAfterS <= failingS) remindAfterS += Math.min(remindAfterS, MAX_REMINDER_GAP_S);
        }
        attempt++;
        await clock.sleep(wait * 1000, signal);
      }
    }
  }

  private dropClient(): void {
    const c = this.client;
    this.client = null;
    void c?.destroy();
  }

  private loginAgain(): Promise<ApiClient> {
    this.relogin ??= connect(this.plan, { tool: this.options.tool, version: this.options.version, signal: this.options.signal })
      .then((c) => {
        if (this.options.signal.aborted) {
          void c.destroy();
          throw new Stopped(stopReason(this.options.signal));
        }
        this.client = c;
        return c;
      })
      .finally(() => {
        this.relogin = null;
      });
    return this.relogin;
  }

  /** Closes the connection (after the last request). */
  async close(): Promise<void> {
    this.options.signal.removeEventListener('abort', this.onAbort);
    const c = this.client;
    this.client = null;
    if (c === null) return;
    // a link that was stopped has cut its connection already
    if (this.options.signal.aborted) await c.destroy();
    else await c.close();
  }
}
