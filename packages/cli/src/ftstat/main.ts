// ftstat: checks its parameters, logs in, asks GET /api/v1/stat for the ranking and prints it —
// CSV as the server writes it (exact), JSON as an array of objects, a table for people — and with -g
// also draws the top rows over time as a stacked chart.

import type { Readable } from 'node:stream';
import type { ApiClient } from '../common/apiclient.js';
import { RuntimeFailure } from '../common/clierror.js';
import { connect } from '../common/connection.js';
import { counted } from '../common/counted.js';
import { startProgress, type Progress } from '../common/progress.js';
import { readProgressAnswer, type FinalLine } from '../common/progressanswer.js';
import { runTool, type ToolContext } from '../common/runtool.js';
import { scannedText } from '../common/scannedtext.js';
import { statAnswerProblem, type StatAnswer } from '../common/statanswer.js';
import { styleFor } from '../common/style.js';
import type { ParsedOptions } from '../common/parsedoptions.js';
import { FTSTAT } from './ftstatspec.js';
import { readStatRequest, type StatRequest } from './readstatrequest.js';
import { withoutSeries } from './withoutseries.js';
import { renderStatJson } from './statobjects.js';
import { renderStatTable } from './stattable.js';

/** The launcher ends the process with this once main() has resolved. */
export { exitWhenFlushed } from '../common/runtool.js';

const STAT_PATH = '/api/v1/stat';

function checked(answer: unknown): StatAnswer {
  const problem = statAnswerProblem(answer);
  if (problem !== null) throw new RuntimeFailure('BAD_ANSWER', `the server's ranking cannot be read: ${problem}`);
  return answer as StatAnswer;
}

async function ranking(client: ApiClient, params: Readonly<Record<string, string>>): Promise<StatAnswer> {
  return checked(await client.json<unknown>('GET', STAT_PATH, { params }));
}

/** The answer of a server that took no progress=1: the CSV text, or the ranking as JSON. */
async function plainAnswer(body: Readable, csv: boolean): Promise<FinalLine> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (csv) return { csv: text };
  try {
    return { result: JSON.parse(text) as unknown };
  } catch {
    throw new RuntimeFailure('BAD_ANSWER', `the answer to ${STAT_PATH} is not JSON: ${JSON.stringify(text.slice(0, 200))}`);
  }
}

/**
 * The ranking asked for with progress=1, the spinner showing the sessions scanned as the server reports
 * them. A server that refuses progress= (an older ftserver) is asked again without it: the spinner then
 * shows no scan, only that the ranking runs.
 */
async function rankingWithProgress(client: ApiClient, params: Readonly<Record<string, string>>, progress: Progress, what: string, csv: boolean): Promise<FinalLine> {
  const { body, taken } = await client.streamWithOptional(STAT_PATH, { progress: '1' }, { params });
  try {
    if (!taken) return await plainAnswer(body, csv);
    return await readProgressAnswer(body, (p) => progress.update(`${what}: ${scannedText(p)}`));
  } catch (e) {
    throw client.lost(e);
  }
}

/** Draws the chart of -g from `answer` (which has slices) and writes its file; the chart code is loaded only then. */
async function drawChart(answer: StatAnswer, req: StatRequest): Promise<void> {
  const { drawStatChart } = await import('./drawstatchart.js');
  await drawStatChart(answer, req);
}

async function ftstat(parsed: ParsedOptions, ctx: ToolContext): Promise<void> {
  const req = readStatRequest(parsed, ctx.env, ctx.spec.name);
  const client = await connect(req.connection, { tool: ctx.spec.name, version: ctx.version });
  const started = Date.now();
  const what = `ranking ${req.entity.name} by ${req.count}${req.unique === undefined ? '' : ` ${req.unique}`}`;
  const progress = await startProgress(req.progress, ctx.spec.name, `${what} (${req.frame.text})`);
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const drawn = req.chart === undefined ? '' : `; chart in ${req.chart.file}`;
  try {
    if (req.output === 'csv' || req.output === 'csv-header') {
      // the chart first: when it fails, nothing has been printed
      if (req.chartParams !== undefined) await drawChart(await ranking(client, req.chartParams), req);
      if (progress.live) {
        // the spinner shows the server's scan; the CSV comes whole at the end, as the last line, and is
        // printed once the spinner is gone (it would draw over the rows)
        const last = await rankingWithProgress(client, req.params, progress, what, true);
        if (!('csv' in last)) throw new RuntimeFailure('BAD_ANSWER', 'the server answered a CSV ranking with JSON');
        await client.close();
        progress.stop(`${counted(Buffer.byteLength(last.csv), 'byte')} of CSV in ${elapsed()}${drawn}`);
        await ctx.out.write(last.csv);
        return;
      }
      const body = await client.stream(STAT_PATH, { params: req.params });
      let bytes = 0;
      try {
        await ctx.out.copyFrom(body, (chunk) => (bytes += chunk.length));
      } catch (e) {
        throw client.lost(e);
      }
      progress.stop(`${counted(bytes, 'byte')} of CSV in ${elapsed()}${drawn}`);
      await client.close();
      return;
    }
    let answer: StatAnswer;
    if (progress.live) {
      const last = await rankingWithProgress(client, req.params, progress, what, false);
      if (!('result' in last)) throw new RuntimeFailure('BAD_ANSWER', 'the server answered a JSON ranking with CSV');
      answer = checked(last.result);
    } else {
      answer = await ranking(client, req.params);
    }
    await client.close();
    if (req.chart !== undefined) await drawChart(answer, req);
    progress.stop(`${counted(answer.data.length, 'row')} of ${answer.summary.entities.toLocaleString('en-US')} ${req.entity.name} in ${elapsed()}${drawn}`);
    // slices asked for the chart alone are not printed
    const printed = req.slices === undefined ? withoutSeries(answer) : answer;
    if (req.output === 'json') {
      await ctx.out.write(renderStatJson(printed));
    } else {
      await ctx.out.write(renderStatTable(printed, req, await styleFor(ctx.stdout, ctx.env)));
    }
  } catch (e) {
    // a half-read answer would keep close() waiting: drop the connection
    await client.destroy();
    throw e;
  } finally {
    progress.stop();
  }
}

/** Runs ftstat with `argv` (the words after the command); resolves with the exit code. */
export function main(argv: readonly string[]): Promise<number> {
  return runTool(FTSTAT, argv, ftstat);
}
