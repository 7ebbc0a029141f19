/** Remembers computed answers by key, up to `limit` entries (then starts afresh): for pure, repeated questions. */
export class BoundedMemo<V> {
  private readonly answers = new Map<string, V>();
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  get(key: string, compute: () => V): V {
    const known = this.answers.get(key);
    if (known !== undefined) return known;
    const value = compute();
    if (this.answers.size >= this.limit) this.answers.clear();
    this.answers.set(key, value);
    return value;
  }
}

/** The same for questions about a pair of keys, without building a combined key string per question. */
export class BoundedPairMemo<V> {
  private readonly answers = new Map<string, Map<string, V>>();
  private readonly limit: number;
  private size = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  get(a: string, b: string, compute: () => V): V {
    let row = this.answers.get(a);
    const known = row?.get(b);
    if (known !== undefined) return known;
    const value = compute();
    if (this.size >= this.limit) {
      this.answers.clear();
      this.size = 0;
      row = undefined;
    }
    if (!row) this.answers.set(a, (row = new Map()));
    row.set(b, value);
    this.size++;
    return value;
  }
}
