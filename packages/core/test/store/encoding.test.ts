import t from 'tap';
import fc from 'fast-check';
import { allocColumn, type ColumnArray, type ColumnType } from '../../src/fields/index.js';
import { inflateRawSync } from 'node:zlib';
import { parseIp } from '../../src/fields/ipcodec.js';
import { decodeColumnEncoded } from '../../src/store/decodecolumn.js';
import { ENCODINGS, StoreError, decodeColumn, encodeColumn, type EncodingName } from '../../src/store/index.js';
import { rng } from './flowdata.js';

/** Index of the first row where the arrays differ (-0 and 0 count as equal, NaN as NaN), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i;
  return -1;
}

type NumType = Exclude<ColumnType, 'ip'>;
const TYPE_MAX: Record<NumType, number> = { f64: 2 ** 53 - 1, u32: 2 ** 32 - 1, u16: 2 ** 16 - 1, u8: 255 };

/** Batches meant to make every encoding applicable somewhere: a name and a value generator. */
const SHAPES: Record<string, (type: NumType, r: () => number, i: number) => number> = {
  'full range': (type, r) => Math.floor(r() * (TYPE_MAX[type] + 1)),
  constant: (type) => Math.min(TYPE_MAX[type], 200),
  'few values': (_type, r) => [3, 17, 99, 250][Math.floor(r() * 4)]!,
  'sorted with a step of 4': (type, _r, i) => Math.min(TYPE_MAX[type], 8 + 4 * Math.floor(i / 3)),
  'heavy tail': (type, r) => Math.min(TYPE_MAX[type], Math.floor(Math.exp(r() * 11))),
};

function numeric(type: NumType, shape: string, rows: number, seed: number): ColumnArray {
  const r = rng(seed);
  const a = allocColumn(type, rows);
  for (let i = 0; i < rows; i++) a[i] = SHAPES[shape]!(type, r, i);
  return a;
}

/** IPv4-mapped, IPv6, mixed, constant, and a few addresses: four words a row. */
function ipBatch(kind: string, rows: number, seed: number): Uint32Array {
  const r = rng(seed);
  const a = new Uint32Array(4 * rows);
  for (let i = 0; i < rows; i++) {
    const v6 = kind === 'ipv6' || (kind === 'mixed' && r() < 0.3);
    if (kind === 'constant') a.set([0x20010db8, 0, 0, 1], 4 * i);
    else if (kind === 'few') a.set([0, 0, 0xffff, 0x0a000001 + Math.floor(r() * 5)], 4 * i);
    else if (v6) for (let k = 0; k < 4; k++) a[4 * i + k] = Math.floor(r() * 2 ** 32);
    else a.set([0, 0, 0xffff, Math.floor(r() * 2 ** 32)], 4 * i);
  }
  return a;
}

/** Which encodings the format defines for which types (docs/storage-format.md). */
const APPLIES: Record<ColumnType, readonly EncodingName[]> = {
  f64: ['raw', 'const', 'for', 'dict', 'varint', 'delta', 'start-offset', 'pfor'],
  u32: ['raw', 'const', 'for', 'dict', 'varint', 'delta', 'pfor'],
  u16: ['raw', 'const', 'for', 'dict', 'varint', 'delta', 'pfor'],
  u8: ['raw', 'const', 'for', 'dict', 'varint', 'delta'],
  ip: ['raw', 'const', 'dict', 'ipv4', 'ip-words', 'ip-dict'],
};

