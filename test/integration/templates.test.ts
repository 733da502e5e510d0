import { expect, test } from "bun:test";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { FIXTURES, makeTestApp } from "../support/test-app.ts";

type Summary = { id: string; name: string; width: number; height: number; previewUrl: string; placements: Array<{ id: string; masked: boolean; blend: string }> };

test("the built-in templates are listed, one by one, with previews", async () => {
  const t = await makeTestApp();
  const res = await t.request("/api/templates");
  expect(res.status).toBe(200);
  const { items } = (await res.json()) as { items: Summary[] };
  expect(items.map((i) => i.id).sort()).toEqual(["canvas-wood-occluded", "gallery-wall-2up", "living-room-angled", "mug-cylinder", "poster-straight", "tote-canvas", "tshirt-folds"]);
  const canvas = items.find((i) => i.id === "canvas-wood-occluded")!;
  expect(canvas.placements[0]).toMatchObject({ id: "p1", blend: "multiply", masked: true });

  const one = await t.request("/api/templates/gallery-wall-2up");
  expect(((await one.json()) as Summary).placements).toHaveLength(2);

  const preview = await t.request(canvas.previewUrl);
  expect(preview.status).toBe(200);
  expect(preview.headers.get("content-type")).toBe("image/jpeg");
  const meta = await sharp(new Uint8Array(await preview.arrayBuffer())).metadata();
  expect(meta).toMatchObject({ format: "jpeg", width: 480, height: 360 });

  expect((await t.request("/api/templates/nope")).status).toBe(404);
  expect((await t.request("/api/templates/nope/preview")).status).toBe(404);
  expect((await t.app.request("/api/templates")).status).toBe(401);
});

test("a broken template folder is skipped with every problem logged; the others load", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atelier-templates-"));
  cpSync(join(FIXTURES, "templates", "poster-straight"), join(dir, "poster-straight"), { recursive: true });
  cpSync(join(FIXTURES, "templates", "poster-straight"), join(dir, "broken"), { recursive: true });
  writeFileSync(
    join(dir, "broken", "template.json"),
    JSON.stringify({ id: "broken", name: "Broken", room: "x", background: "background.jpg", width: 100, height: 100, placements: [{ id: "p1", corners: [[0, 0], [10, 0], [10, 10], [0, 10]], mask: "missing.png" }] }),
  );
  const t = await makeTestApp({ env: { TEMPLATES_DIR: dir } });
  const { items } = (await (await t.request("/api/templates")).json()) as { items: Summary[] };
  expect(items.map((i) => i.id)).toEqual(["poster-straight"]);
  const logged = t.logs.find((l) => l.msg === "template skipped") as { problems: string[] } | undefined;
  expect(logged?.problems.join("\n")).toContain("background: is 2000×3000, the manifest says 100×100");
  expect(logged?.problems.join("\n")).toContain("placements.p1.mask: cannot be read");
});
