// ftsq -v against a real ftserver on a store written beforehand (five segments of 250,000 sessions):
// with a filter that matches only the second and the last segment, the spinner (on a pseudo-terminal)
// shows the server's scan — sessions scanned of the total and a percent — rising to the total, while
// stdout (kept apart on another descriptor) is byte for byte the output of the same query without -v.
//
// With the server's one query slot held by another query, the spinner says that ftsq's query waits.
//
// The test sets the pace without timing anything: it stops reading ftsq's stdout, so that the server,
// once it reaches a matching segment, can only go on when the test reads again (its answer cannot all
// be held by the socket buffers: a matching segment is ~55 MB of CSV). It waits for the spinner to show
// that segment's scan, and reads on. The polls between stops may show more values; none is required.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import t from 'tap';
import { ColumnStore, SessionGenerator, allocColumns } from '../../packages/core/src/index.js';
import { ADMIN_PASSWORD, startServer } from '../lib/ftserver.js';
import { FTSQ, toolEnv } from './clirun.js';

const SEGMENT_SIZE = 250_000;
const SEGMENTS = 5;
const TOTAL = SEGMENT_SIZE * SEGMENTS;
/** The segments (0-based) whose every session has the marker port; no other session has it. */
const MATCHING = [1, 4];
const MARKER_PORT = 65001;
const SPAN_US = 3_600_000_000;
const START_MS = Date.UTC(2025, 5, 1);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentraq-ftsqprogress-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Segment k holds the sessions of hour k: one generated hour, moved along the hours. */
function writeStore(): void {
  const db = path.join(dir, 'SESSIONDB');
  fs.mkdirSync(db, { recursive: true, mode: 0o700 });
  const store = ColumnStore.open(db, { segmentCount: 927, segmentSize: SEGMENT_SIZE, computeCrc: true });
  const c = allocColumns(SEGMENT_SIZE);
  new SessionGenerator({ seed: 77, sessions: SEGMENT_SIZE, startUs: START_MS * 1000, spanUs: SPAN_US }).fill(c);
  const start = Float64Array.from(c.start);
  const end = Float64Array.from(c.end);
  const srvport = Uint16Array.from(c.srvport);
  for (let k = 0; k < SEGMENTS; k++) {
    const marked = MATCHING.includes(k);
    for (let i = 0; i < SEGMENT_SIZE; i++) {
      c.start[i] = start[i]! + k * SPAN_US;
      c.end[i] = end[i]! + k * SPAN_US;
      c.srvport[i] = marked ? MARKER_PORT : srvport[i] === MARKER_PORT ? MARKER_PORT - 1 : srvport[i]!;
    }
    store.append(c, SEGMENT_SIZE);
  }
  store.flush();
  store.close();
}
writeStore();

const server = await startServer({ dir, env: { TZ: 'UTC' }, args: ['--segmentsize', String(SEGMENT_SIZE), '--querythreads', '1'] });
t.teardown(() => server.stop());
const LOGIN = ['-s', '127.0.0.1', '-p', String(server.ports.api), '-un', 'admin', '-up', ADMIN_PASSWORD];
const FRAME = ['-te', new Date(START_MS - 3_600_000).toISOString(), '-tl', new Date(START_MS + (SEGMENTS + 1) * 3_600_000).toISOString()];
const QUERY = [...LOGIN, '-q', `SRVPORT=${MARKER_PORT}`, ...FRAME];

interface Digest {
  bytes: number;
  lines: number;
  sha256: string;
}

/** Reads `stream` to its end, keeping only its size, line count and hash (the answers are ~110 MB). */
function digestOf(stream: Readable, onChunk?: (lines: number) => void): Promise<Digest> {
  const hash = createHash('sha256');
  let bytes = 0;
  let lines = 0;
  stream.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
    onChunk?.(lines);
  });
  return new Promise((resolve, reject) => {
    stream.once('end', () => resolve({ bytes, lines, sha256: hash.digest('hex') }));
    stream.once('error', reject);
  });
}

/** ftsq with stdout in a pipe and stderr too (no terminal): what a script gets. */
async function plainRun(args: readonly string[]): Promise<{ code: number | null; stdout: Digest; stderr: string }> {
  const proc = spawn(process.execPath, [FTSQ, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: toolEnv() });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const stdout = digestOf(proc.stdout);
  const code = await new Promise<number | null>((resolve) => proc.once('close', resolve));
  return { code, stdout: await stdout, stderr };
}

