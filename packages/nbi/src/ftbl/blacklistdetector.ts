// ftbl: every window, every session that involves a listed address (asked of the server in filter
// terms that fit a request), one alert per client and server pair naming both and which initiated.

import { RuntimeFailure, UsageError, epochParam } from '@opentraq/cli';
import { isV4Words, parseIp } from '@opentraq/core';
import type { Clock } from '../engine/clock.js';
import type { DetectorContext } from '../engine/detector.js';
import type { Notices } from '../engine/notices.js';
import type { FixedWindow, FixedWindowDetector, WindowSchedule } from '../engine/fixedwindowdetector.js';
import type { WindowOutcome } from '../engine/windowloop.js';
import type { AlertDraft } from '../output/alertdraft.js';
import { entityLabel } from '../output/entitytext.js';
import { formatWindowTime } from '../output/windowtime.js';
import { encodedLength, type ListMatch } from './blacklist.js';
import { BlacklistError } from './blacklisterror.js';
import { BlacklistKeeper } from './blacklistkeeper.js';
import { PairTally, type Pair, type Service } from './pairtally.js';
import type { BlacklistSettings } from './readblacklistsettings.js';
import { SYSTEM_RESOLVER, type Resolver } from './resolvehostnames.js';
import { SESSIONS_PATH, SESSION_FIELDS, readSessionRows } from './sessionrows.js';
import { plural } from '../output/plural.js';

/** Pairs reported per window at most (most sessions first); stderr says when there were more. */
export const MAX_PAIR_ALERTS = 1000;
/** Sessions one query may return; stderr says when a window had more. */
export const SESSION_ROWS = 100_000;
/** The longest query= value a request carries once encoded: well inside the 16 KiB a server takes for a request's head. */
export const MAX_QUERY_CHARS = 8000;
/** Room the list's terms need at least beside -q. */
const MIN_TERM_CHARS = 1000;

export interface BlacklistDetectorOptions {
  readonly settings: BlacklistSettings;
  /** query=, exporter=, ifindex= of -q -e -ei -ef. */
  readonly selection: Readonly<Record<string, string>>;
  readonly schedule: WindowSchedule;
  readonly clock: Clock;
  /** How hostnames are looked up; the system's resolver by default. */
  readonly resolve?: Resolver;
  /** Per lookup and per download, for tests; the defaults otherwise. */
  readonly resolveTimeoutMs?: number;
  readonly downloadTimeoutMs?: number;
}

