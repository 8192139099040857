// Options of the session generator, their defaults and their validation: everything that,
// with the seed, fully determines the generated sessions.

import { GeneratorError } from './generatorerror.js';

export interface GeneratorOptions {
  /** Seed, a non-negative safe integer: the same seed and options give byte-identical sessions. */
  readonly seed: number;
  /** Total number of sessions to generate. */
  readonly sessions: number;
  /** Start of the generated span, µs since the Unix epoch (UTC). Default: Monday 2026-01-05 00:00 UTC. */
  readonly startUs?: number;
  /** Length of the span in µs. Default: 7 days. */
  readonly spanUs?: number;
  /** Share of sessions carried over IPv6, 0..1. Default 0.1. */
  readonly ipv6Share?: number;
  /** Number of distinct hosts (20 % internal, at most 65,019). Default 50,000; at least 64. */
  readonly hosts?: number;
  /** Rows per batch from {@link SessionGenerator.batches}. Default 65,536. */
  readonly batchSize?: number;
  /** Reuse one set of column buffers for every batch (each batch is valid until the next is requested). Default false. */
  readonly reuseBuffers?: boolean;
  /** AS number of the internal hosts. Default 64512 (private use). */
  readonly localAs?: number;
  /** Country of the internal hosts, two letters. Default 'US'. */
  readonly localCountry?: string;
}

export type ResolvedGeneratorOptions = Required<GeneratorOptions>;

export const GEN_DEFAULT_START_US = Date.UTC(2026, 0, 5) * 1000;
export const GEN_DEFAULT_SPAN_US = 7 * 86_400_000_000;
export const GEN_MIN_HOSTS = 64;
export const GEN_MAX_HOSTS = 5_000_000;
export const GEN_MAX_BATCH = 1 << 24;

const KNOWN = new Set(['seed', 'sessions', 'startUs', 'spanUs', 'ipv6Share', 'hosts', 'batchSize', 'reuseBuffers', 'localAs', 'localCountry']);

function bad(message: string): never {
  throw new GeneratorError('ERR_GEN_OPTION', message);
}

function int(name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) bad(`generator option ${name} must be an integer from ${lo} to ${hi}, got ${String(v)}`);
  return v;
}

/** Check every option and fill in the defaults. */
export function resolveOptions(opts: GeneratorOptions): ResolvedGeneratorOptions {
  if (opts === null || typeof opts !== 'object') bad('generator options must be an object with at least seed and sessions');
  for (const k of Object.keys(opts)) if (!KNOWN.has(k)) bad(`unknown generator option ${k}; known: ${[...KNOWN].join(', ')}`);
  const seed = int('seed', opts.seed, 0, Number.MAX_SAFE_INTEGER);
  const sessions = int('sessions', opts.sessions, 0, Number.MAX_SAFE_INTEGER);
  const startUs = int('startUs', opts.startUs ?? GEN_DEFAULT_START_US, 0, Number.MAX_SAFE_INTEGER);
  const spanUs = int('spanUs', opts.spanUs ?? GEN_DEFAULT_SPAN_US, 1, 100 * 365 * 86_400_000_000);
  if (startUs + spanUs > Number.MAX_SAFE_INTEGER) bad('generator options startUs + spanUs must stay below 2^53 µs');
  const ipv6Share = opts.ipv6Share ?? 0.1;
  if (typeof ipv6Share !== 'number' || !(ipv6Share >= 0 && ipv6Share <= 1)) bad(`generator option ipv6Share must be a number from 0 to 1, got ${String(ipv6Share)}`);
  const hosts = int('hosts', opts.hosts ?? 50_000, GEN_MIN_HOSTS, GEN_MAX_HOSTS);
  const batchSize = int('batchSize', opts.batchSize ?? 65_536, 1, GEN_MAX_BATCH);
  const reuseBuffers = opts.reuseBuffers ?? false;
  if (typeof reuseBuffers !== 'boolean') bad(`generator option reuseBuffers must be true or false, got ${String(reuseBuffers)}`);
  const localAs = int('localAs', opts.localAs ?? 64512, 0, 4294967295);
  const localCountry = opts.localCountry ?? 'US';
  if (typeof localCountry !== 'string' || !/^[A-Z]{2}$/.test(localCountry)) bad(`generator option localCountry must be two upper-case letters, got ${String(localCountry)}`);
  return { seed, sessions, startUs, spanUs, ipv6Share, hosts, batchSize, reuseBuffers, localAs, localCountry };
}
