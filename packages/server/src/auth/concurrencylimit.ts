// Caps how many async tasks of one kind run at once; the others wait in order. Password hashing uses it
// so that a flood of logins cannot take every thread of libuv's pool away from file I/O.

export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // hand the slot straight to the next task, so that `running` never dips and lets a newcomer jump the queue
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.running--;
    }
  }
}
