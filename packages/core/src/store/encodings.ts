// The column encodings of the segment format and their one-byte ids (the first byte of every encoded blob).
// The id is the index in ENCODINGS: append new encodings at the end, never reorder (ids 9 and 10: format 2).

export const ENCODINGS = [
  /** values as they are in memory */
  'raw',
  /** one value for every row */
  'const',
  /** frame of reference: (value − base) / step in 1, 2 or 4 bytes */
  'for',
  /** sorted dictionary of distinct values and 1- or 2-byte indices */
  'dict',
  /** (value − base) / step as LEB128 varints */
  'varint',
  /** first value, then differences to the previous row, themselves encoded */
  'delta',
  /** differences to the row's start time, themselves encoded (for end) */
  'start-offset',
  /** ip column of IPv4-mapped addresses only: the low word, itself encoded */
  'ipv4',
  /** ip column as four word columns, each encoded */
  'ip-words',
  /** patched frame of reference: (value − base) / step in 1, 2 or 4 bytes, the few that do not fit patched */
  'pfor',
  /** dictionary of addresses whose IPv4-mapped entries take 4 bytes, and 1- or 2-byte indices */
  'ip-dict',
] as const;

export type EncodingName = (typeof ENCODINGS)[number];

export function encodingId(name: EncodingName): number {
  return ENCODINGS.indexOf(name);
}

export function encodingName(id: number): EncodingName | undefined {
  return ENCODINGS[id];
}
