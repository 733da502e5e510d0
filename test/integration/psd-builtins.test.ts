import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { placementSize } from "../../src/media/mockup/placement-geometry.ts";
import { parseTemplateManifest, type TemplateManifest } from "../../src/media/mockup/template-manifest.ts";
import { placementSurface } from "../../src/media/mockup/warp-surface.ts";
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
      const size = placementSize(m.placements[0]!);
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
          blend: p.blend as "normal" | "multiply",
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

// ---------------------------------------------------------------------------------------------
// The product templates (mug, t-shirt, tote): their warps as Photoshop's custom envelope warp,
// one patch or split into a grid (a quilt warp), the layers above the print as layers above the
// smart object. A PSD has no displacement maps, colourways or Atelier's `shading`: those are
// added after the import with PUT /api/templates/:id (the manifest and the new files only; the
// imported files are kept), and the result is compared with the built-in template.

type Pt = [number, number];
type MeshWarp = { type: "mesh"; rows: number; cols: number; points: Pt[] };
const PRODUCTS = ["mug-cylinder", "tshirt-folds", "tote-canvas"] as const;
/** Geometry: corners and sampled surface points within this many background pixels of the built-in's. */
const GEOMETRY_TOLERANCE_PX = 1.5;
/** Renders: mean absolute difference per channel over the placement's bounding box, in levels of 255. */
const RENDER_TOLERANCE = 1;

