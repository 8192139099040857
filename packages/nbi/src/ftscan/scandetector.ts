// ftscan as a whole: two baselines per source and slot — unique hosts (horizontal) and unique services
// (vertical) in the sessions it initiated — trained together, then every window checked against both.

import { BaselineStore } from '../engine/baselinestore.js';
import { checkWindow } from '../engine/checkwindow.js';
import type { WindowCheck } from '../engine/detector.js';
import type { DetectorRunner } from '../engine/detectorrunner.js';
import type { AlertRule } from '../engine/judge.js';
import type { EngineParts, EngineReport, EngineSettings } from '../engine/runengine.js';
import { SlotClock } from '../engine/slotclock.js';
import { Stopped } from '../engine/stopped.js';
import { runWindows, type WindowOutcome } from '../engine/windowloop.js';
import { liveStart, type EvalWindow } from '../engine/windowplan.js';
import { formatWindowTime } from '../output/windowtime.js';
import { HorizontalScans } from './horizontalscans.js';
import { scanRankings } from './scanrankings.js';
import { trainBaselines, type BaselineTrack } from './trainbaselines.js';
import { VerticalScans } from './verticalscans.js';

export class ScanDetector implements DetectorRunner {
  readonly name = 'ftscan';
  readonly configuration: string;
  readonly horizontal: HorizontalScans;
  readonly vertical: VerticalScans;

  constructor(
    readonly selection: Readonly<Record<string, string>>,
    readonly rule: AlertRule,
    /** -bg and -bdow, which make alerts of another baseline another detector's. */
    baseline: { readonly granularity: { readonly name: string }; readonly byDayOfWeek: boolean },
  ) {
    const rankings = scanRankings(selection);
    this.horizontal = new HorizontalScans(rankings.horizontal, rule);
    this.vertical = new VerticalScans(rankings.vertical, rule);
    this.configuration = JSON.stringify({ detector: 'ftscan', selection, granularity: baseline.granularity.name, byDayOfWeek: baseline.byDayOfWeek });
  }

  async run(settings: EngineSettings, parts: EngineParts): Promise<EngineReport> {
    const { link, clock, notices, signal } = parts;
    const slotClock = new SlotClock(settings.granularity, settings.byDayOfWeek);
    const mb = Math.round(settings.capBytes / 2 ** 20);
    // the two baselines share -bm: each may hold half of it
    const store = (what: string): BaselineStore =>
      new BaselineStore({
        slots: slotClock.slots,
        capBytes: settings.capBytes / 2,
        onFirstEviction: (n) =>
          notices.say(
            `the baselines of ${what} reached their half of -bm ${mb} MB with ${n.entities} sources: the ${n.evicted} least recently seen were forgotten, and more will be as needed (raise -bm to keep more)`,
          ),
      });
    const hosts: BaselineTrack = { what: 'unique hosts', spec: this.horizontal.ranking, store: store('unique hosts') };
    const services: BaselineTrack = { what: 'unique services', spec: this.vertical.ranking, store: store('unique services') };
    const start = liveStart(slotClock, clock.now(), settings.settleMs);
    const stopReason = (): string => String(signal.reason ?? 'asked to stop');

    let trainedEntities = 0;
    try {
      const toMs = Math.min(settings.history.toMs, start.trainUntilMs);
      const trained = await trainBaselines(link, [hosts, services], {
        clock: slotClock,
        fromMs: settings.history.fromMs,
        toMs,
        rows: settings.rows,
        maxSlices: settings.maxTrainingSlices,
        notices,
        signal,
      });
      trainedEntities = trained.entities;
      if (settings.history.fromMs >= toMs || trained.queries === 0) {
        notices.say(`the history holds no whole ${Math.round(slotClock.granularity.slotMs / 60000)}-minute slot before the first window: every source starts without a baseline`);
      }
    } catch (e) {
      if (!(e instanceof Stopped)) throw e;
      return { trainedEntities, windows: 0, alerts: 0, lastEndMs: null, stopReason: stopReason() };
    }

    // windows up to this end have had their slot learnt (by training, or live)
    let learntUntil = start.trainUntilMs;
    const cutSaid = new Set<BaselineTrack>();
    const ctx = { link, signal, notices };
    const check = async (window: EvalWindow): Promise<WindowOutcome> => {
      const checks: [BaselineTrack, WindowCheck][] = [];
      for (const [track, detector] of [
        [hosts, this.horizontal],
        [services, this.vertical],
      ] as const) {
        const c = await checkWindow(detector, track.store, link, window, settings.rows, signal);
        if (!c.ranking.complete && !cutSaid.has(track)) {
          cutSaid.add(track);
          notices.say(
            `the window ending ${formatWindowTime(window.endMs)} holds ${c.ranking.entities} addresses; only the ${settings.rows} with the most ${track.what} are checked and learnt (raise -bm to track more)`,
          );
        }
        checks.push([track, c]);
      }
      const drafts = [...(await this.horizontal.alerts(checks[0]![1])), ...(await this.vertical.alerts(checks[1]![1], ctx))];
      let learnt = '';
      if (window.learnSlot !== null && window.endMs > learntUntil) {
        for (const [track, c] of checks) track.store.learn(window.learnSlot, new Map(c.ranking.rows.map((r) => [r.key, r.value])), window.endMs, c.ranking.complete);
        learntUntil = window.endMs;
        learnt = `; learnt slot ${slotClock.describeSlot(window.learnSlot)}`;
      }
      const h = checks[0]![1].ranking;
      const sources = h.rows.filter((r) => r.value > 0).length;
      const horizontal = drafts.filter((d) => d.type === 'scan_horizontal').length;
      const tracking = Math.max(hosts.store.entities, services.store.entities);
      return {
        drafts,
        summary: `${sources} sources, ${h.sessions} sessions, ${horizontal} horizontal and ${drafts.length - horizontal} vertical alerts${learnt}; tracking ${tracking}`,
      };
    };
    const loop = await runWindows(
      { slotClock, settleMs: settings.settleMs, firstEndMs: start.firstEndMs, severity: settings.severity, verbose: settings.verbose },
      parts,
      check,
    );
    return { trainedEntities, ...loop, stopReason: stopReason() };
  }
}
