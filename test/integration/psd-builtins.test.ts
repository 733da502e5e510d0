import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { placementSize } from "../../src/media/mockup/placement-geometry.ts";
import type { TemplateManifest } from "../../src/media/mockup/template-manifest.ts";
import { makeTestApp, type TestApp } from "../support/test-app.ts";
import { waitForJob } from "../support/jobs-api.ts";
import { buildTestPsd, photoArtwork, type Corners, type Pixels } from "../support/psd-builder.ts";

const BUILT_INS = ["poster-straight", "living-room-angled", "gallery-wall-2up", "canvas-wood-occluded"];
const DIR = new URL("../../src/templates/", import.meta.url).pathname;

/** A PNG of RGBA pixels. */
const png = (p: Pixels) => sharp(p.data, { raw: { width: p.width, height: p.height, channels: 4 } }).png().toBuffer();

// The rendering issue's built-in templates, re-made by importing PSDs written from them: the
// background as the bottom layer, each placement a smart object (its mask a layer mask).
describe("the built-in templates can be re-made by importing PSDs", () => {
  let t: TestApp;
  const render = async (templateId: string, artwork: Uint8Array) => {
    const form = new FormData();
    form.append("artwork", new File([artwork], "art.png"));
    form.append("templateIds", templateId);
    form.append("format", "png");
    const job = await waitForJob(t, ((await (await t.request("/api/mockups", { method: "POST", body: form })).json()) as { jobId: string }).jobId, 60_000);
    expect(job.state).toBe("succeeded");
    return sharp(new Uint8Array(await (await t.request(job.result.mockups[0].url)).arrayBuffer())).removeAlpha().raw().toBuffer();
  };

  for (const id of BUILT_INS) {
    test(id, async () => {
      t ??= await makeTestApp();
      const m = JSON.parse(readFileSync(join(DIR, id, "template.json"), "utf8")) as TemplateManifest;
      const bg = await sharp(join(DIR, id, m.background)).ensureAlpha().raw().toBuffer();
      // Artwork of the placement's own shape, so the built-in's cover and the import's stretch agree.
      const size = placementSize({ ...m.placements[0]!, fit: "cover", blend: "normal", shading: 1 });
      const content = await photoArtwork(size.width, size.height);
      const masks = await Promise.all(m.placements.map((p) => (p.mask ? sharp(join(DIR, id, p.mask)).greyscale().extractChannel(0).raw().toBuffer() : undefined)));
      const built = buildTestPsd({
        width: m.width,
        height: m.height,
        reference: false,
        below: [{ name: "Background", pixels: { width: m.width, height: m.height, data: new Uint8ClampedArray(bg.buffer, bg.byteOffset, bg.length) } }],
        smartObjects: m.placements.map((p, i) => ({
          name: p.id,
          corners: p.corners as Corners,
          content,
          blend: p.blend,
          ...(masks[i] ? { mask: (x: number, y: number) => masks[i]![y * m.width + x]! } : {}),
        })),
      });
      const form = new FormData();
      form.append("psd", new File([built.bytes], `${id}.psd`));
      form.append("id", `remade-${id}`);
      const res = await t.request("/api/templates/psd", { method: "POST", body: form });
      const body = (await res.json()) as { placements: Array<{ id: string; corners: number[][]; blend: string; masked: boolean }> };
      expect(res.status, JSON.stringify(body)).toBe(201);
      expect(body.placements.map((p) => [p.id, p.corners, p.blend, p.masked])).toEqual(m.placements.map((p) => [p.id, p.corners, p.blend, p.mask !== undefined]));
      const artwork = await png(content);
      const [original, remade] = await Promise.all([render(id, artwork), render(`remade-${id}`, artwork)]);
      let sum = 0;
      for (let i = 0; i < original.length; i++) sum += Math.abs(original[i]! - remade[i]!);
      const mad = sum / original.length;
      if (process.env.PSD_DUMP) {
        const raw = { raw: { width: m.width, height: m.height, channels: 3 as const } };
        await sharp(original, raw).png().toFile(`/tmp/psdx/${id}-orig.png`);
        await sharp(remade, raw).png().toFile(`/tmp/psdx/${id}-remade.png`);
      }
      console.log(`psd remake of ${id}: mean abs diff ${mad.toFixed(3)} levels over the frame`);
      expect(mad).toBeLessThanOrEqual(0.01);
    }, 120_000);
  }
});
