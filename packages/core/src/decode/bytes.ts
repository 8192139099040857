// Big-endian reads on plain Uint8Arrays for the cold paths (headers, templates, options).
// The per-record hot path does not call these: it is generated per template (compileflowplan.ts).

export function u8(b: Uint8Array, p: number): number {
  return b[p]!;
}

export function u16(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

export function u32(b: Uint8Array, p: number): number {
  return b[p]! * 16777216 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
}

/** Unsigned integer of 1 to 8 bytes as a double (exact up to 2^53); 0 for other lengths. */
export function uint(b: Uint8Array, p: number, len: number): number {
  if (len <= 0 || len > 8) return 0;
  let v = 0;
  for (let i = 0; i < len; i++) v = v * 256 + b[p + i]!;
  return v;
}

/** True when every byte of b[from, to) is zero (trailing padding that some exporters send). */
export function allZero(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A fixed-length or variable-length string field: UTF-8, cut at the first NUL, trimmed. */
export function text(b: Uint8Array, p: number, len: number): string {
  let e = p;
  const end = p + len;
  while (e < end && b[e] !== 0) e++;
  return utf8.decode(b.subarray(p, e)).trim();
}