const bern = (t: number) => [(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3];
/** The cubic's control points through four samples at 0, ⅓, ⅔, 1 (Bernstein weights there, inverted). */
const THIRDS = (() => {
  const m = [0, 1 / 3, 2 / 3, 1].map(bern);
  const a = m.map((row, i) => [...row, ...[0, 1, 2, 3].map((j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < 4; c++) {
    const d = a[c]![c]!;
    for (let k = 0; k < 8; k++) a[c]![k]! /= d;
    for (let r = 0; r < 4; r++) if (r !== c) { const f = a[r]![c]!; for (let k = 0; k < 8; k++) a[r]![k]! -= f * a[c]![k]!; }
  }
  return a.map((row) => row.slice(4));
})();

/** A surface as across × down even Bézier patches, each through 4 × 4 samples of it. */
function patchesThrough(surface: (s: number, t: number) => Pt, across: number, down: number): MeshWarp {
  const cols = 3 * across + 1, rows = 3 * down + 1;
  const points: Pt[] = new Array(rows * cols);
  for (let pr = 0; pr < down; pr++) for (let pc = 0; pc < across; pc++) {
    const s = [0, 1, 2, 3].map((a) => [0, 1, 2, 3].map((b) => surface((pc + b / 3) / across, (pr + a / 3) / down)));
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) {
      let x = 0, y = 0;
      for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) { const k = THIRDS[i]![a]! * THIRDS[j]![b]!; x += k * s[a]![b]![0]; y += k * s[a]![b]![1]; }
      points[(pr * 3 + i) * cols + pc * 3 + j] = [x, y];
    }
  }
  return { type: "mesh", rows, cols, points };
}

/**
 * The placement as Photoshop keeps a warped smart object: the transform is a rectangle (the
 * mesh's bounding box, where the unwarped content was placed), the warp its control points in
 * the content's own pixels, split into a grid when it has more than one patch.
 */
function asPlacedWarp(mesh: MeshWarp, content: { width: number; height: number }) {
  const xs = mesh.points.map((p) => p[0]), ys = mesh.points.map((p) => p[1]);
  const [l, t, r, b] = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  const toContent = ([x, y]: Pt) => ({ x: ((x - l) / (r - l)) * content.width, y: ((y - t) / (b - t)) * content.height });
  const px = (v: number) => ({ value: v, units: "Pixels" as const });
  const split = mesh.rows > 4 || mesh.cols > 4;
  const slices = (n: number, size: number) => Array.from({ length: (n - 1) / 3 + 1 }, (_, i) => (i * 3 * size) / (n - 1));
  return {
    corners: [[l, t], [r, t], [r, b], [l, b]] as Corners,
    warp: {
      style: "custom" as const, value: 0, perspective: 0, perspectiveOther: 0, rotate: "horizontal" as const, uOrder: 4, vOrder: 4,
      bounds: { top: px(0), left: px(0), bottom: px(content.height), right: px(content.width) },
      ...(split ? { deformNumRows: mesh.rows, deformNumCols: mesh.cols } : {}),
      customEnvelopeWarp: {
        meshPoints: mesh.points.map(toContent),
        ...(split ? { quiltSliceX: slices(mesh.cols, content.width), quiltSliceY: slices(mesh.rows, content.height) } : {}),
      },
    },
  };
}

describe("the product templates can be re-made by importing PSDs, then adding what a PSD cannot carry", () => {
  let t: TestApp;
  const rgbaOf = async (path: string) => {
    const b = await sharp(path).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: b.info.width, height: b.info.height, data: new Uint8ClampedArray(b.data.buffer, b.data.byteOffset, b.data.length) };
  };
  const renderIn = async (templateId: string, artwork: Uint8Array, color?: string) => {
    const form = new FormData();
    form.append("artwork", new File([artwork], "art.png"));
    form.append("templates", JSON.stringify([{ templateId, ...(color ? { color } : {}) }]));
    form.append("format", "png");
    const job = await waitForJob(t, ((await (await t.request("/api/mockups", { method: "POST", body: form })).json()) as { jobId: string }).jobId, 60_000);
    expect(job.state, JSON.stringify(job.error)).toBe("succeeded");
    return sharp(new Uint8Array(await (await t.request(job.result.mockups[0].url)).arrayBuffer())).removeAlpha().raw().toBuffer();
  };
  /** Mean absolute difference per channel over a box of two RGB frames `width` wide. */
  const madIn = (a: Uint8Array, b: Uint8Array, width: number, box: { left: number; top: number; right: number; bottom: number }) => {
    let sum = 0, n = 0;
    for (let y = box.top; y < box.bottom; y++) for (let x = box.left; x < box.right; x++) for (let c = 0; c < 3; c++) {
      const i = (y * width + x) * 3 + c;
      sum += Math.abs(a[i]! - b[i]!);
      n++;
    }
    return sum / n;
  };

  for (const id of PRODUCTS) {
    test(id, async () => {
      t ??= await makeTestApp();
      const dir = join(DIR, id);
      const raw = JSON.parse(readFileSync(join(dir, "template.json"), "utf8"));
      const parsed = parseTemplateManifest(raw);
      if (!parsed.ok) throw new Error(parsed.problems.join("; "));
      const m = parsed.manifest;
      const p = m.placements[0]!;
      const surface = placementSurface(p);
      // The warp as Photoshop's envelope: a mesh as it is; the mug's cylinder as three patches through it (within 0.06 px).
      const mesh: MeshWarp = p.warp?.type === "mesh" ? (p.warp as MeshWarp) : patchesThrough(surface, 3, 1);
      // Artwork of the placement's own size, so the built-in's cover or contain and the import's stretch agree.
      const size = placementSize(p);
      const content = await photoArtwork(size.width, size.height);
      const placed = asPlacedWarp(mesh, content);
      const layer = (file: string, blend: string, opacity: number) => rgbaOf(join(dir, file)).then((pixels) => ({ name: file.replace(/\.png$/, ""), pixels, blend: blend as "normal" | "multiply" | "screen", opacity }));
      const built = buildTestPsd({
        width: m.width,
        height: m.height,
        reference: false,
        below: [{ name: "Background", pixels: await rgbaOf(join(dir, m.background)) }],
        smartObjects: [{ name: p.id, content, blend: p.blend, opacity: p.opacity ?? 1, ...placed }],
        above: await Promise.all((m.overlays ?? []).map((o) => layer(o.file, o.blend, o.opacity))),
      });
      const form = new FormData();
      form.append("psd", new File([built.bytes], `${id}.psd`));
      form.append("id", `remade-${id}`);
      const res = await t.request("/api/templates/psd", { method: "POST", body: form });
      const imported = (await res.json()) as { placements: Array<{ corners: Pt[]; warp?: MeshWarp; blend: string; opacity?: number }>; warnings: string[] };
      expect(res.status, JSON.stringify(imported)).toBe(201);
      const manifest = ((await (await t.request(`/api/templates/remade-${id}`)).json()) as { manifest: Record<string, any> }).manifest;

      // The geometry: corners, and the surface sampled on a 33 × 33 grid.
      const got = manifest.placements[0] as TemplateManifest["placements"][number];
      const cornerError = Math.max(...got.corners.map((c, k) => Math.hypot(c[0] - p.corners[k]![0], c[1] - p.corners[k]![1])));
      const importedSurface = placementSurface(got);
      let surfaceError = 0;
      for (let a = 0; a <= 32; a++) for (let b = 0; b <= 32; b++) {
        const [x, y] = importedSurface(a / 32, b / 32), [u, v] = surface(a / 32, b / 32);
        surfaceError = Math.max(surfaceError, Math.hypot(x - u, y - v));
      }
      expect(cornerError).toBeLessThanOrEqual(GEOMETRY_TOLERANCE_PX);
      expect(surfaceError).toBeLessThanOrEqual(GEOMETRY_TOLERANCE_PX);
      expect(got.warp?.type).toBe("mesh");
      expect([got.blend, got.fit]).toEqual([p.blend, "stretch"]);
      // A PSD keeps opacity in 255ths: 94% is 240/255.
      expect(Math.abs((got.opacity ?? 1) - (p.opacity ?? 1))).toBeLessThanOrEqual(0.5 / 255 + 1e-3);
      // Layers above the smart object are the overlays, each with its blend mode and opacity.
      expect((manifest.overlays ?? []).map((o: { blend: string; opacity: number }) => [o.blend, Math.round(o.opacity * 100) / 100])).toEqual((m.overlays ?? []).map((o) => [o.blend, o.opacity]));

      const xs: number[] = [], ys: number[] = [];
      for (let a = 0; a <= 32; a++) for (let b = 0; b <= 32; b++) { const [x, y] = surface(a / 32, b / 32); xs.push(x); ys.push(y); }
      const box = { left: Math.max(0, Math.floor(Math.min(...xs))), top: Math.max(0, Math.floor(Math.min(...ys))), right: Math.min(m.width, Math.ceil(Math.max(...xs))), bottom: Math.min(m.height, Math.ceil(Math.max(...ys))) };
      const artwork = await png(content);
      // As imported (before the PUT below), for the record: what the PSD alone gives.
      const asImported = madIn(await renderIn(id, artwork), await renderIn(`remade-${id}`, artwork), m.width, box);

      // What a PSD cannot carry, added with PUT: the displacement map, the colourways, the
      // shading of a multiply placement. Only the manifest and the new files are sent.
      const needed = { ...manifest, placements: [{ ...manifest.placements[0], ...(p.displacement ? { displacement: p.displacement } : {}), ...(p.blend === "multiply" ? { shading: p.shading } : {}) }], ...(m.colorways ? { colorways: m.colorways } : {}) };
      const put = new FormData();
      put.append("manifest", JSON.stringify(needed));
      for (const name of [p.displacement?.map, m.colorways?.mask]) if (name) put.append("files", new File([readFileSync(join(dir, name))], name));
      const replaced = await t.request(`/api/templates/remade-${id}`, { method: "PUT", body: put });
      expect(replaced.status, await replaced.clone().text()).toBe(200);

      // Renders through both, over the placement's bounding box: plain and, where it has them, in each colourway.
      const figures: string[] = [];
      for (const color of [undefined, ...(m.colorways?.colors.map((c) => c.name) ?? [])].slice(0, 3)) {
        const [original, remade] = await Promise.all([renderIn(id, artwork, color), renderIn(`remade-${id}`, artwork, color)]);
        const inBox = madIn(original, remade, m.width, box);
        const frame = madIn(original, remade, m.width, { left: 0, top: 0, right: m.width, bottom: m.height });
        figures.push(`${color ?? "plain"} ${inBox.toFixed(3)} (frame ${frame.toFixed(3)})`);
        expect(inBox).toBeLessThanOrEqual(RENDER_TOLERANCE);
      }
      console.log(`psd remake of ${id}: corners within ${cornerError.toFixed(3)} px, surface within ${surfaceError.toFixed(3)} px; mean abs diff over the placement's box as imported ${asImported.toFixed(3)}, completed: ${figures.join(", ")}`);
    }, 180_000);
  }
});
