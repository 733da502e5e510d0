import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import { badFixtures, fixture, makeTestApp, type TestApp } from "../support/test-app.ts";
import { waitForJob } from "../support/jobs-api.ts";

const canvas = JSON.parse(new TextDecoder().decode(fixture("templates/canvas-wood-occluded/template.json"))) as Record<string, unknown>;
const background = fixture("templates/canvas-wood-occluded/background.jpg");
const mask = fixture("templates/canvas-wood-occluded/mask-p1.png");

/** The multipart body of POST /api/templates. */
function templateForm(manifest: unknown, files: { background?: [string, Uint8Array]; masks?: Array<[string, Uint8Array]> } = {}) {
  const form = new FormData();
  form.append("manifest", typeof manifest === "string" ? manifest : JSON.stringify(manifest));
  const bg = "background" in files ? files.background : (["background.jpg", background] as [string, Uint8Array]);
  if (bg) form.append("background", new File([bg[1]], bg[0]));
  for (const [name, bytes] of files.masks ?? [["mask-p1.png", mask]]) form.append("masks", new File([bytes], name));
  return form;
}

type ErrorBody = { error: { code: string; message: string; details?: { problems?: string[] } } };

describe("shop templates", () => {
  let t: TestApp;
  let other: TestApp;
  let designId: string;
  const manifest = { ...canvas, id: "my-canvas", name: "My canvas" };
  const add = (m: unknown, files?: Parameters<typeof templateForm>[1], as?: string) =>
    t.request("/api/templates", { method: "POST", body: templateForm(m, files) }, as);

  beforeAll(async () => {
    t = await makeTestApp();
    other = await makeTestApp();
    const up = (await (await t.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")]])).json()) as UploadResult;
    designId = up.created[0]!.id;
  });

  test("a shop adds a template, sees it beside the built-in ones, and renders mockups with it", async () => {
    const res = await add(manifest);
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; builtIn: boolean; previewUrl: string; placements: Array<{ masked: boolean }> };
    expect(created).toMatchObject({ id: "my-canvas", builtIn: false });
    // The URL carries the version: a replaced template's preview is never served from a stale cache.
    expect(created.previewUrl).toMatch(/^\/api\/templates\/my-canvas\/preview\?v=[0-9a-f]{12}$/);
    expect(created.placements[0]!.masked).toBe(true);
    expect(res.headers.get("location")).toBe("/api/templates/my-canvas");

    const { items } = (await (await t.request("/api/templates")).json()) as { items: Array<{ id: string; builtIn: boolean }> };
    expect(items.map((i) => i.id).sort()).toEqual(["canvas-wood-occluded", "gallery-wall-2up", "living-room-angled", "mug-cylinder", "my-canvas", "poster-straight", "tote-canvas", "tshirt-folds"]);
    const preview = await t.request(created.previewUrl);
    expect(await sharp(new Uint8Array(await preview.arrayBuffer())).metadata()).toMatchObject({ format: "jpeg", width: 480 });

    // Stored through the storage driver: manifest files and preview in the template's folder.
    const folder = readdirSync(join(t.config.storageDir, t.shop.slug, "templates"));
    expect(folder).toHaveLength(1);
    expect(readdirSync(join(t.config.storageDir, t.shop.slug, "templates", folder[0]!)).sort()).toEqual(["atelier-preview.jpg", "background.jpg", "mask-p1.png"]);

    const render = await t.request("/api/mockups", {
      method: "POST",
      body: JSON.stringify({ designId, templateIds: ["my-canvas", "poster-straight"] }),
      headers: { "content-type": "application/json" },
    });
    expect(render.status).toBe(202);
    const job = await waitForJob(t, ((await render.json()) as { jobId: string }).jobId);
    const body = job.result as { mockups: Array<{ templateId: string; width: number }>; failed: unknown[] };
    expect(body.failed).toEqual([]);
    expect(body.mockups.find((m) => m.templateId === "my-canvas")).toMatchObject({ width: 2560 });
  });

  test("the renderer's local copy is fetched again from storage when it is missing", async () => {
    rmSync(t.config.templateFilesDir, { recursive: true, force: true });
    const render = await t.request("/api/mockups", {
      method: "POST",
      body: JSON.stringify({ designId, templateIds: ["my-canvas"] }),
      headers: { "content-type": "application/json" },
    });
    const job = await waitForJob(t, ((await render.json()) as { jobId: string }).jobId);
    expect(job.result.summary.succeeded).toBe(1);
    expect(existsSync(t.config.templateFilesDir)).toBe(true);
  });

  test("another shop cannot see, use or delete it", async () => {
    expect((await other.request("/api/templates/my-canvas")).status).toBe(404);
    expect((await other.request("/api/templates/my-canvas/preview")).status).toBe(404);
    expect((await other.request("/api/templates/my-canvas", { method: "DELETE" })).status).toBe(404);
    const { items } = (await (await other.request("/api/templates")).json()) as { items: Array<{ id: string }> };
    expect(items.map((i) => i.id)).not.toContain("my-canvas");
    const up = (await (await other.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")]])).json()) as UploadResult;
    const render = await other.request("/api/mockups", {
      method: "POST",
      body: JSON.stringify({ designId: up.created[0]!.id, templateIds: ["my-canvas"] }),
      headers: { "content-type": "application/json" },
    });
    expect(render.status).toBe(404);
  });

  test("ids are unique: the shop's own and the built-in ones answer 409", async () => {
    const again = await add(manifest);
    expect(again.status).toBe(409);
    expect(((await again.json()) as ErrorBody).error.code).toBe("template_exists");
    const builtIn = await add({ ...manifest, id: "canvas-wood-occluded" });
    expect(builtIn.status).toBe(409);
  });

  test("a bad manifest is answered with every problem listed, and nothing is stored", async () => {
    const res = await add({ ...manifest, id: "Bad Id", width: 10, placements: [{ id: "p1", corners: [[0, 0], [10, 0]], blend: "dissolve" }] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe("invalid_manifest");
    const problems = body.error.details!.problems!.join("\n");
    expect(problems).toContain("id:");
    expect(problems).toContain("width:");
    expect(problems).toContain("placements.0.corners");
    expect(problems).toContain("placements.0.blend");
    expect((await add("{not json")).status).toBe(400);
    expect(readdirSync(join(t.config.storageDir, t.shop.slug, "templates"))).toHaveLength(1);
  });

  test("missing files, wrong sizes and every bad image are refused with a code", async () => {
    const m = { ...manifest, id: "another" };
    const noBg = await add(m, { background: undefined });
    expect(((await noBg.json()) as ErrorBody).error.code).toBe("missing_background");
    const noMask = await add(m, { masks: [] });
    expect(noMask.status).toBe(400);
    expect(((await noMask.json()) as ErrorBody).error.code).toBe("missing_mask");
    const small = await sharp(background).resize(640).jpeg().toBuffer();
    const mismatch = await add(m, { background: ["background.jpg", new Uint8Array(small)] });
    expect(mismatch.status).toBe(422);
    expect(((await mismatch.json()) as ErrorBody).error.message).toContain("640×480, the manifest says 2560×1920");

    const codes: Record<string, string> = {};
    for (const [name, bytes] of badFixtures()) {
      const res = await add(m, { background: ["background.jpg", bytes] });
      expect(res.status).toBe(422);
      codes[name] = ((await res.json()) as ErrorBody).error.code;
      const asMask = await add(m, { masks: [["mask-p1.png", bytes]] });
      expect(asMask.status).toBe(422);
    }
    expect(codes).toEqual({
      "corrupt-middle.jpg": "corrupt_image",
      "html-as-jpg.jpg": "unsupported_format",
      "not-an-image.png": "unsupported_format",
      "pixel-bomb-20000x20000.png": "too_many_pixels",
      "truncated.jpg": "corrupt_image",
      "zero-bytes.jpg": "empty_file",
    });
    expect((await t.request("/api/templates/another")).status).toBe(404);
  });

  test("built-in templates cannot be deleted; the shop's own can, with its files", async () => {
    const builtIn = await t.request("/api/templates/poster-straight", { method: "DELETE" });
    expect(builtIn.status).toBe(403);
    expect(((await builtIn.json()) as ErrorBody).error.code).toBe("builtin_template");

    expect((await t.request("/api/templates/my-canvas", { method: "DELETE" })).status).toBe(204);
    expect((await t.request("/api/templates/my-canvas")).status).toBe(404);
    expect((await t.request("/api/templates/my-canvas", { method: "DELETE" })).status).toBe(404);
    const folder = join(t.config.storageDir, t.shop.slug, "templates");
    expect(readdirSync(folder).flatMap((d) => readdirSync(join(folder, d)))).toEqual([]);
    expect(existsSync(t.config.templateFilesDir) ? readdirSync(t.config.templateFilesDir) : []).toEqual([]);
    // The id is free again.
    expect((await add(manifest)).status).toBe(201);
  });
});
