// Exporter clocks: skew measured from export headers (v5, v9, IPFIX), flow times corrected, one notice per
// change, jitter and odd datagrams ignored, `ignoreOldFlowsUs` dropping old records instead, option checks.
import t, { type Test } from 'tap';
import { formatIpAt } from '../../src/fields/ipcodec.js';
import {
  ABSOLUTE_CLOCK_MIN_MS,
  DecoderConfigError,
  FlowBatch,
  FlowDecoder,
  MAX_DECODER_EVENTS,
  type DecoderConfig,
} from '../../src/decode/index.js';
import { Bytes, ipfix, ipfixTemplates, set, v5, v9, v9Templates, type Field, type FixedRecord } from './build.js';
import { datagram as sflowDatagram, flowSampleV5, ipv4Data, tlv } from './sflowbuild.js';

const EXP = '198.51.100.7';
/** Receive times start here: a real date (after ABSOLUTE_CLOCK_MIN_MS). */
const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A v5 datagram whose header says `headerMs` (exporter clock); one record ending `agoMs` before it, lasting 2 s. */
function v5At(headerMs: number, agoMs = 1_000, src = '10.1.1.1'): Uint8Array {
  const uptime = 30 * DAY;
  const rec: FixedRecord = { src, dst: '10.2.2.2', packets: 1, octets: 100, first: uptime - agoMs - 2_000, last: uptime - agoMs, srcPort: 1234, dstPort: 80, proto: 6 };
  const secs = Math.floor(headerMs / 1000);
  return v5({ uptime, secs, nsecs: (headerMs - secs * 1000) * 1e6 }, rec);
}

/** The end time (µs) of v5At's record by the exporter's own clock. */
const v5EndUs = (headerMs: number, agoMs = 1_000): number => (headerMs - agoMs) * 1000;

function decoder(cfg: Partial<DecoderConfig> = {}): { dec: FlowDecoder; out: FlowBatch } {
  return { dec: new FlowDecoder(cfg), out: new FlowBatch(64) };
}

/** |a − b| in µs is at most 1 ms. */
function withinMs(t: Test, actualUs: number, expectedUs: number, what: string): void {
  t.ok(Math.abs(actualUs - expectedUs) <= 1000, `${what}: ${actualUs} within 1 ms of ${expectedUs}`);
}

