// A detector's ranking baselines at work: trained on the history up to the live windows, checked in
// every window, and taught by each window that coincides with a slot — so that every slot is learnt
// once; what the collector did not see whole is neither learnt nor judged LOW.

import { formatWindowTime } from '../output/windowtime.js';
import type { BaselineTrack } from './baselinetrack.js';
import { checkWindow } from './checkwindow.js';
import type { WindowCheck } from './detector.js';
import type { Seen } from './feedcoverage.js';
import { FeedWatch } from './feedwatch.js';
import { HistoryGaps } from './historygaps.js';
import { deviationWidening, type AlertRule } from './judge.js';
import type { EngineParts, EngineSettings } from './runengine.js';
import type { SlotClock } from './slotclock.js';
import { trainBaselines } from './training.js';
import type { EvalWindow, LiveStart } from './windowplan.js';

/** Observations a slot needs before stderr stops saying that its deviations are widened much (2.42 times at -bk 3). */
const WELL_ESTIMATED = 5;

export interface BaselinesOptions {
  readonly slotClock: SlotClock;
  readonly settings: EngineSettings;
  readonly parts: EngineParts;
  /** The rule every baseline's windows are judged by. */
  readonly rule: AlertRule;
  /** One of the entities, for the message said when the history holds nothing to learn: `entity`, `source`. */
  readonly subject: string;
}

/** The most observations training gave any slot: the whole slots of [fromMs, toMs) it learnt, counted per slot. */
function mostObservations(clock: SlotClock, fromMs: number, toMs: number, gaps: HistoryGaps): number {
  const { slotMs } = clock.granularity;
  const seen = new Map<number, number>();
  const end = clock.floor(toMs, slotMs);
  for (let at = clock.ceil(fromMs, slotMs); at < end; at += slotMs) {
    if (gaps.has(at)) continue;
    const slot = clock.slotOf(at);
    seen.set(slot, (seen.get(slot) ?? 0) + 1);
  }
  return Math.max(0, ...seen.values());
}

export class Baselines {
  /** Windows up to this end have had their slot learnt (by training, or live). */
  private learntUntil = -Infinity;
  private readonly cutSaid = new Set<BaselineTrack>();
  private unlearntSaid = false;

  constructor(
    readonly tracks: readonly BaselineTrack[],
    private readonly options: BaselinesOptions,
  ) {}

  /** Entities tracked: the most any baseline tracks. */
  get entities(): number {
    return Math.max(0, ...this.tracks.map((t) => t.store.entities));
  }

  /**
   * Learns the history up to where the live windows take over, but for the slots the collector did
   * not see whole (said on stderr); resolves with the entities tracked.
   */
  async train(start: LiveStart): Promise<number> {
    const { slotClock, settings, parts } = this.options;
    const { history } = settings;
    const toMs = Math.min(history.toMs, start.trainUntilMs);
    // every track of a detector reads the same selection, and so the same feed
    const gaps = new HistoryGaps(new FeedWatch(parts.link, this.tracks[0]?.spec.selection ?? {}));
    const trained = await trainBaselines(parts.link, this.tracks, {
      gaps,
      clock: slotClock,
      fromMs: history.fromMs,
      toMs,
      rows: settings.rows,
      maxSlices: settings.maxTrainingSlices,
      notices: parts.notices,
      signal: parts.signal,
    });
    const slotMs = slotClock.granularity.slotMs;
    if (history.fromMs >= toMs || trained.queries === 0) {
      parts.notices.say(`the history holds no whole ${Math.round(slotMs / 60000)}-minute slot before the first window: every ${this.options.subject} starts without a baseline`);
    } else {
      const gapNote = gaps.notice();
      if (gapNote !== null) parts.notices.say(gapNote);
      const most = mostObservations(slotClock, history.fromMs, toMs, gaps);
      if (most === 0) {
        parts.notices.say(`the collector saw no slot of the history whole: every ${this.options.subject} starts without a baseline`);
      } else if (most < 2) {
        parts.notices.say(
          `the history gives each slot at most ${most} observation: no ${this.options.subject} has a deviation yet, so every one above -bt and more than -bk deviation floors (a tenth of the value, at least its square root) above the value its slot saw is reported until the slots have seen two (learn ${slotClock.slots === 144 ? '-tn 1w' : '-tn 6w'} or more)`,
        );
      } else if (most < WELL_ESTIMATED) {
        const { deviations } = this.options.rule;
        parts.notices.say(
          `the history gives each slot at most ${most} observations: a deviation estimated from so few is uncertain, and is widened ${deviationWidening(deviations, most).toFixed(2)} times at -bk ${deviations}, by the mean at most (the t prediction bound, docs/nbi.md: The rule), so only changes far beyond the usual are reported and few LOW ones (learn ${slotClock.slots === 144 ? '-tn 6d' : '-tn 6w'} or more for ${deviationWidening(deviations, WELL_ESTIMATED).toFixed(2)} at most)`,
        );
      }
    }
    this.learntUntil = start.trainUntilMs;
    return trained.entities;
  }

