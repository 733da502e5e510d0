/** A least-recently-used cache bounded by the total size of its values (bytes, or any unit). */
export class SizedLru<K, V> {
  private readonly map = new Map<K, { value: V; size: number }>();
  private total = 0;

  constructor(private readonly maxSize: number) {}

  /** The value, marked as recently used. */
  get(key: K): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  /** Stores a value, evicting the least recently used until it fits; one too big is not kept. */
  set(key: K, value: V, size: number): void {
    const old = this.map.get(key);
    if (old) {
      this.total -= old.size;
      this.map.delete(key);
    }
    if (size > this.maxSize) return;
    while (this.total + size > this.maxSize) {
      const [oldestKey, oldest] = this.map.entries().next().value as [K, { size: number }];
      this.total -= oldest.size;
      this.map.delete(oldestKey);
    }
    this.map.set(key, { value, size });
    this.total += size;
  }

  /** Forgets a key. */
  delete(key: K): void {
    const old = this.map.get(key);
    if (!old) return;
    this.total -= old.size;
    this.map.delete(key);
  }

  /** Forgets every key `drop` picks. */
  deleteWhere(drop: (key: K) => boolean): void {
    for (const key of [...this.map.keys()]) if (drop(key)) this.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.map.clear();
    this.total = 0;
  }

  /** Total size held. */
  get size(): number {
    return this.total;
  }
}
