// The value axis of a chart: round ticks from 0 past the highest stack, labelled in the unit that
// fits the range — bytes in binary units (KiB, MiB …), bits and counts in decimal ones (kbit, k, M …).

/** What the values are: bytes and bits get their units, counts (packets, sessions, unique X) k/M/G. */
export type ValueUnit = 'bytes' | 'bits' | 'count';

export interface ValueAxis {
  /** The top of the axis (the highest tick), ≥ the highest value. */
  readonly top: number;
  readonly ticks: readonly { readonly value: number; readonly label: string }[];
}

const SCALES: Readonly<Record<ValueUnit, { readonly base: number; readonly units: readonly string[] }>> = {
  bytes: { base: 1024, units: ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] },
  bits: { base: 1000, units: ['bit', 'kbit', 'Mbit', 'Gbit', 'Tbit', 'Pbit', 'Ebit'] },
  count: { base: 1000, units: ['', 'k', 'M', 'G', 'T', 'P', 'E'] },
};

/** The round step (1, 2, 2.5 or 5 × 10^n) nearest above `rough`. */
function niceStep(rough: number): number {
  const exp = Math.floor(Math.log10(rough));
  const mag = 10 ** exp;
  const f = rough / mag;
  const m = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return m * mag;
}

function decimals(step: number): number {
  for (let d = 0; d < 6; d++) if (Math.abs(step * 10 ** d - Math.round(step * 10 ** d)) < 1e-9) return d;
  return 6;
}

/** About `target` intervals from 0 to at least `max` (a max of 0 gets an axis up to 1 unit). */
export function valueAxis(max: number, unit: ValueUnit, target = 5): ValueAxis {
  const { base, units } = SCALES[unit];
  const m = Number.isFinite(max) && max > 0 ? max : 1;
  let k = 0;
  while (k < units.length - 1 && m >= base ** (k + 1)) k++;
  const scale = base ** k;
  // below the first unit up there are no fractions: no 0.5 bytes or 2.5 sessions
  const step = Math.max(niceStep(m / scale / target), k === 0 ? 1 : 0);
  const count = Math.max(1, Math.ceil(m / scale / step - 1e-9));
  const d = decimals(step);
  const ticks = [];
  for (let i = 0; i <= count; i++) {
    const v = i * step;
    const num = v.toFixed(d);
    ticks.push({ value: v * scale, label: i === 0 ? '0' : units[k] === '' ? num : `${num} ${units[k]}` });
  }
  return { top: count * step * scale, ticks };
}
