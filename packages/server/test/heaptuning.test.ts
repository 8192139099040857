import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import t from 'tap';
import { givenToNode, startWorkerWithOldSpace } from '../src/heaptuning.js';

const ECHO = `const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => parentPort.postMessage(m * 2));`;

/** Record the flags set while `fn` runs (they are still applied). */
async function flagsDuring<T>(fn: (seen: string[]) => Promise<T>): Promise<{ result: T | Error; seen: string[] }> {
  const seen: string[] = [];
  const original = v8.setFlagsFromString;
  v8.setFlagsFromString = (flags: string) => {
    seen.push(flags);
    original(flags);
  };
  try {
    return { result: await fn(seen).catch((e: Error) => e), seen };
  } finally {
    v8.setFlagsFromString = original;
  }
}

t.test('the flag is set before the worker starts and put back once it is online; the worker answers', async (t) => {
  let atStart: string[] = [];
  const { result, seen } = await flagsDuring((seen) =>
    startWorkerWithOldSpace(64, () => {
      atStart = [...seen];
      return new Worker(ECHO, { eval: true });
    }),
  );
  t.same(atStart, ['--initial-old-space-size=64'], 'set when the worker is made');
  t.same(seen, ['--initial-old-space-size=64', '--initial-old-space-size=0'], 'and put back');
  const w = result as Worker;
  try {
    const answer = new Promise((resolve) => w.once('message', resolve));
    w.postMessage(21);
    t.equal(await answer, 42);
  } finally {
    await w.terminate();
  }
});

t.test('a worker that cannot start rejects with its error, and the flag is put back', async (t) => {
  // a heap too small to start in: the thread fails before it runs any JavaScript
  const failed = await flagsDuring(() => startWorkerWithOldSpace(64, () => new Worker('1', { eval: true, resourceLimits: { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 } })));
  t.match(failed.result, { code: 'ERR_WORKER_OUT_OF_MEMORY' });
  t.same(failed.seen, ['--initial-old-space-size=64', '--initial-old-space-size=0']);
  const thrown = await flagsDuring(() =>
    startWorkerWithOldSpace(64, () => {
      throw new Error('no thread');
    }),
  );
  t.match(thrown.result, /no thread/);
  t.same(thrown.seen, ['--initial-old-space-size=64', '--initial-old-space-size=0']);
});

t.test('two starts at once run one after the other', async (t) => {
  const { result, seen } = await flagsDuring(() =>
    Promise.all([startWorkerWithOldSpace(32, () => new Worker(ECHO, { eval: true })), startWorkerWithOldSpace(48, () => new Worker(ECHO, { eval: true }))]),
  );
  t.same(seen, ['--initial-old-space-size=32', '--initial-old-space-size=0', '--initial-old-space-size=48', '--initial-old-space-size=0']);
  for (const w of result as Worker[]) await w.terminate();
});

t.test('a flag given to node is told apart, in either spelling, and nothing else is', async (t) => {
  t.ok(givenToNode('heap-growing-percent', ['--heap-growing-percent=50']));
  t.ok(givenToNode('heap-growing-percent', ['--expose-gc', '--heap_growing_percent=50']));
  t.ok(givenToNode('initial-old-space-size', ['--initial_old_space_size=64']));
  t.ok(givenToNode('initial-old-space-size', ['--initial-old-space-size']));
  t.notOk(givenToNode('heap-growing-percent', ['--heap-growing-percentage=50', '--max-old-space-size=4096']));
  t.notOk(givenToNode('initial-old-space-size', []));
});
