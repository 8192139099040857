// "Did you mean" for misspelt parameters: the known spellings within one edit of a short word or
// two of a longer one (optimal string alignment: Levenshtein plus swaps of adjacent letters).

function distance(a: string, b: string): number {
  const prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
    }
    prev2.splice(0, prev2.length, ...prev);
    prev = cur;
  }
  return prev[b.length]!;
}

/** The names close to `word` (case-insensitively; dashes count), nearest first, at most three. */
export function nearestNames(word: string, names: readonly string[]): string[] {
  if (word.length > 64) return [];
  const w = word.toLowerCase();
  const core = w.replace(/^-+/, '');
  const limit = core.length <= 4 ? 1 : 2;
  return names
    .map((n, order) => ({ n, order, d: distance(w, n.toLowerCase()) }))
    .filter((x) => x.d <= limit && x.d < x.n.replace(/^-+/, '').length)
    .sort((x, y) => x.d - y.d || x.order - y.order)
    .map((x) => x.n)
    .slice(0, 3);
}

/** ` (did you mean -tn?)`, or '' when nothing is close. */
export function didYouMean(word: string, names: readonly string[]): string {
  const close = nearestNames(word, names);
  if (close.length === 0) return '';
  const list = close.length === 1 ? close[0] : `${close.slice(0, -1).join(', ')} or ${close[close.length - 1]}`;
  return ` (did you mean ${list}?)`;
}
