import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import t from 'tap';
import { COLUMN_DEFS, COLUMN_NAMES, SCHEMA_VERSION, wordsPerRow, type ColumnName, type Columns } from '../../src/fields/index.js';
import { ColumnStore, FORMAT_VERSION, openSegment, readSegmentInfo, verifySegment, writeSegment, type EncodingName, type SegmentFileInfo } from '../../src/store/index.js';
import { plausibleFlows, randomColumns, rng } from './flowdata.js';

/** Rows of `cols` in stable ascending order of start, computed here independently of the store. */
function stableOrder(cols: Columns, rows: number): number[] {
  const s = cols.start;
  return Array.from({ length: rows }, (_, i) => i).sort((a, b) => s[a]! - s[b]! || a - b);
}

/** Number of (row, column) cells where `got` differs from `cols` taken in `order`. */
function mismatches(cols: Columns, order: readonly number[], got: Partial<Record<ColumnName, ArrayLike<number>>>, names = COLUMN_NAMES): string[] {
  const bad: string[] = [];
  for (const name of names) {
    const w = wordsPerRow(COLUMN_DEFS.find((d) => d.name === name)!.type);
    const g = got[name]!;
    if (g.length !== order.length * w) {
      bad.push(`${name}: ${g.length / w} rows`);
      continue;
    }
    for (let i = 0; i < order.length; i++) {
      for (let k = 0; k < w; k++) {
        if (g[i * w + k] !== cols[name][order[i]! * w + k]) {
          bad.push(`${name} row ${i}`);
          i = order.length;
          break;
        }
      }
    }
  }
  return bad;
}

function flipByte(file: string, offset: number): void {
  const fd = fs.openSync(file, 'r+');
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, offset);
  b[0] = b[0]! ^ 0x5a;
  fs.writeSync(fd, b, 0, 1, offset);
  fs.closeSync(fd);
}

/** Rewrite header bytes and fix the header CRC, as a newer writer would have produced them. */
function patchHeader(file: string, patch: (dv: DataView) => void): void {
  const buf = fs.readFileSync(file);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  patch(dv);
  dv.setUint32(76, crc32(buf.subarray(0, 76)), true);
  fs.writeFileSync(file, buf);
}

function entry(info: SegmentFileInfo, name: string) {
  return info.columns.find((c) => c.name === name)!;
}

t.test('a batch round-trips through a segment file, stably sorted by start', async (t) => {
  const dir = t.testdir();
  const rows = 4000;
  const cols = randomColumns(rows, 11);
  // ties, to see that equal starts keep their order
  const r = rng(9);
  for (let i = 0; i < rows; i += 3) cols.start[i] = cols.start[Math.floor(r() * rows)]!;
  for (let i = 0; i < rows; i++) if (cols.end[i]! < cols.start[i]!) cols.end[i] = cols.start[i]!;
  const info = writeSegment(dir, 7, cols, rows);
  t.equal(path.basename(info.ref.path), 'seg-0000000007.otq');
  t.same(readSegmentInfo(info.ref.path), info, 'the reader sees what the writer reported');
  const order = stableOrder(cols, rows);
  const reader = openSegment(info.ref.path);
  t.same(mismatches(cols, order, reader.read(COLUMN_NAMES)), [], 'every column, every row');
  reader.close();
  t.throws(() => reader.read(['start']), { code: 'CLOSED' });

  const starts = Array.from(cols.start.subarray(0, rows));
  t.equal(info.startMin, Math.min(...starts));
  t.equal(info.startMax, Math.max(...starts));
  t.equal(info.endMax, Math.max(...Array.from(cols.end.subarray(0, rows))));
  t.same(info.stats.srvport, { min: Math.min(...cols.srvport.subarray(0, rows)), max: Math.max(...cols.srvport.subarray(0, rows)) });
  t.equal(info.stats.clnip, undefined, 'no min/max for ip columns');
  t.equal(info.rows, rows);
  t.equal(info.formatVersion, FORMAT_VERSION);
  t.equal(info.schemaVersion, SCHEMA_VERSION);
  t.equal(info.fileBytes, fs.statSync(info.ref.path).size);
  t.same(fs.readdirSync(dir), ['seg-0000000007.otq'], 'no temporary file left');
});

