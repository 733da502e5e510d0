import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { computeHashSet } from "../../src/media/imagehash/hash-set.ts";
import { hammingDistanceHex } from "../../src/media/imagehash/image-hashes.ts";
import { hashFields, type HashedFile } from "../../src/services/duplicate-finder.ts";
import { matchHashes } from "../../src/services/duplicate-rule.ts";

const FIXTURES = join(import.meta.dir, "..", "fixtures");
const TRANSPARENT = join(FIXTURES, "transparent");
const thresholds = loadConfig({}).duplicateThresholds;

const reference = readFileSync(join(FIXTURES, "imagehash-reference.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l) as { file: string; phash: string; ahash: string; dhash: string; whash: string });

type Hashed = Omit<HashedFile, "sourceSha256"> & { design: string };

async function hashDir(dir: string, designOf: (f: string) => string): Promise<Hashed[]> {
  const out: Hashed[] = [];
  for (const f of readdirSync(dir).filter((n) => /\.(png|webp|jpe?g)$/.test(n)).sort()) {
    const { hashes } = await computeHashSet(readFileSync(join(dir, f)));
    out.push({ filename: f, design: designOf(f), ...hashFields(hashes) });
  }
  return out;
}

const transparent = await hashDir(TRANSPARENT, (f) => f.split("--")[0]!);
const garden = await hashDir(join(FIXTURES, "duplicates"), (f) => (f.includes("NOT-dup") ? f : "garden"));
const artwork = await hashDir(join(FIXTURES, "artwork"), (f) => f);
const everything = [...transparent, ...garden, ...artwork];

function pairs(list: Hashed[]) {
  const out: Array<{ a: Hashed; b: Hashed; same: boolean }> = [];
  for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) out.push({ a: list[i]!, b: list[j]!, same: list[i]!.design === list[j]!.design });
  return out;
}
const visibleMatch = (a: Hashed, b: Hashed) => !a.visibleLowInformation && !b.visibleLowInformation && matchHashes(a.visible, b.visible, thresholds);
const describe2 = (p: { a: Hashed; b: Hashed }) => {
  const d = (k: "phash" | "ahash" | "dhash") => hammingDistanceHex(p.a.visible[k], p.b.visible[k]);
  return `${p.a.filename} ~ ${p.b.filename}: phash ${d("phash")}, ahash ${d("ahash")}, dhash ${d("dhash")}`;
};

describe("legacy hashes stay ImageHash's", () => {
  test.each(reference.map((r) => [r.file, r] as const))("%s: one decode gives the reference hashes", async (_f, ref) => {
    const { hashes } = await computeHashSet(readFileSync(join(FIXTURES, ref.file)));
    expect(hashes.legacy).toEqual({ phash: ref.phash, ahash: ref.ahash, dhash: ref.dhash, whash: ref.whash });
  });

  test("opaque images have no visible hashes of their own (they are the legacy ones)", () => {
    for (const f of [...garden, ...artwork].filter((h) => !h.filename.includes("transparent"))) expect(f.visible).toBe(f.hashes);
    expect(artwork.find((h) => h.filename === "flower-transparent-3000.png")!.visible).not.toBe(artwork[0]!.hashes);
  });
});

describe("visible-image hashes of the transparent set", () => {
  test("the set has 13 designs of 5 files each", () => {
    expect(new Set(transparent.map((t) => t.design)).size).toBe(13);
    expect(transparent).toHaveLength(65);
  });

  test("every re-export (other hidden colour, half size, WebP, wider canvas) matches its original", () => {
    const missed = pairs(transparent).filter((p) => p.same && !visibleMatch(p.a, p.b));
    expect(missed.map(describe2)).toEqual([]);
  });

  test("no two different designs match, among themselves or with the photos; the NOT-dup mirror stays apart", () => {
    const wrong = pairs(everything).filter((p) => !p.same && visibleMatch(p.a, p.b));
    expect(wrong.map(describe2)).toEqual([]);
  });

  test("black and white versions of one slogan are different designs (grey keeps both visible)", () => {
    const black = transparent.find((t) => t.filename === "slogan-black--original.png")!;
    const white = transparent.find((t) => t.filename === "slogan-white--original.png")!;
    expect(hammingDistanceHex(black.visible.phash, white.visible.phash)).toBeGreaterThan(100);
  });

  test("thin lines of text are informative: each matches its own re-exports and no other thin design", () => {
    const thin = transparent.filter((t) => t.design.startsWith("thin-"));
    expect(thin.filter((t) => t.visibleLowInformation)).toEqual([]);
    for (const p of pairs(thin)) expect(Boolean(visibleMatch(p.a, p.b))).toBe(p.same);
  });

  test("the legacy hashes, judged by hidden colour, miss most re-exports (why visible hashes exist)", () => {
    const same = pairs(transparent).filter((p) => p.same);
    const legacyMissed = same.filter((p) => p.a.lowInformation || p.b.lowInformation || !matchHashes(p.a.hashes, p.b.hashes, thresholds));
    expect(legacyMissed.length).toBeGreaterThan(same.length / 2);
  });
});
