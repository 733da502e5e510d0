/**
 * Pixel and PNG buffers from sharp live outside the JS heap and are freed only when the
 * garbage collector finalises them; with a small JS heap it rarely runs, and a server
 * handling big uploads would hold hundreds of MB of dead buffers (measured: peak RSS for
 * five 10-photo uploads fell from about 850 MB to about 500 MB). Counting the bytes we drop
 * and collecting after every `thresholdBytes` keeps RSS near what is really in use.
 */
export class MemoryReclaimer {
  private dropped = 0;

  constructor(private readonly thresholdBytes: number) {}

  /** Note that `bytes` of buffers just became garbage; collects once enough has. */
  release(bytes: number): void {
    this.dropped += bytes;
    if (this.dropped < this.thresholdBytes) return;
    this.dropped = 0;
    Bun.gc(true);
  }
}
