import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeForHash } from "../../src/media/imagehash/decode-for-hash.ts";
import { computeImageHashes, hammingDistanceHex } from "../../src/media/imagehash/image-hashes.ts";
import { resizeLanczos } from "../../src/media/imagehash/pillow-lanczos.ts";
import { haarWavedec2, haarWaverec2 } from "../../src/media/imagehash/haar-wavelet.ts";
import { dct2InPlace, dct2d } from "../../src/media/imagehash/pocketfft-dct.ts";

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

/** SHA-256 of float64 values as little-endian bytes, as numpy's `.astype('<f8').tobytes()`. */
function digest(values: Float64Array): string {
  return createHash("sha256").update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)).digest("hex");
}

function matrix(size: number, f: (i: number, j: number) => number): Float64Array {
  return Float64Array.from({ length: size * size }, (_, n) => f(Math.floor(n / size), n % size));
}

// Digests were made with scipy 1.10.1 (pocketfft) and PyWavelets 1.1.1 on the same formulas:
// they pin every bit, which the fixture photos alone do not (a textbook DCT and a block-sum
// whash also reproduce their hashes).
describe("bit-exact against scipy / PyWavelets", () => {
  test("dct(dct(x, axis=0), axis=1) of a mirror-symmetric 64x64 block, exact zeros included", () => {
    const m = matrix(64, (i, j) => {
      const jj = Math.min(j, 63 - j);
      return (i * 37 + jj * 11 + i * jj) % 256;
    });
    const out = dct2d(m, 64, 64);
    expect(out.filter((v) => v === 0).length).toBe(2048);
    expect(digest(out)).toBe("1d8080d3d88512cf583696ed2dbc79f494a27c7dfe685fa79b1eae8c04771d6b");
  });

  test("dct(dct(x, axis=0), axis=1) of an irregular 64x64 block", () => {
    const m = matrix(64, (i, j) => (i * 131 + j * 197 + ((i * j) % 17) * 29) % 256);
    expect(digest(dct2d(m, 64, 64))).toBe("cdc8b22a1c6332164146cfe47c840eb006819502b778fc8f472b4f258c6fd516");
  });

  const whashLowBand = (m: Float64Array): Float64Array => {
    haarWavedec2(m, 256, 8);
    m[0] = m[0]! * 0;
    haarWaverec2(m, 256, 8);
    haarWavedec2(m, 256, 4);
    return matrix(16, (i, j) => m[i * 256 + j]!);
  };

  test("whash's wavedec2 / waverec2 / wavedec2 chain on a mirror-symmetric image", () => {
    const m = matrix(256, (i, j) => ((i * 7 + Math.min(j, 255 - j) * 3) % 256) / 255);
    expect(digest(whashLowBand(m))).toBe("5f2e1dfa12fedcb00a24a9d5e106c9404df8fffae0927c26c5a19ec7b54f2262");
  });

  test("whash's wavedec2 / waverec2 / wavedec2 chain on flat blocks", () => {
    const m = matrix(256, (i, j) => ((Math.floor(i / 40) + Math.floor(j / 56)) % 2 === 0 ? 60 : 190) / 255);
    expect(digest(whashLowBand(m))).toBe("a5470ab37a815c7831e5ee1c972862243c2cedba3f9e9c2084b48b6b0252ed2f");
  });
});
