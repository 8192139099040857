// Threads that format session answers (EncoderPool): the main thread reads batches from the store and
// writes bytes to the socket while other cores turn the previous batches into CSV or JSON.

import { Worker } from 'node:worker_threads';
import type { ColumnArray } from '@opentraq/core';
import type { EncoderSpec } from './encoderspec.js';
import type { EncodeReply, EncodeTask } from './encoderworker.js';

/** Thrown for a batch whose thread failed or was stopped: the answer cannot be completed. */
export class EncoderFailure extends Error {
  override readonly name = 'EncoderFailure';
  readonly code = 'ENCODER_FAILED';
}

interface Pending {
  readonly resolve: (bytes: Uint8Array) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  worker: Worker | null;
  readonly pending: Map<number, Pending>;
}

/** The worker script beside this module, with this module's extension (.ts under the test runner, .js once built). */
function workerUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./encoderworker${ext}`, import.meta.url);
}

/**
 * `size` threads, started at their first batch and kept (an idle thread does not keep the process
 * alive). A batch goes to the thread with the fewest waiting; results may come back in any order,
 * each answer awaits its batches in order. A thread that dies fails its batches and is replaced.
 * A thread writes 'local' times in the TZ the process had when the thread started (ftserver never
 * changes its TZ).
 */
export class EncoderPool {
  private readonly slots: Slot[];
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`an encoder pool needs a positive whole number of threads (got ${String(size)})`);
    this.slots = Array.from({ length: size }, () => ({ worker: null, pending: new Map() }));
  }

  /** The bytes of rows [0, rows) of `cols` as `spec` writes them (what encoderFor(spec).encode gives). */
  encode(spec: EncoderSpec, cols: readonly ColumnArray[], rows: number): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new EncoderFailure('the encoder threads are stopped (the server is stopping)'));
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.pending.size < slot.pending.size) slot = s;
    const worker = slot.worker ?? this.start(slot);
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      worker.ref();
      const task: EncodeTask = { id, spec, cols, rows };
      worker.postMessage(task);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const workers = this.slots.flatMap((s) => (s.worker === null ? [] : [s.worker]));
    for (const s of this.slots) this.fail(s, new EncoderFailure('the encoder threads were stopped while an answer was written'));
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private start(slot: Slot): Worker {
    const w = new Worker(workerUrl());
    slot.worker = w;
    w.unref();
    w.on('message', (reply: EncodeReply) => {
      const p = slot.pending.get(reply.id);
      if (p === undefined) return;
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) w.unref();
      if ('bytes' in reply) p.resolve(reply.bytes);
      else p.reject(new EncoderFailure(`formatting the answer failed: ${reply.error}`));
    });
    const died = (why: string): void => {
      if (slot.worker !== w) return;
      slot.worker = null;
      this.fail(slot, new EncoderFailure(`an encoder thread ${why}`));
    };
    w.on('error', (e) => died(`failed: ${e.message}`));
    w.on('exit', (code) => {
      if (!this.closed) died(`exited unexpectedly (code ${code})`);
    });
    return w;
  }

  private fail(slot: Slot, e: Error): void {
    const pending = [...slot.pending.values()];
    slot.pending.clear();
    for (const p of pending) p.reject(e);
  }
}
