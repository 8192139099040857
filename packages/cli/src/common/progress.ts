// The -v progress indicator on stderr: an ora spinner on a terminal (loaded only then), a single
// closing line elsewhere, nothing without -v. stdout is never touched.

import type { Environment } from './serveraddress.js';
import { colourWanted } from './style.js';

export interface Progress {
  /** Whether updates are shown (a spinner on a terminal); without, only the closing line is. */
  readonly live: boolean;
  /** The text beside the spinner, e.g. `1,234 sessions received`. */
  update(text: string): void;
  /** Stops the spinner; `summary` (when given) stays on stderr as the last word. Later calls do nothing. */
  stop(summary?: string): void;
}

const SILENT: Progress = { live: false, update: () => undefined, stop: () => undefined };

/**
 * Whether a spinner runs on `stream`: a terminal with a width (ora hangs at 100 % CPU on one that
 * reports 0 columns), not TERM=dumb, and not under CI (the variable CI set, as ora itself and most
 * tools read it: a CI log keeps only the closing line). ora is told this decision, not left to make
 * its own: a tool that polled the server for a spinner ora then kept quiet would show nothing.
 */
export function spinnerWanted(stream: NodeJS.WriteStream, env: Environment): boolean {
  return stream.isTTY === true && stream.columns > 0 && env['TERM'] !== 'dumb' && env['CI'] === undefined;
}

/**
 * The spinner runs only where spinnerWanted() says; elsewhere -v prints the summary line alone. The spinner is
 * coloured by the rules of the tools' other output (style.ts) applied to `stream`: ora's own colouring
 * follows stdout, which may be a file while the spinner is on a terminal, and ignores NO_COLOR.
 */
export async function startProgress(wanted: boolean, tool: string, text: string, stream: NodeJS.WriteStream = process.stderr, env: Environment = process.env): Promise<Progress> {
  if (!wanted) return SILENT;
  let stopped = false;
  if (!spinnerWanted(stream, env)) {
    return {
      live: false,
      update: () => undefined,
      stop: (summary) => {
        if (stopped) return;
        stopped = true;
        if (summary !== undefined) stream.write(`${tool}: ${summary}\n`);
      },
    };
  }
  const { default: ora } = await import('ora');
  const spinner = ora({ text, stream, discardStdin: false, color: false, isEnabled: true });
  if (colourWanted(stream, env)) {
    const { Chalk } = await import('chalk');
    const cyan = new Chalk({ level: 1 }).cyan;
    spinner.spinner = { interval: spinner.interval, frames: spinner.spinner.frames.map((f) => cyan(f)) };
  }
  spinner.start();
  return {
    live: true,
    update: (t) => {
      if (!stopped) spinner.text = t;
    },
    stop: (summary) => {
      if (stopped) return;
      stopped = true;
      if (summary === undefined) spinner.stop();
      else spinner.stopAndPersist({ symbol: `${tool}:`, text: summary });
    },
  };
}