t.test('every encoding round-trips on every type it applies to, plain and deflated', async (t) => {
  const rows = 3000;
  const start = new Float64Array(rows);
  for (let i = 0; i < rows; i++) start[i] = 1.7e15 + i * 1000;
  const used = new Map<string, number>();
  const batches: { type: ColumnType; label: string; values: ColumnArray }[] = [];
  let seed = 10;
  for (const type of ['f64', 'u32', 'u16', 'u8'] as const) {
    for (const shape of Object.keys(SHAPES)) batches.push({ type, label: shape, values: numeric(type, shape, rows, seed++) });
  }
  // end-like times for start-offset: start plus a heavy-tailed duration
  const end = new Float64Array(rows);
  const r = rng(5);
  for (let i = 0; i < rows; i++) end[i] = start[i]! + Math.floor(Math.exp(r() * 12));
  batches.push({ type: 'f64', label: 'end times', values: end });
  for (const kind of ['ipv4', 'ipv6', 'mixed', 'constant', 'few']) batches.push({ type: 'ip', label: kind, values: ipBatch(kind, rows, seed++) });

  for (const { type, label, values } of batches) {
    for (const encoding of ENCODINGS) {
      for (const compression of ['none', 'deflate'] as const) {
        let enc;
        try {
          enc = encodeColumn(type, values, rows, { encoding, compression, start });
        } catch (e) {
          t.ok(e instanceof StoreError && e.code === 'USAGE', `${type} ${label} ${encoding}: refusal is a USAGE error`);
          continue;
        }
        t.equal(enc.encoding, encoding);
        t.equal(enc.compression, compression);
        const back = decodeColumn(type, enc, rows, start);
        t.equal(firstDifference(back, values), -1, `${type} ${label} ${encoding} ${compression}`);
        t.equal(back.constructor, values.constructor, 'decodes into the column type');
        used.set(`${type} ${encoding}`, (used.get(`${type} ${encoding}`) ?? 0) + 1);
      }
    }
  }
  for (const [type, encodings] of Object.entries(APPLIES)) {
    for (const e of encodings) t.ok((used.get(`${type} ${e}`) ?? 0) > 0, `${e} exercised on ${type}`);
  }
  for (const key of used.keys()) {
    const [type, e] = key.split(' ') as [ColumnType, EncodingName];
    t.ok(APPLIES[type].includes(e), `${e} accepted only where the format defines it (${type})`);
  }
});

t.test('the chooser picks what the data calls for', async (t) => {
  const rows = 5000;
  const r = rng(3);
  const constant = new Uint32Array(rows).fill(7);
  t.equal(encodeColumn('u32', constant, rows).encoding, 'const');
  t.equal(encodeColumn('u32', constant, rows).bytes.length, 16, 'a constant column is 16 bytes whatever the rows');

  const times = new Float64Array(rows);
  for (let i = 0; i < rows; i++) times[i] = 1.7e15 + i * 60_000 + Math.floor(r() * 3) * 1000;
  const sorted = Float64Array.from(times).sort();
  t.equal(encodeColumn('f64', sorted, rows, { compression: 'none' }).encoding, 'delta', 'sorted times are delta-encoded');

  const small = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) small[i] = 1_000_000 + Math.floor(r() * 200) * 3;
  const e = encodeColumn('u32', small, rows, { compression: 'none' });
  t.ok(e.bytes.length <= 24 + rows, `200 values in a u32 column take at most one byte a row (${e.bytes.length} bytes, ${e.encoding})`);

  const v4 = ipBatch('ipv4', rows, 4);
  const ev4 = encodeColumn('ip', v4, rows, { compression: 'none' });
  t.equal(ev4.encoding, 'ipv4', 'IPv4-mapped addresses keep only the low word');
  t.ok(ev4.bytes.length <= 16 + 4 * rows);
  t.equal(encodeColumn('ip', ipBatch('few', rows, 5), rows, { compression: 'none' }).bytes.length < 2 * rows, true, 'five addresses: about a byte a row');
  const mixed = encodeColumn('ip', ipBatch('mixed', rows, 6), rows);
  t.not(mixed.encoding, 'ipv4', 'mixed IPv6 cannot use the IPv4 encoding');
  t.equal(firstDifference(decodeColumn('ip', mixed, rows), ipBatch('mixed', rows, 6)), -1, 'mixed IPv6 round-trips');

  // five minutes of sessions lasting up to two seconds: durations need far fewer bytes than the times
  const end = new Float64Array(rows);
  for (let i = 0; i < rows; i++) end[i] = sorted[i]! + Math.floor(r() * 2000) * 1000;
  t.equal(encodeColumn('f64', end, rows, { start: sorted, compression: 'none' }).encoding, 'start-offset', 'end is stored relative to start');
  t.equal(encodeColumn('f64', new Float64Array([0.5, 1.25, NaN, Infinity]), 4).encoding, 'raw', 'non-integers with NaN fall back to raw');
});

