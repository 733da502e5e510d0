import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { fixture, makeTestApp, type TestApp } from "../support/test-app.ts";

/**
 * Handmade bad template manifests and files, each sent to both routes that take a draft: adding
 * a template (POST /api/templates) and previewing one (POST /api/templates/preview). Each must
 * be refused with a 4xx and its code, and nothing stored. The basics (every problem listed,
 * "{not json", a missing background or mask, a size mismatch, test/fixtures/bad) are in
 * shop-templates.test.ts and template-preview.test.ts.
 */

type Json = Record<string, any>;
type Part = [field: string, name: string, bytes: Uint8Array];

const SHIPPED = new URL("../../src/templates/", import.meta.url).pathname;
const shipped = (id: string, files: string[]) => ({
  manifest: JSON.parse(readFileSync(`${SHIPPED}${id}/template.json`, "utf8")) as Json,
  parts: files.map((n): Part => [n === "background.jpg" ? "background" : "masks", n, new Uint8Array(readFileSync(`${SHIPPED}${id}/${n}`))]),
});
// A mug (cylinder, two overlays, colourways) and a t-shirt (mesh, displacement map, overlay, colourways).
const mug = shipped("mug-cylinder", ["background.jpg", "glare.png", "product-mask.png", "shading.png"]);
const shirt = shipped("tshirt-folds", ["background.jpg", "displacement.png", "folds.png", "product-mask.png"]);
const canvas = {
  manifest: JSON.parse(new TextDecoder().decode(fixture("templates/canvas-wood-occluded/template.json"))) as Json,
  parts: [["background", "background.jpg", fixture("templates/canvas-wood-occluded/background.jpg")], ["masks", "mask-p1.png", fixture("templates/canvas-wood-occluded/mask-p1.png")]] as Part[],
};

const ROUTES = ["/api/templates", "/api/templates/preview"] as const;
let ids = 0;
const nextId = () => `draft-${++ids}`;

function form(manifest: unknown, parts: Part[]): FormData {
  const f = new FormData();
  if (manifest !== undefined) f.append("manifest", typeof manifest === "string" ? manifest : JSON.stringify(manifest));
  for (const [field, name, bytes] of parts) f.append(field, new File([bytes], name));
  return f;
}

const without = (parts: Part[], name: string) => parts.filter(([, n]) => n !== name);
const replacing = (parts: Part[], name: string, bytes: Uint8Array) => parts.map(([f, n, b]): Part => [f, n, n === name ? bytes : b]);
const withCanvas = (extra: Json) => ({ ...canvas.manifest, id: nextId(), ...extra });
const p0 = canvas.manifest.placements[0] as Json;

interface Case {
  name: string;
  manifest: unknown;
  parts: Part[];
  status: number;
  code: string;
  /** Text the message (or its problems) must contain. */
  says?: RegExp;
}

