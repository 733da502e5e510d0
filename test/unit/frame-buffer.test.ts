import { expect, test } from "bun:test";
import { FrameBuffer } from "../../workers/render/frame-buffer.ts";

test("a frame is a copy of the background, and its memory is reused once given back", () => {
  const frames = new FrameBuffer(1024);
  const bg = new Uint8Array([1, 2, 3, 4, 5, 6]);
  const a = frames.take(bg);
  expect([...a]).toEqual([...bg]);
  a[0] = 99;
  expect(bg[0]).toBe(1); // the cached background is never written
  frames.give(a);
  const b = frames.take(new Uint8Array([7, 8, 9]));
  expect(b.buffer).toBe(a.buffer);
  expect([...b]).toEqual([7, 8, 9]);
});

test("a frame taken while another is out, or one too big to keep, is a fresh buffer", () => {
  const frames = new FrameBuffer(8);
  const a = frames.take(new Uint8Array(6));
  const b = frames.take(new Uint8Array(6));
  expect(b.buffer).not.toBe(a.buffer);
  frames.give(b); // not the kept buffer: changes nothing
  const big = frames.take(new Uint8Array(16));
  expect(big.buffer).not.toBe(a.buffer);
  frames.give(a);
  expect(frames.take(new Uint8Array(4)).buffer).toBe(a.buffer);
});