t.test('forcing an encoding that does not apply is a USAGE error that says why', async (t) => {
  const frac = new Float64Array([0.5, 1.5, 2.25]);
  t.throws(() => encodeColumn('f64', frac, 3, { encoding: 'for' }), { code: 'USAGE', message: /integers/ });
  t.throws(() => encodeColumn('u16', new Uint16Array([1, 2]), 2, { encoding: 'const' }), { code: 'USAGE', message: /same value/ });
  t.throws(() => encodeColumn('u32', new Uint32Array(4), 4, { encoding: 'ipv4' }), { code: 'USAGE', message: /ip column/ });
  t.throws(() => encodeColumn('ip', ipBatch('ipv6', 4, 1), 4, { encoding: 'ipv4' }), { code: 'USAGE', message: /IPv4-mapped/ });
  t.throws(() => encodeColumn('f64', new Float64Array(4), 4, { encoding: 'start-offset' }), { code: 'USAGE', message: /start column/ });
  t.throws(() => encodeColumn('u8', new Uint8Array(4), 4, { encoding: 'zstd' as EncodingName }), { code: 'USAGE', message: /unknown encoding 'zstd'/ });
  const many = new Float64Array(70000);
  for (let i = 0; i < many.length; i++) many[i] = i * 1.5;
  t.throws(() => encodeColumn('f64', many, many.length, { encoding: 'dict' }), { code: 'USAGE', message: /65536/ });
});

t.test('damaged blobs throw CORRUPT instead of decoding garbage', async (t) => {
  const rows = 100;
  const v = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) v[i] = (i * 7919) % 300;
  const dict = encodeColumn('u32', v, rows, { encoding: 'dict', compression: 'none' });
  const short = { ...dict, bytes: dict.bytes.subarray(0, dict.bytes.length - 1), blobLength: dict.blobLength - 1 };
  t.throws(() => decodeColumn('u32', short, rows), { code: 'CORRUPT' }, 'one byte short');
  t.throws(() => decodeColumn('u32', dict, rows + 1), { code: 'CORRUPT' }, 'fewer rows than asked');
  t.throws(() => decodeColumn('u16', dict, rows), { code: 'CORRUPT', message: /type u32, expected u16/ }, 'type mismatch');
  const unknown = Uint8Array.from(dict.bytes);
  unknown[0] = 200;
  t.throws(() => decodeColumn('u32', { ...dict, bytes: unknown }, rows), { code: 'CORRUPT', message: /unknown encoding id 200/ });
  const badIndex = Uint8Array.from(dict.bytes);
  badIndex[badIndex.length - 1] = 0xff;
  t.throws(() => decodeColumn('u32', { ...dict, bytes: badIndex }, rows), { code: 'CORRUPT', message: /dictionary index/ });
  const varint = encodeColumn('u32', v, rows, { encoding: 'varint', compression: 'none' });
  const runaway = Uint8Array.from(varint.bytes);
  runaway[runaway.length - 1] = 0x80;
  t.throws(() => decodeColumn('u32', { ...varint, bytes: runaway }, rows), { code: 'CORRUPT', message: /varint/ });
  const deflated = encodeColumn('u32', v, rows, { compression: 'deflate' });
  t.throws(() => decodeColumn('u32', { ...deflated, bytes: deflated.bytes.subarray(0, 5) }, rows), { code: 'CORRUPT', message: /inflate/ });
  const times = Float64Array.from({ length: rows }, (_, i) => 1e15 + i);
  const rel = encodeColumn('f64', times, rows, { encoding: 'start-offset', start: times });
  t.throws(() => decodeColumn('f64', rel, rows), { code: 'CORRUPT', message: /start column/ }, 'start-offset without start');
});

