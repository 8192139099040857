// Asks for a password on the terminal without echoing it (raw mode, read key by key): the prompt goes
// to stderr so that stdout stays the tool's output; without a terminal on stdin it refuses at once.

import { Interrupted, UsageError } from './clierror.js';

const ENTER = new Set(['\r', '\n']);
const BACKSPACE = new Set(['\u007f', '\b']);
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';

export interface PromptStreams {
  readonly input: NodeJS.ReadStream;
  readonly output: NodeJS.WritableStream;
}

const DEFAULT_STREAMS: PromptStreams = { input: process.stdin, output: process.stderr };

/** Whether secrets can be asked for on `input`: a terminal that can turn echo off. */
export function canPrompt(input: NodeJS.ReadStream = process.stdin): boolean {
  return input.isTTY === true && typeof input.setRawMode === 'function';
}

/** `what` names the login for the prompt, e.g. `alice@localhost:9640`. */
export function promptPassword(what: string, streams: PromptStreams = DEFAULT_STREAMS): Promise<string> {
  if (!canPrompt(streams.input)) {
    return Promise.reject(
      new UsageError(
        'NO_PASSWORD',
        `no password for ${what}: give -up PASS or set FLOWTRAQ_PASSWORD (stdin is not a terminal, so it cannot be asked for), or log in with a session key: -us KEY`,
      ),
    );
  }
  return promptHidden(`Password for ${what}: `, streams);
}

/**
 * Shows `prompt` on the output and reads a line from the terminal without echo; Ctrl-C rejects with
 * Interrupted. The caller checks canPrompt() first (without a terminal this rejects with NO_PASSWORD).
 */
export function promptHidden(prompt: string, streams: PromptStreams = DEFAULT_STREAMS): Promise<string> {
  const { input, output } = streams;
  if (!canPrompt(input)) return Promise.reject(new UsageError('NO_PASSWORD', `cannot ask '${prompt.trim()}': stdin is not a terminal`));
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