t.test('times spanning more than 2^32 µs sort too (comparison fallback)', async (t) => {
  const dir = t.testdir();
  const rows = 3000;
  const cols = randomColumns(rows, 12);
  const r = rng(1);
  for (let i = 0; i < rows; i++) {
    cols.start[i] = 1.6e15 + Math.floor(r() * 50) * 1e9 + (i % 7);
    cols.end[i] = cols.start[i]! + 5;
  }
  const info = writeSegment(dir, 1, cols, rows);
  const got = openSegment(info.ref.path).read(COLUMN_NAMES);
  t.same(mismatches(cols, stableOrder(cols, rows), got), []);
});

t.test('encodings forced per column through the writer', async (t) => {
  const dir = t.testdir();
  const rows = 2000;
  const cols = plausibleFlows(rows, 3);
  const forced = {
    start: 'varint',
    end: 'delta',
    clnip: 'ip-words',
    srvip: 'dict',
    expip: 'raw',
    clnpkts: 'dict',
    srvport: 'for',
    proto: 'varint',
    mpls: 'raw',
    srvbyts: 'for',
  } as const;
  const info = writeSegment(dir, 1, cols, rows, { encodings: forced, compression: 'none' });
  for (const [name, e] of Object.entries(forced)) t.equal(entry(info, name).encoding, e, `${name} ${e}`);
  t.same(mismatches(cols, stableOrder(cols, rows), openSegment(info.ref.path).read(COLUMN_NAMES)), []);
  t.throws(() => writeSegment(dir, 2, cols, rows, { encodings: { proto: 'ipv4' } }), { code: 'USAGE', column: 'proto' });
  t.same(fs.readdirSync(dir), ['seg-0000000001.otq'], 'the failed write left nothing behind');
});

t.test('readEncoded: dictionary columns as codes and dictionary, the rest as values', async (t) => {
  const dir = t.testdir();
  const rows = 2500;
  const cols = plausibleFlows(rows, 8);
  const dict = { srvip: 'dict', clnip: 'ip-words', clnpkts: 'dict', clncc: 'dict', clnmac: 'dict', srvport: 'for' } as const;
  const names = Object.keys(dict) as (keyof typeof dict)[];
  for (const compression of ['none', 'deflate'] as const) {
    const info = writeSegment(dir, compression === 'none' ? 1 : 2, cols, rows, { encodings: dict, compression });
    const reader = openSegment(info.ref.path);
    const plain = reader.read(names);
    const coded = reader.readEncoded(names);
    t.same(Object.keys(coded).sort(), [...names].sort(), `${compression}: exactly the named columns`);
    for (const name of names) {
      const c = coded[name]!;
      t.equal(c.kind, dict[name] === 'dict' ? 'dict' : 'plain', `${compression}: ${name} is ${c.kind}`);
      const w = wordsPerRow(COLUMN_DEFS.find((d) => d.name === name)!.type);
      let expanded: number[];
      if (c.kind === 'dict') {
        expanded = [];
        for (let i = 0; i < rows; i++) for (let k = 0; k < w; k++) expanded.push(c.dict[c.codes[i]! * w + k]!);
        t.ok(c.size < rows, `${name}: ${c.size} entries for ${rows} rows`);
      } else if (c.kind === 'plain') expanded = Array.from(c.values);
      else throw new Error(`${name}: a frame, though none was asked for`);
      t.strictSame(expanded, Array.from(plain[name]!), `${compression}: ${name} reads the same either way`);
    }
    reader.close();
  }
  // a code beyond the dictionary is corruption, as it is for read()
  const info = writeSegment(dir, 3, cols, rows, { encodings: { clncc: 'dict' }, compression: 'none', computeCrc: false });
  const e = entry(info, 'clncc');
  const fd = fs.openSync(info.ref.path, 'r+');
  fs.writeSync(fd, Buffer.from([0xff]), 0, 1, e.offset + e.length - 1);
  fs.closeSync(fd);
  const reader = openSegment(info.ref.path);
  t.throws(() => reader.readEncoded(['clncc']), { code: 'CORRUPT', column: 'clncc', message: /dictionary index 255 beyond/ });
  t.throws(() => reader.read(['clncc']), { code: 'CORRUPT', column: 'clncc' });
  t.throws(() => reader.readEncoded(['nosuch' as ColumnName]), { code: 'USAGE' });
  reader.close();
});