t.test('a column whose first value is NaN is encoded (it once sent the step computation into an endless gcd)', async (t) => {
  // found by the property below with fast-check seed 10: NaN first, then large integers
  const v = Float64Array.from([NaN, 24, 7394814748765667, 878465509268404, 9007199254740977, 1.7e15, 1968452814, 0, 396155119]);
  const back = decodeColumn('f64', encodeColumn('f64', v, v.length), v.length);
  t.ok(Number.isNaN(back[0]), 'NaN comes back');
  t.same(Array.from(back.subarray(1)), Array.from(v.subarray(1)), 'and every other value');
});

t.test('any batch of any type round-trips through the chosen encoding', async (t) => {
  const f64 = fc.oneof(
    fc.double(),
    fc.integer({ min: 0, max: 2 ** 31 }),
    fc.maxSafeNat(),
    fc.constantFrom(0, 1, 1.7e15, 2 ** 53 - 1, -(2 ** 53) + 1),
  );
  const check = <T extends unknown[]>(what: string, p: fc.IProperty<T>): void => {
    t.doesNotThrow(() => fc.assert(p, { numRuns: 150 }), what);
  };
  check(
    'f64',
    fc.property(fc.array(f64, { minLength: 1, maxLength: 600 }), (a) => {
      const v = Float64Array.from(a);
      return firstDifference(decodeColumn('f64', encodeColumn('f64', v, v.length), v.length), v) === -1;
    }),
  );
  check(
    'u32',
    fc.property(fc.array(fc.nat({ max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 600 }), (a) => {
      const v = Uint32Array.from(a);
      return firstDifference(decodeColumn('u32', encodeColumn('u32', v, v.length), v.length), v) === -1;
    }),
  );
  check(
    'u16',
    fc.property(fc.array(fc.nat({ max: 65535 }), { minLength: 1, maxLength: 600 }), (a) => {
      const v = Uint16Array.from(a);
      return firstDifference(decodeColumn('u16', encodeColumn('u16', v, v.length), v.length), v) === -1;
    }),
  );
  check(
    'u8',
    fc.property(fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 600 }), (a) => {
      const v = Uint8Array.from(a);
      return firstDifference(decodeColumn('u8', encodeColumn('u8', v, v.length), v.length), v) === -1;
    }),
  );
  check(
    'ip',
    fc.property(
      fc.array(fc.oneof(fc.tuple(fc.constant(0), fc.constant(0), fc.constant(0xffff), fc.nat({ max: 2 ** 32 - 1 })), fc.array(fc.nat({ max: 2 ** 32 - 1 }), { minLength: 4, maxLength: 4 })), {
        minLength: 1,
        maxLength: 300,
      }),
      (rowsOf) => {
        const v = Uint32Array.from(rowsOf.flat());
        return firstDifference(decodeColumn('ip', encodeColumn('ip', v, rowsOf.length), rowsOf.length), v) === -1;
      },
    ),
  );
  t.equal(decodeColumn('u8', encodeColumn('u8', new Uint8Array(0), 0), 0).length, 0, 'zero rows');
});

