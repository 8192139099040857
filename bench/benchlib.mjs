// What the ingestion benchmarks share: reading UDP payloads out of corpus captures, a small
// deterministic random source for generated datagrams, and the replay's pool of generated flows.
import { readFileSync } from 'node:fs';
import { allocColumns, FlowBatch, parsePacket, readPcap, SessionGenerator, sessionsToFlows } from '../packages/core/dist/index.js';

/** The flow corpus (OPENTRAQ_CORPUS, default ../../shared/corpus next to the repository). */
export const CORPUS = process.env.OPENTRAQ_CORPUS ?? new URL('../../shared/corpus/', import.meta.url).pathname;

/** UDP payloads of corpus captures, in capture order (templates come first in each). */
export function corpusDatagrams(paths) {
  const out = [];
  for (const path of paths) {
    const file = readPcap(new Uint8Array(readFileSync(CORPUS + path)));
    for (const p of file.packets) {
      const ip = parsePacket(p.data, file.linkType);
      if (ip !== null && ip.proto === 17 && !ip.fragment) out.push({ src: ip.src, payload: ip.payload });
    }
  }
  return out;
}

/** Deterministic pseudo-random 32-bit values (xorshift32). */
export function xorshift(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

/**
 * The flow records of `sessions` generated sessions (seed `seed`), started 1 to 1.5 h before `nowMs`
 * and cut at it (an exporter reports flows that have ended): a client→server flow and, when the
 * server answered, a server→client one. What bench/replay.mjs sends, and bench/receive.mjs decodes.
 */
export function poolFlows(sessions, seed, nowMs) {
  const spanUs = 3_600_000_000;
  const gen = new SessionGenerator({ seed, sessions, startUs: (nowMs - 3_600_000) * 1000 - spanUs / 2, spanUs: spanUs / 2, ipv6Share: 0.1 });
  const flows = new FlowBatch(sessions * 2);
  const cols = allocColumns(Math.min(sessions, 65_536));
  // An exporter reports a flow once it has ended (or at its active timeout): no end lies after the
  // export time. Long generated sessions are cut there, so both directions pair into one session.
  const nowUs = nowMs * 1000;
  const end = cols.end;
  let n;
  while ((n = gen.fill(cols)) > 0) {
    for (let i = 0; i < n; i++) if (end[i] > nowUs) end[i] = nowUs;
    sessionsToFlows(cols, n, flows);
  }
  return flows;
}
