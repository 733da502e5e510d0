import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import type { Storage } from "../../src/storage/storage.ts";
import { waitForJob } from "../support/jobs-api.ts";
import { fixture, makeTestApp, type TestApp } from "../support/test-app.ts";

const MUG = new URL("../../src/templates/mug-cylinder/", import.meta.url).pathname;
const mugFile = (name: string) => new Uint8Array(readFileSync(join(MUG, name)));
const mugManifest = JSON.parse(readFileSync(join(MUG, "template.json"), "utf8")) as Record<string, any>;

type Summary = { id: string; version?: string; createdAt?: string; previewUrl: string; placements: Array<{ corners: number[][]; masked: boolean }>; colors?: unknown[] };
type Detail = Summary & { manifest: Record<string, any> };
type ErrorBody = { error: { code: string; message: string; details?: { problems?: string[]; missing?: string[] } } };

/** The multipart body of POST / PUT /api/templates: the manifest and whichever files are given. */
function form(manifest: unknown, files: Array<[field: string, name: string, bytes: Uint8Array]> = [], fields: Record<string, string> = {}) {
  const f = new FormData();
  f.append("manifest", JSON.stringify(manifest));
  for (const [field, name, bytes] of files) f.append(field, new File([bytes], name));
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
}

/** A greyscale mask the mug's size: the artwork shows except in a band across the middle. */
const bandMask = () =>
  sharp({ create: { width: 1600, height: 1200, channels: 3, background: "#ffffff" } })
    .composite([{ input: { create: { width: 1600, height: 60, channels: 3, background: "#000000" } }, top: 570, left: 0 }])
    .greyscale()
    .png()
    .toBuffer()
    .then((b) => new Uint8Array(b));

const moved = (m: Record<string, any>, dx: number) => ({
  ...m,
  placements: m.placements.map((p: any) => ({ ...p, corners: p.corners.map(([x, y]: [number, number]) => [x + dx, y]) })),
});

const mad = (a: Uint8Array, b: Uint8Array) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
};

