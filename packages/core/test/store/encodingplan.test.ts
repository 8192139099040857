import t from 'tap';
import { COLUMN_DEFS, COLUMN_NAMES, allocColumn, wordsPerRow, type ColumnArray, type ColumnName, type Columns } from '../../src/fields/index.js';
import { ColumnStore, REPLAN_AFTER, decodeColumn, encodeColumn, openSegment, type ColumnPlan } from '../../src/store/index.js';
import { sortOrder } from '../../src/store/sortorder.js';
import { plausibleFlows, rng } from './flowdata.js';

/** `cols` sorted by start, as writeSegment hands them to encodeColumn. */
function sorted(cols: Columns, rows: number): Columns {
  const order = sortOrder(cols.start as Float64Array, rows);
  if (order === undefined) return cols;
  const out = {} as Record<ColumnName, ColumnArray>;
  for (const d of COLUMN_DEFS) {
    const w = wordsPerRow(d.type);
    const src = cols[d.name] as ColumnArray;
    const dst = allocColumn(d.type, rows);
    for (let i = 0; i < rows; i++) for (let k = 0; k < w; k++) dst[i * w + k] = src[order[i]! * w + k]!;
    out[d.name] = dst;
  }
  return out as unknown as Columns;
}

function differs(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return true;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return true;
  return false;
}

t.test('segment after segment, planned columns decode exactly and stay within a few per cent of a full search', async (t) => {
  const rows = 20_000;
  const plans = new Map<ColumnName, ColumnPlan>();
  let planned = 0;
  let searched = 0;
  let used = 0;
  const wrong: string[] = [];
  for (let seg = 0; seg < 6; seg++) {
    const cols = sorted(plausibleFlows(rows, 10 + seg), rows);
    const start = cols.start as Float64Array;
    for (const d of COLUMN_DEFS) {
      const values = cols[d.name] as ColumnArray;
      const startOpt = d.name === 'start' ? undefined : start;
      const plan = plans.get(d.name);
      const enc = encodeColumn(d.type, values, rows, { start: startOpt, plan });
      const full = encodeColumn(d.type, values, rows, { start: startOpt });
      if (differs(decodeColumn(d.type, enc, rows, startOpt), values.subarray(0, rows * wordsPerRow(d.type)))) wrong.push(`segment ${seg} ${d.name}`);
      planned += enc.bytes.length;
      searched += full.bytes.length;
      if (plan !== undefined && enc.plan?.uses === plan.uses + 1) used++;
      t.ok(enc.plan !== undefined, `${d.name}: a column of ${rows} rows returns a plan`);
      plans.set(d.name, enc.plan!);
    }
  }
  t.same(wrong, [], 'every planned column decodes to its values');
  t.ok(used >= 5 * COLUMN_DEFS.length * 0.8, `most columns reused their plan (${used} of ${5 * COLUMN_DEFS.length})`);
  t.ok(planned <= searched * 1.05, `planned ${planned} bytes, full search ${searched}`);
});

