// Reading requests and writing JSON answers with the limits a public-facing server needs: bounded
// bodies, JSON only, every failure an HttpError the router turns into a 4xx/5xx JSON answer.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './httperror.js';

/** Largest request body accepted (logins, users, alerts are small). */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * The body, at most `limit` bytes, else a 413. Past the limit the rest is still read and thrown away:
 * a client still sending (a chunked body has no Content-Length to refuse it by) then receives the 413
 * instead of a reset connection, which destroying the request would give it.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new HttpError(413, 'BODY_TOO_LARGE', `the request body is over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', () => reject(new HttpError(499, 'CLIENT_GONE', 'the client closed the connection before the whole request body arrived')));
    req.once('close', () => {
      if (!req.complete) reject(new HttpError(499, 'CLIENT_GONE', 'the client closed the connection before the whole request body arrived'));
    });
  });
}

export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  // curl -d and some HTTP libraries label a JSON body as a form: the body decides, not the label
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `the request body must be JSON (Content-Type: application/json), got ${type}`);
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) throw new HttpError(413, 'BODY_TOO_LARGE', `the request body is ${declared} bytes; at most ${limit} are accepted`);
  const text = (await readBody(req, limit)).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'BAD_JSON', 'the request needs a JSON object body');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, 'BAD_JSON', `the request body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HttpError(400, 'BAD_JSON', 'the request body must be a JSON object');
  return v as Record<string, unknown>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, type: string, text: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

/** A string member of a JSON body, or a 400 naming it. */
export function stringField(body: Record<string, unknown>, name: string, required = true): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) {
    if (required) throw new HttpError(400, 'MISSING_FIELD', `the request body needs "${name}"`, { param: name });
    return undefined;
  }
  if (typeof v !== 'string') throw new HttpError(400, 'BAD_FIELD', `"${name}" must be a string`, { param: name });
  return v;
}

export function booleanField(body: Record<string, unknown>, name: string): boolean | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new HttpError(400, 'BAD_FIELD', `"${name}" must be true or false`, { param: name });
  return v;
}

/** The code of the error that ends a streamed answer whose client stopped reading for maxclientlatency. */
export const CLIENT_TOO_SLOW = 'CLIENT_TOO_SLOW';

/**
 * Write a chunk of a streamed answer; when the socket's buffer is full, wait until it drains, at
 * most `maxLatencyMs` (maxclientlatency): a client that stops reading is disconnected.
 */
export function writeChunk(res: ServerResponse, chunk: string | Uint8Array, maxLatencyMs: number): Promise<void> {
  if (chunk.length === 0) return Promise.resolve();
  if (res.destroyed) return Promise.reject(new HttpError(499, 'CLIENT_GONE', 'the client closed the connection'));
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = maxLatencyMs > 0 ? setTimeout(() => {
      cleanup();
      res.destroy();
      reject(new HttpError(408, CLIENT_TOO_SLOW, `the client read nothing for ${maxLatencyMs / 1000} s (maxclientlatency); disconnected`));
    }, maxLatencyMs) : undefined;
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onClose = (): void => {
      cleanup();
      reject(new HttpError(499, 'CLIENT_GONE', 'the client closed the connection'));
    };
    const cleanup = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      res.off('drain', onDrain);
      res.off('close', onClose);
    };
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
