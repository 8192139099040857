// Writing a tool's output to stdout as fast as the reader takes it (waiting on backpressure, so
// memory stays bounded) and noticing when the reader goes away (`| head`): then the run ends quietly.

import type { Readable } from 'node:stream';
import { getSystemErrorMap } from 'node:util';
import { CliError, EXIT } from './clierror.js';

/** The reader of stdout closed it (EPIPE): nothing more can be written; the tool stops with exit 0. */
export class OutputClosed extends Error {
  override readonly name = 'OutputClosed';
  readonly code = 'OUTPUT_CLOSED';

  constructor() {
    super('the output was closed by its reader');
  }
}

/** `no space left on device (ENOSPC)`: the system's words for an errno, with its name for searching. */
function writeFailureReason(e: NodeJS.ErrnoException): string {
  const described = typeof e.errno === 'number' ? getSystemErrorMap().get(e.errno) : undefined;
  return described === undefined ? e.message : `${described[1]} (${described[0]})`;
}

/**
 * Exit 1: stdout cannot be written (a full disk, a quota, an I/O error). It is the output's fault, not the
 * connection's nor the server's, so it says so in one line, whatever the tool was printing.
 */
export class OutputFailed extends CliError {
  override readonly name = 'OutputFailed';

  constructor(cause: NodeJS.ErrnoException) {
    super('OUTPUT_FAILED', `cannot write the output: ${writeFailureReason(cause)}`, EXIT.FAILURE);
  }
}

export class Output {
  private failure: OutputClosed | OutputFailed | null = null;
  private readonly waiters = new Set<(e: Error | null) => void>();

  constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      const failure = this.failed(e);
      for (const w of this.waiters) w(failure);
      this.waiters.clear();
    });
  }

  /** What a write error means for the run; the first one is kept, since what follows it is its consequence. */
  private failed(e: NodeJS.ErrnoException): OutputClosed | OutputFailed {
    this.failure ??= e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED' ? new OutputClosed() : new OutputFailed(e);
    return this.failure;
  }

  /** Writes `chunk`; resolves once the stream can take more. */
  async write(chunk: string | Uint8Array): Promise<void> {
    if (this.failure !== null) throw this.failure;
    if (chunk.length === 0) return;
    if (this.stream.write(chunk)) return;
    const error = await new Promise<Error | null>((resolve) => {
      const done = (e: Error | null): void => {
        this.stream.off('drain', onDrain);
        this.waiters.delete(done);
        resolve(e);
      };
      const onDrain = (): void => done(null);
      this.stream.on('drain', onDrain);
      this.waiters.add(done);
    });
    if (error !== null) throw error;
  }

  /** Copies `source` through, chunk by chunk; `seen` looks at each chunk first (counting, progress). */
  async copyFrom(source: Readable, seen?: (chunk: Buffer) => void): Promise<void> {
    for await (const chunk of source) {
      const b = chunk as Buffer;
      seen?.(b);
      await this.write(b);
    }
  }

  /** Resolves once everything written has been handed to the operating system. */
  flush(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.stream.write('', (e?: Error | null) => (e ? reject(this.failed(e)) : resolve()));
    });
  }
}