t.test('reading a subset touches only those columns', async (t) => {
  const dir = t.testdir();
  const rows = 3000;
  const cols = plausibleFlows(rows, 4);
  const info = writeSegment(dir, 1, cols, rows);
  const order = stableOrder(cols, rows);
  // damage a column nobody asks for: the subset still reads
  const clnbyts = entry(info, 'clnbyts');
  flipByte(info.ref.path, clnbyts.offset + (clnbyts.length >> 1));
  const reader = openSegment(info.ref.path);
  const got = reader.read(['srvport', 'end']);
  t.same(Object.keys(got).sort(), ['end', 'srvport'], 'exactly the named columns');
  t.same(mismatches(cols, order, got, ['srvport', 'end']), []);
  t.throws(() => reader.read(['clnbyts']), { code: 'CORRUPT', column: 'clnbyts' });
  t.throws(() => reader.read(['nosuch' as ColumnName]), { code: 'USAGE', message: /unknown column 'nosuch'/ });
  reader.close();
});

t.test('reads with a scratch record decode into its arrays once they are big enough', async (t) => {
  const dir = t.testdir();
  const names: ColumnName[] = ['clnbyts', 'srvip', 'proto', 'end', 'start'];
  const segs = [2000, 500, 3000].map((rows, i) => {
    const cols = plausibleFlows(rows, 10 + i);
    return { rows, cols, order: stableOrder(cols, rows), path: writeSegment(dir, i + 1, cols, rows).ref.path };
  });
  const scratch: Partial<Record<ColumnName, Columns[ColumnName]>> = {};
  const read = (i: number): Partial<Columns> => {
    const r = openSegment(segs[i]!.path);
    try {
      return r.read(names, scratch);
    } finally {
      r.close();
    }
  };
  const first = read(0);
  t.same(mismatches(segs[0]!.cols, segs[0]!.order, first, names), [], 'first segment reads right');
  t.ok(names.every((n) => scratch[n] === first[n]), 'the arrays it allocated are left in scratch');
  const kept = { ...scratch };
  const second = read(1);
  t.same(mismatches(segs[1]!.cols, segs[1]!.order, second, names), [], 'a smaller segment reads right into the scratch arrays');
  t.ok(names.every((n) => second[n]!.buffer === kept[n]!.buffer && second[n]!.length === 500 * wordsPerRow(COLUMN_DEFS.find((d) => d.name === n)!.type)), 'as views of their first rows');
  t.ok(names.every((n) => scratch[n] === kept[n]), 'scratch keeps the bigger arrays');
  const third = read(2);
  t.same(mismatches(segs[2]!.cols, segs[2]!.order, third, names), [], 'a bigger segment reads right');
  t.ok(names.every((n) => scratch[n] === third[n] && third[n]!.buffer !== kept[n]!.buffer), 'into new arrays, left in scratch');
  // an array of the wrong type is not written into
  const wrong = new Uint8Array(10 ** 6);
  const r = openSegment(segs[1]!.path);
  const got = r.read(['clnbyts'], { clnbyts: wrong });
  r.close();
  t.ok(got.clnbyts instanceof Float64Array && wrong.every((b) => b === 0), 'a scratch array of another type is left alone');
});

t.test('a flipped byte in a column blob is caught by its CRC, naming file and column', async (t) => {
  const dir = t.testdir();
  const rows = 1000;
  const cols = plausibleFlows(rows, 5);
  for (const [id, name] of (['srvip', 'start', 'clnport'] as const).entries()) {
    const info = writeSegment(dir, id + 1, cols, rows, { compression: 'none' });
    const e = entry(info, name);
    flipByte(info.ref.path, e.offset + e.length - 1);
    t.doesNotThrow(() => readSegmentInfo(info.ref.path), 'header and directory are intact');
    const reader = openSegment(info.ref.path);
    t.throws(() => reader.read([name]), { code: 'CORRUPT', column: name, path: info.ref.path, message: new RegExp(`${info.ref.path}: column ${name}: checksum`) });
    reader.close();
    t.throws(() => verifySegment(info.ref.path), { code: 'CORRUPT', column: name });
  }
});

