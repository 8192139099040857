// A binary copy of a loaded RangeTable (and AS names) beside the store, so that a restart maps a few
// megabytes instead of parsing 40 MB of CSV; keyed by the source files and the package version.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { AsNameTable } from './asnametable.js';
import type { LoadedData } from './datafiles.js';
import { RangeTable } from './rangetable.js';
import type { DataKind } from './rangesink.js';

const MAGIC = 'OTENRICH';
/** Bump when the layout below changes. */
const LAYOUT_VERSION = 1;

function coreVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return String(pkg.version);
}

/** The cache file for one kind of data in a directory. */
export function cacheFileName(dir: string, kind: DataKind): string {
  return path.join(dir, `enrich-${kind}.cache`);
}

/**
 * What a cache must have been built from: this package version, the layout, and each source file's
 * absolute path, size and modification time. Any change makes the cache stale.
 */
export function cacheKey(kind: DataKind, sources: readonly string[]): string {
  const files = sources.map((p) => {
    const abs = path.resolve(p);
    const st = fs.statSync(abs);
    return { path: abs, size: st.size, mtimeMs: st.mtimeMs };
  });
  return JSON.stringify({ layout: LAYOUT_VERSION, core: coreVersion(), kind, files });
}

/** Typed arrays are stored as they sit in memory; only little-endian hosts read and write caches. */
export const cacheSupported = os.endianness() === 'LE';

interface CacheHeader {
  key: string;
  v4: number;
  v6: number;
  names: number;
  textBytes: number;
}

const pad8 = (n: number): number => (n + 7) & ~7;

/** Outcome of reading a cache: the data, or why it was not usable. */
export type CacheRead = { readonly data: LoadedData } | { readonly problem: 'missing' | 'stale' | 'corrupt'; readonly detail: string };

export function readTableCache(file: string, key: string): CacheRead {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch (e) {
    return { problem: 'missing', detail: (e as Error).message };
  }
  try {
    // Typed-array views need 4-byte alignment; copy if the buffer came unaligned.
    const buf = raw.byteOffset % 8 === 0 ? raw : Buffer.from(new Uint8Array(raw));
    if (buf.length < 24 || buf.toString('latin1', 0, 8) !== MAGIC) return { problem: 'corrupt', detail: 'not a cache file' };
    if (buf.readUInt32LE(8) !== LAYOUT_VERSION) return { problem: 'stale', detail: `layout ${buf.readUInt32LE(8)}` };
    if (crc32(buf.subarray(0, buf.length - 4)) !== buf.readUInt32LE(buf.length - 4)) return { problem: 'corrupt', detail: 'checksum mismatch' };
    const headerLen = buf.readUInt32LE(12);
    const header = JSON.parse(buf.toString('utf8', 16, 16 + headerLen)) as CacheHeader;
    if (header.key !== key) return { problem: 'stale', detail: 'built from other files or another version' };
    let at = pad8(16 + headerLen);
    const words = (n: number): Uint32Array => {
      if (!Number.isInteger(n) || n < 0 || at + 4 * n > buf.length - 4) throw new RangeError('section runs past the end');
      const view = new Uint32Array(buf.buffer, buf.byteOffset + at, n);
      at = pad8(at + 4 * n);
      return view;
    };
    const v4Starts = words(header.v4);
    const v4Values = words(header.v4);
    const v6Starts = words(4 * header.v6);
    const v6Values = words(header.v6);
    const asns = words(header.names);
    const offsets = words(header.names + 1);
    if (at + header.textBytes !== buf.length - 4) throw new RangeError('length does not match the header');
    const text = buf.toString('utf8', at, at + header.textBytes);
    return { data: { table: new RangeTable(v4Starts, v4Values, v6Starts, v6Values), names: new AsNameTable(asns, text, offsets) } };
  } catch (e) {
    return { problem: 'corrupt', detail: (e as Error).message };
  }
}

/** Write the cache atomically (temporary file, then rename): readers see the old file or the new one. */
export function writeTableCache(file: string, key: string, data: LoadedData): void {
  const { table, names } = data;
  const text = Buffer.from(names.text, 'utf8');
  const header: CacheHeader = { key, v4: table.v4Values.length, v6: table.v6Values.length, names: names.size, textBytes: text.length };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const head = Buffer.alloc(pad8(16 + headerBytes.length));
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(LAYOUT_VERSION, 8);
  head.writeUInt32LE(headerBytes.length, 12);
  headerBytes.copy(head, 16);
  const parts: Uint8Array[] = [head];
  for (const arr of [table.v4Starts, table.v4Values, table.v6Starts, table.v6Values, names.asns, names.offsets]) {
    parts.push(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    if (arr.byteLength % 8 !== 0) parts.push(new Uint8Array(8 - (arr.byteLength % 8)));
  }
  parts.push(text);
  const body = Buffer.concat(parts);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(crc32(body), 0);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(temp, Buffer.concat([body, tail]));
    fs.renameSync(temp, file);
  } catch (e) {
    fs.rmSync(temp, { force: true });
    throw e;
  }
}
