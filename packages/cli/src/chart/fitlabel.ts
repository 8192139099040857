// Legend names shortened to a width by taking characters out of the middle, so that both ends stay:
// the start of an address and its country, and in a pair (`a ↔ b`, `a → b`) each side on its own.

import { textWidth } from './textwidth.js';

/** The separators of pair names, as statChart writes them. */
const PAIR = / (↔|→) /u;
/** Of what is kept, this share comes from the start: the start of a name tells most. */
const HEAD_SHARE = 0.6;

/** `text` with characters from its middle replaced by one … so that it is at most `width` px wide ('' if not even … fits). */
function fitMiddle(text: string, width: number, size: number): string {
  if (textWidth(text, size) <= width) return text;
  const chars = [...text];
  for (let keep = chars.length - 1; keep > 0; keep--) {
    const head = Math.ceil(keep * HEAD_SHARE);
    const candidate = `${chars.slice(0, head).join('').trimEnd()}…${chars.slice(chars.length - (keep - head)).join('').trimStart()}`;
    if (textWidth(candidate, size) <= width) return candidate;
  }
  return textWidth('…', size) <= width ? '…' : '';
}

/**
 * `label` as it fits in `width` px at `size` px: whole when it fits, else shortened in the middle.
 * A pair gives each side half the room, or a short side all it needs and the long side the rest.
 */
export function fitLabel(label: string, width: number, size: number): string {
  if (textWidth(label, size) <= width) return label;
  const m = PAIR.exec(label);
  if (m !== null) {
    const a = label.slice(0, m.index);
    const b = label.slice(m.index + m[0].length);
    const room = width - textWidth(m[0], size);
    const wa = textWidth(a, size);
    const wb = textWidth(b, size);
    const roomA = wa <= room / 2 ? wa : wb <= room / 2 ? room - wb : room / 2;
    const left = fitMiddle(a, roomA, size);
    const right = fitMiddle(b, room - textWidth(left, size), size);
    // a side shortened to nothing says less than the whole name cut once
    if (left !== '' && left !== '…' && right !== '' && right !== '…') return `${left}${m[0]}${right}`;
  }
  return fitMiddle(label, width, size);
}
