import { expect, test } from "bun:test";
import { bitsToHex, hashChunks, hexToBits } from "../../src/media/imagehash/hash-bits.ts";
import { isLowInformation, matchHashes } from "../../src/services/duplicate-rule.ts";

const zero = "0".repeat(64);
const flip = (hex: string, bits: number[]) => {
  const b = hexToBits(hex).split("");
  for (const i of bits) b[i] = b[i] === "1" ? "0" : "1";
  return bitsToHex(b.join(""));
};
const some = "c0099ec9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b";

test("hex ⇄ bits round-trips, most significant bit first", () => {
  expect(hexToBits("8" + "0".repeat(63))).toBe("1" + "0".repeat(255));
  expect(bitsToHex(hexToBits(some))).toBe(some);
});

test("16 chunks of 16 bits; hashes within r differ in at most r chunks", () => {
  const chunks = hashChunks(some);
  expect(chunks).toHaveLength(16);
  expect(chunks[0]).toBe(0xc009);
  const near = flip(some, [0, 17, 200, 201, 255]);
  // Bits 0, 17, 200+201 and 255 sit in chunks 0, 1, 12 and 15: exactly those differ.
  const differing = hashChunks(near).flatMap((c, i) => (c !== chunks[i] ? [i] : []));
  expect(differing).toEqual([0, 1, 12, 15]);
});

test("uniform images are low-information; the rule never matches them", () => {
  const uniform = { phash: `8${"0".repeat(63)}`, ahash: zero, dhash: zero, whash: zero };
  expect(isLowInformation(uniform)).toBe(true);
  const t = { phashMax: 8, cropAhashMax: 10, cropPhashMax: 40, flatAhashMax: 15, flatDhashMax: 24 };
  expect(matchHashes(uniform, uniform, t)).toBeUndefined();
  const art = { phash: some, ahash: some, dhash: some, whash: some };
  expect(isLowInformation(art)).toBe(false);
  expect(matchHashes(art, { ...art, phash: flip(some, [1, 2, 3]) }, t)).toEqual({ hash: "phash", distance: 3, clause: "close" });
  const cropped = { ...art, phash: flip(some, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), ahash: flip(some, [5, 6, 7]) };
  expect(matchHashes(art, cropped, t)).toEqual({ hash: "ahash", distance: 3, clause: "crop" });
  // Flat artwork: phash far, ahash and dhash close.
  const far = flip(some, Array.from({ length: 60 }, (_, i) => i * 4));
  const flat = { ...art, phash: far, ahash: flip(some, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), dhash: flip(some, [9, 10, 11]) };
  expect(matchHashes(art, flat, t)).toEqual({ hash: "ahash", distance: 12, clause: "flat" });
  expect(matchHashes(art, { ...flat, dhash: flip(some, Array.from({ length: 30 }, (_, i) => i * 8)) }, t)).toBeUndefined();
});

test("the hash pool accepts any Buffer, including views of buffers it cannot transfer", async () => {
  const { HashPool } = await import("../../src/media/hash-pool.ts");
  const sharp = (await import("sharp")).default;
  const pool = new HashPool({ threads: 1, maxQueue: 10 });
  try {
    const jpeg = await sharp({ create: { width: 32, height: 32, channels: 3, background: "#48c" } }).jpeg().toBuffer();
    const h = await pool.hash(jpeg.subarray(0)); // a view of sharp's external buffer
    expect(h.legacy.phash).toMatch(/^[0-9a-f]{64}$/);
    expect(h.visible).toBeNull(); // opaque: its visible hashes are the legacy ones
  } finally {
    await pool.close();
  }
});