t.test("'raw' without compression (the checkpoint's fast path) writes the general encoder's raw blob and stats", async (t) => {
  const { inflateRawSync } = await import('node:zlib');
  const rows = 3000;
  const r = rng(77);
  const cases: { type: ColumnType; values: ColumnArray; stats: { min: number; max: number } | undefined }[] = [];
  const f = new Float64Array(rows);
  for (let i = 0; i < rows; i++) f[i] = Math.floor(r() * 1e12) - 5e11;
  cases.push({ type: 'f64', values: f, stats: { min: Math.min(...f), max: Math.max(...f) } });
  const withNaN = Float64Array.from(f);
  withNaN[17] = NaN;
  cases.push({ type: 'f64', values: withNaN, stats: undefined });
  const u = new Uint16Array(rows);
  for (let i = 0; i < rows; i++) u[i] = 100 + Math.floor(r() * 900);
  cases.push({ type: 'u16', values: u, stats: { min: Math.min(...u), max: Math.max(...u) } });
  cases.push({ type: 'ip', values: ipBatch('mixed', rows, 3), stats: undefined });
  for (const c of cases) {
    const fast = encodeColumn(c.type, c.values, rows, { encoding: 'raw', compression: 'none' });
    const general = encodeColumn(c.type, c.values, rows, { encoding: 'raw', compression: 'deflate' });
    t.same(Buffer.from(fast.bytes), inflateRawSync(general.bytes), `${c.type}: same bytes as the general raw encoder`);
    t.same(fast.stats, c.stats, `${c.type}: stats`);
    t.same(fast.stats, general.stats, `${c.type}: stats as the general encoder gives`);
  }
});

t.test('pfor: every width, exceptions anywhere, edge values', async (t) => {
  const cases: { label: string; type: NumType; values: number[]; width: number }[] = [];
  const heavy = (n: number, seed: number, small: number, big: number): number[] => {
    const r = rng(seed);
    return Array.from({ length: n }, () => (r() < 0.9 ? Math.floor(r() * small) : small + Math.floor(r() * big)));
  };
  cases.push({ label: 'bytes, a byte and exceptions', type: 'f64', values: heavy(1000, 1, 256, 1e6), width: 1 });
  cases.push({ label: 'bytes, two bytes and exceptions', type: 'f64', values: heavy(1000, 2, 65536, 5e9), width: 2 });
  // four bytes: exceptions need 2^32 and more, up to the largest safe integer
  cases.push({ label: 'four bytes, exceptions to 2^53 - 1', type: 'f64', values: [...heavy(300, 3, 2 ** 32, 0), 2 ** 53 - 1, 2 ** 32, 2 ** 40 + 7], width: 4 });
  // high parts are u32: 2^(8w + 32) - 1 is the largest a width w can patch
  cases.push({ label: 'the largest a 1-byte frame patches', type: 'f64', values: [0, 5, 2 ** 40 - 1, 255, 256], width: 1 });
  cases.push({ label: 'the largest a 2-byte frame patches', type: 'f64', values: [1, 2 ** 48 - 1, ...Array(20).fill(3)], width: 2 });
  cases.push({ label: 'exceptions in the first and last rows', type: 'u32', values: [4e9, 1, 2, 3, 1, 0, 4e9], width: 1 });
  cases.push({ label: 'a negative base and a step of 1000', type: 'f64', values: [-5000, -4000, 1e9 - 5000, -3000, 2e12], width: 1 });
  cases.push({ label: 'u16 in one byte', type: 'u16', values: [0, 1, 65535, 7, 300, 2, 2], width: 1 });
  for (const c of cases) {
    const v = allocColumn(c.type, c.values.length);
    c.values.forEach((x, i) => (v[i] = x));
    for (const compression of ['none', 'deflate'] as const) {
      const enc = encodeColumn(c.type, v, c.values.length, { encoding: 'pfor', compression });
      const blob = compression === 'none' ? enc.bytes : new Uint8Array(inflateRawSync(enc.bytes));
      t.equal(blob[2], c.width, `${c.label}: ${c.width}-byte frame`);
      t.equal(firstDifference(decodeColumn(c.type, enc, c.values.length), v), -1, `${c.label} (${compression})`);
    }
  }
  const flat = Float64Array.from([3, 4, 5, 6]);
  t.throws(() => encodeColumn('f64', flat, 4, { encoding: 'pfor' }), { code: 'USAGE', message: /some, not all/ }, 'nothing to patch: for is the encoding');
  t.throws(() => encodeColumn('u8', Uint8Array.of(0, 255), 2, { encoding: 'pfor' }), { code: 'USAGE' }, 'a byte never needs patching');
  t.throws(() => encodeColumn('f64', Float64Array.of(0.5, 1e6), 2, { encoding: 'pfor' }), { code: 'USAGE' }, 'not integers');
});

