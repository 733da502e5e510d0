import { expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZipStreamWriter } from "../../src/util/zip-stream-writer.ts";

test("a streamed store-only ZIP that unzip and Python read back byte for byte", async () => {
  const z = new ZipStreamWriter();
  const files = [
    { name: "storm/poster-straight.jpg", chunks: [new Uint8Array(70_000).fill(7), new Uint8Array(5).fill(9)] },
    { name: "élan/ünïcode.png", chunks: [new TextEncoder().encode("hello"), new TextEncoder().encode(" world")] },
    { name: "empty.txt", chunks: [] },
  ];
  const out: Uint8Array[] = [];
  for (const f of files) {
    out.push(z.begin(f.name, new Date("2026-03-05T10:20:30Z")));
    for (const c of f.chunks) out.push(z.data(c));
    out.push(z.end());
  }
  out.push(z.finish());
  const dir = mkdtempSync(join(tmpdir(), "atelier-zip-"));
  const path = join(dir, "a.zip");
  writeFileSync(path, Buffer.concat(out));
  const test = Bun.spawnSync(["unzip", "-t", path]);
  expect(test.stdout.toString()).toContain("No errors detected");
  const py = Bun.spawnSync(["python3", "-c", `
import zipfile, sys, json
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps([[i.filename, i.file_size, i.compress_type, len(z.read(i))] for i in z.infolist()] + [z.read("élan/ünïcode.png").decode()]))
`, path]);
  expect(JSON.parse(py.stdout.toString())).toEqual([
    ["storm/poster-straight.jpg", 70_005, 0, 70_005],
    ["élan/ünïcode.png", 11, 0, 11],
    ["empty.txt", 0, 0, 0],
    "hello world",
  ]);
});
