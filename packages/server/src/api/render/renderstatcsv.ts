// A ranking as CSV (ftstat -c), or with `header` as ftstat -C: a header row first and the
// `#` summary lines last. The same columns and values as the JSON answer; unknown extras empty.

import { stringify } from 'csv-stringify/sync';
import type { RankResult } from '@opentraq/core';
import type { RowExtras } from './rowextras.js';
import { statTable } from './stattable.js';

export function renderStatCsv(r: RankResult, extras: RowExtras, header: boolean): string {
  const { columns, data } = statTable(r, extras);
  const body = stringify(header ? [columns, ...data] : data);
  if (!header) return body;
  const s = r.summary;
  return (
    body +
    `# Total sessions: ${s.sessions}, Total packets: ${Math.round(s.packets)}, Total bytes: ${Math.round(s.bytes)}\n` +
    `# Distinct entities: ${s.entities}\n`
  );
}