/** What the terminal shows, with the escape sequences that move the cursor turned into line breaks and colours removed. */
function visible(raw: string): string {
  return raw.replace(/\r|\u001b\[\d*G/g, '\n').replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}

interface Shown {
  received: number;
  scanned: number;
  total: number;
  percent: number;
}

const num = (s: string): number => Number(s.replace(/,/g, ''));

/** Every progress text the spinner showed, in order. */
function progressShown(raw: string): Shown[] {
  const re = /([\d,]+) sessions received, ([\d,]+) of ([\d,]+) sessions scanned \((\d+)%\)/g;
  return [...visible(raw).matchAll(re)].map((m) => ({ received: num(m[1]!), scanned: num(m[2]!), total: num(m[3]!), percent: Number(m[4]) }));
}

interface Step {
  /** Read ftsq's stdout until it has given this many lines, then stop reading (Infinity: to the end). */
  readLines: number;
  /** And first wait until the terminal shows this many sessions scanned. */
  afterScanned: number;
}

/**
 * Runs ftsq with `args` in a pseudo-terminal of 160 columns (util-linux script), its stdout on
 * descriptor 3 (a pipe of the test's). The steps say when the test reads that pipe; `onTerminal` sees
 * what the terminal shows as it grows; everything the terminal showed comes back raw.
 */
function pacedRun(
  args: readonly string[],
  env: Record<string, string>,
  steps: readonly Step[],
  onTerminal?: (shown: string) => void,
): Promise<{ code: number | null; terminal: string; stdout: Digest; stuck: string | null }> {
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = `stty cols 160 rows 40; ${[process.execPath, FTSQ, ...args].map(quote).join(' ')} 1>&3`;
  const proc = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: toolEnv(env) });
  const out = proc.stdio[3] as Readable;
  out.pause();
  let terminal = '';
  let step = 0;
  let lines = 0;
  let stuck: string | null = null;
  const advance = (): void => {
    while (step < steps.length) {
      const s = steps[step]!;
      if (lines >= s.readLines) {
        out.pause();
        step++;
        continue;
      }
      if (!progressShown(terminal).some((p) => p.scanned >= s.afterScanned)) return;
      out.resume();
      return;
    }
    out.resume();
  };
  proc.stdout!.on('data', (d: Buffer) => {
    terminal += d.toString('latin1');
    onTerminal?.(visible(terminal));
    advance();
  });
  proc.stderr!.on('data', (d: Buffer) => (terminal += d.toString('latin1')));
  const stdout = digestOf(out, (n) => {
    lines = n;
    advance();
  });
  advance();
  // a run that never gets where a step waits for is ended, and says where it stood
  const timer = setTimeout(() => {
    stuck = `step ${step} of ${steps.length}, ${lines} lines read`;
    proc.kill('SIGKILL');
    out.resume();
  }, 300_000);
  return new Promise((resolve) =>
    proc.once('close', async (code) => {
      clearTimeout(timer);
      resolve({ code, terminal, stdout: await stdout, stuck });
    }),
  );
}

