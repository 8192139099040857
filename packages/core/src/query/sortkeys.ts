// Orders keys of fixed-width 32-bit words (entities, addresses) without comparisons: a stable
// least-significant-digit radix sort, one byte at a time, skipping bytes every key shares.

/**
 * Indices 0..n-1 of the keys at keys[i × width ..], `width` words each, in ascending key order
 * (words compared as unsigned numbers, the first word first); equal keys keep their index order.
 */
export function sortKeys(keys: Uint32Array, width: number, n: number): Uint32Array {
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // keys often come nearly in order (ids given in address order): then merging the runs is cheaper
  const runs = ascendingRuns(keys, width, n);
  if (runs.length <= 64) return mergeRuns(keys, width, order, runs);
  let spare = new Uint32Array(n);
  const count = new Uint32Array(256);
  for (let w = width - 1; w >= 0; w--) {
    for (let shift = 0; shift < 32; shift += 8) {
      count.fill(0);
      for (let i = 0; i < n; i++) count[(keys[order[i]! * width + w]! >>> shift) & 255]!++;
      // a byte every key shares orders nothing (the IPv4-mapped prefix, high bytes of small numbers)
      if (n === 0 || count[(keys[order[0]! * width + w]! >>> shift) & 255] === n) continue;
      let at = 0;
      for (let d = 0; d < 256; d++) {
        const c = count[d]!;
        count[d] = at;
        at += c;
      }
      for (let i = 0; i < n; i++) {
        const k = order[i]!;
        spare[count[(keys[k * width + w]! >>> shift) & 255]!++] = k;
      }
      [order, spare] = [spare, order];
    }
  }
  return order;
}

/** Key i (`width` words) compared with key j. */
function compare(keys: Uint32Array, width: number, i: number, j: number): number {
  for (let w = 0; w < width; w++) {
    const d = keys[i * width + w]! - keys[j * width + w]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Starts of the maximal non-descending runs of keys 0..n-1, and n; stops counting past 65 runs. */
function ascendingRuns(keys: Uint32Array, width: number, n: number): number[] {
  const starts = [0];
  for (let i = 1; i < n && starts.length <= 65; i++) if (compare(keys, width, i - 1, i) > 0) starts.push(i);
  starts.push(n);
  return starts;
}

/** Merges the runs of `order` pairwise until one is left (stable: the earlier run first on equal keys). */
function mergeRuns(keys: Uint32Array, width: number, order: Uint32Array, bounds: number[]): Uint32Array {
  let src: Uint32Array = order;
  let dst: Uint32Array = new Uint32Array(order.length);
  while (bounds.length > 2) {
    const next = [0];
    for (let r = 0; r + 1 < bounds.length; r += 2) {
      const [lo, mid] = [bounds[r]!, bounds[r + 1]!];
      const hi = r + 2 < bounds.length ? bounds[r + 2]! : mid;
      let [i, j, o] = [lo, mid, lo];
      while (i < mid && j < hi) dst[o++] = compare(keys, width, src[i]!, src[j]!) <= 0 ? src[i++]! : src[j++]!;
      while (i < mid) dst[o++] = src[i++]!;
      while (j < hi) dst[o++] = src[j++]!;
      next.push(hi);
    }
    if (next[next.length - 1] !== order.length) next.push(order.length);
    [src, dst] = [dst, src];
    bounds = next;
  }
  return src;
}
