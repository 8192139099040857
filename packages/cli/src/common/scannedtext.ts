// How -v words the server's scan beside the spinner, the same for ftstat (rankings) and ftsq
// (sessions): `1,234,567 of 5,000,000 sessions scanned (24%)`.

import { counted } from './counted.js';
import type { ScanProgress } from './progressanswer.js';

export function scannedText(p: ScanProgress): string {
  const pct = p.total > 0 ? Math.floor((p.scanned / p.total) * 100) : 100;
  return `${p.scanned.toLocaleString('en-US')} of ${counted(p.total, 'session')} scanned (${pct}%)`;
}