/** Each bad draft, and what both routes must answer. */
async function cases(): Promise<Case[]> {
  const grey = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: "#808080" } }).png().toBuffer().then((b) => new Uint8Array(b));
  // Files of the manifest's size but damaged: the size check passes, the decode must refuse them.
  const canvasBg = canvas.parts[0]![2];
  const truncatedBg = canvasBg.slice(0, Math.floor(canvasBg.length / 3));
  const shirtFolds = shirt.parts.find(([, n]) => n === "folds.png")![2];
  const truncatedOverlay = shirtFolds.slice(0, Math.floor(shirtFolds.length / 2));
  const mesh = (points: unknown) => withCanvas({ placements: [{ id: "m", warp: { type: "mesh", rows: 4, cols: 4, points } }] });
  const grid = (f: (i: number) => [number, number]) => Array.from({ length: 16 }, (_, i) => f(i));
  return [
    // The manifest's JSON and types.
    { name: "the JSON null", manifest: "null", parts: canvas.parts, status: 400, code: "invalid_manifest", says: /expected object/ },
    { name: "a JSON array", manifest: "[]", parts: canvas.parts, status: 400, code: "invalid_manifest" },
    { name: "a JSON string", manifest: '"template"', parts: canvas.parts, status: 400, code: "invalid_manifest" },
    { name: "10,000 nested arrays", manifest: `{"x":${"[".repeat(10_000)}${"]".repeat(10_000)}}`, parts: canvas.parts, status: 400, code: "invalid_manifest" },
    { name: "a manifest file that is not text", manifest: undefined, parts: [["manifest", "template.json", Uint8Array.of(0xff, 0xfe, 0, 1, 0x8b)], ...canvas.parts], status: 400, code: "invalid_manifest", says: /not valid JSON/ },
    { name: "wrong types", manifest: withCanvas({ width: "2560", height: null, placements: {}, overlays: "glare.png" }), parts: canvas.parts, status: 400, code: "invalid_manifest", says: /width:[\s\S]*height:[\s\S]*placements:[\s\S]*overlays:/ },
    { name: "a declared size of 20000×20000", manifest: withCanvas({ width: 20_000, height: 20_000 }), parts: canvas.parts, status: 400, code: "invalid_manifest", says: /width: .*12000/ },
    // Warps, blends, coordinates.
    { name: "an unknown warp type", manifest: withCanvas({ placements: [{ ...p0, warp: { type: "twirl", angle: 90 } }] }), parts: canvas.parts, status: 400, code: "invalid_manifest", says: /placements\.0\.warp/ },
    { name: "a mesh with 15 points for 4 × 4", manifest: mesh(grid((i) => [100 + (i % 4) * 100, 100 + Math.floor(i / 4) * 100]).slice(0, 15)), parts: canvas.parts, status: 400, code: "invalid_manifest", says: /rows × cols = 16 points, found 15/ },
    { name: "a mesh of 7 × 4 (not 3n + 1 by the point count)", manifest: withCanvas({ placements: [{ id: "m", warp: { type: "mesh", rows: 7, cols: 4, points: grid((i) => [i, i]) } }] }), parts: canvas.parts, status: 400, code: "invalid_manifest", says: /expected rows × cols = 28/ },
    { name: "a mesh collapsed to one point", manifest: mesh(grid(() => [500, 500])), parts: canvas.parts, status: 400, code: "invalid_manifest", says: /too small or too flat/ },
    { name: "a mesh flattened to a line", manifest: mesh(grid((i) => [100 + i * 50, 700])), parts: canvas.parts, status: 400, code: "invalid_manifest", says: /span 750×0 px/ },
    { name: "an unknown placement blend", manifest: withCanvas({ placements: [{ ...p0, blend: "dissolve" }] }), parts: canvas.parts, status: 400, code: "invalid_manifest", says: /placements\.0\.blend/ },
    { name: "an unknown overlay blend", manifest: { ...mug.manifest, id: nextId(), overlays: [{ file: "glare.png", blend: "hue" }] }, parts: mug.parts, status: 400, code: "invalid_manifest", says: /overlays\.0\.blend/ },
    { name: "a corner at 1e999 (Infinity in JSON)", manifest: JSON.stringify(withCanvas({ placements: [{ ...p0, corners: [[0, 0], [100, 0], [100, 100], [0, 100]] }] })).replace('"corners":[[0,0]', '"corners":[[1e999,0]'), parts: canvas.parts, status: 400, code: "invalid_manifest", says: /placements\.0\.corners\.0\.0/ },
    { name: "corners at 1e308", manifest: withCanvas({ placements: [{ ...p0, corners: [[0, 0], [1e308, 0], [1e308, 1e308], [0, 1e308]] }] }), parts: canvas.parts, status: 400, code: "invalid_manifest", says: /lies outside the 2560×1920 background/ },
    { name: "negative opacity and shading past 1", manifest: withCanvas({ placements: [{ ...p0, opacity: -0.5, shading: 7 }] }), parts: canvas.parts, status: 400, code: "invalid_manifest", says: /opacity[\s\S]*shading/ },
    // File names.
    { name: "a background named ../", manifest: withCanvas({ background: "../background.jpg" }), parts: canvas.parts, status: 400, code: "invalid_manifest", says: /background: must be a plain file name/ },
    { name: "a background at an absolute path", manifest: withCanvas({ background: "/etc/passwd" }), parts: canvas.parts, status: 400, code: "invalid_manifest", says: /background: must be a plain file name/ },
    { name: "a mask named ..\\ (Windows)", manifest: withCanvas({ placements: [{ ...p0, mask: "..\\mask-p1.png" }] }), parts: canvas.parts, status: 400, code: "invalid_manifest", says: /placements\.0\.mask/ },
    { name: "an overlay at an absolute path", manifest: { ...mug.manifest, id: nextId(), overlays: [{ file: "/tmp/glare.png", blend: "screen" }] }, parts: mug.parts, status: 400, code: "invalid_manifest", says: /overlays\.0\.file/ },
    { name: "a mask named like the background", manifest: withCanvas({ placements: [{ ...p0, mask: "background.jpg" }] }), parts: canvas.parts, status: 400, code: "invalid_manifest", says: /different names; "background\.jpg" is named as both/ },
    { name: "the mask uploaded as ../mask-p1.png", manifest: withCanvas({}), parts: [canvas.parts[0]!, ["masks", "../mask-p1.png", canvas.parts[1]![2]]], status: 400, code: "missing_mask", says: /mask-p1\.png/ },
    // Files a product template names.
    { name: "an overlay file missing", manifest: { ...mug.manifest, id: nextId() }, parts: without(mug.parts, "glare.png"), status: 400, code: "missing_mask", says: /"glare\.png"/ },
    { name: "the colourway mask missing", manifest: { ...mug.manifest, id: nextId() }, parts: without(mug.parts, "product-mask.png"), status: 400, code: "missing_mask", says: /"product-mask\.png"/ },
    { name: "the displacement map missing", manifest: { ...shirt.manifest, id: nextId() }, parts: without(shirt.parts, "displacement.png"), status: 400, code: "missing_mask", says: /"displacement\.png"/ },
    { name: "a 10×10 displacement map", manifest: { ...shirt.manifest, id: nextId() }, parts: replacing(shirt.parts, "displacement.png", await grey(10, 10)), status: 422, code: "template_size_mismatch", says: /displacement\.png.*10×10/ },
    { name: "an overlay that is not an image", manifest: { ...shirt.manifest, id: nextId() }, parts: replacing(shirt.parts, "folds.png", new TextEncoder().encode("<html>folds</html>")), status: 422, code: "unsupported_format", says: /folds\.png/ },
    { name: "a background of the right size, truncated", manifest: withCanvas({}), parts: replacing(canvas.parts, "background.jpg", truncatedBg), status: 422, code: "corrupt_image" },
    { name: "an overlay of the right size, truncated", manifest: { ...shirt.manifest, id: nextId() }, parts: replacing(shirt.parts, "folds.png", truncatedOverlay), status: 422, code: "corrupt_image" },
  ];
}

