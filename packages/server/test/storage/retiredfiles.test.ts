// The files the store dropped, kept by epoch on the storage thread: deleted in the order dropped, only
// those no running query's list holds, a file that cannot be deleted holding back the ones after it.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { RetiredFiles } from '../../src/storage/retiredfiles.js';

function files(dir: string, names: readonly string[]): string[] {
  return names.map((n) => {
    const f = path.join(dir, n);
    fs.writeFileSync(f, n);
    return f;
  });
}

const left = (dir: string): string[] => fs.readdirSync(dir).sort();

t.test('files go once the oldest list a query reads is as recent as their drop, in the order dropped', async (t) => {
  const dir = t.testdir();
  const [a, b, c, d] = files(dir, ['a', 'b', 'c', 'd']);
  const r = new RetiredFiles(undefined);
  t.equal(r.epoch, 0);
  r.add(a!);
  r.nextEpoch();
  r.add(b!);
  r.add(c!);
  r.nextEpoch();
  r.add(d!);
  r.add(a!);
  t.equal(r.size, 4, 'a file handed over again is kept once');
  r.deleteUpTo(0);
  t.same(left(dir), ['b', 'c', 'd'], 'a query reads the list of epoch 0: only the file dropped at 0 goes (no list from 1 on holds it)');
  r.deleteUpTo(1);
  t.same(left(dir), ['d']);
  r.deleteUpTo(1);
  t.same(left(dir), ['d'], 'the file dropped at 2 waits for the queries reading list 1');
  r.deleteUpTo(Infinity);
  t.same(left(dir), []);
  t.equal(r.size, 0);
});

t.test('a file already gone is forgotten quietly; one that cannot be deleted stops the round and is tried again', async (t) => {
  const dir = t.testdir();
  const [a, c] = files(dir, ['a', 'c']);
  const stuck = path.join(dir, 'b');
  // a directory in the file's place: unlink refuses it
  fs.mkdirSync(stuck);
  const warnings: string[] = [];
  const r = new RetiredFiles({ warn: (_d, m) => warnings.push(m) });
  r.add(a!);
  r.add(path.join(dir, 'gone'));
  r.add(stuck);
  r.add(c!);
  r.deleteUpTo(0);
  t.same(left(dir), ['b', 'c'], 'the files after the stuck one stay: a superseded partial never outlives its superseder');
  t.equal(warnings.length, 1, 'and the failure is reported');
  t.match(warnings[0], /cannot delete a segment file/);
  t.equal(r.size, 2);
  fs.rmdirSync(stuck);
  r.deleteUpTo(0);
  t.same(left(dir), [], 'the next round deletes them');
  t.equal(r.size, 0);
});
