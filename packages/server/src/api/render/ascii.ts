// Text and whole numbers written as ASCII bytes straight into an output buffer, so that
// formatting a session row allocates no string per value.

/** Writes an ASCII string at buf[pos]; returns the end. */
export function writeText(buf: Uint8Array, pos: number, s: string): number {
  for (let j = 0; j < s.length; j++) buf[pos + j] = s.charCodeAt(j);
  return pos + s.length;
}

/** Writes a whole number 0 <= v <= 2^53 in decimal at buf[pos]; returns the end. */
export function writeUint(buf: Uint8Array, pos: number, v: number): number {
  let len = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) len++;
  let p = pos + len;
  if (v < 2147483648) {
    let x = v | 0;
    while (x >= 10) {
      const q = (x / 10) | 0;
      buf[--p] = 48 + (x - q * 10);
      x = q;
    }
    buf[--p] = 48 + x;
  } else {
    let x = v;
    while (x >= 10) {
      const q = Math.floor(x / 10);
      buf[--p] = 48 + (x - q * 10);
      x = q;
    }
    buf[--p] = 48 + x;
  }
  return pos + len;
}
