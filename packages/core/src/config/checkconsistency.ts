// Rules between settings, checked after every setting has its value: no port serves two listeners
// of one protocol, and TLS needs both its certificate and its key.

import { configProblem, type ConfigProblem, type ProblemPlace } from './configerror.js';
import type { ConfigPath, ServerConfig } from './serverconfig.js';
import { configValue } from './settings.js';

/** Where a setting's value was given, and as what text. */
export interface SettingOrigin {
  readonly place: ProblemPlace;
  readonly text: string;
}

/** Listeners that share a port space, in the order their conflicts are reported. */
const PORT_GROUPS: readonly { readonly proto: string; readonly paths: readonly ConfigPath[] }[] = [
  { proto: 'UDP', paths: ['netflow.netflowport', 'sflow.sflowport'] },
  { proto: 'TCP', paths: ['listenport', 'netflow.ipfixtcpport'] },
];

function portsOf(config: ServerConfig, path: ConfigPath): readonly number[] {
  const v = configValue(config, path);
  return typeof v === 'number' ? [v] : (v as readonly number[]);
}

function originNote(o: SettingOrigin | undefined): string {
  if (o === undefined) return '';
  return 'flag' in o.place ? ` (${o.place.flag})` : ` (line ${o.place.line})`;
}

/**
 * Problems between settings. Only pairs with at least one setting in `given` are checked (the others
 * were checked before, or are defaults), and none with a setting in `invalid` (its value is unknown);
 * each problem is reported where the later of the two was given, as `origin` tells.
 */
export function checkConsistency(
  config: ServerConfig,
  given: ReadonlySet<ConfigPath>,
  invalid: ReadonlySet<ConfigPath>,
  origin: (path: ConfigPath) => SettingOrigin | undefined,
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const later = (a: ConfigPath, b: ConfigPath): [ConfigPath, ConfigPath] => {
    const oa = origin(a);
    const ob = origin(b);
    if (ob === undefined) return [b, a];
    if (oa === undefined || 'flag' in ob.place) return [a, b];
    if ('flag' in oa.place) return [b, a];
    return oa.place.line > ob.place.line ? [b, a] : [a, b];
  };
  for (const { proto, paths } of PORT_GROUPS) {
    for (let i = 0; i < paths.length; i++) {
      for (let j = i + 1; j < paths.length; j++) {
        const [first, second] = later(paths[i]!, paths[j]!);
        if ((!given.has(first) && !given.has(second)) || invalid.has(first) || invalid.has(second)) continue;
        const taken = portsOf(config, first);
        const clash = portsOf(config, second).filter((p) => taken.includes(p));
        const at = origin(second);
        if (clash.length === 0 || at === undefined) continue;
        const ports = clash.length === 1 ? `port ${clash[0]} is` : `ports ${clash.join(' ')} are`;
        out.push(
          configProblem('PORT_CONFLICT', at.place, second, `${proto} ${ports} also in ${first}${originNote(origin(first))}; a port can have only one listener`, at.text),
        );
      }
    }
  }
  const { cert, key } = config.tls;
  const tlsGiven = given.has('tls.cert') || given.has('tls.key');
  if ((cert === '') !== (key === '') && tlsGiven && !invalid.has('tls.cert') && !invalid.has('tls.key')) {
    const [set, unset]: [ConfigPath, ConfigPath] = cert === '' ? ['tls.key', 'tls.cert'] : ['tls.cert', 'tls.key'];
    const at = origin(set);
    if (at !== undefined) {
      out.push(configProblem('TLS_INCOMPLETE', at.place, set, `${set} is set but ${unset} is not: set both for HTTPS, or neither for plain HTTP`));
    }
  }
  return out;
}
