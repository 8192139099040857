// Parameters of the detectors that this detector does not take are refused with the reason — `fttcv -bc 3`
// says -bc is ftbfg's, `ftdos --no-low` gives ftdos's reason — where the parser would call them unknown.

import type { OptionDef, ToolSpec } from '@opentraq/cli';
import { FTBFG } from '../ftbfg/ftbfgspec.js';
import { FTBL } from '../ftbl/ftblspec.js';
import { FTDOS } from '../ftdos/ftdosspec.js';
import { FTSCAN } from '../ftscan/ftscanspec.js';
import { FTTCV } from '../fttcv/fttcvspec.js';
import { FTTH } from '../ftth/ftthspec.js';

const DETECTORS: readonly ToolSpec[] = [FTDOS, FTTCV, FTSCAN, FTBFG, FTTH, FTBL];

/** The words a parameter is written as, without dashes: its name and its long names. */
function words(def: Pick<OptionDef, 'name' | 'long'>): string[] {
  return [def.name, ...def.long];
}

/**
 * `spec` with refusals added (the parser matches a refusal's name with one dash or two): for every
 * parameter another of `detectors` takes and `spec` neither takes nor refuses, naming who takes it and
 * what it does; and for the long names of those `spec` refuses already, the same reason as their short name.
 */
export function withForeignRefusals(spec: ToolSpec, detectors: readonly ToolSpec[] = DETECTORS): ToolSpec {
  const own = new Set(spec.options.flatMap(words));
  const refuses: Record<string, string> = { ...spec.refuses };
  const owners = new Map<string, { def: OptionDef; tools: string[] }>();
  for (const other of detectors) {
    if (other.name === spec.name) continue;
    for (const def of other.options) {
      if (own.has(def.name)) continue;
      const known = owners.get(def.name);
      if (known === undefined) owners.set(def.name, { def, tools: [other.name] });
      else known.tools.push(other.name);
    }
  }
  for (const [name, { def, tools }] of owners) {
    const why = spec.refuses[name] ?? `it is a parameter of ${tools.join(' and ')} (${def.help})`;
    for (const w of words(def)) if (!own.has(w) && refuses[w] === undefined) refuses[w] = why;
  }
  return { ...spec, refuses };
}
