// What ftth measures, in words for its alert lines: fttcv's phrase with the rate's unit after the
// counted thing — `total bytes/10s communicated by`, `sessions/60s initiated by`, `unique hosts/60s of`.

import { measurePhrase } from '../fttcv/measurephrase.js';
import type { Measure } from '../fttcv/readmeasure.js';

/** The words after the counted thing in every phrase measurePhrase makes; the shortest head wins. */
const TAIL = /^(.+?)( in sessions (?:initiated|accepted) by| communicated by| sent by| received by| initiated by| accepted by| of)$/;

export function ratePhrase(m: Pick<Measure, 'count' | 'unique' | 'direction'>, perS: number): string {
  const phrase = measurePhrase(m);
  const parts = TAIL.exec(phrase);
  if (parts === null) throw new RangeError(`ratePhrase: cannot place the rate in '${phrase}'`);
  return `${parts[1]}/${perS}s${parts[2]}`;
}