function servicesText(services: readonly Service[]): string {
  const labels = services.map((s) => entityLabel('PORTPROTO', [s.port, s.proto]));
  if (labels.length === 1) return labels[0]!;
  if (labels.length <= 3) return `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
  return `${labels.length} services (${labels.slice(0, 3).join(', ')}, ...)`;
}

function maskOf(ip: string): number | null {
  const w = parseIp(ip);
  return w === null ? null : isV4Words(w[0], w[1], w[2]) ? 32 : 128;
}

export class BlacklistDetector implements FixedWindowDetector {
  readonly name = 'ftbl';
  readonly schedule: WindowSchedule;
  readonly configuration: string;
  private readonly selection: Readonly<Record<string, string>>;
  private readonly queryHead: string;
  private readonly termBudget: number;
  private keeper: BlacklistKeeper | null = null;

  constructor(private readonly options: BlacklistDetectorOptions) {
    const { query, ...rest } = options.selection;
    this.selection = rest;
    this.schedule = options.schedule;
    this.queryHead = query === undefined ? '' : `(${query}) && `;
    this.termBudget = MAX_QUERY_CHARS - encodedLength(this.queryHead);
    if (this.termBudget < MIN_TERM_CHARS) {
      throw new UsageError('BAD_VALUE', `-q is too long for ftbl: each query carries it beside part of the list, and ${MAX_QUERY_CHARS} characters is the limit (shorten the filter, or list its addresses in the blacklist)`);
    }
    this.configuration = JSON.stringify({ detector: 'ftbl', list: options.settings.source.display, selection: options.selection, windowMs: options.schedule.windowMs });
  }

  async prepare(ctx: { readonly notices: Notices; readonly signal: AbortSignal }): Promise<void> {
    const { settings, clock } = this.options;
    const keeper = new BlacklistKeeper(
      {
        source: settings.source,
        resolve: this.options.resolve ?? SYSTEM_RESOLVER,
        termBudget: this.termBudget,
        ...(this.options.resolveTimeoutMs !== undefined && { resolveTimeoutMs: this.options.resolveTimeoutMs }),
        ...(this.options.downloadTimeoutMs !== undefined && { downloadTimeoutMs: this.options.downloadTimeoutMs }),
      },
      settings.reloadMs,
      clock,
      ctx.notices,
    );
    try {
      await keeper.start(ctx.signal);
    } catch (e) {
      if (!(e instanceof BlacklistError)) throw e;
      // a list that cannot be had at start ends ftbl: a download that failed as a runtime failure, anything else as a bad -bl
      if (e.code === 'LIST_DOWNLOAD_FAILED') throw new RuntimeFailure('NOT_AVAILABLE', e.message);
      throw new UsageError('BAD_VALUE', `-bl: ${e.message}`);
    }
    this.keeper = keeper;
  }

  startNotice(firstEndMs: number): string {
    const { windowMs, settleMs } = this.schedule;
    return (
      `no training (a blacklist needs no history): every session with a listed address is reported, one alert per client and server, ` +
      `in windows of ${windowMs / 1000} s, each checked ${settleMs / 1000} s after it closes; the first window ends ${formatWindowTime(firstEndMs)}`
    );
  }

  async check(window: FixedWindow, ctx: DetectorContext): Promise<WindowOutcome> {
    if (this.keeper === null) throw new RangeError('BlacklistDetector.check: prepare() has not loaded the list');
    const list = await this.keeper.current(ctx.signal);
    const tally = new PairTally();
    let sessions = 0;
    const span = `the window ${formatWindowTime(window.startMs)} to ${formatWindowTime(window.endMs)}`;
    for (const [k, term] of list.terms.entries()) {
      const params = {
        after_time: epochParam(window.startMs * 1000),
        before_time: epochParam(window.endMs * 1000),
        ...this.selection,
        query: `${this.queryHead}${term}`,
        fields: SESSION_FIELDS.join(','),
        rows: String(SESSION_ROWS),
      };
      const what = list.terms.length === 1 ? `checking ${span}` : `checking ${span} (list query ${k + 1} of ${list.terms.length})`;
      const rows = readSessionRows(await ctx.link.json<unknown>('GET', SESSIONS_PATH, { params }, what, ctx.signal));
      if (rows.length >= SESSION_ROWS) {
        ctx.notices.say(`${span} holds more than ${SESSION_ROWS} sessions with addresses of list query ${k + 1}: only the first ${SESSION_ROWS} are counted`);
      }
      for (const row of rows) {
        const c = list.lookup(row.clnip);
        const s = list.lookup(row.srvip);
        // a session whose addresses are in several queries' terms is counted by the first of them
        if (Math.min(c?.firstChunk ?? Infinity, s?.firstChunk ?? Infinity) !== k) continue;
        tally.add(row, c, s);
        sessions++;
      }
    }
    const pairs = tally.sorted();
    if (pairs.length > MAX_PAIR_ALERTS) {
      ctx.notices.say(`${pairs.length} client and server pairs with listed addresses in ${span}: the ${MAX_PAIR_ALERTS} with the most sessions are reported`);
    }
    return {
      drafts: pairs.slice(0, MAX_PAIR_ALERTS).map((p) => this.draft(window, p)),
      summary: `${plural(sessions, 'session', 'sessions')} with listed addresses in ${plural(pairs.length, 'pair', 'pairs')} (${plural(list.terms.length, 'query', 'queries')})`,
    };
  }

  private draft(window: FixedWindow, p: Pair): AlertDraft {
    const cm = p.clientMatch;
    const sm = p.serverMatch;
    const listed = (ip: string, m: ListMatch): string => `blacklisted address ${ip} (listed as ${m.value.entry.text})`;
    const services = [...p.services.values()].sort((a, b) => b.sessions - a.sessions || a.port - b.port || a.proto - b.proto);
    const tail = `on ${servicesText(services)} during ${formatWindowTime(window.startMs)} to ${formatWindowTime(window.endMs)}: ${plural(p.sessions, 'session', 'sessions')}`;
    const text = cm !== null ? `${listed(p.client, cm)} initiated sessions to ${sm !== null ? listed(p.server, sm) : p.server} ${tail}` : `${listed(p.server, sm!)} accepted sessions from ${p.client} ${tail}`;
    // the alert is about the listed address: the client when it is listed, else the server
    const subject = cm !== null ? p.client : p.server;
    const other = cm !== null ? p.server : p.client;
    const single = services.length === 1 ? services[0]! : null;
    return {
      type: 'blacklist',
      subject: `${p.client}>${p.server}`,
      text,
      fields: [
        { name: 'nbisource', value: subject },
        { name: 'listedside', value: cm !== null && sm !== null ? 'both' : cm !== null ? 'client' : 'server' },
        { name: 'client', value: p.client },
        { name: 'server', value: p.server },
        { name: 'initiator', value: p.client },
        { name: 'cliententry', value: cm?.value.entry.text ?? '' },
        { name: 'serverentry', value: sm?.value.entry.text ?? '' },
        { name: 'services', value: services.map((s) => entityLabel('PORTPROTO', [s.port, s.proto])).join(' ') },
        { name: 'value', value: p.sessions },
        { name: 'clientpackets', value: p.clientPackets },
        { name: 'serverpackets', value: p.serverPackets },
        { name: 'clientbytes', value: p.clientBytes },
        { name: 'serverbytes', value: p.serverBytes },
        { name: 'list', value: this.options.settings.source.display },
      ],
      facts: {
        target_ip: subject,
        target_mask: maskOf(subject),
        proto: single?.proto ?? null,
        server_port: single?.port ?? null,
        sources: [other],
        total_sources: 1,
        threshold_value: null,
        current_values: { packets_in: p.serverPackets, packets_out: p.clientPackets, bytes_in: p.serverBytes, bytes_out: p.clientBytes, new_conn: p.sessions },
        average_values: null,
      },
    };
  }
}
