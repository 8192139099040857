// Waits for ftserver to have stored the history a test sent: the sessions its API counts between two
// minutes, asked again every 200 ms (at most 150 times) until they are as many as were sent.
import type { RunningServer } from '../lib/ftserver.js';

/** The sessions stored in minutes [fromMinute, toMinute) once they equal `sent`, or the last count seen. */
export async function storedHistory(server: RunningServer, token: string, fromMinute: number, toMinute: number, sent: number): Promise<number> {
  let stored = 0;
  for (let i = 0; i < 150 && stored !== sent; i++) {
    const a = await server.getJson<{ summary: { sessions: number } }>('/api/v1/stat', token, { group_by: 'PORTPROTO', count_by: 'SESSIONS', after_time: fromMinute * 60, before_time: toMinute * 60, rows: 5 });
    stored = a.summary.sessions;
    if (stored !== sent) await new Promise((r) => setTimeout(r, 200));
  }
  return stored;
}
