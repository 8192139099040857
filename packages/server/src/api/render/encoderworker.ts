// The script of an encoder thread (EncoderPool): turns batches of session columns into the bytes of
// an answer while the main thread reads the next batches from the store and writes the answers.

import { parentPort } from 'node:worker_threads';
import type { ColumnArray } from '@opentraq/core';
import { encoderFor, type EncoderSpec } from './encoderspec.js';
import type { RowEncoder } from './rowencoder.js';

/** What the main thread sends: rows [0, rows) of the columns of a spec's fields. */
export interface EncodeTask {
  readonly id: number;
  readonly spec: EncoderSpec;
  readonly cols: readonly ColumnArray[];
  readonly rows: number;
}

export type EncodeReply = { readonly id: number; readonly bytes: Uint8Array } | { readonly id: number; readonly error: string };

/** Encoders kept, most recently used last: their compiled code and caches serve the next answers with the same fields. */
const MAX_ENCODERS = 16;
const encoders = new Map<string, RowEncoder>();

function encoder(spec: EncoderSpec): RowEncoder {
  const key = JSON.stringify(spec);
  let e = encoders.get(key);
  if (e !== undefined) {
    encoders.delete(key);
  } else {
    e = encoderFor(spec);
    if (encoders.size >= MAX_ENCODERS) encoders.delete(encoders.keys().next().value!);
  }
  encoders.set(key, e);
  return e;
}

const port = parentPort!;
port.on('message', (task: EncodeTask) => {
  let bytes: Uint8Array;
  try {
    bytes = encoder(task.spec).encode(task.cols, task.rows);
  } catch (e) {
    const reply: EncodeReply = { id: task.id, error: (e as Error)?.message ?? String(e) };
    port.postMessage(reply);
    return;
  }
  const reply: EncodeReply = { id: task.id, bytes };
  // the encoder gave the bytes a buffer of their own: handed over, not copied
  port.postMessage(reply, [bytes.buffer as ArrayBuffer]);
});
