// The `countby` of ftth's and fttcv's alerts in syslog and JSON, as FlowTraq names it (nbi.md: BYTES_TOTAL):
// the count with its direction, so that a parser needs no second field to tell sent from total.

import type { Measure } from '../fttcv/readmeasure.js';

export function countByName(m: Pick<Measure, 'count' | 'direction'>): string {
  if (m.count === 'SESSIONS') return `SESSIONS_${m.direction === 'snd' ? 'INITIATED' : m.direction === 'rcv' ? 'ACCEPTED' : 'TOTAL'}`;
  return `${m.count}_${m.direction === 'snd' ? 'SENT' : m.direction === 'rcv' ? 'RECEIVED' : 'TOTAL'}`;
}
