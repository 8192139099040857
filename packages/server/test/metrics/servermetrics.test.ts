// The names /metrics exports: Node's process metrics under opentraq_process_* and opentraq_nodejs_*
// (once, not opentraq_process_process_*), and every metric in the table of docs/server.md, no more.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { EMIT_REASONS, type PipelineCounters } from '@opentraq/core';
import { ServerMetrics } from '../../src/metrics/index.js';

const DOCS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../docs/server.md');

/** A server at rest: counters that exist, at zero or small values. */
function metrics(): ServerMetrics {
  const pipeline = {
    datagrams: { netflow: 0, sflow: 0, tcp: 0 },
    flows: 0,
    sessions: 3,
    pendingFlows: 0,
    refused: 0,
    exporters: new Map(),
    tracker: { active: 2, emitted: Object.fromEntries(EMIT_REASONS.map((r) => [r, 1])) },
  } as unknown as PipelineCounters;
  return new ServerMetrics({
    pipeline: () => pipeline,
    listeners: () => [{ kind: 'netflow', transport: 'udp', port: 2055, datagrams: 5, bytes: 500, receiveBuffer: 1 << 20 }],
    store: () => ({ segments: 1, rows: 10, bytes: 1000, pendingRows: 0, corruptSegments: 0, cycles: 4, lastCycleSeconds: 0.01 }),
    auth: () => ({ lockedAddresses: 0, failures: 0 }),
    queries: () => ({ running: 0, queued: 0, rejected: 0, snapshots: 3 }),
  });
}

/** The metric names of a Prometheus text exposition (from its # TYPE lines). */
function names(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
}

/** The metric names (or name prefixes, ending in *) the metrics table of docs/server.md lists. */
function documented(): string[] {
  const docs = fs.readFileSync(DOCS, 'utf8');
  const table = docs.slice(docs.indexOf('| metric | labels | meaning |'));
  const rows = table.slice(0, table.search(/\n\n/)).split('\n').slice(2);
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([a-z_*]+)`/g)].map((m) => m[1]!));
}

t.test("Node's process metrics carry the prefix once", async (t) => {
  const exported = names(await metrics().text());
  for (const name of ['opentraq_process_cpu_seconds_total', 'opentraq_process_resident_memory_bytes', 'opentraq_process_start_time_seconds', 'opentraq_nodejs_eventloop_lag_seconds', 'opentraq_nodejs_heap_size_used_bytes']) {
    t.ok(exported.includes(name), `${name} is exported`);
  }
  t.same(exported.filter((n) => /process_process|nodejs_nodejs|opentraq_process_nodejs/.test(n)), [], 'no doubled prefix');
  t.same(exported.filter((n) => !n.startsWith('opentraq_')), [], 'every name starts with opentraq_');
});

t.test('the metrics table of docs/server.md and /metrics agree', async (t) => {
  const exported = names(await metrics().text());
  const table = documented();
  t.ok(table.length > 20, `the table lists ${table.length} names`);
  const matches = (doc: string, name: string): boolean => (doc.endsWith('*') ? name.startsWith(doc.slice(0, -1)) : name === doc);
  t.same(table.filter((doc) => !exported.some((n) => matches(doc, n))), [], 'every documented metric is exported');
  t.same(exported.filter((n) => !table.some((doc) => matches(doc, n))), [], 'every exported metric is documented');
});
