// Records alerts in the server (POST /api/v1/alerts) in the order they were raised, in the
// background: a server that is away delays the records (the link retries) but never the checks.

import { CliError } from '@opentraq/cli';
import type { ApiLink } from '../engine/apilink.js';
import type { Notices } from '../engine/notices.js';
import { Stopped } from '../engine/stopped.js';
import type { AlertRecord } from './alertrecord.js';
import { plural } from './plural.js';

export const ALERTS_PATH = '/api/v1/alerts';

/** Records waiting beyond this (a server away for long while alerts keep coming) are dropped, oldest first. */
const MAX_WAITING = 10_000;

export class AlertPoster {
  private readonly queue: AlertRecord[] = [];
  private running: Promise<void> | null = null;
  private dropped = 0;
  private posted = 0;

  constructor(
    private readonly link: Pick<ApiLink, 'json'>,
    private readonly notices: Notices,
  ) {}

  /** Alerts recorded so far. */
  get recorded(): number {
    return this.posted;
  }

  /** Alerts waiting to be recorded. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Queues `record`; an update of an earlier one (same id) follows it in order. */
  post(record: AlertRecord): void {
    this.queue.push(record);
    if (this.queue.length > MAX_WAITING) {
      this.queue.shift();
      if (this.dropped++ === 0) this.notices.say(`more than ${MAX_WAITING} alerts wait to be recorded in the server: the oldest are dropped (stdout and syslog have them)`);
    }
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0) {
      const record = this.queue[0]!;
      try {
        await this.link.json('POST', ALERTS_PATH, { body: record }, `recording alert ${record.id} in the server`);
        this.posted++;
      } catch (e) {
        if (e instanceof Stopped) return;
        const why = e instanceof CliError ? `the server refused it: ${e.message}` : `internal error: ${(e as Error)?.stack ?? String(e)}`;
        this.notices.say(`alert ${record.id} is not recorded in the server (stdout and syslog have it): ${why}`);
      }
      this.queue.shift();
    }
  }

  /** Resolves once every queued record is sent, or the link stopped (then says how many were not). */
  async drain(): Promise<void> {
    while (this.running !== null) await this.running;
    if (this.queue.length > 0) this.notices.say(`${plural(this.queue.length, 'alert', 'alerts')} could not be recorded in the server before stopping (stdout and syslog have them)`);
  }
}
