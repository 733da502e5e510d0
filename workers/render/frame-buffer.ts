/**
 * The frame a mockup is composited into, reused from render to render: a fresh 20 MB buffer
 * per mockup stayed allocated until the garbage collector ran, and that was most of the
 * worker's peak. Frames larger than `keepBytes` are allocated per render and not kept.
 */
export class FrameBuffer {
  private buffer: Uint8Array | undefined;
  private lent = false;

  constructor(private readonly keepBytes: number) {}

  /** A frame holding a copy of `background`; hand it back with give() when encoded. */
  take(background: Uint8Array): Uint8Array {
    if (this.lent || background.length > this.keepBytes) return background.slice();
    if (!this.buffer || this.buffer.length < background.length) {
      this.buffer = undefined; // drop the small one before allocating the larger
      this.buffer = new Uint8Array(background.length);
    }
    this.lent = true;
    const frame = this.buffer.subarray(0, background.length);
    frame.set(background);
    return frame;
  }

  /** Bytes of the frame kept between renders. */
  get keptBytes(): number {
    return this.buffer?.length ?? 0;
  }

  /** Lets go of the kept frame (the thread needs the room); one lent out stays its borrower's. */
  drop(): void {
    if (!this.lent) this.buffer = undefined;
  }

  /** Returns a frame from take(); its contents may be overwritten by the next take(). */
  give(frame: Uint8Array): void {
    if (frame.buffer === this.buffer?.buffer) this.lent = false;
  }
}
