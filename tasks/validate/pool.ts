/** A limit on how many tool processes run at once (the machine has few cores). */
export class Pool {
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    if (size < 1) throw new Error(`a pool needs at least one slot, found ${size}`);
  }

  /** Runs `fn` when a slot is free; resolves with its result. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#running >= this.size) {
      // The finishing task hands its slot over directly, so no newcomer can slip in between.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }

  /** Maps every item through `fn`, at most `size` at a time, keeping the order. */
  map<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
    return Promise.all(items.map((item, i) => this.run(() => fn(item, i))));
  }
}
