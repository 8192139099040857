// ftbfg as a whole: the fingerprint learnt from the history's two-way sessions, then every window's
// connections that do not fit it — a new service, a new client subnet of a known one — alerted once and learnt.

import { RuntimeFailure } from '@opentraq/cli';
import { isV4Words, parseIp } from '@opentraq/core';
import type { DetectorRunner } from '../engine/detectorrunner.js';
import { learnHistory } from '../engine/learnhistory.js';
import type { EngineParts, EngineReport, EngineSettings } from '../engine/runengine.js';
import { runTrainedWindows } from '../engine/runtrainedwindows.js';
import { SlotClock } from '../engine/slotclock.js';
import type { WindowOutcome } from '../engine/windowloop.js';
import type { EvalWindow, LiveStart } from '../engine/windowplan.js';
import type { AlertDraft } from '../output/alertdraft.js';
import { entityLabel } from '../output/entitytext.js';
import { formatWindowTime } from '../output/windowtime.js';
import { clientSubnet } from './clientsubnet.js';
import { Fingerprint, serviceKey, type Novelty } from './fingerprint.js';
import { MAX_ANSWER_SESSIONS, readConnections, type Connection } from './readconnections.js';
import { plural } from '../output/plural.js';

/** Alerts per window at most (the connections with the most sessions); all of them are learnt. */
export const MAX_ALERTS = 1000;

/** A connection of a window that does not fit the fingerprint. */
interface Misfit {
  readonly connection: Connection;
  readonly subnet: string;
  readonly service: string;
  readonly novelty: Novelty;
  /** Client subnets the fingerprint knew for the service. */
  readonly knownClients: number;
}

function order(a: Misfit, b: Misfit): number {
  if (a.novelty !== b.novelty) return a.novelty === 'new_service' ? -1 : 1;
  const bySessions = b.connection.sessions - a.connection.sessions;
  if (bySessions !== 0) return bySessions;
  const [x, y] = [`${a.service} ${a.connection.client}`, `${b.service} ${b.connection.client}`];
  return x < y ? -1 : x > y ? 1 : 0;
}

export class FingerprintDetector implements DetectorRunner {
  readonly name = 'ftbfg';
  readonly configuration: string;

  constructor(
    readonly selection: Readonly<Record<string, string>>,
    /** -bc */
    readonly complexity: number,
    baseline: { readonly granularity: { readonly name: string } },
  ) {
    this.configuration = JSON.stringify({ detector: 'ftbfg', selection, complexity, granularity: baseline.granularity.name });
  }

  /** The subnet a client address is kept as; the server sent something that is not an address when null. */
  private subnetOf(client: string): string {
    const subnet = clientSubnet(client, this.complexity);
    if (subnet === null) throw new RuntimeFailure('BAD_ANSWER', `the server listed a client that is not an address: ${JSON.stringify(client)}`);
    return subnet;
  }

  private pairsOf(connections: Iterable<Connection>): [string, string][] {
    return [...connections].map((c) => [this.subnetOf(c.client), serviceKey(c.server, c.port, c.proto)]);
  }

