// Picking "one busy host" for benchmarks and demos, deterministically and without generating rows.

import { NetworkModel, type BusyHost } from './model.js';
import { resolveOptions, type GeneratorOptions } from './options.js';

/**
 * The `n` hosts expected to take part in the most sessions for these options, busiest first.
 * Depends only on seed, hosts, localAs and localCountry (not on sessions or the span).
 */
export function busiestHosts(opts: GeneratorOptions, n = 1): BusyHost[] {
  const o = resolveOptions(opts);
  const model = new NetworkModel(o.seed, o.hosts, o.localAs, o.localCountry);
  return model.busiestHosts(n);
}

/** IPv4 address of the host expected to take part in the most sessions. */
export function busiestHost(opts: GeneratorOptions): string {
  return busiestHosts(opts, 1)[0]!.address;
}
