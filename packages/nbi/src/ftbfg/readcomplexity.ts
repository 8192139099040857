// ftbfg's -bc, the complexity index of its fingerprint (1–16, default 1): how much of a client's
// address the fingerprint keeps (clientsubnet.ts), read and checked before anything is sent.

import { readWholeNumber, type OptionDef, type ParsedOptions } from '@opentraq/cli';
import { DEFAULT_COMPLEXITY, MAX_COMPLEXITY, MIN_COMPLEXITY } from './clientsubnet.js';

export const COMPLEXITY_OPTION: OptionDef = {
  name: 'bc',
  long: ['complexity'],
  kind: 'value',
  arg: 'N',
  example: '8',
  group: 'Detector',
  help: `complexity index ${MIN_COMPLEXITY}–${MAX_COMPLEXITY}: clients are kept as IPv4 /(16+N) and IPv6 /(48+5N) subnets (8: /24, 16: single addresses); higher is finer and takes longer to learn`,
  defaultText: String(DEFAULT_COMPLEXITY),
};

export function readComplexity(parsed: ParsedOptions): number {
  return readWholeNumber(parsed, 'bc', MIN_COMPLEXITY, MAX_COMPLEXITY, 'a complexity index') ?? DEFAULT_COMPLEXITY;
}
