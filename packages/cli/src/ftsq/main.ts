// ftsq: checks its parameters, logs in, and streams GET /api/v1/sessions to stdout as it arrives —
// CSV and NDJSON byte for byte as the server writes them, the table block by block — in bounded memory.
// With -v on a terminal, a spinner on stderr shows the sessions received and the server's scan.

import type { Readable } from 'node:stream';
import type { ApiClient } from '../common/apiclient.js';
import { RuntimeFailure } from '../common/clierror.js';
import { connect } from '../common/connection.js';
import { counted } from '../common/counted.js';
import { lineBatches } from '../common/linebatches.js';
import type { ParsedOptions } from '../common/parsedoptions.js';
import { startProgress, type Progress } from '../common/progress.js';
import { runTool, type ToolContext } from '../common/runtool.js';
import { scannedText } from '../common/scannedtext.js';
import { styleFor } from '../common/style.js';
import { FTSQ } from './ftsqspec.js';
import { readSessionsRequest, TABLE_FIELDS, type SessionsRequest } from './readsessionsrequest.js';
import { SessionTable, type SessionObject } from './sessiontable.js';
import { watchSessionsProgress, type ProgressWatch, type SessionsScan } from './watchsessionsprogress.js';

/** The launcher ends the process with this once main() has resolved. */
export { exitWhenFlushed } from '../common/runtool.js';

const SESSIONS_PATH = '/api/v1/sessions';
const NEWLINE = 10;
/** The start time of the last NDJSON session in a chunk (START is every session's first member). */
const LAST_START = /.*\{"START":(-?\d+(?:\.\d+)?)/s;

/**
 * Counts sessions as they arrive and tells -v how far the query is: by the server's scan when it
 * reports it, else by how far through the frame the last session received starts.
 */
class Tally {
  sessions = 0;
  private lastStart = NaN;
  private scan: SessionsScan | undefined;
  private readonly started = Date.now();

  constructor(
    private readonly req: SessionsRequest,
    private readonly progress: Progress,
  ) {}

  seen(sessions: number, lastStart: number): void {
    this.sessions += sessions;
    if (Number.isFinite(lastStart)) this.lastStart = lastStart;
    this.progress.update(this.text());
  }

  scanned(scan: SessionsScan): void {
    this.scan = scan;
    this.progress.update(this.text());
  }

  private text(): string {
    const { fromUs, toUs } = this.req.frame.frame;
    const received = `${counted(this.sessions, 'session')} received`;
    if (this.scan?.state === 'queued') return 'the server is busy: waiting for a query slot';
    if (this.scan !== undefined) return `${received}, ${scannedText(this.scan)}`;
    if (!Number.isFinite(this.lastStart)) return received;
    const pct = Math.max(0, Math.min(100, ((this.lastStart * 1e6 - fromUs) / (toUs - fromUs)) * 100));
    return `${received}, ${pct.toFixed(0)}% of the frame`;
  }

  summary(): string {
    return `${counted(this.sessions, 'session')} in ${((Date.now() - this.started) / 1000).toFixed(1)} s`;
  }
}

function parseSession(line: string): SessionObject {
  try {
    const v = JSON.parse(line) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as SessionObject;
  } catch {
    // reported below with the line itself
  }
  throw new RuntimeFailure('BAD_ANSWER', `the server sent a line that is not a session: ${JSON.stringify(line.slice(0, 200))}`);
}

async function printTable(body: Readable, req: SessionsRequest, ctx: ToolContext, tally: Tally): Promise<SessionTable> {
  const table = new SessionTable(TABLE_FIELDS, req.limit!, await styleFor(ctx.stdout, ctx.env));
  for await (const lines of lineBatches(body)) {
    const sessions = lines.filter((l) => l !== '').map(parseSession);
    const last = sessions[sessions.length - 1]?.START;
    tally.seen(sessions.length, typeof last === 'number' ? last : NaN);
    await ctx.out.write(table.add(sessions, Date.now()));
    // the server was asked for one session more than the table shows: that one only says "more"
    if (table.more) break;
  }
  return table;
}

async function passThrough(body: Readable, req: SessionsRequest, ctx: ToolContext, tally: Tally): Promise<void> {
  // without -v nothing shows the count: the bytes go through untouched
  if (!req.progress) return ctx.out.copyFrom(body);
  const json = req.output === 'json';
  await ctx.out.copyFrom(body, (chunk) => {
    let lines = 0;
    for (let i = chunk.indexOf(NEWLINE); i >= 0; i = chunk.indexOf(NEWLINE, i + 1)) lines++;
    const start = json ? LAST_START.exec(chunk.toString('latin1', Math.max(0, chunk.length - 4096)))?.[1] : undefined;
    tally.seen(lines, start === undefined ? NaN : Number(start));
  });
  // the CSV header row and the `#` totals line are not sessions
  if (req.output === 'csv-header') tally.sessions = Math.max(0, tally.sessions - 2);
}

/**
 * The sessions, asked for with the id of `watch` (progress=) when the spinner follows the server's scan.
 * A server that refuses progress= (an older ftserver, another FlowTraq-compatible API, or one following
 * too many such queries) is asked again without it: the spinner then shows what the tool counts itself.
 */
async function sessions(client: ApiClient, req: SessionsRequest, watch: ProgressWatch | undefined): Promise<Readable> {
  if (watch === undefined) return client.stream(SESSIONS_PATH, { params: req.params });
  const answer = await client.streamWithOptional(SESSIONS_PATH, { progress: watch.id }, { params: req.params });
  if (!answer.taken) await watch.stop();
  return answer.body;
}

async function ftsq(parsed: ParsedOptions, ctx: ToolContext): Promise<void> {
  const req = readSessionsRequest(parsed, ctx.env, ctx.spec.name);
  const client: ApiClient = await connect(req.connection, { tool: ctx.spec.name, version: ctx.version });
  const progress = await startProgress(req.progress, ctx.spec.name, `asking for the sessions of ${req.frame.text}`, ctx.stderr, ctx.env);
  const tally = new Tally(req, progress);
  // only a spinner shows the scan: without one (no -v, or stderr not a terminal) nothing is polled
  const watch = progress.live ? watchSessionsProgress(client, (s) => tally.scanned(s)) : undefined;
  try {
    const body = await sessions(client, req, watch);
    let table: SessionTable | undefined;
    try {
      if (req.output === 'table') {
        table = await printTable(body, req, ctx, tally);
        // the one session past the limit was received but is not shown
        tally.sessions = table.taken;
      } else {
        await passThrough(body, req, ctx, tally);
      }
    } catch (e) {
      throw client.lost(e);
    }
    await watch?.stop();
    progress.stop(tally.summary());
    if (table !== undefined) {
      await ctx.out.write(table.finish());
      if (table.more) {
        ctx.stderr.write(`${ctx.spec.name}: more sessions match: the table shows the first ${table.shown}; -r NUM shows more, -c, -C or -j print them all\n`);
        await client.destroy();
        return;
      }
    }
    await client.close();
  } catch (e) {
    // the answer was not read to its end: close() would wait for it
    await client.destroy();
    throw e;
  } finally {
    await watch?.stop();
    progress.stop();
  }
}

/** Runs ftsq with `argv` (the words after the command); resolves with the exit code. */
export function main(argv: readonly string[]): Promise<number> {
  return runTool(FTSQ, argv, ftsq);
}