describe("PUT /api/templates/:id replaces a shop template atomically", () => {
  let t: TestApp;
  let failPuts = false;
  const artwork = fixture("artwork/ladybird-2560.jpg");
  // A mug with everything a template can have: a placement mask, two overlays, colourways.
  const v1: Record<string, any> = { ...mugManifest, id: "my-mug", name: "My mug", placements: [{ ...mugManifest.placements[0], mask: "print-mask.png" }] };
  let mask: Uint8Array;

  const put = (id: string, body: FormData) => t.request(`/api/templates/${id}`, { method: "PUT", body });
  const get = async (id: string) => (await (await t.request(`/api/templates/${id}`)).json()) as Detail;
  // Version folders holding files (local storage leaves a folder emptied by deletes behind).
  const versions = () => {
    const root = join(t.config.storageDir, t.shop.slug, "templates");
    return readdirSync(root).filter((d) => readdirSync(join(root, d)).length > 0).sort();
  };
  const startRender = async (templateIds: string[], color?: string) => {
    const f = new FormData();
    f.append("artwork", new File([artwork], "art.jpg"));
    if (color) f.append("templates", JSON.stringify(templateIds.map((templateId) => ({ templateId, color }))));
    else for (const id of templateIds) f.append("templateIds", id);
    f.append("format", "png");
    f.append("maxWidth", "800");
    const res = await t.request("/api/mockups", { method: "POST", body: f });
    expect(res.status).toBe(202);
    return ((await res.json()) as { jobId: string }).jobId;
  };
  const mockupsOf = async (jobId: string) => {
    const job = await waitForJob(t, jobId, 90_000);
    expect(job.state).toBe("succeeded");
    expect(job.result.failed).toEqual([]);
    const made = (job.result.mockups as Array<{ index: number; url: string }>).sort((a, b) => a.index - b.index);
    return Promise.all(made.map(async (m) => new Uint8Array(await sharp(new Uint8Array(await (await t.request(m.url)).arrayBuffer())).removeAlpha().raw().toBuffer())));
  };
  const render = async (id: string, color?: string) => (await mockupsOf(await startRender([id], color)))[0]!;

  beforeAll(async () => {
    t = await makeTestApp({
      storage: (local) =>
        new Proxy(local, {
          get(target, key, receiver) {
            if (key === "put") return (path: string, data: Uint8Array) => (failPuts ? Promise.reject(new Error("disk full")) : target.put(path, data));
            const v = Reflect.get(target, key, receiver);
            return typeof v === "function" ? v.bind(target) : v;
          },
        }) as Storage,
    });
    mask = await bandMask();
    const res = await t.request("/api/templates", {
      method: "POST",
      body: form(v1, [
        ["background", "background.jpg", mugFile("background.jpg")],
        ["masks", "print-mask.png", mask],
        ["masks", "shading.png", mugFile("shading.png")],
        ["masks", "glare.png", mugFile("glare.png")],
        ["masks", "product-mask.png", mugFile("product-mask.png")],
      ]),
    });
    expect(res.status).toBe(201);
  });

  test("a manifest alone moves the corners; every file is kept, the old version's files go, renders use the new one", async () => {
    const before = await get("my-mug");
    const oldRender = await render("my-mug", "black");
    const res = await put("my-mug", form(moved(v1, 40)));
    const body = (await res.json()) as Summary;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.version).toBeDefined();
    expect(body.version).not.toBe(before.version);
    expect(body.createdAt).toBe(before.createdAt!);
    expect(body.previewUrl).toBe(`/api/templates/my-mug/preview?v=${body.version}`);
    expect(body.placements[0]!.corners[0]).toEqual([574, 380]);

    // The overlays, the colourways and the placement mask are all still there.
    const after = await get("my-mug");
    expect(after.manifest.overlays).toEqual(v1.overlays);
    expect(after.manifest.colorways).toEqual(v1.colorways);
    expect(after.manifest.placements[0].mask).toBe("print-mask.png");
    expect(after.manifest.placements[0].warp).toEqual(v1.placements[0].warp);
    // One version folder, holding every file; the old one is gone from storage.
    expect(versions()).toHaveLength(1);
    expect(readdirSync(join(t.config.storageDir, t.shop.slug, "templates", versions()[0]!)).sort()).toEqual(
      ["atelier-preview.jpg", "background.jpg", "glare.png", "print-mask.png", "product-mask.png", "shading.png"],
    );
    for (const name of ["glare.png", "print-mask.png"]) {
      const served = new Uint8Array(await (await t.request(`/api/templates/my-mug/files/${name}`)).arrayBuffer());
      expect(Buffer.compare(served, name === "glare.png" ? mugFile(name) : mask)).toBe(0);
    }

    // The render follows the new corners, recoloured and with the overlays: exactly what a
    // template made from scratch with the same manifest and files renders.
    const newRender = await render("my-mug", "black");
    expect(mad(oldRender, newRender)).toBeGreaterThan(1);
    const fresh = await t.request("/api/templates", {
      method: "POST",
      body: form({ ...moved(v1, 40), id: "my-mug-fresh" }, [
        ["background", "background.jpg", mugFile("background.jpg")],
        ["masks", "print-mask.png", mask],
        ["masks", "shading.png", mugFile("shading.png")],
        ["masks", "glare.png", mugFile("glare.png")],
        ["masks", "product-mask.png", mugFile("product-mask.png")],
      ]),
    });
    expect(fresh.status).toBe(201);
    expect(mad(newRender, await render("my-mug-fresh", "black"))).toBe(0);
    expect((await t.request("/api/templates/my-mug-fresh", { method: "DELETE" })).status).toBe(204);
  }, 120_000);

  test("a file sent replaces the kept one of its name, and the renderer's cache does not show the old one", async () => {
    await render("my-mug"); // the decoded layers are cached in the render thread now
    const darker = new Uint8Array(await sharp(mugFile("background.jpg")).linear(0.5, 0).jpeg().toBuffer());
    const res = await put("my-mug", form(moved(v1, 40), [["background", "background.jpg", darker]]));
    expect(res.status).toBe(200);
    const out = await render("my-mug");
    // A corner of the frame, far from the mug: the new background's pixels.
    const expected = await sharp(darker).resize(800).removeAlpha().raw().toBuffer();
    expect(Math.abs(out[0]! - expected[0]!)).toBeLessThan(4);
    expect(out[0]!).toBeLessThan(140);
    // The API's view of the file and the preview follow (their URLs carry the version).
    const served = new Uint8Array(await (await t.request("/api/templates/my-mug/files/background.jpg")).arrayBuffer());
    expect(Buffer.compare(served, darker)).toBe(0);
  }, 60_000);

  test("a bad manifest, a missing file or a wrong-sized one is refused and the current version stays intact", async () => {
    const before = await get("my-mug");
    const folders = versions();
    const expectIntact = async () => {
      const now = await get("my-mug");
      expect(now.version).toBe(before.version);
      expect(now.manifest).toEqual(before.manifest);
      expect(versions()).toEqual(folders);
    };

    const outside = await put("my-mug", form({ ...v1, placements: [{ ...v1.placements[0], corners: [[-50, 380], [1066, 380], [1066, 820], [534, 820]] }] }));
    expect(outside.status).toBe(400);
    const outsideBody = (await outside.json()) as ErrorBody;
    expect(outsideBody.error.code).toBe("invalid_manifest");
    expect(outsideBody.error.details?.problems?.join()).toContain("outside");
    await expectIntact();

    const otherId = await put("my-mug", form({ ...v1, id: "another-mug" }));
    expect(otherId.status).toBe(400);
    expect(((await otherId.json()) as ErrorBody).error.message).toContain("differs from the template being replaced");
    await expectIntact();

    const notJson = new FormData();
    notJson.append("manifest", "{ nope");
    expect((await put("my-mug", notJson)).status).toBe(400);
    await expectIntact();

    // A file the new manifest names that neither the form nor the current version has.
    const withNewOverlay = { ...v1, overlays: [...v1.overlays, { file: "steam.png", blend: "screen", opacity: 0.5 }] };
    const missing = await put("my-mug", form(withNewOverlay));
    expect(missing.status).toBe(400);
    const missingBody = (await missing.json()) as ErrorBody;
    expect(missingBody.error.code).toBe("missing_mask");
    expect(missingBody.error.details?.missing).toEqual(["steam.png"]);
    await expectIntact();

    const small = new Uint8Array(await sharp(mugFile("glare.png")).resize(800).png().toBuffer());
    const wrongSize = await put("my-mug", form(withNewOverlay, [["files", "steam.png", small]]));
    expect(wrongSize.status).toBe(422);
    expect(((await wrongSize.json()) as ErrorBody).error.code).toBe("template_size_mismatch");
    await expectIntact();

    const corrupt = await put("my-mug", form(v1, [["masks", "glare.png", fixture("bad/truncated.jpg")]]));
    expect(corrupt.status).toBe(422);
    await expectIntact();

    // Storage failing while the new version is written: nothing switches, nothing is left over.
    failPuts = true;
    try {
      const down = await put("my-mug", form(moved(v1, 10)));
      expect(down.status).toBe(503);
      expect(((await down.json()) as ErrorBody).error.code).toBe("storage_unavailable");
    } finally {
      failPuts = false;
    }
    await expectIntact();
    expect((await render("my-mug")).length).toBeGreaterThan(0);
  }, 60_000);

  test("an unknown id is 404, another shop's too; a built-in template is refused with builtin_template", async () => {
    const unknown = await put("no-such-template", form({ ...v1, id: "no-such-template" }));
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorBody).error.code).toBe("not_found");

    const other = await makeTestApp();
    const theirs = await other.request("/api/templates/my-mug", { method: "PUT", body: form(v1) });
    expect(theirs.status).toBe(404);

    const builtIn = await put("mug-cylinder", form(mugManifest));
    expect(builtIn.status).toBe(403);
    const body = (await builtIn.json()) as ErrorBody;
    expect(body.error.code).toBe("builtin_template");
    expect(body.error.message).toContain("from=");
  });

  test("two replaces at once: one wins, the other is told the template changed meanwhile (or follows it)", async () => {
    const [a, b] = await Promise.all([put("my-mug", form(moved(v1, 20))), put("my-mug", form(moved(v1, 30)))]);
    const statuses = [a.status, b.status].sort();
    expect(statuses[0]).toBe(200);
    expect([200, 409]).toContain(statuses[1]!);
    const loser = a.status === 409 ? a : b.status === 409 ? b : undefined;
    if (loser) expect(((await loser.json()) as ErrorBody).error.code).toBe("template_changed");
    expect(versions()).toHaveLength(1);
    const x = (await get("my-mug")).manifest.placements[0].corners[0][0];
    expect([554, 564]).toContain(x);
  });

  test("renders running while the template is replaced finish with one version or the other, never a broken one", async () => {
    await put("my-mug", form(v1, [["background", "background.jpg", mugFile("background.jpg")]]));
    const refOld = await render("my-mug");
    // Nothing cached locally: the renders fetch the files from storage as the replace removes them.
    rmSync(t.config.templateFilesDir, { recursive: true, force: true });
    const jobs: string[] = [];
    for (let i = 0; i < 3; i++) jobs.push(await startRender(["my-mug", "my-mug", "my-mug"]));
    const replaced = put("my-mug", form(moved(v1, 60)));
    for (let i = 0; i < 2; i++) jobs.push(await startRender(["my-mug", "my-mug"]));
    expect((await replaced).status).toBe(200);
    const results = (await Promise.all(jobs.map(mockupsOf))).flat();
    const refNew = await render("my-mug");
    expect(mad(refOld, refNew)).toBeGreaterThan(1);
    const seen = results.map((r) => (mad(r, refOld) === 0 ? "old" : mad(r, refNew) === 0 ? "new" : "neither"));
    expect(seen).not.toContain("neither");
    expect(seen.length).toBe(13);
    console.log(`renders during a replace: ${seen.filter((s) => s === "old").length} old version, ${seen.filter((s) => s === "new").length} new`);
    expect(existsSync(t.config.templateFilesDir)).toBe(true);
  }, 180_000);

  test("POST with from copies a built-in template's files; the preview takes the edited template's files too", async () => {
    const copy = await t.request("/api/templates", { method: "POST", body: form({ ...moved(mugManifest, -20), id: "mug-copy", name: "Mug (copy)" }, [], { from: "mug-cylinder" }) });
    expect(copy.status, await copy.clone().text()).toBe(201);
    const detail = await get("mug-copy");
    expect(detail.manifest.overlays).toEqual(mugManifest.overlays);
    expect(detail.colors).toHaveLength(2);
    expect((await t.request("/api/templates", { method: "POST", body: form({ ...mugManifest, id: "x" }, [], { from: "no-such" }) })).status).toBe(404);

    // A preview sends its scaled photo; the overlays and colourway mask come from the template, scaled.
    const scaled = new Uint8Array(await sharp(mugFile("background.jpg")).resize(800, 600).jpeg().toBuffer());
    const k = 0.5;
    const small = {
      ...mugManifest,
      width: 800,
      height: 600,
      placements: mugManifest.placements.map((p: any) => ({ ...p, corners: p.corners.map(([x, y]: [number, number]) => [x * k, y * k]) })),
    };
    const preview = await t.request("/api/templates/preview", { method: "POST", body: form(small, [["background", "background.jpg", scaled]], { from: "mug-copy" }) });
    expect(preview.status, await preview.clone().text()).toBe(200);
    // A kept file must have the draft's shape (it is scaled to it, not stretched).
    const square = new Uint8Array(await sharp(mugFile("background.jpg")).resize(600, 600, { fit: "fill" }).jpeg().toBuffer());
    const squashed = await t.request("/api/templates/preview", { method: "POST", body: form({ ...small, width: 600, height: 600 }, [["background", "background.jpg", square]], { from: "mug-copy" }) });
    expect(squashed.status).toBe(422);
    expect(((await squashed.json()) as ErrorBody).error.code).toBe("template_size_mismatch");
    const without = await t.request("/api/templates/preview", { method: "POST", body: form(small, [["background", "background.jpg", scaled]]) });
    expect(without.status).toBe(400);
    expect(((await without.json()) as ErrorBody).error.code).toBe("missing_mask");
  }, 60_000);
});
