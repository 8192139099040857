// What a ranking asks for (ftstat -grp / -cnt / -snd / -rcv / -r / -w and the API's stat call),
// checked once and turned into the plan every thread derives its work from.

import type { ColumnName } from '../fields/columns.js';
import { COUNTS, ENTITY_BY_NAME, UNIQUE_TARGETS, type CountName, type EntityDef, type EntityName } from '../fields/entities.js';
import type { FilterNode } from '../filter/ast.js';
import { mentionsField } from '../filter/index.js';
import { makeLayout, type KeyLayout } from './keyindex.js';
import { QueryError } from './queryerror.js';

/** -snd: what each entity sent; -rcv: what it received; none: both. */
export type Direction = 'none' | 'snd' | 'rcv';

export interface RankQuery {
  /** -grp */
  readonly entity: EntityName;
  /** -cnt */
  readonly count: CountName;
  /** The X of -cnt UNIQUE X. */
  readonly unique?: EntityName;
  readonly direction?: Direction;
  /** Parsed filter (parseFilter); absent or {type:'all'} selects every session. */
  readonly filter?: FilterNode;
  /** The frame [fromUs, toUs), µs since the epoch. */
  readonly fromUs: number;
  readonly toUs: number;
  /** Rows to return (-r); absent: every entity. */
  readonly rows?: number;
  /** Equal time slices of the frame to break every row into (-w); absent or 0: none. */
  readonly slices?: number;
}

/** More slices than this would cost more memory per entity than any chart can show. */
export const MAX_SLICES = 10000;

/** What is summed per contribution: a volume column pair, one per session, or distinct values. */
export type Measure = 'bytes' | 'packets' | 'sessions' | 'unique';

export interface RankPlan {
  readonly entity: EntityDef;
  readonly count: CountName;
  readonly target: EntityDef | null;
  readonly direction: Direction;
  readonly measure: Measure;
  readonly fromUs: number;
  readonly toUs: number;
  /** Infinity when every entity is wanted. */
  readonly rows: number;
  readonly slices: number;
  readonly filter: FilterNode | null;
  /** Set when the entity's either field is mentioned by the filter: sides are then ranked only when the side-restricted filter holds. */
  readonly eitherField: string | null;
  /** Client-side and server-side key columns (sided and pair entities); the key columns for session entities in both. */
  readonly clientColumns: readonly ColumnName[];
  readonly serverColumns: readonly ColumnName[];
  /** Full key of one entity (the output columns). */
  readonly entityLayout: KeyLayout;
  /** UNIQUE: the target's columns on each side (the same for session-shaped targets) and the layout of one value. */
  readonly targetClient: readonly ColumnName[];
  readonly targetServer: readonly ColumnName[];
  readonly targetLayout: KeyLayout | null;
}

function entityNamed(name: unknown, what: string): EntityDef {
  const def = typeof name === 'string' ? ENTITY_BY_NAME.get(name.toUpperCase()) : undefined;
  if (def === undefined) {
    throw new QueryError(
      what === 'entity' ? 'UNKNOWN_ENTITY' : 'BAD_UNIQUE',
      `unknown ${what} ${JSON.stringify(name)}: use one of ${[...ENTITY_BY_NAME.keys()].join(' ')}`,
    );
  }
  return def;
}

function isPositiveInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
}

export function planRank(q: RankQuery): RankPlan {
  const entity = entityNamed(q.entity, 'entity');
  const count = typeof q.count === 'string' ? (q.count.toUpperCase() as CountName) : q.count;
  if (!COUNTS.includes(count)) {
    throw new QueryError('UNKNOWN_COUNT', `unknown count ${JSON.stringify(q.count)}: use one of ${COUNTS.join(' ')}`);
  }
  let target: EntityDef | null = null;
  if (count === 'UNIQUE') {
    if (q.unique === undefined) throw new QueryError('BAD_UNIQUE', `-cnt UNIQUE needs an entity: one of ${UNIQUE_TARGETS.join(' ')}`);
    target = entityNamed(q.unique, 'UNIQUE target');
    if (!target.uniqueTarget) {
      throw new QueryError('BAD_UNIQUE', `-cnt UNIQUE ${target.name} is not possible: use one of ${UNIQUE_TARGETS.join(' ')}`);
    }
  } else if (q.unique !== undefined) {
    throw new QueryError('BAD_UNIQUE', `a UNIQUE target (${String(q.unique)}) was given with -cnt ${count}: it needs -cnt UNIQUE`);
  }
  const direction = q.direction ?? 'none';
  if (direction !== 'none' && direction !== 'snd' && direction !== 'rcv') {
    throw new QueryError('BAD_DIRECTION', `unknown direction ${JSON.stringify(direction)}: use none, snd or rcv`);
  }
  if (direction !== 'none' && entity.shape !== 'sided') {
    throw new QueryError(
      'BAD_DIRECTION',
      `-${direction} does not apply to -grp ${entity.name}: sent/received only means something for entities on one side of a session (IP IF COUNTRY VLAN ASN MAC)`,
    );
  }
  const { fromUs, toUs } = q;
  if (typeof fromUs !== 'number' || typeof toUs !== 'number' || !Number.isFinite(fromUs) || !Number.isFinite(toUs) || !(fromUs < toUs)) {
    throw new QueryError('BAD_TIME_FRAME', `the time frame must be two finite instants with from < to (got ${String(fromUs)} .. ${String(toUs)})`);
  }
  if (q.rows !== undefined && !isPositiveInt(q.rows)) {
    throw new QueryError('BAD_ROWS', `rows must be a positive integer (got ${String(q.rows)})`);
  }
  const slices = q.slices ?? 0;
  if (slices !== 0 && !(isPositiveInt(slices) && slices <= MAX_SLICES)) {
    throw new QueryError('BAD_SLICES', `slices must be an integer from 1 to ${MAX_SLICES} (got ${String(q.slices)})`);
  }
  const filter = q.filter === undefined || q.filter.type === 'all' ? null : q.filter;
  const eitherField =
    entity.shape === 'sided' && entity.eitherField !== undefined && filter !== null && mentionsField(filter, entity.eitherField)
      ? entity.eitherField
      : null;

  const clientColumns = entity.shape === 'session' ? entity.key! : entity.client!;
  const serverColumns = entity.shape === 'session' ? entity.key! : entity.server!;
  let keyColumns: readonly ColumnName[];
  if (entity.shape === 'sided' || entity.shape === 'session') keyColumns = clientColumns;
  else if (entity.unordered) keyColumns = [...clientColumns, ...serverColumns];
  else keyColumns = [...clientColumns, ...serverColumns.filter((c) => !clientColumns.includes(c))];

  const targetClient = target === null ? [] : target.shape === 'session' ? target.key! : target.client!;
  const targetServer = target === null ? [] : target.shape === 'session' ? target.key! : target.server!;

  return {
    entity,
    count,
    target,
    direction,
    measure: count === 'PACKETS' ? 'packets' : count === 'SESSIONS' ? 'sessions' : count === 'UNIQUE' ? 'unique' : 'bytes',
    fromUs,
    toUs,
    rows: q.rows ?? Infinity,
    slices,
    filter,
    eitherField,
    clientColumns,
    serverColumns,
    entityLayout: makeLayout(keyColumns),
    targetClient,
    targetServer,
    targetLayout: target === null ? null : makeLayout(targetClient),
  };
}
