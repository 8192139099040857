import t from 'tap';
import type { ColumnName } from '../../src/fields/columns.js';
import { COLUMNS } from '../../src/fields/columns.js';
import { ENTITIES, UNIQUE_TARGETS } from '../../src/fields/entities.js';
import { EntityShare, shareable } from '../../src/query/entityshare.js';
import { planRank } from '../../src/query/rankquery.js';
import type { DictColumn } from '../../src/query/index.js';
import { toDict } from './dictsource.js';
import { FROM, TO, randomSessions } from './randomsessions.js';

const fixture = randomSessions(5, 2, 3000);
const { columns, rows } = fixture.batches[0]!;
const CHUNK = 1024;

/** The entity of row r as text, unordered pairs with their two sides sorted (one entity, either way round). */
function entityOf(plan: ReturnType<typeof planRank>, r: number): string {
  const side = (cs: readonly ColumnName[]): string =>
    cs.map((c) => (COLUMNS.get(c)!.type === 'ip' ? Array.from(columns[c].subarray(4 * r, 4 * r + 4)).join('.') : String(columns[c][r]))).join('|');
  if (plan.entity.shape === 'pair' && plan.entity.unordered) return [side(plan.clientColumns), side(plan.serverColumns)].sort().join(' ~ ');
  return side(plan.entityLayout.columns as ColumnName[]);
}

function shares(plan: ReturnType<typeof planRank>, of: number, coded: boolean): number[] {
  const owner = new Array<number>(rows).fill(-1);
  const dicts: Partial<Record<ColumnName, DictColumn>> = {};
  if (coded) for (const c of [...plan.clientColumns, ...plan.serverColumns]) dicts[c] = toDict(columns[c], rows, COLUMNS.get(c)!.type === 'ip' ? 4 : 1);
  const out = new Uint32Array(CHUNK);
  for (let index = 0; index < of; index++) {
    const share = new EntityShare(plan, { index, of }, CHUNK);
    share.prepare(dicts);
    for (let lo = 0; lo < rows; lo += CHUNK) {
      const hi = Math.min(rows, lo + CHUNK);
      const n = share.select(columns, dicts, lo, hi, null, 0, out);
      for (let j = 0; j < n; j++) {
        if (owner[out[j]!] !== -1) throw new Error(`row ${out[j]} in shares ${owner[out[j]!]} and ${index}`);
        owner[out[j]!] = index;
      }
    }
  }
  return owner;
}

t.test('entity shares split the rows: each row in exactly one share, all rows of an entity in the same one', async (t) => {
  const plans = ENTITIES.filter((e) => e.shape !== 'sided').map((e) => planRank({ entity: e.name, count: 'UNIQUE', unique: UNIQUE_TARGETS[0]!, fromUs: FROM, toUs: TO }));
  t.ok(plans.some((p) => p.entity.shape === 'pair' && p.entity.unordered), 'an unordered pair entity is among them');
  for (const plan of plans) {
    t.ok(shareable(plan), `${plan.entity.name} UNIQUE is shareable`);
    for (const of of [2, 3]) {
      const plain = shares(plan, of, false);
      t.notOk(plain.includes(-1), `${plan.entity.name}/${of}: every row has a share`);
      t.strictSame(shares(plan, of, true), plain, `${plan.entity.name}/${of}: coded columns give the same shares`);
      const byEntity = new Map<string, number>();
      let mixed = 0;
      for (let r = 0; r < rows; r++) {
        const k = entityOf(plan, r);
        const s = byEntity.get(k);
        if (s === undefined) byEntity.set(k, plain[r]!);
        else if (s !== plain[r]) mixed++;
      }
      t.equal(mixed, 0, `${plan.entity.name}/${of}: no entity in two shares`);
      if (byEntity.size >= 8) t.ok(new Set(byEntity.values()).size > 1, `${plan.entity.name}/${of}: ${byEntity.size} entities are spread over shares`);
    }
  }
});

t.test('a share of a filtered selection keeps only selected rows of its entities', async (t) => {
  const plan = planRank({ entity: 'IPPAIR', count: 'BYTES', fromUs: FROM, toUs: TO });
  const owner = shares(plan, 2, false);
  const sel = new Uint32Array(CHUNK);
  let n = 0;
  for (let r = 0; r < CHUNK; r += 3) sel[n++] = r;
  const out = new Uint32Array(CHUNK);
  const share = new EntityShare(plan, { index: 1, of: 2 }, CHUNK);
  share.prepare({});
  const m = share.select(columns, {}, 0, CHUNK, sel, n, out);
  const want = Array.from(sel.subarray(0, n)).filter((r) => owner[r] === 1);
  t.strictSame(Array.from(out.subarray(0, m)), want);
  t.ok(want.length > 0 && want.length < n, 'some rows kept, some not');
});