t.test('ftsq -v -c: the scan rises to the total on the terminal; stdout is what it is without -v', async (t) => {
  const quiet = await plainRun([...QUERY, '-c']);
  t.equal(quiet.code, 0, `without -v: exit 0 (${quiet.stderr.trim()})`);
  t.equal(quiet.stderr, '', 'and nothing on stderr');
  t.equal(quiet.stdout.lines, MATCHING.length * SEGMENT_SIZE, 'every session of the matching segments');

  const second = MATCHING[0]!;
  const run = await pacedRun([...QUERY, '-c', '-v'], { TERM: 'xterm-256color' }, [
    // stopped at once: the server stalls in the second segment, having scanned the first two
    { afterScanned: (second + 1) * SEGMENT_SIZE, readLines: SEGMENT_SIZE },
    // stopped after that segment's sessions: the server scans the ones that match nothing, then stalls in the last
    { afterScanned: TOTAL, readLines: Infinity },
  ]);
  t.equal(run.stuck, null, `the run went through every step (terminal: ${JSON.stringify(visible(run.terminal).slice(-400))})`);
  t.equal(run.code, 0, 'exit 0');
  t.strictSame(run.stdout, quiet.stdout, 'stdout: the same bytes as without -v');

  const shown = progressShown(run.terminal);
  const scanned = [...new Set(shown.map((p) => p.scanned))];
  t.ok(shown.length > 0 && shown.every((p) => p.total === TOTAL), `every progress text gives the ${TOTAL.toLocaleString('en-US')} stored sessions of the frame as the total`);
  t.ok(scanned.includes((second + 1) * SEGMENT_SIZE), `it showed the scan stopped in the second segment (${scanned.join(' ')})`);
  t.equal(scanned.at(-1), TOTAL, 'and last the whole store scanned');
  t.ok(scanned.every((s, i) => i === 0 || s > scanned[i - 1]!), 'the scanned count only rises');
  t.ok(scanned.every((s) => s % SEGMENT_SIZE === 0), 'by whole segments');
  t.ok(shown.every((p) => p.percent === Math.floor((p.scanned / p.total) * 100)), 'with its percent');
  t.ok(shown.every((p, i) => i === 0 || p.received >= shown[i - 1]!.received), 'the sessions received only rise');
  t.ok(shown.some((p) => p.scanned === TOTAL && p.percent === 100 && p.received < MATCHING.length * SEGMENT_SIZE), 'the whole store scanned (100%) while sessions were still coming');
  t.match(visible(run.terminal), new RegExp(`ftsq: ${(MATCHING.length * SEGMENT_SIZE).toLocaleString('en-US')} sessions in \\d+\\.\\d s`), 'the closing line stays');
  t.match(run.terminal, /\u001b\[36m/, 'the spinner is coloured on a terminal');
});

t.test('ftsq -v -j with NO_COLOR: no colour, and stdout unchanged', async (t) => {
  const args = [...QUERY, '-j', '-r', '5000'];
  const quiet = await plainRun(args);
  t.equal(quiet.code, 0);
  t.equal(quiet.stdout.lines, 5000);
  const run = await pacedRun([...args, '-v'], { TERM: 'xterm-256color', NO_COLOR: '1' }, []);
  t.equal(run.code, 0, `exit 0 (${JSON.stringify(visible(run.terminal).slice(-300))})`);
  t.strictSame(run.stdout, quiet.stdout, 'stdout: the same bytes as without -v');
  t.match(visible(run.terminal), /ftsq: 5,000 sessions in \d+\.\d s/, 'the closing line');
  t.notMatch(run.terminal, /\u001b\[(3[0-8]|9[0-7])(;\d+)*m/, 'NO_COLOR: no colour on the terminal');
});

t.test('ftsq -v on a terminal under CI (CI set): the closing line alone, as without a terminal', async (t) => {
  const args = [...QUERY, '-j', '-r', '5000'];
  const quiet = await plainRun(args);
  t.equal(quiet.code, 0);
  const run = await pacedRun([...args, '-v'], { TERM: 'xterm-256color', CI: 'true' }, []);
  t.equal(run.code, 0, `exit 0 (${JSON.stringify(visible(run.terminal).slice(-300))})`);
  t.strictSame(run.stdout, quiet.stdout, 'stdout: the same bytes as without -v');
  t.match(visible(run.terminal), /^ftsq: 5,000 sessions in \d+\.\d s\n*$/, 'the terminal shows the closing line and nothing else');
});

t.test('ftsq -v while the server\'s only query slot is taken: the spinner says the query waits', async (t) => {
  // another client's answer that nobody reads holds the slot: the server stalls in the second segment
  const token = await server.login();
  const params = new URLSearchParams({ after_time: String(START_MS / 1000 - 3600), before_time: String(START_MS / 1000 + (SEGMENTS + 1) * 3600), query: `SRVPORT=${MARKER_PORT}`, format: 'csv' });
  const hold = http.request({ host: '127.0.0.1', port: server.ports.api, path: `/api/v1/sessions?${params}`, headers: { authorization: `Bearer ${token}` }, agent: false });
  hold.on('error', () => undefined);
  const status = await new Promise<number | undefined>((resolve) => {
    hold.once('response', (res) => {
      res.pause();
      resolve(res.statusCode);
    });
    hold.end();
  });
  t.equal(status, 200, 'the other query is answering, and holds the slot');
  let released = false;
  const run = await pacedRun([...QUERY, '-c', '-r', '1000', '-v'], { TERM: 'xterm-256color' }, [], (shown) => {
    if (released || !shown.includes('the server is busy: waiting for a query slot')) return;
    released = true;
    // the other client goes away, which frees the slot
    hold.destroy();
  });
  t.ok(released, `the spinner said the query waits for a slot (${JSON.stringify(visible(run.terminal).slice(-300))})`);
  t.equal(run.code, 0, 'then ran it');
  t.equal(run.stdout.lines, 1000, 'and printed its sessions');
  t.match(visible(run.terminal), /ftsq: 1,000 sessions in \d+\.\d s/);
});
