// The packed country code (columns.ts) a data file's country text stands for; the placeholders
// data files use for "no country" become 0, the column's "unknown".

import { packCountry } from '../fields/columns.js';

/** Codes that mean "unknown" in common databases: empty, `--`, and the user-assigned `ZZ` (DB-IP). */
const UNKNOWN = new Set(['', '--', 'ZZ']);

/** Packed value of a two-letter code, 0 for the unknown placeholders; -1 when the text is not a code. */
export function countryValue(code: string): number {
  const u = code.toUpperCase();
  if (UNKNOWN.has(u)) return 0;
  if (!/^[A-Z]{2}$/.test(u)) return -1;
  return packCountry(u);
}