t.test('the chooser stores heavy-tailed volumes as pfor, not varint', async (t) => {
  const rows = 20000;
  const r = rng(42);
  const bytes = new Float64Array(rows);
  // mostly below 64 KiB, a tail to gigabytes: what session byte counts look like
  for (let i = 0; i < rows; i++) bytes[i] = 40 + Math.floor(Math.exp(r() * 11)) + (r() < 0.05 ? Math.floor(r() * 2e9) : 0);
  const e = encodeColumn('f64', bytes, rows, { compression: 'none' });
  t.equal(e.encoding, 'pfor');
  t.ok(e.bytes.length < 3 * rows, `under 3 bytes a row (${(e.bytes.length / rows).toFixed(2)})`);
});

t.test('damaged pfor blobs throw CORRUPT', async (t) => {
  const v = Float64Array.from([1, 2, 70000, 3, 80000, 4]);
  const enc = encodeColumn('f64', v, 6, { encoding: 'pfor', compression: 'none' });
  t.equal(enc.bytes[2], 1);
  const posAt = Math.ceil((24 + 6) / 8) * 8;
  const swapped = Uint8Array.from(enc.bytes);
  new DataView(swapped.buffer).setUint32(posAt, 4, true); // positions 4, 4: not ascending
  t.throws(() => decodeColumn('f64', { ...enc, bytes: swapped }, 6), { code: 'CORRUPT', message: /pfor exception 1/ });
  const beyond = Uint8Array.from(enc.bytes);
  new DataView(beyond.buffer).setUint32(posAt + 4, 6, true); // row 6 of 6
  t.throws(() => decodeColumn('f64', { ...enc, bytes: beyond }, 6), { code: 'CORRUPT', message: /below 6/ });
  const more = Uint8Array.from(enc.bytes);
  new DataView(more.buffer).setUint32(4, 3, true); // three exceptions claimed, two stored
  t.throws(() => decodeColumn('f64', { ...enc, bytes: more }, 6), { code: 'CORRUPT', message: /pfor blob is/ });
});

t.test('ip-dict: addresses below, in and above the IPv4-mapped run, both index widths', async (t) => {
  const addr = (s: string): number[] => Array.from(parseIp(s)!);
  const pool = ['::', '::1', '::fffe:1:2', '0.0.0.0', '10.0.0.1', '10.0.0.2', '255.255.255.255', '2001:db8::1', 'fe80::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'];
  const r = rng(9);
  for (const [label, addrs] of [
    ['mixed', pool],
    ['IPv4 only', pool.slice(3, 7)],
    ['IPv6 only', ['::1', '2001:db8::1', 'fe80::1']],
    ['300 addresses: 2-byte indices', Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `2001:db8::${i.toString(16)}` : `10.1.${i >> 8}.${i & 255}`))],
  ] as const) {
    const rows = 2000;
    const v = new Uint32Array(4 * rows);
    for (let i = 0; i < rows; i++) v.set(addr(addrs[Math.floor(r() * addrs.length)]!), 4 * i);
    for (const compression of ['none', 'deflate'] as const) {
      const enc = encodeColumn('ip', v, rows, { encoding: 'ip-dict', compression });
      t.equal(firstDifference(decodeColumn('ip', enc, rows), v), -1, `${label} (${compression})`);
      const coded = decodeColumnEncoded('ip', enc, rows);
      if (coded.kind !== 'dict') throw new Error('expected codes');
      const back = new Uint32Array(4 * rows);
      for (let i = 0; i < rows; i++) back.set(coded.dict.subarray(4 * coded.codes[i]!, 4 * coded.codes[i]! + 4), 4 * i);
      t.equal(firstDifference(back, v), -1, `${label}: codes and dictionary (${compression})`);
      const [from, to] = coded.v4!;
      for (let k = 0; k < coded.size; k++) {
        const mapped = coded.dict[4 * k] === 0 && coded.dict[4 * k + 1] === 0 && coded.dict[4 * k + 2] === 0xffff;
        if (mapped !== (k >= from && k < to)) t.fail(`${label}: entry ${k} is ${mapped ? '' : 'not '}IPv4-mapped but ${mapped ? 'outside' : 'inside'} the marked run`);
      }
      t.ok(coded.codes.BYTES_PER_ELEMENT === (coded.size <= 256 ? 1 : 2), `${label}: ${coded.codes.BYTES_PER_ELEMENT}-byte indices`);
    }
  }
  const mixed = new Uint32Array(4 * 200);
  for (let i = 0; i < 200; i++) mixed.set(addr(pool[i % pool.length]!), 4 * i);
  t.equal(encodeColumn('ip', mixed, 200, { compression: 'none' }).encoding, 'ip-dict', 'the chooser takes it for a few addresses of both families');
});

