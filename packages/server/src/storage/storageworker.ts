// ftserver's storage thread: owns the SessionStore (checkpoint and segment writes, recovery at open)
// so that encoding and fsync never stall the thread that receives datagrams.

import { parentPort } from 'node:worker_threads';
import { SessionStore } from './sessionstore.js';
import type { StorageErrorData, StorageReply, StorageRequest, StoreView } from './storagemessages.js';

const port = parentPort;
if (port === null) throw new Error('storageworker.js runs as a worker thread of ftserver');

let store: SessionStore | undefined;

function view(s: SessionStore): StoreView {
  return { epoch: s.epoch, segments: s.store.list(), held: s.held(), stats: s.stats(), retiredFiles: s.retiredFiles };
}

function errorData(e: unknown): StorageErrorData {
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as { code?: unknown }).code;
  return { name: err.name, code: typeof code === 'string' ? code : undefined, message: err.message };
}

function reply(r: StorageReply): void {
  port!.postMessage(r);
}

function warn(details: Record<string, unknown>, message: string): void {
  try {
    reply({ kind: 'warning', details, message });
  } catch {
    // details that cannot cross threads (a value with functions) still say what happened as text
    const text: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(details)) text[k] = v instanceof Error ? v.message : String(v);
    reply({ kind: 'warning', details: text, message });
  }
}

function handle(req: StorageRequest): void {
  try {
    switch (req.type) {
      case 'open': {
        const opened = SessionStore.open({
          ...req.options,
          logger: { warn: (details, message) => warn(details, message) },
        });
        store = opened.store;
        reply({ kind: 'result', id: req.id, view: view(store), recovery: opened.recovery });
        return;
      }
      case 'cycle': {
        const s = need();
        s.acceptSegments(req.finished);
        const report = s.cycle(req.active, req.oldestRead);
        reply({ kind: 'result', id: req.id, view: view(s), report });
        return;
      }
      case 'reconfigure': {
        const s = need();
        s.reconfigure({ segmentCount: req.segmentCount, segmentSize: req.segmentSize, computeCrc: req.computeCrc }, req.oldestRead);
        reply({ kind: 'result', id: req.id, view: view(s) });
        return;
      }
      case 'close': {
        const s = need();
        s.close();
        store = undefined;
        reply({ kind: 'result', id: req.id, view: { epoch: s.epoch, segments: [], held: [], stats: s.stats(), retiredFiles: s.retiredFiles } });
        return;
      }
    }
  } catch (e) {
    const v = store === undefined ? undefined : safeView(store);
    reply({ kind: 'failure', id: req.id, error: errorData(e), ...(v === undefined ? {} : { view: v }) });
  }
}

function safeView(s: SessionStore): StoreView | undefined {
  try {
    return view(s);
  } catch {
    return undefined;
  }
}

function need(): SessionStore {
  if (store === undefined) throw new Error('the storage thread has no open store');
  return store;
}

port.on('message', handle);
