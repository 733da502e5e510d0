import { expect, test } from "bun:test";
import sharp from "sharp";
import { jpegOrientation } from "../../src/web/client/exif-orientation.ts";

test("a JPEG's EXIF orientation is read from its first IFD; none is 1", async () => {
  const plain = await sharp({ create: { width: 30, height: 20, channels: 3, background: "#808080" } }).jpeg().toBuffer();
  expect(jpegOrientation(new Uint8Array(plain))).toBe(1);
  for (const o of [3, 6, 8]) {
    const tagged = await sharp(plain).withMetadata({ orientation: o }).jpeg().toBuffer();
    expect(jpegOrientation(new Uint8Array(tagged))).toBe(o);
  }
  expect(jpegOrientation(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBe(1);
});