t.test('a plan that no longer applies or wins is searched again at once, and the column still decodes', async (t) => {
  const rows = 8192;
  const r = rng(7);
  // const, then every value different: the planned const no longer applies
  const constant = new Float64Array(rows).fill(42);
  const first = encodeColumn('f64', constant, rows);
  t.equal(first.encoding, 'const');
  const varied = Float64Array.from({ length: rows }, () => Math.floor(r() * 2 ** 40));
  const second = encodeColumn('f64', varied, rows, { plan: first.plan });
  t.not(second.encoding, 'const');
  t.equal(second.plan?.uses, 0, 'a fresh plan from the new search');
  t.notOk(differs(decodeColumn('f64', second, rows), varied), 'decodes');
  // a dictionary of a few addresses, then more distinct addresses than a dictionary holds
  const few = new Uint32Array(4 * rows);
  for (let i = 0; i < rows; i++) few.set([0x20010db8, 0, 0, 1 + (i % 7)], 4 * i);
  const many = new Uint32Array(4 * 70_000);
  for (let i = 0; i < 70_000; i++) many.set([0x20010db8, i, Math.floor(r() * 2 ** 32), i], 4 * i);
  const a = encodeColumn('ip', few, rows);
  t.match(a.encoding, /dict/);
  const b = encodeColumn('ip', many, 70_000, { plan: { ...a.plan!, rows: 70_000 } });
  t.notMatch(b.encoding, /dict/);
  t.notOk(differs(decodeColumn('ip', b, 70_000), many), 'decodes');
  // a frame of reference in steps of 1000, then values off the step
  const stepped = Float64Array.from({ length: rows }, (_, i) => 1_000_000 + 1000 * (i % 200));
  const s1 = encodeColumn('f64', stepped, rows);
  t.equal(s1.plan?.node.stepped, true);
  const offStep = Float64Array.from({ length: rows }, (_, i) => 1_000_000 + 1000 * (i % 200) + (i % 3));
  const s2 = encodeColumn('f64', offStep, rows, { plan: s1.plan });
  t.notOk(differs(decodeColumn('f64', s2, rows), offStep), 'decodes');
});

t.test('plans are searched again after REPLAN_AFTER uses; small columns and forced encodings make none', async (t) => {
  const rows = 5000;
  const values = Uint32Array.from({ length: rows }, (_, i) => (i * 7919) % 1000);
  let plan = encodeColumn('u32', values, rows).plan;
  t.equal(plan?.uses, 0);
  for (let k = 1; k < REPLAN_AFTER; k++) {
    plan = encodeColumn('u32', values, rows, { plan }).plan;
    t.equal(plan?.uses, k);
  }
  t.equal(encodeColumn('u32', values, rows, { plan }).plan, undefined, `no plan after ${REPLAN_AFTER} uses: the next segment searches`);
  t.equal(encodeColumn('u32', values, 4000).plan, undefined, 'fewer rows than a plan is worth');
  t.equal(encodeColumn('u32', values, rows, { encoding: 'raw' }).plan, undefined, 'a forced encoding');
  const big = encodeColumn('u32', values, rows).plan!;
  t.equal(encodeColumn('u32', values, rows, { plan: { ...big, rows: 21_000 } }).plan?.uses, 0, 'a plan from segments of another size is not used');
  t.equal(encodeColumn('u32', values, rows, { plan: { ...big, rows: 19_000 } }).plan?.uses, 1, 'one from segments up to four times the size is');
});

t.test('a store writing segment after segment with plans reads back every row', async (t) => {
  const dir = t.testdir();
  const store = ColumnStore.open(dir, { segmentCount: 100, segmentSize: 6000 });
  const rows = 6000 * 5 + 123;
  const cols = plausibleFlows(rows, 4);
  store.append(cols, rows);
  store.close();
  const reopened = ColumnStore.open(dir, { segmentCount: 100, segmentSize: 6000, readOnly: true });
  const seen = new Map<string, number>();
  const key = (c: Partial<Record<ColumnName, ArrayLike<number>>>, i: number): string =>
    COLUMN_DEFS.map((d) => {
      const w = wordsPerRow(d.type);
      return Array.from({ length: w }, (_, k) => c[d.name]![i * w + k]).join('.');
    }).join('|');
  let read = 0;
  for (const info of reopened.list()) {
    const r = openSegment(info.ref.path);
    const got = r.read(COLUMN_NAMES);
    r.close();
    for (let i = 0; i < info.rows; i++) seen.set(key(got, i), (seen.get(key(got, i)) ?? 0) + 1);
    read += info.rows;
  }
  reopened.close();
  t.equal(read, rows);
  let missing = 0;
  for (let i = 0; i < rows; i++) {
    const k = key(cols, i);
    const n = seen.get(k) ?? 0;
    if (n === 0) missing++;
    else seen.set(k, n - 1);
  }
  t.equal(missing, 0, 'every row appended is in a segment, once');
});
