// The query tools against an ftserver (TZ=UTC) started on a store written beforehand: ftsq -c in the
// tool's own time zone (America/New_York) across both DST changes of 2025, byte for byte what the API
// writes; the progress a ranking streams over several segments (progress=1, ftstat -v); a session key
// used from the address that asked for it and refused from another one (exit 3, documented message).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ColumnStore, SessionGenerator, allocColumns } from '../../packages/core/src/index.js';
import { ApiClient } from '../../packages/cli/src/common/apiclient.js';
import { AuthFailure, EXIT } from '../../packages/cli/src/common/clierror.js';
import { readServerAddress } from '../../packages/cli/src/common/serveraddress.js';
import { parseCommandLine } from '../../packages/cli/src/common/parsecommandline.js';
import { FTSTAT as FTSTAT_SPEC } from '../../packages/cli/src/ftstat/ftstatspec.js';
import { ADMIN_PASSWORD, startServer } from '../lib/ftserver.js';
import { FTSQ, FTSTAT, parseCsv, runTool, toolEnv } from './clirun.js';

const SEGMENT_SIZE = 400;
/** Sessions written: several segments of the server's segment size, and a partial one. */
const SESSIONS = 2150;
/** New York leaves EDT at 06:00 UTC on 2 November 2025 (01:00–02:00 happens twice) and enters it at 07:00 UTC on 9 March. */
const FALL_BACK_MS = Date.UTC(2025, 10, 2, 6);
const SPRING_FORWARD_MS = Date.UTC(2025, 2, 9, 7);
const SPAN_US = 4 * 3_600_000_000;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentraq-stored-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Two runs of sessions, each over the four hours around one of the changes, with µs fractions. */
function writeStore(): void {
  const db = path.join(dir, 'SESSIONDB');
  fs.mkdirSync(db, { recursive: true, mode: 0o700 });
  const store = ColumnStore.open(db, { segmentCount: 927, segmentSize: SEGMENT_SIZE, computeCrc: true });
  const half = Math.floor(SESSIONS / 2);
  for (const [k, rows, centreMs] of [
    [0, half, FALL_BACK_MS],
    [1, SESSIONS - half, SPRING_FORWARD_MS],
  ] as const) {
    const c = allocColumns(rows);
    new SessionGenerator({ seed: 500 + k, sessions: rows, startUs: centreMs * 1000 - SPAN_US / 2, spanUs: SPAN_US }).fill(c);
    store.append(c, rows);
  }
  store.flush();
  store.close();
}
writeStore();

const server = await startServer({ dir, env: { TZ: 'UTC' }, args: ['--segmentsize', String(SEGMENT_SIZE), '--maxsessionkeyage', '3600'] });
t.teardown(() => server.stop());
const token = await server.login();
const CONNECT = ['-s', '127.0.0.1', '-p', String(server.ports.api)];
const LOGIN = [...CONNECT, '-un', 'admin', '-up', ADMIN_PASSWORD];
const FRAME = ['-te', '2025-01-01T00:00:00Z', '-tl', '2026-01-01T00:00:00Z'];
const API_FRAME = { after_time: Date.UTC(2025, 0, 1) / 1000, before_time: Date.UTC(2026, 0, 1) / 1000 };
const NEW_YORK = { TZ: 'America/New_York' };

