// Reads an answer that reports progress first (GET /api/v1/stat?progress=1): NDJSON lines
// {"progress":{"scanned":N,"total":M}}, then one last line with the answer or the server's error.

import type { Readable } from 'node:stream';
import { RuntimeFailure } from './clierror.js';

export interface ScanProgress {
  /** Stored sessions looked at so far. */
  readonly scanned: number;
  /** Stored sessions in the segments the query covers. */
  readonly total: number;
}

/** The last line: the ranking (`result`), the CSV text (`csv`), or an error the server met once the answer had begun. */
export type FinalLine = { readonly result: unknown } | { readonly csv: string };

const NEWLINE = 10;

function parseLine(bytes: Buffer): Record<string, unknown> {
  const text = bytes.toString('utf8');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new RuntimeFailure('BAD_ANSWER', `the server sent a progress line that is not a JSON object: ${JSON.stringify(text.slice(0, 200))}`);
  }
  return v as Record<string, unknown>;
}

function isProgress(v: unknown): v is ScanProgress {
  const p = v as Partial<ScanProgress> | null;
  return typeof p === 'object' && p !== null && typeof p.scanned === 'number' && typeof p.total === 'number';
}

/**
 * Hands each progress line to `onProgress` as it arrives and resolves with the last line. Lines are
 * gathered as bytes, so that a long answer line is decoded once, whole. The server's error line
 * becomes a RuntimeFailure with its message; an answer that ends without a last line is cut off.
 */
export async function readProgressAnswer(body: Readable, onProgress: (p: ScanProgress) => void): Promise<FinalLine> {
  let pending: Buffer[] = [];
  for await (const chunk of body) {
    let b = chunk as Buffer;
    for (let nl = b.indexOf(NEWLINE); nl >= 0; nl = b.indexOf(NEWLINE)) {
      pending.push(b.subarray(0, nl));
      b = b.subarray(nl + 1);
      const line = parseLine(Buffer.concat(pending));
      pending = [];
      if (isProgress(line.progress)) {
        onProgress(line.progress);
        continue;
      }
      if (typeof line.error === 'string') {
        throw new RuntimeFailure('SERVER_ERROR', `the server failed during the query: ${line.error}${typeof line.code === 'string' ? ` (${line.code})` : ''}`);
      }
      if ('result' in line) return { result: line.result };
      if (typeof line.csv === 'string') return { csv: line.csv };
      throw new RuntimeFailure('BAD_ANSWER', `the server sent a line that is neither progress nor an answer: ${JSON.stringify(Object.keys(line))}`);
    }
    if (b.length > 0) pending.push(b);
  }
  throw new RuntimeFailure('CONNECTION_LOST', 'the answer ended before the ranking arrived: it is incomplete (the server\'s log may say why)');
}