t.test('sided entities: each side goes to the share of its own entity, each row counted in the totals once', async (t) => {
  for (const e of ENTITIES.filter((x) => x.shape === 'sided')) {
    const plan = planRank({ entity: e.name, count: 'UNIQUE', unique: 'PORTPROTO', fromUs: FROM, toUs: TO });
    t.ok(shareable(plan), `${e.name} UNIQUE is shareable`);
    const side = (cs: readonly ColumnName[], r: number): string =>
      cs.map((c) => (COLUMNS.get(c)!.type === 'ip' ? Array.from(columns[c].subarray(4 * r, 4 * r + 4)).join('.') : String(columns[c][r]))).join('|');
    for (const coded of [false, true]) {
      const dicts: Partial<Record<ColumnName, DictColumn>> = {};
      if (coded) for (const c of [...plan.clientColumns, ...plan.serverColumns]) dicts[c] = toDict(columns[c], rows, COLUMNS.get(c)!.type === 'ip' ? 4 : 1, true);
      const of = 3;
      const counted = new Uint8Array(rows);
      const shareOf = new Map<string, number>();
      let clash = 0;
      let bothSides = 0;
      const note = (entity: string, index: number): void => {
        const s = shareOf.get(entity);
        if (s === undefined) shareOf.set(entity, index);
        else if (s !== index) clash++;
      };
      for (let index = 0; index < of; index++) {
        const share = new EntityShare(plan, { index, of }, CHUNK);
        share.prepare(dicts);
        const marks = new Uint8Array(CHUNK);
        const out = new Uint32Array(CHUNK);
        for (let lo = 0; lo < rows; lo += CHUNK) {
          const hi = Math.min(rows, lo + CHUNK);
          const n = share.markSides(columns, dicts, lo, hi, null, 0, marks, out);
          const listed: number[] = [];
          for (let r = lo; r < hi; r++) {
            const m = marks[r - lo]!;
            if (m & 1) note(side(plan.clientColumns, r), index);
            if (m & 2) note(side(plan.serverColumns, r), index);
            if (m & 4) counted[r]!++;
            if ((m & 4) !== 0 && (m & 1) === 0) t.fail(`row ${r}: counted without its client side`);
            if ((m & 3) === 3) bothSides++;
            if (m !== 0) listed.push(r);
          }
          if (listed.join() !== Array.from(out.subarray(0, n)).join()) t.fail(`${e.name} share ${index}: the marked rows are not the ones listed`);
        }
      }
      t.ok(counted.every((c) => c === 1), `${e.name} ${coded ? 'coded' : 'plain'}: every row counted in exactly one share`);
      t.equal(clash, 0, `${e.name} ${coded ? 'coded' : 'plain'}: an entity is in one share, on either side`);
      t.ok(shareOf.size < 8 || new Set(shareOf.values()).size > 1, `${e.name}: entities spread over shares`);
      if (e.name === 'IP') t.ok(bothSides > 0, 'some rows have both sides in one share');
    }
  }
});

t.test('pair entities and UNIQUE rankings split by entity; bad shares are refused', async (t) => {
  t.notOk(shareable(planRank({ entity: 'IP', count: 'BYTES', fromUs: FROM, toUs: TO })), 'sided entities without UNIQUE: merging sums by key is cheap');
  t.notOk(shareable(planRank({ entity: 'PORTPROTO', count: 'BYTES', fromUs: FROM, toUs: TO })), 'few session entities: merging by key is cheap');
  t.ok(shareable(planRank({ entity: 'PORTPROTO', count: 'UNIQUE', unique: 'IP', fromUs: FROM, toUs: TO })));
  const plan = planRank({ entity: 'IPPAIR', count: 'BYTES', fromUs: FROM, toUs: TO });
  t.throws(() => new EntityShare(plan, { index: 2, of: 2 }, CHUNK), /bad entity share 2 of 2/);
  t.throws(() => new EntityShare(planRank({ entity: 'IP', count: 'BYTES', fromUs: FROM, toUs: TO }), { index: 0, of: 2 }, CHUNK), /cannot be split/);
  const sided = new EntityShare(planRank({ entity: 'IP', count: 'UNIQUE', unique: 'IP', fromUs: FROM, toUs: TO }), { index: 0, of: 2 }, CHUNK);
  t.throws(() => sided.select(columns, {}, 0, 10, null, 0, new Uint32Array(CHUNK)), /marked by side/);
  t.throws(() => new EntityShare(plan, { index: 0, of: 2 }, CHUNK).markSides(columns, {}, 0, 10, null, 0, new Uint8Array(CHUNK), new Uint32Array(CHUNK)), /sided/);
});