/** `MM/DD/YYYY hh:mm:ss.ffffff` of UTC epoch seconds in New York, by hand from the rules of 2025 (EDT from 9 March 07:00 UTC to 2 November 06:00 UTC). */
function newYorkTime(epoch: number): string {
  const us = Math.round(epoch * 1_000_000);
  const ms = Math.floor(us / 1000);
  const edt = ms >= SPRING_FORWARD_MS && ms < FALL_BACK_MS;
  const wall = new Date(Math.floor(us / 1_000_000) * 1000 - (edt ? 4 : 5) * 3_600_000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(wall.getUTCMonth() + 1)}/${two(wall.getUTCDate())}/${wall.getUTCFullYear()} ${two(wall.getUTCHours())}:${two(wall.getUTCMinutes())}:${two(wall.getUTCSeconds())}.${String(us % 1_000_000).padStart(6, '0')}`;
}

/**
 * Runs `bin` in a pseudo-terminal of 120 columns (util-linux script; stty gives the terminal the width
 * that a spinner needs): everything shown, carriage returns and colour codes removed.
 */
function inWideTerminal(bin: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = `stty cols 120 rows 40; ${[process.execPath, bin, ...args].map(quote).join(' ')}`;
  const proc = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'], env: toolEnv() });
  let output = '';
  proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.replace(/\r/g, '\n').replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '') });
    }),
  );
}

t.test("ftsq -c writes times in the tool's time zone, across both DST changes", async (t) => {
  const ny = await runTool(FTSQ, [...LOGIN, '-c', ...FRAME], { env: NEW_YORK });
  t.equal(ny.code, 0, `exit 0 (${ny.stderr.trim()})`);
  const rows = parseCsv(ny.stdout);
  t.equal(rows.length, SESSIONS, 'every session');
  const json = (await (await server.get('/api/v1/sessions', token, { ...API_FRAME, format: 'ndjson', fields: 'START,END' })).text()).trim().split('\n').map((l) => JSON.parse(l) as { START: number; END: number });
  t.equal(json.length, SESSIONS);
  const wrong = rows.flatMap((r, i) => (r[0] === newYorkTime(json[i]!.START) && r[1] === newYorkTime(json[i]!.END) ? [] : [`${r[0]},${r[1]} for ${json[i]!.START},${json[i]!.END}`]));
  t.strictSame(wrong.slice(0, 5), [], 'START and END of every row in New York time (EST, EDT, EST again)');
  const repeated = rows.filter((r) => r[0]!.startsWith('11/02/2025 01:')).map((r) => r[0]!);
  const starts = json.filter((s) => s.START * 1000 >= FALL_BACK_MS - 3_600_000 && s.START * 1000 < FALL_BACK_MS + 3_600_000).length;
  t.equal(repeated.length, starts, 'the hour 01:00–02:00 of 2 November holds two hours of sessions');
  t.ok(rows.some((r) => r[0]!.startsWith('03/09/2025 03:')) && !rows.some((r) => r[0]!.startsWith('03/09/2025 02:')), 'and 02:00–03:00 of 9 March none (it does not exist)');

  const api = await (await server.get('/api/v1/sessions', token, { ...API_FRAME, format: 'csv', tz: 'America/New_York' })).text();
  t.equal(ny.stdout, api, 'ftsq passes the API\'s CSV (tz=America/New_York) through byte for byte');
  const utc = await runTool(FTSQ, [...LOGIN, '-c', ...FRAME], { env: { TZ: 'UTC' } });
  t.equal(utc.stdout, await (await server.get('/api/v1/sessions', token, { ...API_FRAME, format: 'csv' })).text(), 'a tool in UTC gets the server\'s own (UTC) times');
  t.not(utc.stdout, ny.stdout);
  const tokyo = await runTool(FTSQ, [...LOGIN, '-C', '-r', '1', ...FRAME], { env: { TZ: 'Asia/Tokyo' } });
  const first = new Date(json[0]!.START * 1000 + 9 * 3_600_000);
  t.match(tokyo.stdout.split('\n')[1], new RegExp(`^${String(first.getUTCMonth() + 1).padStart(2, '0')}/${String(first.getUTCDate()).padStart(2, '0')}/2025 ${String(first.getUTCHours()).padStart(2, '0')}:`), 'Tokyo (UTC+9) too');

  const refused = await server.get('/api/v1/sessions', token, { ...API_FRAME, format: 'csv', tz: 'America/Gotham' });
  t.equal(refused.status, 400, 'an unknown zone: 400');
  t.match(await refused.json(), { code: 'BAD_PARAM', param: 'tz', error: /unknown time zone "America\/Gotham"/ });
});

t.test('progress=1: the scan over several segments, rising to the total, then the ranking', async (t) => {
  const params = { ...API_FRAME, group_by: 'IP', count_by: 'BYTES', rows: 5 };
  const plain = (await (await server.get('/api/v1/stat', token, params)).json()) as { data: unknown[] };
  const r = await server.get('/api/v1/stat', token, { ...params, progress: 1 });
  t.equal(r.status, 200);
  t.match(r.headers.get('content-type'), /application\/x-ndjson/);
  const lines = (await r.text()).trim().split('\n').map((l) => JSON.parse(l) as { progress?: { scanned: number; total: number }; result?: { data: unknown[] } });
  const progress = lines.slice(0, -1).map((l) => l.progress!);
  t.ok(progress.length >= 2 && progress.every((p) => p !== undefined), `progress lines first (${progress.map((p) => p.scanned).join(' ')})`);
  t.ok(progress.every((p) => p.total === SESSIONS), `the total is the ${SESSIONS} sessions of the ${Math.ceil(SESSIONS / SEGMENT_SIZE)} segments`);
  t.equal(progress[0]!.scanned, 0, 'the first says nothing is scanned yet');
  t.equal(progress.at(-1)!.scanned, SESSIONS, 'the last says everything is');
  t.ok(progress.every((p, i) => i === 0 || p.scanned > progress[i - 1]!.scanned), 'each line says more');
  t.strictSame(lines.at(-1)!.result!.data, plain.data, 'the last line is the ranking, the same as without progress');
  const csv = await (await server.get('/api/v1/stat', token, { ...params, progress: 1, format: 'csv', header: 1 })).text();
  const last = JSON.parse(csv.trim().split('\n').at(-1)!) as { csv: string };
  t.equal(last.csv, await (await server.get('/api/v1/stat', token, { ...params, format: 'csv', header: 1 })).text(), 'a CSV ranking comes as the string of the last line');

  // ftstat -v on a terminal with a width asks for the progress (the spinner shows it); what it prints is
  // what it prints without -v. How many progress lines a quick scan shows depends on timing: none is required.
  const quiet = await runTool(FTSTAT, [...LOGIN, '-grp', 'IP', '-cnt', 'BYTES', '-r', '5', '-c', ...FRAME]);
  t.equal(quiet.code, 0);
  const shown = await inWideTerminal(FTSTAT, [...LOGIN, '-grp', 'IP', '-cnt', 'BYTES', '-r', '5', '-c', '-v', ...FRAME]);
  t.equal(shown.code, 0, `exit 0 (${JSON.stringify(shown.output.slice(-300))})`);
  for (const line of quiet.stdout.trim().split('\n')) t.ok(shown.output.includes(line), `the terminal shows ${line.slice(0, 40)}`);
  t.match(shown.output, /ftstat: [\d,]+ bytes of CSV in \d+\.\d s/, 'and the closing line');
  t.notMatch(shown.output, /of \d[\d,]* sessions scanned \((?!\d+%\))/, 'any progress shown reads N of M sessions scanned (P%)');
  const table = await inWideTerminal(FTSTAT, [...LOGIN, '-grp', 'IP', '-cnt', 'BYTES', '-r', '5', '-v', ...FRAME]);
  t.equal(table.code, 0);
  t.match(table.output, /ftstat: 5 rows of [\d,]+ IP in \d+\.\d s/, 'the table run ends with its closing line');
});

t.test('a session key works from the address that asked for it, and only from there', async (t) => {
  const issued = await runTool(FTSTAT, [...LOGIN, '-us', '-grp', 'IP', '-cnt', 'BYTES', '-r', '1', '-c', ...FRAME]);
  t.equal(issued.code, 0);
  const key = issued.stderr.trim();
  const used = await runTool(FTSTAT, [...CONNECT, '-us', key, '-grp', 'IP', '-cnt', 'BYTES', '-r', '1', '-c', ...FRAME]);
  t.equal(used.code, 0, 'ftstat -us KEY from 127.0.0.1, where the key was asked for');
  t.equal(used.stdout, issued.stdout);

  // the tools connect from the address the system picks; the API client can choose another one
  const address = readServerAddress(parseCommandLine(CONNECT, FTSTAT_SPEC), {});
  const elsewhere = { tool: 'test', version: '0', localAddress: '127.0.0.2' };
  const refusal = await ApiClient.login(address, { kind: 'session-key', key }, elsewhere).then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(refusal instanceof AuthFailure, 'the same key from 127.0.0.2: refused');
  t.match(refusal, {
    code: 'WRONG_ADDRESS',
    exitCode: EXIT.AUTH,
    message: `login failed for the session key at 127.0.0.1:${server.ports.api}: the session key is bound to the address that requested it, and this request comes from another one; request a key from this machine`,
  });

  // and the other way round: a key asked for from 127.0.0.2 does not work for the tool on 127.0.0.1
  let other = '';
  const client = await ApiClient.login(address, { kind: 'password', username: 'admin', password: ADMIN_PASSWORD, wantSessionKey: true }, { ...elsewhere, onSessionKey: (k) => (other = k) });
  await client.close();
  t.match(other, /^[A-Za-z0-9_-]{20,}$/, 'a key for 127.0.0.2');
  const again = await ApiClient.login(address, { kind: 'session-key', key: other }, elsewhere);
  t.equal(again.username, 'admin', 'it logs in from 127.0.0.2');
  await again.close();
  const tool = await runTool(FTSTAT, [...CONNECT, '-us', other, '-grp', 'IP', '-cnt', 'BYTES', ...FRAME]);
  t.equal(tool.code, 3, 'ftstat -us KEY with that key from 127.0.0.1: exit 3');
  t.equal(
    tool.stderr,
    `ftstat: login failed for the session key at 127.0.0.1:${server.ports.api}: the session key is bound to the address that requested it, and this request comes from another one; request a key from this machine\n`,
    'the message of cli.md',
  );
  t.equal(tool.stdout, '', 'nothing on stdout');
});