t.test('NetFlow v5, exporter 1 h behind: flows at the receive time, one notice, counted', async (t) => {
  const { dec, out } = decoder();
  const delay = 40;
  for (let i = 0; i < 30; i++) {
    const now = T0 + i * 700;
    const header = now - HOUR - delay;
    const r = dec.decode(v5At(header), EXP, { nowMs: now }, out);
    t.equal(r.flows, 1);
    // The exporter's clock is HOUR + delay behind: its record ended 1 s before it was exported, i.e. 1 s before receipt.
    withinMs(t, out.end[i]!, v5EndUs(header) + (HOUR + delay) * 1000, `datagram ${i} end`);
    withinMs(t, out.start[i]!, v5EndUs(header) - 2_000_000 + (HOUR + delay) * 1000, `datagram ${i} start`);
    withinMs(t, out.end[i]!, (now - 1_000) * 1000, `datagram ${i} lands 1 s before its receive time`);
  }
  const events = dec.drainEvents();
  t.equal(events.length, 1, 'logged once');
  t.match(events[0], { type: 'clock_skew', exporter: EXP, skewMs: HOUR + delay, corrected: true, atMs: T0 });
  t.match(events[0]!.message, /198\.51\.100\.7: clock is 3600 s \(1\.0 h\) behind the collector's.*shifted by \+3600 s/);
  t.same(dec.drainEvents(), [], 'drained');
  t.equal(dec.counters(EXP).clock_skew_corrected, 30, 'every flow counted as corrected');
  t.equal(dec.counters().clock_skew_corrected, 30, 'in the totals too');
  t.same(dec.skewOf(EXP), { skewMs: HOUR + delay, skewed: true, corrected: true });
  t.same(dec.skewOf('::ffff:198.51.100.7'), dec.skewOf(EXP), 'any form of the address');
  t.equal(dec.skewOf('192.0.2.200'), undefined, 'unknown exporter');
});

/** A v9 template: src, dst, ports, proto, packets, bytes, LAST_SWITCHED (21) and FIRST_SWITCHED (22) uptimes. */
const UPTIME_TPL: Field[] = [
  { id: 8, len: 4 },
  { id: 12, len: 4 },
  { id: 7, len: 2 },
  { id: 11, len: 2 },
  { id: 4, len: 1 },
  { id: 2, len: 4 },
  { id: 1, len: 4 },
  { id: 21, len: 4 },
  { id: 22, len: 4 },
];
/** Same with absolute flowStartMilliseconds / flowEndMilliseconds (152/153). */
const ABS_TPL: Field[] = [...UPTIME_TPL.slice(0, 7), { id: 152, len: 8 }, { id: 153, len: 8 }];

function uptimeRecord(b: Bytes, n: number, first: number, last: number): Bytes {
  return b.ip4(`10.0.0.${n}`).ip4('192.0.2.1').u16(1000 + n).u16(443).u8(6).u32(1).u32(100).u32(last).u32(first);
}
function absRecord(b: Bytes, n: number, startMs: number, endMs: number): Bytes {
  return b.ip4(`10.0.1.${n}`).ip4('192.0.2.1').u16(2000 + n).u16(443).u8(6).u32(1).u32(100).u64(startMs).u64(endMs);
}

t.test('NetFlow v9, exporter 3 min ahead: uptime and absolute times both corrected', async (t) => {
  const { dec, out } = decoder();
  const uptime = 5_000_000;
  for (let i = 0; i < 12; i++) {
    // Datagrams 17 ms past a second of the exporter's clock, which is 180 s ahead: v9 headers carry
    // whole seconds, so each shows a skew of 17 ms − 180 s.
    const now = T0 + i * 1_000 + 17;
    const secs = (T0 + 180_000) / 1000 + i;
    const skewMs = 17 - 180_000;
    const up = uptime + i * 1_000;
    const data = set(256, uptimeRecord(new Bytes(), i, up - 4_000, up - 500).done());
    const absData = set(257, absRecord(new Bytes(), i, secs * 1000 - 3_000, secs * 1000 - 250).done());
    const r0 = out.length;
    const r = dec.decode(v9({ uptime: up, secs }, v9Templates({ id: 256, fields: UPTIME_TPL }, { id: 257, fields: ABS_TPL }), data, absData), EXP, { nowMs: now }, out);
    t.equal(r.flows, 2);
    t.equal(formatIpAt(out.srcAddr, r0), `10.0.0.${i}`);
    withinMs(t, out.end[r0]!, (secs * 1000 - 500 + skewMs) * 1000, `uptime end ${i}`);
    withinMs(t, out.start[r0]!, (secs * 1000 - 4_000 + skewMs) * 1000, `uptime start ${i}`);
    withinMs(t, out.end[r0 + 1]!, (secs * 1000 - 250 + skewMs) * 1000, `absolute end ${i}`);
    withinMs(t, out.start[r0 + 1]!, (secs * 1000 - 3_000 + skewMs) * 1000, `absolute start ${i}`);
    t.ok(out.end[r0]! < now * 1000 && out.end[r0]! > (now - 2_000) * 1000, 'the record ended just before it was received');
  }
  const events = dec.drainEvents();
  t.equal(events.length, 1, 'one notice');
  t.equal(events[0]!.type, 'clock_skew');
  t.ok(events[0]!.skewMs <= -179_000 && events[0]!.skewMs > -180_000, `skew about −180 s: ${events[0]!.skewMs}`);
  t.match(events[0]!.message, /ahead of the collector's.*shifted by -180\.0 s \(3\.0 min\)/);
  t.equal(dec.counters(EXP).clock_skew_corrected, 24);
});

t.test('IPFIX, exporter 1 h behind: absolute times corrected; a TCP session has its own clock', async (t) => {
  const { dec, out } = decoder();
  const tpl = ipfixTemplates({ id: 300, fields: ABS_TPL });
  const now = T0 + 5_555;
  const exportTime = Math.floor((now - HOUR) / 1000);
  const skewMs = now - exportTime * 1000;
  const data = set(300, absRecord(new Bytes(), 1, exportTime * 1000 - 10_000, exportTime * 1000 - 2_000).done());
  t.equal(dec.decode(ipfix({ exportTime }, tpl, data), EXP, { nowMs: now }, out).flows, 1);
  withinMs(t, out.end[0]!, (exportTime * 1000 - 2_000 + skewMs) * 1000, 'UDP end');
  withinMs(t, out.start[0]!, (exportTime * 1000 - 10_000 + skewMs) * 1000, 'UDP start');
  const tcp = { nowMs: now, transport: 'tcp' as const, session: '40001' };
  // The same address over TCP with a correct clock: measured apart, not corrected.
  const ok = Math.floor(now / 1000);
  t.equal(dec.decode(ipfix({ exportTime: ok }, tpl, set(300, absRecord(new Bytes(), 2, ok * 1000 - 10_000, ok * 1000 - 2_000).done())), EXP, tcp, out).flows, 1);
  t.equal(out.end[1], (ok * 1000 - 2_000) * 1000, 'TCP session: as sent');
  t.same(dec.skewOf(`${EXP}#40001`), { skewMs: now - ok * 1000, skewed: false, corrected: false });
  t.match(dec.drainEvents(), [{ type: 'clock_skew', exporter: EXP, skewMs }]);
});

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

t.test('jitter of ±2 s and a single odd datagram do not trigger', async (t) => {
  const { dec, out } = decoder();
  const rand = rng(7);
  let now = T0;
  for (let i = 0; i < 300; i++) {
    now += Math.floor(rand() * 800);
    const header = now + Math.round((rand() * 2 - 1) * 2_000);
    dec.decode(v5At(header), EXP, { nowMs: now }, out);
    t.equal(out.end[out.length - 1], v5EndUs(header), 'as sent');
  }
  t.same(dec.drainEvents(), [], 'no notice');
  t.equal(dec.skewOf(EXP)!.skewed, false);
  // One datagram an hour off (a corrupt header, a replay) among the normal ones.
  now += 500;
  dec.decode(v5At(now - HOUR), EXP, { nowMs: now }, out);
  t.equal(out.end[out.length - 1], v5EndUs(now - HOUR), 'the odd datagram is not corrected either');
  for (let i = 0; i < 5; i++) {
    now += 1_000;
    dec.decode(v5At(now), EXP, { nowMs: now }, out);
  }
  // A single datagram delayed 90 s in a queue.
  now += 1_000;
  dec.decode(v5At(now - 90_000), EXP, { nowMs: now }, out);
  t.same(dec.drainEvents(), [], 'still no notice');
  t.equal(dec.counters(EXP).clock_skew_corrected, 0);
  t.ok(Math.abs(dec.skewOf(EXP)!.skewMs) <= 2_000, 'estimate within the jitter');
});

t.test('a skew that changes, then goes away: changed and back-to-normal notices', async (t) => {
  const { dec, out } = decoder();
  let now = T0;
  const send = (offsetMs: number, n: number): void => {
    for (let i = 0; i < n; i++) {
      now += 1_000;
      dec.decode(v5At(now - offsetMs), EXP, { nowMs: now }, out);
    }
  };
  send(HOUR, 20);
  t.match(dec.drainEvents(), [{ type: 'clock_skew', skewMs: HOUR, corrected: true }]);
  send(HOUR + 15_000, 20);
  t.same(dec.drainEvents(), [], 'moved by 15 s: less than 2 × the threshold, not reported');
  withinMs(t, out.end[out.length - 1]!, (now - 1_000) * 1000, 'the correction follows the estimate');
  send(2 * HOUR, 20);
  t.match(dec.drainEvents(), [{ type: 'clock_skew_changed', skewMs: 2 * HOUR, corrected: true }], 'moved by an hour: reported');
  withinMs(t, out.end[out.length - 1]!, (now - 1_000) * 1000, 'corrected by the new skew');
  // The exporter's clock is set right (NTP): for a few datagrams the old correction still applies.
  const fixedFrom = out.length;
  const fixedAt = now;
  send(300, 20);
  const events = dec.drainEvents();
  t.match(events, [{ type: 'clock_normal', exporter: EXP, corrected: false }], 'back to normal');
  t.match(events[0]!.message, /clock back to normal .*no longer corrected/);
  t.ok(Math.abs(events[0]!.skewMs - 300) <= 1, `skew about 300 ms: ${events[0]!.skewMs}`);
  // Until most of the window has the new offset the old correction applies, then none at all.
  let stale = 0;
  for (let i = 0; i < 20; i++) {
    const sent = v5EndUs(fixedAt + (i + 1) * 1000 - 300);
    const end = out.end[fixedFrom + i]!;
    if (end === sent) continue;
    t.equal(stale, i, `datagram ${i}: stale corrections come first`);
    withinMs(t, end, sent + 2 * HOUR * 1000, `datagram ${i}: the old correction`);
    stale++;
  }
  t.ok(stale >= 1 && stale <= 8, `${stale} datagrams with the old correction: at most half the window`);
  t.same(dec.skewOf(EXP), { skewMs: 300, skewed: false, corrected: false });
});

t.test('hysteresis: skewed beyond the threshold, normal again only within half of it', async (t) => {
  const { dec, out } = decoder({ clockSkewThresholdMs: 10_000 });
  let now = T0;
  const send = (offsetMs: number, n: number): void => {
    for (let i = 0; i < n; i++) {
      now += 1_000;
      dec.decode(v5At(now - offsetMs), EXP, { nowMs: now }, out);
    }
  };
  send(9_000, 20);
  t.same(dec.drainEvents(), [], '9 s: under the threshold');
  send(12_000, 20);
  t.match(dec.drainEvents(), [{ type: 'clock_skew', skewMs: 12_000 }]);
  send(7_000, 20);
  t.same(dec.drainEvents(), [], '7 s: above half the threshold, still skewed');
  t.equal(dec.skewOf(EXP)!.skewed, true);
  send(4_000, 20);
  t.match(dec.drainEvents(), [{ type: 'clock_normal', skewMs: 4_000 }]);
});

t.test('ignoreOldFlowsUs drops old records (too_old) and keeps recent ones; no correction then', async (t) => {
  const { dec, out } = decoder({ ignoreOldFlowsUs: DAY * 1000 });
  const now = T0 + 1_000;
  // Rows of an earlier datagram stay untouched by the compaction.
  dec.decode(v5At(now, 1_000, '10.9.9.9'), EXP, { nowMs: now }, out);
  const uptime = 30 * DAY;
  const rec = (src: string, agoMs: number): FixedRecord => ({ src, dst: '10.2.2.2', packets: 1, octets: 100, first: uptime - agoMs - 1_000, last: uptime - agoMs, srcPort: 1, dstPort: 2, proto: 17 });
  const secs = Math.floor(now / 1000);
  const pkt = v5({ uptime, secs }, rec('10.1.1.1', 2 * DAY), rec('10.1.1.2', 5_000), rec('10.1.1.3', DAY + 60_000), rec('10.1.1.4', DAY - 60_000));
  const r = dec.decode(pkt, EXP, { nowMs: now }, out);
  t.same(r, { version: 5, flows: 2, optionsRecords: 0, held: 0, dropped: 'too_old' });
  t.same([0, 1, 2].map((i) => formatIpAt(out.srcAddr, i)), ['10.9.9.9', '10.1.1.2', '10.1.1.4'], 'the recent ones, in order');
  t.equal(out.length, 3);
  t.equal(out.end[1], (secs * 1000 - 5_000) * 1000, 'times as sent');
  t.equal(out.packets[2], 1, 'the moved row carries all its columns');
  t.equal(out.end[2], (secs * 1000 - DAY + 60_000) * 1000);
  t.equal(out.srcAddr[3 * 4 + 3], 0, 'rows past the end are zero again');
  t.equal(dec.counters(EXP).too_old, 2, 'counted per exporter');
  t.equal(dec.counters(EXP).flows, 3, 'flows counts the kept ones');

  // IPFIX: an exporter 1 h behind is reported, not corrected; one 2 days behind is dropped.
  const tpl = ipfixTemplates({ id: 300, fields: ABS_TPL });
  const behind = Math.floor((now - HOUR) / 1000);
  const x = dec.decode(ipfix({ exportTime: behind }, tpl, set(300, absRecord(new Bytes(), 1, behind * 1000 - 3_000, behind * 1000 - 1_000).done())), '192.0.2.50', { nowMs: now }, out);
  t.equal(x.flows, 1);
  t.equal(out.end[3], (behind * 1000 - 1_000) * 1000, 'an hour behind: stored at its own time');
  t.same(dec.skewOf('192.0.2.50'), { skewMs: now - behind * 1000, skewed: true, corrected: false });
  const ev = dec.drainEvents();
  t.match(ev, [{ type: 'clock_skew', exporter: '192.0.2.50', corrected: false }]);
  t.match(ev[0]!.message, /not corrected \(ignoreoldnetflows\)/);
  t.equal(dec.counters('192.0.2.50').clock_skew_corrected, 0);
  const way = Math.floor((now - 2 * DAY) / 1000);
  const data = new Bytes();
  absRecord(data, 1, way * 1000 - 3_000, way * 1000 - 1_000);
  absRecord(data, 2, way * 1000 - 3_000, way * 1000 - 2_000);
  const y = dec.decode(ipfix({ exportTime: way }, tpl, set(300, data.done())), '192.0.2.51', { nowMs: now }, out);
  t.match(y, { flows: 0, dropped: 'too_old' });
  t.equal(dec.counters('192.0.2.51').too_old, 2);
  t.equal(out.length, 4, 'nothing written');
});

t.test('no correction without a wall clock, with threshold 0, or for sFlow', async (t) => {
  const { dec, out } = decoder({ ignoreOldFlowsUs: 60_000_000 });
  // A replay clock (a counter): not a date, so exporters are not measured or aged.
  dec.decode(v5At(T0 - HOUR), EXP, { nowMs: 1_000 }, out);
  t.equal(out.end[0], v5EndUs(T0 - HOUR));
  t.equal(dec.skewOf(EXP), undefined);
  t.ok(ABSOLUTE_CLOCK_MIN_MS > 1_000 && ABSOLUTE_CLOCK_MIN_MS <= T0);

  const off = decoder({ clockSkewThresholdMs: 0 });
  for (let i = 0; i < 5; i++) off.dec.decode(v5At(T0 + i * 1000 - HOUR), EXP, { nowMs: T0 + i * 1000 }, off.out);
  t.equal(off.out.end[4], v5EndUs(T0 + 4000 - HOUR), 'threshold 0: as sent');
  t.same(off.dec.drainEvents(), []);
  t.equal(off.dec.skewOf(EXP), undefined);

  const sf = decoder({ ignoreOldFlowsUs: 60_000_000 });
  const rec = tlv(3, ipv4Data({ length: 100, proto: 6, src: '10.3.3.3', dst: '10.4.4.4', sport: 5, dport: 80 }));
  const r = sf.dec.decodeSflow(sflowDatagram({ version: 5, agent: '192.0.2.9' }, flowSampleV5({ rate: 1, input: 1, output: 2 }, rec)), '192.0.2.9', { nowMs: T0 }, sf.out);
  t.equal(r.flows, 1);
  t.equal(sf.out.start[0], T0 * 1000, 'sFlow rows are stamped with the receive time');
  t.equal(sf.dec.skewOf('192.0.2.9'), undefined, 'sFlow carries no clock to measure');
});

t.test('notices are bounded: the oldest dropped and counted', async (t) => {
  const { dec, out } = decoder();
  const n = MAX_DECODER_EVENTS + 10;
  for (let i = 0; i < n; i++) dec.decode(v5At(T0 - HOUR), `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, { nowMs: T0 }, out);
  const events = dec.drainEvents();
  t.equal(events.length, MAX_DECODER_EVENTS);
  t.equal(events[0]!.exporter, '10.0.0.10', 'the first ten went');
  t.equal(dec.counters().clock_events_lost, 10);
});

t.test('options: checked with clear errors, changeable while running', async (t) => {
  const bad: [Partial<DecoderConfig>, RegExp][] = [
    [{ clockSkewThresholdMs: 500 }, /clockSkewThresholdMs: must be 0 \(no skew correction\) or a whole number of milliseconds >= 2000.*got 500/],
    [{ clockSkewThresholdMs: -1 }, /got -1/],
    [{ clockSkewThresholdMs: 2500.5 }, /got 2500\.5/], [{ clockSkewThresholdMs: 1000 }, /got 1000/],
    [{ clockSkewThresholdMs: '10000' as unknown as number }, /clockSkewThresholdMs/],
    [{ ignoreOldFlowsUs: 86_400 }, /ignoreOldFlowsUs: must be 0 \(keep old records\) or a whole number of microseconds >= 60000000 .*one day is 86400000000.*got 86400/],
    [{ ignoreOldFlowsUs: Number.NaN }, /ignoreOldFlowsUs.*got NaN/],
  ];
  for (const [cfg, msg] of bad) {
    t.throws(() => new FlowDecoder(cfg), { name: 'DecoderConfigError', code: 'BAD_CONFIG', key: Object.keys(cfg)[0], message: msg }, JSON.stringify(cfg));
  }
  t.ok(new FlowDecoder({ clockSkewThresholdMs: 2000, ignoreOldFlowsUs: 60_000_000 }), 'the smallest allowed');

  const { dec, out } = decoder();
  dec.decode(v5At(T0 - HOUR), EXP, { nowMs: T0 }, out);
  t.equal(dec.skewOf(EXP)!.corrected, true);
  t.throws(() => dec.setClockOptions({ ignoreOldFlowsUs: 5 }), DecoderConfigError);
  t.equal(dec.config.ignoreOldFlowsUs, 0, 'a refused change changes nothing');
  dec.setClockOptions({ ignoreOldFlowsUs: DAY * 1000 });
  t.equal(dec.skewOf(EXP)!.corrected, false, 'ignoreoldnetflows on: not corrected');
  dec.decode(v5At(T0 + 1_000 - HOUR), EXP, { nowMs: T0 + 1_000 }, out);
  t.equal(out.end[1], v5EndUs(T0 + 1_000 - HOUR), 'as sent');
  dec.setClockOptions({ ignoreOldFlowsUs: 0, clockSkewThresholdMs: 0 });
  t.equal(dec.skewOf(EXP), undefined, 'threshold 0: measurements forgotten');
  dec.setClockOptions({ clockSkewThresholdMs: 10_000 });
  dec.decode(v5At(T0 + 2_000 - HOUR), EXP, { nowMs: T0 + 2_000 }, out);
  withinMs(t, out.end[2]!, (T0 + 1_000) * 1000, 'measuring again from the next datagram');
  t.match(dec.drainEvents(), [{ type: 'clock_skew' }, { type: 'clock_skew' }], 'reported again after the reset');
});
