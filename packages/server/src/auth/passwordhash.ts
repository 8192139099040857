// Password hashing with scrypt (node:crypto): the record kept in users.json, hashing on the libuv thread
// pool so the event loop keeps receiving flows, and constant-time verification.

import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { ConcurrencyLimit } from './concurrencylimit.js';

/** The scrypt cost parameters of one record. */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** A password hash as stored in users.json; salt and hash are base64. */
export interface ScryptRecord extends ScryptParams {
  readonly alg: 'scrypt';
  readonly salt: string;
  readonly hash: string;
}

/** Production cost: 32 MiB and about 0.1 s per hash on a server core. */
export const SCRYPT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

const SALT_BYTES = 32;
const KEY_BYTES = 64;
// Limits for records read from the file: a hand-edited N of 2^40 must not take the server down.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEMORY = 256 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// libuv's pool has 4 threads by default and file I/O needs them too: hashes take at most 2 at a time.
const hashing = new ConcurrencyLimit(2);

/**
 * scrypt needs about 128·r·(N + p + 2) bytes (its V and B arrays); node's default limit of 32 MiB is
 * exactly too small for the production N = 2^15, r = 8, so the limit is computed, with some slack.
 */
function maxmem(params: ScryptParams): number {
  return 128 * params.r * (params.N + params.p + 2) + 1024 * 1024;
}

function passwordBytes(password: string): Buffer {
  // the same password typed on two systems may arrive composed or decomposed; hash one form
  return Buffer.from(password.normalize('NFC'), 'utf8');
}

function derive(password: string, salt: Buffer, keyBytes: number, params: ScryptParams): Promise<Buffer> {
  return hashing.run(
    () =>
      new Promise((resolve, reject) => {
        scrypt(passwordBytes(password), salt, keyBytes, { N: params.N, r: params.r, p: params.p, maxmem: maxmem(params) }, (err, key) => {
          if (err !== null) reject(err);
          else resolve(key);
        });
      }),
  );
}

function record(params: ScryptParams, salt: Buffer, key: Buffer): ScryptRecord {
  return { alg: 'scrypt', N: params.N, r: params.r, p: params.p, salt: salt.toString('base64'), hash: key.toString('base64') };
}

/** Hashes a new password with a fresh salt (on the thread pool). */
export async function hashPassword(password: string, params: ScryptParams = SCRYPT_PARAMS): Promise<ScryptRecord> {
  const salt = randomBytes(SALT_BYTES);
  return record(params, salt, await derive(password, salt, KEY_BYTES, params));
}

/** The same, blocking: only for creating the first administrator before the server listens. */
export function hashPasswordSync(password: string, params: ScryptParams = SCRYPT_PARAMS): ScryptRecord {
  const salt = randomBytes(SALT_BYTES);
  return record(params, salt, scryptSync(passwordBytes(password), salt, KEY_BYTES, { ...params, maxmem: maxmem(params) }));
}

/**
 * A record that no password matches, with the cost of a real one: verifying against it takes as long
 * as a wrong password for an existing user, so that response times do not tell which names exist.
 */
export function decoyRecord(params: ScryptParams = SCRYPT_PARAMS): ScryptRecord {
  return record(params, randomBytes(SALT_BYTES), randomBytes(KEY_BYTES));
}

/** True when `password` matches `rec`; the comparison takes the same time whatever the bytes. */
export async function verifyPassword(password: string, rec: ScryptRecord): Promise<boolean> {
  const expected = Buffer.from(rec.hash, 'base64');
  const actual = await derive(password, Buffer.from(rec.salt, 'base64'), expected.length, rec);
  return timingSafeEqual(actual, expected);
}

/** Throws RangeError unless N, r, p are usable (N a power of two ≥ 2, memory ≤ 256 MiB). */
export function checkScryptParams(params: ScryptParams): void {
  const { N, r, p } = params;
  if (!Number.isInteger(N) || N < 2 || N > MAX_N || (N & (N - 1)) !== 0) throw new RangeError(`scrypt N must be a power of two from 2 to 2^20, not ${N}`);
  if (!Number.isInteger(r) || r < 1 || r > MAX_R) throw new RangeError(`scrypt r must be an integer from 1 to ${MAX_R}, not ${r}`);
  if (!Number.isInteger(p) || p < 1 || p > MAX_P) throw new RangeError(`scrypt p must be an integer from 1 to ${MAX_P}, not ${p}`);
  if (128 * r * N > MAX_MEMORY) throw new RangeError(`scrypt N=${N}, r=${r} needs more than 256 MiB per hash`);
}

function base64Field(o: Record<string, unknown>, key: string, minBytes: number, maxBytes: number): string {
  const v = o[key];
  if (typeof v !== 'string' || !BASE64.test(v) || v.length % 4 !== 0) throw new RangeError(`kdf.${key} must be a base64 string`);
  const n = Buffer.from(v, 'base64').length;
  if (n < minBytes || n > maxBytes) throw new RangeError(`kdf.${key} holds ${n} bytes; expected ${minBytes} to ${maxBytes}`);
  return v;
}

/** Reads a `kdf` object from users.json; throws RangeError saying what is wrong with it. */
export function parseScryptRecord(value: unknown): ScryptRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RangeError('kdf must be an object');
  const o = value as Record<string, unknown>;
  if (o.alg !== 'scrypt') throw new RangeError(`kdf.alg is ${JSON.stringify(o.alg)}; only "scrypt" is known`);
  const params = { N: o.N, r: o.r, p: o.p };
  for (const [k, v] of Object.entries(params)) if (typeof v !== 'number') throw new RangeError(`kdf.${k} must be a number`);
  const checked = params as ScryptParams;
  checkScryptParams(checked);
  return { alg: 'scrypt', N: checked.N, r: checked.r, p: checked.p, salt: base64Field(o, 'salt', 16, 1024), hash: base64Field(o, 'hash', 16, 128) };
}
