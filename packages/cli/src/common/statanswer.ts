// The JSON answer of GET /api/v1/stat (docs/server.md): the ranking's columns and rows, its summary,
// and with slices the slice bounds. The tools and the detectors read rankings as this.

export type StatCell = string | number | null;

export interface StatSummary {
  readonly sessions: number;
  readonly packets: number;
  readonly bytes: number;
  /** Distinct entities in the selection (rows is at most this). */
  readonly entities: number;
  /** The count over the whole selection: the base of `percent`. */
  readonly total: number;
  /** The frame [from, to), UTC epoch seconds. */
  readonly from: number;
  readonly to: number;
}

export interface StatAnswer {
  /** rank, the entity columns, value, percent, six auxiliary counts, descriptive extras, one column per slice. */
  readonly columns: readonly string[];
  readonly data: readonly (readonly StatCell[])[];
  readonly summary: StatSummary;
  /** With slices: the n + 1 bounds (UTC epoch seconds) and per slice the sum over the entities not shown. */
  readonly series?: { readonly bounds: readonly number[]; readonly other: readonly number[] };
}

/** The auxiliary columns, in answer order. */
export const AUX_COLUMNS = ['bytes_sent', 'bytes_recv', 'packets_sent', 'packets_recv', 'sessions_initiated', 'sessions_accepted'] as const;

/** Index of the first slice column (columns.length without slices). */
export function firstSliceColumn(a: StatAnswer): number {
  return a.series === undefined ? a.columns.length : a.columns.length - (a.series.bounds.length - 1);
}

/** Checks the shape the tools rely on; a message naming what is missing, or null. */
export function statAnswerProblem(a: unknown): string | null {
  const x = a as Partial<StatAnswer> | null;
  if (typeof x !== 'object' || x === null) return 'it is not a JSON object';
  if (!Array.isArray(x.columns) || !Array.isArray(x.data)) return 'it has no columns or data';
  for (const c of ['rank', 'value', 'percent', ...AUX_COLUMNS]) if (!x.columns.includes(c)) return `it has no ${c} column`;
  if (typeof x.summary !== 'object' || x.summary === null) return 'it has no summary';
  if (x.series !== undefined && (!Array.isArray(x.series.bounds) || x.series.bounds.length < 2)) return 'its series has no slice bounds';
  if (x.data.some((row) => !Array.isArray(row) || row.length !== x.columns!.length)) return 'a row does not have one value per column';
  return null;
}
