// The tools' connection to ftserver's HTTP API (undici): logs in (password, prompt or session key),
// sends requests with the token, and turns every failure into the error with cli.md's exit code.

import type { Readable } from 'node:stream';
import type { Client, Dispatcher } from 'undici';
import { AuthFailure, CliError, ConnectFailure, RuntimeFailure, UsageError, type AuthFailureCode } from './clierror.js';
import type { LoginPlan } from './loginplan.js';
import { DEFAULT_LOGIN_TIMEOUT_MS } from './logintimeout.js';
import { openHttpClient, type HttpClient } from './httpclient.js';
import { OutputClosed } from './output.js';
import { promptPassword } from './promptpassword.js';
import type { ServerAddress } from './serveraddress.js';

/** How long a connection may take to open; queries themselves may run as long as the server needs. */
const CONNECT_TIMEOUT_MS = 10_000;

export interface LoginOptions {
  /** The tool's name, for the User-Agent. */
  readonly tool: string;
  readonly version: string;
  /** Asks for the password when the plan has none; default: promptPassword on the terminal. */
  readonly askPassword?: (what: string) => Promise<string>;
  /** Receives the session key asked for with -us; default: printed alone on a line of stderr. */
  readonly onSessionKey?: (key: string) => void;
  /**
   * The local address to connect from (a machine with several); default: the one the system picks.
   * The server binds session keys to the address that asked for them.
   */
  readonly localAddress?: string;
  /**
   * How long the server may take to answer the login (and the check before a password prompt);
   * default 60 s. Queries are not bounded: a ranking over a long frame may take minutes to its first byte.
   */
  readonly loginTimeoutMs?: number;
  /**
   * Aborting it abandons the login at once (a detector asked to stop while its server does not answer):
   * the connection is dropped and the login rejects with the signal's reason (or undici's abort error),
   * not with a failure to connect: the caller asked for it and knows why.
   */
  readonly signal?: AbortSignal;
}

/** The JSON error body of the API: {error, code, param?, caret?, retry_after?}. */
interface ErrorBody {
  readonly error?: unknown;
  readonly code?: unknown;
  readonly param?: unknown;
  readonly caret?: unknown;
}

/** The methods the API answers. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

type ResponseBody = Dispatcher.ResponseData['body'];

export interface RequestOptions {
  readonly params?: Readonly<Record<string, string>>;
  /** Sent as JSON. */
  readonly body?: unknown;
}

/** Error codes of Node and undici that mean no connection was made, in words. */
const CONNECT_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (is ftserver running there?)',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name cannot be resolved right now',
  EAI_NONAME: 'no such host',
  ETIMEDOUT: 'no answer (timed out)',
  UND_ERR_CONNECT_TIMEOUT: 'no answer (timed out)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  ECONNRESET: 'the connection was reset',
  UND_ERR_SOCKET: 'the connection was closed at once',
};

/** Of CONNECT_REASONS, the codes that mean a new connection could not be opened (not that one broke). */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

function errorCode(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' ? code : '';
}

/** OpenSSL's verdicts on a certificate that no trusted CA signed: NODE_EXTRA_CA_CERTS fixes these. */
const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

/** What OpenSSL reports when the other end answers something that is not TLS (a plain HTTP server). */
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST', 'ERR_SSL_UNKNOWN_PROTOCOL']);

function isTlsError(code: string): boolean {
  return code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code.includes('CERT') || UNTRUSTED_CERTIFICATE.has(code) || code === 'EPROTO';
}

/** `IP Address:127.0.0.1, DNS:localhost` as `127.0.0.1, localhost`. */
function certificateNames(e: unknown): string | undefined {
  const names = (e as { cert?: { subjectaltname?: unknown } })?.cert?.subjectaltname;
  return typeof names === 'string' && names !== '' ? names.replace(/(^|, )[A-Za-z ]+:/g, '$1') : undefined;
}

/**
 * Why TLS failed, in one line with the fix that applies: OpenSSL's own messages span lines and name its
 * source files, and each cause has its own remedy (NODE_EXTRA_CA_CERTS only helps a certificate nobody trusts).
 */
function tlsReason(e: unknown, address: ServerAddress): string {
  const code = errorCode(e);
  const message = (e as Error)?.message ?? String(e);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = certificateNames(e);
    return (
      `the server's certificate is not for ${address.host}${names === undefined ? '' : ` (it names ${names})`}: ` +
      'give -s https:// with a name or address the certificate names (NODE_EXTRA_CA_CERTS cannot change this)'
    );
  }
  if (UNTRUSTED_CERTIFICATE.has(code)) {
    return `the server's certificate is not trusted (${message}): to trust it, point NODE_EXTRA_CA_CERTS at it, or at the CA that signed it`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `the server's certificate is not valid now (${message})`;
  if (NOT_TLS.has(code)) return 'the server does not answer in TLS: is TLS on at the server (tls.cert, tls.key)? without it, give -s without https://';
  const reason = (e as { reason?: unknown })?.reason;
  return `TLS failed: ${typeof reason === 'string' && reason !== '' ? reason : message.split('\n')[0]!.trim()}`;
}

