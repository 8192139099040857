// Numbers for people: bytes in binary units (1.2 GiB), bits and counts in decimal ones (3.4 Gbit,
// 3.4 M), percents with two decimals. Only tables use these; CSV and JSON carry exact numbers.

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
const BIT_UNITS = ['bit', 'kbit', 'Mbit', 'Gbit', 'Tbit', 'Pbit', 'Ebit'];
const COUNT_UNITS = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/** `value` in the largest unit of `base` it reaches, one decimal; below `base` the exact integer. */
function scaled(value: number, base: number, units: readonly string[]): string {
  if (!Number.isFinite(value)) return String(value);
  const sign = value < 0 ? '-' : '';
  let v = Math.abs(value);
  if (v < base) {
    const exact = Number.isInteger(v) ? String(v) : v.toFixed(1);
    return units[0] === '' ? `${sign}${exact}` : `${sign}${exact} ${units[0]}`;
  }
  let u = 0;
  while (v >= base && u < units.length - 1) {
    v /= base;
    u++;
  }
  // 1023.96 KiB rounds to 1024.0: show it as the next unit up
  if (Number(v.toFixed(1)) >= base && u < units.length - 1) {
    v /= base;
    u++;
  }
  return `${sign}${v.toFixed(1)} ${units[u]}`;
}

/** `1.2 GiB`, `512 B`. */
export function formatBytes(n: number): string {
  return scaled(n, 1024, BYTE_UNITS);
}

/** `3.4 Gbit`, `800 bit`. */
export function formatBits(n: number): string {
  return scaled(n, 1000, BIT_UNITS);
}

/** `3.4 M`, `12.0 k`, `999`. */
export function formatCount(n: number): string {
  return scaled(n, 1000, COUNT_UNITS);
}

/** `46.18%`; a share too small to show as 0.01% is `<0.01%`. */
export function formatPercent(p: number): string {
  if (!Number.isFinite(p)) return '';
  if (p > 0 && p < 0.005) return '<0.01%';
  return `${p.toFixed(2)}%`;
}
