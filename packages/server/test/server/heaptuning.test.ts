import { Worker } from 'node:worker_threads';
import t from 'tap';
import { givenToNode, startWorkerWithOldSpace } from '../../src/server/heaptuning.js';

const ECHO = `const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => parentPort.postMessage(m * 2));`;

t.test('the worker is online when it resolves, and answers', async (t) => {
  const w = await startWorkerWithOldSpace(64, () => new Worker(ECHO, { eval: true }));
  try {
    const answer = new Promise((resolve) => w.once('message', resolve));
    w.postMessage(21);
    t.equal(await answer, 42);
  } finally {
    await w.terminate();
  }
});

t.test('a worker that cannot start rejects with its error', async (t) => {
  // a heap too small to start in: the thread fails before it runs any JavaScript
  await t.rejects(
    startWorkerWithOldSpace(64, () => new Worker('1', { eval: true, resourceLimits: { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 } })),
    { code: 'ERR_WORKER_OUT_OF_MEMORY' },
  );
  await t.rejects(
    startWorkerWithOldSpace(64, () => {
      throw new Error('no thread');
    }),
    /no thread/,
  );
});

t.test('a flag given to node is told apart, in either spelling, and nothing else is', async (t) => {
  t.ok(givenToNode('heap-growing-percent', ['--heap-growing-percent=50']));
  t.ok(givenToNode('heap-growing-percent', ['--expose-gc', '--heap_growing_percent=50']));
  t.ok(givenToNode('initial-old-space-size', ['--initial-old-space-size', '64']));
  t.notOk(givenToNode('heap-growing-percent', ['--heap-growing-percentage=50', '--max-old-space-size=4096']));
  t.notOk(givenToNode('initial-old-space-size', []));
});
