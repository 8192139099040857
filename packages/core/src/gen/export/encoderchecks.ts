// Argument checks shared by the export encoders: integer options with their allowed range, the row
// range of a FlowBatch to encode, and the export time.

import type { FlowBatch } from '../../decode/flowbatch.js';
import { ExportEncoderError } from './exportencodererror.js';

/** `v` when it is an integer in [lo, hi], `dflt` when undefined; otherwise an ERR_EXPORT_OPTION error. */
export function intOption(who: string, name: string, v: unknown, dflt: number, lo: number, hi: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new ExportEncoderError('ERR_EXPORT_OPTION', `${who} option ${name} must be a whole number from ${lo} to ${hi}, got ${String(v)}`);
  }
  return v;
}

/** Rows [from, to) must lie in the batch. */
export function checkRows(who: string, batch: FlowBatch, from: number, to: number): void {
  if (batch === null || typeof batch !== 'object' || typeof batch.length !== 'number' || !(batch.srcAddr instanceof Uint32Array)) {
    throw new ExportEncoderError('ERR_EXPORT_RANGE', `${who}: the first argument must be a FlowBatch`);
  }
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from || to > batch.length) {
    throw new ExportEncoderError('ERR_EXPORT_RANGE', `${who}: rows [${String(from)}, ${String(to)}) are not a range inside the batch of ${batch.length} rows`);
  }
}

/** Export header times are unsigned 32-bit seconds. */
export function checkExportTime(who: string, exportTimeMs: number): void {
  if (!Number.isSafeInteger(exportTimeMs) || exportTimeMs < 0 || exportTimeMs >= 4294967296000) {
    throw new ExportEncoderError('ERR_EXPORT_RANGE', `${who}: export time must be whole milliseconds since the epoch before 2106, got ${String(exportTimeMs)}`);
  }
}