t.test('damaged ip-dict blobs and out-of-range codes throw CORRUPT', async (t) => {
  const rows = 64;
  const v = new Uint32Array(4 * rows);
  for (let i = 0; i < rows; i++) v.set(i % 2 === 0 ? [0, 0, 0xffff, i] : [0x20010db8, 0, 0, i], 4 * i);
  const enc = encodeColumn('ip', v, rows, { encoding: 'ip-dict', compression: 'none' });
  const runs = Uint8Array.from(enc.bytes);
  new DataView(runs.buffer).setUint32(12, rows + 1, true); // IPv4-mapped run longer than the dictionary
  t.throws(() => decodeColumn('ip', { ...enc, bytes: runs }, rows), { code: 'CORRUPT', message: /exceed/ });
  const code = Uint8Array.from(enc.bytes);
  code[code.length - 1] = 200; // 64 entries, 1-byte indices
  t.throws(() => decodeColumn('ip', { ...enc, bytes: code }, rows), { code: 'CORRUPT', message: /dictionary index 200/ });
  t.throws(() => decodeColumnEncoded('ip', { ...enc, bytes: code }, rows), { code: 'CORRUPT', message: /dictionary index 200/ });
  t.throws(() => decodeColumn('ip', { ...enc, bytes: enc.bytes.subarray(0, 12), blobLength: 12 }, rows), { code: 'CORRUPT', message: /shorter/ });
});

t.test('2-byte codes beyond the dictionary are found wherever they are (aligned, unaligned, odd rows)', async (t) => {
  for (const rows of [1, 2, 7, 8, 9, 1001]) {
    const v = new Uint32Array(rows);
    for (let i = 0; i < rows; i++) v[i] = 1000 + (i % 300);
    const enc = encodeColumn('u32', v, rows, { encoding: 'dict', compression: 'none' });
    t.equal(decodeColumnEncoded('u32', enc, rows).kind, 'dict', `${rows} rows: intact codes pass`);
    const idxAt = enc.bytes.length - rows * enc.bytes[2]!;
    for (const at of new Set([0, 1, rows >> 1, rows - 1].filter((x) => x < rows))) {
      const bad = Uint8Array.from(enc.bytes);
      if (enc.bytes[2] === 2) new DataView(bad.buffer).setUint16(idxAt + 2 * at, 0xfff0, true);
      else bad[idxAt + at] = 0xff;
      const d = new DataView(bad.buffer).getUint32(4, true);
      if (enc.bytes[2] === 1 && d > 0xff) continue;
      t.throws(() => decodeColumnEncoded('u32', { ...enc, bytes: bad }, rows), { code: 'CORRUPT', message: /dictionary index/ }, `${rows} rows, bad code at ${at}`);
      // the same bytes one byte further into a buffer: the codes are no longer 4-byte aligned
      const shifted = new Uint8Array(bad.length + 2).subarray(2);
      shifted.set(bad);
      t.throws(() => decodeColumnEncoded('u32', { ...enc, bytes: shifted }, rows), { code: 'CORRUPT', message: /dictionary index/ }, `${rows} rows, bad code at ${at}, unaligned`);
    }
  }
});