describe("bad template drafts, added or previewed", () => {
  let t: TestApp;
  let all: Case[];
  beforeAll(async () => {
    t = await makeTestApp();
    all = await cases();
  });

  for (const route of ROUTES) {
    test(`POST ${route}: each bad draft is a 4xx with its code, never a 5xx`, async () => {
      const wrong: string[] = [];
      for (const c of all) {
        const res = await t.request(route, { method: "POST", body: form(c.manifest, c.parts) });
        const text = await res.text();
        const body = (res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : {}) as { error?: { code: string; message: string; details?: unknown } };
        const said = `${body.error?.message ?? ""} ${JSON.stringify(body.error?.details ?? "")}`;
        if (res.status !== c.status || body.error?.code !== c.code) wrong.push(`${c.name}: answered ${res.status} ${body.error?.code ?? text.slice(0, 80)}, expected ${c.status} ${c.code} (${said.slice(0, 200)})`);
        else if (c.says && !c.says.test(said)) wrong.push(`${c.name}: the message does not say ${c.says}: ${said.slice(0, 300)}`);
      }
      expect(wrong).toEqual([]);
      expect((await t.app.request("/healthz")).status).toBe(200);
    }, 120_000);
  }

  test("nothing was stored: the shop has no template of its own and no template files", async () => {
    const { items } = (await (await t.request("/api/templates")).json()) as { items: Array<{ builtIn: boolean }> };
    expect(items.filter((i) => !i.builtIn)).toEqual([]);
    const [row] = await t.sql`SELECT count(*)::int AS n FROM shop_templates WHERE shop_id = ${t.shop.id}`;
    expect(row!.n).toBe(0);
  });

  // Were 500s: the preview handed the renderer a manifest whose overlays, maps and colourway mask it had not written.
  test("valid product drafts (overlays, a displacement map, colourways, a mesh) preview as JPEGs, the artwork where the placement is", async () => {
    for (const [name, draft] of [["mug", mug], ["t-shirt", shirt]] as const) {
      const res = await t.request("/api/templates/preview", { method: "POST", body: form({ ...draft.manifest, id: nextId() }, draft.parts) });
      expect(res.status, `${name}: ${res.status !== 200 ? await res.clone().text() : ""}`).toBe(200);
      const jpeg = new Uint8Array(await res.arrayBuffer());
      const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
      expect(Math.max(info.width, info.height)).toBe(800);
      const photo = await sharp(draft.parts.find(([f]) => f === "background")![2]).resize(info.width, info.height).raw().toBuffer();
      const changed = (x0: number, y0: number, x1: number, y1: number) => {
        let n = 0, of = 0;
        for (let y = Math.round(y0); y < y1; y += 2) {
          for (let x = Math.round(x0); x < x1; x += 2) {
            const i = (y * info.width + x) * 3;
            of++;
            if (Math.abs(data[i]! - photo[i]!) + Math.abs(data[i + 1]! - photo[i + 1]!) + Math.abs(data[i + 2]! - photo[i + 2]!) > 60) n++;
          }
        }
        return n / of;
      };
      // The artwork is drawn inside the placement's corners scaled to the preview (a mesh's points
      // too, or it would land off the product); far from the product the photo is untouched.
      const scale = info.width / draft.manifest.width;
      const corners = ((draft.manifest.placements[0].corners as number[][] | undefined) ?? meshCorners(draft.manifest.placements[0].warp)).map(([x, y]) => [x! * scale, y! * scale] as const);
      const [x0, y0] = corners[0]!, [x2, y2] = corners[2]!;
      const mx = (x2 - x0) * 0.15, my = (y2 - y0) * 0.15;
      expect(changed(x0 + mx, y0 + my, x2 - mx, y2 - my), name).toBeGreaterThan(0.5);
      expect(changed(0, 0, 60, 60), name).toBeLessThan(0.02);
    }
  });
});

function meshCorners(w: { cols: number; rows: number; points: number[][] }): number[][] {
  const at = (r: number, c: number) => w.points[r * w.cols + c]!;
  return [at(0, 0), at(0, w.cols - 1), at(w.rows - 1, w.cols - 1), at(w.rows - 1, 0)];
}
