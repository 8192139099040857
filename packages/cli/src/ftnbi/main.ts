// ftnbi: checks its parameters, logs in, asks GET /api/v1/alerts for the alerts of the time frame
// and prints them: JSON with cli.md's fields for programs (-j), a table for people.

import { RuntimeFailure, UsageError } from '../common/clierror.js';
import { connect, readConnection } from '../common/connection.js';
import { counted } from '../common/counted.js';
import type { ParsedOptions } from '../common/parsedoptions.js';
import { readTimeFrame } from '../common/readtimeframe.js';
import { readWholeNumber } from '../common/readwholenumber.js';
import { runTool, type ToolContext } from '../common/runtool.js';
import { styleFor } from '../common/style.js';
import { alertListProblem, renderAlertJson, type AlertList } from './alertobjects.js';
import { renderAlertTable } from './alerttable.js';
import { FTNBI } from './ftnbispec.js';

/** The launcher ends the process with this once main() has resolved. */
export { exitWhenFlushed } from '../common/runtool.js';

const ALERTS_PATH = '/api/v1/alerts';
/** Rows of the table when -r is absent; JSON carries every alert unless -r says otherwise. */
export const DEFAULT_TABLE_ROWS = 128;
/** The server's limit on rows= of the alert list. */
const MAX_ROWS = 1_000_000;

async function ftnbi(parsed: ParsedOptions, ctx: ToolContext): Promise<void> {
  if (!parsed.flag('alert')) {
    throw new UsageError('MISSING_OPTION', '-alert is needed: ftnbi prints the alerts of the time frame (e.g. ftnbi -alert -tn 3m -j)');
  }
  const frame = readTimeFrame(parsed);
  const json = parsed.flag('j');
  const rows = readWholeNumber(parsed, 'r', 1, MAX_ROWS, 'a number of alerts') ?? (json ? undefined : DEFAULT_TABLE_ROWS);
  const connection = readConnection(parsed, ctx.env);
  const client = await connect(connection, { tool: ctx.spec.name, version: ctx.version });
  let answer: AlertList;
  try {
    answer = await client.json<AlertList>('GET', ALERTS_PATH, { params: { ...frame.params, ...(rows !== undefined && { rows: String(rows) }) } });
    await client.close();
  } catch (e) {
    await client.destroy();
    throw e;
  }
  const problem = alertListProblem(answer);
  if (problem !== null) throw new RuntimeFailure('BAD_ANSWER', `the server's alert list cannot be read: ${problem}`);
  const shown = answer.alerts.length;
  if (json) {
    await ctx.out.write(renderAlertJson(answer.alerts));
    if (shown < answer.total) ctx.stderr.write(`${ctx.spec.name}: ${counted(answer.total, 'alert')} match; -r ${rows} printed the first ${shown}\n`);
  } else {
    await ctx.out.write(`${renderAlertTable(answer.alerts, await styleFor(ctx.stdout, ctx.env))}${counted(answer.total, 'alert')} active or recorded in ${frame.text}; times are local (TZ)\n`);
    if (shown < answer.total) ctx.stderr.write(`${ctx.spec.name}: ${counted(answer.total, 'alert')} match; the table shows the first ${shown}: -r NUM shows more, -j prints them all\n`);
  }
}

/** Runs ftnbi with `argv` (the words after the command); resolves with the exit code. */
export function main(argv: readonly string[]): Promise<number> {
  return runTool(FTNBI, argv, ftnbi);
}
