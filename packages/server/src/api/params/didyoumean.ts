// "Did you mean" for misspelt parameter and field names: the names within one edit of a short
// word, two of a longer one (optimal string alignment: Levenshtein with adjacent swaps).

function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Names close to `word` (case-insensitive), nearest first; a `did you mean` clause or ''. */
export function didYouMean(word: string, names: readonly string[]): string {
  const w = word.toLowerCase();
  if (w.length > 64) return '';
  const close = names
    .map((n, order) => ({ n, order, d: distance(w, n.toLowerCase()) }))
    .filter((x) => x.d <= (x.n.length <= 5 ? 1 : 2))
    .sort((x, y) => x.d - y.d || x.order - y.order)
    .map((x) => x.n);
  return close.length === 0 ? '' : ` (did you mean ${close.join(' or ')}?)`;
}
