// The addresses of a blacklist's hostnames, looked up as the system does (node:dns lookup: /etc/hosts,
// then DNS) at every load: a few at a time, each with a time limit, failures kept with the reason.

import dns from 'node:dns';
import { Stopped, stopReason } from '../engine/stopped.js';

/** A hostname's addresses (IPv4 and IPv6 text); rejects when it has none. */
export type Resolver = (host: string) => Promise<readonly string[]>;

export const SYSTEM_RESOLVER: Resolver = async (host) => (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** Lookups in flight at once. */
const CONCURRENCY = 16;
export const RESOLVE_TIMEOUT_MS = 10_000;

const REASONS: Readonly<Record<string, string>> = {
  ENOTFOUND: 'no such host',
  EAI_NONAME: 'no such host',
  ENODATA: 'the host has no address',
  EAI_NODATA: 'the host has no address',
  EAI_AGAIN: 'the name cannot be resolved right now',
  ESERVFAIL: 'the name server failed',
  ECONNREFUSED: 'the name server refused the query',
};

function reason(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && REASONS[code] !== undefined) return REASONS[code]!;
  return e instanceof Error ? e.message : String(e);
}

/** `p`, or a rejection after `ms` (the lookup itself cannot be cancelled), or Stopped when `signal` aborts. */
function withTimeout<T>(p: Promise<T>, ms: number, what: string, signal: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort = (): void => undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s for ${what}`)), ms);
    onAbort = () => reject(new Stopped(stopReason(signal)));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([p, late]).finally(() => {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  });
}

export interface Resolution {
  readonly addresses: readonly string[];
  /** Why there are none; undefined when the lookup succeeded. */
  readonly failure?: string;
}

/** The addresses of each of `hosts` (each looked up once); Stopped when `signal` aborts. */
export async function resolveHostnames(hosts: readonly string[], resolve: Resolver, signal: AbortSignal, timeoutMs = RESOLVE_TIMEOUT_MS): Promise<Map<string, Resolution>> {
  const unique = [...new Set(hosts)];
  const out = new Map<string, Resolution>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < unique.length) {
      const host = unique[next++]!;
      try {
        const addresses = await withTimeout(resolve(host), timeoutMs, host, signal);
        out.set(host, addresses.length > 0 ? { addresses } : { addresses: [], failure: 'the host has no address' });
      } catch (e) {
        if (e instanceof Stopped) throw e;
        out.set(host, { addresses: [], failure: reason(e) });
      }
    }
  };
  if (signal.aborted) throw new Stopped(stopReason(signal));
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, unique.length) }, worker));
  return out;
}