t.test('a column found intact is not summed again in this thread, until the file changes; verify always sums', async (t) => {
  const zlib = await import('node:zlib');
  let sums = 0;
  const counting = (data: Parameters<typeof zlib.crc32>[0], value?: number): number => {
    sums++;
    return zlib.crc32(data, value);
  };
  const reader = await t.mockImport<typeof import('../../src/store/segmentreader.js')>('../../src/store/segmentreader.js', {
    'node:zlib': { ...zlib, crc32: counting },
  });
  const dir = t.testdir();
  const rows = 1000;
  const cols = plausibleFlows(rows, 6);
  const info = writeSegment(dir, 1, cols, rows, { compression: 'none' });
  const order = stableOrder(cols, rows);
  const readClnport = (): void => {
    const r = reader.openSegment(info.ref.path);
    try {
      t.strictSame(mismatches(cols, order, r.read(['clnport']), ['clnport']), []);
    } finally {
      r.close();
    }
  };
  sums = 0;
  readClnport();
  const once = sums;
  readClnport();
  t.equal(sums - once, once - 1, 'the second read sums the header and directory again, not the column');
  reader.verifySegment(info.ref.path);
  t.ok(sums - 2 * once + 1 >= info.columns.length, 'verify sums every column');
  // a write to the file (its change time moves) makes the column be summed again
  const e = entry(info, 'clnport');
  flipByte(info.ref.path, e.offset + 8);
  t.throws(() => readClnport(), { code: 'CORRUPT', column: 'clnport' }, 'a changed file is summed again');
  t.throws(() => reader.verifySegment(info.ref.path), { code: 'CORRUPT', column: 'clnport' });
});

t.test('format 1 segments (before pfor and ip-dict) still read', async (t) => {
  const dir = t.testdir();
  const rows = 2000;
  const cols = plausibleFlows(rows, 8);
  // what a format 1 writer could choose: every column the writer now stores as pfor or ip-dict gets varint or dict
  const encodings: Partial<Record<ColumnName, EncodingName>> = {};
  for (const c of writeSegment(dir, 9, cols, rows).columns) {
    if (c.encoding === 'pfor') encodings[c.name as ColumnName] = 'varint';
    if (c.encoding === 'ip-dict') encodings[c.name as ColumnName] = 'dict';
  }
  t.ok(Object.keys(encodings).length >= 4, 'volumes and addresses would be in format 2 encodings');
  encodings.clnip = 'dict';
  const info = writeSegment(dir, 1, cols, rows, { encodings });
  for (const c of info.columns) t.not(['pfor', 'ip-dict'].includes(c.encoding), true, `${c.name} uses a format 1 encoding (${c.encoding})`);
  patchHeader(info.ref.path, (dv) => dv.setUint16(8, 1, true));
  const old = readSegmentInfo(info.ref.path);
  t.equal(old.formatVersion, 1);
  const reader = openSegment(info.ref.path);
  t.strictSame(mismatches(cols, stableOrder(cols, rows), reader.read(COLUMN_NAMES)), [], 'every column reads back');
  const coded = reader.readEncoded(['clnip']);
  t.equal(coded.clnip!.kind, 'dict', 'its dictionaries are still handed out as codes');
  reader.close();
});

t.test('computecrc no: no column CRCs written or checked; structure still checked', async (t) => {
  const dir = t.testdir();
  const rows = 500;
  const cols = plausibleFlows(rows, 6);
  const info = writeSegment(dir, 1, cols, rows, { computeCrc: false, encodings: { clnport: 'raw' }, compression: 'none' });
  t.equal(info.columnCrc, false);
  t.ok(info.columns.every((c) => c.crc === 0));
  const e = entry(info, 'clnport');
  flipByte(info.ref.path, e.offset + 8);
  const got = openSegment(info.ref.path).read(['clnport']).clnport!;
  t.not(got[0], cols.clnport[stableOrder(cols, rows)[0]!], 'damage in a raw payload goes unseen without CRCs');
  t.doesNotThrow(() => verifySegment(info.ref.path));
  flipByte(info.ref.path, 30);
  t.throws(() => readSegmentInfo(info.ref.path), { code: 'CORRUPT', message: /header checksum/ }, 'the header CRC is always there');
});

