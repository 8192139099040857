// What the ingestion benchmarks share: reading UDP payloads out of corpus captures, and a small
// deterministic random source for generated datagrams.
import { readFileSync } from 'node:fs';
import { parsePacket, readPcap } from '../packages/core/dist/index.js';

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
