// The option lists and refusals the detectors' specs share: the connection, login and history they
// list first, the output options they list last, the lists of ftdos and ftscan, and one reason for many.

import { sharedOptions, type OptionDef } from '@opentraq/cli';
import {
  DAY_OF_WEEK_OPTION,
  DEVIATIONS_OPTION,
  GRANULARITY_OPTION,
  HISTORY_OPTION,
  JSON_OPTION,
  LOG_OPTIONS,
  MEMORY_OPTION,
  NO_RECORD_OPTION,
  SETTLE_OPTION,
  VERBOSE_OPTION,
} from './detectoroptions.js';

/** -s -p -un -up -us -te -tl -tn: connection, login and the history, first in a learning detector's help. */
export const HISTORY_HEAD: readonly OptionDef[] = [...sharedOptions('s', 'p', 'un', 'up', 'us', 'te', 'tl'), HISTORY_OPTION];

/** -j -v, the syslog options and -nr: how a detector reports, last in every detector's help. */
export const REPORT_TAIL: readonly OptionDef[] = [JSON_OPTION, VERBOSE_OPTION, ...LOG_OPTIONS, NO_RECORD_OPTION];

/** The options of a baseline detector whose rankings are fixed (ftdos, ftscan): -bt and -bm say what they count and hold. */
export function fixedRankingOptions(threshold: OptionDef, memory: OptionDef = MEMORY_OPTION): OptionDef[] {
  return [
    ...HISTORY_HEAD,
    ...sharedOptions('e', 'ei', 'ef', 'q'),
    GRANULARITY_OPTION,
    threshold,
    DEVIATIONS_OPTION,
    SETTLE_OPTION,
    DAY_OF_WEEK_OPTION,
    memory,
    ...REPORT_TAIL,
  ];
}

/** The same reason for refusing each of `names`. */
export function refusing(names: readonly string[], reason: string): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, reason]));
}

/** -grp -cnt -snd -rcv: the ranking parameters a detector with fixed rankings refuses. */
export const RANKING_PARAMETERS = ['grp', 'cnt', 'snd', 'rcv'] as const;

/** -tn -te -tl: the history parameters a detector that learns nothing refuses. */
export const HISTORY_PARAMETERS = ['tn', 'te', 'tl'] as const;