t.test('torn, truncated and foreign files are refused', async (t) => {
  const dir = t.testdir();
  const rows = 800;
  const cols = plausibleFlows(rows, 7);
  const info = writeSegment(dir, 1, cols, rows);
  const good = fs.readFileSync(info.ref.path);
  const file = path.join(dir, 'x.otq');
  const cases: [string, Buffer, RegExp][] = [
    ['empty', Buffer.alloc(0), /shorter than the 80-byte segment header/],
    ['garbage', Buffer.from('this is not a segment, just some text that is long enough to fill a header '.repeat(3)), /bad magic/],
    ['cut in the data', good.subarray(0, good.length - 10), /truncated/],
    ['cut in the directory', good.subarray(0, 120), /truncated/],
    ['cut in the header', good.subarray(0, 40), /shorter than/],
    ['extended', Buffer.concat([good, Buffer.alloc(7)]), /extended/],
  ];
  for (const [what, bytes, msg] of cases) {
    fs.writeFileSync(file, bytes);
    t.throws(() => readSegmentInfo(file), { code: 'CORRUPT', message: msg }, what);
    t.throws(() => openSegment(file), { code: 'CORRUPT' }, `${what}: cannot be opened either`);
  }
  fs.writeFileSync(file, good);
  flipByte(file, 150);
  t.throws(() => readSegmentInfo(file), { code: 'CORRUPT', message: /directory checksum/ });
  t.throws(() => readSegmentInfo(path.join(dir, 'none.otq')), { code: 'MISSING' });
});

t.test('newer format or schema versions are refused with a clear error', async (t) => {
  const dir = t.testdir();
  const cols = plausibleFlows(100, 8);
  const a = writeSegment(dir, 1, cols, 100).ref.path;
  patchHeader(a, (dv) => dv.setUint16(8, FORMAT_VERSION + 1, true));
  t.throws(() => readSegmentInfo(a), { code: 'VERSION', message: new RegExp(`format version ${FORMAT_VERSION + 1} is newer.*upgrade opentraq`) });
  const b = writeSegment(dir, 2, cols, 100).ref.path;
  patchHeader(b, (dv) => dv.setUint16(10, SCHEMA_VERSION + 1, true));
  t.throws(() => readSegmentInfo(b), { code: 'VERSION', message: new RegExp(`schema version ${SCHEMA_VERSION + 1} is newer`) });
});

t.test('a segment of an older schema reads its missing columns as zeros', async (t) => {
  const dir = t.testdir();
  const rows = 1500;
  const cols = plausibleFlows(rows, 9);
  cols.mpls.fill(123);
  cols.flows.fill(4);
  const older = COLUMN_NAMES.filter((n) => n !== 'mpls' && n !== 'flows');
  const info = writeSegment(dir, 1, cols, rows, { schemaVersion: SCHEMA_VERSION - 1, columns: older });
  t.equal(info.schemaVersion, SCHEMA_VERSION - 1);
  t.notOk(info.columns.some((c) => c.name === 'mpls'), 'mpls not stored');
  const got = openSegment(info.ref.path).read(COLUMN_NAMES);
  t.ok(got.mpls instanceof Uint32Array && got.mpls.length === rows && got.mpls.every((v) => v === 0), 'mpls reads as zeros');
  t.ok(got.flows!.every((v) => v === 0), 'flows reads as zeros');
  t.same(mismatches(cols, stableOrder(cols, rows), got, older), [], 'the stored columns are intact');
  t.throws(() => writeSegment(dir, 2, cols, rows, { columns: older }), { code: 'USAGE', message: /holds every column/ }, 'the current schema cannot omit columns');
  t.throws(() => writeSegment(dir, 2, cols, rows, { schemaVersion: SCHEMA_VERSION + 1 }), { code: 'USAGE' });
});

