import t from 'tap';
import { packCountry } from '../../src/fields/columns.js';
import { parseIp, parseMac } from '../../src/fields/ipcodec.js';
import { hash4, hashWords, KeyTable } from '../../src/query/keytable.js';
import { KeyIndex, makeLayout } from '../../src/query/keyindex.js';
import { rng } from '../seededrng.js';

function ipDict(addrs: readonly string[]): Uint32Array {
  const dict = new Uint32Array(addrs.length * 4);
  addrs.forEach((a, i) => dict.set(parseIp(a)!, i * 4));
  return dict;
}

t.test('4-word keys: get4 hashes like getN, and a table of them grows without losing ids', async (t) => {
  const r = rng(5);
  const tab = new KeyTable(4);
  const keys: Uint32Array[] = [];
  let hashes = 0;
  let fresh = 0;
  for (let i = 0; i < 5000; i++) {
    const k = Uint32Array.of(r() * 2 ** 32, r() * 2 ** 32, i, r() * 2 ** 32);
    if (hash4(k[0]!, k[1]!, k[2]!, k[3]!) === hashWords(k, 0, 4)) hashes++;
    keys.push(k);
    if ((i % 2 === 0 ? tab.get4(k[0]!, k[1]!, k[2]!, k[3]!, i) : tab.getN(k, i)) === i) fresh++;
  }
  t.equal(hashes, 5000, 'hash4 is hashWords of 4 words');
  t.equal(fresh, 5000, 'every new key takes the id offered');
  let bad = 0;
  keys.forEach((k, i) => {
    if (tab.getN(k, -1) !== i || tab.get4(k[0]!, k[1]!, k[2]!, k[3]!, -1) !== i) bad++;
  });
  t.equal(bad, 0, 'every key keeps its id through the rehashes');
  t.equal(tab.size, 5000);
});

t.test('KeyIndex.idOfValue gives a value the id its full key has', async (t) => {
  const ix = new KeyIndex(makeLayout(['clnip']));
  const d = ipDict(['10.0.0.1', '2001:db8::1', '::', '10.0.0.1']);
  const ids = [0, 1, 2, 3].map((i) => ix.idOfValue(d, i));
  t.strictSame(ids, [0, 1, 2, 0]);
  t.equal(ix.getFull(Uint32Array.from(parseIp('2001:db8::1')!), 0), 1);
  t.equal(ix.getFull(Uint32Array.from(parseIp('10.0.0.1')!), 0), 0, 'IPv4 in the compact table either way');
  const macs = new KeyIndex(makeLayout(['clnmac']));
  const m = parseMac('02:00:00:00:00:01')!;
  t.equal(macs.idOfValue(Float64Array.of(m), 0), 0);
  t.equal(macs.getFull(Uint32Array.of((m / 2 ** 32) >>> 0, m >>> 0), 0), 0);
  const cc = new KeyIndex(makeLayout(['clncc']));
  t.equal(cc.idOfValue(Uint16Array.of(packCountry('NL'), packCountry('US')), 1), 0);
  t.equal(cc.getFull(Uint32Array.of(packCountry('US')), 0), 0);
  t.throws(() => new KeyIndex(makeLayout(['srvport', 'proto'])).idOfValue(Uint16Array.of(80), 0), /one column/);
});
