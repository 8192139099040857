// The script every WorkerPool thread runs: ranks the segments it is given into a
// partial aggregate and transfers its arrays back to the main thread.

import { parentPort } from 'node:worker_threads';
import { openSegment } from '../store/index.js';
import { memorySegmentReader } from './memorysource.js';
import { planRank } from './rankquery.js';
import { bestEntities } from './rankresult.js';
import { RankScanner } from './rankscanner.js';
import { RankState, type RankPartial } from './rankstate.js';
import type { SegmentInfo, SegmentReader } from './source.js';
import type { RankTask, WorkerFailure, WorkerReply } from './workerpool.js';

const port = parentPort!;

function transferables(p: RankPartial): ArrayBuffer[] {
  const arrays = [p.keys, p.acc, p.fr, p.serW, p.serF, p.uq, p.omittedW, p.omittedF, p.pairEntities, p.pairTargets, p.pairBits, p.targets, p.totals];
  return arrays.filter((a) => a !== null).map((a) => a.buffer as ArrayBuffer);
}

function describe(err: unknown): WorkerFailure {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, code: typeof code === 'string' ? code : null, message: err.message };
  }
  return { name: 'Error', code: null, message: String(err) };
}

function open(info: SegmentInfo): SegmentReader {
  return info.ref.kind === 'memory' ? memorySegmentReader(info) : openSegment(info.ref.path);
}

function run(task: RankTask): RankPartial {
  const plan = planRank(task.query);
  const st = new RankState(plan);
  const scanner = new RankScanner(plan, task.share);
  const claim = task.claim;
  for (let i = 0; i < task.segments.length; i++) {
    const k = claim === undefined ? i : Atomics.add(claim, 0, 1);
    if (k >= task.segments.length) break;
    const info = task.segments[k]!;
    // a damaged segment adds nothing and goes back in the partial's `skipped`
    scanner.scanOrSkip(info, open, st);
    if (task.progress !== undefined) Atomics.add(task.progress, k, 1);
  }
  if (task.share === undefined) return st.exportPartial();
  // the other shares hold other entities: only this share's best rows can make the top
  return st.exportDisjoint(plan.rows === Infinity ? null : bestEntities(st));
}

port.on('message', (msg: RankTask & { id: number }) => {
  let reply: WorkerReply;
  try {
    const partial = run(msg);
    reply = { id: msg.id, ok: true, partial };
    port.postMessage(reply, transferables(partial));
  } catch (err) {
    reply = { id: msg.id, ok: false, error: describe(err) };
    port.postMessage(reply);
  }
});