  async run(settings: EngineSettings, parts: EngineParts): Promise<EngineReport> {
    const { link, notices, signal } = parts;
    // slots only set the windows' length and cadence: the fingerprint is one set for all times
    const slotClock = new SlotClock(settings.granularity, false);
    const { slotMs } = settings.granularity;
    const fingerprint = new Fingerprint({
      capBytes: settings.capBytes,
      onFirstEviction: (n) =>
        notices.say(
          `the fingerprint reached -bm ${Math.round(n.capBytes / 2 ** 20)} MB with ${n.connections} client–service pairs: the ${n.evicted} least recently seen were forgotten, and more will be as needed (raise -bm to keep more)`,
        ),
    });
    let cutSaid = false;
    const sayCut = (cutSpans: number, span: string): void => {
      if (cutSpans === 0 || cutSaid) return;
      cutSaid = true;
      notices.say(
        `${span} has seconds with more than ${MAX_ANSWER_SESSIONS} two-way sessions, more than one answer may hold: only the first ${MAX_ANSWER_SESSIONS} of each such second are read (narrow the selection with -q)`,
      );
    };

    const train = async (start: LiveStart): Promise<number> => {
      // the first window is checked, not learnt: training ends where it begins
      const trainTo = Math.min(settings.history.toMs, start.firstEndMs - slotMs);
      const { fromMs } = settings.history;
      const spanMs = settings.maxTrainingSlices * slotMs;
      const spans = Array.from({ length: fromMs < trainTo ? Math.ceil((trainTo - fromMs) / spanMs) : 0 }, (_, i) => ({
        fromMs: fromMs + i * spanMs,
        toMs: Math.min(trainTo, fromMs + (i + 1) * spanMs),
      }));
      const trained = await learnHistory(
        {
          spans,
          tracked: () => fingerprint.connections,
          tracking: ['client–service pair', 'client–service pairs'],
          learn: async (span, what) => {
            const read = await readConnections(link, this.selection, span.fromMs, span.toMs, what, signal);
            sayCut(read.cutSpans, `the history from ${formatWindowTime(span.fromMs)} to ${formatWindowTime(span.toMs)}`);
            fingerprint.learn(this.pairsOf(read.connections.values()), span.toMs);
            return read.sessions;
          },
        },
        notices,
      );
      if (trained.queries === 0) notices.say('the history before the first window is empty: every two-way connection of the first window is new');
      return trained.entities;
    };

    const check = async (window: EvalWindow): Promise<WindowOutcome> => {
      const during = `${formatWindowTime(window.startMs)} to ${formatWindowTime(window.endMs)}`;
      const read = await readConnections(link, this.selection, window.startMs, window.endMs, `checking the window ${during}`, signal);
      sayCut(read.cutSpans, `the window ${during}`);
      const misfits: Misfit[] = [];
      for (const connection of read.connections.values()) {
        const subnet = this.subnetOf(connection.client);
        const service = serviceKey(connection.server, connection.port, connection.proto);
        const novelty = fingerprint.novelty(subnet, service);
        if (novelty !== null) misfits.push({ connection, subnet, service, novelty, knownClients: fingerprint.clientsOf(service) });
      }
      misfits.sort(order);
      if (misfits.length > MAX_ALERTS) {
        notices.say(`${misfits.length} connections do not fit the fingerprint in the window ending ${formatWindowTime(window.endMs)}: the ${MAX_ALERTS} with the most sessions are reported, and all are learnt`);
      }
      const drafts = misfits.slice(0, MAX_ALERTS).map((m) => this.draft(m, during));
      // every connection of the window is part of the fingerprint from now on: a new one alerts once
      fingerprint.learn(this.pairsOf(read.connections.values()), window.endMs);
      return {
        drafts,
        summary: `${plural(read.sessions, 'two-way session', 'two-way sessions')}, ${plural(read.connections.size, 'connection', 'connections')}, ${plural(drafts.length, 'alert', 'alerts')}; tracking ${plural(fingerprint.connections, 'client–service pair', 'client–service pairs')} of ${plural(fingerprint.serviceCount, 'service', 'services')}`,
      };
    };
    return runTrainedWindows(slotClock, settings, parts, { feed: null, train, check });
  }

  private draft(m: Misfit, during: string): AlertDraft {
    const c = m.connection;
    const words = parseIp(c.server);
    if (words === null) throw new RuntimeFailure('BAD_ANSWER', `the server listed a server that is not an address: ${JSON.stringify(c.server)}`);
    const service = entityLabel('PORTPROTO', [c.port, c.proto]);
    return {
      type: m.novelty === 'new_service' ? 'fingerprint_new_service' : 'fingerprint_new_client',
      subject: `${c.client}>${c.server} ${c.port} ${c.proto}`,
      text: `unusual connection from ${c.client} to ${c.server} on ${service} (${m.novelty === 'new_service' ? 'new service' : 'new client'}) during ${during}: ${plural(c.sessions, 'session', 'sessions')}`,
      fields: [
        { name: 'nbisource', value: c.client },
        { name: 'clientnet', value: m.subnet },
        { name: 'target', value: c.server },
        { name: 'service', value: service },
        { name: 'value', value: c.sessions },
        { name: 'knownclients', value: m.knownClients },
        { name: 'complexity', value: this.complexity },
      ],
      facts: {
        target_ip: c.server,
        target_mask: isV4Words(words[0], words[1], words[2]) ? 32 : 128,
        proto: c.proto,
        server_port: c.port,
        sources: [c.client],
        total_sources: 1,
        threshold_value: null,
        // the client's view: what it sent is out, what the service answered is in
        current_values: { packets_in: c.srvpkts, packets_out: c.clnpkts, bytes_in: c.srvbyts, bytes_out: c.clnbyts, new_conn: c.sessions },
        average_values: null,
      },
    };
  }
}
