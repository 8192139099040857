// Notices the decoder leaves for the server's log: an exporter's clock found skewed, its skew moved,
// or back to normal. A bounded queue, drained by the caller (FlowDecoder.drainEvents), oldest lost first.

import type { ClockTransition } from './exporterclock.js';

/** `clock_skew`: newly skewed; `clock_skew_changed`: moved by more than 2 × the threshold since the last notice; `clock_normal`: within half the threshold again. */
export type DecoderEventType = ClockTransition;

export interface DecoderEvent {
  readonly type: DecoderEventType;
  /** Exporter key (canonical address; `address#session` for IPFIX over TCP). */
  readonly exporter: string;
  /** Estimated receive time − exporter time, whole ms: positive when the exporter's clock is behind. */
  readonly skewMs: number;
  /** Whether the exporter's flow times are shifted by skewMs from now on (false when ignoreOldFlowsUs is set, and for clock_normal). */
  readonly corrected: boolean;
  /** Receive time (decoder clock, ms since the epoch) of the datagram that showed it. */
  readonly atMs: number;
  /** One line for the log. */
  readonly message: string;
}

/** Notices kept undrained; beyond, the oldest is dropped (counter clock_events_lost). */
export const MAX_DECODER_EVENTS = 1024;

export class DecoderEventQueue {
  private queue: DecoderEvent[] = [];

  constructor(private readonly onLost: () => void) {}

  get size(): number {
    return this.queue.length;
  }

  push(e: DecoderEvent): void {
    if (this.queue.length >= MAX_DECODER_EVENTS) {
      this.queue.shift();
      this.onLost();
    }
    this.queue.push(e);
  }

  /** The waiting notices, oldest first; the queue is empty afterwards. */
  drain(): DecoderEvent[] {
    const out = this.queue;
    this.queue = [];
    return out;
  }
}

/** The log line of a clock notice; `correcting`: skew correction is on (ignoreOldFlowsUs is 0). */
export function clockEventMessage(type: DecoderEventType, exporter: string, skewMs: number, correcting: boolean): string {
  const size = formatSkew(Math.abs(skewMs));
  const how = `${size} ${skewMs >= 0 ? 'behind' : 'ahead of'} the collector's`;
  if (type === 'clock_normal') return `exporter ${exporter}: clock back to normal (${how})${correcting ? '; flow times no longer corrected' : ''}`;
  const what = type === 'clock_skew' ? 'clock is' : 'clock skew changed: now';
  const action = correcting
    ? `flow times shifted by ${skewMs >= 0 ? '+' : '-'}${size}`
    : 'not corrected (ignoreoldnetflows): records older than the retention window are dropped instead';
  return `exporter ${exporter}: ${what} ${how} (export header time against receive time); ${action}`;
}

function formatSkew(ms: number): string {
  const s = ms / 1000;
  if (s >= 86_400) return `${s.toFixed(0)} s (${(s / 86_400).toFixed(1)} days)`;
  if (s >= 3_600) return `${s.toFixed(0)} s (${(s / 3_600).toFixed(1)} h)`;
  if (s >= 60) return `${s.toFixed(1)} s (${(s / 60).toFixed(1)} min)`;
  return `${s.toFixed(1)} s`;
}
