/** A least-recently-used cache bounded by the total size of its values (bytes, or any unit). */
export class SizedLru<K, V> {
  private readonly map = new Map<K, { value: V; size: number }>();
  private total = 0;

  /**
   * `onDrop` hears every value the cache lets go of (evicted, replaced, deleted, cleared) with
   * its size: buffers outside the JS heap become garbage then, and the owner may want to
   * collect them (MemoryReclaimer) rather than let them pile up until the collector runs.
   */
  constructor(
    private readonly maxSize: number,
    private readonly onDrop?: (value: V, size: number) => void,
  ) {}

  /** The value, marked as recently used. */
  get(key: K): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  /** Whether the key is held, without marking it used. */
  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Stores a value, evicting the least recently used until it fits; one too big is not kept. */
  set(key: K, value: V, size: number): void {
    this.delete(key);
    if (size > this.maxSize) return;
    while (this.total + size > this.maxSize) {
      this.delete(this.map.keys().next().value as K); // the oldest: something is held while total > 0
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
    this.onDrop?.(old.value, old.size);
  }

  /** Forgets every key for which `test` is true. */
  deleteWhere(test: (key: K) => boolean): void {
    for (const key of [...this.map.keys()]) if (test(key)) this.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    const dropped = [...this.map.values()];
    this.map.clear();
    this.total = 0;
    for (const d of dropped) this.onDrop?.(d.value, d.size);
  }

  /** Total size held. */
  get size(): number {
    return this.total;
  }
}
