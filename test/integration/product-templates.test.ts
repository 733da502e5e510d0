import { beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import { ARTIFACTS } from "../support/browser.ts";
import { readEvents } from "../support/jobs-api.ts";
import { fixture, makeTestApp, type TestApp } from "../support/test-app.ts";

// The shipped templates themselves: each new feature is exercised by one of them.
const TEMPLATES_DIR = new URL("../../src/templates/", import.meta.url).pathname;

type Mockup = { index: number; templateId: string; color?: string; url: string; width: number; height: number };

describe("product templates (mug, t-shirt, tote)", () => {
  let t: TestApp;
  let designId: string;
  beforeAll(async () => {
    t = await makeTestApp({ env: { TEMPLATES_DIR } });
    const up = (await (await t.upload([["ladybird.jpg", fixture("artwork/ladybird-2560.jpg")]])).json()) as UploadResult;
    designId = up.created[0]!.id;
  });

  const post = (body: Record<string, unknown>) =>
    t.request("/api/mockups", { method: "POST", body: JSON.stringify({ designId, ...body }), headers: { "content-type": "application/json", accept: "text/event-stream" } });

  test("GET /api/templates/:id answers the whole manifest: warp, displacement, overlays, colourways", async () => {
    const shirt = (await (await t.request("/api/templates/tshirt-folds")).json()) as { colors: unknown[]; manifest: Record<string, any> };
    expect(shirt.manifest.placements[0].warp).toMatchObject({ type: "mesh", rows: 4, cols: 4 });
    expect(shirt.manifest.placements[0].warp.points).toHaveLength(16);
    expect(shirt.manifest.placements[0].displacement).toEqual({ map: "displacement.png", strength: 9 });
    expect(shirt.manifest.overlays).toEqual([{ file: "folds.png", blend: "multiply", opacity: 1 }]);
    expect(shirt.manifest.colorways.colors).toHaveLength(5);
    expect(shirt.colors).toHaveLength(5);
    const mug = (await (await t.request("/api/templates/mug-cylinder")).json()) as { manifest: Record<string, any> };
    expect(mug.manifest.placements[0].warp).toMatchObject({ type: "cylinder", curvature: 0.8 });
    expect(mug.manifest.overlays.map((o: { blend: string }) => o.blend)).toEqual(["multiply", "screen"]);
  });

  test("one template in every colour (colors: \"all\") beside plain templateIds; each is recoloured and saved as a screenshot", async () => {
    const res = await post({ templateIds: ["tote-canvas"], templates: [{ templateId: "tshirt-folds" }, { templateId: "mug-cylinder", color: "Black" }, { templateId: "mug-cylinder", color: "white" }], colors: "all" });
    expect(res.status).toBe(200);
    const events = await readEvents(res);
    const mockups = events.filter((e) => e.event === "mockup").map((e) => e.data as Mockup).sort((a, b) => a.index - b.index);
    expect(mockups.map((m) => `${m.templateId}:${m.color ?? ""}`)).toEqual([
      "tote-canvas:",
      "tshirt-folds:white", "tshirt-folds:heather grey", "tshirt-folds:black", "tshirt-folds:heather navy", "tshirt-folds:red",
      "mug-cylinder:black", "mug-cylinder:white",
    ]);
    mkdirSync(ARTIFACTS, { recursive: true });
    const shirtColours: Array<[number, number, number]> = [];
    for (const m of mockups) {
      const bytes = new Uint8Array(await (await t.request(m.url)).arrayBuffer());
      writeFileSync(join(ARTIFACTS, `mockup-${m.templateId}${m.color ? `-${m.color.replace(/ /g, "-")}` : ""}.jpg`), bytes);
      // sRGB, said in the file (the profile is attached, not applied: the frame is sRGB already).
      expect((await sharp(bytes).metadata()).icc?.length).toBeGreaterThan(100);
      if (m.templateId === "tshirt-folds") {
        // A sleeve, away from the print: the product's own colour.
        const { data } = await sharp(bytes).extract({ left: 300, top: 520, width: 40, height: 40 }).raw().toBuffer({ resolveWithObject: true });
        const mean = [0, 1, 2].map((c) => data.filter((_, i) => i % 3 === c).reduce((s, v) => s + v, 0) / (data.length / 3)) as [number, number, number];
        shirtColours.push(mean);
      }
    }
    const [white, grey, black, navy, red] = shirtColours as [number, number, number][];
    expect(Math.min(...white!)).toBeGreaterThan(200);
    expect(Math.max(...black!)).toBeLessThan(60);
    expect(navy![2]).toBeGreaterThan(navy![0] + 20); // blue over red
    expect(red![0]).toBeGreaterThan(red![2] + 60);
    expect(Math.abs(grey![0] - grey![2])).toBeLessThan(15);
  });

  test("the artwork is placed per request and per entry (fit, scale, offset, rotate, background)", async () => {
    const res = await post({ rotate: 8, templates: [{ templateId: "tote-canvas", fit: "contain", background: "#c0392b", scale: 0.8, offset: { x: -1, y: 0 } }, { templateId: "mug-cylinder", fit: "stretch" }] });
    const events = await readEvents(res);
    expect(events.at(-1)!.data).toMatchObject({ state: "succeeded", succeeded: 2, failed: 0 });
    const tote = events.find((e) => e.event === "mockup" && (e.data as Mockup).templateId === "tote-canvas")!.data as Mockup;
    const bytes = new Uint8Array(await (await t.request(tote.url)).arrayBuffer());
    writeFileSync(join(ARTIFACTS, "mockup-tote-canvas-placed.jpg"), bytes);
    const bad = await post({ templateIds: ["tote-canvas"], scale: 9, offset: { x: 2, y: 0 } });
    expect(bad.status).toBe(400);
  });

  test("POST /api/mockups/preview answers one placed template as a small JPEG, stored nowhere", async () => {
    const ask = (body: Record<string, unknown>) =>
      t.request("/api/mockups/preview", { method: "POST", body: JSON.stringify({ designId, ...body }), headers: { "content-type": "application/json" } });
    await ask({ templateId: "tshirt-folds", color: "red" }); // the first one decodes the design for this size
    const times: number[] = [];
    let last: Response | undefined;
    for (const offset of [-0.5, 0, 0.5]) {
      const t0 = performance.now();
      last = await ask({ templateId: "tshirt-folds", color: "heather navy", fit: "cover", scale: 1.2, offset: { x: offset, y: 0 } });
      times.push(performance.now() - t0);
      expect(last.status).toBe(200);
    }
    expect(last!.headers.get("content-type")).toBe("image/jpeg");
    const meta = await sharp(new Uint8Array(await last!.arrayBuffer())).metadata();
    expect(meta.width).toBe(600);
    process.stdout.write(`preview ms: ${times.map((v) => Math.round(v)).join(", ")}\n`);
    expect((await ask({ templateId: "tshirt-folds", color: "plaid" })).status).toBe(400);
  });

  test("a shop uploads a template with a mesh, a displacement map, an overlay and colourways, and renders it in a colour", async () => {
    const dir = join(TEMPLATES_DIR, "tshirt-folds");
    const manifest = JSON.parse(readFileSync(join(dir, "template.json"), "utf8")) as Record<string, unknown>;
    const form = new FormData();
    form.append("manifest", JSON.stringify({ ...manifest, id: "my-tee", name: "My tee" }));
    form.append("background", new File([readFileSync(join(dir, "background.jpg"))], "background.jpg"));
    for (const name of ["displacement.png", "folds.png"]) form.append("files", new File([readFileSync(join(dir, name))], name));
    const missing = await t.request("/api/templates", { method: "POST", body: form });
    expect(missing.status).toBe(400);
    const body = (await missing.json()) as { error: { code: string; details: { missing: string[] } } };
    expect(body.error).toMatchObject({ code: "missing_mask", details: { missing: ["product-mask.png"] } });
    form.append("files", new File([readFileSync(join(dir, "product-mask.png"))], "product-mask.png"));
    const created = await t.request("/api/templates", { method: "POST", body: form });
    expect(created.status).toBe(201);
    const res = await post({ templates: [{ templateId: "my-tee", color: "red" }] });
    const events = await readEvents(res);
    expect(events.at(-1)!.data).toMatchObject({ state: "succeeded", succeeded: 1 });
    const made = events.find((e) => e.event === "mockup")!.data as Mockup;
    expect(made).toMatchObject({ templateId: "my-tee", color: "red" });
  });

  test("unknown colours and more than 10 mockups are refused before anything is queued", async () => {
    const unknown = await post({ templates: [{ templateId: "tshirt-folds", color: "plaid" }] });
    expect(unknown.status).toBe(400);
    const body = (await unknown.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("unknown_color");
    expect(body.error.message).toContain('"heather navy"');
    const noColours = await post({ templates: [{ templateId: "tote-canvas", color: "white" }] });
    expect(((await noColours.json()) as { error: { code: string } }).error.code).toBe("unknown_color");
    // 5 colours × 3 entries = 15 mockups.
    const tooMany = await post({ templates: [{ templateId: "tshirt-folds" }, { templateId: "tshirt-folds" }, { templateId: "tshirt-folds" }], colors: "all" });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { error: { code: string } }).error.code).toBe("invalid_templates");
  });
});
