// Asks for a password without echo (raw mode, read key by key) on the controlling terminal, /dev/tty, as
// ssh and sudo do; without one, on stdin and stderr when stdin is a terminal; with neither it refuses at once.

import fs from 'node:fs';
import tty from 'node:tty';
import { Interrupted, UsageError } from './clierror.js';

const ENTER = new Set(['\r', '\n']);
const BACKSPACE = new Set(['\u007f', '\b']);
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const CONTROLLING_TERMINAL = '/dev/tty';

export interface PromptStreams {
  readonly input: NodeJS.ReadStream;
  readonly output: NodeJS.WritableStream;
}

/** Where a prompt is shown and read, and how to let go of it once the answer is in. */
interface PromptTerminal extends PromptStreams {
  release(): void;
}

/**
 * The controlling terminal, opened twice (one descriptor for each stream, since each stream closes its
 * own), or null when the process has none (cron, a CI runner, setsid) or it cannot be opened.
 */
function openControllingTerminal(): PromptTerminal | null {
  let readFd = -1;
  let writeFd = -1;
  try {
    readFd = fs.openSync(CONTROLLING_TERMINAL, 'r');
    writeFd = fs.openSync(CONTROLLING_TERMINAL, 'w');
  } catch {
    if (readFd >= 0) fs.closeSync(readFd);
    return null;
  }
  const input = new tty.ReadStream(readFd);
  const output = new tty.WriteStream(writeFd);
  return {
    input,
    output,
    release: () => {
      input.destroy();
      output.destroy();
    },
  };
}

/** Whether `input` is a terminal that can turn echo off. */
function isPromptable(input: NodeJS.ReadStream): boolean {
  return input.isTTY === true && typeof input.setRawMode === 'function';
}

/**
 * The terminal to ask on: /dev/tty, so that the prompt is seen and the answer typed even when stdout
 * and stderr are redirected or captured (`KEY=$(ftum -un admin -us 2>&1 >/dev/null)`); else stdin with
 * stderr when stdin is a terminal; null when there is none.
 */
function openPromptTerminal(): PromptTerminal | null {
  const controlling = openControllingTerminal();
  if (controlling !== null) return controlling;
  if (!isPromptable(process.stdin)) return null;
  // stdin is the tool's own: it stays open (readHidden paused it)
  return { input: process.stdin, output: process.stderr, release: () => undefined };
}

/** Whether the process has a controlling terminal that opens (the descriptor is closed again at once). */
function hasControllingTerminal(): boolean {
  try {
    fs.closeSync(fs.openSync(CONTROLLING_TERMINAL, 'r'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether secrets can be asked for: on `input` when given, else on the controlling terminal or a
 * terminal on stdin (what the prompts below use).
 */
export function canPrompt(input?: NodeJS.ReadStream): boolean {
  if (input !== undefined) return isPromptable(input);
  return hasControllingTerminal() || isPromptable(process.stdin);
}

/** `what` names the login for the prompt, e.g. `alice@localhost:9640`; `streams` replace the terminal (tests). */
export function promptPassword(what: string, streams?: PromptStreams): Promise<string> {
  const refusal = new UsageError(
    'NO_PASSWORD',
    `no password for ${what}: give -up PASS or set FLOWTRAQ_PASSWORD (there is no terminal to ask for it on), or log in with a session key: -us KEY`,
  );
  return promptHidden(`Password for ${what}: `, streams, refusal);
}

/**
 * Shows `prompt` and reads a line from the terminal without echo; Ctrl-C rejects with Interrupted.
 * Without a terminal (or with `streams` whose input is not one) it rejects with `refusal`, at once.
 */
export async function promptHidden(prompt: string, streams?: PromptStreams, refusal?: UsageError): Promise<string> {
  const noTerminal = refusal ?? new UsageError('NO_PASSWORD', `cannot ask '${prompt.trim()}': there is no terminal to ask on`);
  if (streams !== undefined) {
    if (!isPromptable(streams.input)) throw noTerminal;
    return readHidden(prompt, streams);
  }
  const terminal = openPromptTerminal();
  if (terminal === null) throw noTerminal;
  try {
    return await readHidden(prompt, terminal);
  } finally {
    terminal.release();
  }
}

/** The prompt on `output`, then keys from `input` in raw mode up to Enter; the terminal's mode is restored either way. */
function readHidden(prompt: string, { input, output }: PromptStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    const chars: string[] = [];
    const wasRaw = input.isRaw;
    // echo goes off before the prompt shows: keys typed ahead of it are not echoed either
    input.setRawMode(true);
    output.write(prompt);
    const finish = (error: Error | null): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (error === null) resolve(chars.join(''));
      else reject(error);
    };
    const onEnd = (): void => finish(new Interrupted('no password: the terminal closed'));
    // arrow and function keys send ESC [ ... letter: none of it is part of the password
    let escape = false;
    const onData = (data: string): void => {
      for (const ch of data) {
        if (escape) {
          if (/[A-Za-z~]/.test(ch)) escape = false;
          continue;
        }
        if (ch === '\u001b') {
          escape = true;
          continue;
        }
        if (ENTER.has(ch)) return finish(null);
        if (ch === CTRL_C) return finish(new Interrupted('interrupted at the password prompt'));
        if (ch === CTRL_D) {
          if (chars.length === 0) return finish(new Interrupted('no password given (Ctrl-D)'));
          return finish(null);
        }
        if (BACKSPACE.has(ch)) chars.pop();
        else if (ch === CTRL_U) chars.length = 0;
        else if (ch >= ' ') chars.push(ch);
      }
    };
    input.setEncoding('utf8');
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}
