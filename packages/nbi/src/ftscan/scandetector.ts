// ftscan as a whole: two baselines per source and slot — unique hosts (horizontal) and unique services
// (vertical) in the sessions it initiated — trained together, then every window checked against both.

import { BaselineStore } from '../engine/baselinestore.js';
import { Baselines } from '../engine/baselines.js';
import type { BaselineTrack } from '../engine/baselinetrack.js';
import type { DetectorRunner } from '../engine/detectorrunner.js';
import type { AlertRule } from '../engine/judge.js';
import type { RankingSpec } from '../engine/ranking.js';
import type { EngineParts, EngineReport, EngineSettings } from '../engine/runengine.js';
import { runTrainedWindows } from '../engine/runtrainedwindows.js';
import { SlotClock } from '../engine/slotclock.js';
import { HorizontalScans } from './horizontalscans.js';
import { scanRankings } from './scanrankings.js';
import { VerticalScans } from './verticalscans.js';
import { plural } from '../output/plural.js';

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
    const { link, notices, signal } = parts;
    const slotClock = new SlotClock(settings.granularity, settings.byDayOfWeek);
    const mb = Math.round(settings.capBytes / 2 ** 20);
    // the two baselines share -bm: each may hold half of it; the first to fill it is said, once for both,
    // since the remedy is the same
    let evictionSaid = false;
    const track = (spec: RankingSpec, what: string): BaselineTrack => ({
      spec,
      naming: { what, entities: 'addresses' },
      store: new BaselineStore({
        slots: slotClock.slots,
        capBytes: settings.capBytes / 2,
        onFirstEviction: (n) => {
          if (evictionSaid) return;
          evictionSaid = true;
          notices.say(
            `the baselines of ${what} reached their half of -bm ${mb} MB with ${n.entities} sources: the ${n.evicted} least recently seen were forgotten, and more will be as needed, from either baseline (raise -bm to keep more)`,
          );
        },
      }),
    });
    const baselines = new Baselines([track(this.horizontal.ranking, 'unique hosts'), track(this.vertical.ranking, 'unique services')], {
      slotClock,
      settings,
      parts,
      rule: this.rule,
      subject: 'source',
    });
    const ctx = { link, signal, notices };
    return runTrainedWindows(slotClock, settings, parts, {
      feed: this.selection,
      train: (start) => baselines.train(start),
      check: async (window) => {
        const checks = await baselines.check(window);
        const [hosts, services] = [checks[0]!, checks[1]!];
        const drafts = [...(await this.horizontal.alerts(hosts)), ...(await this.vertical.alerts(services, ctx))];
        const learnt = baselines.learn(window, checks);
        const sources = hosts.ranking.rows.filter((r) => r.value > 0).length;
        const horizontal = drafts.filter((d) => d.type === 'scan_horizontal').length;
        return {
          drafts,
          summary: `${plural(sources, 'source', 'sources')}, ${plural(hosts.ranking.sessions, 'session', 'sessions')}, ${horizontal} horizontal and ${drafts.length - horizontal} vertical ${drafts.length === 1 ? 'alert' : 'alerts'}${learnt}; tracking ${baselines.entities}`,
        };
      },
    });
  }
}
