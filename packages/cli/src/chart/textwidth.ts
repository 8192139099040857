// How wide a text is in DejaVu Sans, the font charts are drawn with, so that labels can be laid out
// and shortened before the SVG is rasterised: the advance widths of the printable ASCII characters.

/** Advance widths of U+0020..U+007E in DejaVu Sans 2.37 (units of 1/2048 em), read from DejaVuSans.ttf's hmtx table. */
const REGULAR = [
  651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716,
  1716, 1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251,
  1403, 799, 690, 799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300, 1300, 842, 1067, 803, 1298, 1212,
  1675, 1212, 1212, 1075, 1303, 690, 1303, 1716,
];
/** The same for DejaVuSans-Bold.ttf. */
const BOLD = [
  713, 934, 1067, 1716, 1425, 2052, 1786, 627, 936, 936, 1071, 1716, 778, 850, 778, 748, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 819, 819, 1716, 1716,
  1716, 1188, 2048, 1585, 1561, 1503, 1700, 1399, 1399, 1681, 1714, 762, 762, 1587, 1305, 2038, 1714, 1741, 1501, 1741, 1577, 1475, 1397, 1663, 1585, 2259, 1579, 1483,
  1485, 936, 748, 936, 1716, 1024, 1024, 1382, 1466, 1214, 1466, 1389, 891, 1466, 1458, 702, 702, 1362, 702, 2134, 1458, 1407, 1466, 1466, 1010, 1219, 979, 1458, 1335,
  1892, 1321, 1335, 1192, 1458, 748, 1458, 1716,
];
const UNITS_PER_EM = 2048;
/** The characters beyond ASCII that the tools write themselves (pairs, shortened names, ranges), read from the same tables. */
const EXTRA: ReadonlyMap<string, readonly [regular: number, bold: number]> = new Map([
  ['…', [2048, 2048]],
  ['↔', [1716, 1716]],
  ['→', [1716, 1716]],
  ['–', [1024, 1024]],
  ['·', [651, 778]],
]);
/** Other characters beyond ASCII (letters of AS names): one em, wider than most of them, so that text rarely overflows. */
const OTHER = 2048;

/** Width in pixels of `text` set in DejaVu Sans at `size` pixels. */
export function textWidth(text: string, size: number, bold = false): number {
  const table = bold ? BOLD : REGULAR;
  let units = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    const extra = EXTRA.get(ch);
    units += c >= 32 && c < 127 ? table[c - 32]! : extra === undefined ? OTHER : extra[bold ? 1 : 0];
  }
  return (units / UNITS_PER_EM) * size;
}

/** `text`, shortened with … at the end so that it is at most `width` pixels wide. */
export function fitText(text: string, width: number, size: number, bold = false): string {
  if (textWidth(text, size, bold) <= width) return text;
  const chars = [...text];
  while (chars.length > 0 && textWidth(`${chars.join('').trimEnd()}…`, size, bold) > width) chars.pop();
  return chars.length === 0 ? '' : `${chars.join('').trimEnd()}…`;
}