/** The answer streamed by stream() and streamWithOptional(), or the refusal that came instead. */
type StreamAnswer = { readonly body: Readable } | { readonly status: number; readonly raw: string };

/** What streamWithOptional() got: the answer, and whether it is to the request with the optional parameters. */
export interface OptionalAnswer {
  readonly body: Readable;
  readonly taken: boolean;
}

/**
 * A request that the server accepted but left unanswered for `timeoutMs` (undici's headers or body
 * timeout): not a connection failure, and the person should hear that it was the server that kept quiet.
 */
function noAnswer(e: unknown, address: ServerAddress, what: string, timeoutMs: number): ConnectFailure | undefined {
  const code = errorCode(e);
  if (code !== 'UND_ERR_HEADERS_TIMEOUT' && code !== 'UND_ERR_BODY_TIMEOUT') return undefined;
  const waited = `${timeoutMs / 1000} s`;
  const silence = code === 'UND_ERR_HEADERS_TIMEOUT' ? `accepted the connection but did not answer ${what} within ${waited}` : `began to answer ${what} but then sent nothing for ${waited}`;
  return new ConnectFailure(`the server at ${address.display} ${silence}: is it overloaded, or is it not an ftserver? (FLOWTRAQ_LOGIN_TIMEOUT=SECONDS waits longer)`);
}

