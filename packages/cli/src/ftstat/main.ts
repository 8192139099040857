// ftstat: checks its parameters, logs in, asks GET /api/v1/stat for the ranking and prints it —
// CSV as the server writes it (exact), JSON as an array of objects, a table for people.

import { RuntimeFailure } from '../common/clierror.js';
import { connect } from '../common/connection.js';
import { OutputClosed } from '../common/output.js';
import { startProgress } from '../common/progress.js';
import { runTool, type ToolContext } from '../common/runtool.js';
import { statAnswerProblem, type StatAnswer } from '../common/statanswer.js';
import { styleFor } from '../common/style.js';
import type { ParsedOptions } from '../common/parsedoptions.js';
import { FTSTAT } from './ftstatspec.js';
import { readStatRequest } from './readstatrequest.js';
import { renderStatJson } from './statobjects.js';
import { renderStatTable } from './stattable.js';

/** The launcher ends the process with this once main() has resolved. */
export { exitWhenFlushed } from '../common/runtool.js';

const STAT_PATH = '/api/v1/stat';

async function ftstat(parsed: ParsedOptions, ctx: ToolContext): Promise<void> {
  const req = readStatRequest(parsed, ctx.env, ctx.spec.name);
  if (req.chart !== undefined) {
    throw new RuntimeFailure(
      'NOT_AVAILABLE',
      `-g ${req.chart.file}: charts are not available in this version of ftstat yet; -w N with -C or -j gives the same series as numbers`,
    );
  }
  const client = await connect(req.connection, { tool: ctx.spec.name, version: ctx.version });
  const started = Date.now();
  const progress = await startProgress(req.progress, ctx.spec.name, `ranking ${req.entity.name} by ${req.count} (${req.frame.text})`);
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const ticker = req.progress ? setInterval(() => progress.update(`ranking ${req.entity.name} by ${req.count}: ${elapsed()}`), 200) : undefined;
  try {
    if (req.output === 'csv' || req.output === 'csv-header') {
      const body = await client.stream(STAT_PATH, { params: req.params });
      let bytes = 0;
      try {
        await ctx.out.copyFrom(body, (chunk) => (bytes += chunk.length));
      } catch (e) {
        throw e instanceof OutputClosed ? e : client.lost(e);
      }
      progress.stop(`${bytes} bytes of CSV in ${elapsed()}`);
      await client.close();
      return;
    }
    const answer = await client.json<StatAnswer>('GET', STAT_PATH, { params: req.params });
    const problem = statAnswerProblem(answer);
    if (problem !== null) throw new RuntimeFailure('BAD_ANSWER', `the server's ranking cannot be read: ${problem}`);
    progress.stop(`${answer.data.length} rows of ${answer.summary.entities} ${req.entity.name} in ${elapsed()}`);
    await client.close();
    if (req.output === 'json') {
      await ctx.out.write(renderStatJson(answer));
    } else {
      await ctx.out.write(renderStatTable(answer, req, await styleFor(ctx.stdout, ctx.env)));
    }
  } catch (e) {
    // a half-read answer would keep close() waiting: drop the connection
    await client.destroy();
    throw e;
  } finally {
    if (ticker !== undefined) clearInterval(ticker);
    progress.stop();
  }
}

/** Runs ftstat with `argv` (the words after the command); resolves with the exit code. */
export function main(argv: readonly string[]): Promise<number> {
  return runTool(FTSTAT, argv, ftstat);
}
