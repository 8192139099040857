// The text of a blacklist: a file read whole, or an http(s) URL downloaded (following redirects) within
// a time limit; both capped in size, and every failure a BlacklistError that says what went wrong.

import fs from 'node:fs/promises';
import { Stopped, stopReason } from '../engine/stopped.js';
import { BlacklistError } from './blacklisterror.js';
import { BLOCKED_PORT_REASON } from './blockedport.js';
import type { ListSource } from './listsource.js';

/** A list larger than this is refused: 10,000 entries take about 200 KB. */
export const MAX_LIST_BYTES = 64 * 2 ** 20;
/** How long a download may take, from the request to the last byte. */
export const DOWNLOAD_TIMEOUT_MS = 30_000;

const FILE_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
};

const NET_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name cannot be resolved right now',
  ETIMEDOUT: 'no answer (timed out)',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'no answer (timed out)',
  UND_ERR_SOCKET: 'the connection was closed',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate chain is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate cannot be verified',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is for another host',
};

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

async function readFile(path: string, display: string): Promise<string> {
  try {
    const stat = await fs.stat(path);
    if (stat.isDirectory()) throw new BlacklistError('LIST_UNREADABLE', `cannot read the list ${display}: it is a directory, not a file`);
    if (stat.size > MAX_LIST_BYTES) throw new BlacklistError('LIST_TOO_LARGE', `the list ${display} has ${stat.size} bytes; ftbl reads at most ${MAX_LIST_BYTES}`);
    return await fs.readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof BlacklistError) throw e;
    const code = codeOf(e);
    throw new BlacklistError('LIST_UNREADABLE', `cannot read the list ${display}: ${(code !== undefined && FILE_REASONS[code]) || (e as Error).message}`);
  }
}

/** Why fetch failed, in words: its cause's code when it has one. */
function fetchFailure(e: unknown): string {
  const cause = (e as { cause?: unknown } | null)?.cause;
  const code = codeOf(cause) ?? codeOf(e);
  if (code !== undefined && NET_REASONS[code] !== undefined) return NET_REASONS[code]!;
  const message = cause instanceof Error ? cause.message : (e as Error).message;
  // -bl's own port was checked before the first download: only a redirect can lead to a blocked one
  if (message === 'bad port') return `it redirects to a port that cannot be downloaded from: ${BLOCKED_PORT_REASON}`;
  return message;
}

async function download(url: URL, display: string, signal: AbortSignal, timeoutMs: number): Promise<string> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const both = AbortSignal.any([signal, timeout]);
  const failed = (why: string): BlacklistError => new BlacklistError('LIST_DOWNLOAD_FAILED', `cannot download the list ${display}: ${why}`);
  const stoppedOrLate = (e: unknown): Error => {
    if (signal.aborted) return new Stopped(stopReason(signal));
    if (timeout.aborted) return failed(`no complete answer within ${timeoutMs / 1000} s`);
    return failed(fetchFailure(e));
  };
  let res: Response;
  try {
    res = await fetch(url, { signal: both, redirect: 'follow', headers: { accept: 'text/plain, */*' } });
  } catch (e) {
    throw stoppedOrLate(e);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw failed(`the server answered ${res.status}${res.statusText === '' ? '' : ` ${res.statusText}`}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > MAX_LIST_BYTES) {
    await res.body?.cancel().catch(() => undefined);
    throw new BlacklistError('LIST_TOO_LARGE', `the list ${display} has ${declared} bytes; ftbl reads at most ${MAX_LIST_BYTES}`);
  }
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    if (res.body !== null) {
      for await (const chunk of res.body) {
        bytes += chunk.byteLength;
        if (bytes > MAX_LIST_BYTES) {
          await res.body.cancel().catch(() => undefined);
          throw new BlacklistError('LIST_TOO_LARGE', `the list ${display} is larger than ${MAX_LIST_BYTES} bytes, the most ftbl reads`);
        }
        chunks.push(chunk);
      }
    }
  } catch (e) {
    if (e instanceof BlacklistError) throw e;
    throw stoppedOrLate(e);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The list's text; BlacklistError when it cannot be had, Stopped when `signal` aborts. */
export async function readListText(source: ListSource, signal: AbortSignal, timeoutMs = DOWNLOAD_TIMEOUT_MS): Promise<string> {
  if (signal.aborted) throw new Stopped(stopReason(signal));
  return source.kind === 'file' ? readFile(source.path, source.display) : download(source.url, source.display, signal, timeoutMs);
}