  /**
   * Every baseline's check of `window`, in the order of the tracks. A window the collector did not see
   * whole (`cut`) lacks data, which only lowers values: its HIGH values stand, its LOW ones are not judged.
   */
  async check(window: Seen<EvalWindow>): Promise<WindowCheck[]> {
    const { settings, parts } = this.options;
    const rule = window.coverage === 'whole' ? this.options.rule : { ...this.options.rule, low: false };
    this.sayUnlearnt(window);
    const checks: WindowCheck[] = [];
    for (const track of this.tracks) {
      const check = await checkWindow({ ranking: track.spec, rule }, track.store, parts.link, window, settings.rows, parts.signal);
      if (!check.ranking.complete && !this.cutSaid.has(track)) {
        this.cutSaid.add(track);
        parts.notices.say(this.cutNotice(track, check));
      }
      checks.push(check);
    }
    return checks;
  }

  /**
   * Says once that a window lies wholly in slots never learnt (after a history shorter than the
   * period, as -bdow or WEEK with -tn 1w leave some): its entities have nothing to be judged by, and
   * taking them all for new ones would report every entity above -bt.
   */
  private sayUnlearnt(window: Seen<EvalWindow>): void {
    const store = this.tracks[0]?.store;
    if (this.unlearntSaid || store === undefined || window.shares.some((s) => store.learnt(s.slot) > 0)) return;
    this.unlearntSaid = true;
    const { slotClock, subject } = this.options;
    const slots = window.shares.map((s) => slotClock.describeSlot(s.slot)).join(' and ');
    this.options.parts.notices.say(
      `the window ${formatWindowTime(window.startMs)} to ${formatWindowTime(window.endMs)} lies in slots not learnt yet (${slots}): no ${subject} is judged in it, nor in any other window whose slots the history did not give and no live window has taught yet (said once); a window between a learnt slot and one not learnt is judged by the learnt one`,
    );
  }

  private cutNotice(track: BaselineTrack, check: WindowCheck): string {
    const { rows } = this.options.settings;
    const holds = `the window ending ${formatWindowTime(check.window.endMs)} holds ${check.ranking.entities}`;
    const { naming } = track;
    return naming === undefined
      ? `${holds} entities; only the ${rows} largest are checked and learnt, and silence is not judged (raise -bm to track more)`
      : `${holds} ${naming.entities}; only the ${rows} with the most ${naming.what} are checked and learnt (raise -bm to track more)`;
  }

  /**
   * Teaches every baseline its check of `window` (`checks` in the order of the tracks) when the window
   * coincides with a slot not learnt yet and the collector saw it whole (a gap is not silence); for -v,
   * `; learnt slot 16:20`, or nothing.
   */
  learn(window: Seen<EvalWindow>, checks: readonly WindowCheck[]): string {
    if (window.coverage !== 'whole' || window.learnSlot === null || window.endMs <= this.learntUntil) return '';
    for (const [i, track] of this.tracks.entries()) {
      const { ranking } = checks[i]!;
      track.store.learn(window.learnSlot, new Map(ranking.rows.map((r) => [r.key, r.value])), window.endMs, ranking.complete);
    }
    this.learntUntil = window.endMs;
    return `; learnt slot ${this.options.slotClock.describeSlot(window.learnSlot)}`;
  }
}
