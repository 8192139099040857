// "Did you mean" for misspelt parameters: the known spellings within one edit of a short word or
// two of a longer one (core's edit distance: Levenshtein plus swaps of adjacent letters).

import { alternatives, editDistance } from '@opentraq/core';

/** The names close to `word` (case-insensitively; dashes count), nearest first, at most three. */
export function nearestNames(word: string, names: readonly string[]): string[] {
  if (word.length > 64) return [];
  const w = word.toLowerCase();
  const core = w.replace(/^-+/, '');
  const limit = core.length <= 4 ? 1 : 2;
  return names
    .map((n, order) => ({ n, order, d: editDistance(w, n.toLowerCase()) }))
    .filter((x) => x.d <= limit && x.d < x.n.replace(/^-+/, '').length)
    .sort((x, y) => x.d - y.d || x.order - y.order)
    .map((x) => x.n)
    .slice(0, 3);
}

/** ` (did you mean -tn?)`, or '' when nothing is close. */
export function didYouMean(word: string, names: readonly string[]): string {
  const close = nearestNames(word, names);
  if (close.length === 0) return '';
  return ` (did you mean ${alternatives(close)}?)`;
}
