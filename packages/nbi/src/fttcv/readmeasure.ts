// fttcv's -grp, -cnt and -snd/-rcv: what it tracks and by what, read with core's entity table and
// checked by the query engine's own planner (UNIQUE targets, directions only on sided entities).

import { UsageError, didYouMean, type OptionDef, type ParsedOptions } from '@opentraq/cli';
import { COUNTS, ENTITIES, ENTITY_BY_NAME, QueryError, UNIQUE_TARGETS, planRank, type CountName, type EntityDef, type EntityName } from '@opentraq/core';

export interface Measure {
  readonly entity: EntityDef;
  readonly count: CountName;
  readonly unique: EntityName | undefined;
  readonly direction: 'snd' | 'rcv' | undefined;
}

export const DEFAULT_ENTITY: EntityName = 'IP';
export const DEFAULT_COUNT: CountName = 'BYTES';

export const GROUP_OPTION: OptionDef = {
  name: 'grp',
  long: ['group'],
  kind: 'value',
  arg: 'ENTITY',
  example: 'PORTPROTO',
  group: 'Query',
  help: `what to track: ${ENTITIES.map((e) => e.name).join(' ')}`,
  defaultText: DEFAULT_ENTITY,
};

export const COUNT_OPTION: OptionDef = {
  name: 'cnt',
  long: ['count'],
  kind: 'value',
  arg: 'COUNT',
  example: 'SESSIONS',
  group: 'Query',
  help: `by what: ${COUNTS.filter((c) => c !== 'UNIQUE').join(' ')}, or UNIQUE X, the number of distinct X (${UNIQUE_TARGETS.join(' ')})`,
  defaultText: DEFAULT_COUNT,
  takesSecondWord: (first) => first.toUpperCase() === 'UNIQUE',
};

function readEntity(parsed: ParsedOptions): EntityDef {
  const text = parsed.value('grp');
  if (text === undefined) return ENTITY_BY_NAME.get(DEFAULT_ENTITY)!;
  const names = ENTITIES.map((e) => e.name);
  const name = text.trim().toUpperCase();
  const def = ENTITY_BY_NAME.get(name);
  if (def === undefined) throw new UsageError('BAD_VALUE', `${parsed.spelling('grp')} '${text}' is not an entity${didYouMean(name, names)}: use one of ${names.join(' ')}`);
  return def;
}

function readCount(parsed: ParsedOptions): { count: CountName; unique: EntityName | undefined } {
  const text = parsed.value('cnt');
  if (text === undefined) return { count: DEFAULT_COUNT, unique: undefined };
  const choices = `${COUNTS.filter((c) => c !== 'UNIQUE').join(' ')} or UNIQUE X`;
  const words = text.trim().split(/\s+/);
  const count = words[0]!.toUpperCase() as CountName;
  if (!COUNTS.includes(count)) throw new UsageError('BAD_VALUE', `${parsed.spelling('cnt')} '${text}' is not a count${didYouMean(count, [...COUNTS])}: use one of ${choices}`);
  if (count === 'UNIQUE' && words.length !== 2) {
    throw new UsageError('BAD_VALUE', `${parsed.spelling('cnt')} UNIQUE needs what to count distinct values of: one of ${UNIQUE_TARGETS.join(' ')} (e.g. -cnt UNIQUE IP)`);
  }
  if (count !== 'UNIQUE' && words.length > 1) throw new UsageError('BAD_VALUE', `${parsed.spelling('cnt')} '${text}': only UNIQUE takes a second word (-cnt UNIQUE IP); -cnt ${count} stands alone`);
  if (count !== 'UNIQUE') return { count, unique: undefined };
  const target = words[1]!.toUpperCase();
  if (!(UNIQUE_TARGETS as readonly string[]).includes(target)) {
    throw new UsageError('BAD_VALUE', `-cnt UNIQUE '${words[1]}' is not an entity to count${didYouMean(target, [...UNIQUE_TARGETS])}: use one of ${UNIQUE_TARGETS.join(' ')}`);
  }
  return { count, unique: target as EntityName };
}

export function readMeasure(parsed: ParsedOptions): Measure {
  const entity = readEntity(parsed);
  const { count, unique } = readCount(parsed);
  const direction = parsed.flag('snd') ? 'snd' : parsed.flag('rcv') ? 'rcv' : undefined;
  // the engine's own rules, with its messages (a frame is needed to plan; any will do)
  try {
    planRank({ entity: entity.name, count, ...(unique !== undefined && { unique }), ...(direction !== undefined && { direction }), fromUs: 0, toUs: 1 });
  } catch (e) {
    if (e instanceof QueryError) throw new UsageError('BAD_VALUE', e.message);
    throw e;
  }
  return { entity, count, unique, direction };
}
