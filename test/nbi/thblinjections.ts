// The anomalies of the ftth and ftbl scenario, with their known answers: one host sending a known
// number of bytes inside one window (a threshold crossing), sessions with blacklisted addresses in
// both directions (a block, an address, `localhost`, an IPv6 block), and the 10,000-entry list.
import { sendDatagrams } from '../lib/replay.js';
import { ScenarioExporter, type Session } from './rhythmtraffic.js';

/** The host that crosses the threshold: one session of THRESHOLD_BYTES to a normal server. */
export const THRESHOLD_HOST = '10.50.0.1';
export const THRESHOLD_BYTES = 3_000_000;

/** A pair of the blacklist scenario: who initiated, who accepted, how many sessions, and the list's line (as written) for the listed side. */
export interface ListedPair {
  readonly client: string;
  readonly server: string;
  readonly port: number;
  readonly sessions: number;
  readonly clientEntry: string;
  readonly serverEntry: string;
}

export const LISTED_PAIRS: readonly ListedPair[] = [
  { client: '10.1.0.5', server: '203.0.113.77', port: 443, sessions: 3, clientEntry: '', serverEntry: '203.0.113.0/24' },
  { client: '198.51.100.7', server: '10.9.0.2', port: 22, sessions: 2, clientEntry: '198.51.100.7', serverEntry: '' },
  { client: '127.0.0.1', server: '10.9.0.4', port: 8080, sessions: 1, clientEntry: 'localhost', serverEntry: '' },
  { client: '10.1.0.6', server: '127.0.0.1', port: 9100, sessions: 1, clientEntry: '', serverEntry: 'localhost' },
  { client: '2001:db8:1::9', server: '2001:db8:bad::5', port: 443, sessions: 1, clientEntry: '', serverEntry: '2001:DB8:BAD::/48' },
];

/** The list: the entries above among 10,000 (documentation and benchmark addresses no traffic uses), comments, blank and bad lines. */
export function blacklistText(): { text: string; badLines: readonly number[]; /** The entries loaded (the bad lines are not). */ entries: number } {
  const lines = ['# opentraq scenario blacklist', '', '203.0.113.0/24', '198.51.100.7   # a known scanner', 'localhost', '2001:DB8:BAD::/48'];
  for (let i = 0; i < 8000; i++) lines.push(`198.18.${i >> 8}.${i & 255}`);
  lines.push('not-an-address!', '10.0.0.300');
  const badLines = [lines.length - 1, lines.length];
  for (let i = 0; i < 1996; i++) lines.push(`2001:db8:ffff::${(i + 1).toString(16)}`);
  return { text: `${lines.join('\n')}\n`, badLines, entries: 4 + 8000 + 1996 };
}

/** The threshold crossing and the blacklisted sessions, starting at `fromMs` (all within 30 s, each 2 s long). */
export function injectedSessions(fromMs: number): Session[] {
  const session = (startMs: number, cln: string, srv: string, srvport: number, clnbyts: number, i: number): Session => ({
    startMs,
    endMs: startMs + 2000,
    cln,
    srv,
    clnport: 40_000 + i,
    srvport,
    flags: 0x1b,
    clnpkts: 10,
    srvpkts: 8,
    clnbyts,
    srvbyts: 500,
  });
  const out: Session[] = [session(fromMs, THRESHOLD_HOST, '10.9.0.1', 443, THRESHOLD_BYTES, 0)];
  let i = 1;
  for (const p of LISTED_PAIRS) for (let k = 0; k < p.sessions; k++, i++) out.push(session(fromMs + 1000 * i, p.client, p.server, p.port, 1200, i));
  return out;
}

/** Sends `sessions` to the collector as a second exporter would, once the last has ended. */
export async function sendSessions(port: number, sessions: readonly Session[]): Promise<void> {
  const lastEnd = Math.max(...sessions.map((s) => s.endMs));
  await new Promise((r) => setTimeout(r, Math.max(0, lastEnd + 500 - Date.now())));
  await sendDatagrams(port, new ScenarioExporter().encode(sessions), { bind: '127.0.0.2' });
}