/** Why no answer came from `address` (the request never got a response). */
function connectFailure(e: unknown, address: ServerAddress): ConnectFailure {
  const code = errorCode(e);
  const message = (e as Error)?.message ?? String(e);
  let reason = CONNECT_REASONS[code] ?? message;
  if (isTlsError(code)) {
    reason = tlsReason(e, address);
  } else if (!address.tls && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET')) {
    reason += '; if the server has TLS on, give -s https://' + address.display.replace(/:\d+$/, '');
  } else if (address.tls && code === 'UND_ERR_SOCKET') {
    reason += '; is TLS on at the server? without it, give -s without https://';
  }
  return new ConnectFailure(`cannot connect to ${address.display}: ${reason}; -s and -p (or FLOWTRAQ_SERVER and FLOWTRAQ_PORT) choose the server`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function errorText(body: unknown, raw: string): string {
  const b = body as ErrorBody | undefined;
  if (typeof b?.error === 'string') return b.error;
  const shown = raw.trim().slice(0, 200);
  return shown === '' ? 'no explanation given' : `an answer that is not an ftserver error: ${JSON.stringify(shown)}`;
}

/** The error for a non-200 answer to an API call other than the login. */
function answerFailure(status: number, raw: string, path: string, address: ServerAddress): Error {
  const body = parseJson(raw) as ErrorBody | undefined;
  const text = errorText(body, raw);
  if (status === 400) {
    // a filter error comes with the server's caret rendering, `query: bad filter: ...`
    const caret = typeof body?.caret === 'string' ? body.caret.replace(/^query: /, '') : undefined;
    return new UsageError('REFUSED_BY_SERVER', caret ?? `the server refused the request: ${text}`);
  }
  if (status === 401) return new AuthFailure('TOKEN_EXPIRED', `the server no longer accepts the login: ${text}`);
  if (status === 403) return new AuthFailure('NOT_ALLOWED', text);
  // the server's 404 for an endpoint it lacks is NOT_FOUND; any other code names a thing that is missing (NO_SUCH_USER)
  if (status === 404 && typeof body?.code === 'string' && body.code !== 'NOT_FOUND') return new RuntimeFailure('NOT_FOUND', text);
  if (status === 404) return new RuntimeFailure('SERVER_ERROR', `${address.display} does not answer ${path} (an ftserver of another version, or not an ftserver?): ${text}`);
  if (status === 409) return new RuntimeFailure('REFUSED', text);
  if (status === 503) return new RuntimeFailure('SERVER_ERROR', `the server is busy: ${text}; try again in a moment`);
  return new RuntimeFailure('SERVER_ERROR', `the server failed (HTTP ${status}): ${text}`);
}

/**
 * Whether a refusal may be of `names`, parameters that a server of another version may not know or not
 * take right now: an answer 400, 409 or 429 naming one of them (ours: 400 UNKNOWN_PARAM from an older
 * ftserver, 429 for too many queries with progress), or a 400 that names no parameter and no filter
 * mistake (another API's bare "Bad Request"). A refusal that names another parameter is not theirs.
 */
function refusesOptional(status: number, raw: string, names: readonly string[]): boolean {
  const body = parseJson(raw) as ErrorBody | null | undefined;
  const param = body?.param;
  if (typeof param === 'string') return (status === 400 || status === 409 || status === 429) && names.includes(param);
  return status === 400 && typeof body?.caret !== 'string';
}

const LOGIN_CODES: Readonly<Record<string, AuthFailureCode>> = {
  BAD_CREDENTIALS: 'BAD_CREDENTIALS',
  BAD_SESSION_KEY: 'BAD_SESSION_KEY',
  WRONG_ADDRESS: 'WRONG_ADDRESS',
  SESSION_KEYS_DISABLED: 'SESSION_KEYS_DISABLED',
  THROTTLED: 'THROTTLED',
};

export class ApiClient {
  private constructor(
    private readonly client: HttpClient,
    /** How `client` was opened, for a companion connection. */
    private readonly options: Client.Options,
    readonly address: ServerAddress,
    private readonly token: string,
    /** The user the server logged in (for -us KEY, the key's owner). */
    readonly username: string,
    readonly admin: boolean,
    private readonly userAgent: string,
  ) {}

  /**
   * Opens the connection and logs in by `plan`. A password that is not in the plan is asked for
   * only once the server is known to answer, so that nobody types a password for a dead address.
   */
  static async login(address: ServerAddress, plan: LoginPlan, opts: LoginOptions): Promise<ApiClient> {
    const timeoutMs = opts.loginTimeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS;
    const options: Client.Options = {
      connect: { timeout: CONNECT_TIMEOUT_MS },
      headersTimeout: 0,
      bodyTimeout: 0,
      ...(opts.localAddress !== undefined && { localAddress: opts.localAddress }),
    };
    const { signal } = opts;
    signal?.throwIfAborted();
    const client = await openHttpClient(address.origin, options);
    const userAgent = `opentraq-${opts.tool}/${opts.version}`;
    try {
      let body: Record<string, unknown>;
      if (plan.kind === 'session-key') {
        body = { session_key: plan.key };
      } else {
        let password = plan.password;
        if (password === undefined) {
          await ApiClient.ping(client, address, userAgent, timeoutMs, signal);
          password = await (opts.askPassword ?? promptPassword)(`${plan.username}@${address.display}`);
        }
        body = { username: plan.username, password, ...(plan.wantSessionKey && { want_session_key: true }) };
      }
      let status: number;
      let raw: string;
      try {
        const res = await client.request({
          method: 'POST',
          path: '/api/v1/auth',
          headers: { 'content-type': 'application/json', 'user-agent': userAgent },
          body: JSON.stringify(body),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          ...(signal !== undefined && { signal }),
        });
        status = res.statusCode;
        raw = await res.body.text();
      } catch (e) {
        if (signal?.aborted === true) throw e;
        throw noAnswer(e, address, 'the login', timeoutMs) ?? connectFailure(e, address);
      }
      const answer = parseJson(raw) as (ErrorBody & { auth_token?: unknown; username?: unknown; admin?: unknown; session_key?: unknown }) | undefined;
      if (status !== 200) {
        const code = typeof answer?.code === 'string' ? answer.code : '';
        const who = plan.kind === 'session-key' ? 'the session key' : `user ${plan.username}`;
        if (status >= 400 && status < 500) {
          throw new AuthFailure(LOGIN_CODES[code] ?? 'LOGIN_REFUSED', `login failed for ${who} at ${address.display}: ${errorText(answer, raw)}`);
        }
        throw new RuntimeFailure('SERVER_ERROR', `login failed at ${address.display} (HTTP ${status}): ${errorText(answer, raw)}`);
      }
      if (typeof answer?.auth_token !== 'string') {
        throw new RuntimeFailure('BAD_ANSWER', `${address.display} answered the login without an auth_token: is it an ftserver?`);
      }
      if (plan.kind === 'password' && plan.wantSessionKey) {
        if (typeof answer.session_key !== 'string') throw new RuntimeFailure('BAD_ANSWER', 'the server logged in but sent no session key');
        (opts.onSessionKey ?? ((k: string) => process.stderr.write(`${k}\n`)))(answer.session_key);
      }
      const username = typeof answer.username === 'string' ? answer.username : plan.kind === 'password' ? plan.username : '';
      return new ApiClient(client, options, address, answer.auth_token, username, answer.admin === true, userAgent);
    } catch (e) {
      await client.destroy();
      throw e;
    }
  }

  /**
   * A second connection with the same login, for requests made while an answer streams on this one
   * (HTTP/1.1 answers one request at a time per connection): ftsq -v polls the scan progress on it.
   */
  async companion(): Promise<ApiClient> {
    const client = await openHttpClient(this.address.origin, this.options);
    return new ApiClient(client, this.options, this.address, this.token, this.username, this.admin, this.userAgent);
  }

  /** GET /healthz: fails with exit 4 when nothing answers at the address, or nothing within `timeoutMs`. */
  private static async ping(client: HttpClient, address: ServerAddress, userAgent: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      const res = await client.request({
        method: 'GET',
        path: '/healthz',
        headers: { 'user-agent': userAgent },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(signal !== undefined && { signal }),
      });
      await res.body.dump();
    } catch (e) {
      if (signal?.aborted === true) throw e;
      throw noAnswer(e, address, 'GET /healthz (asked before the password)', timeoutMs) ?? connectFailure(e, address);
    }
  }

  private async send(method: HttpMethod, path: string, opts: RequestOptions): Promise<{ status: number; body: ResponseBody }> {
    const query = opts.params === undefined ? '' : new URLSearchParams(opts.params).toString();
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, 'user-agent': this.userAgent };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await this.client.request({
        method,
        path: query === '' ? path : `${path}?${query}`,
        headers,
        ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }),
      });
      return { status: res.statusCode, body: res.body };
    } catch (e) {
      throw this.lost(e, false);
    }
  }

  /**
   * The error for a connection that broke after the login; `answered` says whether part of the answer
   * had come (then what was printed is incomplete) or nothing had (a refused connection answers nothing). An error that is already the tool's (a
   * CliError, such as the output failing to be written, or OutputClosed) is no broken connection and
   * comes back as it is.
   */
  lost(e: unknown, answered = true): Error {
    if (e instanceof CliError || e instanceof OutputClosed) return e;
    const code = errorCode(e);
    const why = CONNECT_REASONS[code] ?? (e as Error)?.message ?? String(e);
    const where = `the connection to ${this.address.display}`;
    if (answered) return new RuntimeFailure('CONNECTION_LOST', `${where} broke: ${why}; the answer is incomplete (the server's log may say why)`);
    // a server that is gone has no log to look in; one that cut the request off may say why
    const after = NOT_CONNECTED.has(code) ? '' : " (the server's log may say why)";
    return new RuntimeFailure('CONNECTION_LOST', `${where} broke: ${why}; nothing was answered${after}`);
  }

  /** A JSON answer; a non-200 status becomes the error for it. */
  async json<T>(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    let raw: string;
    try {
      raw = await res.body.text();
    } catch (e) {
      throw this.lost(e);
    }
    if (res.status < 200 || res.status > 299) throw answerFailure(res.status, raw, path, this.address);
    const v = parseJson(raw);
    if (v === undefined) throw new RuntimeFailure('BAD_ANSWER', `the answer to ${path} is not JSON: ${JSON.stringify(raw.slice(0, 200))}`);
    return v as T;
  }

  /** The answer to GET `path` to read as it arrives, or the refusal read whole. */
  private async streamAnswer(path: string, opts: RequestOptions): Promise<StreamAnswer> {
    const res = await this.send('GET', path, opts);
    if (res.status === 200) return { body: res.body };
    try {
      return { status: res.status, raw: await res.body.text() };
    } catch (e) {
      throw this.lost(e);
    }
  }

  /** A streamed answer (NDJSON, CSV) to read as it arrives; a non-200 status becomes the error for it. */
  async stream(path: string, opts: RequestOptions = {}): Promise<Readable> {
    const answer = await this.streamAnswer(path, opts);
    if ('body' in answer) return answer.body;
    throw answerFailure(answer.status, answer.raw, path, this.address);
  }

  /**
   * stream() with `optional` added to the parameters: ones only shown, never needed (progress=), which a
   * server of an older version or another FlowTraq-compatible API may not know. When the server refuses
   * the request for them (refusesOptional), it is asked once more without them, and `taken` is false;
   * a refusal of that second request is the error, as for stream().
   */
  async streamWithOptional(path: string, optional: Readonly<Record<string, string>>, opts: RequestOptions = {}): Promise<OptionalAnswer> {
    const first = await this.streamAnswer(path, { ...opts, params: { ...opts.params, ...optional } });
    if ('body' in first) return { body: first.body, taken: true };
    if (!refusesOptional(first.status, first.raw, Object.keys(optional))) throw answerFailure(first.status, first.raw, path, this.address);
    return { body: await this.stream(path, opts), taken: false };
  }

  /** Closes the connection once the last answer has been read. */
  async close(): Promise<void> {
    await this.client.close();
  }

  /** Drops the connection at once (the reader went away, Ctrl-C). */
  async destroy(): Promise<void> {
    await this.client.destroy();
  }
}
