// The error that unwinds a detector once it has been asked to stop (SIGTERM, SIGINT, stdout
// closed): not a failure, so the tool ends with exit code 0 after saying where it stopped.

export class Stopped extends Error {
  override readonly name = 'Stopped';
  readonly code = 'STOPPED';

  constructor(readonly reason: string) {
    super(`stopped: ${reason}`);
  }
}

/** Why `signal` was aborted, as the last line on stderr names it (`SIGTERM`). */
export function stopReason(signal: AbortSignal): string {
  return String(signal.reason ?? 'asked to stop');
}
