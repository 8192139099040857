// The row order of a segment: stable ascending by start time. An LSD radix sort handles the usual
// cases (integer times spanning < 2^48 µs, about 8.9 years); anything else falls back to a comparison
// sort. Its digits are as wide as the row count makes worth it: a pass costs a count array of 2^bits
// (cleared and summed) plus two passes over the rows, so under 4,096 rows take 8-bit digits, up to
// 131,071 (the tracker's 8,192-row batches, a default 92,635-row segment) 11-bit ones, more 16-bit
// ones; there are only as many passes as the span of starts has bits (a batch of finished sessions
// spans seconds: 21-22 bits, two 11-bit passes; 23-33 bits take three).

/** Row indices in stable ascending order of start, or undefined when the rows are already in order. */
export function sortOrder(start: Float64Array, n: number): Uint32Array | undefined {
  let sorted = true;
  let min = Infinity;
  let max = -Infinity;
  let integral = true;
  for (let i = 0; i < n; i++) {
    const v = start[i]!;
    if (i > 0 && v < start[i - 1]!) sorted = false;
    if (v < min) min = v;
    if (v > max) max = v;
    if (!Number.isSafeInteger(v)) integral = false;
  }
  if (sorted) return undefined;
  if (integral && max - min < 2 ** 48) return radixOrder(start, n, min, max - min);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((a, b) => start[a]! - start[b]! || a - b);
}

/** Digit width for n rows: the count array should not outweigh the rows. */
export function digitBits(n: number): number {
  if (n < 1 << 12) return 8;
  if (n < 1 << 17) return 11;
  return 16;
}

function bitLength(x: number): number {
  let b = 0;
  while (x >= 1) {
    x = Math.floor(x / 2);
    b++;
  }
  return b;
}

function radixOrder(start: Float64Array, n: number, min: number, span: number): Uint32Array {
  const total = Math.max(1, bitLength(span));
  // key = start - min, in its low 32 bits and the (up to 16) bits above them; no digit straddles the two
  const low = new Uint32Array(n);
  const high = total > 32 ? new Uint32Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const k = start[i]! - min;
    low[i] = k % 4294967296;
    if (high !== undefined) high[i] = Math.floor(k / 4294967296);
  }
  const bits = digitBits(n);
  const count = new Uint32Array((1 << bits) + 1);
  // each pass reads the order `from` (none before the first: the rows as they are) and fills `to`;
  // the two arrays then swap
  let from: Uint32Array | undefined;
  let to: Uint32Array = new Uint32Array(n);
  const digits = (word: Uint32Array, width: number): void => {
    for (let shift = 0; shift < width; shift += bits) {
      pass(word, shift, (1 << Math.min(bits, width - shift)) - 1, from, to, n, count);
      const filled = to;
      to = from ?? new Uint32Array(n);
      from = filled;
    }
  };
  digits(low, Math.min(total, 32));
  if (high !== undefined) digits(high, total - 32);
  return from!;
}

/** One stable counting pass on the digit (word[i] >>> shift) & mask: `to` gets the rows of `from` (or 0..n-1) reordered by it. */
function pass(word: Uint32Array, shift: number, mask: number, from: Uint32Array | undefined, to: Uint32Array, n: number, count: Uint32Array): void {
  const buckets = mask + 1;
  count.fill(0, 0, buckets + 1);
  for (let i = 0; i < n; i++) count[((word[i]! >>> shift) & mask) + 1]!++;
  for (let d = 1; d <= buckets; d++) count[d]! += count[d - 1]!;
  if (from === undefined) {
    for (let i = 0; i < n; i++) to[count[(word[i]! >>> shift) & mask]!++] = i;
    return;
  }
  for (let j = 0; j < n; j++) {
    const i = from[j]!;
    to[count[(word[i]! >>> shift) & mask]!++] = i;
  }
}
