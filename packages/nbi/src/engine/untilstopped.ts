// Waiting for work that cannot be cancelled from here (a login shared by several callers, a request on a
// connection that is cut only later) without making a stopping detector wait for it too.

import { Stopped, stopReason } from './stopped.js';

/**
 * `work`'s result, or Stopped as soon as `signal` aborts. Work given up on may still fail later: its
 * failure is then nobody's concern, and is kept from becoming an unhandled rejection.
 */
export function untilStopped<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new Stopped(stopReason(signal)));
  }
  let onAbort = (): void => undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => {
      work.catch(() => undefined);
      reject(new Stopped(stopReason(signal)));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, stopped]).finally(() => signal.removeEventListener('abort', onAbort));
}
