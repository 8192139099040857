// `querythreads`: at most that many queries run at once, the rest wait in a bounded FIFO queue; a
// full queue refuses at once (the API answers 503) rather than letting waiting requests pile up.

export class QueryQueueFullError extends Error {
  readonly code = 'QUEUE_FULL';
  constructor(limit: number) {
    super(`the server is busy: ${limit} queries are already waiting; try again shortly`);
    this.name = 'QueryQueueFullError';
  }
}

export class QueryQueue {
  running = 0;
  rejected = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private slots: number,
    private readonly maxWaiting = 256,
  ) {}

  get queued(): number {
    return this.waiting.length;
  }

  /** Apply a reloaded querythreads: more slots start waiting queries at once; fewer take effect as queries end. */
  resize(slots: number): void {
    this.slots = slots;
    while (this.running < this.slots && this.waiting.length > 0) {
      this.running++;
      this.waiting.shift()!();
    }
  }

  /** Wait for a slot; the returned function gives it back (call it exactly once). */
  async acquire(): Promise<() => void> {
    if (this.running < this.slots) {
      this.running++;
    } else {
      if (this.waiting.length >= this.maxWaiting) {
        this.rejected++;
        throw new QueryQueueFullError(this.maxWaiting);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next !== undefined && this.running <= this.slots) next();
      else this.running--;
    };
  }
}
