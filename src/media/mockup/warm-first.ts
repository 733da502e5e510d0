/** Templates remembered at most (keys only, a few bytes each). */
const MAX_REMEMBERED = 1024;

/**
 * Which templates the render thread used last, so a request can render the warm ones first.
 * The thread's layer cache is an LRU: a request that goes through more templates than it holds,
 * in the same order as the one before it, misses every one (the one it needs next is always the
 * one just evicted: measured 200 decodes in a 200-mockup batch over ten templates). Rendering the
 * most recently used first turns repeated sets into back-and-forth passes, and then the cache
 * keeps as many templates as fit and only the rest are decoded again.
 */
export class WarmFirst {
  private readonly last = new Map<string, number>();
  private clock = 0;

  /** Notes that `key`'s template is being rendered now. */
  touch(key: string): void {
    this.last.delete(key);
    this.last.set(key, ++this.clock);
    if (this.last.size > MAX_REMEMBERED) this.last.delete(this.last.keys().next().value!);
  }

  /** Indexes of `keys`, the most recently rendered first, then the others in their order. */
  order(keys: readonly string[]): number[] {
    const seen = (i: number) => this.last.get(keys[i]!) ?? 0;
    return keys.map((_, i) => i).sort((a, b) => seen(b) - seen(a) || a - b);
  }
}

/** The key a template's layers are cached under in the render thread (template-layers.ts). */
export const templateCacheKey = (dir: string, m: { id: string; width: number; height: number }): string => `${dir}\u0000${m.id}\u0000${m.width}x${m.height}`;
