// Noticing that stdout can take no more alerts — its reader went away (`ftdos | head -1`) or writing
// fails — when it happens, not at the next alert, which may be hours away: the detector then stops at once.

/** Why stdout ended, as the detector's last line on stderr says it. */
function endReason(e: NodeJS.ErrnoException | undefined): string {
  if (e === undefined || e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return 'stdout was closed by its reader';
  return 'stdout cannot be written';
}

/**
 * Calls `onEnd` once, with the reason, when `stream` fails or closes (the error of a write that had
 * seemed to succeed comes later, as an event). Returns the function that stops watching.
 */
export function watchStdout(stream: NodeJS.WritableStream, onEnd: (reason: string) => void): () => void {
  let ended = false;
  const end = (e?: NodeJS.ErrnoException): void => {
    if (ended) return;
    ended = true;
    onEnd(endReason(e));
  };
  const onError = (e: NodeJS.ErrnoException): void => end(e);
  const onClose = (): void => end();
  stream.on('error', onError);
  stream.on('close', onClose);
  return () => {
    stream.off('error', onError);
    stream.off('close', onClose);
  };
}
