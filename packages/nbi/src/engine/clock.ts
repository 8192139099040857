// Time as the detectors see it: the current instant and interruptible waits. The running tools use
// the system clock; the engine's tests drive a clock of their own through the same interface.

export interface Clock {
  /** Milliseconds since the epoch, a whole number. */
  now(): number;
  /** Microseconds since the epoch, for the time stamps of alerts. */
  nowUs(): number;
  /** Waits `ms`; resolves early (without an error) when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  nowUs: () => Math.round((performance.timeOrigin + performance.now()) * 1000),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal.addEventListener('abort', done, { once: true });
    }),
};
