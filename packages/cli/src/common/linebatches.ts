// Complete lines of a streamed answer (NDJSON, CSV), a chunk's worth at a time, so that a reader
// handles rows as they arrive and holds no more than one chunk and one partial line.

import type { Readable } from 'node:stream';

/** The complete lines of each chunk of `source` (without their `\n`); a last line without `\n` comes at the end. */
export async function* lineBatches(source: Readable): AsyncGenerator<string[]> {
  let rest = '';
  // decoded by the stream, so that a character split between two chunks stays whole
  source.setEncoding('utf8');
  for await (const chunk of source) {
    const text = rest + (chunk as string);
    const lines = text.split('\n');
    rest = lines.pop()!;
    if (lines.length > 0) yield lines;
  }
  if (rest !== '') yield [rest];
}
