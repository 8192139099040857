// V8 heap settings for ftserver's receiving and storage threads (measured: bench/RESULTS.md, ftserver,
// "Garbage collection and the hot store").
//
// Both threads keep little on the JavaScript heap — sessions live in typed arrays, 10 to 15 MB of
// objects remain — while allocating fast (a Buffer a datagram, column batches). V8 sets the next full
// collection's limit from that small live size; the room left is then less than the young generation
// could promote at once, so V8 starts incremental marking after nearly every scavenge: at 500,000
// NetFlow v9 flows/s, 4 to 5 full (mark-compact) collections a second on each thread, whose marking
// kept V8's four helper threads at 24 % of a core. With the settings below: about half a collection
// a second per thread, the helpers at 6 %, the whole collector 151 % → 124 % of a core.
import v8 from 'node:v8';
import type { Worker } from 'node:worker_threads';

/**
 * The old generation may grow to twice its live size before the next full collection (V8 picks a
 * factor between 1.1 and 4 by itself, from how fast it collects against how fast the program
 * allocates). The flag is process-wide: it applies to every thread's heap, query workers included,
 * from their next collection on.
 */
export const HEAP_GROWING_PERCENT = 100;

/**
 * The storage thread's old generation (MB) below which V8 runs no full collection: its JavaScript
 * heap may hold up to this much garbage.
 */
export const STORAGE_INITIAL_OLD_SPACE_MB = 128;

/**
 * The V8 flag was given on node's command line (`node --heap-growing-percent=50 bin/ftserver`): that
 * choice stands. (NODE_OPTIONS cannot carry these flags: node refuses them there.)
 */
export function givenToNode(flag: string, execArgv: readonly string[] = process.execArgv): boolean {
  const names = [flag, flag.replaceAll('-', '_')];
  return execArgv.some((arg) => names.some((n) => arg === `--${n}` || arg.startsWith(`--${n}=`)));
}

/**
 * Set the process-wide growing factor (HEAP_GROWING_PERCENT), unless node was started with its own
 * --heap-growing-percent. Call once, before the traffic. Returns the settings in effect, for the log.
 */
export function tuneServerHeap(): { heapGrowingPercent: number | 'as given to node'; storageOldSpaceMb: number | 'as given to node' } {
  const storageOldSpaceMb = givenToNode('initial-old-space-size') ? 'as given to node' : STORAGE_INITIAL_OLD_SPACE_MB;
  if (givenToNode('heap-growing-percent')) return { heapGrowingPercent: 'as given to node', storageOldSpaceMb };
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return { heapGrowingPercent: HEAP_GROWING_PERCENT, storageOldSpaceMb };
}

/** The start under way: one at a time, so that no start resets the flag while another's isolate is made. */
let starting: Promise<unknown> = Promise.resolve();

/**
 * Start a worker whose heap begins with an old generation of `mb` megabytes. The flag is read when
 * the worker's isolate is made, on its own thread, so it stays set until the worker is online and is
 * then put back: workers started later get V8's default. The flag is process-wide meanwhile (for
 * the tens of milliseconds a thread takes to start): a worker another part of the process starts
 * in that window gets it too; two calls of this function run one after the other. When node was
 * started with its own --initial-old-space-size, that applies to every thread and is left alone.
 * Rejects with the thread's error when it fails or exits before it is online.
 */
export function startWorkerWithOldSpace(mb: number, start: () => Worker): Promise<Worker> {
  const run = async (): Promise<Worker> => {
    if (givenToNode('initial-old-space-size')) return online(start());
    v8.setFlagsFromString(`--initial-old-space-size=${mb}`);
    try {
      return await online(start());
    } finally {
      v8.setFlagsFromString('--initial-old-space-size=0');
    }
  };
  const next = starting.then(run, run);
  starting = next.catch(() => undefined);
  return next;
}

/** `w` once it is online; rejects (and ends it) when it fails or exits first. */
async function online(w: Worker): Promise<Worker> {
  const failure = await new Promise<Error | undefined>((resolve) => {
    const finish = (e: Error | undefined): void => {
      w.off('online', isOnline);
      w.off('error', error);
      w.off('exit', exit);
      resolve(e);
    };
    const isOnline = (): void => finish(undefined);
    const error = (e: Error): void => finish(e);
    const exit = (code: number): void => finish(new Error(`the thread exited (code ${code}) before it was online`));
    w.on('online', isOnline);
    w.on('error', error);
    w.on('exit', exit);
  });
  if (failure !== undefined) {
    await w.terminate();
    throw failure;
  }
  return w;
}
