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
