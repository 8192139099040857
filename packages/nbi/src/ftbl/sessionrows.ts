// The raw sessions ftbl asks for (GET /api/v1/sessions with fields=): who talked to whom on which
// service and how much, read from the JSON answer and checked, so that a strange answer is an error.

import { RuntimeFailure } from '@opentraq/cli';

export const SESSIONS_PATH = '/api/v1/sessions';
/** The fields asked for: the API's session columns by these names. */
export const SESSION_FIELDS = ['CLNIP', 'SRVIP', 'SRVPORT', 'PROTO', 'CLNPKTS', 'SRVPKTS', 'CLNBYTS', 'SRVBYTS'] as const;

export interface SessionRow {
  readonly clnip: string;
  readonly srvip: string;
  readonly srvport: number;
  readonly proto: number;
  readonly clnpkts: number;
  readonly srvpkts: number;
  readonly clnbyts: number;
  readonly srvbyts: number;
}

const bad = (why: string): RuntimeFailure => new RuntimeFailure('BAD_ANSWER', `the server's sessions cannot be read: ${why}`);

function num(o: Record<string, unknown>, k: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`${k} is not a number: ${JSON.stringify(v)}`);
  return v;
}

function text(o: Record<string, unknown>, k: string): string {
  const v = o[k];
  if (typeof v !== 'string') throw bad(`${k} is not an address: ${JSON.stringify(v)}`);
  return v;
}

/** The sessions of a JSON answer ({columns, data, summary}); RuntimeFailure (BAD_ANSWER) when it is not one. */
export function readSessionRows(answer: unknown): SessionRow[] {
  const a = answer as { data?: unknown } | null;
  if (typeof a !== 'object' || a === null || !Array.isArray(a.data)) throw bad('it has no data');
  return a.data.map((row: unknown): SessionRow => {
    if (typeof row !== 'object' || row === null) throw bad(`a session is not an object: ${JSON.stringify(row)}`);
    const o = row as Record<string, unknown>;
    return {
      clnip: text(o, 'CLNIP'),
      srvip: text(o, 'SRVIP'),
      srvport: num(o, 'SRVPORT'),
      proto: num(o, 'PROTO'),
      clnpkts: num(o, 'CLNPKTS'),
      srvpkts: num(o, 'SRVPKTS'),
      clnbyts: num(o, 'CLNBYTS'),
      srvbyts: num(o, 'SRVBYTS'),
    };
  });
}
