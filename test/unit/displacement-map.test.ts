import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import type { TemplateManifest } from "../../src/media/mockup/template-manifest.ts";
import { TemplateLayerCache } from "../../workers/render/template-layers.ts";

const dir = mkdtempSync(join(tmpdir(), "atelier-displace-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const W = 8, H = 4;
const png = (channels: 1 | 3, f: (x: number, y: number) => number[]) => {
  const raw = Buffer.alloc(W * H * channels);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) raw.set(f(x, y), (y * W + x) * channels);
  const img = sharp(raw, { raw: { width: W, height: H, channels } });
  return (channels === 1 ? img.toColourspace("b-w") : img).png().toBuffer();
};

test("the worker reads a colour map as red = x, green = y, and a greyscale map (or grey in RGB) as both", async () => {
  await Bun.write(join(dir, "bg.png"), await png(3, () => [200, 200, 200]));
  await Bun.write(join(dir, "rgb.png"), await png(3, (x, y) => [100 + x, 150 + y, 7]));
  await Bun.write(join(dir, "grey.png"), await png(1, (x) => [120 + x]));
  await Bun.write(join(dir, "grey-rgb.png"), await png(3, (x) => [120 + x, 120 + x, 120 + x]));
  const placement = (id: string, map: string) => ({ id, corners: [[0, 0], [W, 0], [W, H], [0, H]], blend: "normal", displacement: { map, strength: 4 } });
  const m = { id: "t", name: "T", room: "r", background: "bg.png", width: W, height: H, placements: [placement("c", "rgb.png"), placement("g", "grey.png"), placement("r", "grey-rgb.png")] } as unknown as TemplateManifest;
  const layers = await new TemplateLayerCache(1 << 20).get(dir, m);
  const rgb = layers.displacements.get("c")!, grey = layers.displacements.get("g")!;
  expect([...rgb.x.subarray(0, W)]).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
  expect([rgb.y[0], rgb.y[W], rgb.y[2 * W + 5], rgb.y[3 * W]]).toEqual([150, 151, 152, 153]);
  expect(grey.x).toBe(grey.y);
  expect([...grey.x.subarray(W, 2 * W)]).toEqual([120, 121, 122, 123, 124, 125, 126, 127]);
  // Grey saved as RGB: the same shift on both axes, from one array.
  const greyRgb = layers.displacements.get("r")!;
  expect(greyRgb.x).toBe(greyRgb.y);
  expect(greyRgb.x).toEqual(grey.x);
});
