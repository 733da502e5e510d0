import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeForHash } from "../../src/media/imagehash/decode-for-hash.ts";
import { computeImageHashes, hammingDistanceHex } from "../../src/media/imagehash/image-hashes.ts";
import { resizeLanczos } from "../../src/media/imagehash/pillow-lanczos.ts";
import { dct2InPlace } from "../../src/media/imagehash/pocketfft-dct.ts";

const fixtures = join(import.meta.dir, "..", "fixtures");

interface ReferenceLine {
  file: string;
  phash: string;
  ahash: string;
  dhash: string;
  whash: string;
}

const reference: ReferenceLine[] = readFileSync(join(fixtures, "imagehash-reference.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as ReferenceLine);

describe("ImageHash 4.3 reference (hash_size 16, Pillow 9.4)", () => {
  test("the reference file has entries", () => {
    expect(reference.length).toBeGreaterThan(0);
  });

  test.each(reference.map((r) => [r.file, r] as const))("%s", async (_file, ref) => {
    const { rgb, width, height } = await decodeForHash(readFileSync(join(fixtures, ref.file)));
    const got = computeImageHashes(rgb, width, height);
    expect(got).toEqual({ phash: ref.phash, ahash: ref.ahash, dhash: ref.dhash, whash: ref.whash });
  });
});

describe("computeImageHashes", () => {
  test("a uniform image has phash 8000…0 and all-zero ahash, dhash, whash", () => {
    const w = 300;
    const h = 200;
    const rgb = new Uint8Array(w * h * 3).fill(137);
    const got = computeImageHashes(rgb, w, h);
    const zeros = "0".repeat(64);
    expect(got).toEqual({ phash: `8${"0".repeat(63)}`, ahash: zeros, dhash: zeros, whash: zeros });
  });

  test("hammingDistanceHex counts differing bits", () => {
    expect(hammingDistanceHex("00ff", "00ff")).toBe(0);
    expect(hammingDistanceHex("00ff", "01fe")).toBe(2);
    expect(hammingDistanceHex("f0", "0f")).toBe(8);
    expect(() => hammingDistanceHex("0", "00")).toThrow();
  });
});

describe("dct2InPlace", () => {
  test("matches a direct cosine sum (scipy.fftpack DCT-II, unnormalised)", () => {
    for (const n of [2, 4, 8, 16, 32, 64, 128]) {
      const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) * 100 + ((i * 37) % 11));
      const expected = Array.from({ length: n }, (_, k) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += x[i]! * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * n));
        return 2 * s;
      });
      const y = Float64Array.from(x);
      dct2InPlace(y);
      for (let k = 0; k < n; k++) expect(Math.abs(y[k]! - expected[k]!)).toBeLessThan(1e-9);
    }
  });

  test("gives exact zeros for a constant vector, as pocketfft does", () => {
    const y = new Float64Array(64).fill(42);
    dct2InPlace(y);
    expect(y[0]).toBe(2 * 64 * 42);
    for (let k = 1; k < 64; k++) expect(y[k]).toBe(0);
  });
});

describe("resizeLanczos", () => {
  test("resizing to the same size is a copy", () => {
    const src = Uint8Array.from({ length: 7 * 5 * 3 }, (_, i) => (i * 97) % 256);
    const out = resizeLanczos(src, 7, 5, 3, 7, 5);
    expect(out).toEqual(src);
    expect(out).not.toBe(src);
  });

  test("a uniform image stays uniform when scaled down and up", () => {
    const src = new Uint8Array(40 * 30).fill(200);
    expect(resizeLanczos(src, 40, 30, 1, 13, 7).every((v) => v === 200)).toBe(true);
    expect(resizeLanczos(src, 40, 30, 1, 90, 31).every((v) => v === 200)).toBe(true);
  });
});
