// The four volume columns of a segment as frames of reference, for kernels that only sum
// volumes by key: rows are summed in steps straight from the stored parts, no decoding.

import type { ColumnArray, ColumnName } from '../fields/columns.js';
import type { FrameColumn } from './source.js';

/** The volume columns in the order frames index them (a kernel's bc, bs, pc, ps). */
export const VOLUME_COLUMNS = ['clnbyts', 'srvbyts', 'clnpkts', 'srvpkts'] as const satisfies readonly ColumnName[];

/** Sums in steps stay exact while every sum of a segment's values stays below this. */
const EXACT = 2 ** 52;

function partType(a: ColumnArray): string {
  if (a instanceof Uint8Array) return 'u8';
  if (a instanceof Uint16Array) return 'u16';
  if (a instanceof Uint32Array) return 'u32';
  return 'f64';
}

const NO_ROWS = new Uint32Array(0);

/**
 * Column k's value at row r is base[k] + step[k] × (parts[k][r] + its high part), which is
 * high[k][j] × highScale[k] for the row highRows[k][j] and 0 for rows not listed. A sum of n
 * rows' values is base × n + step × (the sum of their steps): exact, as prepare() accepts
 * only whole bases and steps and segments whose sums stay below 2^52.
 */
export class VolumeFrames {
  readonly parts: ColumnArray[] = [];
  readonly base = new Float64Array(4);
  readonly step = new Float64Array(4);
  readonly highRows: Uint32Array[] = [NO_ROWS, NO_ROWS, NO_ROWS, NO_ROWS];
  readonly high: Uint32Array[] = [NO_ROWS, NO_ROWS, NO_ROWS, NO_ROWS];
  readonly highScale = new Float64Array(4);
  /**
   * Per column, the index of the first listed row a kernel has not passed yet: kernels run on
   * the rows in ascending chunks and each takes up from there (prepare() resets them).
   */
  readonly next = new Int32Array(4);
  /** highRows, high, highScale and next, as a ByCodeKernel takes them. */
  readonly highParts: readonly [readonly Uint32Array[], readonly Uint32Array[], Float64Array, Int32Array] = [this.highRows, this.high, this.highScale, this.next];
  /** The parts' array types, e.g. 'u16 u16 u8 u8': kernels are compiled per combination. */
  types = '';
  /** Every base is 0 and every step 1: sums in steps are the values already. */
  identity = true;

  /**
   * Takes the four columns, VOLUME_COLUMNS order: frames, or decoded values (whole numbers,
   * taken as base 0, step 1). False, and nothing usable, when a frame's base or step is not
   * a whole number or the sums of `rows` rows could leave the exact range.
   */
  prepare(columns: readonly (FrameColumn | ColumnArray)[], rows: number): boolean {
    for (let k = 0; k < 4; k++) {
      const c = columns[k]!;
      if ('kind' in c) {
        // every sum of rows' values is at most this: each part below highScale, and the high parts at most all of them
        const bound = rows * Math.abs(c.base) + Math.abs(c.step) * (rows * (c.highScale - 1) + c.highScale * c.highSum);
        if (!Number.isSafeInteger(c.base) || !Number.isSafeInteger(c.step) || !(bound < EXACT)) return false;
        this.parts[k] = c.parts;
        this.base[k] = c.base;
        this.step[k] = c.step;
        this.highRows[k] = c.highRows;
        this.high[k] = c.high;
        this.highScale[k] = c.highScale;
      } else {
        this.parts[k] = c;
        this.base[k] = 0;
        this.step[k] = 1;
        this.highRows[k] = NO_ROWS;
        this.high[k] = NO_ROWS;
        this.highScale[k] = 0;
      }
    }
    this.next.fill(0);
    this.types = this.parts.map(partType).join(' ');
    this.identity = this.base.every((b) => b === 0) && this.step.every((s) => s === 1);
    return true;
  }

  /** The sum of n rows' values of column k whose steps add up to `steps`. */
  sum(k: number, n: number, steps: number): number {
    return this.base[k]! * n + this.step[k]! * steps;
  }
}
