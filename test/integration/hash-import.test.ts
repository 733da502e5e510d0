import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { computeHashSet } from "../../src/media/imagehash/hash-set.ts";
import { hammingDistanceHex } from "../../src/media/imagehash/image-hashes.ts";
import { importHashes } from "../../src/services/hash-import.service.ts";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import { runCli } from "../support/server-process.ts";
import { FIXTURES, fixture, makeTestApp } from "../support/test-app.ts";

type Ref = { file: string; phash: string; ahash: string; dhash: string; whash: string };
const reference: Ref[] = readFileSync(join(FIXTURES, "imagehash-reference.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as Ref);
const ref = (file: string) => reference.find((r) => r.file === file)!;

test("imported history counts as duplicates at once; bad lines are skipped; re-import adds nothing", async () => {
  const t = await makeTestApp();
  const g = ref("duplicates/garden-original.jpg");
  const csv = [
    "filename,path,phash,ahash,dhash,whash",
    `garden.jpg,/share/Graphics/old/garden.jpg,${g.phash},${g.ahash},${g.dhash},${g.whash}`,
    `broken.jpg,/x/broken.jpg,nothex,${g.ahash},${g.dhash},${g.whash}`,
    `"quoted, name.jpg",/x/q.jpg,${ref("artwork/storm-1920.jpg").phash},${ref("artwork/storm-1920.jpg").ahash},${ref("artwork/storm-1920.jpg").dhash},${ref("artwork/storm-1920.jpg").whash}`,
  ].join("\n");
  const report = await importHashes(t.sql, t.shop.name, csv);
  expect(report).toEqual({ imported: 2, skipped: [{ line: 3, reason: "phash is not 64 hex digits" }] });
  expect((await importHashes(t.sql, t.shop.name, csv)).imported).toBe(0);

  const res = await t.upload([["garden-half.jpg", fixture("duplicates/garden-half-size.jpg")]], { kind: "digital" });
  const body = (await res.json()) as UploadResult;
  expect(body.created).toEqual([]);
  expect(body.duplicates[0]).toMatchObject({ filename: "garden-half.jpg", duplicateOf: { filename: "garden.jpg" } });
});

test("`cli hash` prints one JSON line per file, matching the reference, and errors per file", async () => {
  const files = ["artwork/storm-1920.jpg", "duplicates/garden-original.jpg", "bad/zero-bytes.jpg", "bad/not-an-image.png", "nope.jpg"];
  const r = await runCli(["hash", ...files.map((f) => join(FIXTURES, f))], {});
  expect(r.code).toBe(1); // some files failed
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  expect(lines).toHaveLength(5);
  for (const i of [0, 1]) {
    const { file, ...hashes } = ref(files[i]!);
    // Opaque: the visible image is the image, so its hashes are the same four.
    expect(lines[i]).toEqual({ file: join(FIXTURES, file), ...hashes, visible: { ...hashes, transparent: false } });
  }
  expect(lines[2].error.code).toBe("empty_file");
  expect(lines[3].error.code).toBe("unsupported_format");
  expect(lines[4].error.code).toBe("not_found");
});

test("`cli hash` labels the visible hashes of a transparent design: the same whatever colour hides under its transparency", async () => {
  const files = ["transparent/badge--original.png", "transparent/badge--white-under.png"];
  const r = await runCli(["hash", ...files.map((f) => join(FIXTURES, f))], {});
  expect(r.code).toBe(0);
  const [original, white] = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  for (const [line, file] of [[original, files[0]!], [white, files[1]!]] as const) {
    const { hashes } = await computeHashSet(fixture(file));
    expect(line).toEqual({ file: join(FIXTURES, file), ...hashes.legacy, visible: { ...hashes.visible!, transparent: true } });
  }
  // The legacy hashes see the hidden colour; the visible ones do not.
  expect(original.phash).not.toBe(white.phash);
  expect(hammingDistanceHex(original.visible.phash, white.visible.phash)).toBeLessThanOrEqual(8);
});

test("`cli import-hashes` imports into a shop on the embedded database", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "atelier-import-"));
  const env = { DATA_DIR: dataDir };
  expect((await runCli(["user", "add", "--shop", "Old Shop"], env)).code).toBe(0);
  const g = ref("duplicates/garden-original.jpg");
  const csv = join(dataDir, "old.csv");
  writeFileSync(csv, `garden.jpg,/old/garden.jpg,${g.phash},${g.ahash},${g.dhash},${g.whash}\n`);
  // The only shop: --shop may be left out, as in the old system's one-shop setup.
  const r = await runCli(["import-hashes", csv], env);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({ imported: 1, skipped: 0 });
  const missing = await runCli(["import-hashes", "--shop", "Nobody", csv], env);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain("not found");
});
