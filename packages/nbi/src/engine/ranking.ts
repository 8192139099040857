// The rankings a detector learns from and checks: GET /api/v1/stat for a span (with one slice per
// slot when training), read into entities with a stable key, their value and their six counts.

import { AUX_COLUMNS, RuntimeFailure, epochParam, firstSliceColumn, statAnswerProblem, type StatAnswer, type StatCell } from '@opentraq/cli';
import type { CountName, EntityDef, EntityName } from '@opentraq/core';

export const STAT_PATH = '/api/v1/stat';

/** What a detector ranks: ftstat's -grp, -cnt, -snd/-rcv, and the selection (-q, -e, -ei, -ef). */
export interface RankingSpec {
  readonly entity: EntityDef;
  readonly count: CountName;
  /** The X of -cnt UNIQUE X. */
  readonly unique: EntityName | undefined;
  readonly direction: 'snd' | 'rcv' | undefined;
  /** query=, exporter=, ifindex= as readSelection gives them. */
  readonly selection: Readonly<Record<string, string>>;
}

/** The auxiliary columns of a row: what the entity sent and received in the span. */
export interface AuxCounts {
  readonly bytes_sent: number;
  readonly bytes_recv: number;
  readonly packets_sent: number;
  readonly packets_recv: number;
  readonly sessions_initiated: number;
  readonly sessions_accepted: number;
}

export const NO_COUNTS: AuxCounts = { bytes_sent: 0, bytes_recv: 0, packets_sent: 0, packets_recv: 0, sessions_initiated: 0, sessions_accepted: 0 };

export interface RankedEntity {
  /** The entity's columns joined by spaces (`10.0.0.1`, `443 6`): its identity in the baselines. */
  readonly key: string;
  /** The entity's columns as the API gives them, in the order of Ranking.entityColumns. */
  readonly cells: readonly StatCell[];
  /** The ranked value over the span. */
  readonly value: number;
  readonly counts: AuxCounts;
  /** With slices: the value in each slice. */
  readonly slices: readonly number[];
}

export interface Ranking {
  /** The entity's column names (`IP`; `PORT`, `PROTO`; ...). */
  readonly entityColumns: readonly string[];
  readonly rows: readonly RankedEntity[];
  /** Whether every entity with a value is among the rows (the ranking was not cut at `rows`, or only after its zeros). */
  readonly complete: boolean;
  /** Entities in the selection (rows may hold fewer). */
  readonly entities: number;
  /** Sessions in the selection. */
  readonly sessions: number;
}

/** The API parameters of a ranking of [fromMs, toMs): every row up to `rows`, and `slices` slices. */
export function rankingParams(spec: RankingSpec, fromMs: number, toMs: number, rows: number, slices?: number): Record<string, string> {
  return {
    group_by: spec.entity.name,
    count_by: spec.count,
    ...(spec.unique !== undefined && { unique: spec.unique }),
    ...(spec.direction !== undefined && { direction: spec.direction }),
    after_time: epochParam(fromMs * 1000),
    before_time: epochParam(toMs * 1000),
    ...spec.selection,
    rows: String(rows),
    ...(slices !== undefined && { slices: String(slices) }),
  };
}

/** The key of an entity from its columns: the same text for the same entity in every answer. */
export function entityKey(cells: readonly StatCell[]): string {
  return cells.map((c) => cellKey(c)).join(' ');
}

function cellKey(c: StatCell | undefined): string {
  return c === null ? '-' : String(c);
}

/** The columns back from a key (entityKey's inverse): whole numbers as numbers, `-` as null. */
export function keyCells(key: string): StatCell[] {
  return key.split(' ').map((w) => (w === '-' ? null : /^\d{1,15}$/.test(w) ? Number(w) : w));
}

function numberAt(row: readonly StatCell[], i: number): number {
  const v = row[i];
  return typeof v === 'number' ? v : v === null || v === undefined ? 0 : Number(v);
}

function checkedAnswer(answer: StatAnswer): void {
  const problem = statAnswerProblem(answer);
  if (problem !== null) throw new RuntimeFailure('BAD_ANSWER', `the server's ranking cannot be read: ${problem}`);
}

/** Whether every entity with a value is among the rows: `lastIsZero`, whether the last row is 0 throughout. */
export function isComplete(rows: number, rowsAsked: number, entities: number, lastIsZero: boolean): boolean {
  // rows come largest first, so when the last one is 0 every entity left out is 0 as well
  return rows < rowsAsked || entities <= rowsAsked || lastIsZero;
}

/** Reads an answer of GET /api/v1/stat; RuntimeFailure (BAD_ANSWER) when it is not a ranking. */
export function readRanking(answer: StatAnswer, rowsAsked: number): Ranking {
  checkedAnswer(answer);
  const cols = answer.columns;
  const valueAt = cols.indexOf('value');
  const aux = AUX_COLUMNS.map((c) => cols.indexOf(c));
  const firstSlice = firstSliceColumn(answer);
  const entityColumns = cols.slice(1, valueAt);
  const rows = answer.data.map((row): RankedEntity => {
    const cells = row.slice(1, valueAt);
    return {
      key: entityKey(cells),
      cells,
      value: numberAt(row, valueAt),
      counts: {
        bytes_sent: numberAt(row, aux[0]!),
        bytes_recv: numberAt(row, aux[1]!),
        packets_sent: numberAt(row, aux[2]!),
        packets_recv: numberAt(row, aux[3]!),
        sessions_initiated: numberAt(row, aux[4]!),
        sessions_accepted: numberAt(row, aux[5]!),
      },
      slices: row.slice(firstSlice).map((_, k) => numberAt(row, firstSlice + k)),
    };
  });
  const entities = typeof answer.summary.entities === 'number' ? answer.summary.entities : rows.length;
  const last = rows[rows.length - 1];
  return {
    entityColumns,
    rows,
    complete: isComplete(rows.length, rowsAsked, entities, last !== undefined && last.value === 0 && last.slices.every((v) => v === 0)),
    entities,
    sessions: typeof answer.summary.sessions === 'number' ? answer.summary.sessions : 0,
  };
}

/** A ranking with slices as training reads it: the rows' keys, and each slice's values as a column. */
export interface SlicedRanking {
  /** Each row's entity key (entityKey). */
  readonly keys: readonly string[];
  readonly slices: number;
  /** Fills `into` (at least keys.length long) with every row's value in slice `k`. */
  sliceValues(k: number, into: Float64Array): void;
  readonly complete: boolean;
  readonly entities: number;
  readonly sessions: number;
}
