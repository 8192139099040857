// Colour for people only: on a terminal, unless NO_COLOR is set (no-color.org) or TERM is dumb;
// never in CSV or JSON, which the tools write without any style. chalk is loaded only when used.

import type { Environment } from './serveraddress.js';

export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
}

const PLAIN: Style = { enabled: false, bold: (t) => t, dim: (t) => t, red: (t) => t };

/** Whether output to `stream` may be coloured: a terminal, NO_COLOR unset or empty, TERM not dumb; FORCE_COLOR overrides. */
export function colourWanted(stream: { readonly isTTY?: boolean }, env: Environment): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** The style for `stream`: plain text, or chalk's basic colours. */
export async function styleFor(stream: { readonly isTTY?: boolean }, env: Environment): Promise<Style> {
  if (!colourWanted(stream, env)) return PLAIN;
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: 1 });
  return { enabled: true, bold: (t) => chalk.bold(t), dim: (t) => chalk.dim(t), red: (t) => chalk.red(t) };
}

export const PLAIN_STYLE: Style = PLAIN;
