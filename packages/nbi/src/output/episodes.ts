// Gives each alert its identity: the same subject alerting in consecutive windows is one episode,
// one record in the server (same id) whose latest time and peaks each window moves on.

import { createHash } from 'node:crypto';
import { formatLocalTime } from '@opentraq/core';
import type { AlertDraft } from './alertdraft.js';
import { ALERT_VERSION, VALUE_NAMES, type AlertRecord, type AlertValues, type DetectorName } from './alertrecord.js';
import { epochSeconds } from './windowtime.js';

export interface RaisedAlert {
  readonly draft: AlertDraft;
  readonly record: AlertRecord;
  /** The printed line: the time the alert was raised, then the draft's text. */
  readonly line: string;
  readonly raisedUs: number;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
}

interface Episode {
  readonly id: string;
  readonly startMs: number;
  lastEndMs: number;
  peak: AlertValues | null;
}

function shortHash(text: string, chars: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, chars);
}

function maxValues(a: AlertValues | null, b: AlertValues | null): AlertValues | null {
  if (a === null) return b;
  if (b === null) return a;
  const out: Record<string, number | null> = {};
  for (const k of VALUE_NAMES) {
    const x = a[k];
    const y = b[k];
    out[k] = x === null ? y : y === null ? x : Math.max(x, y);
  }
  return out as unknown as AlertValues;
}

export class Episodes {
  private readonly open = new Map<string, Episode>();
  private readonly configHash: string;

  constructor(
    private readonly detector: DetectorName,
    /** What makes this detector instance's alerts its own (ranking, filter, granularity): part of every id. */
    configuration: string,
    private readonly stepMs: number,
  ) {
    this.configHash = shortHash(configuration, 8);
  }

  /** The alert `draft` of the window [startMs, endMs), raised at `raisedUs` with syslog severity `severity`. */
  raise(draft: AlertDraft, startMs: number, endMs: number, raisedUs: number, severity: number): RaisedAlert {
    const key = `${draft.type} ${draft.subject}`;
    let ep = this.open.get(key);
    if (ep === undefined || ep.lastEndMs !== endMs - this.stepMs) {
      ep = {
        id: `${this.detector}-${this.configHash}-${draft.type}-${shortHash(draft.subject, 12)}-${Math.floor(startMs / 1000)}`,
        startMs,
        lastEndMs: endMs,
        peak: null,
      };
      this.open.set(key, ep);
    }
    ep.lastEndMs = endMs;
    ep.peak = maxValues(ep.peak, draft.facts.current_values);
    const line = `${formatLocalTime(raisedUs)} ${draft.text}`;
    const record: AlertRecord = {
      version: ALERT_VERSION,
      id: ep.id,
      earliest_utc: epochSeconds(ep.startMs * 1000),
      latest_utc: epochSeconds(endMs * 1000),
      severity,
      alert_type: draft.type,
      detector: this.detector,
      ...draft.facts,
      peak_values: ep.peak,
      message: line,
    };
    return { draft, record, line, raisedUs, windowStartMs: startMs, windowEndMs: endMs };
  }

  /** After the window ending at `endMs`: episodes that did not alert in it are over. */
  windowDone(endMs: number): void {
    for (const [key, ep] of this.open) if (ep.lastEndMs < endMs) this.open.delete(key);
  }
}
