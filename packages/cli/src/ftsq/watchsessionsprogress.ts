// ftsq -v's view of the server's scan: while the sessions stream on the tool's connection, a second
// one polls GET /api/v1/sessions/progress for the query's id and hands each answer to the spinner.

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '../common/apiclient.js';
import { RuntimeFailure } from '../common/clierror.js';
import type { ScanProgress } from '../common/progressanswer.js';

const PROGRESS_PATH = '/api/v1/sessions/progress';
/** Between two polls: often enough for a spinner, seldom enough to cost the server nothing. */
const POLL_MS = 250;

export interface SessionsScan extends ScanProgress {
  /** `queued`: the query waits for a slot (the server's querythreads are busy); `scanning`: it reads the store. */
  readonly state: 'queued' | 'scanning';
}

export interface ProgressWatch {
  /** The id to send as progress= with the query. */
  readonly id: string;
  /** Stops polling and closes the second connection; resolves once the last poll is over. */
  stop(): Promise<void>;
}

function isScan(v: unknown): v is SessionsScan {
  const s = v as Partial<SessionsScan> | null;
  return typeof s === 'object' && s !== null && (s.state === 'queued' || s.state === 'scanning') && typeof s.scanned === 'number' && typeof s.total === 'number';
}

/**
 * Polls the progress of the query to be sent with progress=`id` until stop(). The progress is only
 * shown, never needed: a 404 (the query has not reached the server yet, or has just ended) waits for
 * the next poll, and any other failure (a server without the endpoint, a broken connection) ends the
 * polling quietly — the query's own connection reports real trouble.
 */
export function watchSessionsProgress(client: ApiClient, onScan: (s: SessionsScan) => void): ProgressWatch {
  // 128 random bits: no two queries of a user meet
  const id = randomBytes(16).toString('base64url');
  const stopped = new AbortController();
  const signal = stopped.signal;
  const polling = (async (): Promise<void> => {
    const connection = await client.companion();
    // a poll under way when the query ends is cut, not waited for
    const cut = (): void => void connection.destroy().catch(() => undefined);
    signal.addEventListener('abort', cut, { once: true });
    try {
      while (!signal.aborted) {
        await sleep(POLL_MS, undefined, { signal });
        let answer: unknown;
        try {
          answer = await connection.json<unknown>('GET', PROGRESS_PATH, { params: { id } });
        } catch (e) {
          if (e instanceof RuntimeFailure && e.code === 'NOT_FOUND') continue;
          return;
        }
        if (isScan(answer) && !signal.aborted) onScan(answer);
      }
    } catch {
      // the sleep, aborted by stop()
    } finally {
      signal.removeEventListener('abort', cut);
      await connection.destroy();
    }
    // progress never fails the run: not even a second connection that cannot be opened
  })().catch(() => undefined);
  return {
    id,
    stop: async () => {
      stopped.abort();
      await polling;
    },
  };
}
