// What every detector does around its windows: read the output and connection parameters, log in,
// open the syslog connection and the alert outputs, run until SIGTERM or SIGINT (or until stdout's reader
// goes away), then stop cleanly — alert records and syslog messages still queued get a few seconds to go
// out, and stderr says where it stopped.

import os from 'node:os';
import { readConnection, type ParsedOptions, type ToolContext } from '@opentraq/cli';
import type { Clock } from '../engine/clock.js';
import { Notices } from '../engine/notices.js';
import { ServerLink } from '../engine/serverlink.js';
import { Stopped } from '../engine/stopped.js';
import { untilStopped } from '../engine/untilstopped.js';
import type { WindowLoopReport } from '../engine/windowloop.js';
import { AlertOutput } from '../output/alertoutput.js';
import { AlertPoster } from '../output/alertposter.js';
import { SEVERITIES } from '../output/syslogmessage.js';
import { SyslogSender } from '../output/syslogsender.js';
import { formatWindowTime } from '../output/windowtime.js';
import { plural } from '../output/plural.js';
import { readOutputSettings } from '../params/readoutputsettings.js';
import { watchStdout } from './watchstdout.js';

/** How long queued alert records and syslog messages may take to go out once the detector stops. */
export const STOP_GRACE_MS = 5000;

/** What a detector's windows are run with. */
export interface SessionParts {
  readonly link: ServerLink;
  readonly clock: Clock;
  readonly notices: Notices;
  readonly output: AlertOutput;
  /** Aborted to stop: the windows finish nothing more. */
  readonly signal: AbortSignal;
  /** Syslog severity (0–7) of the alerts (-ll). */
  readonly severity: number;
  /** -v: a line on stderr for every window checked. */
  readonly verbose: boolean;
}

export interface SessionSteps {
  /** Work before the login (ftbl's list); may throw Stopped when asked to stop meanwhile. */
  readonly prepare?: (ctx: { readonly notices: Notices; readonly signal: AbortSignal }) => Promise<void>;
  readonly run: (parts: SessionParts) => Promise<WindowLoopReport>;
}

export interface SessionOptions {
  readonly clock: Clock;
  /** Signals that stop the detector; tests pass an emitter of their own. */
  readonly signals?: NodeJS.EventEmitter;
}

/** Runs a detector whose own parameters have been read: everything around `steps.run`, to a clean stop. */
export async function runDetectorSession(parsed: ParsedOptions, ctx: ToolContext, opts: SessionOptions, steps: SessionSteps): Promise<void> {
  const { clock } = opts;
  const tool = ctx.spec.name;
  // every parameter is checked before anything is read or sent
  const outputSettings = readOutputSettings(parsed);
  const connection = readConnection(parsed, ctx.env);

  const notices = new Notices(tool, ctx.stderr);
  const engineStop = new AbortController();
  const linkStop = new AbortController();
  let grace: NodeJS.Timeout | null = null;
  const stop = (reason: string): void => {
    if (engineStop.signal.aborted) {
      // asked twice: do not wait for queued records
      linkStop.abort(reason);
      return;
    }
    engineStop.abort(reason);
    grace = setTimeout(() => linkStop.abort(reason), STOP_GRACE_MS);
  };
  const onTerm = (): void => stop('SIGTERM');
  const onInt = (): void => stop('SIGINT');
  const signals = opts.signals ?? process;
  signals.on('SIGTERM', onTerm);
  signals.on('SIGINT', onInt);
  // runTool's last flush of stdout then ends the tool as the failure calls for: quietly with exit 0 for a
  // reader that went away, with exit 1 and why for a write that failed
  const unwatch = outputSettings.stdout ? watchStdout(ctx.stdout, stop) : (): void => undefined;

  let link: ServerLink | null = null;
  let syslog: SyslogSender | null = null;
  let poster: AlertPoster | null = null;
  try {
    // what the detector is doing until its windows begin, for the line that says it stopped meanwhile
    let doing = '';
    try {
      await steps.prepare?.({ notices, signal: engineStop.signal });
      doing = `, while logging in to ${connection.address.display}`;
      link = await ServerLink.open(connection, { tool, version: ctx.version, clock, notices, signal: linkStop.signal, loginSignal: engineStop.signal });
      if (outputSettings.syslog !== null) {
        doing = `, while looking up the log host ${outputSettings.syslog.host}`;
        const opening = SyslogSender.open(outputSettings.syslog, notices);
        try {
          syslog = await untilStopped(opening, engineStop.signal);
        } catch (e) {
          // a lookup that answers after all still gets its sender closed
          void opening.then((s) => s.close(0), () => undefined);
          throw e;
        }
      }
    } catch (e) {
      if (!(e instanceof Stopped)) throw e;
      notices.say(`stopped (${e.reason}) before the first window${doing}`);
      return;
    }
    if (outputSettings.record) poster = new AlertPoster(link, notices);
    const output = new AlertOutput({
      tool,
      stdout: outputSettings.stdout ? ctx.out : null,
      json: outputSettings.json,
      syslog: syslog === null ? null : { sender: syslog, facility: outputSettings.syslog!.facility, hostname: os.hostname(), append: outputSettings.syslog!.append },
      poster,
      procId: process.pid,
    });
    const report = await steps.run({
      link,
      clock,
      notices,
      output,
      signal: engineStop.signal,
      severity: SEVERITIES.indexOf(outputSettings.severity),
      verbose: parsed.flag('v'),
    });
    const last = report.lastEndMs === null ? 'no window was checked' : `the last window checked ended ${formatWindowTime(report.lastEndMs)}`;
    notices.say(`stopped (${report.stopReason}) after ${plural(report.windows, 'window', 'windows')} and ${plural(report.alerts, 'alert', 'alerts')}; ${last}`);
  } finally {
    unwatch();
    if (!engineStop.signal.aborted) stop('stopping');
    await poster?.drain();
    linkStop.abort('stopping');
    if (grace !== null) clearTimeout(grace);
    await link?.close();
    await syslog?.close(STOP_GRACE_MS);
    signals.off('SIGTERM', onTerm);
    signals.off('SIGINT', onInt);
  }
}
