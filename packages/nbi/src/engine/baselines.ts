// A detector's ranking baselines at work: trained on the history up to the live windows, checked in
// every window, and taught by each window that coincides with a slot — so that every slot is learnt once.

import { formatWindowTime } from '../output/windowtime.js';
import type { BaselineTrack } from './baselinetrack.js';
import { checkWindow } from './checkwindow.js';
import type { WindowCheck } from './detector.js';
import type { AlertRule } from './judge.js';
import type { EngineParts, EngineSettings } from './runengine.js';
import type { SlotClock } from './slotclock.js';
import { trainBaselines } from './training.js';
import type { EvalWindow, LiveStart } from './windowplan.js';

export interface BaselinesOptions {
  readonly slotClock: SlotClock;
  readonly settings: EngineSettings;
  readonly parts: EngineParts;
  /** The rule every baseline's windows are judged by. */
  readonly rule: AlertRule;
  /** One of the entities, for the message said when the history holds nothing to learn: `entity`, `source`. */
  readonly subject: string;
}

export class Baselines {
  /** Windows up to this end have had their slot learnt (by training, or live). */
  private learntUntil = -Infinity;
  private readonly cutSaid = new Set<BaselineTrack>();

  constructor(
    readonly tracks: readonly BaselineTrack[],
    private readonly options: BaselinesOptions,
  ) {}

  /** Entities tracked: the most any baseline tracks. */
  get entities(): number {
    return Math.max(0, ...this.tracks.map((t) => t.store.entities));
  }

  /** Learns the history up to where the live windows take over; resolves with the entities tracked. */
  async train(start: LiveStart): Promise<number> {
    const { slotClock, settings, parts } = this.options;
    const { history } = settings;
    const toMs = Math.min(history.toMs, start.trainUntilMs);
    const trained = await trainBaselines(parts.link, this.tracks, {
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
      // only whole slots are learnt: a slot has seen as many of them as whole periods fit, at most one more
      const wholeSlots = Math.max(0, Math.floor((toMs - slotClock.ceil(history.fromMs, slotMs)) / slotMs));
      const most = Math.ceil(wholeSlots / slotClock.slots);
      if (most < 2) {
        parts.notices.say(
          `the history gives each slot at most ${most} observation: no ${this.options.subject} has a deviation yet, so every one above -bt and above the value its slot saw is reported until the slots have seen two (learn at least ${slotClock.slots === 144 ? '-tn 3d' : '-tn 3w'})`,
        );
      }
    }
    this.learntUntil = start.trainUntilMs;
    return trained.entities;
  }

  /** Every baseline's check of `window`, in the order of the tracks. */
  async check(window: EvalWindow): Promise<WindowCheck[]> {
    const { settings, parts, rule } = this.options;
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
   * coincides with a slot not learnt yet; for -v, `; learnt slot 16:20`, or nothing.
   */
  learn(window: EvalWindow, checks: readonly WindowCheck[]): string {
    if (window.learnSlot === null || window.endMs <= this.learntUntil) return '';
    for (const [i, track] of this.tracks.entries()) {
      const { ranking } = checks[i]!;
      track.store.learn(window.learnSlot, new Map(ranking.rows.map((r) => [r.key, r.value])), window.endMs, ranking.complete);
    }
    this.learntUntil = window.endMs;
    return `; learnt slot ${this.options.slotClock.describeSlot(window.learnSlot)}`;
  }
}