t.test('a schema 1 segment (before sampleorigin) reads sampleorigin as 0, none; schema 2 keeps it', async (t) => {
  const dir = t.testdir();
  const rows = 800;
  const cols = plausibleFlows(rows, 12);
  for (let i = 0; i < rows; i++) {
    cols.samplerate[i] = i % 2 === 0 ? 256 : 1;
    cols.sampleorigin[i] = i % 2 === 0 ? 1 : 0;
  }
  const schema1 = COLUMN_NAMES.filter((n) => n !== 'sampleorigin');
  const old = writeSegment(dir, 1, cols, rows, { schemaVersion: 1, columns: schema1 });
  t.equal(old.schemaVersion, 1);
  t.notOk(old.columns.some((c) => c.name === 'sampleorigin'), 'not stored');
  const cur = writeSegment(dir, 2, cols, rows);
  t.equal(cur.schemaVersion, 2);
  t.ok(cur.columns.some((c) => c.name === 'sampleorigin'), 'stored');
  // through the store, as the server opens it
  const store = ColumnStore.open(dir, { segmentCount: 4, segmentSize: rows, readOnly: true });
  t.teardown(() => store.close());
  const [a, b] = store.list();
  const was = store.open(a!).read(['samplerate', 'sampleorigin']);
  t.ok(was.sampleorigin instanceof Uint8Array && was.sampleorigin.length === rows && was.sampleorigin.every((v) => v === 0), 'schema 1: all 0 (none)');
  t.same([...new Set(was.samplerate)].sort((x, y) => x - y), [1, 256], 'its rates are intact');
  const now = store.open(b!).read(['samplerate', 'sampleorigin']);
  const order = stableOrder(cols, rows);
  t.same(Array.from(now.sampleorigin!), order.map((i) => (i % 2 === 0 ? 1 : 0)), 'schema 2: every row\'s origin, in store order');
  t.same(Array.from(now.samplerate!), order.map((i) => (i % 2 === 0 ? 256 : 1)));
});

t.test('the writer checks what it is given', async (t) => {
  const dir = t.testdir();
  const cols = plausibleFlows(10, 10);
  t.throws(() => writeSegment(dir, 1, cols, 0), { code: 'USAGE', message: /1\.\.\d+ rows/ });
  t.throws(() => writeSegment(dir, 0, cols, 10), { code: 'USAGE', message: /segment id/ });
  t.throws(() => writeSegment(dir, 1, cols, 11), { code: 'USAGE', message: /holds 10 rows, fewer than 11/ });
  t.throws(() => writeSegment(dir, 1, { ...cols, proto: new Uint16Array(10) }, 10), { code: 'USAGE', message: /proto must be a Uint8Array/ });
  const nan = { ...cols, start: Float64Array.from(cols.start) };
  nan.start[3] = NaN;
  t.throws(() => writeSegment(dir, 1, nan, 10), { code: 'USAGE', message: /row 3: start and end must be finite/ });
  writeSegment(dir, 1, cols, 10);
  t.throws(() => writeSegment(dir, 1, cols, 10), { code: 'IO', message: /refusing to overwrite/ });
  t.throws(() => writeSegment(dir, 5, cols, 10, { supersedesFrom: 5 }), { code: 'USAGE', message: /supersedesFrom/ });
});

t.test('bytes per session on 200k plausible flows', async (t) => {
  const dir = t.testdir();
  const rows = 200_000;
  const cols = plausibleFlows(rows, 42);
  const info = writeSegment(dir, 1, cols, rows);
  const perSession = info.fileBytes / rows;
  t.comment(`${rows} sessions: ${info.fileBytes} bytes, ${perSession.toFixed(2)} bytes/session`);
  const sizes = [...info.columns].sort((a, b) => b.length - a.length);
  t.comment(sizes.map((c) => `${c.name} ${c.encoding}${c.compression === 'deflate' ? '+deflate' : ''} ${(c.length / rows).toFixed(2)}`).join(', '));
  t.ok(perSession <= 40, 'within the 40 bytes/session target');
  t.same(mismatches(cols, stableOrder(cols, rows), openSegment(info.ref.path).read(COLUMN_NAMES)), [], 'and it all reads back');
});
