// Keeps ftbl's list current: loaded at start (a failure ends ftbl), reloaded every -br hours before
// the next window, and a reload that fails keeps the previous list, says so, and is tried again soon.

import type { Clock } from '../engine/clock.js';
import type { Notices } from '../engine/notices.js';
import { formatWindowTime } from '../output/windowtime.js';
import type { Blacklist } from './blacklist.js';
import { BlacklistError } from './blacklisterror.js';
import { loadBlacklist, type ListLoader, type LoadedList } from './loadblacklist.js';
import { plural } from '../output/plural.js';

/** Skipped lines said on stderr per load; a list of another format would otherwise fill the log. */
export const MAX_BAD_LINES_SHOWN = 20;
/** A failed reload is tried again after this (or -br, when shorter), not a whole -br later. */
export const RETRY_AFTER_FAILURE_MS = 15 * 60_000;

function duration(ms: number): string {
  const round = (n: number): number => Math.round(n * 100) / 100;
  return ms < 3_600_000 ? plural(round(ms / 60_000), 'minute', 'minutes') : plural(round(ms / 3_600_000), 'hour', 'hours');
}

/** Why lines were skipped, in brief (each is said on a line of its own after the load's line). */
function skippedWhy(loaded: LoadedList): string {
  const malformed = loaded.bad.length - loaded.unresolved;
  const unresolved = plural(loaded.unresolved, 'hostname that does not resolve', 'hostnames that do not resolve');
  if (loaded.unresolved === 0) return 'malformed';
  if (malformed === 0) return loaded.unresolved === 1 ? 'a hostname that does not resolve' : 'hostnames that do not resolve';
  return `${malformed} malformed, ${unresolved}`;
}

/** `3 entries: 1 address, 1 block, 1 hostname (1 address); 2 lines skipped (malformed)`: skipped lines are no entries. */
export function describeLoad(loaded: LoadedList): string {
  const c = loaded.list.counts;
  const hosts = c.hostnames === 0 ? '' : `, ${plural(c.hostnames, 'hostname', 'hostnames')} (${plural(c.hostAddresses, 'address', 'addresses')})`;
  const skipped = loaded.bad.length === 0 ? '' : `; ${plural(loaded.bad.length, 'line', 'lines')} skipped (${skippedWhy(loaded)})`;
  return (
    `${plural(loaded.entries, 'entry', 'entries')}: ${plural(c.addresses, 'address', 'addresses')}, ${plural(c.blocks, 'block', 'blocks')}${hosts}${skipped}; ` +
    `${plural(loaded.list.terms.length, 'query', 'queries')} a window`
  );
}

export class BlacklistKeeper {
  private loaded: LoadedList | null = null;
  private nextLoadMs = Infinity;

  constructor(
    private readonly loader: ListLoader,
    /** -br, ms. */
    private readonly reloadMs: number,
    private readonly clock: Clock,
    private readonly notices: Notices,
  ) {}

  /** The first load. BlacklistError when the list cannot be used (the caller ends ftbl), Stopped when stopping. */
  async start(signal: AbortSignal): Promise<Blacklist> {
    const loaded = await loadBlacklist(this.loader, signal, this.clock.now());
    this.take(loaded, 'loaded');
    return loaded.list;
  }

  /** The list to check a window with, reloaded first when it is due; Stopped when stopping. */
  async current(signal: AbortSignal): Promise<Blacklist> {
    const held = this.loaded;
    if (held === null) throw new RangeError('BlacklistKeeper.current: start() has not loaded the list');
    const now = this.clock.now();
    if (now < this.nextLoadMs) return held.list;
    try {
      this.take(await loadBlacklist(this.loader, signal, now), 'reloaded');
    } catch (e) {
      if (!(e instanceof BlacklistError)) throw e;
      const retry = Math.min(this.reloadMs, RETRY_AFTER_FAILURE_MS);
      this.nextLoadMs = now + retry;
      this.notices.say(
        `reloading the list failed: ${e.message}; the list loaded ${formatWindowTime(held.list.loadedAtMs)} (${plural(held.list.size, 'address or block', 'addresses and blocks')}) stays in use; next attempt in ${duration(retry)}`,
      );
    }
    return this.loaded!.list;
  }

  private take(loaded: LoadedList, verb: string): void {
    const { display } = this.loader.source;
    this.loaded = loaded;
    this.nextLoadMs = loaded.list.loadedAtMs + this.reloadMs;
    this.notices.say(`${verb} the list ${display}: ${describeLoad(loaded)}; next load in ${duration(this.reloadMs)}`);
    for (const b of loaded.bad.slice(0, MAX_BAD_LINES_SHOWN)) this.notices.say(`${display}:${b.line}: skipped: ${b.why}`);
    if (loaded.bad.length > MAX_BAD_LINES_SHOWN) this.notices.say(`${display}: ${plural(loaded.bad.length - MAX_BAD_LINES_SHOWN, 'more line', 'more lines')} skipped`);
  }
}
