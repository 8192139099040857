// Runs async tasks one after another: users.json writes must not overtake each other, and the password
// attempts of one address must not run in parallel (that would slip past the failure count).

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private count = 0;

  /** Tasks queued or running. */
  get size(): number {
    return this.count;
  }

  /** Runs `task` after every task queued before it has settled; resolves or rejects as `task` does. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.count++;
    const result = this.tail.then(task).finally(() => {
      this.count--;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
